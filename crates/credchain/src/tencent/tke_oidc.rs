//! STS AssumeRoleWithWebIdentity configured by the `TKE_*` variables (`tke_oidc`,
//! `docs/sources/tencent.md#web-identity-and-tke`); the call itself is in [`super::oidc_request`].
//!
//! - `TKE_REGION`, `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE` (also accepted as
//!   `TKE_IDENTITY_TOKEN_FILE`, the name some notes and reqsign use) and `TKE_ROLE_ARN`. None set:
//!   not configured. Some set: an error naming the missing ones. The variables and the token file are
//!   read again at every refresh (projected tokens rotate), and a new session name
//!   `credchain-<unix µs>` is generated each time (an integer, not Python's float string).
//! - The region is `TKE_REGION` (the Go SDK sends `ap-guangzhou` whatever `TKE_REGION` says).
//! - reqsign-tencent-cos's names are aliases, each after its official TKE name, read only in
//!   web-identity mode (a token file variable, official or alias, is set):
//!   `TENCENTCLOUD_WEB_IDENTITY_TOKEN_FILE`, `TENCENTCLOUD_REGION`, `TENCENTCLOUD_PROVIDER_ID`,
//!   `TENCENTCLOUD_ROLE_ARN` and the session name `TENCENTCLOUD_ROLE_SESSSION_NAME` (sic, three S;
//!   then `TKE_ROLE_SESSSION_NAME`). Outside that mode `TENCENTCLOUD_ROLE_ARN`/`_REGION` keep
//!   tccli's meaning (the env keys assume that role, [`super::environment`]). reqsign reads its
//!   `TENCENTCLOUD_*` names before the TKE ones; credchain puts the official names first.
//! - Variables incomplete when the provider is built: the fetcher answers that error (not
//!   configured, or which ones are missing) without a request, so the chain skips or stops.

use std::fmt;
use std::path::PathBuf;

use super::config::Config;
use super::env_vars;
use super::oidc_request::{TokenSource, WebIdentityParams};
use super::role_settings::{RoleRequest, StsSettings};
use super::sts::{self, StsClient};
use crate::cache::{CachedProvider, Fetch};
use crate::context::Context;
use crate::error::{Error, ErrorKind, Result};
use crate::provider::ProvideFuture;

/// The alternative token-file variable some notes and reqsign-tencent-cos use.
pub const TKE_IDENTITY_TOKEN_FILE: &str = "TKE_IDENTITY_TOKEN_FILE";

