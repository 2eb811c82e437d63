//! Alibaba Cloud STS (`docs/sources/alibaba.md#ram-role`,
//! `docs/sources/alibaba.md#oidc-role-rrsa`): `AssumeRole` verifying the RPC v1 signature, and
//! `AssumeRoleWithOIDC` checking the token.
//!
//! - `AssumeRole` (`GET` or `POST /`, parameters in the query and/or an urlencoded form body):
//!   `Format=JSON`, `Version=2015-04-01`, `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`, a
//!   `Timestamp` (`YYYY-MM-DDThh:mm:ssZ`) within 15 minutes of now, a `SignatureNonce` never seen
//!   before, a known `AccessKeyId` and a `Signature` equal to the one computed here (own SHA-1,
//!   HMAC and percent-encoding, independent of the library). Known keys: the fixed
//!   [`ACCESS_KEY_ID`]/[`ACCESS_KEY_SECRET`] pair, any pair added with [`assume_role_route_with_keys`],
//!   and every credential the emulator issued (which must then send its `SecurityToken`).
//!   `RoleArn` must look like `acs:ram::<account>:role/<name>`; `RoleSessionName` 2–32 characters of
//!   `[A-Za-z0-9.@_-]`; `DurationSeconds` 900..=[`MAX_SESSION_DURATION`]; `Policy` at most 1024
//!   characters. Answers `{"RequestId","AssumedRoleUser":{..},"Credentials":{..}}`.
//! - `AssumeRoleWithOIDC` (unsigned): `RoleArn`, `OIDCProviderArn` and `OIDCToken` required; the
//!   token must come in the form body (never the query) and must not start with `invalid`.
//! - Errors use the Alibaba shape `{"RequestId","HostId","Code","Message"}`.
//!
//! Both grant `DurationSeconds` (default 3600 s) capped by the configured credential lifetime,
//! which plays the role's longest allowed session: the issued credentials and the answer's
//! `Expiration` are that long after the emulator's clock. A client asking for 7200 s may get
//! 3600 s and must follow the `Expiration` it is given.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::alibaba_auth::{err, ApiError, KeyCheck, Nonces};
use super::rpc_verify::{self, all_params, check_fixed, param};
use crate::issued_credentials::Cloud;
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};
use crate::state::AssumedRole;

pub use super::rpc_verify::{rpc_signature, string_to_sign};

/// Route name of `AssumeRole`.
pub const ALIBABA_STS_ASSUME_ROLE: &str = "alibaba.sts.assume_role";
/// Route name of `AssumeRoleWithOIDC`.
pub const ALIBABA_STS_ASSUME_ROLE_WITH_OIDC: &str = "alibaba.sts.assume_role_with_oidc";
/// The long-term AccessKey id the emulator's STS accepts.
pub const ACCESS_KEY_ID: &str = "LTAI5tEmulatorKeyId01";
/// Its secret.
pub const ACCESS_KEY_SECRET: &str = "EmulatorAccessKeySecret01xQz";
/// The longest session the emulated roles allow.
pub const MAX_SESSION_DURATION: u64 = 43_200;
/// The session Alibaba grants when `DurationSeconds` is absent.
const DEFAULT_SESSION_DURATION: u64 = 3600;

/// `AssumeRole` with the default key.
pub fn assume_role_route() -> Route {
    assume_role_route_with_keys(Vec::new())
}

/// `AssumeRole` accepting the default key plus `keys` (`(id, secret)` pairs).
pub fn assume_role_route_with_keys(keys: Vec<(String, String)>) -> Route {
    let mut known = keys;
    known.push((ACCESS_KEY_ID.to_string(), ACCESS_KEY_SECRET.to_string()));
    let nonces = Arc::new(Nonces::default());
    Route::new(
        ALIBABA_STS_ASSUME_ROLE,
        Matcher::rpc_action("AssumeRole"),
        move |req, ctx| assume_role(req, ctx, &known, &nonces),
    )
}

/// `AssumeRoleWithOIDC`.
pub fn assume_role_with_oidc_route() -> Route {
    Route::new(
        ALIBABA_STS_ASSUME_ROLE_WITH_OIDC,
        Matcher::rpc_action("AssumeRoleWithOIDC"),
        oidc,
    )
}

fn request_id(ctx: &RouteContext<'_>) -> String {
    format!("EMU-STS-{:08}", ctx.state().issued().len() + 1)
}

fn error(ctx: &RouteContext<'_>, e: ApiError) -> Reply {
    Reply::json(
        e.status,
        json!({"RequestId": request_id(ctx), "HostId": "sts.aliyuncs.com", "Code": e.code, "Message": e.message}),
    )
}

/// The role a request asks for, once its parameters are checked.
struct RoleRequest {
    role_arn: String,
    session: String,
    duration: u64,
}

