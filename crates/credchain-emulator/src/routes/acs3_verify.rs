//! Alibaba ACS3 (`ACS3-HMAC-SHA256`, the V3 signature), implemented here from the published
//! algorithm, independently of credchain's signer: the canonical request as the server receives
//! it, the `Authorization` header, and the verifier the generic ACS3 route
//! ([`super::alibaba_api`]) runs.

use super::alibaba_auth::{err, ApiError, KeyCheck, Nonces};
use crate::crypto::{constant_time_eq, hex, hmac_sha256, percent_decode, percent_encode, sha256};
use crate::request::{decode_component, RecordedRequest};
use crate::route::RouteContext;

/// Headers every ACS3 request carries.
const REQUIRED_HEADERS: [&str; 6] = [
    "authorization",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
];

/// The canonical request of an ACS3 request as received, signing `signed_headers`.
///
/// ```
/// use credchain_emulator::routes::alibaba_api::acs3_canonical_request;
/// use credchain_emulator::RecordedRequest;
/// let r = RecordedRequest::new("GET", "/?test=ok&empty=")
///     .with_header("x-acs-test", "http")
///     .with_header("x-acs-TEST", " https ");
/// assert_eq!(
///     acs3_canonical_request(&r, "x-acs-test", "55e1").unwrap(),
///     "GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n55e1"
/// );
/// ```
pub fn acs3_canonical_request(
    req: &RecordedRequest,
    signed_headers: &str,
    hashed_payload: &str,
) -> Result<String, String> {
    let path = percent_encode(&percent_decode(&req.path), true);
    Ok(format!(
        "{}\n{path}\n{}\n{}\n{signed_headers}\n{hashed_payload}",
        req.method,
        canonical_query(&req.query),
        canonical_headers(req, signed_headers)?,
    ))
}

/// The query's pairs decoded, sorted by name and encoded again, joined with `&`.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode_component(k), decode_component(v)),
            None => (decode_component(p), String::new()),
        })
        .collect();
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k, false), percent_encode(v, false)))
        .collect();
    encoded.join("&")
}

/// `name:value,value\n` for each signed header (values trimmed and sorted).
fn canonical_headers(req: &RecordedRequest, signed_headers: &str) -> Result<String, String> {
    let mut out = String::new();
    for name in signed_headers.split(';') {
        let mut values: Vec<&str> = req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .collect();
        if values.is_empty() {
            return Err(format!("the signed header {name} is missing"));
        }
        values.sort_unstable();
        out.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    Ok(out)
}

/// The parts of `Authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`.
pub(crate) struct Authorization<'a> {
    /// The AccessKey id.
    pub(crate) key_id: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

/// Parses an ACS3 `Authorization` header.
pub(crate) fn parse_authorization(auth: &str) -> Result<Authorization<'_>, ApiError> {
    let malformed = || {
        err(
            400,
            "IncompleteSignature",
            "The Authorization header is malformed.",
        )
    };
    let Some((algorithm, rest)) = auth.split_once(' ') else {
        return Err(malformed());
    };
    if algorithm != "ACS3-HMAC-SHA256" {
        return Err(err(
            400,
            "IncompleteSignature",
            format!("The signature algorithm {algorithm} is not supported by the emulator."),
        ));
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(malformed()),
        }
    }
    match (credential, signed, signature) {
        (Some(key_id), Some(signed_headers), Some(signature))
            if !key_id.is_empty() && !signed_headers.is_empty() =>
        {
            Ok(Authorization {
                key_id,
                signed_headers,
                signature,
            })
        }
        _ => Err(malformed()),
    }
}

