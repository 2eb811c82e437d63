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

use super::crypto;
use super::encode::encode_param;
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
    let lower = name.to_ascii_lowercase();
    SIGNED_STANDARD_HEADERS.contains(&lower.as_str())
        || lower.starts_with("x-cos-")
        || lower.starts_with("x-ci-")
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

    /// The signed `(name, value)` headers, encoded, lower-cased, last-wins and sorted.
    fn signed_headers(&self, token: Option<&str>) -> Vec<(String, String)> {
        let mut raw: Vec<(&str, &str)> = self
            .headers
            .iter()
            .filter(|(k, _)| is_signed_header(k.trim()))
            .map(|(k, v)| (k.trim(), v.as_str()))
            .collect();
        let has_host = raw.iter().any(|(k, _)| k.eq_ignore_ascii_case("host"));
        if self.sign_host && !has_host && !self.host.is_empty() {
            raw.push(("host", &self.host));
        }
        if let Some(t) = token {
            raw.push(("x-cos-security-token", t));
        }
        encode_pairs(raw.into_iter())
    }

    /// The signed URL parameters, encoded, lower-cased, last-wins and sorted.
    fn signed_params(&self) -> Vec<(String, String)> {
        encode_pairs(self.params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
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

/// Encodes each pair, lower-cases the encoded name, keeps the last value per name, sorts by name.
fn encode_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in pairs {
        let name = encode_param(k).to_ascii_lowercase();
        let value = encode_param(v);
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => out.push((name, value)),
        }
    }
    out.sort();
    out
}

fn join_pairs(pairs: &[(String, String)]) -> String {
    let mut s = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            s.push('&');
        }
        s.push_str(k);
        s.push('=');
        s.push_str(v);
    }
    s
}

fn join_names(pairs: &[(String, String)]) -> String {
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    names.join(";")
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
    let token = security_token
        .filter(|t| !t.is_empty())
        .filter(|_| !super::has_header(&req.headers, "x-cos-security-token"));
    let headers = req.signed_headers(token);
    let params = req.signed_params();
    let key_time = format!("{};{}", req.start, req.end);
    let http_string = format!(
        "{}\n{}\n{}\n{}\n",
        req.method.to_ascii_lowercase(),
        req.http_uri(),
        join_pairs(&params),
        join_pairs(&headers)
    );
    let string_to_sign = format!(
        "sha1\n{key_time}\n{}\n",
        crypto::sha1_hex(http_string.as_bytes())
    );
    let sign_key = crypto::hmac_sha1_hex(secret_key.as_bytes(), key_time.as_bytes());
    let signature = crypto::hmac_sha1_hex(sign_key.as_bytes(), string_to_sign.as_bytes());
    let header_list = join_names(&headers);
    let url_param_list = join_names(&params);
    let authorization = format!(
        "q-sign-algorithm=sha1&q-ak={secret_id}&q-sign-time={key_time}&q-key-time={key_time}&q-header-list={header_list}&q-url-param-list={url_param_list}&q-signature={signature}"
    );
    let mut added = Vec::new();
    if let Some(t) = token {
        added.push(("x-cos-security-token".to_string(), t.to_string()));
    }
    added.push(("Authorization".to_string(), authorization.clone()));
    CosSigned {
        key_time,
        sign_key,
        http_string,
        string_to_sign,
        signature,
        header_list,
        url_param_list,
        authorization,
        headers: added,
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
