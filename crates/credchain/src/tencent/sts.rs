//! Tencent Cloud STS over API 3.0 (`docs/sources/tencent.md#sts`): endpoints, the POST
//! JSON call (TC3-signed or `Authorization: SKIP`), and response/error parsing shared by
//! `sts_assume_role`, `oidc_role_arn` and `tke_oidc`.

use std::time::SystemTime;

use arc_swap::ArcSwap;
use http::Method;
use serde::Deserialize;

use super::service_error::{self, ServiceError};
use crate::context::Context;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{send_with_retry, HttpRequest, HttpResponse, ProxyPolicy, RetryPolicy, Timeouts};
use crate::sign::tc3::{self, Tc3Request};
use crate::sign::Payload;
use crate::time::{from_unix_seconds, parse_rfc3339, unix_seconds};

/// The STS host every SDK uses.
pub const DEFAULT_STS_HOST: &str = "sts.tencentcloudapi.com";
/// The international STS host.
pub const INTL_STS_HOST: &str = "sts.intl.tencentcloudapi.com";
/// The STS API version.
pub const STS_VERSION: &str = "2018-08-13";
/// The STS service name (TC3 credential scope).
pub const STS_SERVICE: &str = "sts";
/// The region every SDK sends by default.
pub const DEFAULT_REGION: &str = "ap-guangzhou";
/// Default `DurationSeconds`.
pub const DEFAULT_DURATION_SECONDS: u64 = 7200;
/// Smallest accepted `DurationSeconds`.
pub const MIN_DURATION_SECONDS: u64 = 900;
/// Largest accepted `DurationSeconds`.
pub const MAX_DURATION_SECONDS: u64 = 43200;
/// Prefix of generated session names (`credchain-<unix microseconds>`; the SDKs use
/// `tencentcloud-<lang>-sdk-<unix microseconds>`).
pub const SESSION_NAME_PREFIX: &str = "credchain-";

/// The regional STS host, e.g. `sts.ap-shanghai.tencentcloudapi.com`.
///
/// ```
/// assert_eq!(credchain::tencent::regional_sts_host("ap-shanghai"), "sts.ap-shanghai.tencentcloudapi.com");
/// ```
pub fn regional_sts_host(region: &str) -> String {
    format!("sts.{region}.tencentcloudapi.com")
}

/// A parsed STS endpoint: the URL to POST to and the host to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsEndpoint {
    /// `scheme://host[:port]/`.
    pub url: String,
    /// `host[:port]`, sent as `Host` and signed.
    pub host: String,
}

impl StsEndpoint {
    /// Parses a full URL (`https://sts.tencentcloudapi.com`, `http://127.0.0.1:8080/`) or a bare
    /// host (`sts.ap-guangzhou.tencentcloudapi.com`, which means https).
    ///
    /// ```
    /// use credchain::tencent::StsEndpoint;
    /// let e = StsEndpoint::parse("sts.intl.tencentcloudapi.com").unwrap();
    /// assert_eq!((e.url.as_str(), e.host.as_str()), ("https://sts.intl.tencentcloudapi.com/", "sts.intl.tencentcloudapi.com"));
    /// let e = StsEndpoint::parse("http://127.0.0.1:9000").unwrap();
    /// assert_eq!(e.host, "127.0.0.1:9000");
    /// assert!(StsEndpoint::parse("ftp://x").is_err());
    /// ```
    pub fn parse(endpoint: &str) -> Result<StsEndpoint> {
        let e = endpoint.trim();
        // Shown without user info, query or secret-looking path segments.
        let shown = crate::redact::url(e);
        let (scheme, rest) = match e.split_once("://") {
            Some((s, r)) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {
                (s.to_ascii_lowercase(), r)
            }
            Some(_) => {
                return Err(Error::invalid_config(format!(
                    "STS endpoint '{shown}' must be an http(s) URL or a bare host"
                )))
            }
            None => ("https".to_string(), e),
        };
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() || host.contains(['@', ' ']) {
            return Err(Error::invalid_config(format!(
                "STS endpoint '{shown}' has no valid host"
            )));
        }
        let path = &rest[host.len()..];
        let path = path.split(['?', '#']).next().unwrap_or("");
        if !(path.is_empty() || path == "/") {
            return Err(Error::invalid_config(format!(
                "STS endpoint '{shown}' must not have a path (API 3.0 calls POST to '/')"
            )));
        }
        Ok(StsEndpoint {
            url: format!("{scheme}://{host}/"),
            host: host.to_string(),
        })
    }

