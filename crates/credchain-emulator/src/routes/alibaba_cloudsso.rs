//! Alibaba CloudSSO (`docs/sources/alibaba.md#cloudsso`): `POST /cloud-credentials`.
//!
//! Requires `Authorization: Bearer <token>` (non-empty, not starting with `invalid` or
//! `expired`) and a JSON body with non-empty `AccountId` and `AccessConfigurationId`. Answers
//! `{"RequestId","CloudCredential":{"AccessKeyId","AccessKeySecret","SecurityToken","Expiration"}}`;
//! errors `{"RequestId","ErrorCode","ErrorMessage"}` (what aliyun-cli reads).

use serde_json::json;

use crate::issued_credentials::Cloud;
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};

/// Route name of `POST /cloud-credentials`.
pub const ALIBABA_CLOUDSSO_CREDENTIALS: &str = "alibaba.cloudsso.credentials";

fn error(ctx: &RouteContext<'_>, status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"RequestId": format!("EMU-SSO-{:08}", ctx.state().issued().len() + 1),
               "ErrorCode": code, "ErrorMessage": message}),
    )
}

/// `POST /cloud-credentials`.
pub fn route() -> Route {
    Route::new(
        ALIBABA_CLOUDSSO_CREDENTIALS,
        Matcher::method_path("POST", "/cloud-credentials"),
        credentials,
    )
}

fn credentials(req: &RecordedRequest, ctx: &RouteContext<'_>) -> Reply {
    let token = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or_default()
        .trim();
    if token.is_empty() || token.starts_with("invalid") || token.starts_with("expired") {
        return error(
            ctx,
            401,
            "InvalidAccessToken",
            "The access token is invalid or expired.",
        );
    }
    let body = req.json().unwrap_or_default();
    let s = |k: &str| body.get(k).and_then(|v| v.as_str()).unwrap_or_default();
    if s("AccountId").is_empty() || s("AccessConfigurationId").is_empty() {
        return error(
            ctx,
            400,
            "MissingParameter",
            "AccountId and AccessConfigurationId are required.",
        );
    }
    let c = ctx.issue_credentials(Cloud::Alibaba);
    Reply::json(
        200,
        json!({
            "RequestId": format!("EMU-SSO-{:08}", c.serial),
            "CloudCredential": {
                "AccessKeyId": c.access_key_id,
                "AccessKeySecret": c.access_key_secret,
                "SecurityToken": c.security_token,
                "Expiration": c.expiration_utc(),
            }
        }),
    )
}
