//! Alibaba Cloud OSS header signatures: V1 (`OSS ak:sig`, HMAC-SHA1) and V4 (`OSS4-HMAC-SHA256`).
//!
//! V1:
//! ```text
//! StringToSign = VERB \n Content-MD5 \n Content-Type \n Date \n
//!                x-oss-* headers "name:value\n" (lower-case, sorted) + /bucket/key[?sub-resources]
//! Authorization = OSS <AccessKeyId>:Base64(HMAC-SHA1(secret, StringToSign))
//! ```
//! V4:
//! ```text
//! CanonicalRequest = VERB \n pe_path(/bucket/key) \n query \n headers \n additional-header-names \n UNSIGNED-PAYLOAD
//! StringToSign     = OSS4-HMAC-SHA256 \n x-oss-date \n <yyyymmdd>/<region>/<product>/aliyun_v4_request \n hex(SHA256(CanonicalRequest))
//! key chain        = HMAC-SHA256: "aliyun_v4"+secret -> yyyymmdd -> region -> product -> "aliyun_v4_request"
//! ```
//!
//! ```
//! use credchain::sign::oss::{self, OssV1Request};
//! let req = OssV1Request {
//!     method: "PUT".into(), bucket: "oss-example".into(), key: "nelson".into(),
//!     headers: vec![
//!         ("Content-MD5".into(), "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=".into()),
//!         ("Content-Type".into(), "text/html".into()),
//!         ("Date".into(), "Thu, 17 Nov 2005 18:49:58 GMT".into()),
//!         ("X-OSS-Meta-Author".into(), "foo@bar.com".into()),
//!         ("X-OSS-Magic".into(), "abracadabra".into()),
//!     ],
//!     ..Default::default()
//! };
//! let s = oss::sign_v1_with_key(&req, "44CF9590006BF252F707", "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV", None);
//! assert_eq!(s.authorization, "OSS 44CF9590006BF252F707:26NBxoKdsyly4EDv6inkoDft/yA=");
//! ```

use std::fmt;

use hmac::Mac;
use sha2::{Digest, Sha256};

use super::borrowed_pairs::BorrowedPairs;
use super::crypto;
use super::encode::encode_path;
use super::oss_v1_canonical;
use super::oss_v4_canonical::{generated_headers, write_canonical_query, Scope, V4Parts};
use super::sink::{hex_string, BufferedHashing};
use super::{DerivedKey, DerivedKeyCache, Len, RedactedPairs};
use crate::credentials::{Credentials, REDACTED};
use crate::error::{Error, ErrorKind};

/// Query parameters that are sub-resources and enter the V1 CanonicalizedResource
/// (aliyun/alibabacloud-oss-go-sdk-v2 signer list).
pub const V1_SUB_RESOURCES: &[&str] = &[
    "accessPoint",
    "accessPointPolicy",
    "acl",
    "append",
    "asyncFetch",
    "bucketArchiveDirectRead",
    "bucketInfo",
    "callback",
    "callback-var",
    "cname",
    "comp",
    "continuation-token",
    "cors",
    "delete",
    "encryption",
    "endTime",
    "httpsConfig",
    "img",
    "inventory",
    "inventoryId",
    "lifecycle",
    "live",
    "location",
    "logging",
    "metaQuery",
    "objectInfo",
    "objectMeta",
    "partNumber",
    "policy",
    "policyStatus",
    "position",
    "publicAccessBlock",
    "qos",
    "qosInfo",
    "redundancyTransition",
    "referer",
    "regionList",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "requestPayment",
    "resourceGroup",
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
    "transferAcceleration",
    "uploadId",
    "uploads",
    "userDefinedLogFieldsConfig",
    "versionId",
    "versioning",
    "versions",
    "vod",
    "website",
    "worm",
    "wormExtend",
    "wormId",
    "x-oss-ac-forward-allow",
    "x-oss-ac-source-ip",
    "x-oss-ac-subnet-mask",
    "x-oss-ac-vpc-id",
    "x-oss-async-process",
    "x-oss-process",
    "x-oss-redundancy-transition-taskid",
    "x-oss-request-payer",
    "x-oss-target-redundancy-type",
    "x-oss-traffic-limit",
    "x-oss-write-get-object-response",
];

