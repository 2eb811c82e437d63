//! Alibaba Cloud OSS presigned URLs: signature V1 (`OSSAccessKeyId`, `Expires`, `Signature`) and V4
//! query signing (`x-oss-signature-version=OSS4-HMAC-SHA256`).
//!
//! The URLs equal, byte for byte, what the official SDKs produce for the same inputs and clock:
//! V1 as oss2's `Bucket.sign_url`, V4 as alibabacloud-oss-v2's `Client.presign`.
//!
//! **V1**
//! ```text
//! Expires      = signing time + expires (Unix seconds)
//! StringToSign = METHOD \n Content-MD5 \n Content-Type \n Expires \n x-oss-* headers + /bucket/key[?sub-resources]
//! Signature    = Base64(HMAC-SHA1(secret, StringToSign))
//! URL          = <base>/<key, every byte but A-Z a-z 0-9 - _ . ~ encoded, `/` too unless slash_safe>
//!                ?<params>[&security-token=..]&OSSAccessKeyId=..&Expires=..&Signature=..
//! ```
//! The token is a sub-resource, so it is signed (`/bucket/key?security-token=...`). The key in the
//! resource is raw; only recognised sub-resources ([`super::oss::V1_SUB_RESOURCES`]) are signed.
//!
//! **V4**
//! ```text
//! query     = <params>&x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-date=<yyyymmddThhmmssZ>
//!             &x-oss-expires=<seconds>&x-oss-credential=<id>%2F<yyyymmdd>%2F<region>%2Foss%2Faliyun_v4_request
//!             [&x-oss-security-token=..][&x-oss-additional-headers=<a%3Bb>]
//! CanonicalRequest = METHOD \n pe_path(/bucket/key) \n sorted(query) \n signed headers \n additional names \n UNSIGNED-PAYLOAD
//! URL       = <base>/<pe_path(key)>?<query>&x-oss-signature=<hex>
//! ```
//! The bucket is in the canonical URI even for a virtual-hosted URL. Signed headers are
//! `content-type`, `content-md5`, `x-oss-*` and the `additional_headers` present with a value; the
//! client must send them unchanged. Expiry is at most 7 days (604800 s), as the service requires.
//!
//! Parameters are encoded RFC 3986 (space `%20`, `+` `%2B`, `*` `%2A`, `~` kept); an empty value
//! gives a bare name. A parameter named like one the signer sets is dropped (the signer's wins).
//!
//! ```
//! use credchain::sign::oss_presign::{self, OssPresignRequest};
//! let req = OssPresignRequest::new("GET", "examplebucket", "object.txt", "cn-hangzhou", 1735732800);
//! let p = oss_presign::presign_v1_with_key(&req, "LTAI5tExampleAccessKeyId", "ExampleAccessKeySecret0123456789", None).unwrap();
//! assert_eq!(p.url, "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/object.txt?OSSAccessKeyId=LTAI5tExampleAccessKeyId&Expires=1735736400&Signature=4HmAosPxKHIUOXWX%2F9xeJSCHxa8%3D");
//! let p = oss_presign::presign_v4_with_key(&req, "LTAI5tExampleAccessKeyId", "ExampleAccessKeySecret0123456789", None).unwrap();
//! assert!(p.url.ends_with("&x-oss-signature=79d38de61fd5eba363845bc83c72c3ca62aba570392d5e3680cdbf15c7ac51fc"));
//! ```

use std::fmt;

use super::borrowed_pairs::BorrowedPairs;
use super::crypto;
use super::encode::encode_into;
use super::object_endpoint::{check_bucket, check_key, check_method, check_region, ObjectEndpoint};
use super::oss::{borrowed, derive_v4_key};
use super::oss_v1_canonical;
use super::oss_v4_canonical::{cmp_lower, is_default_signed, Scope, UNSIGNED_PAYLOAD};
use super::sink::{hex_string, put_ascii_lowercase, put_hex};
use super::{DerivedKeyCache, Len, RedactedPairs};
use crate::credentials::{Credentials, REDACTED};
use crate::error::{Error, ErrorKind};

/// The longest V4 presigned URL validity the service accepts: 7 days.
pub const MAX_V4_EXPIRES: u64 = 604_800;

/// The default validity, one hour.
pub const DEFAULT_EXPIRES: u64 = 3600;

/// Query parameters the V1 presigner sets.
const V1_RESERVED: &[&str] = &["security-token", "OSSAccessKeyId", "Expires", "Signature"];

