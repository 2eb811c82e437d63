//! Tencent Cloud STS (API 3.0, `docs/sources/tencent.md#sts`): `AssumeRole` verifying
//! TC3-HMAC-SHA256 signatures, and `AssumeRoleWithWebIdentity` checking the OIDC token.
//!
//! Both are `POST /` with `X-TC-Action`, JSON bodies, and answer in Tencent's shape, with HTTP 200
//! also for errors: `{"Response":{"Credentials":{"Token","TmpSecretId","TmpSecretKey"},
//! "ExpiredTime","Expiration","RequestId"}}` or `{"Response":{"Error":{"Code","Message"},"RequestId"}}`.
//!
//! `AssumeRole` checks, in order (each failure has the code Tencent uses):
//! - `Authorization` is a well-formed `TC3-HMAC-SHA256 Credential=<id>/<date>/sts/tc3_request,
//!   SignedHeaders=..., Signature=...` signing at least `content-type` and `host`
//!   (`AuthFailure.SignatureFailure`), `X-TC-Timestamp` is within 300 s of the emulator's clock
//!   (`AuthFailure.SignatureExpire`) and its UTC date is the scope's date;
//! - the SecretId is a configured long-term key ([`TencentStsConfig::keys`]; default
//!   [`EMULATOR_SECRET_ID`]) or temporary credentials this emulator issued, in which case
//!   `X-TC-Token` must be their token (`AuthFailure.SecretIdNotFound`, `AuthFailure.TokenFailure`);
//! - the signature, recomputed here independently of credchain's signer, matches
//!   (`AuthFailure.SignatureFailure`);
//! - `X-TC-Version` is `2018-08-13` and `X-TC-Region` is set; the body is JSON with `RoleArn`
//!   (`qcs::cam::uin/...`, else `InternalError.GetRoleError`), `RoleSessionName` (2-128 of
//!   `[\w+=,.@-]`), optional `DurationSeconds` (1..=43200), `Policy`, `ExternalId`, and nothing
//!   else (`MissingParameter`, `InvalidParameter*`, `UnknownParameter`).
//!
//! The configured credential lifetime plays the role's longest allowed session: the credentials
//! both answer expire `DurationSeconds` after now when the request gives a shorter one, else after
//! that lifetime. Tencent's STS likewise grants at most the role's maximum, so a client asking for
//! 7200 s may get 900 s and must follow the `ExpiredTime` it is given.
//!
//! `AssumeRoleWithWebIdentity` checks `Authorization: SKIP`, no `X-TC-Token`, `X-TC-Region` set,
//! `ProviderId` and `WebIdentityToken` among the configured ones
//! (`InvalidParameter.WebIdentityTokenError`), and the same role and session rules.
//!
//! Throttling (`RequestLimitExceeded`) and other errors are injected with a status fault whose
//! body is [`error_body`] (Tencent answers them with HTTP 200).

use super::tc3_verify::{self, Tc3Check};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::issued_credentials::Cloud;
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};
use crate::state::AssumedRole;

/// The long-term SecretId the emulator's STS accepts by default.
pub const EMULATOR_SECRET_ID: &str = "AKIDemuLongTermKey00000000000001";
/// Its SecretKey.
pub const EMULATOR_SECRET_KEY: &str = "emuLongTermSecretKey0000000000001";
/// The OIDC provider id accepted by default.
pub const EMULATOR_OIDC_PROVIDER_ID: &str = "emu-oidc-provider";
/// A web identity token accepted by default.
pub const EMULATOR_WEB_IDENTITY_TOKEN: &str =
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJlbXUtcG9kIn0.ZW11LXNpZy0x";
/// A second accepted token (for rotation tests).
pub const EMULATOR_WEB_IDENTITY_TOKEN_ROTATED: &str =
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJlbXUtcG9kLTIifQ.ZW11LXNpZy0y";
/// The STS API version.
pub const STS_VERSION: &str = "2018-08-13";
pub use super::tc3_verify::MAX_SKEW_SECONDS;

/// Tencent STS AssumeRole: `POST /` with `X-TC-Action: AssumeRole` (see the module docs).
pub const TENCENT_STS_ASSUME_ROLE: &str = "tencent.sts.assume_role";
/// Tencent STS AssumeRoleWithWebIdentity: `POST /` with `X-TC-Action: AssumeRoleWithWebIdentity`.
pub const TENCENT_STS_ASSUME_ROLE_WITH_WEB_IDENTITY: &str =
    "tencent.sts.assume_role_with_web_identity";

