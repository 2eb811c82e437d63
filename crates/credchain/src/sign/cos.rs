//! Tencent Cloud COS request signature (`q-sign-algorithm=sha1`), for the `Authorization` header and
//! for presigned URLs ([`super::cos_presign`]).
//!
//! ```text
//! KeyTime      = "<start>;<end>"                  (Unix seconds; also q-sign-time)
//! SignKey      = hex(HMAC-SHA1(SecretKey, KeyTime))
//! HttpString   = lower(method) \n /<raw key> \n <params> \n <headers> \n
//! StringToSign = sha1 \n KeyTime \n hex(SHA1(HttpString)) \n
//! Signature    = hex(HMAC-SHA1(SignKey, StringToSign))
//! Authorization = q-sign-algorithm=sha1&q-ak=<id>&q-sign-time=<KeyTime>&q-key-time=<KeyTime>
//!                 &q-header-list=<names>&q-url-param-list=<names>&q-signature=<Signature>
//! ```
//!
//! `<params>` and `<headers>` are `name=value` pairs joined by `&`: each name and value is
//! percent-encoded (RFC 3986, only `A–Z a–z 0–9 - _ . ~` literal, upper-case hex), then the **encoded
//! name** is lower-cased (so `%2F` in a name becomes `%2f`), and the pairs are sorted by that name.
//! The lists name the same lower-cased encoded names joined by `;`. The HttpURI is `/` + the object
//! key exactly as given (not encoded; a key already starting with `/` is not prefixed).
//!
//! What is signed follows cos-python-sdk-v5:
//! - headers: only `host`, the `x-cos-*` and `x-ci-*` headers and a fixed set of standard ones
//!   ([`is_signed_header`]: `content-type`, `content-md5`, `content-length`, `range`, …); others
//!   (`User-Agent`, …) are sent but not signed;
//! - `host` is signed unless [`CosRequest::sign_host`] is off: the `Host` header if given, else
//!   [`CosRequest::host`];
//! - the validity window of [`CosRequest::new`] starts 60 s before the signing time and ends
//!   `expires` seconds after it, as the SDK does (it tolerates a client clock slightly ahead);
//! - temporary credentials: header signing sends `x-cos-security-token`, and signs it (the SDK adds
//!   the header before signing); presigned URLs carry it as a signed URL parameter instead.
//!
//! When two names differ only by case, the later one wins (the SDK builds a dictionary).
//!
//! [`sign_with_key`] returns every step as a string; [`write_authorization`] only the
//! `Authorization` value, streaming the same text into the hashes (the fast path, no allocation).
//!
//! ```
//! use credchain::sign::cos::{self, CosRequest};
//! let mut req = CosRequest::new("PUT", "dir/object.txt", 1735732800, 3600);
//! req.host = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com".into();
//! let s = cos::sign_with_key(&req, "AKIDExampleSecretId0123456789abcdef", "ExampleSecretKey0123456789abcdef", None);
//! assert_eq!(s.key_time, "1735732740;1735736400");
//! assert_eq!(s.http_string, "put\n/dir/object.txt\n\nhost=examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com\n");
//! assert!(s.authorization.starts_with("q-sign-algorithm=sha1&q-ak=AKIDExampleSecretId0123456789abcdef&q-sign-time=1735732740;1735736400&"));
//! ```

use std::fmt;

use hmac::Mac;
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use super::cos_lists::{put_names, put_pairs, with_sorted, Pair};
use super::crypto;
use super::sink::{put_hex, put_lowercase, Hashing, Sink};
use super::{Len, RedactedPairs};
use crate::credentials::{Credentials, REDACTED};
use crate::error::{Error, ErrorKind};

/// How long before the signing time the SDK's validity window starts, in seconds.
pub const START_SKEW_SECONDS: i64 = 60;

/// Standard header names COS signs when present (besides `x-cos-*` and `x-ci-*`).
pub const SIGNED_STANDARD_HEADERS: &[&str] = &[
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-type",
    "content-md5",
    "content-length",
    "expect",
    "expires",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-unmodified-since",
    "origin",
    "range",
    "transfer-encoding",
    "pic-operations",
];

