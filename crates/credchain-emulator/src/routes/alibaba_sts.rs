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

use super::crypto::{base64, hmac_sha1, percent_encode};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::json;

use crate::issue::Cloud;
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};
use crate::state::AssumedRole;

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
const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// `AssumeRole` with the default key.
pub fn assume_role_route() -> Route {
    assume_role_route_with_keys(Vec::new())
}

/// `AssumeRole` accepting the default key plus `keys` (`(id, secret)` pairs).
pub fn assume_role_route_with_keys(keys: Vec<(String, String)>) -> Route {
    let mut known = keys;
    known.push((ACCESS_KEY_ID.to_string(), ACCESS_KEY_SECRET.to_string()));
    let nonces: Arc<Mutex<HashSet<String>>> = Arc::default();
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

fn error(ctx: &RouteContext<'_>, status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"RequestId": request_id(ctx), "HostId": "sts.aliyuncs.com", "Code": code, "Message": message}),
    )
}

fn all_params(req: &RecordedRequest) -> Vec<(String, String)> {
    let mut v = req.query_params();
    v.extend(req.form_params());
    v
}

fn get<'a>(params: &'a [(String, String)], k: &str) -> Option<&'a str> {
    params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

fn check_role_params(
    params: &[(String, String)],
    ctx: &RouteContext<'_>,
) -> Result<(String, String, u64), Reply> {
    let role_arn = get(params, "RoleArn").unwrap_or_default();
    let valid_arn = role_arn.starts_with("acs:ram::") && role_arn.contains(":role/");
    if !valid_arn {
        return Err(error(
            ctx,
            400,
            "InvalidParameter.RoleArn",
            "The parameter RoleArn is wrongly formed.",
        ));
    }
    let session = get(params, "RoleSessionName").unwrap_or_default();
    let ok_session = (2..=32).contains(&session.len())
        && session
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.@".contains(&b));
    if !ok_session {
        return Err(error(
            ctx,
            400,
            "InvalidParameter.RoleSessionName",
            "The parameter RoleSessionName is wrongly formed.",
        ));
    }
    let duration = match get(params, "DurationSeconds") {
        None => 3600,
        Some(d) => d.parse::<u64>().unwrap_or(0),
    };
    if !(900..=MAX_SESSION_DURATION).contains(&duration) {
        return Err(error(
            ctx,
            400,
            "InvalidParameter.DurationSeconds",
            "The Min/Max value of DurationSeconds is 15min/12hr.",
        ));
    }
    if get(params, "Policy").is_some_and(|p| p.is_empty() || p.chars().count() > 1024) {
        return Err(error(
            ctx,
            400,
            "InvalidParameter.PolicyGrammar",
            "The parameter Policy has not been defined.",
        ));
    }
    Ok((role_arn.to_string(), session.to_string(), duration))
}

fn success(ctx: &RouteContext<'_>, role_arn: &str, session: &str, duration: u64) -> Reply {
    let c = ctx.issue_credentials(Cloud::Alibaba);
    ctx.state().record_assumed_role(
        &c.access_key_id,
        AssumedRole {
            role_arn: role_arn.to_string(),
            session: session.to_string(),
        },
    );
    let expiration = if ctx.expired_credentials() {
        c.expiration_utc()
    } else {
        crate::time::format_utc(
            c.issued_at
                + Duration::from_secs(duration)
                    .min(c.expiration.duration_since(c.issued_at).unwrap_or_default()),
        )
    };
    let role = role_arn.rsplit('/').next().unwrap_or("role");
    Reply::json(
        200,
        json!({
            "RequestId": request_id(ctx),
            "AssumedRoleUser": {"Arn": format!("{role_arn}/{session}"), "AssumedRoleUserId": format!("3{:017}:{session}", c.serial)},
            "Credentials": {
                "AccessKeyId": c.access_key_id,
                "AccessKeySecret": c.access_key_secret,
                "SecurityToken": c.security_token,
                "Expiration": expiration,
            },
            "SourceIdentity": role,
        }),
    )
}

