//! A generic Tencent Cloud API 3.0 endpoint (`docs/signing.md`), for
//! `credchain call` and signer tests: the actions it implements are answered once their
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
//! - the signature, recomputed from the request as received with [`crate::crypto`]
//!   (`AuthFailure.SignatureFailure`);
//! - a `POST` body is a JSON object (`InvalidParameter`).
//!
//! Answers with HTTP 200, also for errors, in Tencent's shape ([`IMPLEMENTED_ACTIONS`]):
//! `cvm`-style `DescribeInstances` gets `{"Response":{"TotalCount":0,"InstanceSet":[],
//! "RequestId":...}}`, `DescribeRegions` two regions, `GetCallerIdentity` the identity of the
//! signing key ([`super::caller_identity`]); any other correctly signed action is the error
//! `InvalidAction` naming it, never an empty success. Errors:
//! `{"Response":{"Error":{"Code","Message"},"RequestId"}}`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::json;

use super::tc3_verify::{self, Tc3Check};
use super::tencent_sts::{EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY};
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};

/// Route name of the generic API 3.0 endpoint.
pub const TENCENT_API: &str = "tencent.api";
pub use super::tc3_verify::{tc3_canonical_request, MAX_SKEW_SECONDS};
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

fn handle(req: &RecordedRequest, ctx: &RouteContext<'_>, config: &TencentApiConfig) -> Reply {
    if let Err(r) = verify(req, ctx, config) {
        return r;
    }
    if req.is("POST") && !req.json().is_some_and(|v| v.is_object()) {
        return error("InvalidParameter", "the request body is not a JSON object");
    }
    let action = req.header("x-tc-action").unwrap_or_default();
    let body = match action {
        "GetCallerIdentity" => {
            let mut v = super::caller_identity::tencent(ctx, &signing_secret_id(req));
            v["RequestId"] = json!(request_id());
            json!({ "Response": v })
        }
        // The emulated account has no instances.
        "DescribeInstances" => {
            json!({"Response": {"TotalCount": 0, "InstanceSet": [], "RequestId": request_id()}})
        }
        "DescribeRegions" => json!({"Response": {
            "TotalCount": 2,
            "RegionSet": [
                {"Region": "ap-guangzhou", "RegionName": "华南地区(广州)", "RegionState": "AVAILABLE"},
                {"Region": "ap-shanghai", "RegionName": "华东地区(上海)", "RegionState": "AVAILABLE"},
            ],
            "RequestId": request_id(),
        }}),
        other => {
            // An empty success would let a caller believe a call did something.
            let shown: String = other
                .chars()
                .filter(|c| !c.is_control())
                .take(128)
                .collect();
            return error(
                "InvalidAction",
                &format!(
                    "The requested action `{shown}` is not implemented by the credchain emulator \
                     (it implements {}).",
                    IMPLEMENTED_ACTIONS.join(", ")
                ),
            );
        }
    };
    Reply::json(200, body)
}

/// The actions the generic endpoint answers (the rest are an `InvalidAction` error).
pub const IMPLEMENTED_ACTIONS: &[&str] =
    &["GetCallerIdentity", "DescribeInstances", "DescribeRegions"];

/// The SecretId of the (verified) `Authorization: TC3-HMAC-SHA256 Credential=<id>/...` header.
fn signing_secret_id(req: &RecordedRequest) -> String {
    req.header("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').next())
        .unwrap_or_default()
        .to_string()
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
    if req
        .header("x-tc-version")
        .is_none_or(|v| v.trim().is_empty())
    {
        return Err(error(
            "MissingParameter",
            "The request is missing a required parameter `Version`.",
        ));
    }
    let check = Tc3Check {
        keys: &config.keys,
        accept_issued: config.accept_issued,
        check_timestamp: config.check_timestamp,
        service: None,
        error,
    };
    tc3_verify::verify(req, ctx, &check)
}