/// Whether a header (any case) enters the COS signature.
///
/// ```
/// use credchain::sign::cos::is_signed_header;
/// assert!(is_signed_header("Content-Type") && is_signed_header("x-cos-meta-a") && is_signed_header("X-CI-Foo"));
/// assert!(!is_signed_header("User-Agent") && !is_signed_header("x-oss-date"));
/// ```
pub fn is_signed_header(name: &str) -> bool {
    let has_prefix = |prefix: &str| {
        name.len() >= prefix.len()
            && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    SIGNED_STANDARD_HEADERS
        .iter()
        .any(|h| h.eq_ignore_ascii_case(name))
        || has_prefix("x-cos-")
        || has_prefix("x-ci-")
}

/// A COS request to sign.
///
/// ```
/// let r = credchain::sign::cos::CosRequest::new("GET", "a b.txt", 1000, 60);
/// assert_eq!((r.start, r.end), (940, 1060));
/// assert_eq!(r.http_uri(), "/a b.txt");
/// ```
#[derive(Clone, Default)]
pub struct CosRequest {
    /// HTTP method (lower-cased in the HttpString).
    pub method: String,
    /// Object key, raw (not encoded). Empty for bucket-level requests.
    pub key: String,
    /// URL parameters to sign (all of them are signed).
    pub params: Vec<(String, String)>,
    /// Headers sent; those [`is_signed_header`] accepts are signed.
    pub headers: Vec<(String, String)>,
    /// The request host (`bucket-appid.cos.region.myqcloud.com`), signed as `host` when
    /// [`CosRequest::sign_host`] is on and `headers` has no `Host`.
    pub host: String,
    /// Whether `host` is signed (the SDK default: yes).
    pub sign_host: bool,
    /// Start of the validity window, Unix seconds.
    pub start: i64,
    /// End of the validity window, Unix seconds.
    pub end: i64,
}

impl CosRequest {
    /// A request signed at `now` and valid for `expires` seconds: the window is
    /// `now - 60 ..= now + expires`, as cos-python-sdk-v5 computes it. Host signing on.
    ///
    /// ```
    /// let r = credchain::sign::cos::CosRequest::new("PUT", "k", 1735732800, 3600);
    /// assert_eq!((r.start, r.end, r.sign_host), (1735732740, 1735736400, true));
    /// ```
    pub fn new(method: impl Into<String>, key: impl Into<String>, now: i64, expires: i64) -> Self {
        CosRequest {
            method: method.into(),
            key: key.into(),
            sign_host: true,
            start: now.saturating_sub(START_SKEW_SECONDS),
            end: now.saturating_add(expires),
            ..CosRequest::default()
        }
    }

    /// The HttpURI: `/` + the raw key (a key already starting with `/` is used as is).
    ///
    /// ```
    /// let mut r = credchain::sign::cos::CosRequest::new("GET", "/x", 0, 1);
    /// assert_eq!(r.http_uri(), "/x");
    /// r.key = "中文".into();
    /// assert_eq!(r.http_uri(), "/中文");
    /// ```
    pub fn http_uri(&self) -> String {
        if self.key.starts_with('/') {
            self.key.clone()
        } else {
            format!("/{}", self.key)
        }
    }

    /// The HttpURI in parts (`/` unless the key starts with one, then the key): nothing is
    /// allocated to sign it.
    fn http_uri_parts(&self) -> [&str; 2] {
        let slash = if self.key.starts_with('/') { "" } else { "/" };
        [slash, &self.key]
    }

    /// The headers signed, raw and in request order (sorting is [`with_lists`]'s).
    fn signed_header_pairs<'a>(&'a self, token: Option<&'a str>) -> impl Iterator<Item = Pair<'a>> {
        signed_headers(
            &self.headers,
            self.sign_host.then_some(self.host.as_str()),
            token,
        )
    }

    /// The URL parameters signed (all of them), raw and in request order.
    fn signed_param_pairs(&self) -> impl Iterator<Item = Pair<'_>> {
        self.params.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Calls `f` with what this request signs (its lists sorted), `token` as a signed header.
    fn with_signing<R>(&self, token: Option<&str>, f: impl FnOnce(&Signing<'_, '_>) -> R) -> R {
        let key_time = KeyTime::new(self.start, self.end);
        let uri = self.http_uri_parts();
        let headers = self.signed_header_pairs(token);
        with_lists(self.signed_param_pairs(), headers, |params, headers| {
            f(&Signing {
                method: &self.method,
                uri: &uri,
                key_time: key_time.as_str(),
                params,
                headers,
            })
        })
    }
}

impl fmt::Debug for CosRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosRequest")
            .field("method", &self.method)
            .field("key", &self.key)
            .field("params", &RedactedPairs(&self.params))
            .field("headers", &RedactedPairs(&self.headers))
            .field("host", &self.host)
            .field("sign_host", &self.sign_host)
            .field("start", &self.start)
            .field("end", &self.end)
            .finish()
    }
}

