//! STS AssumeRoleWithWebIdentity: `oidc_role_arn` and its TKE variant `tke_oidc`
//! (`docs/sources/tencent.md#web-identity-and-tke`).
//!
//! - Unsigned: `Authorization: SKIP`, and never an `X-TC-Token`.
//! - Body: `ProviderId`, `WebIdentityToken`, `RoleArn`, `RoleSessionName`, `DurationSeconds`.
//! - The region is the configured one (`X-TC-Region`), also in TKE mode, where it comes from
//!   `TKE_REGION` (the Go SDK sends `ap-guangzhou` whatever `TKE_REGION` says).
//! - TKE mode: `TKE_REGION`, `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE` (also accepted as
//!   `TKE_IDENTITY_TOKEN_FILE`, the name some notes and reqsign use) and `TKE_ROLE_ARN`. None set:
//!   not configured. Some set: an error naming the missing ones. The variables and the token file are
//!   read again at every refresh (projected tokens rotate), and a new session name
//!   `credchain-<unix µs>` is generated each time (an integer, not Python's float string).
//! - reqsign-tencent-cos's names are aliases, each after its official TKE name, read only in
//!   web-identity mode (a token file variable, official or alias, is set):
//!   `TENCENTCLOUD_WEB_IDENTITY_TOKEN_FILE`, `TENCENTCLOUD_REGION`, `TENCENTCLOUD_PROVIDER_ID`,
//!   `TENCENTCLOUD_ROLE_ARN` and the session name `TENCENTCLOUD_ROLE_SESSSION_NAME` (sic, three S;
//!   then `TKE_ROLE_SESSSION_NAME`). Outside that mode `TENCENTCLOUD_ROLE_ARN`/`_REGION` keep
//!   tccli's meaning (the env keys assume that role, [`super::environment`]). reqsign reads its
//!   `TENCENTCLOUD_*` names before the TKE ones; credchain puts the official names first.
//! - The token file's content is the token; surrounding whitespace (a trailing newline) is removed,
//!   since a JWT never contains any.

use std::fmt;
use std::path::PathBuf;

use arc_swap::ArcSwap;
use serde_json::json;

use super::env_vars;
use super::sts::{self, Auth, StsEndpoint};
use crate::cache::{RefreshPolicy, RefreshingCache};
use crate::context::{Context, MAX_FILE_SIZE};
use crate::credentials::{Credentials, Secret};
use crate::error::{Error, ErrorKind, Result};
use crate::provider::{ProvideCredentials, ProvideFuture};

/// The alternative token-file variable some notes and reqsign-tencent-cos use.
pub const TKE_IDENTITY_TOKEN_FILE: &str = "TKE_IDENTITY_TOKEN_FILE";

/// Where the web identity token comes from.
enum TokenSource {
    Fixed(Secret),
    File(PathBuf),
}

/// The request parameters of one refresh.
struct Params {
    region: String,
    provider_id: String,
    role_arn: String,
    token: TokenSource,
    /// TKE mode: reqsign's session name variable, when set; `None` generates one.
    session_name: Option<String>,
}

struct OidcFetcher {
    ctx: Context,
    name: &'static str,
    endpoint: ArcSwap<StsEndpoint>,
    /// `Some`: fixed parameters; `None`: TKE mode, read from the environment at each refresh.
    fixed: Option<Params>,
    role_session_name: Option<String>,
    duration: u64,
}

impl fmt::Debug for OidcFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("AssumeRoleWithWebIdentity");
        d.field("name", &self.name)
            .field("endpoint", &crate::redact::url(&self.endpoint.load().url));
        if let Some(p) = &self.fixed {
            d.field("region", &p.region)
                .field("provider_id", &p.provider_id)
                .field("role_arn", &p.role_arn);
        }
        d.finish()
    }
}

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
fn tke_params(ctx: &Context) -> Result<Params> {
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
    Ok(Params {
        region,
        provider_id,
        role_arn,
        token: TokenSource::File(PathBuf::from(file)),
        session_name,
    })
}

