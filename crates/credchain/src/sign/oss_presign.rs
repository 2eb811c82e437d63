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

use super::crypto;
use super::encode::{encode_into, encode_param, encode_path};
use super::object_endpoint::{check_bucket, check_key, check_method, check_region, ObjectEndpoint};
use super::oss::{derive_v4_key, OssV1Request};
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

/// `k=v` pairs (already encoded) joined by `&`; an empty value gives a bare `k`.
fn push_pair(out: &mut String, k: &str, v: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(k);
    if !v.is_empty() {
        out.push('=');
        out.push_str(v);
    }
}

fn user_params<'a>(
    params: &'a [(String, String)],
    reserved: &'a [&str],
) -> impl Iterator<Item = &'a (String, String)> {
    params
        .iter()
        .filter(move |(k, _)| !reserved.contains(&k.as_str()))
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
    let mut query: Vec<(String, String)> = user_params(&req.params, V1_RESERVED).cloned().collect();
    if let Some(t) = token {
        query.push(("security-token".into(), t.into()));
    }
    // oss2 puts the expiry where the Date goes (an x-oss-date header, if sent, takes that place).
    let date_line = super::find_header(&req.headers, "x-oss-date")
        .map(str::to_string)
        .unwrap_or_else(|| expires_at.to_string());
    let mut headers = req.headers.clone();
    headers.retain(|(k, _)| !k.trim().eq_ignore_ascii_case("date"));
    headers.push(("Date".into(), date_line));
    let v1 = OssV1Request {
        method: req.method.clone(),
        bucket: req.bucket.clone(),
        key: req.key.clone(),
        query,
        headers,
    };
    let signed = super::oss::sign_v1_with_key(&v1, access_key_id, secret, None);
    let expires_text = expires_at.to_string();
    let auth = [
        ("OSSAccessKeyId", access_key_id),
        ("Expires", expires_text.as_str()),
        ("Signature", signed.signature.as_str()),
    ];
    // One buffer for the whole URL: base, encoded key, then each pair encoded in place.
    let mut url = req.endpoint().base_url(&req.bucket);
    url.reserve(
        req.key.len() * 3 / 2
            + 96
            + access_key_id.len()
            + v1.query
                .iter()
                .map(|(k, v)| (k.len() + v.len()) * 3 / 2 + 2)
                .sum::<usize>(),
    );
    encode_into(&mut url, req.key.as_bytes(), req.slash_safe);
    let pairs = v1.query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    url.push('?');
    let query_start = url.len();
    for (k, v) in pairs.chain(auth) {
        // As `push_pair`: a separator only after something was written.
        if url.len() > query_start {
            url.push('&');
        }
        encode_into(&mut url, k.as_bytes(), false);
        if !v.is_empty() {
            url.push('=');
            encode_into(&mut url, v.as_bytes(), false);
        }
    }
    Ok(OssPresigned {
        url,
        canonical_request: String::new(),
        string_to_sign: signed.string_to_sign,
        signature: signed.signature,
        expires_at,
        signed_headers: signed_v1_headers(&req.headers),
    })
}

fn signed_v1_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(k, _)| {
            let k = k.trim().to_ascii_lowercase();
            k == "content-type" || k == "content-md5" || k.starts_with("x-oss-")
        })
        .cloned()
        .collect()
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
    let date_time = super::format_compact(req.timestamp)?;
    let date = date_time.get(..8).unwrap_or("");
    let scope = format!("{date}/{}/{}/aliyun_v4_request", req.region, req.product);
    let additional = additional_headers(req);

    let mut pairs: Vec<(String, String)> = user_params(&req.params, V4_RESERVED)
        .map(|(k, v)| (encode_param(k), encode_param(v)))
        .collect();
    pairs.push(("x-oss-signature-version".into(), "OSS4-HMAC-SHA256".into()));
    pairs.push(("x-oss-date".into(), date_time.clone()));
    pairs.push(("x-oss-expires".into(), req.expires.to_string()));
    pairs.push((
        "x-oss-credential".into(),
        encode_param(&format!("{access_key_id}/{scope}")),
    ));
    if let Some(t) = security_token.filter(|t| !t.is_empty()) {
        pairs.push(("x-oss-security-token".into(), encode_param(t)));
    }
    if !additional.is_empty() {
        pairs.push((
            "x-oss-additional-headers".into(),
            encode_param(&additional.join(";")),
        ));
    }
    let mut query = String::new();
    for (k, v) in &pairs {
        push_pair(&mut query, k, v);
    }
    let mut sorted = pairs.clone();
    sorted.sort();
    let mut canonical_query = String::new();
    for (k, v) in &sorted {
        push_pair(&mut canonical_query, k, v);
    }

    let signed_headers = v4_signed_headers(&req.headers, &additional);
    let mut canonical_headers = String::new();
    for (k, v) in &signed_headers {
        canonical_headers.push_str(k);
        canonical_headers.push(':');
        canonical_headers.push_str(v);
        canonical_headers.push('\n');
    }
    let payload_hash =
        super::find_header(&req.headers, "x-oss-content-sha256").unwrap_or("UNSIGNED-PAYLOAD");
    let canonical_uri = encode_path(&format!("/{}/{}", req.bucket, req.key));
    let canonical_request = format!(
        "{}\n{canonical_uri}\n{canonical_query}\n{canonical_headers}\n{}\n{payload_hash}",
        req.method,
        additional.join(";")
    );
    let string_to_sign = format!(
        "OSS4-HMAC-SHA256\n{date_time}\n{scope}\n{}",
        crypto::sha256_hex(canonical_request.as_bytes())
    );
    let key = cache.get_or_derive("oss4", secret, &[date, &req.region, &req.product], || {
        derive_v4_key(secret, date, &req.region, &req.product)
    });
    let signature = hex::encode(crypto::hmac_sha256(
        key.as_bytes(),
        string_to_sign.as_bytes(),
    ));
    let url = format!(
        "{}{}?{query}&x-oss-signature={signature}",
        req.endpoint().base_url(&req.bucket),
        encode_path(&req.key)
    );
    Ok(OssPresigned {
        url,
        canonical_request,
        string_to_sign,
        signature,
        expires_at,
        signed_headers: signed_headers
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect(),
    })
}

/// Lower-cased additional header names that are not signed anyway and are sent with a value,
/// sorted and de-duplicated.
fn additional_headers(req: &OssPresignRequest) -> Vec<String> {
    let mut names: Vec<String> = req
        .additional_headers
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !is_default_signed(h))
        .filter(|h| super::find_header(&req.headers, h).is_some_and(|v| !v.is_empty()))
        .collect();
    names.sort();
    names.dedup();
    names
}

fn is_default_signed(lower: &str) -> bool {
    lower == "content-type" || lower == "content-md5" || lower.starts_with("x-oss-")
}

/// `(lower-case name, value)` of every signed header, sorted by name (stable).
fn v4_signed_headers<'a>(
    headers: &'a [(String, String)],
    additional: &[String],
) -> Vec<(String, &'a str)> {
    let mut signed: Vec<(String, &str)> = headers
        .iter()
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.as_str()))
        .filter(|(k, _)| is_default_signed(k) || additional.contains(k))
        .collect();
    signed.sort_by(|a, b| a.0.cmp(&b.0));
    signed
}
