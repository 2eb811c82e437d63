//! A generic Tencent Cloud API 3.0 endpoint (reference: signing.md §2, tencent.md §4), for
//! `credchain call` and signer tests: any action other than the STS ones is answered once its
//! TC3-HMAC-SHA256 signature verifies.
//!
//! [`TENCENT_API`]: `POST /` (JSON body) or `GET /` (query) with `X-TC-Action` other than
//! `AssumeRole` / `AssumeRoleWithWebIdentity` (served by [`super::tencent_sts`]). Checks, in order:
//! - `Authorization: TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request,
//!   SignedHeaders=..., Signature=...` (`, ` separated) signing at least `content-type` and `host`,
//!   lower-case and sorted (`AuthFailure.SignatureFailure`); when the `Host` is
//!   `<service>[.<region>].tencentcloudapi.com` the scope's service must be that service;
//! - `X-TC-Version` set (`MissingParameter`), `X-TC-Timestamp` within [`MAX_SKEW_SECONDS`] of now
//!   (`AuthFailure.SignatureExpire`) and its UTC date the scope's date;
//! - the SecretId is a configured long-term key (default
//!   [`super::tencent_sts::EMULATOR_SECRET_ID`], which must not send `X-TC-Token`) or credentials
//!   the emulator issued, whose `X-TC-Token` must be their token and which must not have expired
//!   (`AuthFailure.SecretIdNotFound`, `AuthFailure.TokenFailure`);
//! - the signature, recomputed from the request as received with [`super::crypto`]
//!   (`AuthFailure.SignatureFailure`);
//! - a `POST` body is a JSON object (`InvalidParameter`).
//!
//! Answers with HTTP 200, also for errors, in Tencent's shape: `cvm`-style `DescribeInstances`
//! gets `{"Response":{"TotalCount":0,"InstanceSet":[],"RequestId":...}}`, every other action
//! `{"Response":{"RequestId":...}}`; errors `{"Response":{"Error":{"Code","Message"},"RequestId"}}`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::json;

use super::crypto::{constant_time_eq, hex, hmac_sha256, sha256, utc_date};
use super::tencent_sts::{EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY};
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};

/// Route name of the generic API 3.0 endpoint.
pub const TENCENT_API: &str = "tencent.api";
/// Largest accepted clock difference of `X-TC-Timestamp`, in seconds.
pub const MAX_SKEW_SECONDS: i64 = 300;
/// Actions the STS routes answer; the generic route leaves them alone.
pub const STS_ACTIONS: &[&str] = &["AssumeRole", "AssumeRoleWithWebIdentity"];

/// What the generic Tencent endpoint accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TencentApiConfig {
    /// Long-term `(SecretId, SecretKey)` pairs.
    pub keys: Vec<(String, String)>,
    /// Whether credentials issued by this emulator (with their `X-TC-Token`) are accepted.
    /// Default `true`.
    pub accept_issued: bool,
    /// Whether `X-TC-Timestamp` must be within [`MAX_SKEW_SECONDS`] of now. Default `true` (turn
    /// it off to replay published examples).
    pub check_timestamp: bool,
}

impl Default for TencentApiConfig {
    fn default() -> Self {
        TencentApiConfig {
            keys: vec![(EMULATOR_SECRET_ID.into(), EMULATOR_SECRET_KEY.into())],
            accept_issued: true,
            check_timestamp: true,
        }
    }
}

/// The generic endpoint, default configuration.
pub fn api_route() -> Route {
    api_route_with(TencentApiConfig::default())
}

/// The generic endpoint accepting what `config` says. Adding it to a running emulator
/// ([`crate::Emulator::add_route`]) replaces the built-in one.
pub fn api_route_with(config: TencentApiConfig) -> Route {
    let config = Arc::new(config);
    Route::new(
        TENCENT_API,
        Matcher::new(|r| {
            (r.is("POST") || r.is("GET"))
                && r.path == "/"
                && r.header("x-tc-action")
                    .is_some_and(|a| !STS_ACTIONS.contains(&a))
        }),
        move |req, ctx| handle(req, ctx, &config),
    )
}

static REQUESTS: AtomicU64 = AtomicU64::new(0);

fn request_id() -> String {
    let n = REQUESTS.fetch_add(1, Ordering::Relaxed) + 1;
    format!("{n:08x}-7c3a-4e1f-9d2b-{n:012x}")
}