impl OidcFetcher {
    fn read_token(&self, source: &TokenSource) -> Result<Secret> {
        match source {
            TokenSource::Fixed(t) => Ok(t.clone_secret()),
            TokenSource::File(path) => {
                let bytes = self.ctx.fs().read(path, MAX_FILE_SIZE).map_err(|e| {
                    Error::new(ErrorKind::File, "cannot read the web identity token file")
                        .with_source(e)
                        .with_file(path)
                })?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    Error::new(
                        ErrorKind::File,
                        "the web identity token file is not UTF-8 text",
                    )
                    .with_file(path)
                })?;
                let token = Secret::new(text.trim());
                if token.is_empty() {
                    return Err(Error::new(
                        ErrorKind::File,
                        "the web identity token file is empty",
                    )
                    .with_file(path));
                }
                Ok(token)
            }
        }
    }

    async fn fetch(&self) -> Result<Credentials> {
        let tke;
        let params = match &self.fixed {
            Some(p) => p,
            None => {
                tke = tke_params(&self.ctx).map_err(|e| {
                    // Configured when built; a variable gone since is an error, not "not configured".
                    if e.is_not_configured() {
                        e.with_kind(ErrorKind::InvalidConfig)
                    } else {
                        e
                    }
                })?;
                &tke
            }
        };
        let token = self
            .read_token(&params.token)
            .map_err(|e| e.with_provider(self.name))?;
        let session = self
            .role_session_name
            .clone()
            .or_else(|| params.session_name.clone())
            .unwrap_or_else(|| sts::generate_session_name(self.ctx.now()));
        let body = json!({
            "ProviderId": params.provider_id,
            "WebIdentityToken": token.expose(),
            "RoleArn": params.role_arn,
            "RoleSessionName": session,
            "DurationSeconds": self.duration,
        });
        let endpoint = self.endpoint.load_full();
        sts::call(
            &self.ctx,
            &endpoint,
            "AssumeRoleWithWebIdentity",
            &params.region,
            &body,
            Auth::Skip,
            self.name,
        )
        .await
        .map_err(|e| e.redact([token.expose()]))
    }
}

impl ProvideCredentials for OidcFetcher {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.fetch())
    }
    fn name(&self) -> &str {
        self.name
    }
}

/// Builds an [`OidcRoleArnProvider`].
#[derive(Default)]
pub struct OidcRoleArnBuilder {
    region: Option<String>,
    provider_id: Option<String>,
    web_identity_token: Option<String>,
    web_identity_token_file: Option<PathBuf>,
    role_arn: Option<String>,
    role_session_name: Option<String>,
    duration_seconds: Option<u64>,
    endpoint: Option<String>,
    policy: Option<RefreshPolicy>,
}

impl fmt::Debug for OidcRoleArnBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcRoleArnBuilder")
            .field("region", &self.region)
            .field("provider_id", &self.provider_id)
            .field("role_arn", &self.role_arn)
            .finish_non_exhaustive()
    }
}

