//! Alibaba Cloud's STS client side shared by the sources that call STS (or a server answering
//! in its credential shape): endpoint resolution (`docs/sources/alibaba.md#sts-endpoint`), the
//! credential object of AssumeRole, instance metadata and credentials-URI answers, session
//! settings (duration, session name) and the settings helpers every source uses. Service errors
//! are read in [`super::service_error`].

use std::time::SystemTime;

use serde_json::Value;

use super::env_vars;
use super::service_error::{missing_object, parse_json, service_error};
use crate::context::Context;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::http::HttpResponse;

/// The default STS host (no region configured).
pub const DEFAULT_STS_HOST: &str = "sts.aliyuncs.com";
/// The STS API version.
pub const STS_VERSION: &str = "2015-04-01";
/// Default session duration in seconds.
pub const DEFAULT_DURATION_SECONDS: u64 = 3600;
/// Shortest session STS grants.
pub const MIN_DURATION_SECONDS: u64 = 900;

/// How an STS-based source finds its endpoint (`docs/sources/alibaba.md#sts-endpoint`).
///
/// Order: `ALIBABA_CLOUD_STS_ENDPOINT` (a full URL or a bare host, which means https) wins over
/// everything; then the explicit `sts_endpoint` (a host, or a full URL); then
/// `{sts|sts-vpc}.{region}.aliyuncs.com` when a region is known (`sts_region_id`, else
/// `ALIBABA_CLOUD_STS_REGION`; VPC from `enable_vpc`, else `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`);
/// else the source's fallback host (`sts.aliyuncs.com`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StsEndpoint {
    /// Explicit STS host (`sts_endpoint`); a full URL is accepted too.
    pub sts_endpoint: Option<String>,
    /// Region for `sts.{region}.aliyuncs.com`.
    pub sts_region_id: Option<String>,
    /// `Some(true)`: VPC endpoint; `Some(false)`: public even if the env says VPC; `None`: env.
    pub enable_vpc: Option<bool>,
}

impl StsEndpoint {
    /// The base URL (scheme and host, no trailing slash) to send requests to.
    ///
    /// ```
    /// use credchain::alibaba::StsEndpoint;
    /// use credchain::context::{Context, MemoryEnv};
    /// let ctx = Context::empty().with_env(MemoryEnv::from_pairs([("ALIBABA_CLOUD_STS_REGION", "cn-hangzhou")]));
    /// let e = StsEndpoint { enable_vpc: Some(true), ..Default::default() };
    /// assert_eq!(e.resolve(&ctx, "sts.aliyuncs.com").unwrap(), "https://sts-vpc.cn-hangzhou.aliyuncs.com");
    /// assert_eq!(StsEndpoint::default().resolve(&Context::empty(), "sts.aliyuncs.com").unwrap(), "https://sts.aliyuncs.com");
    /// ```
    ///
    /// A variable that is set but unreadable (not UTF-8, or a `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`
    /// that is not a boolean) is an error: it never falls back to the public endpoint.
    pub fn resolve(&self, ctx: &Context, fallback_host: &str) -> Result<String> {
        if let Some(over) = ctx.env_non_empty(env_vars::STS_ENDPOINT)? {
            return Ok(as_base_url(over.trim()));
        }
        if let Some(explicit) = self
            .sts_endpoint
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            return Ok(as_base_url(explicit));
        }
        let vpc = match self.enable_vpc {
            Some(v) => v,
            None => ctx.env_flag(env_vars::VPC_ENDPOINT_ENABLED)?,
        };
        let region = match self.sts_region_id.clone().filter(|r| !r.trim().is_empty()) {
            Some(r) => Some(r),
            None => ctx.env_non_empty(env_vars::STS_REGION)?,
        };
        Ok(match region {
            Some(r) => {
                let prefix = if vpc { "sts-vpc" } else { "sts" };
                format!("https://{prefix}.{}.aliyuncs.com", r.trim())
            }
            None => format!("https://{fallback_host}"),
        })
    }
}

/// The setters every STS source's builder shares (`ram_role_arn`, `oidc_role_arn`,
/// `rsa_key_pair`): the endpoint options, timeouts and refresh policy. The builder has the fields
/// `endpoint: StsEndpoint`, `timeouts: Option<Timeouts>`, `refresh_policy: Option<RefreshPolicy>`.
macro_rules! sts_builder_setters {
    () => {
        /// The STS host or base URL (`ALIBABA_CLOUD_STS_ENDPOINT` still wins).
        pub fn endpoint(mut self, e: impl Into<String>) -> Self {
            self.endpoint.sts_endpoint = Some(e.into());
            self
        }
        /// The STS region (default `ALIBABA_CLOUD_STS_REGION`).
        pub fn sts_region_id(mut self, r: impl Into<String>) -> Self {
            self.endpoint.sts_region_id = Some(r.into());
            self
        }
        /// Use the VPC endpoint (default `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`).
        pub fn enable_vpc(mut self, on: bool) -> Self {
            self.endpoint.enable_vpc = Some(on);
            self
        }
        /// All endpoint options at once.
        pub fn endpoint_options(mut self, e: $crate::alibaba::StsEndpoint) -> Self {
            self.endpoint = e;
            self
        }
        /// Timeouts (default [`Timeouts::STS`](crate::http::Timeouts::STS)).
        pub fn timeouts(mut self, t: $crate::http::Timeouts) -> Self {
            self.timeouts = Some(t);
            self
        }
        /// Refresh policy (default [`RefreshPolicy::STS`](crate::cache::RefreshPolicy::STS)).
        pub fn refresh_policy(mut self, p: $crate::cache::RefreshPolicy) -> Self {
            self.refresh_policy = Some(p);
            self
        }
    };
}
pub(crate) use sts_builder_setters;

