//! The Tencent Cloud environment source (`env`, `docs/sources/tencent.md#environment`).
//!
//! - `TENCENTCLOUD_SECRET_ID` and `TENCENTCLOUD_SECRET_KEY`, read when the provider is built.
//!   Absent or empty means "not configured" and a chain moves on (as the Python SDK).
//! - A value with leading or trailing whitespace is an `InvalidCredential` error that stops the
//!   chain (the Python SDK's validation): a padded key is a mistake to fix, not a reason to use
//!   another identity.
//! - The token comes from `TENCENTCLOUD_SESSION_TOKEN` (the Node SDK's name), else
//!   `TENCENTCLOUD_TOKEN` (tccli's name); the SDKs agree on none, so credchain reads both.
//! - Aliases other Rust tools use (reqsign-tencent-cos, so OpenDAL users keep their environment),
//!   always after the official names: `TKE_SECRET_ID` + `TKE_SECRET_KEY` as a pair, used only when
//!   neither `TENCENTCLOUD_SECRET_ID` nor `TENCENTCLOUD_SECRET_KEY` is set; tokens in the order
//!   `TENCENTCLOUD_SESSION_TOKEN`, `TENCENTCLOUD_TOKEN`, `TENCENTCLOUD_SECURITY_TOKEN`,
//!   `QCLOUD_SECRET_TOKEN` (the first set and non-empty wins).
//! - tccli's role settings: with `TENCENTCLOUD_ROLE_ARN` and `TENCENTCLOUD_ROLE_SESSION_NAME`
//!   both set, the keys assume that role through STS AssumeRole (region `TENCENTCLOUD_REGION`,
//!   else `ap-guangzhou`), and the credentials are named `env/sts_assume_role`. One of the two
//!   alone is an error: tccli ignores it and acts as the keys' own identity, which is not what a
//!   user who set it meant. Not when a web identity token file variable is set
//!   (`TKE_WEB_IDENTITY_TOKEN_FILE`, `TKE_IDENTITY_TOKEN_FILE` or reqsign-tencent-cos's
//!   `TENCENTCLOUD_WEB_IDENTITY_TOKEN_FILE`): then `TENCENTCLOUD_ROLE_ARN` is the web identity
//!   role (reqsign's alias of `TKE_ROLE_ARN`, [`super::oidc`]) and the env keys are used as they are.

use std::fmt;

use super::credential::Credential;
use super::env_vars;
use crate::context::Context;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::provider::{ProvideCredentials, ProvideFuture, SharedProvider};

use super::assume_role::StsAssumeRoleProvider;

enum Loaded {
    Static(Credentials),
    AssumeRole(StsAssumeRoleProvider),
}

/// Credentials from `TENCENTCLOUD_*` environment variables.
///
/// ```
/// use credchain::tencent::EnvironmentProvider;
/// use credchain::context::{Context, MemoryEnv};
/// use credchain::{ErrorKind, ProvideCredentials};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let ctx = Context::empty().with_env(MemoryEnv::from_pairs([
///     ("TENCENTCLOUD_SECRET_ID", "AKIDexample"),
///     ("TENCENTCLOUD_SECRET_KEY", "key"),
///     ("TENCENTCLOUD_TOKEN", "tok"),
/// ]));
/// let c = EnvironmentProvider::from_context(&ctx).provide_credentials().await.unwrap();
/// assert_eq!((c.secret_id(), c.token(), c.provider_name()), ("AKIDexample", Some("tok"), "env"));
/// # });
/// ```
pub struct EnvironmentProvider {
    outcome: Result<Loaded>,
}

impl EnvironmentProvider {
    /// The provider name.
    pub const NAME: &'static str = "env";

    /// Reads the variables from the context's environment now.
    pub fn from_context(ctx: &Context) -> Self {
        Self::with_sts_endpoint(ctx, None)
    }

