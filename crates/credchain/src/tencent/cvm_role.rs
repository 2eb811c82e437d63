//! The CVM instance role (`cvm_role`, `docs/sources/tencent.md#cvm-instance-role`).
//!
//! - Plain HTTP to `http://metadata.tencentyun.com` (override: the builder's endpoint, else
//!   `TENCENTCLOUD_METADATA_ENDPOINT`, a full URL), never through a proxy, 1 s connect and 1 s read
//!   timeouts (the SDKs set none).
//! - `TENCENTCLOUD_METADATA_DISABLED=true` (or `1`, `yes`, any case): not configured, without
//!   any request. A value that is not a boolean, or a setting of this source that is not valid
//!   UTF-8, is an error, also without any request.
//! - Role discovery: `GET /latest/meta-data/cam/security-credentials/`; the body (trimmed, first
//!   line) is the role name. 404 or an empty answer means no role is bound, and an unreachable
//!   metadata service (connection refused, timeout: not on a CVM) means not configured, so the
//!   default chain finishes fast off-cloud. A given role name skips the listing. A discovered name is
//!   kept.
//! - Credentials: `GET .../<role>`, `Code` must be `Success`; `TmpSecretId`, `TmpSecretKey`,
//!   `Token`, `ExpiredTime` (Unix seconds; `Expiration` as a fallback).
//! - Behind the refreshing cache ([`RefreshPolicy::INSTANCE_METADATA`]); errors are surfaced, never
//!   swallowed (the Python SDK hides them).

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwapOption;
use http::Method;
use serde::Deserialize;

use super::config::Config;
use super::env_vars;
use crate::cache::{CachedProvider, Fetch, RefreshPolicy};
use crate::context::Context;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{send_with_retry, HttpRequest, ProxyPolicy, RetryPolicy, Timeouts};
use crate::provider::ProvideFuture;
use crate::time::{from_unix_seconds, parse_rfc3339};

/// The metadata service.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://metadata.tencentyun.com";
/// The role listing path.
pub const ROLE_PATH: &str = "/latest/meta-data/cam/security-credentials/";

/// Builds a [`CvmRoleProvider`].
#[derive(Debug, Default, Clone)]
pub struct CvmRoleProviderBuilder {
    role_name: Option<String>,
    endpoint: Option<String>,
    disabled: Option<bool>,
    timeouts: Option<Timeouts>,
    refresh_policy: Option<RefreshPolicy>,
}

impl CvmRoleProviderBuilder {
    /// A builder with the `cvm_role` settings of a [`Config`] (`role_name`, `endpoint`: the
    /// metadata base URL).
    pub fn from_config(c: Config) -> Self {
        CvmRoleProviderBuilder {
            role_name: c.role_name,
            endpoint: c.endpoint,
            ..Self::default()
        }
    }
    /// The role name (skips the listing).
    pub fn role_name(mut self, name: impl Into<String>) -> Self {
        self.role_name = Some(name.into());
        self
    }
    /// The metadata base URL (default `TENCENTCLOUD_METADATA_ENDPOINT`, else
    /// `http://metadata.tencentyun.com`).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }
    /// Disables the source (default: `TENCENTCLOUD_METADATA_DISABLED=true`).
    pub fn disabled(mut self, disabled: bool) -> Self {
        self.disabled = Some(disabled);
        self
    }
    /// Timeouts of each metadata request (default [`Timeouts::METADATA`]).
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = Some(timeouts);
        self
    }
    /// Replaces the cache's refresh policy (default [`RefreshPolicy::INSTANCE_METADATA`]).
    pub fn refresh_policy(mut self, policy: RefreshPolicy) -> Self {
        self.refresh_policy = Some(policy);
        self
    }

    /// Builds, reading the env fallbacks from `ctx` now. Never fails today: a disabled source or
    /// a setting that cannot be read is the provider's answer, without a request, so a chain can
    /// skip (or stop at) it.
    pub fn build(self, ctx: &Context) -> Result<CvmRoleProvider> {
        Ok(self.assemble(ctx))
    }

    fn assemble(self, ctx: &Context) -> CvmRoleProvider {
        // A setting that cannot be read makes the provider answer that error, without a request.
        let mut unreadable = None;
        let disabled = match self.disabled {
            Some(d) => d,
            None => ctx
                .env_flag(env_vars::METADATA_DISABLED)
                .unwrap_or_else(|e| {
                    unreadable.get_or_insert(e);
                    false
                }),
        };
        let base = match self.endpoint.filter(|e| !e.trim().is_empty()) {
            Some(e) => Some(e),
            None => ctx
                .env_non_empty(env_vars::METADATA_ENDPOINT)
                .unwrap_or_else(|e| {
                    unreadable.get_or_insert(e);
                    None
                }),
        }
        .unwrap_or_else(|| DEFAULT_METADATA_ENDPOINT.to_string());
        let fetcher = CvmRoleFetcher {
            ctx: ctx.clone(),
            refusal: unreadable
                .map(|e| e.with_provider(CvmRoleProvider::NAME))
                .or_else(|| disabled.then(disabled_error)),
            base: base.trim().trim_end_matches('/').to_string(),
            fixed_role: self
                .role_name
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty()),
            discovered: ArcSwapOption::empty(),
            timeouts: self.timeouts.unwrap_or(Timeouts::METADATA),
        };
        let policy = self
            .refresh_policy
            .unwrap_or(RefreshPolicy::INSTANCE_METADATA);
        CachedProvider::new(fetcher, policy, ctx.shared_clock())
    }
}

