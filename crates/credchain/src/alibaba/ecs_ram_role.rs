//! The ECS RAM role source (`ecs_ram_role`, `docs/sources/alibaba.md#ecs-ram-role`).
//!
//! - IMDSv2 first: `PUT /latest/api/token` with `X-aliyun-ecs-metadata-token-ttl-seconds: 21600`;
//!   the token is cached until 5 minutes before it expires (the references fetch one per request).
//! - Token PUT answered with a non-200: error when IMDSv1 is disabled (`disable_imds_v1` /
//!   `ALIBABA_CLOUD_IMDSV1_DISABLED=true`), else continue without a token (IMDSv1).
//! - Token obtained but a GET fails (transport error or non-200): the GET is retried once without
//!   the token, unless IMDSv1 is disabled (credentials-java #106 / credentials-python #87).
//! - Role name: explicit, else `ALIBABA_CLOUD_ECS_METADATA`, else discovered from
//!   `/latest/meta-data/ram/security-credentials/` (and remembered). Trimmed, as Go does
//!   (`docs/differences.md`).
//! - `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` (or `1`, `yes`, any case): "not configured"
//!   without any request. A value that is not a boolean, or any setting of this source that is
//!   not valid UTF-8, is an error without any request (Python tests `== "true"` only, so `1`
//!   left probing on).
//! - Off-cloud: when the very first request (the token PUT) gets no HTTP answer at all (connection
//!   refused, timeout), the source is "not configured" and no IMDSv1 attempt follows, so a chain
//!   gives up within one connect timeout. After the service has answered once, such failures are
//!   errors (and the cache keeps serving valid credentials).
//! - Endpoint `http://100.100.100.200`, overridable by the builder or
//!   `ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT` (a full URL). 1 s connect / 1 s read, never
//!   proxied, 5xx/throttling retried once, cached with [`RefreshPolicy::INSTANCE_METADATA`].

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use http::Method;
use serde_json::Value;

use super::cli_profile::CliProfile;
use super::env_vars;
use super::profile::IniSection;
use super::service_error::parse_json;
use super::settings::{non_empty, SetIf};
use super::sts;
use super::Config;
use crate::cache::{CachedProvider, Fetch, RefreshPolicy};
use crate::context::Context;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{send_with_retry, HttpRequest, HttpResponse, ProxyPolicy, RetryPolicy, Timeouts};
use crate::provider::ProvideFuture;

/// The default metadata endpoint.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://100.100.100.200";
const TOKEN_PATH: &str = "/latest/api/token";
const ROLE_PATH: &str = "/latest/meta-data/ram/security-credentials/";
const TOKEN_TTL_HEADER: &str = "X-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "X-aliyun-ecs-metadata-token";
/// Requested IMDSv2 token lifetime.
pub const TOKEN_TTL_SECONDS: u64 = 21_600;
const TOKEN_MARGIN: Duration = Duration::from_secs(300);

/// Builds an [`EcsRamRoleProvider`].
#[derive(Debug, Clone, Default)]
pub struct EcsRamRoleProviderBuilder {
    role_name: Option<String>,
    disable_imds_v1: Option<bool>,
    endpoint: Option<String>,
    timeouts: Option<Timeouts>,
    refresh_policy: Option<RefreshPolicy>,
}

impl EcsRamRoleProviderBuilder {
    /// The RAM role name (default: `ALIBABA_CLOUD_ECS_METADATA`, else discovered).
    pub fn role_name(mut self, name: impl Into<String>) -> Self {
        self.role_name = Some(name.into());
        self
    }
    /// Forbid the IMDSv1 fallback (default: `ALIBABA_CLOUD_IMDSV1_DISABLED=true`).
    pub fn disable_imds_v1(mut self, disable: bool) -> Self {
        self.disable_imds_v1 = Some(disable);
        self
    }
    /// The metadata endpoint, a full URL (default: `ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT`,
    /// else `http://100.100.100.200`).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }
    /// Connect/read timeouts (default [`Timeouts::METADATA`]).
    pub fn timeouts(mut self, t: Timeouts) -> Self {
        self.timeouts = Some(t);
        self
    }
    /// Refresh policy (default [`RefreshPolicy::INSTANCE_METADATA`]).
    pub fn refresh_policy(mut self, p: RefreshPolicy) -> Self {
        self.refresh_policy = Some(p);
        self
    }