    /// As [`Self::from_context`], with the STS endpoint for a `TENCENTCLOUD_ROLE_ARN` role
    /// (default: `TENCENTCLOUD_STS_ENDPOINT`, else `sts.tencentcloudapi.com`).
    pub fn with_sts_endpoint(ctx: &Context, sts_endpoint: Option<&str>) -> Self {
        let outcome = Self::read(ctx).and_then(|c| Self::role(ctx, c, sts_endpoint));
        EnvironmentProvider { outcome }
    }

    /// The role ARN the keys assume, when `TENCENTCLOUD_ROLE_ARN` is set.
    pub fn role_arn(&self) -> Option<&str> {
        match &self.outcome {
            Ok(Loaded::AssumeRole(p)) => Some(p.role_arn()),
            _ => None,
        }
    }

    fn role(ctx: &Context, keys: Credentials, endpoint: Option<&str>) -> Result<Loaded> {
        let var = |name| {
            ctx.env_non_empty(name)
                .map_err(|e| e.with_provider(Self::NAME))
        };
        // With a web identity token file set, TENCENTCLOUD_ROLE_ARN is the OIDC role (reqsign's
        // alias, read by `tke_oidc`), not tccli's env role.
        if super::tke_oidc::web_identity_active(ctx).map_err(|e| e.with_provider(Self::NAME))? {
            return Ok(Loaded::Static(keys));
        }
        let (arn, session) = match (var(env_vars::ROLE_ARN)?, var(env_vars::ROLE_SESSION_NAME)?) {
            (None, None) => return Ok(Loaded::Static(keys)),
            (Some(a), Some(n)) => (a, n),
            (a, _) => {
                let (set, unset) = if a.is_some() {
                    (env_vars::ROLE_ARN, env_vars::ROLE_SESSION_NAME)
                } else {
                    (env_vars::ROLE_SESSION_NAME, env_vars::ROLE_ARN)
                };
                return Err(Error::invalid_config(format!(
                    "{set} is set but {unset} is not (tccli would ignore the role and act as the \
                     keys' own identity)"
                ))
                .with_provider(Self::NAME)
                .with_hint(format!("set {unset} too, or unset {set}")));
            }
        };
        let source = Credential::with_name(
            Some(keys.secret_id().to_string()),
            Some(keys.secret_key().to_string()),
            keys.token().map(str::to_string),
            Self::NAME,
        )?;
        let mut sts = StsAssumeRoleProvider::builder()
            .source(SharedProvider::new(source))
            .role_arn(arn)
            .role_session_name(session);
        if let Some(r) = var(env_vars::REGION)? {
            sts = sts.region(r);
        }
        if let Some(e) = endpoint {
            sts = sts.endpoint(e);
        }
        let p = sts.build(ctx).map_err(|e| e.with_provider(Self::NAME))?;
        Ok(Loaded::AssumeRole(p))
    }

    fn read(ctx: &Context) -> Result<Credentials> {
        let var = |name| {
            ctx.env_non_empty(name)
                .map_err(|e| e.with_provider(Self::NAME))
        };
        let mut id = var(env_vars::SECRET_ID)?;
        let mut key = var(env_vars::SECRET_KEY)?;
        // reqsign's aliases, as a pair: never one official half with one TKE_* half.
        if id.is_none() && key.is_none() {
            if let (Some(i), Some(k)) = (
                var(env_vars::TKE_SECRET_ID)?,
                var(env_vars::TKE_SECRET_KEY)?,
            ) {
                (id, key) = (Some(i), Some(k));
            }
        }
        let (Some(id), Some(key)) = (id.clone(), key.clone()) else {
            let missing: Vec<&str> = [(env_vars::SECRET_ID, id), (env_vars::SECRET_KEY, key)]
                .into_iter()
                .filter(|(_, v)| v.is_none())
                .map(|(n, _)| n)
                .collect();
            return Err(Error::not_configured(format!(
                "{} not set or empty",
                missing.join(" and ")
            ))
            .with_provider(Self::NAME)
            .with_hint(format!(
                "set {} and {}",
                env_vars::SECRET_ID,
                env_vars::SECRET_KEY
            )));
        };
        let mut token = None;
        for name in [
            env_vars::SESSION_TOKEN,
            env_vars::TOKEN,
            env_vars::SECURITY_TOKEN,
            env_vars::QCLOUD_SECRET_TOKEN,
        ] {
            if let Some(t) = var(name)? {
                token = Some(t);
                break;
            }
        }
        let credential =
            Credential::with_name(Some(id), Some(key), token, Self::NAME).map_err(|e| {
                e.with_hint(format!(
                    "remove the spaces around the value of {} or {}",
                    env_vars::SECRET_ID,
                    env_vars::SECRET_KEY
                ))
            })?;
        Ok(credential.credentials().clone())
    }
}

