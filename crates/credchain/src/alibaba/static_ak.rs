//! The AccessKey source (`static_ak`, type `access_key`,
//! `docs/sources/alibaba.md#static-credentials`).
//!
//! Explicit values come first; an empty or missing value falls back to `ALIBABA_CLOUD_ACCESS_KEY_ID`
//! and `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, read from the context when the provider is built. What is
//! still empty then is an error with the references' message.

use std::fmt;

use super::cli_profile::CliProfile;
use super::env_vars;
use super::key_check::check_keys;
use super::profile::IniSection;
use super::Config;
use crate::context::Context;
use crate::credentials::{Credentials, Secret};
use crate::error::{Error, Result};

/// The explicit value when not empty, else the env var (an unreadable one is an error).
pub(super) fn pick(
    explicit: Option<String>,
    ctx: Option<&Context>,
    var: &str,
) -> Result<Option<String>> {
    match (explicit.filter(|v| !v.is_empty()), ctx) {
        (Some(v), _) => Ok(Some(v)),
        (None, Some(c)) => c.env_non_empty(var),
        (None, None) => Ok(None),
    }
}

/// `value`, or the references' `message` naming `var` as the place to set it.
pub(super) fn required(
    value: Option<String>,
    message: &str,
    var: &str,
    provider: &str,
) -> Result<String> {
    value.ok_or_else(|| {
        Error::invalid_config(message)
            .with_provider(provider)
            .with_hint(format!("pass the value explicitly or set {var}"))
    })
}

/// The AccessKey id and secret of a static source named `provider`: explicit values, else the
/// environment (when `ctx` is given); both required.
pub(super) fn access_key(
    id: Option<String>,
    secret: Option<String>,
    ctx: Option<&Context>,
    provider: &str,
) -> Result<(String, String)> {
    let id = pick(id, ctx, env_vars::ACCESS_KEY_ID).map_err(|e| e.with_provider(provider))?;
    let id = required(
        id,
        "the access key id is empty",
        env_vars::ACCESS_KEY_ID,
        provider,
    )?;
    let secret =
        pick(secret, ctx, env_vars::ACCESS_KEY_SECRET).map_err(|e| e.with_provider(provider))?;
    let secret = required(
        secret,
        "the access key secret is empty",
        env_vars::ACCESS_KEY_SECRET,
        provider,
    )?;
    Ok((id, secret))
}

/// `ProvideCredentials` for a static source: a `credentials` field handed out as it is, and its
/// `NAME` (`static_ak`, `static_sts`, `bearer`).
macro_rules! provide_fixed {
    ($source:ty) => {
        impl $crate::provider::ProvideCredentials for $source {
            fn provide_credentials(&self) -> $crate::provider::ProvideFuture<'_> {
                $crate::provider::ProvideFuture::ready(Ok(self.credentials.clone()))
            }
            fn name(&self) -> &str {
                Self::NAME
            }
        }
    };
}
pub(super) use provide_fixed;

/// A long-term AccessKey (`static_ak`).
///
/// ```
/// use credchain::alibaba::StaticAccessKeyProvider;
/// let p = StaticAccessKeyProvider::new("LTAI5tExample", "secret").unwrap();
/// assert_eq!(format!("{p:?}"), "StaticAccessKeyProvider { access_key_id: \"LTAI5tExample\", access_key_secret: ** redacted ** }");
/// assert_eq!(
///     StaticAccessKeyProvider::new("", "secret").unwrap_err().message(),
///     "the access key id is empty"
/// );
/// ```
pub struct StaticAccessKeyProvider {
    credentials: Credentials,
}

impl StaticAccessKeyProvider {
    /// The provider name.
    pub const NAME: &'static str = "static_ak";

    /// From explicit values, with no environment fallback.
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
    ) -> Result<Self> {
        Self::build(
            Some(access_key_id.into()),
            Some(access_key_secret.into()),
            None,
        )
    }

    /// From explicit values where given (empty counts as not given), else from the environment.
    pub fn with_env_fallback(
        access_key_id: Option<String>,
        access_key_secret: Option<String>,
        ctx: &Context,
    ) -> Result<Self> {
        Self::build(access_key_id, access_key_secret, Some(ctx))
    }

    /// Type `access_key` of a [`Config`].
    pub(crate) fn from_config(c: &Config, ctx: &Context) -> Result<Self> {
        Self::with_env_fallback(c.access_key_id.clone(), c.access_key_secret.clone(), ctx)
    }

    /// Mode `AK` of a `config.json` profile.
    pub(crate) fn from_cli_profile(p: &CliProfile<'_>) -> Result<Self> {
        let (id, secret) = (p.string("access_key_id"), p.string("access_key_secret"));
        Self::with_env_fallback(id, secret, p.ctx()).map_err(|e| p.at_file(e))
    }

    /// Type `access_key` of a `credentials.ini` section.
    pub(crate) fn from_ini_section(s: &IniSection<'_>) -> Result<Self> {
        let (id, secret) = (s.get("access_key_id"), s.get("access_key_secret"));
        Self::with_env_fallback(id, secret, s.ctx()).map_err(|e| s.at_file(e))
    }

    fn build(id: Option<String>, secret: Option<String>, ctx: Option<&Context>) -> Result<Self> {
        let (id, secret) = access_key(id, secret, ctx, Self::NAME)?;
        check_keys(&id, &secret, None).map_err(|e| e.with_provider(Self::NAME))?;
        Ok(StaticAccessKeyProvider {
            credentials: Credentials::builder(id, secret)
                .provider_name(Self::NAME)
                .build(),
        })
    }
}

impl fmt::Debug for StaticAccessKeyProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticAccessKeyProvider")
            .field("access_key_id", &self.credentials.access_key_id())
            .field("access_key_secret", &Secret::new(""))
            .finish()
    }
}

provide_fixed!(StaticAccessKeyProvider);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::MemoryEnv;
    use crate::error::ErrorKind;
    use crate::provider::ProvideCredentials;

    fn env(pairs: &[(&str, &str)]) -> Context {
        Context::empty().with_env(MemoryEnv::from_pairs(pairs.iter().copied()))
    }

    #[tokio::test]
    async fn static_ak_falls_back_to_env() {
        let ctx = env(&[
            (env_vars::ACCESS_KEY_ID, "envid"),
            (env_vars::ACCESS_KEY_SECRET, "envsecret"),
        ]);
        let p =
            StaticAccessKeyProvider::with_env_fallback(Some(String::new()), None, &ctx).unwrap();
        let c = p.provide_credentials().await.unwrap();
        assert_eq!(
            (c.access_key_id(), c.access_key_secret()),
            ("envid", "envsecret")
        );
        assert_eq!(c.provider_name(), "static_ak");
        assert_eq!(c.security_token(), None);
        let p = StaticAccessKeyProvider::with_env_fallback(Some("explicit".into()), None, &ctx)
            .unwrap();
        assert_eq!(
            p.provide_credentials().await.unwrap().access_key_id(),
            "explicit"
        );
    }

    #[test]
    fn static_ak_errors_name_the_missing_field() {
        let e = StaticAccessKeyProvider::with_env_fallback(None, None, &env(&[])).unwrap_err();
        assert_eq!(e.message(), "the access key id is empty");
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert!(e.to_string().contains("ALIBABA_CLOUD_ACCESS_KEY_ID"));
        let e = StaticAccessKeyProvider::new("id", "").unwrap_err();
        assert_eq!(e.message(), "the access key secret is empty");
    }
}