fn assume_role(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    known: &[(String, String)],
    nonces: &Mutex<HashSet<String>>,
) -> Reply {
    let params = all_params(req);
    for (k, want) in [
        ("Format", "JSON"),
        ("Version", "2015-04-01"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
    ] {
        if get(&params, k) != Some(want) {
            return error(
                ctx,
                400,
                &format!("InvalidParameter.{k}"),
                &format!("{k} must be {want}."),
            );
        }
    }
    let Some(timestamp) = get(&params, "Timestamp").and_then(parse_timestamp) else {
        return error(
            ctx,
            400,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        );
    };
    let now = SystemTime::now();
    let skew = now
        .duration_since(timestamp)
        .or_else(|e| Ok::<_, ()>(e.duration()))
        .unwrap_or_default();
    if skew > MAX_CLOCK_SKEW {
        return error(
            ctx,
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        );
    }
    let Some(nonce) = get(&params, "SignatureNonce").filter(|n| !n.is_empty()) else {
        return error(
            ctx,
            400,
            "MissingSignatureNonce",
            "SignatureNonce is mandatory for this action.",
        );
    };
    if !nonces
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(nonce.to_string())
    {
        return error(
            ctx,
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        );
    }
    let key_id = get(&params, "AccessKeyId").unwrap_or_default();
    let issued = ctx
        .state()
        .issued()
        .into_iter()
        .find(|c| c.access_key_id == key_id);
    let secret = match (known.iter().find(|(id, _)| id == key_id), &issued) {
        (Some((_, s)), _) => s.clone(),
        (None, Some(c)) => {
            if get(&params, "SecurityToken") != Some(c.security_token.as_str()) {
                return error(
                    ctx,
                    400,
                    "InvalidSecurityToken.MismatchWithAccessKey",
                    "Specified SecurityToken mismatch with the AccessKey.",
                );
            }
            if c.expiration <= now {
                return error(
                    ctx,
                    400,
                    "InvalidSecurityToken.Expired",
                    "Specified SecurityToken is expired.",
                );
            }
            c.access_key_secret.clone()
        }
        (None, None) => {
            return error(
                ctx,
                404,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            )
        }
    };
    let Some(sent) = get(&params, "Signature") else {
        return error(
            ctx,
            400,
            "MissingSignature",
            "Signature is mandatory for this action.",
        );
    };
    let signed: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "Signature")
        .cloned()
        .collect();
    let expected = rpc_signature(&req.method, &signed, &secret);
    if sent != expected {
        return error(
            ctx,
            400,
            "SignatureDoesNotMatch",
            &format!("Specified signature is not matched with our calculation. server string to sign is:{}", string_to_sign(&req.method, &signed)),
        );
    }
    match check_role_params(&params, ctx) {
        Ok((role_arn, session, duration)) => success(ctx, &role_arn, &session, duration),
        Err(reply) => reply,
    }
}

fn oidc(req: &RecordedRequest, ctx: &RouteContext<'_>) -> Reply {
    let params = all_params(req);
    if req.query_params().iter().any(|(k, _)| k == "OIDCToken") {
        return error(
            ctx,
            400,
            "InvalidParameter.OIDCToken",
            "The OIDC token must be sent in the request body, not in the URL.",
        );
    }
    if !get(&params, "OIDCProviderArn")
        .is_some_and(|a| a.starts_with("acs:ram::") && a.contains(":oidc-provider/"))
    {
        return error(
            ctx,
            400,
            "InvalidParameter.OIDCProviderArn",
            "The parameter OIDCProviderArn is wrongly formed.",
        );
    }
    match get(&params, "OIDCToken") {
        None | Some("") => {
            return error(
                ctx,
                400,
                "MissingOIDCToken",
                "OIDCToken is mandatory for this action.",
            )
        }
        Some(t) if t.starts_with("invalid") => {
            return error(
                ctx,
                400,
                "AuthenticationFail.OIDCToken.Invalid",
                "The OIDC token is invalid.",
            )
        }
        Some(_) => {}
    }
    match check_role_params(&params, ctx) {
        Ok((role_arn, session, duration)) => success(ctx, &role_arn, &session, duration),
        Err(reply) => reply,
    }
}