impl fmt::Debug for EnvironmentProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("tencent::EnvironmentProvider");
        match &self.outcome {
            Ok(Loaded::Static(c)) => d.field("secret_id", &c.secret_id()),
            Ok(Loaded::AssumeRole(p)) => d.field("assume_role", p),
            Err(e) => d.field("error", &e.message()),
        };
        d.finish()
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        self.provide(false)
    }
    fn name(&self) -> &str {
        Self::NAME
    }
    fn force_refresh(&self) -> ProvideFuture<'_> {
        self.provide(true)
    }
}

impl EnvironmentProvider {
    fn provide(&self, force: bool) -> ProvideFuture<'_> {
        match &self.outcome {
            Ok(Loaded::Static(c)) => ProvideFuture::ready(Ok(c.clone())),
            Ok(Loaded::AssumeRole(p)) => {
                let fut = if force {
                    p.force_refresh()
                } else {
                    p.provide_credentials()
                };
                fut.map_result(|r| {
                    r.map(|c| c.with_outer_provider(Self::NAME))
                        .map_err(|e| e.with_provider(Self::NAME))
                })
            }
            Err(e) => ProvideFuture::ready(Err(e.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::MemoryEnv;
    use crate::error::ErrorKind;

    async fn run(pairs: &[(&str, &str)]) -> Result<Credentials> {
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs(pairs.iter().copied()));
        EnvironmentProvider::from_context(&ctx)
            .provide_credentials()
            .await
    }

    #[tokio::test]
    async fn absent_or_empty_is_not_configured() {
        let e = run(&[]).await.unwrap_err();
        assert!(e.is_not_configured());
        assert!(e
            .message()
            .contains("TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY"));
        let e = run(&[(env_vars::SECRET_ID, "id"), (env_vars::SECRET_KEY, "")])
            .await
            .unwrap_err();
        assert!(e.is_not_configured());
        assert_eq!(e.message(), "TENCENTCLOUD_SECRET_KEY not set or empty");
    }

    #[tokio::test]
    async fn padded_values_are_invalid_not_skipped() {
        let e = run(&[(env_vars::SECRET_ID, "id "), (env_vars::SECRET_KEY, "k")])
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidCredential);
        assert_eq!(e.message(), "secret id should not contain spaces");
        // Whitespace-only counts as empty for "configured", but the SDK calls it invalid: a value
        // that is only spaces was set on purpose, so it is reported, not skipped.
        let e = run(&[(env_vars::SECRET_ID, "id"), (env_vars::SECRET_KEY, "  ")])
            .await
            .unwrap_err();
        assert_eq!(e.message(), "secret key should not be none or empty");
        assert_eq!(e.kind(), ErrorKind::InvalidCredential);
    }

    #[tokio::test]
    async fn session_token_wins_over_token() {
        let base = [(env_vars::SECRET_ID, "id"), (env_vars::SECRET_KEY, "k")];
        let mut both = base.to_vec();
        both.extend([
            (env_vars::SESSION_TOKEN, "session"),
            (env_vars::TOKEN, "tccli"),
        ]);
        assert_eq!(run(&both).await.unwrap().token(), Some("session"));
        let mut tccli = base.to_vec();
        tccli.extend([(env_vars::SESSION_TOKEN, ""), (env_vars::TOKEN, "tccli")]);
        assert_eq!(run(&tccli).await.unwrap().token(), Some("tccli"));
        assert_eq!(run(&base).await.unwrap().token(), None);
    }
}
