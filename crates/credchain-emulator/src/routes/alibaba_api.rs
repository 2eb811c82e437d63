//! Generic Alibaba Cloud OpenAPI endpoints (`docs/signing.md`), for `credchain call`
//! and signer tests: the actions it implements are answered once their signature verifies.
//!
//! - [`ALIBABA_API_RPC`]: `GET`/`POST /` with an `Action` parameter other than the STS ones
//!   (`AssumeRole`, `AssumeRoleWithOIDC`, which [`super::alibaba_sts`] serves). Checks
//!   `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`, `Version`, `Format` (`JSON` or `XML`: the
//!   answer follows it), a `Timestamp` within [`MAX_CLOCK_SKEW_SECONDS`] of now, a known
//!   `AccessKeyId` (plus its `SecurityToken` for issued credentials), the RPC v1 signature
//!   (recomputed with [`super::alibaba_sts::rpc_signature`], the emulator's own HMAC-SHA1), and
//!   finally that the `SignatureNonce` was never used before on this route.
//! - [`ALIBABA_API_ACS3`]: any method with `Authorization: ACS3-HMAC-SHA256 Credential=<id>,
//!   SignedHeaders=<list>,Signature=<hex>` (or an `x-acs-action` header). Checks the `x-acs-action`,
//!   `x-acs-version`, `x-acs-date`, `x-acs-signature-nonce` and `x-acs-content-sha256` headers,
//!   that the content hash is the body's SHA-256, that `host`, every `x-acs-*` header and
//!   `content-type` (when sent) are signed, the date window, the key (`x-acs-security-token` for
//!   issued credentials), the V3 signature recomputed here from the request as received (own
//!   canonicalization, SHA-256 and HMAC from [`super::crypto`]), and nonce reuse.
//!
//! Accepted keys ([`AlibabaApiConfig`]): the emulator's sample long-term key
//! [`super::alibaba_sts::ACCESS_KEY_ID`] / [`super::alibaba_sts::ACCESS_KEY_SECRET`], and every
//! credential the emulator issued (any cloud's naming, Alibaba's in practice), which must send
//! its token and must not have expired.
//!
//! Answers ([`IMPLEMENTED_ACTIONS`]): `DescribeRegions` gets a small region list,
//! `DescribeInstances` an empty instance list, `RunInstances` (the ACS3 documentation example) an
//! empty id list, `GetCallerIdentity` the identity of the signing key
//! ([`super::caller_identity`]). Any other correctly signed action is HTTP 404
//! `InvalidAction.NotFound` (Alibaba's code for an unknown API) naming the action, never an empty
//! success.
//! Errors have the Alibaba shape `{"RequestId","HostId","Code","Message"}` with HTTP 400 (404 for
//! an unknown AccessKeyId): `MissingParameter`, `InvalidParameter.<Name>`,
//! `InvalidTimeStamp.Format`, `InvalidTimeStamp.Expired`, `InvalidAccessKeyId.NotFound`,
//! `InvalidSecurityToken.MismatchWithAccessKey`, `InvalidSecurityToken.Expired`,
//! `IncompleteSignature` (malformed `Authorization`, unsigned required header),
//! `SignatureDoesNotMatch` (also for a body that does not match `x-acs-content-sha256`),
//! `SignatureNonceUsed`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde_json::{json, Value};

use super::alibaba_sts::{self, ACCESS_KEY_ID, ACCESS_KEY_SECRET};
use super::crypto::{constant_time_eq, hex, hmac_sha256, percent_decode, percent_encode, sha256};
use crate::reply::Reply;
use crate::request::{decode_component, RecordedRequest};
use crate::route::{Matcher, Route, RouteContext};
use crate::time::{parse_utc, unix_seconds};

