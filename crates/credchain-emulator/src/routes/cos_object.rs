//! The COS bucket ([`super::object_storage::COS_OBJECT`]): Tencent COS `q-sign-algorithm=sha1`
//! signatures verified by the emulator's own code, path-style (`/<bucket-appid>/<key>`; see
//! [`super::object_storage`]).
//!
//! The authorization (`Authorization` header, or the same fields as query parameters for a
//! presigned URL) is `q-sign-algorithm=sha1&q-ak=<id>&q-sign-time=<start>;<end>&q-key-time=<start>;<end>&q-header-list=<names>&q-url-param-list=<names>&q-signature=<hex>`.
//! The emulator recomputes:
//! - SignKey = hex HMAC-SHA1(secret, q-key-time);
//! - HttpString = `method(lower-case)\n<path>\n<params>\n<headers>\n`, where `<path>` is the
//!   request path as received, decoded (`/<bucket-appid>/<key>`: path-style signs the bucket
//!   segment too), and `<params>` / `<headers>` are the listed query parameters / header fields as
//!   `name=value` pairs, names lower-cased, both percent-encoded keeping `-_.~`, sorted, joined by
//!   `&`;
//! - StringToSign = `sha1\n<q-sign-time>\n<hex SHA-1 of HttpString>\n`, and the signature = hex
//!   HMAC-SHA1(SignKey, StringToSign).
//!
//! A signed `host` is checked against the `Host` field as sent and, failing that, without its
//! port (cos-python-sdk-v5 signs the host name without the port). Temporary keys send
//! `x-cos-security-token` as a header or as a query parameter. Both windows (`q-sign-time`,
//! `q-key-time`) must contain the emulator's clock.
//!
//! Error codes (HTTP status): `AccessDenied` (403: expired or not yet valid window, malformed
//! authorization), `InvalidAccessKeyId` (403: unknown key, or a temporary key without its
//! token), `InvalidSecurityToken` (403: another token), `ExpiredToken` (403: the temporary key
//! expired), `SignatureDoesNotMatch` (403), `InvalidArgument` (400: an algorithm other than
//! sha1), `BadDigest` (400), `NoSuchKey` (404).

use super::object_storage::{
    err, joined_header, now_unix, query_param, route, secret_for, Dialect, KeyProblem, ObjectError,
    ObjectPath, COS_OBJECT,
};
use crate::crypto::{constant_time_eq, hex, hmac_sha1, percent_encode, sha1};
use crate::request::{parse_urlencoded, RecordedRequest};
use crate::route::{Route, RouteContext};

/// The COS bucket route.
pub fn route_cos() -> Route {
    route(COS_OBJECT, Dialect::Cos, verify)
}

/// The authorization fields that are not signed parameters themselves.
const AUTH_FIELDS: &[&str] = &[
    "q-sign-algorithm",
    "q-ak",
    "q-sign-time",
    "q-key-time",
    "q-header-list",
    "q-url-param-list",
    "q-signature",
];

fn denied(message: &str) -> ObjectError {
    err(403, "AccessDenied", message)
}

fn key_error(problem: KeyProblem) -> ObjectError {
    match problem {
        KeyProblem::Unknown => err(
            403,
            "InvalidAccessKeyId",
            "The access key Id you provided does not exist in our records.",
        ),
        KeyProblem::MissingToken => err(
            403,
            "InvalidAccessKeyId",
            "The access key Id you provided does not exist in our records \
             (temporary keys need x-cos-security-token).",
        ),
        KeyProblem::WrongToken => err(
            403,
            "InvalidSecurityToken",
            "The security token you provided is invalid.",
        ),
        KeyProblem::Expired => err(
            403,
            "ExpiredToken",
            "The security token you provided has expired.",
        ),
    }
}