/// Query parameters the V4 presigner sets.
const V4_RESERVED: &[&str] = &[
    "x-oss-signature-version",
    "x-oss-date",
    "x-oss-expires",
    "x-oss-credential",
    "x-oss-security-token",
    "x-oss-additional-headers",
    "x-oss-signature",
];

/// An object URL to presign.
///
/// ```
/// let r = credchain::sign::oss_presign::OssPresignRequest::new("PUT", "b", "k", "cn-beijing", 0);
/// assert_eq!(r.expires, 3600);
/// assert_eq!(r.endpoint().host("b"), "b.oss-cn-beijing.aliyuncs.com");
/// ```
#[derive(Clone, Default)]
pub struct OssPresignRequest {
    /// HTTP method the URL is for (`GET`, `PUT`, `HEAD`, `DELETE`, ...).
    pub method: String,
    /// Bucket name.
    pub bucket: String,
    /// Object key, raw.
    pub key: String,
    /// Region id, e.g. `cn-hangzhou` (V4 scope, and the default host).
    pub region: String,
    /// Where the bucket is reached; `None` means `https://<bucket>.oss-<region>.aliyuncs.com`.
    pub endpoint_override: Option<ObjectEndpoint>,
    /// Validity in seconds (V4: at most [`MAX_V4_EXPIRES`]).
    pub expires: u64,
    /// Signing time, Unix seconds.
    pub timestamp: i64,
    /// Headers the client will send and that are signed (`Content-Type`, `Content-MD5`, `x-oss-*`,
    /// V4 additional headers).
    pub headers: Vec<(String, String)>,
    /// Extra query parameters (e.g. `response-content-type`, `versionId`), in URL order.
    pub params: Vec<(String, String)>,
    /// V4: further header names to sign (listed in `x-oss-additional-headers`).
    pub additional_headers: Vec<String>,
    /// V4 product, `oss` (CloudBox: `oss-cloudbox`).
    pub product: String,
    /// V1: keep `/` literal in the URL path (oss2's `slash_safe`; default: encoded as `%2F`).
    pub slash_safe: bool,
}

impl OssPresignRequest {
    /// A request with the default endpoint, one hour validity, product `oss`.
    ///
    /// ```
    /// let r = credchain::sign::oss_presign::OssPresignRequest::new("GET", "b", "k", "cn-hangzhou", 1);
    /// assert_eq!((r.product.as_str(), r.timestamp), ("oss", 1));
    /// ```
    pub fn new(
        method: impl Into<String>,
        bucket: impl Into<String>,
        key: impl Into<String>,
        region: impl Into<String>,
        timestamp: i64,
    ) -> Self {
        OssPresignRequest {
            method: method.into(),
            bucket: bucket.into(),
            key: key.into(),
            region: region.into(),
            expires: DEFAULT_EXPIRES,
            timestamp,
            product: "oss".into(),
            ..OssPresignRequest::default()
        }
    }

    /// The endpoint used: the override, else `https://oss-<region>.aliyuncs.com` virtual-hosted.
    ///
    /// ```
    /// let r = credchain::sign::oss_presign::OssPresignRequest::new("GET", "b", "k", "cn-hangzhou", 1);
    /// assert_eq!(r.endpoint().base_url("b"), "https://b.oss-cn-hangzhou.aliyuncs.com/");
    /// ```
    pub fn endpoint(&self) -> ObjectEndpoint {
        self.endpoint_override
            .clone()
            .unwrap_or_else(|| ObjectEndpoint::https(format!("oss-{}.aliyuncs.com", self.region)))
    }

    fn validate(&self, max_expires: u64) -> Result<(), Error> {
        check_bucket(&self.bucket, "OSS")?;
        check_key(&self.key, "OSS")?;
        check_region(&self.region, "OSS")?;
        check_method(&self.method)?;
        if self.expires == 0 || self.expires > max_expires {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                format!(
                    "OSS presign expiry {} s is outside 1..={max_expires} s",
                    self.expires
                ),
            )
            .with_hint("pass a shorter --expires"));
        }
        Ok(())
    }

    fn expires_at(&self) -> Result<i64, Error> {
        i64::try_from(self.expires)
            .ok()
            .and_then(|e| self.timestamp.checked_add(e))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidConfig,
                    "OSS presign: signing time plus expiry overflows",
                )
            })
    }
}

