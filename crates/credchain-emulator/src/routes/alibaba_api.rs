//! Generic Alibaba Cloud OpenAPI endpoints (`docs/signing.md`), for `credchain call`
//! and signer tests: the actions it implements are answered once their signature verifies.
//!
//! - [`ALIBABA_API_RPC`]: `GET`/`POST /` with an `Action` parameter other than the STS ones
//!   (`AssumeRole`, `AssumeRoleWithOIDC`, which [`super::alibaba_sts`] serves). Checks
//!   `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`, `Version`, `Format` (`JSON` or `XML`: the
//!   answer follows it), a `Timestamp` within [`MAX_CLOCK_SKEW_SECONDS`] of now, a known
//!   `AccessKeyId` (plus its `SecurityToken` for issued credentials), the RPC v1 signature
//!   (recomputed by [`super::rpc_verify`] with the emulator's own HMAC-SHA1), and finally that
//!   the `SignatureNonce` was never used before on this route.
//! - [`ALIBABA_API_ACS3`]: any method with `Authorization: ACS3-HMAC-SHA256 Credential=<id>,
//!   SignedHeaders=<list>,Signature=<hex>` (or an `x-acs-action` header). Checks the `x-acs-action`,
//!   `x-acs-version`, `x-acs-date`, `x-acs-signature-nonce` and `x-acs-content-sha256` headers,
//!   that the content hash is the body's SHA-256, that `host`, every `x-acs-*` header and
//!   `content-type` (when sent) are signed, the date window, the key (`x-acs-security-token` for
//!   issued credentials), the V3 signature recomputed here from the request as received (own
//!   canonicalization, SHA-256 and HMAC from [`crate::crypto`]), and nonce reuse.
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

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use super::acs3_verify;
use super::alibaba_auth::{err, ApiError, KeyCheck, Nonces};
use super::alibaba_sts::{ACCESS_KEY_ID, ACCESS_KEY_SECRET};
use super::rpc_verify::{self, all_params, param};
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};

pub use super::acs3_verify::acs3_canonical_request;
pub use super::alibaba_auth::MAX_CLOCK_SKEW_SECONDS;

/// Route name of the generic RPC (signature v1) endpoint.
pub const ALIBABA_API_RPC: &str = "alibaba.api.rpc";
/// Route name of the generic ACS3 (V3 signature) endpoint.
pub const ALIBABA_API_ACS3: &str = "alibaba.api.acs3";
/// Actions the STS routes answer; the generic RPC route leaves them alone.
pub const STS_ACTIONS: &[&str] = &["AssumeRole", "AssumeRoleWithOIDC"];

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

impl AlibabaApiConfig {
    fn key_check(&self) -> KeyCheck<'_> {
        KeyCheck {
            keys: &self.keys,
            accept_issued: self.accept_issued,
            check_timestamp: self.check_timestamp,
        }
    }
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

fn rpc(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    config: &AlibabaApiConfig,
    nonces: &Nonces,
) -> Reply {
    let params = all_params(req);
    let format = match param(&params, "Format") {
        Some(f) if f.eq_ignore_ascii_case("XML") => Format::Xml,
        _ => Format::Json,
    };
    let action = param(&params, "Action").unwrap_or_default();
    let answer =
        rpc_verify::verify(req, ctx, &config.key_check(), nonces, &params).and_then(|()| {
            success_value(
                ctx,
                action,
                param(&params, "AccessKeyId").unwrap_or_default(),
            )
        });
    match (answer, format) {
        (Ok(body), Format::Json) => Reply::json(200, body),
        (Ok(body), Format::Xml) => Reply::bytes(
            200,
            "text/xml;charset=utf-8",
            to_xml(&format!("{action}Response"), &body),
        ),
        (Err(e), _) => error_reply(req, e, format),
    }
}

fn acs3(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    config: &AlibabaApiConfig,
    nonces: &Nonces,
) -> Reply {
    let answer = acs3_verify::verify(req, ctx, &config.key_check(), nonces).and_then(|()| {
        success_value(
            ctx,
            req.header("x-acs-action").unwrap_or_default(),
            req.header("authorization")
                .and_then(|a| acs3_verify::parse_authorization(a).ok())
                .map_or("", |a| a.key_id),
        )
    });
    match answer {
        Ok(body) => Reply::json(200, body),
        Err(e) => error_reply(req, e, Format::Json),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_rendering() {
        let v = json!({"Regions": {"Region": [{"RegionId": "a<b"}, {"RegionId": "c"}]}});
        assert_eq!(
            to_xml("DescribeRegionsResponse", &v),
            "<?xml version='1.0' encoding='UTF-8'?><DescribeRegionsResponse><Regions><Region><RegionId>a&lt;b</RegionId></Region><Region><RegionId>c</RegionId></Region></Regions></DescribeRegionsResponse>"
        );
    }
}
