//! TC3-HMAC-SHA256 verification, shared by the Tencent STS routes and the generic API 3.0 route.
//!
//! Implemented here from the published algorithm, independently of credchain's signer, so a wrong
//! signer in the library fails a test instead of agreeing with itself.

use std::time::SystemTime;

use crate::crypto::{constant_time_eq, hex, hmac_sha256, sha256};
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::RouteContext;
use crate::time::utc_date;

/// Largest accepted clock difference of `X-TC-Timestamp`, in seconds.
pub const MAX_SKEW_SECONDS: i64 = 300;

/// What one route accepts.
pub(crate) struct Tc3Check<'a> {
    /// Long-term `(SecretId, SecretKey)` pairs.
    pub keys: &'a [(String, String)],
    /// Whether credentials this emulator issued (with their `X-TC-Token`) are accepted.
    pub accept_issued: bool,
    /// Whether `X-TC-Timestamp` must be within [`MAX_SKEW_SECONDS`] of now.
    pub check_timestamp: bool,
    /// The service the credential scope must name (STS: `sts`); `None` accepts any.
    pub service: Option<&'a str>,
    /// Builds an error answer in the route's shape (each route numbers its own request ids).
    pub error: fn(&str, &str) -> Reply,
}

impl Tc3Check<'_> {
    fn sig_failure(&self, message: &str) -> Reply {
        (self.error)("AuthFailure.SignatureFailure", message)
    }
}

/// The parts of a TC3 `Authorization` header.
struct Authorization<'a> {
    secret_id: &'a str,
    date: &'a str,
    service: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

fn parse_authorization<'a>(
    auth: &'a str,
    check: &Tc3Check<'_>,
) -> Result<Authorization<'a>, Reply> {
    let Some(rest) = auth.strip_prefix("TC3-HMAC-SHA256 ") else {
        return Err(check.sig_failure("Authorization is not TC3-HMAC-SHA256"));
    };
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(", ") {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(check.sig_failure("malformed Authorization")),
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(check.sig_failure("malformed Authorization"));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [secret_id, date, service, "tc3_request"] = scope[..] else {
        return Err(check.sig_failure("malformed Credential scope"));
    };
    if service.is_empty() {
        return Err(check.sig_failure("the credential scope has no service"));
    }
    if let Some(want) = check.service.filter(|want| *want != service) {
        return Err(check.sig_failure(&format!("the credential scope's service is not {want}")));
    }
    Ok(Authorization {
        secret_id,
        date,
        service,
        signed_headers,
        signature,
    })
}

/// The secret of `secret_id`: a long-term key (which must not send a token) or credentials this
/// emulator issued (which must send their token and not be expired).
fn secret_key(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    check: &Tc3Check<'_>,
    secret_id: &str,
) -> Result<String, Reply> {
    let token = req.header("x-tc-token");
    if let Some((_, k)) = check.keys.iter().find(|(id, _)| id == secret_id) {
        if token.is_some() {
            return Err((check.error)(
                "AuthFailure.TokenFailure",
                "a long-term SecretId must not send X-TC-Token",
            ));
        }
        return Ok(k.clone());
    }
    let issued = check
        .accept_issued
        .then(|| ctx.state().issued_with_key(secret_id))
        .flatten();
    let Some(c) = issued else {
        return Err((check.error)(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        ));
    };
    if token != Some(c.security_token.as_str()) {
        return Err((check.error)(
            "AuthFailure.TokenFailure",
            "the X-TC-Token does not match the temporary SecretId",
        ));
    }
    if c.expiration <= SystemTime::now() {
        return Err((check.error)(
            "AuthFailure.TokenFailure",
            "the temporary credentials have expired",
        ));
    }
    Ok(c.access_key_secret)
}

/// The canonical request of a TC3 request as received, signing `signed_headers` (header values
/// trimmed and lower-cased, the query as sent, the payload hash of the body or of
/// `UNSIGNED-PAYLOAD` when `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`).
///
/// ```
/// use credchain_emulator::routes::tc3_verify::tc3_canonical_request;
/// use credchain_emulator::RecordedRequest;
/// let r = RecordedRequest::new("GET", "/?Limit=1")
///     .with_header("Content-Type", "application/x-www-form-urlencoded")
///     .with_header("Host", "cvm.tencentcloudapi.com");
/// let c = tc3_canonical_request(&r, "content-type;host").unwrap();
/// assert!(c.starts_with("GET\n/\nLimit=1\ncontent-type:application/x-www-form-urlencoded\nhost:cvm.tencentcloudapi.com\n\n"));
/// ```
pub fn tc3_canonical_request(
    req: &RecordedRequest,
    signed_headers: &str,
) -> Result<String, String> {
    let mut headers = String::new();
    for name in signed_headers.split(';') {
        let Some(value) = req.header(name) else {
            return Err(format!("signed header {name} is missing"));
        };
        headers.push_str(&format!("{name}:{}\n", value.trim().to_ascii_lowercase()));
    }
    let payload_hash = if req.header("x-tc-content-sha256") == Some("UNSIGNED-PAYLOAD") {
        hex(&sha256(b"UNSIGNED-PAYLOAD"))
    } else {
        hex(&sha256(&req.body))
    };
    Ok(format!(
        "{}\n{}\n{}\n{headers}\n{signed_headers}\n{payload_hash}",
        req.method, req.path, req.query
    ))
}