/// Every step of a COS signature. `Debug` redacts the sign key, signature and token.
///
/// ```
/// use credchain::sign::cos::{self, CosRequest};
/// let s = cos::sign_with_key(&CosRequest::new("GET", "k", 100, 10), "id", "key", Some("tok"));
/// assert_eq!(s.header_list, "x-cos-security-token");
/// assert!(!format!("{s:?}").contains(&s.signature));
/// ```
#[derive(Clone, Default)]
pub struct CosSigned {
    /// `q-key-time` (= `q-sign-time`), `start;end`.
    pub key_time: String,
    /// SignKey, lowercase hex. Key material: never log it.
    pub sign_key: String,
    /// The HttpString.
    pub http_string: String,
    /// The StringToSign.
    pub string_to_sign: String,
    /// The signature, lowercase hex.
    pub signature: String,
    /// `q-header-list`.
    pub header_list: String,
    /// `q-url-param-list`.
    pub url_param_list: String,
    /// The `Authorization` value (also the presigned URL's parameters, before URL encoding).
    pub authorization: String,
    /// Headers to add: `x-cos-security-token` (temporary credentials) and `Authorization`.
    pub headers: Vec<(String, String)>,
}

impl fmt::Debug for CosSigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosSigned")
            .field("key_time", &self.key_time)
            .field("sign_key", &REDACTED)
            .field("http_string", &Len(self.http_string.len()))
            .field("string_to_sign", &Len(self.string_to_sign.len()))
            .field("signature", &REDACTED)
            .field("header_list", &self.header_list)
            .field("url_param_list", &self.url_param_list)
            .field("authorization", &REDACTED)
            .field("headers", &RedactedPairs(&self.headers))
            .finish()
    }
}

/// Checks that a credential snapshot can sign COS requests (an id and a key, not a bearer token).
pub(crate) fn require_key_pair(creds: &Credentials) -> Result<(), Error> {
    if creds.access_key_id().is_empty() || creds.access_key_secret().is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidCredential,
            "COS signing needs a SecretId and SecretKey (bearer tokens are not supported)",
        ));
    }
    Ok(())
}

/// Signs for the `Authorization` header with a credential snapshot; temporary credentials add a
/// signed `x-cos-security-token` header.
///
/// ```
/// use credchain::Credentials;
/// use credchain::sign::cos::{self, CosRequest};
/// let c = Credentials::builder("id", "key").security_token("tok").build();
/// let s = cos::sign(&CosRequest::new("GET", "k", 100, 10), &c).unwrap();
/// assert!(s.headers.contains(&("x-cos-security-token".into(), "tok".into())));
/// ```
pub fn sign(req: &CosRequest, creds: &Credentials) -> Result<CosSigned, Error> {
    require_key_pair(creds)?;
    Ok(sign_with_key(
        req,
        creds.access_key_id(),
        creds.access_key_secret(),
        creds.security_token(),
    ))
}

