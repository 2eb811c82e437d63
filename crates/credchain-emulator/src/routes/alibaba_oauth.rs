//! Alibaba Cloud OAuth (`docs/sources/alibaba.md#oauth`): `POST /v1/token` (refresh) and
//! `POST /v1/exchange` (access token → STS credentials).
//!
//! - `/v1/token`: form body with `grant_type=refresh_token`, a `client_id` that is one of
//!   aliyun-cli's two ([`CN_CLIENT_ID`], [`INTL_CLIENT_ID`]) and a non-empty `refresh_token` that
//!   does not start with `invalid`. Answers `{"access_token","refresh_token","expires_in":3600,
//!   "token_type":"Bearer"}` with new, unique tokens (a refresh token containing `pascal` yields
//!   an access token containing `pascal`).
//! - `/v1/exchange`: `Authorization: Bearer <token>`, where the token is non-empty and does not
//!   start with `invalid` or `expired`. Answers camelCase `{"requestId","accessKeyId",
//!   "accessKeySecret","securityToken","expiration"}`, or PascalCase when the access token
//!   contains `pascal` (the casing the Python reference expects).
//! - Errors: `{"error","error_description","requestId"}`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::json;

use crate::issued_credentials::Cloud;
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};

/// Route name of `POST /v1/token`.
pub const ALIBABA_OAUTH_TOKEN: &str = "alibaba.oauth.token";
/// Route name of `POST /v1/exchange`.
pub const ALIBABA_OAUTH_EXCHANGE: &str = "alibaba.oauth.exchange";
/// aliyun-cli's OAuth client id on the China site.
pub const CN_CLIENT_ID: &str = "4038181954557748008";
/// aliyun-cli's OAuth client id on the international site.
pub const INTL_CLIENT_ID: &str = "4103531455503354461";

fn request_id(ctx: &RouteContext<'_>) -> String {
    format!("EMU-OAUTH-{:08}", ctx.state().issued().len() + 1)
}

fn error(ctx: &RouteContext<'_>, status: u16, code: &str, description: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": code, "error_description": description, "requestId": request_id(ctx)}),
    )
}

/// `POST /v1/token`.
pub fn token_route() -> Route {
    let counter = Arc::new(AtomicU64::new(0));
    Route::new(
        ALIBABA_OAUTH_TOKEN,
        Matcher::method_path("POST", "/v1/token"),
        move |req, ctx| token(req, ctx, counter.fetch_add(1, Ordering::SeqCst) + 1),
    )
}

/// `POST /v1/exchange`.
pub fn exchange_route() -> Route {
    Route::new(
        ALIBABA_OAUTH_EXCHANGE,
        Matcher::method_path("POST", "/v1/exchange"),
        exchange,
    )
}

fn token(req: &RecordedRequest, ctx: &RouteContext<'_>, n: u64) -> Reply {
    let form = req.form_params();
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    if get("grant_type") != "refresh_token" {
        return error(
            ctx,
            400,
            "unsupported_grant_type",
            "grant_type must be refresh_token",
        );
    }
    let client = get("client_id");
    if client != CN_CLIENT_ID && client != INTL_CLIENT_ID {
        return error(ctx, 401, "invalid_client", "unknown client_id");
    }
    let rt = get("refresh_token");
    if rt.is_empty() || rt.starts_with("invalid") {
        return error(
            ctx,
            400,
            "invalid_grant",
            "the refresh token is invalid or expired",
        );
    }
    let tag = if rt.contains("pascal") { "pascal-" } else { "" };
    Reply::json(
        200,
        json!({
            "access_token": format!("emu-oauth-access-{tag}{n:04}"),
            "refresh_token": format!("emu-oauth-refresh-{tag}{n:04}"),
            "expires_in": 3600,
            "token_type": "Bearer",
        }),
    )
}

fn exchange(req: &RecordedRequest, ctx: &RouteContext<'_>) -> Reply {
    let token = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or_default()
        .trim();
    if token.is_empty() || token.starts_with("invalid") || token.starts_with("expired") {
        return error(
            ctx,
            401,
            "invalid_token",
            "the access token is invalid or expired",
        );
    }
    let c = ctx.issue_credentials(Cloud::Alibaba);
    let rid = request_id(ctx);
    let body = if token.contains("pascal") {
        json!({"RequestId": rid, "AccessKeyId": c.access_key_id, "AccessKeySecret": c.access_key_secret,
               "SecurityToken": c.security_token, "Expiration": c.expiration_utc()})
    } else {
        json!({"requestId": rid, "accessKeyId": c.access_key_id, "accessKeySecret": c.access_key_secret,
               "securityToken": c.security_token, "expiration": c.expiration_utc()})
    };
    Reply::json(200, body)
}
