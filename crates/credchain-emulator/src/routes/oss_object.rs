//! The OSS bucket ([`super::object_storage::OSS_OBJECT`]): Alibaba OSS signatures verified by the
//! emulator's own code, path-style (`/<bucket>/<key>`; see [`super::object_storage`]).
//!
//! - **V1 header** `Authorization: OSS <id>:<signature>`: base64 HMAC-SHA1 over
//!   `VERB\nContent-MD5\nContent-Type\nDate\n` + the `x-oss-*` headers (lower-cased, sorted,
//!   `name:value\n`) + the resource `/<bucket>/<key>` (decoded key) with the signed sub-resources
//!   (`?acl`, `?uploadId=..`, `response-*`, ...). `Date` must be within 15 minutes of the clock;
//!   temporary keys send `x-oss-security-token`.
//! - **V1 query** `OSSAccessKeyId`, `Expires` (Unix seconds), `Signature`, and `security-token`
//!   for temporary keys: the same string with `Expires` in place of the date and
//!   `?security-token=<token>` in the resource. Expired URLs are refused.
//! - **V4 header** `Authorization: OSS4-HMAC-SHA256 Credential=<id>/<yyyymmdd>/<region>/oss/aliyun_v4_request[,AdditionalHeaders=a;b],Signature=<hex>`
//!   with `x-oss-date` and `x-oss-content-sha256`: the canonical request is `VERB`, the URI
//!   `/<bucket>/<key>` percent-encoded keeping `/`, the sorted re-encoded query, the headers
//!   `x-oss-*`, `content-type`, `content-md5` and the additional ones (non-empty values), the
//!   additional header names, and the payload hash (`UNSIGNED-PAYLOAD` or the body's SHA-256); the
//!   key is derived from `aliyun_v4<secret>`, date, region, `oss`, `aliyun_v4_request`.
//! - **V4 query** `x-oss-signature-version=OSS4-HMAC-SHA256`, `x-oss-date`, `x-oss-expires` (at
//!   most 7 days), `x-oss-credential`, `x-oss-signature`, optional `x-oss-security-token` and
//!   `x-oss-additional-headers`; payload `UNSIGNED-PAYLOAD`.
//!
//! Any region is accepted (the emulator has one). Error codes (HTTP status): `AccessDenied` (403:
//! expired or not yet valid URL, malformed authorization), `RequestTimeTooSkewed` (403),
//! `InvalidAccessKeyId` (403: unknown key, or a temporary key without its token),
//! `InvalidSecurityToken` (403: another token), `SecurityTokenExpired` (403),
//! `SignatureDoesNotMatch` (403), `InvalidArgument` (400: bad expiry, payload hash mismatch),
//! `BadDigest` (400), `NoSuchKey` (404).

use super::object_storage::{
    auth_field, credential_scope, err, joined_header, now_unix, outside_window, query_param, route,
    secret_for, too_skewed, Dialect, KeyProblem, ObjectError, ObjectPath, MAX_PRESIGN_SECONDS,
    OSS_OBJECT,
};
use crate::crypto::{
    base64, constant_time_eq, hex, hmac_sha1, hmac_sha256, percent_encode, sha256,
};
use crate::request::RecordedRequest;
use crate::route::{Route, RouteContext};
use crate::time::{parse_compact_utc, parse_http_date, unix_seconds};

/// Query parameters that V1 signs as sub-resources (the rest are not signed).
const SUB_RESOURCES: &[&str] = &[
    "acl",
    "append",
    "bucketInfo",
    "cname",
    "comp",
    "cors",
    "delete",
    "endTime",
    "img",
    "inventory",
    "lifecycle",
    "live",
    "location",
    "logging",
    "objectMeta",
    "partNumber",
    "position",
    "qos",
    "referer",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "security-token",
    "sequential",
    "startTime",
    "stat",
    "status",
    "style",
    "styleName",
    "symlink",
    "tagging",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "vod",
    "website",
    "x-oss-process",
    "x-oss-traffic-limit",
];