    /// Builds the provider, reading env fallbacks from `ctx` now. A setting that is disabled or
    /// cannot be read does not fail the build: the provider answers it (so a chain lists it).
    pub fn build(self, ctx: &Context) -> Result<EcsRamRoleProvider> {
        // A setting that cannot be read makes the provider answer that error: never a request
        // with a guessed setting.
        let mut unreadable = None;
        let disabled = or_keep(EcsRamRoleProvider::is_disabled(ctx), &mut unreadable);
        let role_name = or_keep(
            sts::explicit_or_env(self.role_name, ctx, env_vars::ECS_METADATA),
            &mut unreadable,
        )
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
        let disable_v1 = match self.disable_imds_v1 {
            Some(d) => d,
            None => or_keep(ctx.env_flag(env_vars::IMDSV1_DISABLED), &mut unreadable),
        };
        let endpoint = or_keep(
            sts::explicit_or_env(
                self.endpoint.filter(|e| !e.trim().is_empty()),
                ctx,
                env_vars::ECS_METADATA_SERVICE_ENDPOINT,
            ),
            &mut unreadable,
        )
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_METADATA_ENDPOINT.to_string());
        let refusal = unreadable
            .map(|e| e.with_provider(NAME))
            .or_else(|| disabled.then(disabled_error));
        let endpoint = endpoint.trim().trim_end_matches('/').to_string();
        let fetcher = EcsRamRoleFetcher {
            refusal,
            ctx: ctx.clone(),
            endpoint,
            role_name,
            disable_v1,
            timeouts: self.timeouts.unwrap_or(Timeouts::METADATA),
            token: Mutex::new(None),
            discovered: Mutex::new(None),
            reached: AtomicBool::new(false),
        };
        Ok(CachedProvider::new(
            fetcher,
            self.refresh_policy
                .unwrap_or(RefreshPolicy::INSTANCE_METADATA),
            ctx.shared_clock(),
        ))
    }
}

/// The value of `r`, or its default after keeping the first error in `slot`.
fn or_keep<T: Default>(r: Result<T>, slot: &mut Option<Error>) -> T {
    r.unwrap_or_else(|e| {
        slot.get_or_insert(e);
        T::default()
    })
}