    /// The default endpoint `https://sts.tencentcloudapi.com/`.
    pub fn default_global() -> StsEndpoint {
        StsEndpoint {
            url: format!("https://{DEFAULT_STS_HOST}/"),
            host: DEFAULT_STS_HOST.into(),
        }
    }

    /// An explicit endpoint, else `TENCENTCLOUD_STS_ENDPOINT`, else the default.
    pub(crate) fn resolve(explicit: Option<&str>, ctx: &Context) -> Result<StsEndpoint> {
        if let Some(e) = explicit.filter(|e| !e.trim().is_empty()) {
            return StsEndpoint::parse(e);
        }
        if let Some(e) = ctx.env_non_empty(super::env_vars::STS_ENDPOINT)? {
            return StsEndpoint::parse(&e)
                .map_err(|err| err.with_hint(format!("fix {}", super::env_vars::STS_ENDPOINT)));
        }
        Ok(StsEndpoint::default_global())
    }
}

/// Checks `DurationSeconds` before any call.
pub(crate) fn check_duration(action: &str, d: u64) -> Result<()> {
    if (MIN_DURATION_SECONDS..=MAX_DURATION_SECONDS).contains(&d) {
        Ok(())
    } else {
        Err(Error::invalid_config(format!(
            "{action} durationSeconds should be in the range of \
             {MIN_DURATION_SECONDS}~{MAX_DURATION_SECONDS}s, got {d}"
        )))
    }
}

/// A generated session name: `credchain-<unix microseconds>` (an integer, never a float string).
pub fn generate_session_name(now: SystemTime) -> String {
    let micros = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or(0);
    format!("{SESSION_NAME_PREFIX}{micros}")
}

/// How a call authenticates.
pub(crate) enum Auth<'a> {
    /// TC3 with these credentials (`X-TC-Token` when they carry a token).
    Signed(&'a Credentials),
    /// `Authorization: SKIP`, never a token.
    Skip,
}

impl Auth<'_> {
    /// Removes the values of the credentials in use from an error (a service may echo them).
    fn redact(&self, e: Error) -> Error {
        match self {
            Auth::Signed(c) => e.redact_credentials(c),
            Auth::Skip => e,
        }
    }
}

/// Where one source's STS calls go and how long they may take: shared by `sts_assume_role`,
/// `oidc_role_arn` and `tke_oidc`.
pub(crate) struct StsClient {
    ctx: Context,
    /// Swappable so [`StsClient::set_endpoint`] takes effect at the next refresh.
    endpoint: ArcSwap<StsEndpoint>,
    timeouts: Timeouts,
}

impl StsClient {
    /// `endpoint` if given, else `TENCENTCLOUD_STS_ENDPOINT`, else the default; `timeouts`
    /// default to [`Timeouts::STS`].
    pub(crate) fn new(
        ctx: &Context,
        endpoint: Option<&str>,
        timeouts: Option<Timeouts>,
    ) -> Result<StsClient> {
        Ok(StsClient {
            ctx: ctx.clone(),
            endpoint: ArcSwap::from_pointee(StsEndpoint::resolve(endpoint, ctx)?),
            timeouts: timeouts.unwrap_or(Timeouts::STS),
        })
    }

    /// The context calls are made with.
    pub(crate) fn ctx(&self) -> &Context {
        &self.ctx
    }

    /// The STS URL called.
    pub(crate) fn url(&self) -> String {
        self.endpoint.load().url.clone()
    }

    /// The STS URL as shown in `Debug` output.
    pub(crate) fn shown_url(&self) -> String {
        crate::redact::url(&self.endpoint.load().url)
    }

    /// Changes the endpoint (full URL or bare host) for the next call.
    pub(crate) fn set_endpoint(&self, endpoint: &str) -> Result<()> {
        self.endpoint
            .store(std::sync::Arc::new(StsEndpoint::parse(endpoint)?));
        Ok(())
    }

