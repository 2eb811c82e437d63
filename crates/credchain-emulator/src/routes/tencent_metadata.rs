//! Tencent Cloud CVM instance metadata (`docs/sources/tencent.md#cvm-instance-role`). Plain HTTP,
//! no token handshake.
//!
//! - `GET /latest/meta-data/cam/security-credentials/` answers the bound role name as text (404
//!   when no role is configured: "role not bound").
//! - `GET /latest/meta-data/cam/security-credentials/<role>` answers
//!   `{"TmpSecretId","TmpSecretKey","ExpiredTime" (Unix seconds),"Expiration" (RFC 3339 UTC),
//!   "Token","Code":"Success"}` (404 for another role).

use serde_json::json;

use crate::issued_credentials::Cloud;
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};
use crate::state::AssumedRole;

/// CVM CAM role listing: `GET /latest/meta-data/cam/security-credentials/`.
pub const TENCENT_CVM_ROLE_LIST: &str = "tencent.cvm.role_list";
/// CVM CAM role credentials: `GET /latest/meta-data/cam/security-credentials/<role>`.
pub const TENCENT_CVM_CREDENTIALS: &str = "tencent.cvm.credentials";

/// The CAM role listing's path (credentials are at this path followed by the role name).
pub const ROLE_LIST_PATH: &str = "/latest/meta-data/cam/security-credentials/";

/// `GET /latest/meta-data/cam/security-credentials/`.
pub fn role_list_route() -> Route {
    Route::new(
        TENCENT_CVM_ROLE_LIST,
        Matcher::method_path("GET", ROLE_LIST_PATH),
        role_list,
    )
}

/// `GET /latest/meta-data/cam/security-credentials/<role>`.
pub fn credentials_route() -> Route {
    Route::new(
        TENCENT_CVM_CREDENTIALS,
        Matcher::method_segment_after("GET", ROLE_LIST_PATH),
        credentials,
    )
}

fn not_found() -> Reply {
    Reply::text(404, "404 - Not Found")
}

fn role_list(_req: &RecordedRequest, ctx: &RouteContext<'_>) -> Reply {
    match ctx.config().cvm_role_name {
        Some(role) => Reply::text(200, role),
        None => not_found(),
    }
}

fn credentials(req: &RecordedRequest, ctx: &RouteContext<'_>) -> Reply {
    let requested = req.path.strip_prefix(ROLE_LIST_PATH).unwrap_or_default();
    if ctx.config().cvm_role_name.as_deref() != Some(requested) {
        return not_found();
    }
    let c = ctx.issue_credentials(Cloud::Tencent);
    ctx.state().record_assumed_role(
        &c.access_key_id,
        AssumedRole {
            role_arn: requested.to_string(),
            session: "cvm-instance".into(),
        },
    );
    Reply::json(
        200,
        json!({
            "TmpSecretId": c.access_key_id,
            "TmpSecretKey": c.access_key_secret,
            "ExpiredTime": c.expiration_unix(),
            "Expiration": c.expiration_utc(),
            "Token": c.security_token,
            "Code": "Success",
        }),
    )
}
