//! Emulated object storage: path-style buckets for OSS, COS and S3-style (AWS SigV4) clients, with
//! objects held in memory ([`crate::ObjectStore`]) and every request's signature verified by the
//! emulator's own code.
//!
//! # Addressing
//! Path-style on the emulator's port: `http://127.0.0.1:PORT/<bucket>/<key>`. The first path
//! segment is the bucket (any name; no bucket needs creating), the rest, percent-decoded, is the
//! key (`/emu-bucket/docs/a%20b.txt` is key `docs/a b.txt`). Methods: `PUT`, `GET`, `HEAD`,
//! `DELETE`. One store serves the three APIs, so an object written with OSS V1 can be read with
//! SigV4.
//!
//! # Which cloud a request speaks
//! The path is the same for every cloud, so the route is chosen by the request's authorization:
//!
//! | route | `Authorization` header starts with | or the query has |
//! |---|---|---|
//! | [`OSS_OBJECT`] ([`super::oss_object`]) | `OSS ` (V1) or `OSS4-HMAC-SHA256 ` (V4) | `OSSAccessKeyId` (V1) or `x-oss-signature-version` / `x-oss-credential` (V4) |
//! | [`COS_OBJECT`] ([`super::cos_object`]) | `q-sign-algorithm=` | `q-sign-algorithm` |
//! | [`S3_OBJECT`] ([`super::s3_object`]) | `AWS4-HMAC-SHA256 ` | `X-Amz-Algorithm` / `X-Amz-Credential` |
//!
//! An unsigned request matches none of them and gets the emulator's 404 `EmulatorRouteNotFound`.
//! SigV4 clients can also list a bucket: `GET /<bucket>?list-type=2` ([`super::s3_list`]).
//!
//! # Keys
//! Every route accepts the emulator's two long-term keys ([`super::alibaba_sts::ACCESS_KEY_ID`] and
//! [`super::tencent_sts::EMULATOR_SECRET_ID`], with their secrets) and every credential the
//! emulator issued, which must come with its security token and must not have expired (by the
//! emulator's clock, [`crate::EmulatorState::now`]). The cloud's naming does not matter: OSS and COS
//! are also reached through their S3-compatible APIs with the same keys.
//!
//! # Time
//! Signed times are checked against the emulator's clock (settable with
//! [`crate::Emulator::set_clock`], so recorded requests can be replayed): header-signed requests
//! within [`MAX_CLOCK_SKEW_SECONDS`], presigned URLs until their expiry (at most
//! [`MAX_PRESIGN_SECONDS`] for OSS V4 and SigV4).
//!
//! # Answers
//! `PUT` 200 with `ETag` (quoted MD5; `Content-MD5` is checked when sent); `GET`/`HEAD` 200 with the
//! body (`HEAD`: its length only), `Content-Type`, `ETag`, `Last-Modified` (signed
//! `response-content-type`, `response-content-disposition`, `response-cache-control`, ...
//! parameters replace the matching headers; a single `Range: bytes=..` gives 206 with
//! `Content-Range`, or 416 `InvalidRange`), or 404 `NoSuchKey`;
//! `DELETE` 204 (also for a missing key, as the clouds do). Every answer has the cloud's request
//! id header (`x-oss-request-id`, `x-cos-request-id`, `x-amz-request-id`). Errors are the cloud's
//! XML `<Error><Code>..</Code><Message>..</Message>..<RequestId>..</RequestId></Error>`; they never
//! contain a secret, token or signature.
//!
//! # With curl
//! A presigned URL needs nothing else (`credchain presign ... --endpoint http://127.0.0.1:PORT`
//! makes one):
//!
//! ```text
//! curl -T hello.txt 'http://127.0.0.1:PORT/emu-bucket/hello.txt?x-oss-signature-version=...'
//! curl 'http://127.0.0.1:PORT/emu-bucket/hello.txt?x-oss-signature-version=...'
//! ```
//!
//! and curl signs SigV4 itself with the emulator's long-term key (`--data-binary`, not `-T`:
//! curl 7.x signs an upload's payload as if it were empty):
//!
//! ```text
//! K=LTAI5tEmulatorKeyId01:EmulatorAccessKeySecret01xQz
//! curl --aws-sigv4 aws:amz:cn-hangzhou:s3 --user $K -X PUT --data-binary @hello.txt \
//!      http://127.0.0.1:PORT/emu-bucket/hello.txt
//! curl --aws-sigv4 aws:amz:cn-hangzhou:s3 --user $K http://127.0.0.1:PORT/emu-bucket/hello.txt
//! curl --aws-sigv4 aws:amz:cn-hangzhou:s3 --user $K -X DELETE http://127.0.0.1:PORT/emu-bucket/hello.txt
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use super::alibaba_sts::{ACCESS_KEY_ID, ACCESS_KEY_SECRET};
use super::tencent_sts::{EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY};
use crate::crypto::{base64, md5, percent_decode};
use crate::objects::StoredObject;
use crate::reply::Reply;
use crate::request::RecordedRequest;
use crate::route::{Matcher, Route, RouteContext};
use crate::time::format_http_date;