/// Route name of the generic RPC (signature v1) endpoint.
pub const ALIBABA_API_RPC: &str = "alibaba.api.rpc";
/// Route name of the generic ACS3 (V3 signature) endpoint.
pub const ALIBABA_API_ACS3: &str = "alibaba.api.acs3";
/// Largest accepted difference between `Timestamp` / `x-acs-date` and the emulator's clock.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 15 * 60;
/// Actions the STS routes answer; the generic RPC route leaves them alone.
pub const STS_ACTIONS: &[&str] = &["AssumeRole", "AssumeRoleWithOIDC"];
/// How many nonces a route remembers before forgetting those older than the time window.
const NONCE_PRUNE_AT: usize = 10_000;

/// What the generic Alibaba endpoints accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlibabaApiConfig {
    /// Long-term `(AccessKeyId, AccessKeySecret)` pairs.
    pub keys: Vec<(String, String)>,
    /// Whether credentials the emulator issued (with their token) are accepted. Default `true`.
    pub accept_issued: bool,
    /// Whether the timestamp must be within [`MAX_CLOCK_SKEW_SECONDS`] of now. Default `true`
    /// (turn it off to replay published examples).
    pub check_timestamp: bool,
}

impl Default for AlibabaApiConfig {
    fn default() -> Self {
        AlibabaApiConfig {
            keys: vec![(ACCESS_KEY_ID.into(), ACCESS_KEY_SECRET.into())],
            accept_issued: true,
            check_timestamp: true,
        }
    }
}

/// Nonces seen by one route, with when they were seen.
#[derive(Debug, Default)]
struct Nonces(Mutex<HashMap<String, SystemTime>>);

impl Nonces {
    /// Records `nonce`; `false` when it was already used.
    fn insert(&self, nonce: &str) -> bool {
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let now = SystemTime::now();
        if seen.len() >= NONCE_PRUNE_AT {
            seen.retain(|_, at| {
                now.duration_since(*at)
                    .map_or(true, |d| d.as_secs() <= 2 * MAX_CLOCK_SKEW_SECONDS as u64)
            });
        }
        seen.insert(nonce.to_string(), now).is_none()
    }
}

/// The generic RPC endpoint, default configuration.
pub fn rpc_route() -> Route {
    rpc_route_with(AlibabaApiConfig::default())
}

/// The generic RPC endpoint accepting what `config` says. Adding it to a running emulator
/// ([`crate::Emulator::add_route`]) replaces the built-in one (and forgets its nonces).
pub fn rpc_route_with(config: AlibabaApiConfig) -> Route {
    let nonces = Arc::new(Nonces::default());
    Route::new(
        ALIBABA_API_RPC,
        Matcher::new(|r| {
            (r.is("GET") || r.is("POST"))
                && r.path == "/"
                && r.header("x-acs-action").is_none()
                && r.header("x-tc-action").is_none()
                && r.param("SecretId").is_none()
                && r.param("Action")
                    .is_some_and(|a| !STS_ACTIONS.contains(&a.as_str()))
        }),
        move |req, ctx| rpc(req, ctx, &config, &nonces),
    )
}

/// The generic ACS3 endpoint, default configuration.
pub fn acs3_route() -> Route {
    acs3_route_with(AlibabaApiConfig::default())
}

/// The generic ACS3 endpoint accepting what `config` says.
pub fn acs3_route_with(config: AlibabaApiConfig) -> Route {
    let nonces = Arc::new(Nonces::default());
    Route::new(
        ALIBABA_API_ACS3,
        Matcher::new(|r| {
            r.header("authorization")
                .is_some_and(|a| a.starts_with("ACS3-"))
                || r.header("x-acs-action").is_some()
        }),
        move |req, ctx| acs3(req, ctx, &config, &nonces),
    )
}

static REQUESTS: AtomicU64 = AtomicU64::new(0);

fn request_id() -> String {
    let n = REQUESTS.fetch_add(1, Ordering::Relaxed) + 1;
    format!("{n:08X}-E3A1-4C0D-8B5E-{n:012X}")
}

