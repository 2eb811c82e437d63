//! The OSS tools' environment source (`oss_env`, `docs/sources/alibaba.md#oss-environment`).
//!
//! - `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET` and the optional `OSS_SESSION_TOKEN`: the names
//!   ossutil, the OSS SDKs' `EnvironmentVariableCredentialsProvider` and reqsign-aliyun-oss read.
//! - Not in the Alibaba default chain (the credentials libraries do not read these names); meant
//!   for object-storage users, after the `ALIBABA_CLOUD_*` variables: [`object_storage_chain`].
//! - Same rules as the `env` source: absent or empty id or secret → "not configured"; padded
//!   values → invalid credential (stops a chain); an empty token means no token.

use std::fmt;

use super::chain::default_chain;
use super::environment::EnvironmentProvider;
use super::key_check::check_keys;
use crate::chain::ProviderChain;
use crate::context::Context;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::provider::{ProvideCredentials, ProvideFuture};

/// AccessKey ID (OSS tools).
pub const OSS_ACCESS_KEY_ID: &str = "OSS_ACCESS_KEY_ID";
/// AccessKey secret (OSS tools).
pub const OSS_ACCESS_KEY_SECRET: &str = "OSS_ACCESS_KEY_SECRET";
/// STS token (OSS tools).
pub const OSS_SESSION_TOKEN: &str = "OSS_SESSION_TOKEN";

/// Credentials from `OSS_*` environment variables.
///
/// ```
/// use credchain::alibaba::OssEnvProvider;
/// use credchain::context::{Context, MemoryEnv};
/// use credchain::ProvideCredentials;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let ctx = Context::empty().with_env(MemoryEnv::from_pairs([
///     ("OSS_ACCESS_KEY_ID", "LTAI5tOss"),
///     ("OSS_ACCESS_KEY_SECRET", "secret"),
/// ]));
/// let c = OssEnvProvider::from_context(&ctx).provide_credentials().await.unwrap();
/// assert_eq!((c.access_key_id(), c.provider_name()), ("LTAI5tOss", "oss_env"));
/// # });
/// ```
pub struct OssEnvProvider {
    outcome: Result<Credentials>,
}

impl OssEnvProvider {
    /// The provider name.
    pub const NAME: &'static str = "oss_env";

    /// Reads the variables from the context's environment now.
    pub fn from_context(ctx: &Context) -> Self {
        OssEnvProvider {
            outcome: Self::read(ctx),
        }
    }

    fn read(ctx: &Context) -> Result<Credentials> {
        let var = |name| {
            ctx.env_non_empty(name)
                .map_err(|e| e.with_provider(Self::NAME))
        };
        let (Some(id), Some(secret)) = (var(OSS_ACCESS_KEY_ID)?, var(OSS_ACCESS_KEY_SECRET)?)
        else {
            return Err(Error::not_configured(format!(
                "{OSS_ACCESS_KEY_ID} or {OSS_ACCESS_KEY_SECRET} not set or empty"
            ))
            .with_provider(Self::NAME)
            .with_hint(format!(
                "set {OSS_ACCESS_KEY_ID} and {OSS_ACCESS_KEY_SECRET}"
            )));
        };
        let token = var(OSS_SESSION_TOKEN)?;
        check_keys(&id, &secret, token.as_deref()).map_err(|e| {
            e.with_provider(Self::NAME).with_hint(format!(
                "remove the spaces or newlines around the value of {OSS_ACCESS_KEY_ID}, \
                 {OSS_ACCESS_KEY_SECRET} or {OSS_SESSION_TOKEN}"
            ))
        })?;
        Ok(Credentials::builder(id, secret)
            .security_token_opt(token)
            .provider_name(Self::NAME)
            .build())
    }
}

impl fmt::Debug for OssEnvProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("alibaba::OssEnvProvider");
        match &self.outcome {
            Ok(c) => d.field("access_key_id", &c.access_key_id()),
            Err(e) => d.field("error", &e.message()),
        };
        d.finish()
    }
}

impl ProvideCredentials for OssEnvProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        ProvideFuture::ready(self.outcome.clone())
    }
    fn name(&self) -> &str {
        Self::NAME
    }
}

/// The chain for object-storage users: `ALIBABA_CLOUD_*` env -> `OSS_*` env -> the rest of the
/// default chain (whose own env step then answers "not configured" again).
pub fn object_storage_chain(ctx: &Context) -> ProviderChain {
    ProviderChain::new("object_storage")
        .with(EnvironmentProvider::from_context(ctx))
        .with(OssEnvProvider::from_context(ctx))
        .with(default_chain(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::MemoryEnv;
    use crate::error::ErrorKind;

    async fn run(pairs: &[(&str, &str)]) -> Result<Credentials> {
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs(pairs.iter().copied()));
        object_storage_chain(&ctx).provide_credentials().await
    }

    #[tokio::test]
    async fn alibaba_names_first_then_oss_names() {
        let oss = [
            (OSS_ACCESS_KEY_ID, "LTAIoss"),
            (OSS_ACCESS_KEY_SECRET, "s1"),
            (OSS_SESSION_TOKEN, "t1"),
            ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
        ];
        let c = run(&oss).await.unwrap();
        assert_eq!(
            (c.access_key_id(), c.security_token(), c.provider_name()),
            ("LTAIoss", Some("t1"), "object_storage/oss_env")
        );
        let mut both = oss.to_vec();
        both.extend([
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIali"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s2"),
        ]);
        assert_eq!(run(&both).await.unwrap().access_key_id(), "LTAIali");
    }

    #[tokio::test]
    async fn half_set_is_not_configured_and_padding_is_invalid() {
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs([(OSS_ACCESS_KEY_ID, "x")]));
        let e = OssEnvProvider::from_context(&ctx)
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(e.is_not_configured(), "{e}");
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs([
            (OSS_ACCESS_KEY_ID, "x "),
            (OSS_ACCESS_KEY_SECRET, "y"),
        ]));
        let e = OssEnvProvider::from_context(&ctx)
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidCredential);
    }
}
