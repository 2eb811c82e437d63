//! The Alibaba Cloud environment source (`env`, `docs/sources/alibaba.md#environment`).
//!
//! Reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and the optional
//! `ALIBABA_CLOUD_SECURITY_TOKEN` when the provider is built (the Python library reads them at
//! import time, so later changes are lost; credchain reads them when you build the provider).
//! An absent or empty id or secret means "not configured": a chain moves on. A value with leading
//! or trailing whitespace is an invalid credential that stops a chain (as Tencent's SDK does;
//! the Alibaba libraries accept it), and so is a value that is not valid UTF-8.
//! An empty `ALIBABA_CLOUD_SECURITY_TOKEN` means no token (`security_token` is `None`, printed as
//! `null`); Python passes the empty string through, which its signers also treat as no token.

use std::fmt;

use super::env_vars;
use super::key_check::check_keys;
use crate::context::Context;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::provider::{ProvideCredentials, ProvideFuture};

/// Credentials from `ALIBABA_CLOUD_*` environment variables.
///
/// ```
/// use credchain::alibaba::EnvironmentProvider;
/// use credchain::context::{Context, MemoryEnv};
/// use credchain::{ErrorKind, ProvideCredentials};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let ctx = Context::empty().with_env(MemoryEnv::from_pairs([
///     ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tExample"),
///     ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret"),
/// ]));
/// let c = EnvironmentProvider::from_context(&ctx).provide_credentials().await.unwrap();
/// assert_eq!((c.access_key_id(), c.provider_name()), ("LTAI5tExample", "env"));
///
/// let empty = EnvironmentProvider::from_context(&Context::empty());
/// let e = empty.provide_credentials().await.unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::NotConfigured);
/// # });
/// ```
pub struct EnvironmentProvider {
    outcome: Result<Credentials>,
}

impl EnvironmentProvider {
    /// The provider name.
    pub const NAME: &'static str = "env";

    /// Reads the variables from the context's environment now.
    pub fn from_context(ctx: &Context) -> Self {
        EnvironmentProvider {
            outcome: Self::read(ctx),
        }
    }

    fn read(ctx: &Context) -> Result<Credentials> {
        let var = |name| {
            ctx.env_non_empty(name)
                .map_err(|e| e.with_provider(Self::NAME))
        };
        let Some(id) = var(env_vars::ACCESS_KEY_ID)? else {
            return Err(missing("accessKeyId", env_vars::ACCESS_KEY_ID));
        };
        let Some(secret) = var(env_vars::ACCESS_KEY_SECRET)? else {
            return Err(missing("accessKeySecret", env_vars::ACCESS_KEY_SECRET));
        };
        let token = var(env_vars::SECURITY_TOKEN)?;
        check_keys(&id, &secret, token.as_deref()).map_err(|e| {
            e.with_provider(Self::NAME).with_hint(format!(
                "remove the spaces or newlines around the value of {}, {} or {}",
                env_vars::ACCESS_KEY_ID,
                env_vars::ACCESS_KEY_SECRET,
                env_vars::SECURITY_TOKEN
            ))
        })?;
        Ok(Credentials::builder(id, secret)
            .security_token_opt(token)
            .provider_name(Self::NAME)
            .build())
    }
}

fn missing(field: &str, var: &str) -> Error {
    // The Python reference's wording, plus which variable to set.
    Error::not_configured(format!("Environment variable {field} cannot be empty"))
        .with_provider(EnvironmentProvider::NAME)
        .with_hint(format!("set {var}"))
}

impl fmt::Debug for EnvironmentProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("EnvironmentProvider");
        match &self.outcome {
            Ok(c) => d.field("access_key_id", &c.access_key_id()),
            Err(e) => d.field("error", &e.message()),
        };
        d.finish()
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        ProvideFuture::ready(self.outcome.clone())
    }
    fn name(&self) -> &str {
        Self::NAME
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::MemoryEnv;

    async fn run(pairs: &[(&str, &str)]) -> Result<Credentials> {
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs(pairs.iter().copied()));
        EnvironmentProvider::from_context(&ctx)
            .provide_credentials()
            .await
    }

    #[tokio::test]
    async fn id_or_secret_missing_or_empty_is_not_configured() {
        for pairs in [
            vec![],
            vec![(env_vars::ACCESS_KEY_SECRET, "s")],
            vec![
                (env_vars::ACCESS_KEY_ID, ""),
                (env_vars::ACCESS_KEY_SECRET, "s"),
            ],
            vec![(env_vars::ACCESS_KEY_ID, "id")],
            vec![
                (env_vars::ACCESS_KEY_ID, "id"),
                (env_vars::ACCESS_KEY_SECRET, ""),
            ],
        ] {
            let e = run(&pairs).await.unwrap_err();
            assert!(e.is_not_configured(), "{pairs:?}: {e}");
        }
        let e = run(&[]).await.unwrap_err();
        assert_eq!(
            e.message(),
            "Environment variable accessKeyId cannot be empty"
        );
        let e = run(&[(env_vars::ACCESS_KEY_ID, "id")]).await.unwrap_err();
        assert_eq!(
            e.message(),
            "Environment variable accessKeySecret cannot be empty"
        );
    }

    #[tokio::test]
    async fn token_is_optional() {
        let base = [
            (env_vars::ACCESS_KEY_ID, "id"),
            (env_vars::ACCESS_KEY_SECRET, "s"),
        ];
        assert_eq!(run(&base).await.unwrap().security_token(), None);
        let mut with = base.to_vec();
        with.push((env_vars::SECURITY_TOKEN, "tok"));
        assert_eq!(run(&with).await.unwrap().security_token(), Some("tok"));
        let mut empty = base.to_vec();
        empty.push((env_vars::SECURITY_TOKEN, ""));
        assert_eq!(run(&empty).await.unwrap().security_token(), None);
    }
}