/// Route name of the OSS bucket (V1 and V4 signatures).
pub const OSS_OBJECT: &str = "oss.object";
/// Route name of the COS bucket (`q-sign-algorithm=sha1`).
pub const COS_OBJECT: &str = "cos.object";
/// Route name of the S3-style bucket (AWS SigV4, service `s3`).
pub const S3_OBJECT: &str = "s3.object";
/// Largest accepted difference between a header-signed request's time and the emulator's clock.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 15 * 60;
/// Longest validity of an OSS V4 or SigV4 presigned URL (7 days).
pub const MAX_PRESIGN_SECONDS: i64 = 7 * 24 * 3600;

/// The object-storage API a request speaks, told by its authorization (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Alibaba OSS, signature V1 or V4.
    Oss,
    /// Tencent COS, `q-sign-algorithm=sha1`.
    Cos,
    /// AWS SigV4 for service `s3` (the S3-compatible APIs of OSS and COS).
    S3,
}

/// The dialect of `request`, `None` when it carries no object-storage authorization.
///
/// ```
/// use credchain_emulator::routes::object_storage::{dialect, Dialect};
/// use credchain_emulator::RecordedRequest;
/// let presigned = RecordedRequest::new("GET", "/b/k?OSSAccessKeyId=x&Expires=1&Signature=s");
/// assert_eq!(dialect(&presigned), Some(Dialect::Oss));
/// let cos = RecordedRequest::new("GET", "/b/k").with_header("Authorization", "q-sign-algorithm=sha1&q-ak=x");
/// assert_eq!(dialect(&cos), Some(Dialect::Cos));
/// assert_eq!(dialect(&RecordedRequest::new("GET", "/b/k")), None);
/// ```
pub fn dialect(request: &RecordedRequest) -> Option<Dialect> {
    if let Some(auth) = request.header("authorization") {
        if auth.starts_with("OSS ") || auth.starts_with("OSS4-HMAC-SHA256 ") {
            return Some(Dialect::Oss);
        }
        if auth.starts_with("q-sign-algorithm=") {
            return Some(Dialect::Cos);
        }
        if auth.starts_with("AWS4-HMAC-SHA256 ") {
            return Some(Dialect::S3);
        }
        return None;
    }
    let names: Vec<String> = request
        .query
        .split('&')
        .map(|p| percent_decode(p.split('=').next().unwrap_or("")))
        .collect();
    let has = |n: &str| names.iter().any(|k| k == n);
    if has("OSSAccessKeyId") || has("x-oss-signature-version") || has("x-oss-credential") {
        Some(Dialect::Oss)
    } else if has("q-sign-algorithm") {
        Some(Dialect::Cos)
    } else if has("X-Amz-Algorithm") || has("X-Amz-Credential") {
        Some(Dialect::S3)
    } else {
        None
    }
}

