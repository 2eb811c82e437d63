//! The bearer-token source (type `bearer`, `docs/sources/alibaba.md#static-credentials`).

use std::fmt;

use super::cli_profile::CliProfile;
use super::env_vars;
use super::Config;
use crate::credentials::{Credentials, Secret};
use crate::error::{Error, Result};

/// A bearer token holder (`bearer`). Not a provider in the references, only a value; here it is a
/// provider so it fits the same API. Its provider name is `bearer`.
///
/// ```
/// use credchain::alibaba::BearerTokenProvider;
/// assert_eq!(BearerTokenProvider::new("").unwrap_err().message(), "BearerToken cannot be empty");
/// ```
pub struct BearerTokenProvider {
    credentials: Credentials,
}

impl BearerTokenProvider {
    /// The provider (and type) name.
    pub const NAME: &'static str = "bearer";

    /// A bearer token; empty is an error (the Go reference's message).
    pub fn new(token: impl Into<String>) -> Result<Self> {
        let token = token.into();
        if token.is_empty() {
            return Err(
                Error::invalid_config("BearerToken cannot be empty").with_provider(Self::NAME)
            );
        }
        Ok(BearerTokenProvider {
            credentials: Credentials::bearer(token, Self::NAME),
        })
    }

    /// Type `bearer` of a [`Config`].
    pub(crate) fn from_config(c: &Config) -> Result<Self> {
        Self::new(c.bearer_token.clone().unwrap_or_default())
    }

    /// aliyun-cli's mode `BearerToken`: `bearer_token`, else `ALIBABA_CLOUD_BEARER_TOKEN`; a
    /// `bearer_token_header_key` other than `x-acs-bearer-token` is an error.
    pub(crate) fn from_cli_profile(p: &CliProfile<'_>) -> Result<Self> {
        let name = p.name();
        if let Some(k) = p.string("bearer_token_header_key") {
            if !k.eq_ignore_ascii_case("x-acs-bearer-token") {
                return Err(p
                    .invalid(format!(
                        "profile '{name}' sets bearer_token_header_key to another header than \
                         x-acs-bearer-token, the only one credchain sends"
                    ))
                    .with_hint("remove bearer_token_header_key from the profile"));
            }
        }
        let token = match p.string("bearer_token") {
            Some(t) => Some(t),
            None => p.env(env_vars::BEARER_TOKEN)?,
        };
        let Some(token) = token else {
            return Err(p
                .invalid(format!(
                    "bearer_token is not configured for profile '{name}'"
                ))
                .with_hint(format!(
                    "run `aliyun configure --profile {name} --mode BearerToken`, or set {}",
                    env_vars::BEARER_TOKEN
                )));
        };
        Self::new(token.trim()).map_err(|e| p.at_file(e))
    }
}

impl fmt::Debug for BearerTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerTokenProvider")
            .field("bearer_token", &Secret::new(""))
            .finish()
    }
}

super::static_ak::provide_fixed!(BearerTokenProvider);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ProvideCredentials;

    #[tokio::test]
    async fn bearer_holds_only_a_token() {
        let c = BearerTokenProvider::new("bt")
            .unwrap()
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(c.bearer_token(), Some("bt"));
        assert_eq!(c.access_key_id(), "");
    }
}