/// What the emulated STS accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TencentStsConfig {
    /// Long-term (SecretId, SecretKey) pairs.
    pub keys: Vec<(String, String)>,
    /// Whether temporary credentials issued by this emulator (with their `X-TC-Token`) may call
    /// AssumeRole (role chaining). Default `true`.
    pub accept_issued: bool,
    /// Accepted OIDC provider ids.
    pub provider_ids: Vec<String>,
    /// Accepted web identity tokens.
    pub web_identity_tokens: Vec<String>,
    /// Whether `X-TC-Timestamp` must be within [`MAX_SKEW_SECONDS`] of the emulator's clock.
    pub check_timestamp: bool,
}

impl Default for TencentStsConfig {
    fn default() -> Self {
        TencentStsConfig {
            keys: vec![(EMULATOR_SECRET_ID.into(), EMULATOR_SECRET_KEY.into())],
            accept_issued: true,
            provider_ids: vec![EMULATOR_OIDC_PROVIDER_ID.into()],
            web_identity_tokens: vec![
                EMULATOR_WEB_IDENTITY_TOKEN.into(),
                EMULATOR_WEB_IDENTITY_TOKEN_ROTATED.into(),
            ],
            check_timestamp: true,
        }
    }
}

/// `POST /` with `X-TC-Action: AssumeRole`, default configuration.
pub fn assume_role_route() -> Route {
    assume_role_route_with(TencentStsConfig::default())
}

/// `POST /` with `X-TC-Action: AssumeRole`, accepting what `config` says. Adding it to a running
/// emulator ([`crate::Emulator::add_route`]) replaces the built-in one.
pub fn assume_role_route_with(config: TencentStsConfig) -> Route {
    let config = Arc::new(config);
    Route::new(
        TENCENT_STS_ASSUME_ROLE,
        Matcher::tc3_action("AssumeRole"),
        move |req, ctx| assume_role(req, ctx, &config),
    )
}

/// `POST /` with `X-TC-Action: AssumeRoleWithWebIdentity`, default configuration.
pub fn web_identity_route() -> Route {
    web_identity_route_with(TencentStsConfig::default())
}

/// `POST /` with `X-TC-Action: AssumeRoleWithWebIdentity`, accepting what `config` says.
pub fn web_identity_route_with(config: TencentStsConfig) -> Route {
    let config = Arc::new(config);
    Route::new(
        TENCENT_STS_ASSUME_ROLE_WITH_WEB_IDENTITY,
        Matcher::tc3_action("AssumeRoleWithWebIdentity"),
        move |req, ctx| web_identity(req, ctx, &config),
    )
}

static REQUESTS: AtomicU64 = AtomicU64::new(0);

fn request_id() -> String {
    let n = REQUESTS.fetch_add(1, Ordering::Relaxed) + 1;
    format!("emu-tc-{n:08x}-0000-4000-8000-{n:012x}")
}

/// A Tencent error body: `{"Response":{"Error":{"Code","Message"},"RequestId"}}`.
///
/// ```
/// let b = credchain_emulator::routes::tencent_sts::error_body("RequestLimitExceeded", "slow down");
/// assert!(b.contains(r#""Code":"RequestLimitExceeded""#));
/// ```
pub fn error_body(code: &str, message: &str) -> String {
    error_value(code, message).to_string()
}

fn error_value(code: &str, message: &str) -> Value {
    json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id()}})
}

fn error(code: &str, message: &str) -> Reply {
    Reply::json(200, error_value(code, message))
}