/// An OSS V1 request. `headers` must hold the `Date` (see [`super::format_http_date`]) and the
/// `Content-MD5`/`Content-Type` that are sent; `x-oss-*` headers are signed.
///
/// ```
/// let r = credchain::sign::oss::OssV1Request { method: "GET".into(), bucket: "b".into(), ..Default::default() };
/// assert_eq!(r.canonical_resource(), "/b/");
/// ```
#[derive(Clone, Default)]
pub struct OssV1Request {
    /// HTTP verb.
    pub method: String,
    /// Bucket (empty for service-level requests).
    pub bucket: String,
    /// Object key (empty for bucket-level requests).
    pub key: String,
    /// Query parameters; recognised sub-resources ([`V1_SUB_RESOURCES`]) are signed.
    pub query: Vec<(String, String)>,
    /// Headers sent.
    pub headers: Vec<(String, String)>,
}

impl OssV1Request {
    /// `/bucket/key`, `/bucket/` or `/`, plus `?` and the sorted sub-resources (`k` or `k=v`).
    ///
    /// ```
    /// let r = credchain::sign::oss::OssV1Request {
    ///     method: "GET".into(), bucket: "examplebucket".into(),
    ///     query: vec![("resourceGroup".into(), "".into()), ("acl".into(), "".into()), ("max-keys".into(), "9".into())],
    ///     ..Default::default()
    /// };
    /// assert_eq!(r.canonical_resource(), "/examplebucket/?acl&resourceGroup");
    /// ```
    pub fn canonical_resource(&self) -> String {
        let mut out = String::new();
        oss_v1_canonical::write_canonical_resource(
            &mut out,
            &self.bucket,
            &self.key,
            borrowed(&self.query),
        );
        out
    }
}

/// `(name, value)` pairs as borrowed slices.
pub(crate) fn borrowed(
    pairs: &[(String, String)],
) -> impl Iterator<Item = (&str, &str)> + Clone + '_ {
    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

impl fmt::Debug for OssV1Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OssV1Request")
            .field("method", &self.method)
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .field("query", &RedactedPairs(&self.query))
            .field("headers", &RedactedPairs(&self.headers))
            .finish()
    }
}

/// The result of OSS signing (V1 or V4). `Debug` redacts the signature and tokens.
///
/// ```
/// use credchain::sign::oss::{self, OssV1Request};
/// let s = oss::sign_v1_with_key(&OssV1Request { method: "GET".into(), ..Default::default() }, "id", "k", Some("t"));
/// assert!(s.headers.contains(&("x-oss-security-token".into(), "t".into())));
/// assert!(!format!("{s:?}").contains(&s.signature));
/// ```
#[derive(Clone, Default)]
pub struct OssSigned {
    /// V4 only: the canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Base64 (V1) or lowercase hex (V4).
    pub signature: String,
    /// The `Authorization` value.
    pub authorization: String,
    /// Headers to add (`x-oss-date`, `x-oss-content-sha256`, `x-oss-security-token`,
    /// `Authorization`).
    pub headers: Vec<(String, String)>,
}

impl fmt::Debug for OssSigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OssSigned")
            .field("canonical_request", &Len(self.canonical_request.len()))
            .field("string_to_sign", &Len(self.string_to_sign.len()))
            .field("signature", &REDACTED)
            .field("authorization", &REDACTED)
            .field("headers", &RedactedPairs(&self.headers))
            .finish()
    }
}

fn bearer_unsupported(creds: &Credentials) -> Result<(), Error> {
    if creds.access_key_id().is_empty() || creds.access_key_secret().is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidCredential,
            "OSS signing needs an AccessKey id and secret (bearer tokens are not supported)",
        ));
    }
    Ok(())
}