/// The OSS bucket route.
pub fn route_oss() -> Route {
    route(OSS_OBJECT, Dialect::Oss, verify)
}

fn verify(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    path: &ObjectPath,
) -> Result<Vec<u8>, ObjectError> {
    match req.header("authorization") {
        Some(auth) if auth.starts_with("OSS4-HMAC-SHA256 ") => v4(req, ctx, path, Some(auth)),
        Some(auth) => v1(req, ctx, path, auth.strip_prefix("OSS ")),
        None if query_param(req, "x-oss-signature-version").is_some()
            || query_param(req, "x-oss-credential").is_some() =>
        {
            v4(req, ctx, path, None)
        }
        None => v1(req, ctx, path, None),
    }
}

fn denied(message: &str) -> ObjectError {
    err(403, "AccessDenied", message)
}

fn key_error(problem: KeyProblem) -> ObjectError {
    match problem {
        KeyProblem::Unknown => err(
            403,
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
        ),
        KeyProblem::MissingToken => err(
            403,
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records \
             (temporary keys need their security token).",
        ),
        KeyProblem::WrongToken => err(
            403,
            "InvalidSecurityToken",
            "The security token you provided is invalid.",
        ),
        KeyProblem::Expired => err(
            403,
            "SecurityTokenExpired",
            "The security token you provided has expired.",
        ),
    }
}

fn mismatch() -> ObjectError {
    err(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. \
         Check your key and signing method.",
    )
}

/// Lower-cased `x-oss-*` headers, sorted, as `name:value\n` lines.
fn v1_oss_headers(req: &RecordedRequest) -> String {
    let mut names: Vec<String> = req
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| n.starts_with("x-oss-"))
        .collect();
    names.sort();
    names.dedup();
    names
        .iter()
        .map(|n| format!("{n}:{}\n", joined_header(req, n).unwrap_or_default()))
        .collect()
}

/// `/<bucket>/<key>` plus the signed sub-resources, sorted, decoded.
fn v1_resource(req: &RecordedRequest, path: &ObjectPath) -> String {
    let mut subs: Vec<(String, String)> = req
        .query_params()
        .into_iter()
        .filter(|(k, _)| SUB_RESOURCES.contains(&k.as_str()))
        .collect();
    subs.sort();
    let mut resource = format!("/{}/{}", path.bucket, path.key);
    for (i, (k, v)) in subs.iter().enumerate() {
        resource.push(if i == 0 { '?' } else { '&' });
        resource.push_str(k);
        if !v.is_empty() {
            resource.push('=');
            resource.push_str(v);
        }
    }
    resource
}

fn v1(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    path: &ObjectPath,
    header_auth: Option<&str>,
) -> Result<Vec<u8>, ObjectError> {
    let now = now_unix(ctx);
    let (key_id, signature, date, token) = match header_auth {
        Some(rest) => {
            let (id, sig) = rest
                .trim()
                .split_once(':')
                .ok_or_else(|| denied("The Authorization header is malformed."))?;
            let date = req
                .header("date")
                .ok_or_else(|| denied("The Date header is missing."))?;
            let at = parse_http_date(date.trim())
                .ok_or_else(|| denied("The Date header is not a valid HTTP date."))?;
            if too_skewed(now, at) {
                return Err(err(
                    403,
                    "RequestTimeTooSkewed",
                    "The difference between the request time and the current time is too large.",
                ));
            }
            let token = req.header("x-oss-security-token").map(str::to_string);
            (id.to_string(), sig.to_string(), date.to_string(), token)
        }
        None => {
            let need = |name: &str| {
                query_param(req, name)
                    .ok_or_else(|| denied(&format!("The {name} query parameter is missing.")))
            };
            let (id, sig, expires) = (
                need("OSSAccessKeyId")?,
                need("Signature")?,
                need("Expires")?,
            );
            let until: i64 = expires
                .parse()
                .map_err(|_| denied("The Expires query parameter is not a number."))?;
            if now > until {
                return Err(denied("Request has expired."));
            }
            (id, sig, expires, query_param(req, "security-token"))
        }
    };
    let secret = secret_for(ctx, &key_id, token.as_deref()).map_err(key_error)?;
    let string_to_sign = format!(
        "{}\n{}\n{}\n{}\n{}{}",
        req.method,
        req.header("content-md5").unwrap_or("").trim(),
        req.header("content-type").unwrap_or("").trim(),
        date,
        v1_oss_headers(req),
        v1_resource(req, path),
    );
    let expected = base64(&hmac_sha1(secret.as_bytes(), string_to_sign.as_bytes()));
    if !constant_time_eq(expected.as_bytes(), signature.trim().as_bytes()) {
        return Err(mismatch());
    }
    Ok(req.body.clone())
}