/// The bucket and the decoded key of a path-style object path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectPath {
    /// The first path segment.
    pub bucket: String,
    /// The rest of the path after `/<bucket>/`, percent-decoded.
    pub key: String,
}

/// Splits `/<bucket>/<key>`; `None` when the bucket or the key is empty.
///
/// ```
/// use credchain_emulator::routes::object_storage::object_path;
/// let p = object_path("/b/docs%2Fa%20b+c.txt").unwrap();
/// assert_eq!((p.bucket.as_str(), p.key.as_str()), ("b", "docs/a b+c.txt"));
/// assert!(object_path("/b/").is_none());
/// assert!(object_path("/b").is_none());
/// ```
pub fn object_path(path: &str) -> Option<ObjectPath> {
    let (bucket, key) = path.strip_prefix('/')?.split_once('/')?;
    let (bucket, key) = (percent_decode(bucket), percent_decode(key));
    (!bucket.is_empty() && !key.is_empty()).then_some(ObjectPath { bucket, key })
}

/// The object methods the buckets serve.
const METHODS: [&str; 4] = ["PUT", "GET", "HEAD", "DELETE"];

/// A bucket route for `dialect`: `verify` checks the request and returns the payload to store.
pub(crate) fn route(
    name: &'static str,
    wanted: Dialect,
    verify: fn(&RecordedRequest, &RouteContext<'_>, &ObjectPath) -> Result<Vec<u8>, ObjectError>,
) -> Route {
    Route::new(
        name,
        Matcher::new(move |r| {
            METHODS.contains(&r.method.as_str())
                && object_path(&r.path).is_some()
                && dialect(r) == Some(wanted)
        }),
        move |req, ctx| {
            let Some(path) = object_path(&req.path) else {
                return Reply::error(404, "EmulatorRouteNotFound", "not an object path");
            };
            match verify(req, ctx, &path).and_then(|body| serve(req, ctx, wanted, &path, body)) {
                Ok(reply) => reply,
                Err(e) => error_reply(wanted, req, &path, &e),
            }
        },
    )
}

/// An error answered in the cloud's XML shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ObjectError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

pub(crate) fn err(status: u16, code: &'static str, message: impl Into<String>) -> ObjectError {
    ObjectError {
        status,
        code,
        message: message.into(),
    }
}

/// Why a key was refused; each dialect names it its own way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyProblem {
    /// Neither a long-term key nor an issued one.
    Unknown,
    /// An issued key sent without its token.
    MissingToken,
    /// An issued key sent with another token.
    WrongToken,
    /// An issued key past its expiration.
    Expired,
}

/// The secret of `key_id`: a long-term key, or an issued one with its `token`, unexpired.
pub(crate) fn secret_for(
    ctx: &RouteContext<'_>,
    key_id: &str,
    token: Option<&str>,
) -> Result<String, KeyProblem> {
    for (id, secret) in [
        (ACCESS_KEY_ID, ACCESS_KEY_SECRET),
        (EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY),
    ] {
        if id == key_id {
            return Ok(secret.to_string());
        }
    }
    let state = ctx.state();
    let issued = state
        .issued()
        .into_iter()
        .find(|c| c.access_key_id == key_id)
        .ok_or(KeyProblem::Unknown)?;
    match token {
        None | Some("") => Err(KeyProblem::MissingToken),
        Some(t) if t != issued.security_token => Err(KeyProblem::WrongToken),
        Some(_) if issued.expiration <= state.now() => Err(KeyProblem::Expired),
        Some(_) => Ok(issued.access_key_secret),
    }
}

/// Seconds since the epoch by the emulator's clock.
pub(crate) fn now_unix(ctx: &RouteContext<'_>) -> i64 {
    crate::time::unix_seconds(ctx.state().now())
}