/// A host becomes `https://host`; a URL is kept (without a trailing slash).
pub(crate) fn as_base_url(s: &str) -> String {
    let s = s.trim_end_matches('/');
    if s.contains("://") {
        s.to_string()
    } else {
        format!("https://{s}")
    }
}

/// Validates a session duration (at least 900 s; no client maximum: STS enforces the role's
/// own limit).
pub(crate) fn check_duration(seconds: u64, provider: &str) -> Result<u64> {
    if seconds < MIN_DURATION_SECONDS {
        return Err(Error::invalid_config(
            "session duration should be in the range of 900s - max session duration",
        )
        .with_provider(provider)
        .with_hint(format!("duration_seconds is {seconds}; use 900 or more")));
    }
    Ok(seconds)
}

/// The default role session name: `credentials-rust-<unix seconds>` (the references use
/// `credentials-<lang>-<time>`; 27 characters, within STS's 2–32 `[A-Za-z0-9.@_-]`).
pub(crate) fn default_session_name(ctx: &Context) -> String {
    format!("credentials-rust-{}", crate::time::unix_seconds(ctx.now()))
}

/// The first non-empty of an explicit value and an env var (an unreadable env var is an error).
pub(crate) fn explicit_or_env(
    explicit: Option<String>,
    ctx: &Context,
    var: &str,
) -> Result<Option<String>> {
    match explicit.filter(|v| !v.is_empty()) {
        Some(v) => Ok(Some(v)),
        None => ctx.env_non_empty(var),
    }
}

/// Parses an `Expiration` (`YYYY-MM-DDThh:mm:ssZ`; any RFC 3339 form is accepted).
pub(crate) fn parse_expiration(v: Option<&Value>) -> Option<SystemTime> {
    v.and_then(Value::as_str)
        .and_then(crate::time::parse_rfc3339)
}

/// Reads `AccessKeyId`, `AccessKeySecret`, `SecurityToken` (when `token_required`) and
/// `Expiration` from `obj`; every missing field is named in the error.
pub(crate) fn credentials_from(
    obj: &Value,
    token_required: bool,
    what: &str,
    provider: &str,
    endpoint: &str,
) -> Result<Credentials> {
    let field = |k: &str| obj.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let mut missing = Vec::new();
    for k in [
        "AccessKeyId",
        "AccessKeySecret",
        "SecurityToken",
        "Expiration",
    ] {
        if field(k).is_none() && (k != "SecurityToken" || token_required) {
            missing.push(k);
        }
    }
    let invalid = |msg: String| {
        Error::new(ErrorKind::InvalidResponse, msg)
            .with_provider(provider)
            .with_endpoint(endpoint)
    };
    if !missing.is_empty() {
        return Err(invalid(format!(
            "the {what} response lacks {}",
            missing.join(", ")
        )));
    }
    let Some(expiration) = parse_expiration(obj.get("Expiration")) else {
        return Err(invalid(format!(
            "the {what} response has an Expiration that is not YYYY-MM-DDThh:mm:ssZ"
        )));
    };
    Ok(Credentials::builder(
        field("AccessKeyId").unwrap_or_default(),
        field("AccessKeySecret").unwrap_or_default(),
    )
    .security_token_opt(field("SecurityToken"))
    .expiration(expiration)
    .provider_name(provider)
    .build())
}

/// Parses an STS answer (`AssumeRole`, `AssumeRoleWithOIDC`): non-2xx → service error; no
/// `Credentials` → invalid response; every field required.
pub(crate) fn sts_credentials(
    resp: &HttpResponse,
    action: &str,
    provider: &str,
    endpoint: &str,
) -> Result<Credentials> {
    if !resp.is_success() {
        return Err(service_error(resp, action, endpoint).with_provider(provider));
    }
    let v = parse_json(resp, action, provider, endpoint)?;
    let Some(creds) = v.get("Credentials").filter(|c| c.is_object()) else {
        return Err(missing_object(
            &v,
            action,
            "Credentials",
            provider,
            endpoint,
        ));
    };
    credentials_from(creds, true, action, provider, endpoint)
}