/// The parts of a V4 signature, from the header or the query.
struct V4Parts {
    key_id: String,
    date: String,
    region: String,
    additional: Vec<String>,
    signature: String,
    signed_at: String,
    token: Option<String>,
    payload: String,
}

/// Splits `<id>/<yyyymmdd>/<region>/oss/aliyun_v4_request`.
fn v4_credential(credential: &str) -> Result<(String, String, String), ObjectError> {
    credential_scope(credential, "oss", "aliyun_v4_request").ok_or_else(|| {
        denied("The credential must be <AccessKeyId>/<date>/<region>/oss/aliyun_v4_request.")
    })
}

fn v4_header_parts(req: &RecordedRequest, auth: &str) -> Result<V4Parts, ObjectError> {
    let fields = auth.trim_start_matches("OSS4-HMAC-SHA256").trim();
    let field = |name: &str| auth_field(fields, name);
    let credential = field("Credential").ok_or_else(|| denied("Credential is missing."))?;
    let (key_id, date, region) = v4_credential(&credential)?;
    let signature = field("Signature").ok_or_else(|| denied("Signature is missing."))?;
    Ok(V4Parts {
        key_id,
        date,
        region,
        additional: field("AdditionalHeaders")
            .map(|h| h.split(';').map(|s| s.to_ascii_lowercase()).collect())
            .unwrap_or_default(),
        signature,
        signed_at: req
            .header("x-oss-date")
            .ok_or_else(|| denied("The x-oss-date header is missing."))?
            .trim()
            .to_string(),
        token: req.header("x-oss-security-token").map(str::to_string),
        payload: req
            .header("x-oss-content-sha256")
            .ok_or_else(|| {
                err(
                    400,
                    "InvalidArgument",
                    "The x-oss-content-sha256 header is missing.",
                )
            })?
            .trim()
            .to_string(),
    })
}

fn v4_query_parts(req: &RecordedRequest) -> Result<V4Parts, ObjectError> {
    let need = |name: &str| {
        query_param(req, name)
            .ok_or_else(|| denied(&format!("The {name} query parameter is missing.")))
    };
    if need("x-oss-signature-version")? != "OSS4-HMAC-SHA256" {
        return Err(denied("x-oss-signature-version must be OSS4-HMAC-SHA256."));
    }
    let (key_id, date, region) = v4_credential(&need("x-oss-credential")?)?;
    Ok(V4Parts {
        key_id,
        date,
        region,
        additional: query_param(req, "x-oss-additional-headers")
            .map(|h| h.split(';').map(|s| s.to_ascii_lowercase()).collect())
            .unwrap_or_default(),
        signature: need("x-oss-signature")?,
        signed_at: need("x-oss-date")?,
        token: query_param(req, "x-oss-security-token"),
        payload: "UNSIGNED-PAYLOAD".to_string(),
    })
}