/// Whether a web identity token file variable is set (non-empty): the official
/// `TKE_WEB_IDENTITY_TOKEN_FILE`, its `TKE_IDENTITY_TOKEN_FILE` spelling, or reqsign-tencent-cos's
/// `TENCENTCLOUD_WEB_IDENTITY_TOKEN_FILE`. Only then do reqsign's other `TENCENTCLOUD_*`
/// web-identity aliases apply, because `TENCENTCLOUD_ROLE_ARN` and `TENCENTCLOUD_REGION` mean
/// tccli's env role otherwise.
pub(crate) fn web_identity_active(ctx: &Context) -> Result<bool> {
    for name in [
        env_vars::TKE_WEB_IDENTITY_TOKEN_FILE,
        TKE_IDENTITY_TOKEN_FILE,
        env_vars::WEB_IDENTITY_TOKEN_FILE,
    ] {
        if ctx.env_non_empty(name)?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What TKE mode finds in the environment.
fn tke_params(ctx: &Context) -> Result<WebIdentityParams> {
    let var = |name| {
        ctx.env_non_empty(name)
            .map_err(|e| e.with_provider(TkeOidcProvider::NAME))
    };
    let aliases = web_identity_active(ctx).map_err(|e| e.with_provider(TkeOidcProvider::NAME))?;
    // The official TKE name first, then (only in web-identity mode) reqsign's alias.
    let first = |names: &[&'static str]| -> Result<Option<String>> {
        for (i, name) in names.iter().enumerate() {
            if i > 0 && !aliases {
                break;
            }
            if let Some(v) = var(name)? {
                return Ok(Some(v));
            }
        }
        Ok(None)
    };
    let token_file = first(&[
        env_vars::TKE_WEB_IDENTITY_TOKEN_FILE,
        TKE_IDENTITY_TOKEN_FILE,
        env_vars::WEB_IDENTITY_TOKEN_FILE,
    ])?;
    let vals = [
        (
            env_vars::TKE_REGION,
            first(&[env_vars::TKE_REGION, env_vars::REGION])?,
        ),
        (
            env_vars::TKE_PROVIDER_ID,
            first(&[env_vars::TKE_PROVIDER_ID, env_vars::PROVIDER_ID])?,
        ),
        (env_vars::TKE_WEB_IDENTITY_TOKEN_FILE, token_file),
        (
            env_vars::TKE_ROLE_ARN,
            first(&[env_vars::TKE_ROLE_ARN, env_vars::ROLE_ARN])?,
        ),
    ];
    let missing: Vec<&str> = vals
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
    if missing.len() == vals.len() {
        return Err(Error::not_configured("none of the TKE_* variables are set")
            .with_provider(TkeOidcProvider::NAME)
            .with_hint(
                "set TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE and TKE_ROLE_ARN",
            ));
    }
    if !missing.is_empty() {
        return Err(Error::invalid_config(format!("env {} not exist (or empty)", missing.join(", ")))
            .with_provider(TkeOidcProvider::NAME)
            .with_hint(format!(
                "TKE OIDC needs all four of TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE and \
                 TKE_ROLE_ARN; set {}{}",
                missing.join(", "),
                if aliases {
                    " (or reqsign's TENCENTCLOUD_REGION, TENCENTCLOUD_PROVIDER_ID, \
                     TENCENTCLOUD_WEB_IDENTITY_TOKEN_FILE, TENCENTCLOUD_ROLE_ARN)"
                } else {
                    ""
                }
            )));
    }
    let session_name = if aliases {
        first(&[env_vars::ROLE_SESSSION_NAME])?.or(first(&[env_vars::TKE_ROLE_SESSSION_NAME])?)
    } else {
        None
    };
    let [region, provider_id, file, role_arn] = vals.map(|(_, v)| v.unwrap_or_default());
    Ok(WebIdentityParams {
        role: RoleRequest {
            role_arn,
            session_name,
            duration: sts::DEFAULT_DURATION_SECONDS,
            region,
        },
        provider_id,
        token: TokenSource::File(PathBuf::from(file)),
    })
}

/// Builds a [`TkeOidcProvider`].
#[derive(Debug, Default, Clone)]
pub struct TkeOidcProviderBuilder {
    sts: StsSettings,
}

impl TkeOidcProviderBuilder {
    /// A builder with the `tke_oidc` settings of a [`Config`] (`endpoint`; the rest comes from
    /// the `TKE_*` variables).
    pub fn from_config(c: Config) -> Self {
        TkeOidcProviderBuilder {
            sts: StsSettings::from_config(&c),
        }
    }
    sts_builder_setters!();

    /// Builds, reading the `TKE_*` variables from `ctx` now (and again at each refresh). Never
    /// fails today: incomplete variables are the provider's answer, so a chain can skip it.
    pub fn build(self, ctx: &Context) -> Result<TkeOidcProvider> {
        Ok(self.assemble(ctx))
    }

    fn assemble(self, ctx: &Context) -> TkeOidcProvider {
        let configured = tke_params(ctx).and_then(|_| self.sts.client(ctx, TkeOidcProvider::NAME));
        let fetcher = TkeOidcFetcher {
            ctx: ctx.clone(),
            configured,
        };
        self.sts.cached(fetcher, ctx)
    }
}

/// The uncached call behind [`TkeOidcProvider`]: the `TKE_*` variables read again, then
/// AssumeRoleWithWebIdentity.
pub struct TkeOidcFetcher {
    ctx: Context,
    /// The STS client when the variables were complete at build time, else why not (the answer
    /// to every fetch, without a request).
    configured: Result<StsClient>,
}

impl fmt::Debug for TkeOidcFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TkeOidcProvider");
        match &self.configured {
            Ok(sts) => d.field("endpoint", &sts.shown_url()),
            Err(e) => d.field("refusal", &e.message()),
        };
        d.finish()
    }
}