impl OidcRoleArnBuilder {
    /// `X-TC-Region` (required by the API; default `ap-guangzhou`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
    /// `ProviderId`.
    pub fn provider_id(mut self, id: impl Into<String>) -> Self {
        self.provider_id = Some(id.into());
        self
    }
    /// The token itself (`WebIdentityToken`).
    pub fn web_identity_token(mut self, token: impl Into<String>) -> Self {
        self.web_identity_token = Some(token.into());
        self
    }
    /// A file holding the token, read at every refresh (wins over a fixed token).
    pub fn web_identity_token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.web_identity_token_file = Some(path.into());
        self
    }
    /// `RoleArn`.
    pub fn role_arn(mut self, arn: impl Into<String>) -> Self {
        self.role_arn = Some(arn.into());
        self
    }
    /// `RoleSessionName` (default `credchain-<unix µs>`, new at each refresh).
    pub fn role_session_name(mut self, name: impl Into<String>) -> Self {
        self.role_session_name = Some(name.into());
        self
    }
    /// `DurationSeconds`, 900..=43200 (default 7200).
    pub fn duration_seconds(mut self, seconds: u64) -> Self {
        self.duration_seconds = Some(seconds);
        self
    }
    /// The STS endpoint (full URL or bare host); default `TENCENTCLOUD_STS_ENDPOINT`, else
    /// `sts.tencentcloudapi.com`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }
    /// Replaces the cache's refresh policy.
    pub fn refresh_policy(mut self, policy: RefreshPolicy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// Validates (no network call) and builds.
    pub fn build(self, ctx: &Context) -> Result<OidcRoleArnProvider> {
        let name = OidcRoleArnProvider::NAME;
        let required = |v: Option<String>, what: &str| {
            v.filter(|s| !s.trim().is_empty()).ok_or_else(|| {
                Error::invalid_config(format!("{what} is required")).with_provider(name)
            })
        };
        let provider_id = required(self.provider_id, "provider_id")?;
        let role_arn = required(self.role_arn, "role_arn")?;
        let token = match (self.web_identity_token_file, self.web_identity_token) {
            (Some(f), _) => TokenSource::File(f),
            (None, Some(t)) if !t.trim().is_empty() => TokenSource::Fixed(Secret::new(t.trim())),
            _ => {
                return Err(Error::invalid_config(
                    "web_identity_token (or a token file) is required",
                )
                .with_provider(name))
            }
        };
        let duration = self
            .duration_seconds
            .unwrap_or(sts::DEFAULT_DURATION_SECONDS);
        sts::check_duration("AssumeRoleWithWebIdentity", duration)
            .map_err(|e| e.with_provider(name))?;
        let endpoint = StsEndpoint::resolve(self.endpoint.as_deref(), ctx)
            .map_err(|e| e.with_provider(name))?;
        let region = self
            .region
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| sts::DEFAULT_REGION.into());
        let fetcher = OidcFetcher {
            ctx: ctx.clone(),
            name,
            endpoint: ArcSwap::from_pointee(endpoint),
            fixed: Some(Params {
                region,
                provider_id,
                role_arn,
                token,
                session_name: None,
            }),
            role_session_name: self.role_session_name.filter(|s| !s.is_empty()),
            duration,
        };
        let policy = self.policy.unwrap_or(RefreshPolicy::STS);
        Ok(OidcRoleArnProvider {
            cache: RefreshingCache::new(fetcher, policy, ctx.shared_clock()),
        })
    }
}

/// `OIDCRoleArnCredential`: temporary credentials from AssumeRoleWithWebIdentity, cached.
///
/// ```
/// use credchain::tencent::OidcRoleArnProvider;
/// use credchain::context::Context;
/// let p = OidcRoleArnProvider::builder()
///     .region("ap-shanghai")
///     .provider_id("OIDC-provider")
///     .web_identity_token("eyJhbGciOi...")
///     .role_arn("qcs::cam::uin/100000000001:roleName/pod")
///     .build(&Context::empty())
///     .unwrap();
/// assert_eq!(p.role_arn(), Some("qcs::cam::uin/100000000001:roleName/pod".to_string()));
/// ```
#[derive(Clone)]
pub struct OidcRoleArnProvider {
    cache: RefreshingCache<OidcFetcher>,
}

impl OidcRoleArnProvider {
    /// The provider name.
    pub const NAME: &'static str = "oidc_role_arn";

    /// A builder.
    pub fn builder() -> OidcRoleArnBuilder {
        OidcRoleArnBuilder::default()
    }
    /// The role ARN (for TKE mode, as the environment says now).
    pub fn role_arn(&self) -> Option<String> {
        role_arn_of(self.cache.source())
    }
    /// The STS URL called.
    pub fn endpoint(&self) -> String {
        self.cache.source().endpoint.load().url.clone()
    }
    /// Changes the STS endpoint (full URL or bare host) for the next refresh.
    pub fn set_endpoint(&self, endpoint: &str) -> Result<()> {
        let e = StsEndpoint::parse(endpoint).map_err(|e| e.with_provider(Self::NAME))?;
        self.cache.source().endpoint.store(std::sync::Arc::new(e));
        Ok(())
    }
    /// How many STS calls this provider has started.
    pub fn fetch_count(&self) -> u64 {
        self.cache.fetch_count()
    }
}

fn role_arn_of(f: &OidcFetcher) -> Option<String> {
    match &f.fixed {
        Some(p) => Some(p.role_arn.clone()),
        None => {
            let env = |name| f.ctx.env_non_empty(name).ok().flatten();
            env(env_vars::TKE_ROLE_ARN).or_else(|| {
                web_identity_active(&f.ctx)
                    .unwrap_or(false)
                    .then(|| env(env_vars::ROLE_ARN))
                    .flatten()
            })
        }
    }
}

impl fmt::Debug for OidcRoleArnProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OidcRoleArnProvider")
            .field(self.cache.source())
            .finish()
    }
}