/// Credentials of the RAM role attached to this ECS instance (`ecs_ram_role`).
///
/// ```
/// use credchain::alibaba::EcsRamRoleProvider;
/// use credchain::context::{Context, MemoryEnv};
/// use credchain::ProvideCredentials;
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let ctx = Context::empty().with_env(MemoryEnv::from_pairs([("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]));
/// let e = EcsRamRoleProvider::builder().build(&ctx).unwrap().provide_credentials().await.unwrap_err();
/// assert!(e.is_not_configured());
/// # });
/// ```
pub type EcsRamRoleProvider = CachedProvider<EcsRamRoleFetcher>;

impl EcsRamRoleProvider {
    /// The provider name.
    pub const NAME: &'static str = NAME;

    /// A builder.
    pub fn builder() -> EcsRamRoleProviderBuilder {
        EcsRamRoleProviderBuilder::default()
    }

    /// Whether `ALIBABA_CLOUD_ECS_METADATA_DISABLED` is true in `ctx` (`true`, `1`, `yes`, any
    /// case); an error when it is set to something that is not a boolean.
    pub fn is_disabled(ctx: &Context) -> Result<bool> {
        ctx.env_flag(env_vars::ECS_METADATA_DISABLED)
            .map_err(|e| e.with_provider(NAME))
    }

    /// Type `ecs_ram_role` of a [`Config`]: `role_name`, `disable_imds_v1`, timeouts. Disabled
    /// by `ALIBABA_CLOUD_ECS_METADATA_DISABLED` is an error here (the config asked for it).
    pub(crate) fn from_config(c: &Config, ctx: &Context) -> Result<Self> {
        if Self::is_disabled(ctx)? {
            return Err(Error::invalid_config("IMDS credentials is disabled")
                .with_provider(NAME)
                .with_hint("unset ALIBABA_CLOUD_ECS_METADATA_DISABLED"));
        }
        Self::builder()
            .timeouts(c.timeouts(Timeouts::METADATA))
            .set_if(
                non_empty(&c.role_name),
                EcsRamRoleProviderBuilder::role_name,
            )
            .set_if(
                c.disable_imds_v1,
                EcsRamRoleProviderBuilder::disable_imds_v1,
            )
            .build(ctx)
    }

    /// Mode `EcsRamRole` of a `config.json` profile: `ram_role_name`.
    pub(crate) fn from_cli_profile(p: &CliProfile<'_>) -> Result<Self> {
        Self::builder()
            .set_if(
                p.string("ram_role_name"),
                EcsRamRoleProviderBuilder::role_name,
            )
            .build(p.ctx())
    }

    /// Type `ecs_ram_role` of a `credentials.ini` section: `role_name`.
    pub(crate) fn from_ini_section(s: &IniSection<'_>) -> Result<Self> {
        Self::builder()
            .set_if(s.get("role_name"), EcsRamRoleProviderBuilder::role_name)
            .build(s.ctx())
    }

    /// The metadata endpoint in use.
    pub fn endpoint(&self) -> &str {
        &self.fetcher().endpoint
    }
}

fn disabled_error() -> Error {
    Error::not_configured("IMDS credentials is disabled")
        .with_provider(NAME)
        .with_hint(format!("{} is true", env_vars::ECS_METADATA_DISABLED))
}

/// The instance-metadata requests behind [`EcsRamRoleProvider`].
pub struct EcsRamRoleFetcher {
    /// The answer given without a request: disabled, or a setting that cannot be read.
    refusal: Option<Error>,
    ctx: Context,
    endpoint: String,
    role_name: Option<String>,
    disable_v1: bool,
    timeouts: Timeouts,
    token: Mutex<Option<(String, SystemTime)>>,
    discovered: Mutex<Option<String>>,
    /// Whether the metadata service has answered at least once.
    reached: AtomicBool,
}

impl fmt::Debug for EcsRamRoleFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcsRamRoleProvider")
            .field("refusal", &self.refusal.as_ref().map(Error::message))
            .field("endpoint", &crate::redact::url(&self.endpoint))
            .field("role_name", &self.role_name)
            .field("disable_imds_v1", &self.disable_v1)
            .finish()
    }
}

const NAME: &str = "ecs_ram_role";

impl EcsRamRoleFetcher {
    fn request(&self, method: Method, path: &str) -> HttpRequest {
        HttpRequest::new(method, format!("{}{path}", self.endpoint))
            .timeouts(self.timeouts)
            .proxy(ProxyPolicy::Never)
    }

    fn unreachable(&self, e: Error) -> Error {
        Error::not_configured(format!(
            "the ECS instance metadata service at {} did not answer; not running on an ECS instance",
            crate::redact::url(&self.endpoint)
        ))
        .with_provider(NAME)
        .with_source(e)
        .with_hint(format!(
            "set {}=true to skip this source off ECS",
            env_vars::ECS_METADATA_DISABLED
        ))
    }

    /// The IMDSv2 token, `None` to go on with IMDSv1.
    async fn token(&self) -> Result<Option<String>> {
        let now = self.ctx.now();
        if let Some((t, until)) = lock(&self.token).as_ref() {
            if now < *until {
                return Ok(Some(t.clone()));
            }
        }
        let outcome = send_with_retry(self.ctx.http().as_ref(), RetryPolicy::METADATA, || {
            Ok(self
                .request(Method::PUT, TOKEN_PATH)
                .header(TOKEN_TTL_HEADER, &TOKEN_TTL_SECONDS.to_string()))
        })
        .await;
        match outcome {
            Ok(resp) => {
                self.reached.store(true, Ordering::Release);
                let token = String::from_utf8_lossy(&resp.body).trim().to_string();
                if resp.status == 200 && !token.is_empty() {
                    let until = now + Duration::from_secs(TOKEN_TTL_SECONDS) - TOKEN_MARGIN;
                    *lock(&self.token) = Some((token.clone(), until));
                    return Ok(Some(token));
                }
                if self.disable_v1 {
                    return Err(Error::new(
                        ErrorKind::Service,
                        format!("Failed to get token from ECS Metadata Service. HttpCode={}", resp.status),
                    )
                    .with_provider(NAME)
                    .with_endpoint(format!("{}{TOKEN_PATH}", self.endpoint))
                    .with_status(resp.status)
                    .with_hint("IMDSv1 fallback is disabled (disable_imds_v1 / ALIBABA_CLOUD_IMDSV1_DISABLED)"));
                }
                tracing::debug!(
                    status = resp.status,
                    "ECS metadata token refused; falling back to IMDSv1"
                );
                Ok(None)
            }
            Err(e) if sts::is_unreachable(&e) && !self.reached.load(Ordering::Acquire) => {
                Err(self.unreachable(e))
            }
            Err(e) if self.disable_v1 => Err(e.with_provider(NAME)),
            Err(_) => Ok(None),
        }
    }

    async fn get_once(&self, path: &str, token: Option<&str>, what: &str) -> Result<HttpResponse> {
        let resp = send_with_retry(self.ctx.http().as_ref(), RetryPolicy::METADATA, || {
            let req = self.request(Method::GET, path);
            Ok(match token {
                Some(t) => req.header(TOKEN_HEADER, t),
                None => req,
            })
        })
        .await
        .map_err(|e| {
            if sts::is_unreachable(&e) && !self.reached.load(Ordering::Acquire) {
                self.unreachable(e)
            } else {
                e.with_provider(NAME)
            }
        })?;
        self.reached.store(true, Ordering::Release);
        if resp.status != 200 {
            let endpoint = format!("{}{path}", self.endpoint);
            if resp.status == 404 && path == ROLE_PATH {
                return Err(
                    Error::not_configured("no RAM role is attached to this ECS instance")
                        .with_provider(NAME)
                        .with_endpoint(endpoint)
                        .with_status(404)
                        .with_hint(
                            "attach a RAM role to the instance, or configure another source",
                        ),
                );
            }
            return Err(Error::new(
                ErrorKind::Service,
                format!(
                    "Failed to get {what} from ECS metadata service. HttpCode={}",
                    resp.status
                ),
            )
            .with_provider(NAME)
            .with_endpoint(endpoint)
            .with_status(resp.status));
        }
        Ok(resp)
    }

    /// A GET with the token; on failure once more without it (unless IMDSv1 is disabled).
    async fn get(&self, path: &str, token: Option<&str>, what: &str) -> Result<HttpResponse> {
        match self.get_once(path, token, what).await {
            Ok(r) => Ok(r),
            Err(e) if token.is_some() && !self.disable_v1 && !e.is_not_configured() => {
                tracing::debug!(error = %e, "ECS metadata GET with token failed; retrying without it");
                *lock(&self.token) = None;
                self.get_once(path, None, what).await
            }
            Err(e) => Err(e),
        }
    }

    async fn role_name(&self, token: Option<&str>) -> Result<String> {
        if let Some(r) = &self.role_name {
            return Ok(r.clone());
        }
        if let Some(r) = lock(&self.discovered).clone() {
            return Ok(r);
        }
        let resp = self.get(ROLE_PATH, token, "RAM role name").await?;
        let name = String::from_utf8_lossy(&resp.body).trim().to_string();
        if name.is_empty() || name.contains('/') || name.contains('\n') {
            return Err(Error::new(
                ErrorKind::InvalidResponse,
                "the ECS metadata service returned no usable RAM role name",
            )
            .with_provider(NAME)
            .with_endpoint(format!("{}{ROLE_PATH}", self.endpoint)));
        }
        *lock(&self.discovered) = Some(name.clone());
        Ok(name)
    }

    async fn credentials(&self) -> Result<Credentials> {
        if let Some(e) = &self.refusal {
            return Err(e.clone());
        }
        let token = self.token().await?;
        let role = self.role_name(token.as_deref()).await?;
        let token = if token.is_some() {
            self.token().await?
        } else {
            None
        };
        let path = format!("{ROLE_PATH}{role}");
        let endpoint = format!("{}{path}", self.endpoint);
        let resp = self
            .get(&path, token.as_deref(), "RAM session credentials")
            .await?;
        let v = parse_json(&resp, "ECS metadata", NAME, &endpoint)?;
        let code = v.get("Code").and_then(Value::as_str).unwrap_or_default();
        if code != "Success" {
            return Err(Error::new(
                ErrorKind::Service,
                "Failed to get RAM session credentials from ECS metadata service",
            )
            .with_provider(NAME)
            .with_endpoint(endpoint)
            .with_service_error(code, "", None));
        }
        sts::credentials_from(&v, true, "ECS metadata", NAME, &endpoint)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Fetch for EcsRamRoleFetcher {
    const NAME: &'static str = NAME;
    fn fetch(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.credentials())
    }
}