fn error(code: &str, message: &str) -> Reply {
    Reply::json(
        200,
        json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id()}}),
    )
}

fn sig_failure(message: &str) -> Reply {
    error("AuthFailure.SignatureFailure", message)
}

fn handle(req: &RecordedRequest, ctx: &RouteContext<'_>, config: &TencentApiConfig) -> Reply {
    if let Err(r) = verify(req, ctx, config) {
        return r;
    }
    if req.is("POST") && !req.json().is_some_and(|v| v.is_object()) {
        return error("InvalidParameter", "the request body is not a JSON object");
    }
    let action = req.header("x-tc-action").unwrap_or_default();
    let body = if action == "DescribeInstances" {
        json!({"Response": {"TotalCount": 0, "InstanceSet": [], "RequestId": request_id()}})
    } else {
        json!({"Response": {"RequestId": request_id()}})
    };
    Reply::json(200, body)
}

/// The parts of a TC3 `Authorization` header.
struct Authorization<'a> {
    secret_id: &'a str,
    date: &'a str,
    service: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

fn parse_authorization(auth: &str) -> Result<Authorization<'_>, Reply> {
    let Some(rest) = auth.strip_prefix("TC3-HMAC-SHA256 ") else {
        return Err(sig_failure("Authorization is not TC3-HMAC-SHA256"));
    };
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(", ") {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(sig_failure("malformed Authorization")),
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(sig_failure("malformed Authorization"));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [secret_id, date, service, "tc3_request"] = scope[..] else {
        return Err(sig_failure("malformed Credential scope"));
    };
    if service.is_empty() {
        return Err(sig_failure("the credential scope has no service"));
    }
    Ok(Authorization {
        secret_id,
        date,
        service,
        signed_headers,
        signature,
    })
}

fn secret_key(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    config: &TencentApiConfig,
    secret_id: &str,
) -> Result<String, Reply> {
    let token = req.header("x-tc-token");
    if let Some((_, k)) = config.keys.iter().find(|(id, _)| id == secret_id) {
        if token.is_some() {
            return Err(error(
                "AuthFailure.TokenFailure",
                "a long-term SecretId must not send X-TC-Token",
            ));
        }
        return Ok(k.clone());
    }
    let issued = config
        .accept_issued
        .then(|| {
            ctx.state()
                .issued()
                .into_iter()
                .find(|c| c.access_key_id == secret_id)
        })
        .flatten();
    let Some(c) = issued else {
        return Err(error(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        ));
    };
    if token != Some(c.security_token.as_str()) {
        return Err(error(
            "AuthFailure.TokenFailure",
            "the X-TC-Token does not match the temporary SecretId",
        ));
    }
    if c.expiration <= SystemTime::now() {
        return Err(error(
            "AuthFailure.TokenFailure",
            "the temporary credentials have expired",
        ));
    }
    Ok(c.access_key_secret)
}

/// The canonical request of a TC3 request as received, signing `signed_headers` (header values
/// trimmed and lower-cased, the query as sent, the payload hash of the body or of
/// `UNSIGNED-PAYLOAD` when `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`).
///
/// ```
/// use credchain_emulator::routes::tencent_api::tc3_canonical_request;
/// use credchain_emulator::RecordedRequest;
/// let r = RecordedRequest::new("GET", "/?Limit=1")
///     .with_header("Content-Type", "application/x-www-form-urlencoded")
///     .with_header("Host", "cvm.tencentcloudapi.com");
/// let c = tc3_canonical_request(&r, "content-type;host").unwrap();
/// assert!(c.starts_with("GET\n/\nLimit=1\ncontent-type:application/x-www-form-urlencoded\nhost:cvm.tencentcloudapi.com\n\n"));
/// ```
pub fn tc3_canonical_request(
    req: &RecordedRequest,
    signed_headers: &str,
) -> Result<String, String> {
    let mut headers = String::new();
    for name in signed_headers.split(';') {
        let Some(value) = req.header(name) else {
            return Err(format!("signed header {name} is missing"));
        };
        headers.push_str(&format!("{name}:{}\n", value.trim().to_ascii_lowercase()));
    }
    let payload_hash = if req.header("x-tc-content-sha256") == Some("UNSIGNED-PAYLOAD") {
        hex(&sha256(b"UNSIGNED-PAYLOAD"))
    } else {
        hex(&sha256(&req.body))
    };
    Ok(format!(
        "{}\n{}\n{}\n{headers}\n{signed_headers}\n{payload_hash}",
        req.method, req.path, req.query
    ))
}