/// The values of every header `name`, joined by `,` (how repeated fields combine).
pub(crate) fn joined_header(req: &RecordedRequest, name: &str) -> Option<String> {
    let values: Vec<&str> = req
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .collect();
    (!values.is_empty()).then(|| values.join(","))
}

/// The first decoded query parameter `name` (exact, case-sensitive name).
/// One field of a V4-style `Authorization` value (`ALGO Key=Value, Key=Value, ...`), as OSS V4 and
/// AWS SigV4 both write it; `fields` is the value with the algorithm name already removed.
pub(crate) fn auth_field(fields: &str, name: &str) -> Option<String> {
    fields
        .split(',')
        .filter_map(|f| f.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// Splits a V4 credential scope `<id>/<yyyymmdd>/<region>/<service>/<terminator>` (OSS:
/// `oss`/`aliyun_v4_request`, S3: `s3`/`aws4_request`) into id, date and region; `None` when the
/// shape, service or terminator differ or the id is empty.
pub(crate) fn credential_scope(
    value: &str,
    service: &str,
    terminator: &str,
) -> Option<(String, String, String)> {
    let parts: Vec<&str> = value.split('/').collect();
    match parts.as_slice() {
        [id, date, region, s, t] if !id.is_empty() && *s == service && *t == terminator => {
            Some((id.to_string(), date.to_string(), region.to_string()))
        }
        _ => None,
    }
}

pub(crate) fn query_param(req: &RecordedRequest, name: &str) -> Option<String> {
    req.query_params()
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

static REQUESTS: AtomicU64 = AtomicU64::new(0);

pub(crate) fn request_id(dialect: Dialect) -> String {
    let n = REQUESTS.fetch_add(1, Ordering::Relaxed) + 1;
    match dialect {
        Dialect::Oss => format!("656D750000000000{n:08X}"),
        Dialect::Cos => format!("NjVtdV9jb3Nf{n:012}"),
        Dialect::S3 => format!("EMU{n:013X}"),
    }
}

pub(crate) fn request_id_header(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Oss => "x-oss-request-id",
        Dialect::Cos => "x-cos-request-id",
        Dialect::S3 => "x-amz-request-id",
    }
}

fn etag(dialect: Dialect, object: &StoredObject) -> String {
    match dialect {
        // OSS writes the MD5 in upper case.
        Dialect::Oss => format!("\"{}\"", object.md5_hex.to_ascii_uppercase()),
        Dialect::Cos | Dialect::S3 => format!("\"{}\"", object.md5_hex),
    }
}

/// Runs the verified request against the store.
fn serve(
    req: &RecordedRequest,
    ctx: &RouteContext<'_>,
    dialect: Dialect,
    path: &ObjectPath,
    body: Vec<u8>,
) -> Result<Reply, ObjectError> {
    let store = ctx.state().objects();
    let id = request_id(dialect);
    let reply = match req.method.as_str() {
        "PUT" => {
            if let Some(sent) = req.header("content-md5") {
                if sent.trim() != base64(&md5(&body)) {
                    return Err(err(
                        400,
                        "BadDigest",
                        "The Content-MD5 you specified did not match what was received.",
                    ));
                }
            }
            let content_type = req.header("content-type").unwrap_or("").trim();
            let object = StoredObject::new(body, content_type, ctx.state().now());
            let reply = Reply::empty(200).with_header("ETag", &etag(dialect, &object));
            store.put(&path.bucket, &path.key, object);
            reply
        }
        "DELETE" => {
            store.delete(&path.bucket, &path.key);
            Reply::empty(204)
        }
        _ => {
            let Some(object) = store.get(&path.bucket, &path.key) else {
                return Err(err(404, "NoSuchKey", "The specified key does not exist."));
            };
            let overrides = response_overrides(req);
            let content_type = overrides
                .iter()
                .find(|(h, _)| *h == "Content-Type")
                .map_or(object.content_type.as_str(), |(_, v)| v.as_str());
            let len = object.body.len();
            let (status, body, range) = match req.header("range").and_then(|r| byte_range(r, len)) {
                None => (200, object.body.clone(), None),
                Some(Err(())) => {
                    return Err(err(
                        416,
                        "InvalidRange",
                        format!("The requested range is not satisfiable (object size {len})."),
                    ))
                }
                Some(Ok((first, last))) => (
                    206,
                    object.body[first..=last].to_vec(),
                    Some(format!("bytes {first}-{last}/{len}")),
                ),
            };
            let mut reply = Reply::bytes(status, content_type, body)
                .with_header("Accept-Ranges", "bytes")
                .with_header("ETag", &etag(dialect, &object))
                .with_header("Last-Modified", &format_http_date(object.last_modified));
            if let Some(range) = range {
                reply = reply.with_header("Content-Range", &range);
            }
            for (name, value) in overrides.iter().filter(|(h, _)| *h != "Content-Type") {
                reply = reply.with_header(name, value);
            }
            reply
        }
    };
    Ok(reply.with_header(request_id_header(dialect), &id))
}

/// The inclusive byte range a `Range: bytes=..` field asks of an object of `len` bytes: `None`
/// when the field is not one single byte range (the whole object is sent, as HTTP allows),
/// `Some(Err(()))` when it is unsatisfiable.
///
/// ```
/// use credchain_emulator::routes::object_storage::byte_range;
/// assert_eq!(byte_range("bytes=2-5", 10), Some(Ok((2, 5))));
/// assert_eq!(byte_range("bytes=8-", 10), Some(Ok((8, 9))));
/// assert_eq!(byte_range("bytes=-3", 10), Some(Ok((7, 9))));
/// assert_eq!(byte_range("bytes=5-100", 10), Some(Ok((5, 9))));
/// assert_eq!(byte_range("bytes=10-", 10), Some(Err(())));
/// assert_eq!(byte_range("bytes=0-1,4-5", 10), None);
/// assert_eq!(byte_range("items=0-1", 10), None);
/// ```
pub fn byte_range(field: &str, len: usize) -> Option<Result<(usize, usize), ()>> {
    let spec = field.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let number = |s: &str| -> Option<usize> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().unwrap_or(usize::MAX))
    };
    let (first, last) = match (first.trim(), last.trim()) {
        ("", suffix) => {
            let n = number(suffix)?;
            if n == 0 || len == 0 {
                return Some(Err(()));
            }
            (len.saturating_sub(n), len - 1)
        }
        (first, "") => (number(first)?, len.saturating_sub(1)),
        (first, last) => {
            let (first, last) = (number(first)?, number(last)?);
            if last < first {
                return None;
            }
            (first, last.min(len.saturating_sub(1)))
        }
    };
    if first >= len {
        return Some(Err(()));
    }
    Some(Ok((first, last)))
}

