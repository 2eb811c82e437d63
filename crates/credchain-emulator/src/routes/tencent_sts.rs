//! Tencent Cloud STS (API 3.0, reference: tencent.md §1.5, §1.6, §3, §4): `AssumeRole` verifying
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
//! `AssumeRoleWithWebIdentity` checks `Authorization: SKIP`, no `X-TC-Token`, `X-TC-Region` set,
//! `ProviderId` and `WebIdentityToken` among the configured ones
//! (`InvalidParameter.WebIdentityTokenError`), and the same role and session rules.
//!
//! Throttling (`RequestLimitExceeded`) and other errors are injected with a status fault whose
//! body is [`error_body`] (Tencent answers them with HTTP 200).

use super::crypto::{constant_time_eq, hex, hmac_sha256, sha256, utc_date};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::{json, Value};

use super::{TENCENT_STS_ASSUME_ROLE, TENCENT_STS_ASSUME_ROLE_WITH_WEB_IDENTITY};
use crate::issue::Cloud;
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};

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
/// Largest accepted clock difference of `X-TC-Timestamp`, in seconds.
pub const MAX_SKEW_SECONDS: i64 = 300;

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

fn success(ctx: &RouteContext<'_>) -> Reply {
    let c = ctx.issue_credentials(Cloud::Tencent);
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
    success(ctx)
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
    success(ctx)
}

fn sig_failure(msg: &str) -> Reply {
    error("AuthFailure.SignatureFailure", msg)
}

/// Verifies a TC3-HMAC-SHA256 request, written from the spec (tencent.md §4.1).
fn verify_tc3(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    config: &TencentStsConfig,
) -> Result<(), Reply> {
    let auth = req.header("authorization").unwrap_or_default();
    let Some(rest) = auth.strip_prefix("TC3-HMAC-SHA256 ") else {
        return Err(sig_failure("Authorization is not TC3-HMAC-SHA256"));
    };
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(", ") {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(sig_failure("malformed Authorization")),
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(sig_failure("malformed Authorization"));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [secret_id, date, service, "tc3_request"] = scope[..] else {
        return Err(sig_failure("malformed Credential scope"));
    };
    if service != "sts" {
        return Err(sig_failure("the credential scope's service is not sts"));
    }
    let Some(ts) = req
        .header("x-tc-timestamp")
        .and_then(|t| t.parse::<i64>().ok())
    else {
        return Err(error(
            "MissingParameter",
            "The request is missing a required parameter `Timestamp`.",
        ));
    };
    if config.check_timestamp {
        let now = crate::time::unix_seconds(SystemTime::now());
        if (now - ts).abs() > MAX_SKEW_SECONDS {
            return Err(error(
                "AuthFailure.SignatureExpire",
                "Signature expired: the request time is more than 5 minutes off the server time",
            ));
        }
    }
    if utc_date(ts) != date {
        return Err(sig_failure(
            "the credential scope's date is not the UTC date of X-TC-Timestamp",
        ));
    }
    let names: Vec<&str> = signed_headers.split(';').collect();
    if !names.contains(&"content-type") || !names.contains(&"host") {
        return Err(sig_failure("content-type and host must be signed"));
    }
    let mut sorted = names.clone();
    sorted.sort_unstable();
    if sorted != names
        || names
            .iter()
            .any(|n| n.chars().any(|c| c.is_ascii_uppercase()))
    {
        return Err(sig_failure("SignedHeaders must be lower-case and sorted"));
    }
    // Which key?
    let token = req.header("x-tc-token");
    let secret_key = if let Some((_, k)) = config.keys.iter().find(|(id, _)| id == secret_id) {
        if token.is_some() {
            return Err(error(
                "AuthFailure.TokenFailure",
                "a long-term SecretId must not send X-TC-Token",
            ));
        }
        k.clone()
    } else if let Some(c) = config
        .accept_issued
        .then(|| {
            ctx.state()
                .issued()
                .into_iter()
                .find(|c| c.access_key_id == secret_id)
        })
        .flatten()
    {
        if token != Some(c.security_token.as_str()) {
            return Err(error(
                "AuthFailure.TokenFailure",
                "the X-TC-Token does not match the temporary SecretId",
            ));
        }
        if c.expiration <= SystemTime::now() {
            return Err(error(
                "AuthFailure.TokenFailure",
                "the temporary credentials have expired",
            ));
        }
        c.access_key_secret
    } else {
        return Err(error(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        ));
    };
    let mut canonical_headers = String::new();
    for name in &names {
        let Some(value) = req.header(name) else {
            return Err(sig_failure(&format!("signed header {name} is missing")));
        };
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&value.trim().to_ascii_lowercase());
        canonical_headers.push('\n');
    }
    let payload_hash = if req.header("x-tc-content-sha256") == Some("UNSIGNED-PAYLOAD") {
        hex(&sha256(b"UNSIGNED-PAYLOAD"))
    } else {
        hex(&sha256(&req.body))
    };
    let canonical_request = format!(
        "{}\n/\n{}\n{}\n{}\n{}",
        req.method, req.query, canonical_headers, signed_headers, payload_hash
    );
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{ts}\n{date}/{service}/tc3_request\n{}",
        hex(&sha256(canonical_request.as_bytes()))
    );
    let k_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    let expected = hex(&hmac_sha256(&k_signing, string_to_sign.as_bytes()));
    if !constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
        return Err(sig_failure(
            "The provided credentials could not be validated. Please check your signature is correct.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_and_hmac_known_answers() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"UNSIGNED-PAYLOAD")),
            "438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96"
        );
        // RFC 4231 test case 2.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // tencent.md §4.2: SecretDate of the masked key.
        assert_eq!(
            hex(&hmac_sha256(
                b"TC3********************************",
                b"2019-02-25"
            )),
            "da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0"
        );
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc_date(1551139199), "2019-02-25");
        assert_eq!(utc_date(1551139200), "2019-02-26");
        assert_eq!(utc_date(0), "1970-01-01");
    }

    #[test]
    fn official_tc3_example_verifies() {
        // tencent.md §4.2, recomputed through the same code path as verify_tc3.
        let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        let canonical = format!(
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\nx-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n{}",
            hex(&sha256(body))
        );
        let sts = format!(
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n{}",
            hex(&sha256(canonical.as_bytes()))
        );
        let kd = hmac_sha256(b"TC3********************************", b"2019-02-25");
        let ks = hmac_sha256(&hmac_sha256(&kd, b"cvm"), b"tc3_request");
        assert_eq!(
            hex(&hmac_sha256(&ks, sts.as_bytes())),
            "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"
        );
    }
}
