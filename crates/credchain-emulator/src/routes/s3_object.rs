//! The S3-style bucket ([`super::object_storage::S3_OBJECT`]): AWS Signature Version 4 for service
//! `s3`, as object_store, DataFusion, the AWS SDKs and curl send it to the S3-compatible APIs of
//! OSS and COS, verified by the emulator's own code, path-style (`/<bucket>/<key>`; see
//! [`super::object_storage`]).
//!
//! - **Header**: `Authorization: AWS4-HMAC-SHA256 Credential=<id>/<yyyymmdd>/<region>/s3/aws4_request, SignedHeaders=<names>, Signature=<hex>`
//!   with `X-Amz-Date` (or `Date`) within 15 minutes of the clock, `x-amz-content-sha256` (the
//!   body's SHA-256, checked; `UNSIGNED-PAYLOAD`; or `STREAMING-UNSIGNED-PAYLOAD-TRAILER` with an
//!   `aws-chunked` body, decoded before storing), and `x-amz-security-token` for temporary keys.
//!   `host` must be signed. Unlike S3, a request without `x-amz-content-sha256` is accepted when
//!   it signed the body's SHA-256 (generic SigV4, as `curl --aws-sigv4` 7.x sends it).
//! - **Query** (presigned URL): `X-Amz-Algorithm=AWS4-HMAC-SHA256`, `X-Amz-Credential`,
//!   `X-Amz-Date`, `X-Amz-Expires` (1..=604800 s), `X-Amz-SignedHeaders`, `X-Amz-Signature`,
//!   optional `X-Amz-Security-Token`; payload `UNSIGNED-PAYLOAD` unless an
//!   `x-amz-content-sha256` header says otherwise.
//!
//! The canonical request is S3's: method; the path with each segment decoded then URI-encoded
//! (unreserved characters kept, no double encoding); the query pairs except the signature,
//! URI-encoded and sorted; the signed header fields (lower-cased names, values trimmed with inner
//! runs of spaces collapsed, repeated fields joined by `,`); the signed header names; the payload
//! hash. Any region is accepted. Chunk-signed uploads (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`) are
//! answered 501 `NotImplemented`; checksum headers (`x-amz-checksum-*`) are signed like any header
//! but not verified.
//!
//! Error codes (HTTP status): `AccessDenied` (403: expired or not yet valid URL),
//! `RequestTimeTooSkewed` (403), `InvalidAccessKeyId` (403: unknown key, or a temporary key
//! without its token), `InvalidToken` (400: another token), `ExpiredToken` (400),
//! `SignatureDoesNotMatch` (403), `AuthorizationHeaderMalformed` (400),
//! `AuthorizationQueryParametersError` (400), `InvalidRequest` (400: bad `aws-chunked` body), `XAmzContentSHA256Mismatch` (400), `BadDigest` (400), `NoSuchKey`
//! (404), `NotImplemented` (501).

use std::time::SystemTime;

use super::object_storage::{
    auth_field, credential_scope, err, joined_header, now_unix, outside_window, query_param, route,
    secret_for, too_skewed, Dialect, KeyProblem, ObjectError, ObjectPath, MAX_PRESIGN_SECONDS,
    S3_OBJECT,
};
use crate::crypto::{constant_time_eq, hex, hmac_sha256, percent_decode, percent_encode, sha256};
use crate::request::RecordedRequest;
use crate::route::{Route, RouteContext};
use crate::time::{parse_compact_utc, parse_http_date, unix_seconds};

/// The S3-style bucket route.
pub fn route_s3() -> Route {
    route(S3_OBJECT, Dialect::S3, verify)
}

const UNSIGNED: &str = "UNSIGNED-PAYLOAD";
const STREAMING_UNSIGNED_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/// The parts of a SigV4 signature, from the header or the query.
struct Parts {
    key_id: String,
    date: String,
    region: String,
    signed_headers: Vec<String>,
    signature: String,
    amz_date: String,
    token: Option<String>,
}

