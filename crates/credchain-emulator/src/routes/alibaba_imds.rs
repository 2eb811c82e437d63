//! Alibaba Cloud ECS instance metadata (IMDS): session token, RAM role listing and role
//! credentials (`docs/sources/alibaba.md#ecs-ram-role`).
//!
//! - `PUT /latest/api/token` with `X-aliyun-ecs-metadata-token-ttl-seconds: <1..=21600>` answers
//!   a token as text; a missing or invalid TTL answers 400.
//! - `GET /latest/meta-data/ram/security-credentials/` answers the role name as text (404 when no
//!   role is configured).
//! - `GET /latest/meta-data/ram/security-credentials/<role>` answers
//!   `{"Code":"Success","AccessKeyId","AccessKeySecret","SecurityToken","Expiration","LastUpdated"}`
//!   (404 for another role).
//!
//! Token rules for both GETs: an `X-aliyun-ecs-metadata-token` header that is present but unknown
//! or expired answers 401; a missing header answers 401 only when
//! [`crate::EmulatorConfig::require_imds_token`] is set (IMDSv1 disabled).

use std::time::Duration;

use serde_json::json;

use crate::issued_credentials::Cloud;
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};
use crate::state::AssumedRole;

/// ECS IMDSv2 session token: `PUT /latest/api/token`.
pub const ALIBABA_IMDS_TOKEN: &str = "alibaba.imds.token";
/// ECS RAM role listing: `GET /latest/meta-data/ram/security-credentials/`.
pub const ALIBABA_IMDS_ROLE_LIST: &str = "alibaba.imds.role_list";
/// ECS RAM role credentials: `GET /latest/meta-data/ram/security-credentials/<role>`.
pub const ALIBABA_IMDS_CREDENTIALS: &str = "alibaba.imds.credentials";

/// The token endpoint's path.
pub const TOKEN_PATH: &str = "/latest/api/token";
/// The RAM role listing's path (credentials are at this path followed by the role name).
pub const ROLE_LIST_PATH: &str = "/latest/meta-data/ram/security-credentials/";
/// The header carrying the requested token lifetime in seconds.
pub const TOKEN_TTL_HEADER: &str = "x-aliyun-ecs-metadata-token-ttl-seconds";
/// The header carrying the session token on metadata GETs.
pub const TOKEN_HEADER: &str = "x-aliyun-ecs-metadata-token";
/// The longest token lifetime the service grants, in seconds.
pub const MAX_TOKEN_TTL_SECONDS: u64 = 21_600;

/// `PUT /latest/api/token`.
pub fn token_route() -> Route {
    Route::new(
        ALIBABA_IMDS_TOKEN,
        Matcher::method_path("PUT", TOKEN_PATH),
        token,
    )
}

/// `GET /latest/meta-data/ram/security-credentials/`.
pub fn role_list_route() -> Route {
    Route::new(
        ALIBABA_IMDS_ROLE_LIST,
        Matcher::method_path("GET", ROLE_LIST_PATH),
        role_list,
    )
}

/// `GET /latest/meta-data/ram/security-credentials/<role>`.
pub fn credentials_route() -> Route {
    Route::new(
        ALIBABA_IMDS_CREDENTIALS,
        Matcher::method_segment_after("GET", ROLE_LIST_PATH),
        credentials,
    )
}

fn token(req: &RecordedRequest, ctx: &RouteContext<'_>) -> Reply {
    let ttl = req
        .header(TOKEN_TTL_HEADER)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|t| (1..=MAX_TOKEN_TTL_SECONDS).contains(t));
    match ttl {
        Some(ttl) => Reply::text(200, ctx.state().mint_imds_token(Duration::from_secs(ttl))),
        None => Reply::text(400, "400 - Bad Request: invalid token ttl"),
    }
}

/// `Some(401 reply)` when the request's token does not satisfy the rules above.
fn check_token(req: &RecordedRequest, ctx: &RouteContext<'_>) -> Option<Reply> {
    let ok = match req.header(TOKEN_HEADER) {
        Some(token) => ctx.state().imds_token_is_valid(token),
        None => !ctx.config().require_imds_token,
    };
    (!ok).then(|| Reply::text(401, "401 - Unauthorized"))
}

fn not_found() -> Reply {
    Reply::text(404, "404 - Not Found")
}

fn role_list(req: &RecordedRequest, ctx: &RouteContext<'_>) -> Reply {
    if let Some(denied) = check_token(req, ctx) {
        return denied;
    }
    match ctx.config().ecs_role_name {
        Some(role) => Reply::text(200, role),
        None => not_found(),
    }
}

fn credentials(req: &RecordedRequest, ctx: &RouteContext<'_>) -> Reply {
    if let Some(denied) = check_token(req, ctx) {
        return denied;
    }
    let requested = req.path.strip_prefix(ROLE_LIST_PATH).unwrap_or_default();
    if ctx.config().ecs_role_name.as_deref() != Some(requested) {
        return not_found();
    }
    let c = ctx.issue_credentials(Cloud::Alibaba);
    ctx.state().record_assumed_role(
        &c.access_key_id,
        AssumedRole {
            role_arn: requested.to_string(),
            session: "ecs-instance".into(),
        },
    );
    Reply::json(
        200,
        json!({
            "Code": "Success",
            "AccessKeyId": c.access_key_id,
            "AccessKeySecret": c.access_key_secret,
            "SecurityToken": c.security_token,
            "Expiration": c.expiration_utc(),
            "LastUpdated": c.issued_at_utc(),
        }),
    )
}