/// Verifies the TC3 signature of `req`: `Authorization` shape and scope, signed headers
/// (`content-type` and `host` included, lower-case, sorted, unique), the scope's service against a
/// `*.tencentcloudapi.com` host, the timestamp window and UTC date, the key and its token, and
/// finally the signature itself.
pub(crate) fn verify(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    check: &Tc3Check<'_>,
) -> Result<(), Reply> {
    let auth = parse_authorization(req.header("authorization").unwrap_or_default(), check)?;
    let names: Vec<&str> = auth.signed_headers.split(';').collect();
    if !names.contains(&"content-type") || !names.contains(&"host") {
        return Err(check.sig_failure("content-type and host must be signed"));
    }
    if !super::is_canonical_header_list(&names) {
        return Err(check.sig_failure("SignedHeaders must be lower-case, sorted and unique"));
    }
    let host = req.header("host").unwrap_or_default();
    if let Some(prefix) = host.strip_suffix(".tencentcloudapi.com") {
        let host_service = prefix.split('.').next().unwrap_or_default();
        if host_service != auth.service {
            return Err(check.sig_failure(&format!(
                "the credential scope's service {} is not the endpoint's service {host_service}",
                auth.service
            )));
        }
    }
    let Some(ts) = req
        .header("x-tc-timestamp")
        .and_then(|t| t.trim().parse::<i64>().ok())
    else {
        return Err((check.error)(
            "MissingParameter",
            "The request is missing a required parameter `Timestamp`.",
        ));
    };
    if check.check_timestamp {
        let now = crate::time::unix_seconds(SystemTime::now());
        if (now - ts).abs() > MAX_SKEW_SECONDS {
            return Err((check.error)(
                "AuthFailure.SignatureExpire",
                "Signature expired: the request time is more than 5 minutes off the server time",
            ));
        }
    }
    if utc_date(ts) != auth.date {
        return Err(
            check.sig_failure("the credential scope's date is not the UTC date of X-TC-Timestamp")
        );
    }
    let secret = secret_key(req, ctx, check, auth.secret_id)?;
    let canonical =
        tc3_canonical_request(req, auth.signed_headers).map_err(|m| check.sig_failure(&m))?;
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{ts}\n{}/{}/tc3_request\n{}",
        auth.date,
        auth.service,
        hex(&sha256(canonical.as_bytes()))
    );
    let k_date = hmac_sha256(format!("TC3{secret}").as_bytes(), auth.date.as_bytes());
    let k_service = hmac_sha256(&k_date, auth.service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    let expected = hex(&hmac_sha256(&k_signing, string_to_sign.as_bytes()));
    if !constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        return Err(check.sig_failure(
            "The provided credentials could not be validated. Please check your signature is correct.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_tc3_example_canonicalizes() {
        // The Chinese TC3 documentation example, as a server receives it.
        let body = r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        let r = RecordedRequest::new("POST", "/")
            .with_header("Content-Type", "application/json; charset=utf-8")
            .with_header("Host", "cvm.tencentcloudapi.com")
            .with_header("X-TC-Action", "DescribeInstances")
            .with_body(body);
        let c = tc3_canonical_request(&r, "content-type;host;x-tc-action").unwrap();
        assert_eq!(
            hex(&sha256(c.as_bytes())),
            "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
        );
    }

    #[test]
    fn authorization_parsing() {
        let check = Tc3Check {
            keys: &[],
            accept_issued: false,
            check_timestamp: false,
            service: None,
            error: |code, message| {
                Reply::json(200, serde_json::json!({"Code": code, "Message": message}))
            },
        };
        let a = parse_authorization(
            "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=ab",
            &check,
        )
        .ok()
        .unwrap();
        assert_eq!(
            (a.secret_id, a.date, a.service),
            ("AKID", "2019-02-25", "cvm")
        );
        for bad in [
            "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request,SignedHeaders=host,Signature=ab",
            "TC3-HMAC-SHA256 Credential=AKID/2019-02-25//tc3_request, SignedHeaders=host, Signature=ab",
            "HmacSHA256 x",
        ] {
            assert!(parse_authorization(bad, &check).is_err(), "{bad}");
        }
    }

    #[test]
    fn official_tc3_example_verifies() {
        // The Chinese TC3 documentation example, recomputed through the same code path as
        // verify_tc3.
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