fn malformed_header(message: &str) -> ObjectError {
    err(400, "AuthorizationHeaderMalformed", message)
}

fn malformed_query(message: &str) -> ObjectError {
    err(400, "AuthorizationQueryParametersError", message)
}

fn key_error(problem: KeyProblem) -> ObjectError {
    match problem {
        KeyProblem::Unknown => err(
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
        ),
        KeyProblem::MissingToken => err(
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records \
             (temporary keys need x-amz-security-token).",
        ),
        KeyProblem::WrongToken => err(
            400,
            "InvalidToken",
            "The provided token is malformed or otherwise invalid.",
        ),
        KeyProblem::Expired => err(400, "ExpiredToken", "The provided token has expired."),
    }
}

/// Splits `<id>/<yyyymmdd>/<region>/s3/aws4_request`.
fn credential(
    value: &str,
    bad: fn(&str) -> ObjectError,
) -> Result<(String, String, String), ObjectError> {
    credential_scope(value, "s3", "aws4_request")
        .ok_or_else(|| bad("The credential must be <AccessKeyId>/<date>/<region>/s3/aws4_request."))
}

fn header_parts(req: &RecordedRequest, auth: &str) -> Result<Parts, ObjectError> {
    let fields = auth.trim_start_matches("AWS4-HMAC-SHA256").trim();
    let field = |name: &str| {
        auth_field(fields, name)
            .ok_or_else(|| malformed_header(&format!("The authorization header has no {name}.")))
    };
    let (key_id, date, region) = credential(&field("Credential")?, malformed_header)?;
    let amz_date = match req.header("x-amz-date") {
        Some(d) => d.trim().to_string(),
        None => {
            let date = req
                .header("date")
                .and_then(|d| parse_http_date(d.trim()))
                .ok_or_else(|| {
                    err(
                        403,
                        "AccessDenied",
                        "AWS authentication requires a valid Date or x-amz-date header.",
                    )
                })?;
            compact(date)
        }
    };
    Ok(Parts {
        key_id,
        date,
        region,
        signed_headers: field("SignedHeaders")?
            .split(';')
            .map(str::to_ascii_lowercase)
            .collect(),
        signature: field("Signature")?,
        amz_date,
        token: req.header("x-amz-security-token").map(str::to_string),
    })
}

/// `YYYYMMDDThhmmssZ` of `t`.
fn compact(t: SystemTime) -> String {
    crate::time::format_utc(t).replace(['-', ':'], "")
}

fn query_parts(req: &RecordedRequest) -> Result<Parts, ObjectError> {
    let need = |name: &str| {
        query_param(req, name)
            .ok_or_else(|| malformed_query(&format!("The query parameter {name} is missing.")))
    };
    if need("X-Amz-Algorithm")? != "AWS4-HMAC-SHA256" {
        return Err(malformed_query("X-Amz-Algorithm must be AWS4-HMAC-SHA256."));
    }
    let (key_id, date, region) = credential(&need("X-Amz-Credential")?, malformed_query)?;
    Ok(Parts {
        key_id,
        date,
        region,
        signed_headers: need("X-Amz-SignedHeaders")?
            .split(';')
            .map(str::to_ascii_lowercase)
            .collect(),
        signature: need("X-Amz-Signature")?,
        amz_date: need("X-Amz-Date")?,
        token: query_param(req, "X-Amz-Security-Token"),
    })
}

fn check_time(
    req: &RecordedRequest,
    now: i64,
    parts: &Parts,
    presigned: bool,
) -> Result<(), ObjectError> {
    let bad = if presigned {
        malformed_query
    } else {
        malformed_header
    };
    let signed_at = parse_compact_utc(&parts.amz_date)
        .ok_or_else(|| bad("X-Amz-Date must look like 20260101T100000Z."))?;
    if !parts.amz_date.starts_with(&parts.date) {
        return Err(bad("The credential date does not match X-Amz-Date."));
    }
    if !presigned {
        if too_skewed(now, signed_at) {
            return Err(err(
                403,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
            ));
        }
        return Ok(());
    }
    let expires: i64 = query_param(req, "X-Amz-Expires")
        .and_then(|e| e.parse().ok())
        .filter(|e| (1..=MAX_PRESIGN_SECONDS).contains(e))
        .ok_or_else(|| {
            malformed_query(
                "X-Amz-Expires must be a number of seconds from 1 to 604800 (one week).",
            )
        })?;
    let start = unix_seconds(signed_at);
    match outside_window(now, start, start + expires) {
        Some(why) => Err(err(403, "AccessDenied", why)),
        None => Ok(()),
    }
}