/// `YYYY-MM-DDThh:mm:ssZ` → time.
fn parse_timestamp(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|v| v.parse::<i64>().ok());
    let (y, mo, d, h, mi, se) = (
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    // days from civil (Howard Hinnant).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + se;
    u64::try_from(secs)
        .ok()
        .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
}

// ---------------------------------------------------------------------------------------------
// RPC v1 signature, implemented here independently of credchain's signer.
// ---------------------------------------------------------------------------------------------

/// RFC 3986 percent-encoding as RPC v1 uses it (`/` encoded too).
fn pe(s: &str) -> String {
    percent_encode(s, false)
}

/// `METHOD&%2F&pe(sorted pe(k)=pe(v) joined by &)`.
pub fn string_to_sign(method: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let canonical: Vec<String> = sorted
        .iter()
        .map(|(k, v)| format!("{}={}", pe(k), pe(v)))
        .collect();
    format!("{method}&{}&{}", pe("/"), pe(&canonical.join("&")))
}

/// `Base64(HMAC-SHA1(secret + "&", string_to_sign))`.
pub fn rpc_signature(method: &str, params: &[(String, String)], secret: &str) -> String {
    base64(&hmac_sha1(
        format!("{secret}&").as_bytes(),
        string_to_sign(method, params).as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_vectors_of_the_reference() {
        for (msg, key, sig) in [
            ("source", "secret", "Jv4yi8SobFhg5t1C7nWLbhBSFZQ="),
            ("中文", "secret", "CqCYIa39h9SSWuXnTz8F5hh9UPA="),
            ("123", "secret", "sU6S6xf2t47FogXuDhqyIPt/htc="),
            ("abc~!@#", "sk#$!~~~", "7eV3A584uvdgKVk8Ck8r9ukg1gE="),
        ] {
            assert_eq!(
                base64(&hmac_sha1(key.as_bytes(), msg.as_bytes())),
                sig,
                "{msg}"
            );
        }
        assert_eq!(
            pe("123abc!@#$%^&*()-=_+ ~|\\/"),
            "123abc%21%40%23%24%25%5E%26%2A%28%29-%3D_%2B%20~%7C%5C%2F"
        );
    }

    #[test]
    fn worked_example_of_the_reference() {
        let p = |k: &str, v: &str| (k.to_string(), v.to_string());
        let params = vec![
            p("AccessKeyId", "akid"),
            p("Action", "AssumeRole"),
            p("DurationSeconds", "3600"),
            p("Format", "JSON"),
            p("RoleArn", "acs:ram::123456789012:role/test"),
            p("RoleSessionName", "my session"),
            p("SignatureMethod", "HMAC-SHA1"),
            p("SignatureNonce", "nonce-123"),
            p("SignatureVersion", "1.0"),
            p("Timestamp", "2024-01-01T00:00:00Z"),
            p("Version", "2015-04-01"),
        ];
        assert!(string_to_sign("POST", &params).contains("RoleSessionName%3Dmy%2520session"));
        assert_eq!(
            rpc_signature("POST", &params, "secret"),
            "SYhekEeD9WpJRSCltgx3BtmEIe4="
        );
        assert_eq!(
            rpc_signature("GET", &[], "secret"),
            base64(&hmac_sha1(b"secret&", b"GET&%2F&"))
        );
    }

    #[test]
    fn timestamps() {
        let t = parse_timestamp("2018-12-18T16:39:38Z").unwrap();
        assert_eq!(
            t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs(),
            1_545_151_178
        );
        assert!(parse_timestamp("2018-12-18 16:39:38Z").is_none());
        assert!(parse_timestamp("2018-12-18T16:39:38.5Z").is_none());
    }
}