/// Signs a V1 request with a credential snapshot (`x-oss-security-token` for STS credentials).
///
/// ```
/// use credchain::Credentials;
/// use credchain::sign::oss::{self, OssV1Request};
/// let c = Credentials::builder("id", "secret").build();
/// let s = oss::sign_v1(&OssV1Request { method: "GET".into(), ..Default::default() }, &c).unwrap();
/// assert!(s.authorization.starts_with("OSS id:"));
/// ```
pub fn sign_v1(req: &OssV1Request, creds: &Credentials) -> Result<OssSigned, Error> {
    bearer_unsupported(creds)?;
    Ok(sign_v1_with_key(
        req,
        creds.access_key_id(),
        creds.access_key_secret(),
        creds.security_token(),
    ))
}

/// Signs a V1 request with raw key strings.
///
/// ```
/// use credchain::sign::oss::{self, OssV1Request};
/// let s = oss::sign_v1_with_key(&OssV1Request { method: "GET".into(), ..Default::default() }, "id", "k", None);
/// assert_eq!(s.string_to_sign, "GET\n\n\n\n/");
/// ```
pub fn sign_v1_with_key(
    req: &OssV1Request,
    access_key_id: &str,
    secret: &str,
    security_token: Option<&str>,
) -> OssSigned {
    let token = security_token
        .filter(|t| !t.is_empty())
        .filter(|_| !super::has_header(&req.headers, "x-oss-security-token"));
    let mut headers = BorrowedPairs::new();
    headers.extend(borrowed(&req.headers));
    headers.extend(token.map(|t| ("x-oss-security-token", t)));
    let (string_to_sign, signature) = oss_v1_canonical::sign(
        secret,
        &req.method,
        headers.as_slice(),
        &req.bucket,
        &req.key,
        borrowed(&req.query),
    );
    let mut authorization = String::with_capacity(4 + access_key_id.len() + signature.len());
    for part in ["OSS ", access_key_id, ":", &signature] {
        authorization.push_str(part);
    }
    let mut added: Vec<(String, String)> = Vec::with_capacity(2);
    added.extend(token.map(|t| ("x-oss-security-token".to_string(), t.to_string())));
    added.push(("Authorization".into(), authorization.clone()));
    OssSigned {
        canonical_request: String::new(),
        string_to_sign,
        signature,
        authorization,
        headers: added,
    }
}

/// An OSS V4 request. The signer adds `x-oss-date` (from `timestamp`) and
/// `x-oss-content-sha256: UNSIGNED-PAYLOAD` unless present, and `x-oss-security-token` for STS
/// credentials. Signed headers: `x-oss-*`, `content-type`, `content-md5` and the
/// `additional_headers` present.
///
/// ```
/// let r = credchain::sign::oss::OssV4Request::new("PUT", "bucket", "a b.txt", "cn-hangzhou", 1702743657);
/// assert_eq!(r.product, "oss");
/// assert_eq!(r.canonical_uri(), "/bucket/a%20b.txt");
/// ```
#[derive(Clone, Default)]
pub struct OssV4Request {
    /// HTTP verb.
    pub method: String,
    /// Bucket (empty for service-level requests).
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// Query parameters (order irrelevant).
    pub query: Vec<(String, String)>,
    /// Headers sent.
    pub headers: Vec<(String, String)>,
    /// Extra header names to sign (listed as `AdditionalHeaders`).
    pub additional_headers: Vec<String>,
    /// Region, e.g. `cn-hangzhou` (CloudBox: `cb-123`).
    pub region: String,
    /// Product: `oss` (CloudBox: `oss-cloudbox`).
    pub product: String,
    /// Unix seconds; `x-oss-date` and the scope date derive from it (UTC).
    pub timestamp: i64,
}