/// Signs with raw key strings. An empty token counts as none; a token header already in
/// `req.headers` is signed as given and not added again.
///
/// ```
/// use credchain::sign::cos::{self, CosRequest};
/// let s = cos::sign_with_key(&CosRequest::new("GET", "k", 100, 10), "id", "key", None);
/// assert_eq!(s.string_to_sign, format!("sha1\n40;110\n{}\n", credchain::sign::crypto::sha1_hex(s.http_string.as_bytes())));
/// ```
pub fn sign_with_key(
    req: &CosRequest,
    secret_id: &str,
    secret_key: &str,
    security_token: Option<&str>,
) -> CosSigned {
    let token = header_token(req, security_token);
    let steps = req.with_signing(token, |what| what.steps(secret_id, secret_key));
    let mut added = Vec::with_capacity(2);
    if let Some(t) = token {
        added.push(("x-cos-security-token".to_string(), t.to_string()));
    }
    added.push(("Authorization".to_string(), steps.authorization.clone()));
    CosSigned {
        headers: added,
        ..steps
    }
}

/// Only the `Authorization` value, appended to `out`: the fast path for a client that sends many
/// requests. Nothing but `out` is allocated (nothing at all when `out` has room and the request
/// has at most 16 signed headers and 16 parameters): the HttpString and the StringToSign are
/// streamed into SHA-1 and HMAC-SHA1 instead of being built, and the lists are sorted as borrowed
/// pairs.
///
/// With temporary credentials the caller also sends `x-cos-security-token: <token>` (signed here,
/// as [`sign_with_key`] adds it) unless `req.headers` already has it. The value is byte-identical
/// to [`sign_with_key`]'s `authorization`.
///
/// ```
/// use credchain::sign::cos::{self, CosRequest};
/// let mut req = CosRequest::new("PUT", "dir/object.txt", 1735732800, 3600);
/// req.host = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com".into();
/// req.headers = vec![("Content-Type".into(), "text/plain".into())];
/// let mut auth = String::new();
/// cos::write_authorization(&req, "id", "key", Some("tok"), &mut auth);
/// assert_eq!(auth, cos::sign_with_key(&req, "id", "key", Some("tok")).authorization);
/// ```
pub fn write_authorization(
    req: &CosRequest,
    secret_id: &str,
    secret_key: &str,
    security_token: Option<&str>,
    out: &mut String,
) {
    let token = header_token(req, security_token);
    req.with_signing(token, |what| {
        let signature = what.signature(secret_key);
        what.put_authorization(out, secret_id, &signature);
    });
}

/// [`write_authorization`] into a new string.
///
/// ```
/// use credchain::sign::cos::{self, CosRequest};
/// let auth = cos::authorization(&CosRequest::new("GET", "k", 100, 10), "id", "key", None);
/// assert!(auth.starts_with("q-sign-algorithm=sha1&q-ak=id&q-sign-time=40;110&q-key-time=40;110&q-header-list=&q-url-param-list=&q-signature="));
/// ```
pub fn authorization(
    req: &CosRequest,
    secret_id: &str,
    secret_key: &str,
    security_token: Option<&str>,
) -> String {
    let mut out = String::with_capacity(AUTHORIZATION_CAPACITY + secret_id.len());
    write_authorization(req, secret_id, secret_key, security_token, &mut out);
    out
}

/// Room for a typical `Authorization` value (without the id) without growing the string.
const AUTHORIZATION_CAPACITY: usize = 224;

/// The token to sign as a header: a non-empty one not already among the request's headers.
fn header_token<'a>(req: &CosRequest, security_token: Option<&'a str>) -> Option<&'a str> {
    security_token
        .filter(|t| !t.is_empty())
        .filter(|_| !super::has_header(&req.headers, "x-cos-security-token"))
}