/// Verifies a SigV4 (`s3`) request as received; returns the payload to store.
pub(crate) fn verify(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    _path: &ObjectPath,
) -> Result<Vec<u8>, ObjectError> {
    let header_auth = req.header("authorization");
    let parts = match header_auth {
        Some(auth) => header_parts(req, auth)?,
        None => query_parts(req)?,
    };
    if !parts.signed_headers.iter().any(|h| h == "host") {
        return Err(err(
            403,
            "AccessDenied",
            "The host header must be signed (SignedHeaders lacks host).",
        ));
    }
    check_time(req, now_unix(ctx), &parts, header_auth.is_none())?;
    let payload = match (header_auth, req.header("x-amz-content-sha256")) {
        (_, Some(p)) => p.trim().to_string(),
        (None, None) => UNSIGNED.to_string(),
        // Generic SigV4 (curl --aws-sigv4 before 8.x sends no x-amz-content-sha256).
        (Some(_), None) => hex(&sha256(&req.body)),
    };
    if payload.starts_with("STREAMING-") && payload != STREAMING_UNSIGNED_TRAILER {
        return Err(err(
            501,
            "NotImplemented",
            "The emulator does not verify chunk-signed uploads; send UNSIGNED-PAYLOAD, \
             STREAMING-UNSIGNED-PAYLOAD-TRAILER or the body's SHA-256.",
        ));
    }
    let secret = secret_for(ctx, &parts.key_id, parts.token.as_deref()).map_err(key_error)?;
    let canonical = canonical_request(req, &req.path, &parts.signed_headers, &payload);
    let scope = format!("{}/{}/s3/aws4_request", parts.date, parts.region);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        parts.amz_date,
        hex(&sha256(canonical.as_bytes()))
    );
    let mut key = hmac_sha256(format!("AWS4{secret}").as_bytes(), parts.date.as_bytes());
    for part in [parts.region.as_str(), "s3", "aws4_request"] {
        key = hmac_sha256(&key, part.as_bytes());
    }
    let expected = hex(&hmac_sha256(&key, string_to_sign.as_bytes()));
    if !constant_time_eq(expected.as_bytes(), parts.signature.as_bytes()) {
        return Err(err(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. \
             Check your key and signing method.",
        ));
    }
    payload_body(req, &payload)
}

/// The body to store once the signature holds: checked against a hashed payload, de-chunked
/// for `aws-chunked` uploads.
fn payload_body(req: &RecordedRequest, payload: &str) -> Result<Vec<u8>, ObjectError> {
    if payload == UNSIGNED {
        return Ok(req.body.clone());
    }
    if payload == STREAMING_UNSIGNED_TRAILER {
        let body = decode_aws_chunked(&req.body)
            .ok_or_else(|| err(400, "InvalidRequest", "The aws-chunked body is malformed."))?;
        let declared = req.header("x-amz-decoded-content-length").map(str::trim);
        if declared.is_some_and(|d| d != body.len().to_string()) {
            return Err(err(
                400,
                "IncompleteBody",
                "The decoded body length does not match x-amz-decoded-content-length.",
            ));
        }
        return Ok(body);
    }
    if !constant_time_eq(payload.as_bytes(), hex(&sha256(&req.body)).as_bytes()) {
        return Err(err(
            400,
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        ));
    }
    Ok(req.body.clone())
}