impl fmt::Debug for OssPresignRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OssPresignRequest")
            .field("method", &self.method)
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .field("region", &self.region)
            .field("endpoint_override", &self.endpoint_override)
            .field("expires", &self.expires)
            .field("timestamp", &self.timestamp)
            .field("headers", &RedactedPairs(&self.headers))
            .field("params", &RedactedPairs(&self.params))
            .field("additional_headers", &self.additional_headers)
            .field("product", &self.product)
            .field("slash_safe", &self.slash_safe)
            .finish()
    }
}

/// A presigned URL and the steps that made it. `Debug` shows neither the URL nor the signature
/// (the URL is a bearer credential until it expires).
///
/// ```
/// use credchain::sign::oss_presign::{self, OssPresignRequest};
/// let p = oss_presign::presign_v1_with_key(&OssPresignRequest::new("GET", "b", "k", "cn-hangzhou", 0), "id", "s", None).unwrap();
/// assert_eq!(p.expires_at, 3600);
/// assert!(!format!("{p:?}").contains(&p.signature));
/// ```
#[derive(Clone, Default)]
pub struct OssPresigned {
    /// The URL to hand out.
    pub url: String,
    /// V4 only: the canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Base64 (V1) or lowercase hex (V4).
    pub signature: String,
    /// When the URL stops working, Unix seconds.
    pub expires_at: i64,
    /// The headers that were signed, which the client must send unchanged.
    pub signed_headers: Vec<(String, String)>,
}

impl fmt::Debug for OssPresigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OssPresigned")
            .field("url", &Len(self.url.len()))
            .field("canonical_request", &Len(self.canonical_request.len()))
            .field("string_to_sign", &Len(self.string_to_sign.len()))
            .field("signature", &REDACTED)
            .field("expires_at", &self.expires_at)
            .field("signed_headers", &RedactedPairs(&self.signed_headers))
            .finish()
    }
}

fn require_key_pair(creds: &Credentials) -> Result<(), Error> {
    if creds.access_key_id().is_empty() || creds.access_key_secret().is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidCredential,
            "OSS presigning needs an AccessKey id and secret (bearer tokens are not supported)",
        ));
    }
    Ok(())
}

/// Appends `pe(k)=pe(v)` (a bare `pe(k)` for an empty value) to the query that starts at
/// `query_start`, after a `&` when something was written before it (an empty pair writes
/// nothing).
fn push_encoded_pair(url: &mut String, query_start: usize, k: &str, v: &str) {
    if url.len() > query_start {
        url.push('&');
    }
    encode_into(url, k.as_bytes(), false);
    if !v.is_empty() {
        url.push('=');
        encode_into(url, v.as_bytes(), false);
    }
}

/// Presigns with signature V1 and a credential snapshot (STS tokens go in `security-token`).
///
/// ```
/// use credchain::Credentials;
/// use credchain::sign::oss_presign::{self, OssPresignRequest};
/// let c = Credentials::builder("id", "secret").security_token("t").build();
/// let p = oss_presign::presign_v1(&OssPresignRequest::new("GET", "b", "k", "cn-hangzhou", 0), &c).unwrap();
/// assert!(p.url.contains("?security-token=t&OSSAccessKeyId=id&Expires=3600&Signature="));
/// ```
pub fn presign_v1(req: &OssPresignRequest, creds: &Credentials) -> Result<OssPresigned, Error> {
    require_key_pair(creds)?;
    presign_v1_with_key(
        req,
        creds.access_key_id(),
        creds.access_key_secret(),
        creds.security_token(),
    )
}