/// The headers COS signs, raw and in order: those [`is_signed_header`] accepts (names trimmed),
/// then `host` when given and no `Host` header is, then the token.
pub(crate) fn signed_headers<'a>(
    headers: &'a [(String, String)],
    host: Option<&'a str>,
    token: Option<&'a str>,
) -> impl Iterator<Item = Pair<'a>> {
    let host = host.filter(|h| !h.is_empty() && !super::has_header(headers, "host"));
    headers
        .iter()
        .map(|(k, v)| (k.trim(), v.as_str()))
        .filter(|(k, _)| is_signed_header(k))
        .chain(host.map(|h| ("host", h)))
        .chain(token.map(|t| ("x-cos-security-token", t)))
}

/// Sorts both lists (see [`super::cos_lists`]) and calls `f(params, headers)`.
pub(crate) fn with_lists<'a, R>(
    params: impl Iterator<Item = Pair<'a>>,
    headers: impl Iterator<Item = Pair<'a>>,
    f: impl FnOnce(&[Pair<'a>], &[Pair<'a>]) -> R,
) -> R {
    with_sorted(params, |params| {
        with_sorted(headers, |headers| f(params, headers))
    })
}

/// `q-key-time`, `<start>;<end>`, formatted on the stack.
pub(crate) struct KeyTime {
    buf: [u8; 41],
    len: usize,
}

impl KeyTime {
    /// The key time of a validity window.
    pub(crate) fn new(start: i64, end: i64) -> Self {
        let mut key_time = KeyTime {
            buf: [0; 41],
            len: 0,
        };
        let mut num = itoa::Buffer::new();
        for part in [num.format(start).as_bytes(), b";"] {
            key_time.push(part);
        }
        key_time.push(num.format(end).as_bytes());
        key_time
    }

    fn push(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    /// The text, e.g. `1735732740;1735736400`.
    pub(crate) fn as_str(&self) -> &str {
        // Digits, `-` and `;` only.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// What one COS signature covers, borrowed: the request line, the sorted lists, the key time.
pub(crate) struct Signing<'s, 'a> {
    /// HTTP method (lower-cased in the HttpString).
    pub(crate) method: &'s str,
    /// The HttpURI, in parts written one after another.
    pub(crate) uri: &'s [&'s str],
    /// `<start>;<end>`.
    pub(crate) key_time: &'s str,
    /// The signed URL parameters, sorted ([`with_lists`]).
    pub(crate) params: &'s [Pair<'a>],
    /// The signed headers, sorted ([`with_lists`]).
    pub(crate) headers: &'s [Pair<'a>],
}

impl Signing<'_, '_> {
    /// `lower(method)\n<uri>\n<params>\n<headers>\n`.
    fn put_http_string(&self, out: &mut dyn Sink) {
        put_ascii_lowercase(out, self.method);
        out.put("\n");
        for part in self.uri {
            out.put(part);
        }
        out.put("\n");
        put_pairs(out, self.params);
        out.put("\n");
        put_pairs(out, self.headers);
        out.put("\n");
    }

    /// `sha1\n<key time>\n<hex SHA-1 of the HttpString>\n`.
    fn put_string_to_sign(&self, out: &mut dyn Sink, http_sha1: &[u8]) {
        out.put("sha1\n");
        out.put(self.key_time);
        out.put("\n");
        put_hex(out, http_sha1);
        out.put("\n");
    }

    /// The signature, with the HttpString and StringToSign streamed into the hashes.
    pub(crate) fn signature(&self, secret_key: &str) -> [u8; 20] {
        let mut http = Hashing(Sha1::default());
        self.put_http_string(&mut http);
        let http_sha1 = http.0.finalize();
        let sign_key = sign_key(secret_key, self.key_time);
        let mut mac = Hashing(crypto::hmac_sha1_state(&sign_key[..]));
        self.put_string_to_sign(&mut mac, &http_sha1);
        mac.0.finalize().into_bytes().into()
    }