/// The response headers a signed `GET`/`HEAD` asks for with `response-*` query parameters.
fn response_overrides(req: &RecordedRequest) -> Vec<(&'static str, String)> {
    const OVERRIDES: [(&str, &str); 6] = [
        ("response-content-type", "Content-Type"),
        ("response-content-disposition", "Content-Disposition"),
        ("response-content-encoding", "Content-Encoding"),
        ("response-content-language", "Content-Language"),
        ("response-cache-control", "Cache-Control"),
        ("response-expires", "Expires"),
    ];
    let params = req.query_params();
    OVERRIDES
        .iter()
        .filter_map(|(param, header)| {
            let (_, v) = params.iter().find(|(k, _)| k.eq_ignore_ascii_case(param))?;
            Some((*header, v.clone()))
        })
        .collect()
}

pub(crate) fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The error in `dialect`'s XML shape, with its request id header.
pub(crate) fn error_reply(
    dialect: Dialect,
    req: &RecordedRequest,
    path: &ObjectPath,
    e: &ObjectError,
) -> Reply {
    let id = request_id(dialect);
    let host = xml_escape(req.header("host").unwrap_or("127.0.0.1"));
    let (code, message) = (e.code, xml_escape(&e.message));
    let resource = xml_escape(&format!("/{}/{}", path.bucket, path.key));
    let body = match dialect {
        Dialect::Oss => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>{code}</Code>\n  \
             <Message>{message}</Message>\n  <RequestId>{id}</RequestId>\n  \
             <HostId>{host}</HostId>\n</Error>\n"
        ),
        Dialect::Cos => format!(
            "<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>{code}</Code>\n\t\
             <Message>{message}</Message>\n\t<Resource>{host}{resource}</Resource>\n\t\
             <RequestId>{id}</RequestId>\n\t<TraceId>{id}</TraceId>\n</Error>\n"
        ),
        Dialect::S3 => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
             <Message>{message}</Message><Resource>{resource}</Resource>\
             <RequestId>{id}</RequestId><HostId>{host}</HostId></Error>"
        ),
    };
    Reply::bytes(e.status, "application/xml", body).with_header(request_id_header(dialect), &id)
}