/// Whether a transport-level failure (no HTTP answer at all).
pub(crate) fn is_unreachable(e: &Error) -> bool {
    matches!(e.kind(), ErrorKind::Transport | ErrorKind::Timeout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::MemoryEnv;

    fn ctx(pairs: &[(&str, &str)]) -> Context {
        Context::empty().with_env(MemoryEnv::from_pairs(pairs.iter().copied()))
    }

    /// The endpoint matrix of `docs/sources/alibaba.md#sts-endpoint`: override, explicit host,
    /// region, VPC flag, fallback.
    #[test]
    fn endpoint_matrix() {
        let region = |r: &str, vpc: Option<bool>| StsEndpoint {
            sts_region_id: Some(r.into()),
            enable_vpc: vpc,
            ..Default::default()
        };
        let none = ctx(&[]);
        assert_eq!(
            region("cn-beijing", None)
                .resolve(&none, DEFAULT_STS_HOST)
                .unwrap(),
            "https://sts.cn-beijing.aliyuncs.com"
        );
        assert_eq!(
            region("cn-beijing", Some(true))
                .resolve(&none, DEFAULT_STS_HOST)
                .unwrap(),
            "https://sts-vpc.cn-beijing.aliyuncs.com"
        );
        let env_region = ctx(&[(env_vars::STS_REGION, "cn-hangzhou")]);
        assert_eq!(
            StsEndpoint::default()
                .resolve(&env_region, DEFAULT_STS_HOST)
                .unwrap(),
            "https://sts.cn-hangzhou.aliyuncs.com"
        );
        let env_vpc = ctx(&[
            (env_vars::STS_REGION, "cn-hangzhou"),
            (env_vars::VPC_ENDPOINT_ENABLED, "TRUE"),
        ]);
        assert_eq!(
            StsEndpoint::default()
                .resolve(&env_vpc, DEFAULT_STS_HOST)
                .unwrap(),
            "https://sts-vpc.cn-hangzhou.aliyuncs.com"
        );
        // Tri-state: an explicit false beats env=true.
        assert_eq!(
            StsEndpoint {
                enable_vpc: Some(false),
                ..Default::default()
            }
            .resolve(&env_vpc, DEFAULT_STS_HOST)
            .unwrap(),
            "https://sts.cn-hangzhou.aliyuncs.com"
        );
        // No region: the VPC flag is ignored.
        let vpc_only = ctx(&[(env_vars::VPC_ENDPOINT_ENABLED, "true")]);
        assert_eq!(
            StsEndpoint::default()
                .resolve(&vpc_only, DEFAULT_STS_HOST)
                .unwrap(),
            "https://sts.aliyuncs.com"
        );
        // Explicit endpoint beats region; the env override beats everything.
        let explicit = StsEndpoint {
            sts_endpoint: Some("sts.example.com".into()),
            ..region("cn-beijing", Some(true))
        };
        assert_eq!(
            explicit.resolve(&env_vpc, DEFAULT_STS_HOST).unwrap(),
            "https://sts.example.com"
        );
        let over = ctx(&[
            (env_vars::STS_ENDPOINT, "http://127.0.0.1:9999/"),
            (env_vars::STS_REGION, "x"),
        ]);
        assert_eq!(
            explicit.resolve(&over, DEFAULT_STS_HOST).unwrap(),
            "http://127.0.0.1:9999"
        );
        let bare = ctx(&[(env_vars::STS_ENDPOINT, "sts.internal")]);
        assert_eq!(
            explicit.resolve(&bare, DEFAULT_STS_HOST).unwrap(),
            "https://sts.internal"
        );
    }

    /// A set but unreadable override never falls back to the public STS host.
    #[cfg(unix)]
    #[test]
    fn unreadable_sts_settings_are_errors_not_the_public_host() {
        use std::os::unix::ffi::OsStringExt;
        let mut env = MemoryEnv::new();
        env.set_os(
            env_vars::STS_ENDPOINT,
            std::ffi::OsString::from_vec(b"http://127.0.0.1:9\xff".to_vec()),
        );
        let e = StsEndpoint::default()
            .resolve(&Context::empty().with_env(env), DEFAULT_STS_HOST)
            .unwrap_err();
        assert!(e.to_string().contains(env_vars::STS_ENDPOINT), "{e}");
        for vpc in ["1", "yes", "On"] {
            let c = ctx(&[
                (env_vars::STS_REGION, "cn-hangzhou"),
                (env_vars::VPC_ENDPOINT_ENABLED, vpc),
            ]);
            let r = StsEndpoint::default().resolve(&c, DEFAULT_STS_HOST);
            match vpc {
                "On" => assert!(r
                    .unwrap_err()
                    .to_string()
                    .contains(env_vars::VPC_ENDPOINT_ENABLED)),
                _ => assert_eq!(r.unwrap(), "https://sts-vpc.cn-hangzhou.aliyuncs.com"),
            }
        }
    }

    #[test]
    fn duration_floor() {
        assert!(check_duration(899, "ram_role_arn").is_err());
        assert_eq!(check_duration(900, "ram_role_arn").unwrap(), 900);
        let name = default_session_name(&Context::empty());
        assert!(name.starts_with("credentials-rust-") && name.len() <= 32);
    }
}