/// Verifies an ACS3 request: the required headers, the `Authorization` shape, that
/// `SignedHeaders` is lower-case, sorted, unique and covers `host`, `content-type` and every
/// `x-acs-*` header sent, the date window, that `x-acs-content-sha256` is the body's SHA-256, the
/// key (`x-acs-security-token` for issued credentials), the signature, and last the nonce.
pub(crate) fn verify(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    check: &KeyCheck<'_>,
    nonces: &Nonces,
) -> Result<(), ApiError> {
    if let Some(h) = REQUIRED_HEADERS
        .iter()
        .find(|h| req.header(h).is_none_or(|v| v.trim().is_empty()))
    {
        return Err(err(
            400,
            "MissingParameter",
            format!("The request is missing the header {h}."),
        ));
    }
    let auth = parse_authorization(req.header("authorization").unwrap_or_default())?;
    check_signed_headers(req, auth.signed_headers)?;
    check.check_time(req.header("x-acs-date"))?;
    let hashed_payload = req.header("x-acs-content-sha256").unwrap_or_default();
    if !constant_time_eq(
        hashed_payload.as_bytes(),
        hex(&sha256(&req.body)).as_bytes(),
    ) {
        return Err(err(
            400,
            "SignatureDoesNotMatch",
            "The x-acs-content-sha256 header is not the SHA-256 of the body.",
        ));
    }
    let secret = check.secret_for(ctx, auth.key_id, req.header("x-acs-security-token"))?;
    check_signature(req, &auth, hashed_payload, &secret)?;
    nonces.insert(req.header("x-acs-signature-nonce").unwrap_or_default())
}

/// `SignedHeaders` must be lower-case, sorted and unique, and name `host`, `content-type` and
/// every `x-acs-*` header the request carries.
fn check_signed_headers(req: &RecordedRequest, signed_headers: &str) -> Result<(), ApiError> {
    let names: Vec<&str> = signed_headers.split(';').collect();
    if !super::is_canonical_header_list(&names) {
        return Err(err(
            400,
            "IncompleteSignature",
            "SignedHeaders must be lower-case, sorted and unique.",
        ));
    }
    let must_sign = req
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| *n == "host" || *n == "content-type" || n.starts_with("x-acs-"));
    for name in must_sign {
        if !names.contains(&name) {
            return Err(err(
                400,
                "IncompleteSignature",
                format!("The header {name} must be signed."),
            ));
        }
    }
    Ok(())
}

/// The V3 signature recomputed from the request as received.
fn check_signature(
    req: &RecordedRequest,
    auth: &Authorization<'_>,
    hashed_payload: &str,
    secret: &str,
) -> Result<(), ApiError> {
    let canonical = acs3_canonical_request(req, auth.signed_headers, hashed_payload)
        .map_err(|m| err(400, "IncompleteSignature", m))?;
    let string_to_sign = format!("ACS3-HMAC-SHA256\n{}", hex(&sha256(canonical.as_bytes())));
    let expected = hex(&hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()));
    if constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        return Ok(());
    }
    Err(err(
        400,
        "SignatureDoesNotMatch",
        format!(
            "The request signature does not conform to Aliyun standards. server string to sign is:{}",
            string_to_sign.replace('\n', "\\n")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_acs3_example_canonicalizes() {
        // The ACS3 documentation's fixed-value example, as a server receives it.
        let r = RecordedRequest::new(
            "POST",
            "/?ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
        )
        .with_header("Host", "ecs.cn-shanghai.aliyuncs.com")
        .with_header("x-acs-action", "RunInstances")
        .with_header("x-acs-version", "2014-05-26")
        .with_header("x-acs-date", "2023-10-26T10:22:32Z")
        .with_header("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d")
        .with_header(
            "x-acs-content-sha256",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        );
        let canonical = acs3_canonical_request(
            &r,
            "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        )
        .unwrap();
        let sts = format!("ACS3-HMAC-SHA256\n{}", hex(&sha256(canonical.as_bytes())));
        assert_eq!(
            sts,
            "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        assert_eq!(
            hex(&hmac_sha256(b"YourAccessKeySecret", sts.as_bytes())),
            "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    #[test]
    fn authorization_parsing() {
        let ok =
            parse_authorization("ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=x");
        assert_eq!(ok.map(|a| a.key_id).ok(), Some("a"));
        for bad in [
            "ACS3-HMAC-SHA256 Credential=a, SignedHeaders=host,Signature=x",
            "ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=x",
            "ACS3-HMAC-SHA256",
        ] {
            assert!(parse_authorization(bad).is_err(), "{bad}");
        }
    }
}