    /// Every step as a string (the `headers` to add are left empty).
    pub(crate) fn steps(&self, secret_id: &str, secret_key: &str) -> CosSigned {
        let mut http_string = String::with_capacity(256);
        self.put_http_string(&mut http_string);
        let http_sha1 = Sha1::digest(http_string.as_bytes());
        let mut string_to_sign = String::with_capacity(72);
        self.put_string_to_sign(&mut string_to_sign, &http_sha1);
        let sign_key = sign_key(secret_key, self.key_time);
        let signature = crypto::hmac_sha1(&sign_key[..], string_to_sign.as_bytes());
        let mut authorization = String::with_capacity(AUTHORIZATION_CAPACITY + secret_id.len());
        self.put_authorization(&mut authorization, secret_id, &signature);
        let mut header_list = String::new();
        put_names(&mut header_list, self.headers);
        let mut url_param_list = String::new();
        put_names(&mut url_param_list, self.params);
        CosSigned {
            key_time: self.key_time.to_string(),
            // ASCII hex.
            sign_key: String::from_utf8_lossy(&sign_key[..]).into_owned(),
            http_string,
            string_to_sign,
            signature: hex::encode(signature),
            header_list,
            url_param_list,
            authorization,
            headers: Vec::new(),
        }
    }

    /// `q-sign-algorithm=sha1&q-ak=…&q-signature=<hex>`.
    fn put_authorization(&self, out: &mut String, secret_id: &str, signature: &[u8]) {
        for part in [
            "q-sign-algorithm=sha1&q-ak=",
            secret_id,
            "&q-sign-time=",
            self.key_time,
            "&q-key-time=",
            self.key_time,
            "&q-header-list=",
        ] {
            out.push_str(part);
        }
        put_names(out, self.headers);
        out.push_str("&q-url-param-list=");
        put_names(out, self.params);
        out.push_str("&q-signature=");
        put_hex(out, signature);
    }
}

/// SignKey, `hex(HMAC-SHA1(SecretKey, KeyTime))`: the HMAC key of the signature (zeroized).
fn sign_key(secret_key: &str, key_time: &str) -> Zeroizing<[u8; 40]> {
    let mut hex_key = Zeroizing::new([0u8; 40]);
    let mac = Zeroizing::new(crypto::hmac_sha1(
        secret_key.as_bytes(),
        key_time.as_bytes(),
    ));
    // 20 bytes always fit 40 hex digits.
    let _ = hex::encode_to_slice(&mac[..], &mut hex_key[..]);
    hex_key
}

/// Appends `value` with ASCII letters lower-cased (as `str::to_ascii_lowercase`).
fn put_ascii_lowercase(out: &mut dyn Sink, value: &str) {
    if value.is_ascii() {
        put_lowercase(out, value);
    } else {
        out.put(&value.to_ascii_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lowercased_after_encoding_and_sorted() {
        let mut r = CosRequest::new("GET", "k", 100, 10);
        r.params = vec![
            ("Prefix".into(), "a/b c".into()),
            ("a/B".into(), "".into()),
            ("prefix".into(), "last".into()),
        ];
        r.headers = vec![
            ("Content-Type".into(), "text/plain".into()),
            ("User-Agent".into(), "x".into()),
        ];
        r.host = "h".into();
        let s = sign_with_key(&r, "id", "key", None);
        assert_eq!(
            s.http_string,
            "get\n/k\na%2fb=&prefix=last\ncontent-type=text%2Fplain&host=h\n"
        );
        assert_eq!(s.url_param_list, "a%2fb;prefix");
        assert_eq!(s.header_list, "content-type;host");
    }

    #[test]
    fn host_header_wins_and_sign_host_off_drops_it() {
        let mut r = CosRequest::new("GET", "k", 100, 10);
        r.host = "derived".into();
        r.headers = vec![("HOST".into(), "given".into())];
        assert!(sign_with_key(&r, "i", "k", None)
            .http_string
            .ends_with("\nhost=given\n"));
        r.headers.clear();
        r.sign_host = false;
        let s = sign_with_key(&r, "i", "k", None);
        assert_eq!(s.header_list, "");
        assert!(s.http_string.ends_with("\n\n\n"));
    }
}