fn verify(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    config: &TencentApiConfig,
) -> Result<(), Reply> {
    if req.header("authorization") == Some("SKIP") {
        return Err(error(
            "AuthFailure.InvalidAuthorization",
            "this action must be signed",
        ));
    }
    let auth = parse_authorization(req.header("authorization").unwrap_or_default())?;
    let names: Vec<&str> = auth.signed_headers.split(';').collect();
    if !names.contains(&"content-type") || !names.contains(&"host") {
        return Err(sig_failure("content-type and host must be signed"));
    }
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted != names
        || names
            .iter()
            .any(|n| n.bytes().any(|b| b.is_ascii_uppercase()))
    {
        return Err(sig_failure(
            "SignedHeaders must be lower-case, sorted and unique",
        ));
    }
    let host = req.header("host").unwrap_or_default();
    if let Some(prefix) = host.strip_suffix(".tencentcloudapi.com") {
        let host_service = prefix.split('.').next().unwrap_or_default();
        if host_service != auth.service {
            return Err(sig_failure(&format!(
                "the credential scope's service {} is not the endpoint's service {host_service}",
                auth.service
            )));
        }
    }
    if req
        .header("x-tc-version")
        .is_none_or(|v| v.trim().is_empty())
    {
        return Err(error(
            "MissingParameter",
            "The request is missing a required parameter `Version`.",
        ));
    }
    let Some(ts) = req
        .header("x-tc-timestamp")
        .and_then(|t| t.trim().parse::<i64>().ok())
    else {
        return Err(error(
            "MissingParameter",
            "The request is missing a required parameter `Timestamp`.",
        ));
    };
    if config.check_timestamp {
        let now = crate::time::unix_seconds(SystemTime::now());
        if (now - ts).abs() > MAX_SKEW_SECONDS {
            return Err(error(
                "AuthFailure.SignatureExpire",
                "Signature expired: the request time is more than 5 minutes off the server time",
            ));
        }
    }
    if utc_date(ts) != auth.date {
        return Err(sig_failure(
            "the credential scope's date is not the UTC date of X-TC-Timestamp",
        ));
    }
    let secret = secret_key(req, ctx, config, auth.secret_id)?;
    let canonical = tc3_canonical_request(req, auth.signed_headers).map_err(|m| sig_failure(&m))?;
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{ts}\n{}/{}/tc3_request\n{}",
        auth.date,
        auth.service,
        hex(&sha256(canonical.as_bytes()))
    );
    let k_date = hmac_sha256(format!("TC3{secret}").as_bytes(), auth.date.as_bytes());
    let k_service = hmac_sha256(&k_date, auth.service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    let expected = hex(&hmac_sha256(&k_signing, string_to_sign.as_bytes()));
    if !constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        return Err(sig_failure(
            "The provided credentials could not be validated. Please check your signature is correct.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_tc3_example_canonicalizes() {
        // signing.md §2 / tencent.md §4.2, as a server receives it.
        let body = r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        let r = RecordedRequest::new("POST", "/")
            .with_header("Content-Type", "application/json; charset=utf-8")
            .with_header("Host", "cvm.tencentcloudapi.com")
            .with_header("X-TC-Action", "DescribeInstances")
            .with_body(body);
        let c = tc3_canonical_request(&r, "content-type;host;x-tc-action").unwrap();
        assert_eq!(
            hex(&sha256(c.as_bytes())),
            "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
        );
    }

    #[test]
    fn authorization_parsing() {
        let a = parse_authorization(
            "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=ab",
        )
        .ok()
        .unwrap();
        assert_eq!(
            (a.secret_id, a.date, a.service),
            ("AKID", "2019-02-25", "cvm")
        );
        for bad in [
            "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request,SignedHeaders=host,Signature=ab",
            "TC3-HMAC-SHA256 Credential=AKID/2019-02-25//tc3_request, SignedHeaders=host, Signature=ab",
            "HmacSHA256 x",
        ] {
            assert!(parse_authorization(bad).is_err(), "{bad}");
        }
    }
}