/// Presigns with signature V1 and raw key strings.
///
/// ```
/// use credchain::sign::oss_presign::{self, OssPresignRequest};
/// let mut r = OssPresignRequest::new("PUT", "b", "a b/c", "cn-hangzhou", 0);
/// r.headers = vec![("Content-Type".into(), "text/plain".into())];
/// let p = oss_presign::presign_v1_with_key(&r, "id", "s", None).unwrap();
/// assert_eq!(p.string_to_sign, "PUT\n\ntext/plain\n3600\n/b/a b/c");
/// assert!(p.url.starts_with("https://b.oss-cn-hangzhou.aliyuncs.com/a%20b%2Fc?"));
/// ```
pub fn presign_v1_with_key(
    req: &OssPresignRequest,
    access_key_id: &str,
    secret: &str,
    security_token: Option<&str>,
) -> Result<OssPresigned, Error> {
    req.validate(u64::MAX)?;
    let expires_at = req.expires_at()?;
    let token = security_token.filter(|t| !t.is_empty());
    let mut expires_text = itoa::Buffer::new();
    let expires_text = expires_text.format(expires_at);
    // oss2 puts the expiry where the Date goes (an x-oss-date header, if sent, takes that place).
    let date_line = super::find_header(&req.headers, "x-oss-date").unwrap_or(expires_text);
    let mut headers = BorrowedPairs::new();
    headers.extend(borrowed(&req.headers).filter(|(k, _)| !k.trim().eq_ignore_ascii_case("date")));
    headers.push(("Date", date_line));
    let query = borrowed(&req.params)
        .filter(|(k, _)| !V1_RESERVED.contains(k))
        .chain(token.map(|t| ("security-token", t)));
    let (string_to_sign, signature) = oss_v1_canonical::sign(
        secret,
        &req.method,
        headers.as_slice(),
        &req.bucket,
        &req.key,
        query.clone(),
    );

    // One buffer for the whole URL: base, encoded key, then each pair encoded in place.
    let mut url = String::with_capacity(
        URL_CAPACITY + req.key.len() * 3 + access_key_id.len() + params_len(&req.params),
    );
    write_base_url(req, &mut url);
    encode_into(&mut url, req.key.as_bytes(), req.slash_safe);
    url.push('?');
    let query_start = url.len();
    let auth = [
        ("OSSAccessKeyId", access_key_id),
        ("Expires", expires_text),
        ("Signature", signature.as_str()),
    ];
    for (k, v) in query {
        push_encoded_pair(&mut url, query_start, k, v);
    }
    for (k, v) in auth {
        push_encoded_pair(&mut url, query_start, k, v);
    }
    Ok(OssPresigned {
        url,
        canonical_request: String::new(),
        string_to_sign,
        signature,
        expires_at,
        signed_headers: borrowed(&req.headers)
            .filter(|(k, _)| is_default_signed(k.trim()))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    })
}

/// Room for the scheme, host, signer's parameters and signature of a typical URL.
const URL_CAPACITY: usize = 320;

/// An upper bound of the encoded length of `params` (every byte escaped), for reserving.
fn params_len(params: &[(String, String)]) -> usize {
    params
        .iter()
        .map(|(k, v)| (k.len() + v.len()) * 3 + 2)
        .sum()
}

/// `scheme://host/` for the bucket: the override's, else
/// `https://<bucket>.oss-<region>.aliyuncs.com/`, written without intermediate strings.
fn write_base_url(req: &OssPresignRequest, out: &mut String) {
    match &req.endpoint_override {
        Some(endpoint) => out.push_str(&endpoint.base_url(&req.bucket)),
        None => {
            for part in [
                "https://",
                &req.bucket,
                ".oss-",
                &req.region,
                ".aliyuncs.com/",
            ] {
                out.push_str(part);
            }
        }
    }
}

/// Presigns with V4 query signing and a credential snapshot, using the global derived-key cache.
///
/// ```
/// use credchain::Credentials;
/// use credchain::sign::oss_presign::{self, OssPresignRequest};
/// let c = Credentials::builder("id", "secret").security_token("t/1").build();
/// let p = oss_presign::presign_v4(&OssPresignRequest::new("GET", "b", "k", "cn-hangzhou", 0), &c).unwrap();
/// assert!(p.url.contains("&x-oss-security-token=t%2F1&x-oss-signature="));
/// ```
pub fn presign_v4(req: &OssPresignRequest, creds: &Credentials) -> Result<OssPresigned, Error> {
    require_key_pair(creds)?;
    presign_v4_with_cache(
        req,
        creds.access_key_id(),
        creds.access_key_secret(),
        creds.security_token(),
        DerivedKeyCache::global(),
    )
}

/// Presigns with V4 query signing and raw key strings, using the global derived-key cache.
///
/// ```
/// use credchain::sign::oss_presign::{self, OssPresignRequest};
/// let p = oss_presign::presign_v4_with_key(&OssPresignRequest::new("GET", "b", "a b", "cn-hangzhou", 0), "id", "s", None).unwrap();
/// assert!(p.canonical_request.starts_with("GET\n/b/a%20b\nx-oss-credential=id%2F19700101%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=19700101T000000Z&x-oss-expires=3600&x-oss-signature-version=OSS4-HMAC-SHA256\n"));
/// ```
pub fn presign_v4_with_key(
    req: &OssPresignRequest,
    access_key_id: &str,
    secret: &str,
    security_token: Option<&str>,
) -> Result<OssPresigned, Error> {
    presign_v4_with_cache(
        req,
        access_key_id,
        secret,
        security_token,
        DerivedKeyCache::global(),
    )
}

