//! Static Alibaba Cloud credentials: an AccessKey (`static_ak`), an STS triple (`static_sts`) and a
//! bearer token (type `bearer`), (`docs/sources/alibaba.md#static-credentials`).
//!
//! Explicit values come first; an empty or missing value falls back to `ALIBABA_CLOUD_ACCESS_KEY_ID`,
//! `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and `ALIBABA_CLOUD_SECURITY_TOKEN`, read from the context when
//! the provider is built. What is still empty then is an error with the references' message.

use std::fmt;

use super::env_vars;
use super::key_check::check_keys;
use crate::context::Context;
use crate::credentials::{Credentials, Secret};
use crate::error::{Error, Result};
use crate::provider::{ProvideCredentials, ProvideFuture};

/// The explicit value when not empty, else the env var (an unreadable one is an error).
fn pick(explicit: Option<String>, ctx: Option<&Context>, var: &str) -> Result<Option<String>> {
    match (explicit.filter(|v| !v.is_empty()), ctx) {
        (Some(v), _) => Ok(Some(v)),
        (None, Some(c)) => c.env_non_empty(var),
        (None, None) => Ok(None),
    }
}

fn required(value: Option<String>, message: &str, var: &str, provider: &str) -> Result<String> {
    value.ok_or_else(|| {
        Error::invalid_config(message)
            .with_provider(provider)
            .with_hint(format!("pass the value explicitly or set {var}"))
    })
}

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

    fn build(id: Option<String>, secret: Option<String>, ctx: Option<&Context>) -> Result<Self> {
        let id = pick(id, ctx, env_vars::ACCESS_KEY_ID).map_err(|e| e.with_provider(Self::NAME))?;
        let id = required(
            id,
            "the access key id is empty",
            env_vars::ACCESS_KEY_ID,
            Self::NAME,
        )?;
        let secret = pick(secret, ctx, env_vars::ACCESS_KEY_SECRET)
            .map_err(|e| e.with_provider(Self::NAME))?;
        let secret = required(
            secret,
            "the access key secret is empty",
            env_vars::ACCESS_KEY_SECRET,
            Self::NAME,
        )?;
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

impl ProvideCredentials for StaticAccessKeyProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        ProvideFuture::ready(Ok(self.credentials.clone()))
    }
    fn name(&self) -> &str {
        Self::NAME
    }
}

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

    fn build(
        id: Option<String>,
        secret: Option<String>,
        token: Option<String>,
        ctx: Option<&Context>,
    ) -> Result<Self> {
        let id = pick(id, ctx, env_vars::ACCESS_KEY_ID).map_err(|e| e.with_provider(Self::NAME))?;
        let id = required(
            id,
            "the access key id is empty",
            env_vars::ACCESS_KEY_ID,
            Self::NAME,
        )?;
        let secret = pick(secret, ctx, env_vars::ACCESS_KEY_SECRET)
            .map_err(|e| e.with_provider(Self::NAME))?;
        let secret = required(
            secret,
            "the access key secret is empty",
            env_vars::ACCESS_KEY_SECRET,
            Self::NAME,
        )?;
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

impl ProvideCredentials for StaticStsProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        ProvideFuture::ready(Ok(self.credentials.clone()))
    }
    fn name(&self) -> &str {
        Self::NAME
    }
}

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
}

impl fmt::Debug for BearerTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerTokenProvider")
            .field("bearer_token", &Secret::new(""))
            .finish()
    }
}

impl ProvideCredentials for BearerTokenProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        ProvideFuture::ready(Ok(self.credentials.clone()))
    }
    fn name(&self) -> &str {
        Self::NAME
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::MemoryEnv;
    use crate::error::ErrorKind;

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

    #[tokio::test]
    async fn static_sts_needs_all_three() {
        let e = StaticStsProvider::new("id", "s", "").unwrap_err();
        assert_eq!(e.message(), "the security token is empty");
        let ctx = env(&[(env_vars::SECURITY_TOKEN, "envtoken")]);
        let p =
            StaticStsProvider::with_env_fallback(Some("id".into()), Some("s".into()), None, &ctx)
                .unwrap();
        let c = p.provide_credentials().await.unwrap();
        assert_eq!(c.security_token(), Some("envtoken"));
        assert_eq!(c.provider_name(), "static_sts");
        assert!(!format!("{p:?}").contains("envtoken"));
    }

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