/// `start;end` as two numbers.
fn window(value: &str) -> Option<(i64, i64)> {
    let (a, b) = value.split_once(';')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// The authorization fields, from the header or else the query.
fn auth_fields(req: &RecordedRequest) -> Vec<(String, String)> {
    match req.header("authorization") {
        Some(auth) => parse_urlencoded(auth.trim()),
        None => req
            .query_params()
            .into_iter()
            .filter(|(k, _)| AUTH_FIELDS.contains(&k.as_str()))
            .collect(),
    }
}

fn verify(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    path: &ObjectPath,
) -> Result<Vec<u8>, ObjectError> {
    let fields = auth_fields(req);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| denied(&format!("The authorization has no {name}.")))
    };
    if field("q-sign-algorithm")? != "sha1" {
        return Err(err(
            400,
            "InvalidArgument",
            "q-sign-algorithm must be sha1.",
        ));
    }
    let (sign_time, key_time) = (field("q-sign-time")?, field("q-key-time")?);
    let now = now_unix(ctx);
    for value in [&sign_time, &key_time] {
        let (start, end) =
            window(value).ok_or_else(|| denied("q-sign-time and q-key-time must be start;end."))?;
        if now > end {
            return Err(denied("Request has expired."));
        }
        if now < start {
            return Err(denied("Request is not valid yet."));
        }
    }
    let token = req
        .header("x-cos-security-token")
        .map(str::to_string)
        .or_else(|| query_param(req, "x-cos-security-token"));
    let secret = secret_for(ctx, &field("q-ak")?, token.as_deref()).map_err(key_error)?;
    let signature = field("q-signature")?;
    let (header_list, param_list) = (field("q-header-list")?, field("q-url-param-list")?);
    let params = signed_params(req, &param_list);
    let sign_key = hex(&hmac_sha1(secret.as_bytes(), key_time.as_bytes()));
    let matches = |host: Option<&str>| {
        let http_string = format!(
            "{}\n{}\n{params}\n{}\n",
            req.method.to_ascii_lowercase(),
            format_args!("/{}/{}", path.bucket, path.key),
            signed_headers(req, &header_list, host),
        );
        let string_to_sign = format!(
            "sha1\n{sign_time}\n{}\n",
            hex(&sha1(http_string.as_bytes()))
        );
        let expected = hex(&hmac_sha1(sign_key.as_bytes(), string_to_sign.as_bytes()));
        constant_time_eq(expected.as_bytes(), signature.as_bytes())
    };
    let host = req.header("host").unwrap_or("");
    let host_without_port = host.rsplit_once(':').map(|(h, _)| h);
    if matches(Some(host)) || (host_without_port.is_some() && matches(host_without_port)) {
        Ok(req.body.clone())
    } else {
        Err(err(
            403,
            "SignatureDoesNotMatch",
            "The Signature you specified does not match what we calculated.",
        ))
    }
}

/// Encodes like COS: percent-encoding that keeps `-_.~` and alphanumerics.
fn cos_encode(s: &str) -> String {
    percent_encode(s, false)
}

/// The listed query parameters as sorted, encoded `name=value` pairs.
fn signed_params(req: &RecordedRequest, list: &str) -> String {
    let wanted: Vec<String> = list
        .split(';')
        .filter(|n| !n.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut pairs: Vec<(String, String)> = req
        .query_params()
        .into_iter()
        .map(|(k, v)| (cos_encode(&k).to_ascii_lowercase(), cos_encode(&v)))
        .filter(|(k, _)| wanted.contains(k))
        .collect();
    pairs.sort();
    join_pairs(&pairs)
}

/// The listed header fields as sorted, encoded `name=value` pairs; `host` is `host_value`.
fn signed_headers(req: &RecordedRequest, list: &str, host_value: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = list
        .split(';')
        .filter(|n| !n.is_empty())
        .map(str::to_ascii_lowercase)
        .map(|name| {
            let value = if name == "host" {
                host_value.map(str::to_string)
            } else {
                joined_header(req, &name)
            };
            (
                cos_encode(&name),
                cos_encode(value.as_deref().unwrap_or("")),
            )
        })
        .collect();
    pairs.sort();
    join_pairs(&pairs)
}

fn join_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse() {
        assert_eq!(window("1;2"), Some((1, 2)));
        assert_eq!(window("1"), None);
        assert_eq!(window("a;2"), None);
    }

    #[test]
    fn listed_headers_and_params_only() {
        let req = RecordedRequest::new("GET", "/b/k?X-Cos-Security-Token=a%20b&other=1")
            .with_header("Content-Type", "text/plain")
            .with_header("X-Unsigned", "1");
        assert_eq!(
            signed_params(&req, "x-cos-security-token"),
            "x-cos-security-token=a%20b"
        );
        assert_eq!(
            signed_headers(&req, "content-type;host", Some("h:1")),
            "content-type=text%2Fplain&host=h%3A1"
        );
    }
}
