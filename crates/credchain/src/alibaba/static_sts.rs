//! The fixed STS triple source (`static_sts`, type `sts`,
//! `docs/sources/alibaba.md#static-credentials`).
//!
//! As [`StaticAccessKeyProvider`](super::StaticAccessKeyProvider), plus a security token that
//! falls back to `ALIBABA_CLOUD_SECURITY_TOKEN`. Never refreshed: when the token expires, requests
//! fail.

use std::fmt;

use super::cli_profile::CliProfile;
use super::env_vars;
use super::key_check::check_keys;
use super::static_ak::{access_key, pick, required};
use super::Config;
use crate::context::Context;
use crate::credentials::{Credentials, Secret};
use crate::error::Result;

/// A fixed STS triple (`static_sts`). Never refreshed: when the token expires, requests fail.
///
/// ```
/// use credchain::alibaba::StaticStsProvider;
/// let p = StaticStsProvider::new("STS.id", "secret", "token").unwrap();
/// assert_eq!(
///     StaticStsProvider::new("STS.id", "secret", "").unwrap_err().message(),
///     "the security token is empty"
/// );
/// # let _ = p;
/// ```
pub struct StaticStsProvider {
    credentials: Credentials,
}

impl StaticStsProvider {
    /// The provider name.
    pub const NAME: &'static str = "static_sts";

    /// From explicit values, with no environment fallback.
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
        security_token: impl Into<String>,
    ) -> Result<Self> {
        Self::build(
            Some(access_key_id.into()),
            Some(access_key_secret.into()),
            Some(security_token.into()),
            None,
        )
    }

    /// From explicit values where given, else from the environment.
    pub fn with_env_fallback(
        access_key_id: Option<String>,
        access_key_secret: Option<String>,
        security_token: Option<String>,
        ctx: &Context,
    ) -> Result<Self> {
        Self::build(access_key_id, access_key_secret, security_token, Some(ctx))
    }

    /// Type `sts` of a [`Config`].
    pub(crate) fn from_config(c: &Config, ctx: &Context) -> Result<Self> {
        let (id, secret) = (c.access_key_id.clone(), c.access_key_secret.clone());
        Self::with_env_fallback(id, secret, c.security_token.clone(), ctx)
    }

    /// Mode `StsToken` of a `config.json` profile.
    pub(crate) fn from_cli_profile(p: &CliProfile<'_>) -> Result<Self> {
        let (id, secret) = (p.string("access_key_id"), p.string("access_key_secret"));
        Self::with_env_fallback(id, secret, p.string("sts_token"), p.ctx())
            .map_err(|e| p.at_file(e))
    }

    fn build(
        id: Option<String>,
        secret: Option<String>,
        token: Option<String>,
        ctx: Option<&Context>,
    ) -> Result<Self> {
        let (id, secret) = access_key(id, secret, ctx, Self::NAME)?;
        let token =
            pick(token, ctx, env_vars::SECURITY_TOKEN).map_err(|e| e.with_provider(Self::NAME))?;
        let token = required(
            token,
            "the security token is empty",
            env_vars::SECURITY_TOKEN,
            Self::NAME,
        )?;
        check_keys(&id, &secret, Some(&token)).map_err(|e| e.with_provider(Self::NAME))?;
        Ok(StaticStsProvider {
            credentials: Credentials::builder(id, secret)
                .security_token(token)
                .provider_name(Self::NAME)
                .build(),
        })
    }
}

impl fmt::Debug for StaticStsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticStsProvider")
            .field("access_key_id", &self.credentials.access_key_id())
            .field("access_key_secret", &Secret::new(""))
            .field("security_token", &Secret::new(""))
            .finish()
    }
}

super::static_ak::provide_fixed!(StaticStsProvider);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::MemoryEnv;
    use crate::provider::ProvideCredentials;

    #[tokio::test]
    async fn static_sts_needs_all_three() {
        let e = StaticStsProvider::new("id", "s", "").unwrap_err();
        assert_eq!(e.message(), "the security token is empty");
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs([(
            env_vars::SECURITY_TOKEN,
            "envtoken",
        )]));
        let p =
            StaticStsProvider::with_env_fallback(Some("id".into()), Some("s".into()), None, &ctx)
                .unwrap();
        let c = p.provide_credentials().await.unwrap();
        assert_eq!(c.security_token(), Some("envtoken"));
        assert_eq!(c.provider_name(), "static_sts");
        assert!(!format!("{p:?}").contains("envtoken"));
    }
}