impl TkeOidcFetcher {
    async fn assume_role(&self) -> Result<crate::Credentials> {
        let sts = self.configured.as_ref().map_err(Error::clone)?;
        let params = tke_params(&self.ctx).map_err(|e| {
            // Configured when built; a variable gone since is an error, not "not configured".
            if e.is_not_configured() {
                e.with_kind(ErrorKind::InvalidConfig)
            } else {
                e
            }
        })?;
        params.call(sts, Self::NAME).await
    }

    /// The role ARN as the environment says now.
    fn role_arn(&self) -> Option<String> {
        self.configured.as_ref().ok()?;
        let env = |name| self.ctx.env_non_empty(name).ok().flatten();
        env(env_vars::TKE_ROLE_ARN).or_else(|| {
            web_identity_active(&self.ctx)
                .unwrap_or(false)
                .then(|| env(env_vars::ROLE_ARN))
                .flatten()
        })
    }
}

impl Fetch for TkeOidcFetcher {
    const NAME: &'static str = "tke_oidc";
    fn fetch(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.assume_role())
    }
}

/// `DefaultTkeOIDCRoleArnProvider`: AssumeRoleWithWebIdentity configured by the `TKE_*` variables.
///
/// ```
/// use credchain::tencent::TkeOidcProvider;
/// use credchain::context::{Context, MemoryEnv};
/// use credchain::ProvideCredentials;
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let none = TkeOidcProvider::from_context(&Context::empty());
/// assert!(none.provide_credentials().await.unwrap_err().is_not_configured());
/// let ctx = Context::empty().with_env(MemoryEnv::from_pairs([("TKE_REGION", "ap-shanghai")]));
/// let e = TkeOidcProvider::from_context(&ctx).provide_credentials().await.unwrap_err();
/// assert!(e.message().contains("TKE_PROVIDER_ID"));
/// # });
/// ```
pub type TkeOidcProvider = CachedProvider<TkeOidcFetcher>;

impl TkeOidcProvider {
    /// The provider name.
    pub const NAME: &'static str = <TkeOidcFetcher as Fetch>::NAME;

    /// A builder.
    pub fn builder() -> TkeOidcProviderBuilder {
        TkeOidcProviderBuilder::default()
    }

    /// Reads the `TKE_*` variables from the context now (and again at each refresh).
    pub fn from_context(ctx: &Context) -> Self {
        Self::builder().assemble(ctx)
    }

    /// As [`TkeOidcProvider::from_context`] with an explicit STS endpoint.
    pub fn with_endpoint(ctx: &Context, endpoint: Option<&str>) -> Self {
        let mut b = Self::builder();
        b.sts.endpoint = endpoint.map(str::to_string);
        b.assemble(ctx)
    }

    /// The role ARN from `TKE_ROLE_ARN` (read now; `None` when unset, unreadable, or the
    /// variables were incomplete at build time).
    pub fn role_arn(&self) -> Option<String> {
        self.fetcher().role_arn()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::MemoryEnv;
    use crate::ProvideCredentials;

    #[tokio::test]
    async fn tke_partial_env_names_missing_variables() {
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs([
            ("TKE_REGION", "ap-shanghai"),
            ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/r"),
        ]));
        let e = TkeOidcProvider::from_context(&ctx)
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert!(
            e.message()
                .contains("TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE"),
            "{e}"
        );
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs([
            ("TKE_REGION", "ap-shanghai"),
            ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/r"),
            ("TKE_PROVIDER_ID", "p"),
            ("TKE_IDENTITY_TOKEN_FILE", "/var/run/token"),
        ]));
        let p = TkeOidcProvider::from_context(&ctx);
        assert!(p.fetcher().configured.is_ok());
        assert_eq!(p.role_arn().as_deref(), Some("qcs::cam::uin/1:roleName/r"));
    }
}