fn v4(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    path: &ObjectPath,
    header_auth: Option<&str>,
) -> Result<Vec<u8>, ObjectError> {
    let now = now_unix(ctx);
    let parts = match header_auth {
        Some(auth) => v4_header_parts(req, auth)?,
        None => v4_query_parts(req)?,
    };
    let signed_at = parse_compact_utc(&parts.signed_at)
        .ok_or_else(|| denied("x-oss-date must look like 20260101T100000Z."))?;
    if !parts.signed_at.starts_with(&parts.date) {
        return Err(denied("The credential date does not match x-oss-date."));
    }
    match header_auth {
        Some(_) if too_skewed(now, signed_at) => {
            return Err(err(
                403,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
            ))
        }
        Some(_) => {}
        None => {
            let expires: i64 = query_param(req, "x-oss-expires")
                .and_then(|e| e.parse().ok())
                .filter(|e| (1..=MAX_PRESIGN_SECONDS).contains(e))
                .ok_or_else(|| {
                    err(
                        400,
                        "InvalidArgument",
                        "x-oss-expires must be a number of seconds from 1 to 604800.",
                    )
                })?;
            let start = unix_seconds(signed_at);
            if let Some(why) = outside_window(now, start, start + expires) {
                return Err(denied(why));
            }
        }
    }
    let secret = secret_for(ctx, &parts.key_id, parts.token.as_deref()).map_err(key_error)?;
    let canonical = v4_canonical_request(req, path, &parts.additional, &parts.payload);
    let scope = format!("{}/{}/oss/aliyun_v4_request", parts.date, parts.region);
    let string_to_sign = format!(
        "OSS4-HMAC-SHA256\n{}\n{scope}\n{}",
        parts.signed_at,
        hex(&sha256(canonical.as_bytes()))
    );
    let mut key = hmac_sha256(
        format!("aliyun_v4{secret}").as_bytes(),
        parts.date.as_bytes(),
    );
    for part in [parts.region.as_str(), "oss", "aliyun_v4_request"] {
        key = hmac_sha256(&key, part.as_bytes());
    }
    let expected = hex(&hmac_sha256(&key, string_to_sign.as_bytes()));
    if !constant_time_eq(expected.as_bytes(), parts.signature.as_bytes()) {
        return Err(mismatch());
    }
    if parts.payload != "UNSIGNED-PAYLOAD" && parts.payload != hex(&sha256(&req.body)) {
        return Err(err(
            400,
            "InvalidArgument",
            "x-oss-content-sha256 does not match the body.",
        ));
    }
    Ok(req.body.clone())
}

/// The V4 canonical request of `req` as received.
pub fn v4_canonical_request(
    req: &RecordedRequest,
    path: &ObjectPath,
    additional: &[String],
    payload: &str,
) -> String {
    let uri = percent_encode(&format!("/{}/{}", path.bucket, path.key), true);
    let mut query: Vec<(String, String)> = req
        .query_params()
        .into_iter()
        .filter(|(k, _)| k != "x-oss-signature")
        .map(|(k, v)| (percent_encode(&k, false), percent_encode(&v, false)))
        .collect();
    query.sort();
    let query: Vec<String> = query
        .into_iter()
        .map(|(k, v)| if v.is_empty() { k } else { format!("{k}={v}") })
        .collect();
    let mut names: Vec<String> = req
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| {
            n.starts_with("x-oss-")
                || n == "content-type"
                || n == "content-md5"
                || additional.contains(n)
        })
        .filter(|n| joined_header(req, n).is_some_and(|v| !v.is_empty()))
        .collect();
    names.sort();
    names.dedup();
    let headers: String = names
        .iter()
        .map(|n| format!("{n}:{}\n", joined_header(req, n).unwrap_or_default()))
        .collect();
    format!(
        "{}\n{uri}\n{}\n{headers}\n{}\n{payload}",
        req.method,
        query.join("&"),
        additional.join(";")
    )
}