impl OssV4Request {
    /// A request for product `oss` with no query or headers.
    ///
    /// ```
    /// let r = credchain::sign::oss::OssV4Request::new("GET", "b", "k", "cn-hangzhou", 0);
    /// assert!(r.query.is_empty());
    /// ```
    pub fn new(
        method: impl Into<String>,
        bucket: impl Into<String>,
        key: impl Into<String>,
        region: impl Into<String>,
        timestamp: i64,
    ) -> Self {
        OssV4Request {
            method: method.into(),
            bucket: bucket.into(),
            key: key.into(),
            region: region.into(),
            product: "oss".into(),
            timestamp,
            ..OssV4Request::default()
        }
    }

    /// `"/" + bucket + "/" + key`, RFC 3986-encoded except `/`.
    ///
    /// ```
    /// let r = credchain::sign::oss::OssV4Request::new("PUT", "bucket", "1234+-/123/1.txt", "r", 0);
    /// assert_eq!(r.canonical_uri(), "/bucket/1234%2B-/123/1.txt");
    /// ```
    pub fn canonical_uri(&self) -> String {
        let mut uri = String::from("/");
        if !self.bucket.is_empty() {
            uri.push_str(&self.bucket);
            uri.push('/');
        }
        uri.push_str(&self.key);
        encode_path(&uri)
    }

    /// Keys and values encoded, sorted by encoded key, an empty value giving a bare key.
    ///
    /// ```
    /// let mut r = credchain::sign::oss::OssV4Request::new("GET", "b", "", "r", 0);
    /// r.query = vec![("b".into(), "".into()), ("+a".into(), "1 2".into())];
    /// assert_eq!(r.canonical_query(), "%2Ba=1%202&b");
    /// ```
    pub fn canonical_query(&self) -> String {
        let mut out = String::new();
        write_canonical_query(&mut out, &self.query);
        out
    }
}

impl fmt::Debug for OssV4Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OssV4Request")
            .field("method", &self.method)
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .field("query", &RedactedPairs(&self.query))
            .field("headers", &RedactedPairs(&self.headers))
            .field("additional_headers", &self.additional_headers)
            .field("region", &self.region)
            .field("product", &self.product)
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

/// Derives the OSS V4 signing key for (secret, yyyymmdd, region, product), uncached.
///
/// ```
/// let k = credchain::sign::oss::derive_v4_key("sk", "20231216", "cn-hangzhou", "oss");
/// assert_eq!(k.as_bytes().len(), 32);
/// ```
pub fn derive_v4_key(secret: &str, date: &str, region: &str, product: &str) -> DerivedKey {
    let mut k = zeroize::Zeroizing::new(Vec::with_capacity(secret.len() + 9));
    k.extend_from_slice(b"aliyun_v4");
    k.extend_from_slice(secret.as_bytes());
    let k_date = zeroize::Zeroizing::new(crypto::hmac_sha256(&k, date.as_bytes()));
    let k_region = zeroize::Zeroizing::new(crypto::hmac_sha256(&*k_date, region.as_bytes()));
    let k_product = zeroize::Zeroizing::new(crypto::hmac_sha256(&*k_region, product.as_bytes()));
    DerivedKey::new(crypto::hmac_sha256(&*k_product, b"aliyun_v4_request"))
}

/// Signs a V4 request with a credential snapshot, using the global derived-key cache.
///
/// ```
/// use credchain::Credentials;
/// use credchain::sign::oss::{self, OssV4Request};
/// let c = Credentials::builder("ak", "sk").security_token("token").build();
/// let s = oss::sign_v4(&OssV4Request::new("GET", "bucket", "key", "cn-hangzhou", 1702785456), &c).unwrap();
/// assert!(s.canonical_request.contains("x-oss-security-token:token\n"));
/// ```
pub fn sign_v4(req: &OssV4Request, creds: &Credentials) -> Result<OssSigned, Error> {
    bearer_unsupported(creds)?;
    sign_v4_with_cache(
        req,
        creds.access_key_id(),
        creds.access_key_secret(),
        creds.security_token(),
        DerivedKeyCache::global(),
    )
}