/// Decodes an `aws-chunked` body without chunk signatures: `<hex size>[;ext]\r\n<data>\r\n`
/// chunks, a `0` chunk, trailer fields, and an empty line. `None` when malformed.
pub fn decode_aws_chunked(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = data;
    loop {
        let eol = rest.windows(2).position(|w| w == b"\r\n")?;
        let line = std::str::from_utf8(&rest[..eol]).ok()?;
        let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[eol + 2..];
        if size == 0 {
            // Trailer fields (checksums), each ending in CRLF, then an empty line or the end.
            return Some(out);
        }
        let end = size.checked_add(2)?;
        if rest.len() < end || &rest[size..end] != b"\r\n" {
            return None;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

/// S3's canonical URI: every segment decoded, then URI-encoded keeping unreserved characters.
///
/// ```
/// use credchain_emulator::routes::s3_object::canonical_uri;
/// assert_eq!(canonical_uri("/b/docs/hello%20world+~*.txt"), "/b/docs/hello%20world%2B~%2A.txt");
/// assert_eq!(canonical_uri("/b/a%2Fb"), "/b/a%2Fb");
/// ```
pub fn canonical_uri(raw_path: &str) -> String {
    raw_path
        .split('/')
        .map(|segment| percent_encode(&percent_decode(segment), false))
        .collect::<Vec<_>>()
        .join("/")
}

/// Collapses inner runs of spaces and trims, as SigV4 canonical header values do.
fn canonical_value(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The SigV4 canonical request of `req` as received.
pub fn canonical_request(
    req: &RecordedRequest,
    raw_path: &str,
    signed_headers: &[String],
    payload: &str,
) -> String {
    let mut query: Vec<(String, String)> = req
        .query_params()
        .into_iter()
        .filter(|(k, _)| k != "X-Amz-Signature")
        .map(|(k, v)| (percent_encode(&k, false), percent_encode(&v, false)))
        .collect();
    query.sort();
    let query: Vec<String> = query.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    let headers: String = signed_headers
        .iter()
        .map(|n| {
            let v = joined_header(req, n).map(|v| {
                v.split(',')
                    .map(canonical_value)
                    .collect::<Vec<_>>()
                    .join(",")
            });
            format!("{n}:{}\n", v.unwrap_or_default())
        })
        .collect();
    format!(
        "{}\n{}\n{}\n{headers}\n{}\n{payload}",
        req.method,
        canonical_uri(raw_path),
        query.join("&"),
        signed_headers.join(";")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_chunked() {
        let body =
            b"5;chunk-signature=x\r\nhello\r\n1\r\n!\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n";
        assert_eq!(decode_aws_chunked(body).unwrap(), b"hello!");
        assert!(decode_aws_chunked(b"5\r\nhel").is_none());
        assert!(decode_aws_chunked(b"zz\r\n").is_none());
        assert!(decode_aws_chunked(b"").is_none());
        assert!(decode_aws_chunked(b"ffffffffffffffff\r\nabc").is_none());
        assert!(decode_aws_chunked(b"fffffffffffffffff\r\nabc").is_none());
    }

    /// The AWS SigV4 documentation's S3 example (GET /test.txt with a Range header) canonicalizes
    /// as documented.
    #[test]
    fn aws_documented_get_object_example() {
        let req = RecordedRequest::new("GET", "/test.txt")
            .with_header("Host", "examplebucket.s3.amazonaws.com")
            .with_header("Range", "bytes=0-9")
            .with_header(
                "x-amz-content-sha256",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            )
            .with_header("x-amz-date", "20130524T000000Z");
        let signed: Vec<String> = ["host", "range", "x-amz-content-sha256", "x-amz-date"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let canonical = canonical_request(
            &req,
            "/test.txt",
            &signed,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        );
        let sts = format!(
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n{}",
            hex(&sha256(canonical.as_bytes()))
        );
        let mut key = hmac_sha256(b"AWS4wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", b"20130524");
        for part in ["us-east-1", "s3", "aws4_request"] {
            key = hmac_sha256(&key, part.as_bytes());
        }
        assert_eq!(
            hex(&hmac_sha256(&key, sts.as_bytes())),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }
}