/// The uncached metadata requests behind [`CvmRoleProvider`].
pub struct CvmRoleFetcher {
    ctx: Context,
    /// The answer given without a request: disabled, or a setting that cannot be read.
    refusal: Option<Error>,
    base: String,
    fixed_role: Option<String>,
    discovered: ArcSwapOption<String>,
    timeouts: Timeouts,
}

impl fmt::Debug for CvmRoleFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CvmRoleProvider")
            .field("refusal", &self.refusal.as_ref().map(Error::message))
            .field("endpoint", &crate::redact::url(&self.base))
            .field("role_name", &self.role_name())
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetadataCredentials {
    code: Option<String>,
    tmp_secret_id: Option<String>,
    tmp_secret_key: Option<String>,
    token: Option<String>,
    expired_time: Option<i64>,
    expiration: Option<String>,
}

fn is_unreachable(e: &Error) -> bool {
    matches!(e.kind(), ErrorKind::Transport | ErrorKind::Timeout)
}

impl CvmRoleFetcher {
    fn role_name(&self) -> Option<String> {
        self.fixed_role
            .clone()
            .or_else(|| self.discovered.load_full().map(|r| (*r).clone()))
    }

    fn get(
        &self,
        url: String,
    ) -> impl std::future::Future<Output = Result<crate::http::HttpResponse>> + '_ {
        send_with_retry(self.ctx.http().as_ref(), RetryPolicy::METADATA, move || {
            Ok(HttpRequest::new(Method::GET, url.clone())
                .timeouts(self.timeouts)
                .proxy(ProxyPolicy::Never))
        })
    }

    async fn discover(&self) -> Result<String> {
        if let Some(r) = self.role_name() {
            return Ok(r);
        }
        let url = format!("{}{ROLE_PATH}", self.base);
        let resp = self.get(url.clone()).await.map_err(|e| {
            if is_unreachable(&e) {
                Error::not_configured(
                    "the CVM metadata service is not reachable (not on a CVM instance?)",
                )
                .with_endpoint(url.clone())
                .with_source(e)
                .with_hint(format!(
                    "set {}=true to skip this source",
                    env_vars::METADATA_DISABLED
                ))
            } else {
                e
            }
        })?;
        if resp.status == 404 {
            return Err(
                Error::not_configured("no CAM role is bound to this CVM instance")
                    .with_endpoint(url)
                    .with_status(404)
                    .with_hint("bind a CAM role to the instance, or configure another source"),
            );
        }
        if !resp.is_success() {
            return Err(Error::new(ErrorKind::Service, "get cvm role name failed")
                .with_endpoint(url)
                .with_status(resp.status));
        }
        let body = String::from_utf8_lossy(&resp.body);
        let role = body
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
            .to_string();
        if role.is_empty() {
            return Err(Error::not_configured(
                "no CAM role is bound to this CVM instance (empty role listing)",
            )
            .with_endpoint(url));
        }
        if role.contains(['/', '?', '#', ' ']) {
            return Err(Error::new(
                ErrorKind::InvalidResponse,
                "the role listing is not a role name",
            )
            .with_endpoint(url));
        }
        self.discovered.store(Some(Arc::new(role.clone())));
        Ok(role)
    }

    async fn fetch_credentials(&self) -> Result<Credentials> {
        let name = CvmRoleProvider::NAME;
        if let Some(e) = &self.refusal {
            return Err(e.clone());
        }
        let role = self.discover().await.map_err(|e| e.with_provider(name))?;
        let url = format!("{}{ROLE_PATH}{role}", self.base);
        let resp = self
            .get(url.clone())
            .await
            .map_err(|e| e.with_provider(name))?;
        let fail = |kind, msg: String| {
            Error::new(kind, msg)
                .with_provider(name)
                .with_endpoint(url.clone())
        };
        if resp.status == 404 {
            return Err(fail(
                ErrorKind::Service,
                format!("the CAM role '{role}' is not bound to this instance"),
            )
            .with_status(404));
        }
        if !resp.is_success() {
            return Err(fail(
                ErrorKind::Service,
                format!("getting credentials for the CAM role '{role}' failed"),
            )
            .with_status(resp.status));
        }
        let m: MetadataCredentials = serde_json::from_slice(&resp.body).map_err(|e| {
            fail(
                ErrorKind::InvalidResponse,
                format!(
                    "the metadata credentials of role '{role}' are not valid JSON: {}",
                    crate::redact::json_error(&e)
                ),
            )
        })?;
        let code = m.code.unwrap_or_default();
        if code != "Success" {
            return Err(fail(
                ErrorKind::Service,
                format!(
                    "Get credential from metadata server by role name {role} failed, code={code}"
                ),
            )
            .with_service_error(code, "", None));
        }
        let field = |v: Option<String>, f: &str| {
            v.filter(|s| !s.is_empty()).ok_or_else(|| {
                fail(
                    ErrorKind::InvalidResponse,
                    format!("the metadata credentials have no \"{f}\""),
                )
            })
        };
        let id = field(m.tmp_secret_id, "TmpSecretId")?;
        let key = field(m.tmp_secret_key, "TmpSecretKey")?;
        let token = field(m.token, "Token")?;
        let expiration = match (
            m.expired_time,
            m.expiration.as_deref().and_then(parse_rfc3339),
        ) {
            (Some(t), _) if t > 0 => from_unix_seconds(t),
            (_, Some(t)) => t,
            _ => {
                return Err(fail(
                    ErrorKind::InvalidResponse,
                    "the metadata credentials have no \"ExpiredTime\"".into(),
                ))
            }
        };
        Ok(Credentials::builder(id, key)
            .security_token(token)
            .expiration(expiration)
            .provider_name(name)
            .build())
    }
}