/// Answer format of an RPC request.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// An error in Alibaba's shape.
struct ApiError {
    status: u16,
    code: String,
    message: String,
}

fn err(status: u16, code: &str, message: impl Into<String>) -> ApiError {
    ApiError {
        status,
        code: code.to_string(),
        message: message.into(),
    }
}

fn error_reply(req: &RecordedRequest, e: ApiError, format: Format) -> Reply {
    let host = req.header("host").unwrap_or("ecs.aliyuncs.com");
    let body = json!({
        "RequestId": request_id(),
        "HostId": host,
        "Code": e.code,
        "Message": e.message,
    });
    match format {
        Format::Json => Reply::json(e.status, body),
        Format::Xml => Reply::bytes(e.status, "text/xml;charset=utf-8", to_xml("Error", &body)),
    }
}

/// The actions the generic endpoints answer (the rest are an `InvalidAction.NotFound` error).
pub const IMPLEMENTED_ACTIONS: &[&str] = &[
    "GetCallerIdentity",
    "DescribeRegions",
    "DescribeInstances",
    "RunInstances",
];

/// The answer to `action`, called with the verified key `access_key_id`. An action the emulator
/// does not implement is an error naming it: an empty success would let a caller believe a call
/// did something.
fn success_value(
    ctx: &RouteContext<'_>,
    action: &str,
    access_key_id: &str,
) -> Result<Value, ApiError> {
    let v = match action {
        "GetCallerIdentity" => {
            let mut v = super::caller_identity::alibaba(ctx, access_key_id);
            v["RequestId"] = json!(request_id());
            v
        }
        "DescribeRegions" => json!({
            "RequestId": request_id(),
            "Regions": {"Region": [
                {"RegionId": "cn-hangzhou", "LocalName": "华东1（杭州）", "RegionEndpoint": "ecs.cn-hangzhou.aliyuncs.com"},
                {"RegionId": "cn-shanghai", "LocalName": "华东2（上海）", "RegionEndpoint": "ecs.cn-shanghai.aliyuncs.com"},
            ]},
        }),
        // The emulated account has no instances.
        "DescribeInstances" => json!({
            "RequestId": request_id(),
            "TotalCount": 0,
            "PageNumber": 1,
            "PageSize": 10,
            "Instances": {"Instance": []},
        }),
        // The ACS3 documentation example; nothing is created, so no instance id is invented.
        "RunInstances" => json!({
            "RequestId": request_id(),
            "InstanceIdSets": {"InstanceIdSet": []},
        }),
        other => {
            return Err(err(
                404,
                "InvalidAction.NotFound",
                format!(
                    "Specified api is not found, please check your url and method. (The credchain \
                     emulator does not implement the action `{}`; it implements {}.)",
                    printable(other),
                    IMPLEMENTED_ACTIONS.join(", ")
                ),
            ))
        }
    };
    Ok(v)
}

/// `action` as sent, cut and stripped of control characters so a hostile value cannot forge
/// lines in a response or a log.
pub(crate) fn printable(action: &str) -> String {
    action
        .chars()
        .filter(|c| !c.is_control())
        .take(128)
        .collect()
}

/// Alibaba's XML rendering of a JSON answer: an array under key `k` becomes repeated `<k>`.
fn to_xml(root: &str, v: &Value) -> String {
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }
    fn element(out: &mut String, name: &str, v: &Value) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| element(out, name, i)),
            Value::Object(map) => {
                out.push_str(&format!("<{name}>"));
                map.iter().for_each(|(k, v)| element(out, k, v));
                out.push_str(&format!("</{name}>"));
            }
            Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", esc(s))),
            Value::Null => out.push_str(&format!("<{name}/>")),
            other => out.push_str(&format!("<{name}>{other}</{name}>")),
        }
    }
    let mut out = String::from("<?xml version='1.0' encoding='UTF-8'?>");
    element(&mut out, root, v);
    out
}