impl ProvideCredentials for OidcRoleArnProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        self.cache.provide_credentials()
    }
    fn name(&self) -> &str {
        Self::NAME
    }
    fn force_refresh(&self) -> ProvideFuture<'_> {
        self.cache.force_refresh()
    }
}

/// `DefaultTkeOIDCRoleArnProvider`: AssumeRoleWithWebIdentity configured by the `TKE_*` variables.
///
/// ```
/// use credchain::tencent::TkeOidcProvider;
/// use credchain::context::{Context, MemoryEnv};
/// use credchain::ProvideCredentials;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let none = TkeOidcProvider::from_context(&Context::empty());
/// assert!(none.provide_credentials().await.unwrap_err().is_not_configured());
/// let ctx = Context::empty().with_env(MemoryEnv::from_pairs([("TKE_REGION", "ap-shanghai")]));
/// let e = TkeOidcProvider::from_context(&ctx).provide_credentials().await.unwrap_err();
/// assert!(e.message().contains("TKE_PROVIDER_ID"));
/// # });
/// ```
pub struct TkeOidcProvider {
    inner: Result<RefreshingCache<OidcFetcher>>,
}

impl TkeOidcProvider {
    /// The provider name.
    pub const NAME: &'static str = "tke_oidc";

    /// Reads the `TKE_*` variables from the context now (and again at each refresh).
    pub fn from_context(ctx: &Context) -> Self {
        Self::with_endpoint(ctx, None)
    }

    /// As [`TkeOidcProvider::from_context`] with an explicit STS endpoint.
    pub fn with_endpoint(ctx: &Context, endpoint: Option<&str>) -> Self {
        let inner = tke_params(ctx).and_then(|_| {
            let endpoint =
                StsEndpoint::resolve(endpoint, ctx).map_err(|e| e.with_provider(Self::NAME))?;
            let fetcher = OidcFetcher {
                ctx: ctx.clone(),
                name: Self::NAME,
                endpoint: ArcSwap::from_pointee(endpoint),
                fixed: None,
                role_session_name: None,
                duration: sts::DEFAULT_DURATION_SECONDS,
            };
            Ok(RefreshingCache::new(
                fetcher,
                RefreshPolicy::STS,
                ctx.shared_clock(),
            ))
        });
        TkeOidcProvider { inner }
    }

    /// The role ARN from `TKE_ROLE_ARN` (read now; `None` when unset or unreadable).
    pub fn role_arn(&self) -> Option<String> {
        self.inner
            .as_ref()
            .ok()
            .and_then(|c| role_arn_of(c.source()))
    }
    /// How many STS calls this provider has started.
    pub fn fetch_count(&self) -> u64 {
        self.inner.as_ref().map(|c| c.fetch_count()).unwrap_or(0)
    }
}

impl fmt::Debug for TkeOidcProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Ok(c) => f.debug_tuple("TkeOidcProvider").field(c.source()).finish(),
            Err(e) => f
                .debug_tuple("TkeOidcProvider")
                .field(&e.message())
                .finish(),
        }
    }
}

impl ProvideCredentials for TkeOidcProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        match &self.inner {
            Ok(c) => c.provide_credentials(),
            Err(e) => ProvideFuture::ready(Err(e.clone())),
        }
    }
    fn name(&self) -> &str {
        Self::NAME
    }
    fn force_refresh(&self) -> ProvideFuture<'_> {
        match &self.inner {
            Ok(c) => c.force_refresh(),
            Err(e) => ProvideFuture::ready(Err(e.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::MemoryEnv;

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
        assert!(p.inner.is_ok());
        assert_eq!(p.role_arn().as_deref(), Some("qcs::cam::uin/1:roleName/r"));
    }

    #[test]
    fn builder_requires_fields() {
        let ctx = Context::empty();
        let e = OidcRoleArnProvider::builder()
            .provider_id("p")
            .role_arn("r")
            .build(&ctx)
            .unwrap_err();
        assert!(e.message().contains("web_identity_token"));
        let e = OidcRoleArnProvider::builder()
            .provider_id("p")
            .role_arn("r")
            .web_identity_token("t")
            .duration_seconds(50000)
            .build(&ctx)
            .unwrap_err();
        assert!(e
            .message()
            .contains("AssumeRoleWithWebIdentity durationSeconds"));
    }
}