impl Fetch for CvmRoleFetcher {
    const NAME: &'static str = "cvm_role";
    fn fetch(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.fetch_credentials())
    }
}

/// `CVMRoleCredential`: the CAM role of this CVM instance, from the metadata service, cached.
///
/// ```
/// use credchain::tencent::CvmRoleProvider;
/// use credchain::context::{Context, MemoryEnv};
/// use credchain::ProvideCredentials;
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let ctx = Context::empty().with_env(MemoryEnv::from_pairs([("TENCENTCLOUD_METADATA_DISABLED", "true")]));
/// let e = CvmRoleProvider::from_context(&ctx).provide_credentials().await.unwrap_err();
/// assert!(e.is_not_configured());
/// let p = CvmRoleProvider::builder().role_name("app").build(&ctx).unwrap();
/// assert_eq!(p.role_name().as_deref(), Some("app"));
/// # });
/// ```
pub type CvmRoleProvider = CachedProvider<CvmRoleFetcher>;

impl CvmRoleProvider {
    /// The provider name.
    pub const NAME: &'static str = <CvmRoleFetcher as Fetch>::NAME;

    /// A builder.
    pub fn builder() -> CvmRoleProviderBuilder {
        CvmRoleProviderBuilder::default()
    }
    /// Defaults from the context's environment.
    pub fn from_context(ctx: &Context) -> Self {
        Self::builder().assemble(ctx)
    }
    /// The role name in use: the given one, or the one discovered by the last listing (`None`
    /// before the first successful discovery). The Python SDK's `get_role_name()`.
    pub fn role_name(&self) -> Option<String> {
        self.fetcher().role_name()
    }
    /// The role name, asking the metadata service when not yet known (errors are returned, not
    /// hidden as in the Python SDK).
    pub async fn resolve_role_name(&self) -> Result<String> {
        let fetcher = self.fetcher();
        if let Some(e) = &fetcher.refusal {
            return Err(e.clone());
        }
        fetcher
            .discover()
            .await
            .map_err(|e| e.with_provider(Self::NAME))
    }
    /// The metadata base URL.
    pub fn endpoint(&self) -> &str {
        &self.fetcher().base
    }
}

fn disabled_error() -> Error {
    Error::not_configured(format!("disabled by {}=true", env_vars::METADATA_DISABLED))
        .with_provider(CvmRoleProvider::NAME)
}