/// [`presign_v4_with_key`] with an explicit derived-key cache.
///
/// ```
/// use credchain::sign::{oss_presign::{self, OssPresignRequest}, DerivedKeyCache};
/// let r = OssPresignRequest::new("GET", "b", "k", "cn-hangzhou", 0);
/// let a = oss_presign::presign_v4_with_cache(&r, "id", "s", None, &DerivedKeyCache::disabled()).unwrap();
/// assert_eq!(a.url, oss_presign::presign_v4_with_key(&r, "id", "s", None).unwrap().url);
/// ```
pub fn presign_v4_with_cache(
    req: &OssPresignRequest,
    access_key_id: &str,
    secret: &str,
    security_token: Option<&str>,
    cache: &DerivedKeyCache,
) -> Result<OssPresigned, Error> {
    req.validate(MAX_V4_EXPIRES)?;
    let expires_at = req.expires_at()?;
    let additional = additional_headers(req);
    let mut url = String::with_capacity(
        URL_CAPACITY + req.key.len() * 3 + access_key_id.len() + params_len(&req.params),
    );
    write_base_url(req, &mut url);
    encode_into(&mut url, req.key.as_bytes(), true);
    url.push('?');
    let query_start = url.len();
    let mut stamp = [0u8; 16];
    let date_time = write_v4_query(
        &mut url,
        req,
        access_key_id,
        security_token,
        additional.as_slice(),
        &mut stamp,
    )?;
    let scope = Scope {
        date: date_time.get(..8).unwrap_or(""),
        region: &req.region,
        product: &req.product,
    };

    let signed_headers = v4_signed_headers(&req.headers, additional.as_slice());
    let mut canonical_request = String::with_capacity(CANONICAL_REQUEST_CAPACITY + url.len());
    for part in [req.method.as_str(), "\n/"] {
        canonical_request.push_str(part);
    }
    encode_into(&mut canonical_request, req.bucket.as_bytes(), true);
    canonical_request.push('/');
    encode_into(&mut canonical_request, req.key.as_bytes(), true);
    canonical_request.push('\n');
    write_sorted_query(&mut canonical_request, &url[query_start..]);
    canonical_request.push('\n');
    for (k, v) in signed_headers.as_slice() {
        put_ascii_lowercase(&mut canonical_request, k);
        for part in [":", v, "\n"] {
            canonical_request.push_str(part);
        }
    }
    canonical_request.push('\n');
    write_joined_lower(&mut canonical_request, additional.as_slice(), ";");
    canonical_request.push('\n');
    canonical_request.push_str(
        super::find_header(&req.headers, "x-oss-content-sha256").unwrap_or(UNSIGNED_PAYLOAD),
    );

    let mut string_to_sign = String::with_capacity(STRING_TO_SIGN_CAPACITY);
    for part in ["OSS4-HMAC-SHA256\n", date_time, "\n"] {
        string_to_sign.push_str(part);
    }
    scope.write(&mut string_to_sign);
    string_to_sign.push('\n');
    put_hex(
        &mut string_to_sign,
        &crypto::sha256(canonical_request.as_bytes()),
    );
    let key = cache.get_or_derive(
        "oss4",
        secret,
        &[scope.date, scope.region, scope.product],
        || derive_v4_key(secret, scope.date, scope.region, scope.product),
    );
    let signature = hex_string(&crypto::hmac_sha256(
        key.as_bytes(),
        string_to_sign.as_bytes(),
    ));
    url.push_str("&x-oss-signature=");
    url.push_str(&signature);
    Ok(OssPresigned {
        url,
        canonical_request,
        string_to_sign,
        signature,
        expires_at,
        signed_headers: signed_headers
            .as_slice()
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect(),
    })
}

/// Room for a typical canonical request (besides the query) and string to sign.
const CANONICAL_REQUEST_CAPACITY: usize = 160;
const STRING_TO_SIGN_CAPACITY: usize = 160;