/// The secret of `key_id`, checking the token of issued credentials.
fn secret_for(
    ctx: &RouteContext<'_>,
    config: &AlibabaApiConfig,
    key_id: &str,
    token: Option<&str>,
) -> Result<String, ApiError> {
    if let Some((_, s)) = config.keys.iter().find(|(id, _)| id == key_id) {
        return Ok(s.clone());
    }
    let issued = config
        .accept_issued
        .then(|| {
            ctx.state()
                .issued()
                .into_iter()
                .find(|c| c.access_key_id == key_id)
        })
        .flatten();
    let Some(c) = issued else {
        return Err(err(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ));
    };
    if token != Some(c.security_token.as_str()) {
        return Err(err(
            400,
            "InvalidSecurityToken.MismatchWithAccessKey",
            "Specified SecurityToken mismatch with the AccessKey.",
        ));
    }
    if c.expiration <= SystemTime::now() {
        return Err(err(
            400,
            "InvalidSecurityToken.Expired",
            "Specified SecurityToken is expired.",
        ));
    }
    Ok(c.access_key_secret)
}

fn check_time(config: &AlibabaApiConfig, value: Option<&str>) -> Result<(), ApiError> {
    let Some(t) = value.and_then(parse_utc) else {
        return Err(err(
            400,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        ));
    };
    let skew = (unix_seconds(SystemTime::now()) - unix_seconds(t)).abs();
    if config.check_timestamp && skew > MAX_CLOCK_SKEW_SECONDS {
        return Err(err(
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// RPC (signature v1)
// ---------------------------------------------------------------------------------------------

fn rpc(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    config: &AlibabaApiConfig,
    nonces: &Nonces,
) -> Reply {
    let mut params = req.query_params();
    params.extend(req.form_params());
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let format = match get("Format") {
        Some(f) if f.eq_ignore_ascii_case("XML") => Format::Xml,
        _ => Format::Json,
    };
    match verify_rpc(req, ctx, config, nonces, &params) {
        Ok(()) => {
            let body = match success_value(
                ctx,
                get("Action").unwrap_or_default(),
                get("AccessKeyId").unwrap_or_default(),
            ) {
                Ok(body) => body,
                Err(e) => return error_reply(req, e, format),
            };
            match format {
                Format::Json => Reply::json(200, body),
                Format::Xml => Reply::bytes(
                    200,
                    "text/xml;charset=utf-8",
                    to_xml(
                        &format!("{}Response", get("Action").unwrap_or_default()),
                        &body,
                    ),
                ),
            }
        }
        Err(e) => error_reply(req, e, format),
    }
}

fn verify_rpc(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    config: &AlibabaApiConfig,
    nonces: &Nonces,
    params: &[(String, String)],
) -> Result<(), ApiError> {
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    for k in [
        "Version",
        "AccessKeyId",
        "SignatureMethod",
        "SignatureVersion",
        "SignatureNonce",
        "Timestamp",
        "Signature",
    ] {
        if get(k).is_none_or(str::is_empty) {
            return Err(err(
                400,
                &format!("Missing{k}"),
                format!("{k} is mandatory for this action."),
            ));
        }
    }
    for (k, want) in [
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
    ] {
        if get(k) != Some(want) {
            return Err(err(
                400,
                &format!("InvalidParameter.{k}"),
                format!("{k} must be {want}."),
            ));
        }
    }
    if get("Format")
        .is_some_and(|f| !f.eq_ignore_ascii_case("JSON") && !f.eq_ignore_ascii_case("XML"))
    {
        return Err(err(
            400,
            "InvalidParameter.Format",
            "Format must be JSON or XML.",
        ));
    }
    check_time(config, get("Timestamp"))?;
    let secret = secret_for(
        ctx,
        config,
        get("AccessKeyId").unwrap_or_default(),
        get("SecurityToken"),
    )?;
    let signed: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "Signature")
        .cloned()
        .collect();
    let expected = alibaba_sts::rpc_signature(&req.method, &signed, &secret);
    if !constant_time_eq(
        expected.as_bytes(),
        get("Signature").unwrap_or_default().as_bytes(),
    ) {
        return Err(err(
            400,
            "SignatureDoesNotMatch",
            format!(
                "Specified signature is not matched with our calculation. server string to sign is:{}",
                alibaba_sts::string_to_sign(&req.method, &signed)
            ),
        ));
    }
    if !nonces.insert(get("SignatureNonce").unwrap_or_default()) {
        return Err(err(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// ACS3 (V3 signature)
// ---------------------------------------------------------------------------------------------

fn acs3(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    config: &AlibabaApiConfig,
    nonces: &Nonces,
) -> Reply {
    let answer = verify_acs3(req, ctx, config, nonces).and_then(|()| {
        success_value(
            ctx,
            req.header("x-acs-action").unwrap_or_default(),
            req.header("authorization")
                .and_then(|a| parse_acs3_authorization(a).ok())
                .map_or("", |(key_id, _, _)| key_id),
        )
    });
    match answer {
        Ok(body) => Reply::json(200, body),
        Err(e) => error_reply(req, e, Format::Json),
    }
}

/// The canonical request of an ACS3 request as received, signing `signed_headers`.
///
/// ```
/// use credchain_emulator::routes::alibaba_api::acs3_canonical_request;
/// use credchain_emulator::RecordedRequest;
/// let r = RecordedRequest::new("GET", "/?test=ok&empty=")
///     .with_header("x-acs-test", "http")
///     .with_header("x-acs-TEST", " https ");
/// assert_eq!(
///     acs3_canonical_request(&r, "x-acs-test", "55e1").unwrap(),
///     "GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n55e1"
/// );
/// ```
pub fn acs3_canonical_request(
    req: &RecordedRequest,
    signed_headers: &str,
    hashed_payload: &str,
) -> Result<String, String> {
    let path = percent_encode(&percent_decode(&req.path), true);
    let mut query: Vec<(String, String)> = req
        .query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode_component(k), decode_component(v)),
            None => (decode_component(p), String::new()),
        })
        .collect();
    query.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let query: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k, false), percent_encode(v, false)))
        .collect();
    let mut headers = String::new();
    for name in signed_headers.split(';') {
        let mut values: Vec<&str> = req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .collect();
        if values.is_empty() {
            return Err(format!("the signed header {name} is missing"));
        }
        values.sort_unstable();
        headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    Ok(format!(
        "{}\n{path}\n{}\n{headers}\n{signed_headers}\n{hashed_payload}",
        req.method,
        query.join("&")
    ))
}

/// `Authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`.
fn parse_acs3_authorization(auth: &str) -> Result<(&str, &str, &str), ApiError> {
    let malformed = || {
        err(
            400,
            "IncompleteSignature",
            "The Authorization header is malformed.",
        )
    };
    let Some((algorithm, rest)) = auth.split_once(' ') else {
        return Err(malformed());
    };
    if algorithm != "ACS3-HMAC-SHA256" {
        return Err(err(
            400,
            "IncompleteSignature",
            format!("The signature algorithm {algorithm} is not supported by the emulator."),
        ));
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(malformed()),
        }
    }
    match (credential, signed, signature) {
        (Some(c), Some(h), Some(s)) if !c.is_empty() && !h.is_empty() => Ok((c, h, s)),
        _ => Err(malformed()),
    }
}

fn verify_acs3(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    config: &AlibabaApiConfig,
    nonces: &Nonces,
) -> Result<(), ApiError> {
    for h in [
        "authorization",
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
    ] {
        if req.header(h).is_none_or(|v| v.trim().is_empty()) {
            return Err(err(
                400,
                "MissingParameter",
                format!("The request is missing the header {h}."),
            ));
        }
    }
    let (key_id, signed_headers, signature) =
        parse_acs3_authorization(req.header("authorization").unwrap_or_default())?;
    let names: Vec<&str> = signed_headers.split(';').collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted != names
        || names
            .iter()
            .any(|n| n.bytes().any(|b| b.is_ascii_uppercase()))
    {
        return Err(err(
            400,
            "IncompleteSignature",
            "SignedHeaders must be lower-case, sorted and unique.",
        ));
    }
    let must_sign = req
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| *n == "host" || *n == "content-type" || n.starts_with("x-acs-"));
    for name in must_sign {
        if !names.contains(&name) {
            return Err(err(
                400,
                "IncompleteSignature",
                format!("The header {name} must be signed."),
            ));
        }
    }
    check_time(config, req.header("x-acs-date"))?;
    let hashed_payload = req.header("x-acs-content-sha256").unwrap_or_default();
    if !constant_time_eq(
        hashed_payload.as_bytes(),
        hex(&sha256(&req.body)).as_bytes(),
    ) {
        return Err(err(
            400,
            "SignatureDoesNotMatch",
            "The x-acs-content-sha256 header is not the SHA-256 of the body.",
        ));
    }
    let secret = secret_for(ctx, config, key_id, req.header("x-acs-security-token"))?;
    let canonical = acs3_canonical_request(req, signed_headers, hashed_payload)
        .map_err(|m| err(400, "IncompleteSignature", m))?;
    let string_to_sign = format!("ACS3-HMAC-SHA256\n{}", hex(&sha256(canonical.as_bytes())));
    let expected = hex(&hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()));
    if !constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
        return Err(err(
            400,
            "SignatureDoesNotMatch",
            format!(
                "The request signature does not conform to Aliyun standards. server string to sign is:{}",
                string_to_sign.replace('\n', "\\n")
            ),
        ));
    }
    if !nonces.insert(req.header("x-acs-signature-nonce").unwrap_or_default()) {
        return Err(err(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_acs3_example_canonicalizes() {
        // The ACS3 documentation's fixed-value example, as a server receives it.
        let r = RecordedRequest::new(
            "POST",
            "/?ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
        )
        .with_header("Host", "ecs.cn-shanghai.aliyuncs.com")
        .with_header("x-acs-action", "RunInstances")
        .with_header("x-acs-version", "2014-05-26")
        .with_header("x-acs-date", "2023-10-26T10:22:32Z")
        .with_header("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d")
        .with_header(
            "x-acs-content-sha256",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        );
        let canonical = acs3_canonical_request(
            &r,
            "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        )
        .unwrap();
        let sts = format!("ACS3-HMAC-SHA256\n{}", hex(&sha256(canonical.as_bytes())));
        assert_eq!(
            sts,
            "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        assert_eq!(
            hex(&hmac_sha256(b"YourAccessKeySecret", sts.as_bytes())),
            "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    #[test]
    fn authorization_parsing() {
        assert!(parse_acs3_authorization(
            "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=x"
        )
        .is_ok());
        assert!(parse_acs3_authorization(
            "ACS3-HMAC-SHA256 Credential=a, SignedHeaders=host,Signature=x"
        )
        .is_err());
        assert!(parse_acs3_authorization(
            "ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=x"
        )
        .is_err());
        assert!(parse_acs3_authorization("ACS3-HMAC-SHA256").is_err());
    }

    #[test]
    fn xml_rendering() {
        let v = json!({"Regions": {"Region": [{"RegionId": "a<b"}, {"RegionId": "c"}]}});
        assert_eq!(
            to_xml("DescribeRegionsResponse", &v),
            "<?xml version='1.0' encoding='UTF-8'?><DescribeRegionsResponse><Regions><Region><RegionId>a&lt;b</RegionId></Region><Region><RegionId>c</RegionId></Region></Regions></DescribeRegionsResponse>"
        );
    }
}