/// Whether `now` lies outside `[start - skew, end]`: shared by the presigned-URL checks.
pub(crate) fn outside_window(now: i64, start: i64, end: i64) -> Option<&'static str> {
    if now > end {
        Some("Request has expired.")
    } else if now < start.saturating_sub(MAX_CLOCK_SKEW_SECONDS) {
        Some("Request is not valid yet.")
    } else {
        None
    }
}

/// When a header-signed request's time is too far from `now`.
pub(crate) fn too_skewed(now: i64, signed_at: SystemTime) -> bool {
    (now - crate::time::unix_seconds(signed_at)).abs() > MAX_CLOCK_SKEW_SECONDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialects_by_authorization() {
        let h = |v: &str| RecordedRequest::new("GET", "/b/k").with_header("Authorization", v);
        assert_eq!(dialect(&h("OSS id:sig")), Some(Dialect::Oss));
        assert_eq!(
            dialect(&h("OSS4-HMAC-SHA256 Credential=x")),
            Some(Dialect::Oss)
        );
        assert_eq!(
            dialect(&h("AWS4-HMAC-SHA256 Credential=x")),
            Some(Dialect::S3)
        );
        assert_eq!(dialect(&h("Bearer x")), None);
        let q = |t: &str| dialect(&RecordedRequest::new("GET", t));
        assert_eq!(
            q("/b/k?x-oss-signature-version=OSS4-HMAC-SHA256"),
            Some(Dialect::Oss)
        );
        assert_eq!(q("/b/k?q-sign-algorithm=sha1"), Some(Dialect::Cos));
        assert_eq!(
            q("/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"),
            Some(Dialect::S3)
        );
        assert_eq!(q("/b/k?x-amz-algorithm=AWS4-HMAC-SHA256"), None);
    }

    #[test]
    fn windows() {
        assert_eq!(outside_window(100, 50, 100), None);
        assert_eq!(outside_window(101, 50, 100), Some("Request has expired."));
        assert_eq!(
            outside_window(0, MAX_CLOCK_SKEW_SECONDS + 1, i64::MAX),
            Some("Request is not valid yet.")
        );
    }

    #[test]
    fn error_xml_is_escaped_and_names_the_request() {
        let req = RecordedRequest::new("GET", "/b/k").with_header("Host", "127.0.0.1:1");
        let path = object_path("/b/a%26%3C.txt").unwrap();
        let e = err(403, "SignatureDoesNotMatch", "no <match>");
        for d in [Dialect::Oss, Dialect::Cos, Dialect::S3] {
            let r = error_reply(d, &req, &path, &e);
            let text = String::from_utf8(r.body_bytes()).unwrap();
            assert!(
                text.contains("<Code>SignatureDoesNotMatch</Code>"),
                "{text}"
            );
            assert!(text.contains("no &lt;match&gt;"), "{text}");
            assert!(text.contains("<RequestId>"), "{text}");
            assert!(r.header(request_id_header(d)).is_some());
            assert_eq!(r.status, 403);
        }
    }
}