fn success(ctx: &RouteContext<'_>, body: &Value) -> Reply {
    // `check_body` has already refused a DurationSeconds outside 1..=43200; the configured
    // lifetime is the role's maximum session.
    let longest = ctx.config().credential_lifetime;
    let c = match body.get("DurationSeconds").and_then(Value::as_u64) {
        Some(d) => {
            let asked = std::time::Duration::from_secs(d);
            ctx.issue_credentials_for(Cloud::Tencent, asked.min(longest))
        }
        None => ctx.issue_credentials(Cloud::Tencent),
    };
    ctx.state().record_assumed_role(
        &c.access_key_id,
        AssumedRole {
            role_arn: body["RoleArn"].as_str().unwrap_or_default().to_string(),
            session: body["RoleSessionName"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        },
    );
    Reply::json(
        200,
        json!({"Response": {
            "Credentials": {
                "Token": c.security_token,
                "TmpSecretId": c.access_key_id,
                "TmpSecretKey": c.access_key_secret,
            },
            "ExpiredTime": c.expiration_unix(),
            "Expiration": c.expiration_utc(),
            "RequestId": request_id(),
        }}),
    )
}

fn common_headers(req: &RecordedRequest) -> Result<(), Reply> {
    if req.header("x-tc-version") != Some(STS_VERSION) {
        return Err(error(
            "InvalidParameterValue",
            "X-TC-Version must be 2018-08-13",
        ));
    }
    if req
        .header("x-tc-region")
        .is_none_or(|r| r.trim().is_empty())
    {
        return Err(error(
            "MissingParameter",
            "The request is missing a required parameter `Region`.",
        ));
    }
    Ok(())
}

/// Checks `RoleArn`, `RoleSessionName`, `DurationSeconds` and that only `allowed` keys are present.
fn check_body(body: &Value, allowed: &[&str]) -> Result<(), Reply> {
    let Some(obj) = body.as_object() else {
        return Err(error(
            "InvalidParameter",
            "the request body is not a JSON object",
        ));
    };
    if let Some(k) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(error(
            "UnknownParameter",
            &format!("The parameter `{k}` is not recognized."),
        ));
    }
    let Some(arn) = obj.get("RoleArn").and_then(Value::as_str) else {
        return Err(error(
            "MissingParameter",
            "The request is missing a required parameter `RoleArn`.",
        ));
    };
    if !arn.starts_with("qcs::cam::uin/") || !(arn.contains(":roleName/") || arn.contains(":role/"))
    {
        return Err(error("InternalError.GetRoleError", "get role error"));
    }
    let Some(session) = obj.get("RoleSessionName").and_then(Value::as_str) else {
        return Err(error(
            "MissingParameter",
            "The request is missing a required parameter `RoleSessionName`.",
        ));
    };
    let valid_char = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c);
    if !(2..=128).contains(&session.len()) || !session.chars().all(valid_char) {
        return Err(error(
            "InvalidParameterValue",
            "RoleSessionName must be 2-128 characters of [\\w+=,.@-]",
        ));
    }
    if let Some(d) = obj.get("DurationSeconds") {
        match d.as_u64() {
            Some(d) if (1..=43200).contains(&d) => {}
            _ => {
                return Err(error(
                    "InvalidParameterValue",
                    "DurationSeconds must be an integer in 1..=43200",
                ))
            }
        }
    }
    for k in ["Policy", "ExternalId"] {
        if obj.get(k).is_some_and(|v| !v.is_string()) {
            return Err(error(
                "InvalidParameterValue",
                &format!("{k} must be a string"),
            ));
        }
    }
    Ok(())
}

fn assume_role(req: &RecordedRequest, ctx: &RouteContext<'_>, config: &TencentStsConfig) -> Reply {
    if let Err(r) = verify_tc3(req, ctx, config) {
        return r;
    }
    if let Err(r) = common_headers(req) {
        return r;
    }
    let Some(body) = req.json() else {
        return error("InvalidParameter", "the request body is not JSON");
    };
    if let Err(r) = check_body(
        &body,
        &[
            "RoleArn",
            "RoleSessionName",
            "DurationSeconds",
            "Policy",
            "ExternalId",
            "Tags",
            "SourceIdentity",
            "SerialNumber",
            "TokenCode",
        ],
    ) {
        return r;
    }
    success(ctx, &body)
}

fn web_identity(req: &RecordedRequest, ctx: &RouteContext<'_>, config: &TencentStsConfig) -> Reply {
    if req.header("authorization") != Some("SKIP") {
        return error(
            "AuthFailure.InvalidAuthorization",
            "AssumeRoleWithWebIdentity is not signed: send `Authorization: SKIP`",
        );
    }
    if req.header("x-tc-token").is_some() {
        return error(
            "InvalidParameter",
            "AssumeRoleWithWebIdentity must not carry X-TC-Token",
        );
    }
    if let Err(r) = common_headers(req) {
        return r;
    }
    let Some(body) = req.json() else {
        return error("InvalidParameter", "the request body is not JSON");
    };
    for k in ["ProviderId", "WebIdentityToken"] {
        if body.get(k).and_then(Value::as_str).is_none() {
            return error(
                "MissingParameter",
                &format!("The request is missing a required parameter `{k}`."),
            );
        }
    }
    let provider = body["ProviderId"].as_str().unwrap_or_default();
    if !config.provider_ids.iter().any(|p| p == provider) {
        return error(
            "InvalidParameter.ProviderIdNotExist",
            "the identity provider does not exist",
        );
    }
    let token = body["WebIdentityToken"].as_str().unwrap_or_default();
    if !config.web_identity_tokens.iter().any(|t| t == token) {
        return error(
            "InvalidParameter.WebIdentityTokenError",
            "the web identity token is invalid",
        );
    }
    if let Err(r) = check_body(
        &body,
        &[
            "ProviderId",
            "WebIdentityToken",
            "RoleArn",
            "RoleSessionName",
            "DurationSeconds",
        ],
    ) {
        return r;
    }
    success(ctx, &body)
}

/// Verifies a TC3-HMAC-SHA256 request for STS (the scope must name `sts`); see [`tc3_verify`].
fn verify_tc3(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    config: &TencentStsConfig,
) -> Result<(), Reply> {
    let check = Tc3Check {
        keys: &config.keys,
        accept_issued: config.accept_issued,
        check_timestamp: config.check_timestamp,
        service: Some("sts"),
        error,
    };
    tc3_verify::verify(req, ctx, &check)
}
