//! Alibaba RPC v1 (`HMAC-SHA1`) signatures, implemented here from the published algorithm,
//! independently of credchain's signer: the string to sign, the signature, and the verifier the
//! generic RPC route ([`super::alibaba_api`]) runs. STS `AssumeRole` ([`super::alibaba_sts`])
//! runs the same steps in the order Alibaba's STS reports them.

use super::alibaba_auth::{err, ApiError, KeyCheck, Nonces};
use crate::crypto::{base64, constant_time_eq, hmac_sha1, percent_encode};
use crate::request::RecordedRequest;
use crate::route::RouteContext;

/// Parameters every signed RPC request carries.
const REQUIRED: [&str; 7] = [
    "Version",
    "AccessKeyId",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
    "Signature",
];

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

/// The query and form parameters of `req`, query first.
pub(crate) fn all_params(req: &RecordedRequest) -> Vec<(String, String)> {
    let mut v = req.query_params();
    v.extend(req.form_params());
    v
}

/// The first value of `k` in `params`.
pub(crate) fn param<'a>(params: &'a [(String, String)], k: &str) -> Option<&'a str> {
    params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

/// `Missing<Name>` for an absent or empty parameter.
fn missing(k: &str) -> ApiError {
    err(
        400,
        &format!("Missing{k}"),
        format!("{k} is mandatory for this action."),
    )
}

/// `InvalidParameter.<Name>` unless each `(name, value)` of `fixed` is sent exactly so.
pub(crate) fn check_fixed(
    params: &[(String, String)],
    fixed: &[(&str, &str)],
) -> Result<(), ApiError> {
    for (k, want) in fixed {
        if param(params, k) != Some(want) {
            return Err(err(
                400,
                &format!("InvalidParameter.{k}"),
                format!("{k} must be {want}."),
            ));
        }
    }
    Ok(())
}

/// The nonce sent, `MissingSignatureNonce` when absent or empty.
pub(crate) fn nonce(params: &[(String, String)]) -> Result<&str, ApiError> {
    param(params, "SignatureNonce")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| missing("SignatureNonce"))
}

/// Checks the `Signature` parameter against the one computed over every other parameter.
pub(crate) fn check_signature(
    method: &str,
    params: &[(String, String)],
    secret: &str,
) -> Result<(), ApiError> {
    let sent = param(params, "Signature").ok_or_else(|| missing("Signature"))?;
    let signed: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "Signature")
        .cloned()
        .collect();
    let expected = rpc_signature(method, &signed, secret);
    if constant_time_eq(expected.as_bytes(), sent.as_bytes()) {
        return Ok(());
    }
    Err(err(
        400,
        "SignatureDoesNotMatch",
        format!(
            "Specified signature is not matched with our calculation. server string to sign is:{}",
            string_to_sign(method, &signed)
        ),
    ))
}

/// Verifies a generic RPC request: every required parameter present, `HMAC-SHA1` / `1.0`, a
/// `Format` of `JSON` or `XML` when sent, the time window, the key (and the token of issued
/// credentials), the signature, and last the nonce (a request refused earlier does not use it up).
pub(crate) fn verify(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    check: &KeyCheck<'_>,
    nonces: &Nonces,
    params: &[(String, String)],
) -> Result<(), ApiError> {
    if let Some(k) = REQUIRED
        .iter()
        .find(|k| param(params, k).is_none_or(str::is_empty))
    {
        return Err(missing(k));
    }
    check_fixed(
        params,
        &[
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
        ],
    )?;
    if param(params, "Format")
        .is_some_and(|f| !f.eq_ignore_ascii_case("JSON") && !f.eq_ignore_ascii_case("XML"))
    {
        return Err(err(
            400,
            "InvalidParameter.Format",
            "Format must be JSON or XML.",
        ));
    }
    check.check_time(param(params, "Timestamp"))?;
    let secret = check.secret_for(
        ctx,
        param(params, "AccessKeyId").unwrap_or_default(),
        param(params, "SecurityToken"),
    )?;
    check_signature(&req.method, params, &secret)?;
    nonces.insert(param(params, "SignatureNonce").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn signature_checks() {
        let mut params = vec![("Action".to_string(), "X".to_string())];
        let e = check_signature("GET", &params, "s").unwrap_err();
        assert_eq!(e.code, "MissingSignature");
        params.push(("Signature".into(), rpc_signature("GET", &params, "s")));
        assert!(check_signature("GET", &params, "s").is_ok());
        let e = check_signature("GET", &params, "other").unwrap_err();
        assert_eq!(e.code, "SignatureDoesNotMatch");
        assert!(e
            .message
            .ends_with("server string to sign is:GET&%2F&Action%3DX"));
    }
}
