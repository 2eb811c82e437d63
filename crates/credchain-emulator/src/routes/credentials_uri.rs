//! Alibaba Cloud credentials URI (`docs/sources/alibaba.md#credentials-uri`): `GET <path>` (any
//! query) answers
//! `{"Code":"Success","AccessKeyId","AccessKeySecret","SecurityToken","Expiration"}`.

use serde_json::json;

use crate::issued_credentials::Cloud;
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};

/// Alibaba credentials URI: `GET /credentials-uri` (see
/// [`crate::Emulator::set_credentials_uri_path`]).
pub const ALIBABA_CREDENTIALS_URI: &str = "alibaba.credentials_uri";

/// The route serving `GET <path>`.
pub fn route(path: &str) -> Route {
    Route::new(
        ALIBABA_CREDENTIALS_URI,
        Matcher::method_path("GET", path),
        credentials,
    )
}

fn credentials(_req: &RecordedRequest, ctx: &RouteContext<'_>) -> Reply {
    let c = ctx.issue_credentials(Cloud::Alibaba);
    Reply::json(
        200,
        json!({
            "Code": "Success",
            "AccessKeyId": c.access_key_id,
            "AccessKeySecret": c.access_key_secret,
            "SecurityToken": c.security_token,
            "Expiration": c.expiration_utc(),
        }),
    )
}