    /// One STS call: POST JSON, retried (each attempt re-signed with a fresh timestamp), parsed
    /// into temporary credentials named `provider`.
    pub(crate) async fn call(
        &self,
        action: &str,
        region: &str,
        body: &serde_json::Value,
        auth: Auth<'_>,
        provider: &str,
    ) -> Result<Credentials> {
        let body = serde_json::to_vec(body).map_err(|e| {
            Error::invalid_config(format!("cannot encode the {action} request: {e}"))
        })?;
        let endpoint = self.endpoint.load_full();
        // Tencent throttles with HTTP 200 and RequestLimitExceeded in the body: the Tencent
        // classifier makes the one retry loop see it (no second loop here).
        let policy = RetryPolicy::REMOTE.with_classifier(service_error::RETRY_CLASSIFIER);
        let resp = send_with_retry(self.ctx.http().as_ref(), policy, || {
            self.request(&endpoint, action, region, &body, &auth)
        })
        .await
        .map_err(|e| auth.redact(e.with_provider(provider)))?;
        parse_response(&resp, action, &endpoint.url)
            .map(|r| r.into_credentials(provider))
            .map_err(|e| auth.redact(e).with_provider(provider))
    }

    fn request(
        &self,
        endpoint: &StsEndpoint,
        action: &str,
        region: &str,
        body: &[u8],
        auth: &Auth<'_>,
    ) -> Result<HttpRequest> {
        let mut req = Tc3Request::new(
            endpoint.host.clone(),
            action,
            STS_VERSION,
            unix_seconds(self.ctx.now()),
        );
        req.service = STS_SERVICE.into();
        req.region = region.to_string();
        req.payload = Payload::Bytes(body.to_vec());
        let signed = match auth {
            Auth::Signed(c) => {
                tc3::sign(&req, c).map_err(|e| e.with_endpoint(endpoint.url.clone()))?
            }
            Auth::Skip => tc3::skip_sign(&req)?,
        };
        let mut http = HttpRequest::new(Method::POST, endpoint.url.clone())
            .timeouts(self.timeouts)
            .proxy(ProxyPolicy::FromEnv)
            .body(body.to_vec());
        for (name, value) in &signed.headers {
            http = http.header(name, value);
        }
        Ok(http)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Envelope {
    response: Option<ResponseBody>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResponseBody {
    credentials: Option<TmpCredentials>,
    expired_time: Option<i64>,
    expiration: Option<String>,
    request_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TmpCredentials {
    tmp_secret_id: Option<String>,
    tmp_secret_key: Option<String>,
    token: Option<String>,
}

/// Parsed temporary credentials.
pub(crate) struct Issued {
    id: String,
    key: String,
    token: String,
    expiration: SystemTime,
}

impl Issued {
    fn into_credentials(self, provider: &str) -> Credentials {
        Credentials::builder(self.id, self.key)
            .security_token_opt(Some(self.token))
            .expiration(self.expiration)
            .provider_name(provider)
            .build()
    }
}

/// Parses an STS answer (`{"Response": {...}}`): non-2xx is a service error (with the Tencent
/// error if the body has one); an error in the body ([`ServiceError`]) is a service error with
/// code, message and request id; anything unusable is an invalid response naming what is missing.
pub(crate) fn parse_response(resp: &HttpResponse, action: &str, endpoint: &str) -> Result<Issued> {
    let failed = |message: String| {
        let e = Error::new(ErrorKind::Service, message)
            .with_endpoint(endpoint)
            .with_status(resp.status);
        match ServiceError::parse(&resp.body) {
            Some(service) => service.attach_to(e),
            None => e,
        }
    };
    if !resp.is_success() {
        return Err(failed(format!("{action} failed with HTTP {}", resp.status)));
    }
    let env: Envelope = serde_json::from_slice(&resp.body).map_err(|err| {
        Error::new(
            ErrorKind::InvalidResponse,
            format!(
                "{action} answered with invalid JSON: {}",
                crate::redact::json_error(&err)
            ),
        )
        .with_endpoint(endpoint)
        .with_status(resp.status)
    })?;
    if ServiceError::parse(&resp.body).is_some() {
        return Err(failed(format!("{action} was rejected")));
    }
    let Some(body) = env.response else {
        return Err(invalid(action, endpoint, "has no \"Response\" object"));
    };
    let request_id = body.request_id.clone();
    issued(body).map_err(|what| {
        let e = invalid(action, endpoint, &what);
        match &request_id {
            Some(r) => e.with_request_id(r.clone()),
            None => e,
        }
    })
}

/// The credentials of a successful answer, or what is missing from it.
fn issued(body: ResponseBody) -> std::result::Result<Issued, String> {
    let c = body
        .credentials
        .ok_or_else(|| "has no \"Response.Credentials\"".to_string())?;
    let field = |v: Option<String>, name: &str| {
        v.filter(|s| !s.is_empty())
            .ok_or_else(|| format!("has no \"Credentials.{name}\""))
    };
    let id = field(c.tmp_secret_id, "TmpSecretId")?;
    let key = field(c.tmp_secret_key, "TmpSecretKey")?;
    let token = field(c.token, "Token")?;
    let expiration = match (
        body.expired_time,
        body.expiration.as_deref().and_then(parse_rfc3339),
    ) {
        (Some(t), _) if t > 0 => from_unix_seconds(t),
        (_, Some(t)) => t,
        _ => return Err("has no valid \"ExpiredTime\" or \"Expiration\"".into()),
    };
    Ok(Issued {
        id,
        key,
        token,
        expiration,
    })
}

fn invalid(action: &str, endpoint: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidResponse,
        format!("the {action} answer {what}"),
    )
    .with_endpoint(endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http::HeaderMap;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn parses_success() {
        let r = resp(
            200,
            r#"{"Response":{"Credentials":{"Token":"t","TmpSecretId":"i","TmpSecretKey":"k"},
                "ExpiredTime":1700000000,"Expiration":"2023-11-14T22:13:20Z","RequestId":"r"}}"#,
        );
        let c = parse_response(&r, "AssumeRole", "e")
            .unwrap()
            .into_credentials("sts_assume_role");
        assert_eq!(
            (c.secret_id(), c.secret_key(), c.token()),
            ("i", "k", Some("t"))
        );
        assert_eq!(unix_seconds(c.expiration().unwrap()), 1_700_000_000);
    }

    #[test]
    fn parses_errors() {
        let r = resp(
            200,
            r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad"},"RequestId":"rid"}}"#,
        );
        let e = parse_response(&r, "AssumeRole", "e").err().unwrap();
        assert_eq!(e.kind(), ErrorKind::Service);
        assert_eq!(
            (e.code(), e.service_message(), e.request_id()),
            (
                Some("AuthFailure.SignatureFailure"),
                Some("bad"),
                Some("rid")
            )
        );
        let e = parse_response(&resp(502, "oops"), "AssumeRole", "e")
            .err()
            .unwrap();
        assert_eq!((e.kind(), e.status()), (ErrorKind::Service, Some(502)));
        let e = parse_response(&resp(200, "{not json"), "AssumeRole", "e")
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::InvalidResponse);
        let e = parse_response(
            &resp(
                200,
                r#"{"code":4000,"message":"m","codeDesc":"InvalidParameter"}"#,
            ),
            "A",
            "e",
        )
        .err()
        .unwrap();
        assert_eq!(e.code(), Some("InvalidParameter"));
        let e = parse_response(
            &resp(200, r#"{"Response":{"Credentials":{"TmpSecretId":"i","TmpSecretKey":"k"},"ExpiredTime":1}}"#),
            "A",
            "e",
        )
        .err()
        .unwrap();
        assert!(e.message().contains("Token"), "{e}");
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            StsEndpoint::parse("https://sts.tencentcloudapi.com/").unwrap(),
            StsEndpoint::default_global()
        );
        assert!(StsEndpoint::parse("https://sts.tencentcloudapi.com/v2").is_err());
        assert!(StsEndpoint::parse("").is_err());
        assert!(check_duration("AssumeRole", 899).is_err());
        assert!(check_duration("AssumeRole", 43201).is_err());
        assert!(check_duration("AssumeRole", 900).is_ok());
        let n = generate_session_name(
            SystemTime::UNIX_EPOCH + std::time::Duration::from_micros(1_700_000_000_123_456),
        );
        assert_eq!(n, "credchain-1700000000123456");
    }
}