/// Signs a V4 request with raw key strings, using the global derived-key cache.
///
/// ```
/// use credchain::sign::oss::{self, OssV4Request};
/// let s = oss::sign_v4_with_key(&OssV4Request::new("GET", "b", "k", "cn-hangzhou", 1702743657), "ak", "sk", None).unwrap();
/// assert!(s.authorization.starts_with("OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature="));
/// ```
pub fn sign_v4_with_key(
    req: &OssV4Request,
    access_key_id: &str,
    secret: &str,
    security_token: Option<&str>,
) -> Result<OssSigned, Error> {
    sign_v4_with_cache(
        req,
        access_key_id,
        secret,
        security_token,
        DerivedKeyCache::global(),
    )
}

/// [`sign_v4_with_key`] with an explicit derived-key cache.
///
/// ```
/// use credchain::sign::{oss::{self, OssV4Request}, DerivedKeyCache};
/// let r = OssV4Request::new("GET", "b", "k", "cn-hangzhou", 1702743657);
/// let a = oss::sign_v4_with_cache(&r, "ak", "sk", None, &DerivedKeyCache::disabled()).unwrap();
/// assert_eq!(a.signature, oss::sign_v4_with_key(&r, "ak", "sk", None).unwrap().signature);
/// ```
pub fn sign_v4_with_cache(
    req: &OssV4Request,
    access_key_id: &str,
    secret: &str,
    security_token: Option<&str>,
    cache: &DerivedKeyCache,
) -> Result<OssSigned, Error> {
    let mut date_time = String::with_capacity(16);
    crate::time::write_compact(&mut date_time, req.timestamp)?;
    let generated = generated_headers(&req.headers, &date_time, security_token);
    let parts = V4Parts::new(req, &generated, &date_time);
    let scope = scope(req, &date_time);

    let mut canonical_request = String::with_capacity(CANONICAL_REQUEST_CAPACITY);
    parts.write_canonical_request(&mut canonical_request, req);
    let mut string_to_sign = String::with_capacity(STRING_TO_SIGN_CAPACITY);
    let canonical_hash = crypto::sha256(canonical_request.as_bytes());
    parts.write_string_to_sign(&mut string_to_sign, &scope, &canonical_hash);
    let key = signing_key(cache, secret, &scope);
    let signature = crypto::hmac_sha256(key.as_bytes(), string_to_sign.as_bytes());

    let mut authorization = String::with_capacity(AUTHORIZATION_CAPACITY);
    parts.write_authorization(&mut authorization, access_key_id, &scope, &signature);
    let mut headers: Vec<(String, String)> = generated
        .iter()
        .flatten()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    headers.push(("Authorization".into(), authorization.clone()));
    Ok(OssSigned {
        canonical_request,
        string_to_sign,
        signature: hex_string(&signature),
        authorization,
        headers,
    })
}

/// Room for a typical canonical request, string to sign and `Authorization` value.
const CANONICAL_REQUEST_CAPACITY: usize = 256;
const STRING_TO_SIGN_CAPACITY: usize = 160;
const AUTHORIZATION_CAPACITY: usize = 160;