/// Appends the V4 query in URL order, every key and value encoded straight into `url`: the
/// caller's parameters, then `x-oss-signature-version`, `x-oss-date`, `x-oss-expires`,
/// `x-oss-credential`, `x-oss-security-token` (STS) and `x-oss-additional-headers` (when any).
/// Returns the `x-oss-date` value, copied into `stamp`.
fn write_v4_query<'s>(
    url: &mut String,
    req: &OssPresignRequest,
    access_key_id: &str,
    security_token: Option<&str>,
    additional: &[(&str, &str)],
    stamp: &'s mut [u8; 16],
) -> Result<&'s str, Error> {
    let query_start = url.len();
    for (k, v) in borrowed(&req.params).filter(|(k, _)| !V4_RESERVED.contains(k)) {
        push_encoded_pair(url, query_start, k, v);
    }
    if url.len() > query_start {
        url.push('&');
    }
    url.push_str("x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-date=");
    let date_start = url.len();
    crate::time::write_compact(url, req.timestamp)?;
    let written = &url.as_bytes()[date_start..];
    let n = written.len().min(stamp.len());
    stamp[..n].copy_from_slice(&written[..n]);
    let date_time = std::str::from_utf8(&stamp[..n]).unwrap_or_default();
    url.push_str("&x-oss-expires=");
    url.push_str(itoa::Buffer::new().format(req.expires));
    url.push_str("&x-oss-credential=");
    // `<id>/<scope>` encoded: each `/` becomes `%2F`.
    encode_into(url, access_key_id.as_bytes(), false);
    url.push_str("%2F");
    url.push_str(date_time.get(..8).unwrap_or(""));
    for part in [&req.region, &req.product] {
        url.push_str("%2F");
        encode_into(url, part.as_bytes(), false);
    }
    url.push_str("%2Faliyun_v4_request");
    if let Some(t) = security_token.filter(|t| !t.is_empty()) {
        url.push_str("&x-oss-security-token=");
        encode_into(url, t.as_bytes(), false);
    }
    if !additional.is_empty() {
        url.push_str("&x-oss-additional-headers=");
        // The names lower-cased first (encoding writes upper-case hex), then encoded.
        let mut names = String::new();
        write_joined_lower(&mut names, additional, ";");
        encode_into(url, names.as_bytes(), false);
    }
    Ok(date_time)
}

/// The canonical query from the encoded query sent (encoded keys and values hold no `&` or `=`):
/// pairs sorted by encoded key, then value; an empty value gives a bare key.
fn write_sorted_query(out: &mut String, query: &str) {
    let mut pairs = BorrowedPairs::new();
    pairs.extend(
        query
            .split('&')
            .map(|p| p.split_once('=').unwrap_or((p, ""))),
    );
    pairs.as_mut_slice().sort();
    let start = out.len();
    for (k, v) in pairs.as_slice() {
        // As the query sent: a separator only after something was written.
        if out.len() > start {
            out.push('&');
        }
        out.push_str(k);
        if !v.is_empty() {
            out.push('=');
            out.push_str(v);
        }
    }
}

/// `items`' names lower-cased, joined by `sep`.
fn write_joined_lower(out: &mut String, items: &[(&str, &str)], sep: &str) {
    for (i, (name, _)) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        put_ascii_lowercase(out, name);
    }
}

/// Additional header names (trimmed) that are not signed anyway and are sent with a value,
/// sorted by lower-cased name, one per name.
fn additional_headers(req: &OssPresignRequest) -> BorrowedPairs<'_> {
    let mut names = BorrowedPairs::new();
    names.extend(
        req.additional_headers
            .iter()
            .map(|h| h.trim())
            .filter(|h| !is_default_signed(h))
            .filter(|h| super::find_header(&req.headers, h).is_some_and(|v| !v.is_empty()))
            .map(|h| (h, "")),
    );
    names.as_mut_slice().sort_by(|a, b| cmp_lower(a.0, b.0));
    names.dedup_by(|a, b| a.0.eq_ignore_ascii_case(b.0));
    names
}

/// `(trimmed name, value)` of every signed header, sorted by lower-cased name (stable).
fn v4_signed_headers<'a>(
    headers: &'a [(String, String)],
    additional: &[(&str, &str)],
) -> BorrowedPairs<'a> {
    let mut signed = BorrowedPairs::new();
    signed.extend(
        borrowed(headers)
            .map(|(k, v)| (k.trim(), v))
            .filter(|(k, _)| {
                is_default_signed(k) || additional.iter().any(|(a, _)| a.eq_ignore_ascii_case(k))
            }),
    );
    signed.as_mut_slice().sort_by(|a, b| cmp_lower(a.0, b.0));
    signed
}