fn check_role_params(params: &[(String, String)]) -> Result<RoleRequest, ApiError> {
    let role_arn = param(params, "RoleArn").unwrap_or_default();
    if !(role_arn.starts_with("acs:ram::") && role_arn.contains(":role/")) {
        return Err(err(
            400,
            "InvalidParameter.RoleArn",
            "The parameter RoleArn is wrongly formed.",
        ));
    }
    let session = param(params, "RoleSessionName").unwrap_or_default();
    let ok_session = (2..=32).contains(&session.len())
        && session
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.@".contains(&b));
    if !ok_session {
        return Err(err(
            400,
            "InvalidParameter.RoleSessionName",
            "The parameter RoleSessionName is wrongly formed.",
        ));
    }
    let duration = match param(params, "DurationSeconds") {
        None => DEFAULT_SESSION_DURATION,
        Some(d) => d.parse::<u64>().unwrap_or(0),
    };
    if !(900..=MAX_SESSION_DURATION).contains(&duration) {
        return Err(err(
            400,
            "InvalidParameter.DurationSeconds",
            "The Min/Max value of DurationSeconds is 15min/12hr.",
        ));
    }
    if param(params, "Policy").is_some_and(|p| p.is_empty() || p.chars().count() > 1024) {
        return Err(err(
            400,
            "InvalidParameter.PolicyGrammar",
            "The parameter Policy has not been defined.",
        ));
    }
    Ok(RoleRequest {
        role_arn: role_arn.to_string(),
        session: session.to_string(),
        duration,
    })
}

fn success(ctx: &RouteContext<'_>, role: &RoleRequest) -> Reply {
    // The configured lifetime is the role's longest session, so the grant is the shorter of the
    // two, as in the Tencent STS route.
    let granted = Duration::from_secs(role.duration).min(ctx.config().credential_lifetime);
    let c = ctx.issue_credentials_for(Cloud::Alibaba, granted);
    let (role_arn, session) = (&role.role_arn, &role.session);
    ctx.state().record_assumed_role(
        &c.access_key_id,
        AssumedRole {
            role_arn: role_arn.clone(),
            session: session.clone(),
        },
    );
    let role_name = role_arn.rsplit('/').next().unwrap_or("role");
    Reply::json(
        200,
        json!({
            "RequestId": request_id(ctx),
            "AssumedRoleUser": {"Arn": format!("{role_arn}/{session}"), "AssumedRoleUserId": format!("3{:017}:{session}", c.serial)},
            "Credentials": {
                "AccessKeyId": c.access_key_id,
                "AccessKeySecret": c.access_key_secret,
                "SecurityToken": c.security_token,
                "Expiration": c.expiration_utc(),
            },
            "SourceIdentity": role_name,
        }),
    )
}

fn answer(ctx: &RouteContext<'_>, outcome: Result<RoleRequest, ApiError>) -> Reply {
    match outcome {
        Ok(role) => success(ctx, &role),
        Err(e) => error(ctx, e),
    }
}

fn assume_role(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    known: &[(String, String)],
    nonces: &Nonces,
) -> Reply {
    let params = all_params(req);
    let outcome =
        verify_signed(req, ctx, known, nonces, &params).and_then(|()| check_role_params(&params));
    answer(ctx, outcome)
}

/// The RPC v1 checks in the order STS reports them: fixed parameters, time, nonce (used up even
/// when the key or signature is then refused), key, signature.
fn verify_signed(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    known: &[(String, String)],
    nonces: &Nonces,
    params: &[(String, String)],
) -> Result<(), ApiError> {
    check_fixed(
        params,
        &[
            ("Format", "JSON"),
            ("Version", "2015-04-01"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
        ],
    )?;
    let check = KeyCheck {
        keys: known,
        accept_issued: true,
        check_timestamp: true,
    };
    // STS takes the second-precision form only (20 characters, no fraction).
    check.check_time(param(params, "Timestamp").filter(|t| t.len() == 20))?;
    nonces.insert(rpc_verify::nonce(params)?)?;
    let secret = check.secret_for(
        ctx,
        param(params, "AccessKeyId").unwrap_or_default(),
        param(params, "SecurityToken"),
    )?;
    rpc_verify::check_signature(&req.method, params, &secret)
}

fn oidc(req: &RecordedRequest, ctx: &RouteContext<'_>) -> Reply {
    let params = all_params(req);
    let outcome = check_oidc_params(req, &params).and_then(|()| check_role_params(&params));
    answer(ctx, outcome)
}

fn check_oidc_params(req: &RecordedRequest, params: &[(String, String)]) -> Result<(), ApiError> {
    if req.query_params().iter().any(|(k, _)| k == "OIDCToken") {
        return Err(err(
            400,
            "InvalidParameter.OIDCToken",
            "The OIDC token must be sent in the request body, not in the URL.",
        ));
    }
    if !param(params, "OIDCProviderArn")
        .is_some_and(|a| a.starts_with("acs:ram::") && a.contains(":oidc-provider/"))
    {
        return Err(err(
            400,
            "InvalidParameter.OIDCProviderArn",
            "The parameter OIDCProviderArn is wrongly formed.",
        ));
    }
    match param(params, "OIDCToken") {
        None | Some("") => Err(err(
            400,
            "MissingOIDCToken",
            "OIDCToken is mandatory for this action.",
        )),
        Some(t) if t.starts_with("invalid") => Err(err(
            400,
            "AuthenticationFail.OIDCToken.Invalid",
            "The OIDC token is invalid.",
        )),
        Some(_) => Ok(()),
    }
}