/// Only the `Authorization` value [`sign_v4_with_cache`] would give, appended to `out`: the fast
/// path for a client that sends many requests. The canonical request and the string to sign are
/// streamed into SHA-256 and HMAC instead of being built, and the headers are sorted as borrowed
/// slices on the stack, so nothing is allocated but `out`'s growth (none when it has room) for
/// requests with up to 16 headers and query parameters.
///
/// The caller sends, besides `Authorization`, the request's headers and those the signer would
/// add when the request lacks them: `x-oss-date` (the compact UTC form of `req.timestamp`, see
/// [`super::format_compact`]), `x-oss-content-sha256: UNSIGNED-PAYLOAD`, and
/// `x-oss-security-token` for STS credentials (`security_token`, which is signed).
///
/// ```
/// use credchain::sign::{oss::{self, OssV4Request}, DerivedKeyCache};
/// let mut req = OssV4Request::new("PUT", "bucket", "dir/a b.txt", "cn-hangzhou", 1702743657);
/// req.headers = vec![("Content-Type".into(), "text/plain".into())];
/// let cache = DerivedKeyCache::new(4);
/// let mut auth = String::new();
/// oss::write_v4_authorization(&req, "ak", "sk", Some("token"), &cache, &mut auth).unwrap();
/// assert_eq!(auth, oss::sign_v4_with_cache(&req, "ak", "sk", Some("token"), &cache).unwrap().authorization);
/// ```
pub fn write_v4_authorization(
    req: &OssV4Request,
    access_key_id: &str,
    secret: &str,
    security_token: Option<&str>,
    cache: &DerivedKeyCache,
    out: &mut String,
) -> Result<(), Error> {
    let mut stamp = [0u8; COMPACT_LEN];
    let date_time = compact_on_stack(req.timestamp, out, &mut stamp)?;
    let generated = generated_headers(&req.headers, date_time, security_token);
    let parts = V4Parts::new(req, &generated, date_time);
    let scope = scope(req, date_time);

    // Gathered in a stack buffer and hashed at once: dozens of small updates each pay the hash's
    // own buffering.
    let mut hashed = Sha256::default();
    let mut buffered = BufferedHashing::<_, 1024>::new(&mut hashed);
    parts.write_canonical_request(&mut buffered, req);
    buffered.flush();
    let canonical_hash = hashed.finalize();
    let key = signing_key(cache, secret, &scope);
    let mut mac = crypto::hmac_sha256_state(key.as_bytes());
    let mut buffered = BufferedHashing::<_, 256>::new(&mut mac);
    parts.write_string_to_sign(&mut buffered, &scope, &canonical_hash);
    buffered.flush();
    let signature = mac.finalize().into_bytes();
    parts.write_authorization(out, access_key_id, &scope, &signature);
    Ok(())
}

/// [`write_v4_authorization`] into a new string.
///
/// ```
/// use credchain::sign::{oss::{self, OssV4Request}, DerivedKeyCache};
/// let req = OssV4Request::new("GET", "b", "k", "cn-hangzhou", 1702743657);
/// let auth = oss::v4_authorization(&req, "ak", "sk", None, DerivedKeyCache::global()).unwrap();
/// assert!(auth.starts_with("OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature="));
/// ```
pub fn v4_authorization(
    req: &OssV4Request,
    access_key_id: &str,
    secret: &str,
    security_token: Option<&str>,
    cache: &DerivedKeyCache,
) -> Result<String, Error> {
    let mut out = String::with_capacity(AUTHORIZATION_CAPACITY);
    write_v4_authorization(req, access_key_id, secret, security_token, cache, &mut out)?;
    Ok(out)
}

/// Length of `yyyymmddThhmmssZ`.
const COMPACT_LEN: usize = 16;

/// The compact UTC time of `unix` in `buf`, formatted through the end of `scratch` (which is left
/// as it was), so no string is allocated for it.
fn compact_on_stack<'b>(
    unix: i64,
    scratch: &mut String,
    buf: &'b mut [u8; COMPACT_LEN],
) -> Result<&'b str, Error> {
    let start = scratch.len();
    crate::time::write_compact(scratch, unix)?;
    let written = &scratch.as_bytes()[start..];
    let n = written.len().min(COMPACT_LEN);
    buf[..n].copy_from_slice(&written[..n]);
    scratch.truncate(start);
    Ok(std::str::from_utf8(&buf[..n]).unwrap_or_default())
}

/// The credential scope of `req` signed at `date_time` (`yyyymmddThhmmssZ`).
fn scope<'a>(req: &'a OssV4Request, date_time: &'a str) -> Scope<'a> {
    Scope {
        date: date_time.get(..8).unwrap_or(""),
        region: &req.region,
        product: &req.product,
    }
}

/// The V4 signing key for the scope, from the cache or derived.
fn signing_key(cache: &DerivedKeyCache, secret: &str, scope: &Scope<'_>) -> DerivedKey {
    let Scope {
        date,
        region,
        product,
    } = *scope;
    cache.get_or_derive("oss4", secret, &[date, region, product], || {
        derive_v4_key(secret, date, region, product)
    })
}
