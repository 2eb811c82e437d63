//! Alibaba Cloud OpenAPI V3 signatures: `ACS3-HMAC-SHA256`, `ACS3-HMAC-SM3`, `ACS3-RSA-SHA256`.
//!
//! ```text
//! CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQueryString \n
//!                    CanonicalHeaders \n SignedHeaders \n HashedRequestPayload
//! StringToSign     = ALGORITHM \n hex(HASH(CanonicalRequest))
//! Signature        = hex(HMAC(raw AccessKeySecret, StringToSign))      (RSA: PKCS#1 v1.5 / SHA-256)
//! Authorization    = ALGORITHM Credential=<id>,SignedHeaders=<list>,Signature=<hex>   (no spaces)
//! ```
//!
//! - CanonicalURI is the RFC 3986-encoded path with `/` kept (`/` when empty);
//! - the query is sorted by key and encoded `pe(k)=pe(v)` (an empty value gives `k=`);
//! - signed headers are `host`, `content-type` and every `x-acs-*` header: names lower-cased, values
//!   trimmed but **not** lower-cased; names differing only in case merge into one header whose
//!   values are sorted and comma-joined;
//! - with `ACS3-HMAC-SM3` every hash is SM3, including the `x-acs-content-sha256` value.
//!
//! STS credentials add `x-acs-accesskey-id` and `x-acs-security-token` (both signed). Bearer-token
//! credentials are not signed: they send `x-acs-bearer-token`, `x-acs-signature-type: BEARERTOKEN`
//! and `Authorization: Bearer <token>` (what the Alibaba OpenAPI SDKs send).
//!
//! ```
//! use credchain::sign::acs3::{self, Acs3Request};
//! let mut req = Acs3Request::new(
//!     "ecs.cn-shanghai.aliyuncs.com", "RunInstances", "2014-05-26",
//!     "2023-10-26T10:22:32Z", "3156853299f313e23d1673dc12e1703d",
//! );
//! req.query = vec![
//!     ("ImageId".into(), "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd".into()),
//!     ("RegionId".into(), "cn-shanghai".into()),
//! ];
//! let s = acs3::sign_with_secret(&req, "YourAccessKeyId", "YourAccessKeySecret", None).unwrap();
//! assert_eq!(s.signature, "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
//! ```

use std::borrow::Cow;
use std::fmt;

use hmac::Mac;
use sha2::{Digest, Sha256};
use sm3::Sm3;

use super::crypto::{self, RsaSigningKey};
use super::encode::{canonical_query, encode_into, write_canonical_query};
use super::sink::{put_hex, BufferedHashing, Sink};
use super::{has_header, Len, Payload, RedactedPairs};
use crate::credentials::{Credentials, REDACTED};
use crate::error::{Error, ErrorKind};

/// The three ACS3 variants.
///
/// ```
/// use credchain::sign::acs3::Acs3Algorithm;
/// assert_eq!(Acs3Algorithm::HmacSm3.as_str(), "ACS3-HMAC-SM3");
/// assert_eq!(Acs3Algorithm::default(), Acs3Algorithm::HmacSha256);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Acs3Algorithm {
    /// `ACS3-HMAC-SHA256` (the default).
    #[default]
    HmacSha256,
    /// `ACS3-HMAC-SM3`: SM3 for every hash, HMAC-SM3 as MAC.
    HmacSm3,
    /// `ACS3-RSA-SHA256`: SHA-256 hashes, RSASSA-PKCS1-v1_5 signature with a private key.
    RsaSha256,
}

impl Acs3Algorithm {
    /// The algorithm name used in StringToSign and Authorization.
    ///
    /// ```
    /// assert_eq!(credchain::sign::acs3::Acs3Algorithm::RsaSha256.as_str(), "ACS3-RSA-SHA256");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Acs3Algorithm::HmacSha256 => "ACS3-HMAC-SHA256",
            Acs3Algorithm::HmacSm3 => "ACS3-HMAC-SM3",
            Acs3Algorithm::RsaSha256 => "ACS3-RSA-SHA256",
        }
    }

    /// Hex digest of `data` with this variant's hash (SM3 for `ACS3-HMAC-SM3`, SHA-256 otherwise).
    ///
    /// ```
    /// use credchain::sign::acs3::Acs3Algorithm;
    /// assert_eq!(
    ///     Acs3Algorithm::HmacSm3.hash_hex(b""),
    ///     "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
    /// );
    /// ```
    pub fn hash_hex(self, data: &[u8]) -> String {
        match self {
            Acs3Algorithm::HmacSm3 => crypto::sm3_hex(data),
            _ => crypto::sha256_hex(data),
        }
    }
}

impl fmt::Display for Acs3Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An ACS3 request to sign.
///
/// The signer adds `host` (when non-empty), `x-acs-action`, `x-acs-version`, `x-acs-date`,
/// `x-acs-signature-nonce` (each when non-empty) and `x-acs-content-sha256`, unless `headers`
/// already has a header of that name (then the caller's value is signed). `Debug` shows the body
/// only by length and redacts token headers.
///
/// ```
/// use credchain::sign::acs3::Acs3Request;
/// let req = Acs3Request::new("sts.aliyuncs.com", "GetCallerIdentity", "2015-04-01", "2024-01-01T00:00:00Z", "n1");
/// assert_eq!(req.method, "POST");
/// assert_eq!(req.path, "/");
/// ```
#[derive(Clone, Default)]
pub struct Acs3Request {
    /// Signature variant.
    pub algorithm: Acs3Algorithm,
    /// HTTP method, signed as given (use upper case).
    pub method: String,
    /// Host name (the `host` header); empty to leave the header out.
    pub host: String,
    /// The path, **not** percent-encoded; the signer encodes it (see [`Acs3Signed::canonical_uri`]).
    pub path: String,
    /// Query parameters (any order).
    pub query: Vec<(String, String)>,
    /// Headers the caller sends; `host`, `content-type` and `x-acs-*` among them are signed.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub payload: Payload,
    /// `x-acs-action` (API name).
    pub action: String,
    /// `x-acs-version` (API version).
    pub version: String,
    /// `x-acs-date`, UTC `YYYY-MM-DDThh:mm:ssZ` (see [`super::format_iso8601`]).
    pub date: String,
    /// `x-acs-signature-nonce` (see [`super::new_nonce`]).
    pub nonce: String,
}

impl Acs3Request {
    /// A `POST /` request with the standard fields set, no query, headers or body.
    ///
    /// ```
    /// use credchain::sign::acs3::Acs3Request;
    /// let r = Acs3Request::new("ecs.aliyuncs.com", "DescribeRegions", "2014-05-26", "2024-01-01T00:00:00Z", "n");
    /// assert_eq!(r.action, "DescribeRegions");
    /// ```
    pub fn new(
        host: impl Into<String>,
        action: impl Into<String>,
        version: impl Into<String>,
        date: impl Into<String>,
        nonce: impl Into<String>,
    ) -> Self {
        Acs3Request {
            algorithm: Acs3Algorithm::HmacSha256,
            method: "POST".into(),
            host: host.into(),
            path: "/".into(),
            query: Vec::new(),
            headers: Vec::new(),
            payload: Payload::Empty,
            action: action.into(),
            version: version.into(),
            date: date.into(),
            nonce: nonce.into(),
        }
    }
}

impl fmt::Debug for Acs3Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acs3Request")
            .field("algorithm", &self.algorithm)
            .field("method", &self.method)
            .field("host", &self.host)
            .field("path", &self.path)
            .field("query", &RedactedPairs(&self.query))
            .field("headers", &RedactedPairs(&self.headers))
            .field("payload", &self.payload)
            .field("action", &self.action)
            .field("version", &self.version)
            .field("date", &self.date)
            .field("nonce", &self.nonce)
            .finish()
    }
}

/// The result of ACS3 signing: every intermediate, and the headers to add to the request.
///
/// For bearer-token credentials only `canonical_uri`, `canonical_query_string`,
/// `hashed_request_payload`, `authorization` and `headers` are filled.
/// `Debug` redacts the signature, the authorization and token headers.
///
/// ```
/// use credchain::sign::acs3::{self, Acs3Request};
/// let req = Acs3Request::new("ecs.aliyuncs.com", "DescribeRegions", "2014-05-26", "2024-01-01T00:00:00Z", "n");
/// let s = acs3::sign_with_secret(&req, "id", "secret", None).unwrap();
/// assert!(s.headers.iter().any(|(k, v)| k == "authorization" && *v == s.authorization));
/// assert!(!format!("{s:?}").contains(&s.signature));
/// ```
#[derive(Clone, Default)]
pub struct Acs3Signed {
    /// The percent-encoded path to send (and sign).
    pub canonical_uri: String,
    /// The sorted, encoded query; also a valid query string to send.
    pub canonical_query_string: String,
    /// `x-acs-content-sha256` value.
    pub hashed_request_payload: String,
    /// `name:value\n` lines.
    pub canonical_headers: String,
    /// `;`-joined signed header names.
    pub signed_headers: String,
    /// The canonical request.
    pub canonical_request: String,
    /// hex(HASH(canonical request)).
    pub hashed_canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Lowercase hex signature.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
    /// Headers to add to the request (the generated ones, token headers and `authorization`).
    pub headers: Vec<(String, String)>,
}

impl fmt::Debug for Acs3Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acs3Signed")
            .field("canonical_uri", &self.canonical_uri)
            .field("canonical_query_string", &self.canonical_query_string)
            .field("hashed_request_payload", &self.hashed_request_payload)
            .field("signed_headers", &self.signed_headers)
            .field("canonical_request", &Len(self.canonical_request.len()))
            .field("hashed_canonical_request", &self.hashed_canonical_request)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &REDACTED)
            .field("authorization", &REDACTED)
            .field("headers", &RedactedPairs(&self.headers))
            .finish()
    }
}

enum Key<'a> {
    Secret(&'a str),
    Rsa(&'a RsaSigningKey),
}

/// Signs with a credential snapshot: access key (plus `x-acs-security-token` for STS credentials)
/// or, for bearer-token credentials, the bearer headers without a signature.
///
/// For `ACS3-RSA-SHA256` the credential's secret must be the PEM private key.
///
/// ```
/// use credchain::Credentials;
/// use credchain::sign::acs3::{self, Acs3Request};
/// let req = Acs3Request::new("ecs.aliyuncs.com", "DescribeRegions", "2014-05-26", "2024-01-01T00:00:00Z", "n");
///
/// let sts = Credentials::builder("STS.id", "secret").security_token("tok").build();
/// let s = acs3::sign(&req, &sts).unwrap();
/// assert!(s.signed_headers.contains("x-acs-security-token"));
///
/// let bearer = Credentials::bearer("bt", "bearer");
/// let s = acs3::sign(&req, &bearer).unwrap();
/// assert_eq!(s.authorization, "Bearer bt");
/// assert!(s.headers.contains(&("x-acs-bearer-token".into(), "bt".into())));
/// ```
pub fn sign(req: &Acs3Request, creds: &Credentials) -> Result<Acs3Signed, Error> {
    if let Some(bearer) = creds.bearer_token().filter(|t| !t.is_empty()) {
        return sign_bearer(req, bearer);
    }
    sign_with_secret(
        req,
        creds.access_key_id(),
        creds.access_key_secret(),
        creds.security_token(),
    )
}

/// Signs with raw key strings. `security_token` (when non-empty) is sent and signed as
/// `x-acs-security-token`, with `x-acs-accesskey-id`. For `ACS3-RSA-SHA256`, `secret` is the PEM
/// private key.
///
/// ```
/// use credchain::sign::acs3::{self, Acs3Algorithm, Acs3Request};
/// let mut req = Acs3Request::new("ecs.cn-shanghai.aliyuncs.com", "RunInstances", "2014-05-26",
///     "2023-10-26T10:22:32Z", "3156853299f313e23d1673dc12e1703d");
/// req.algorithm = Acs3Algorithm::HmacSm3;
/// req.query = vec![
///     ("ImageId".into(), "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd".into()),
///     ("RegionId".into(), "cn-shanghai".into()),
/// ];
/// let s = acs3::sign_with_secret(&req, "YourAccessKeyId", "YourAccessKeySecret", None).unwrap();
/// assert_eq!(s.signature, "19cac349828155410ebe3ae96f5732d62cefef94ce7df9b1623defdf9f5b7704");
/// ```
pub fn sign_with_secret(
    req: &Acs3Request,
    access_key_id: &str,
    secret: &str,
    security_token: Option<&str>,
) -> Result<Acs3Signed, Error> {
    sign_inner(req, access_key_id, Key::Secret(secret), security_token)
}

/// Signs an `ACS3-RSA-SHA256` request with a parsed key (parse once, sign many). The request's
/// `algorithm` must be [`Acs3Algorithm::RsaSha256`].
///
/// ```
/// use credchain::sign::acs3::{self, Acs3Request};
/// # fn key() -> Option<credchain::sign::crypto::RsaSigningKey> { None }
/// let mut req = Acs3Request::new("ecs.aliyuncs.com", "DescribeRegions", "2014-05-26", "2024-01-01T00:00:00Z", "n");
/// req.algorithm = credchain::sign::acs3::Acs3Algorithm::RsaSha256;
/// if let Some(k) = key() {
///     let s = acs3::sign_with_rsa_key(&req, "id", &k, None).unwrap();
///     assert!(s.authorization.starts_with("ACS3-RSA-SHA256 "));
/// }
/// ```
pub fn sign_with_rsa_key(
    req: &Acs3Request,
    access_key_id: &str,
    key: &RsaSigningKey,
    security_token: Option<&str>,
) -> Result<Acs3Signed, Error> {
    sign_inner(req, access_key_id, Key::Rsa(key), security_token)
}

/// The `x-acs-content-sha256` value for a payload (SM3 for `ACS3-HMAC-SM3`).
///
/// ```
/// use credchain::sign::{acs3::{self, Acs3Algorithm}, Payload};
/// assert_eq!(
///     acs3::hash_payload(Acs3Algorithm::HmacSha256, &Payload::Empty).unwrap(),
///     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/// );
/// assert!(acs3::hash_payload(Acs3Algorithm::HmacSha256, &Payload::Unsigned).is_err());
/// ```
pub fn hash_payload(algorithm: Acs3Algorithm, payload: &Payload) -> Result<String, Error> {
    match payload {
        Payload::Hash(h) => Ok(h.clone()),
        Payload::Unsigned => Err(Error::new(
            ErrorKind::InvalidConfig,
            "ACS3 signatures have no unsigned-payload mode; pass the body or its hash",
        )),
        p => Ok(algorithm.hash_hex(p.bytes())),
    }
}

/// The lowest-level entry point: signs exactly the given method, path, query, headers and payload
/// hash (no headers are added). `host`, `content-type` and `x-acs-*` headers are signed.
///
/// ```
/// use credchain::sign::acs3::{self, Acs3Algorithm};
/// let s = acs3::sign_canonical(
///     Acs3Algorithm::HmacSha256, "GET", "/",
///     &[("test".into(), "ok".into()), ("empty".into(), "".into())],
///     &[("x-acs-test".into(), "http".into()), ("x-acs-TEST".into(), "https".into())],
///     "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23",
///     "acesskey", "secret",
/// ).unwrap();
/// assert_eq!(s.signature, "d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1");
/// ```
#[allow(clippy::too_many_arguments)]
pub fn sign_canonical(
    algorithm: Acs3Algorithm,
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    hashed_payload: &str,
    access_key_id: &str,
    secret: &str,
) -> Result<Acs3Signed, Error> {
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    finish(
        algorithm,
        method,
        path,
        query,
        &header_refs,
        hashed_payload.to_string(),
        access_key_id,
        Key::Secret(secret),
    )
    .map(|mut s| {
        s.headers
            .push(("authorization".into(), s.authorization.clone()));
        s
    })
}

/// The headers the signer adds (each when its value is non-empty and the caller has not set it),
/// then, for STS credentials, the access key id and the token.
fn generated_pairs<'a>(
    req: &'a Acs3Request,
    hashed_payload: &'a str,
    access_key_id: &'a str,
    security_token: Option<&'a str>,
) -> impl Iterator<Item = (&'a str, &'a str)> {
    let standard: [(&'a str, &'a str); 6] = [
        ("host", req.host.as_str()),
        ("x-acs-action", req.action.as_str()),
        ("x-acs-version", req.version.as_str()),
        ("x-acs-date", req.date.as_str()),
        ("x-acs-signature-nonce", req.nonce.as_str()),
        ("x-acs-content-sha256", hashed_payload),
    ];
    let standard = standard
        .into_iter()
        .filter(|(name, value)| !value.is_empty() && !has_header(&req.headers, name));
    let token = security_token.filter(|t| !t.is_empty());
    let sts = token
        .map(|t| -> [(&'a str, &'a str); 2] {
            [
                ("x-acs-accesskey-id", access_key_id),
                ("x-acs-security-token", t),
            ]
        })
        .into_iter()
        .flatten();
    standard.chain(sts)
}

fn generated_headers(req: &Acs3Request, hashed_payload: &str) -> Vec<(String, String)> {
    generated_pairs(req, hashed_payload, "", None)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn sign_inner(
    req: &Acs3Request,
    access_key_id: &str,
    key: Key<'_>,
    security_token: Option<&str>,
) -> Result<Acs3Signed, Error> {
    let hashed_payload = hash_payload(req.algorithm, &req.payload)?;
    let mut added: Vec<(String, String)> =
        generated_pairs(req, &hashed_payload, access_key_id, security_token)
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    let all: Vec<(&str, &str)> = req
        .headers
        .iter()
        .chain(added.iter())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let signed = finish(
        req.algorithm,
        &req.method,
        &req.path,
        &req.query,
        &all,
        hashed_payload,
        access_key_id,
        key,
    )?;
    let mut signed = signed;
    added.push(("authorization".into(), signed.authorization.clone()));
    signed.headers = added;
    Ok(signed)
}

/// Only the `Authorization` value, appended to `out`: the fast path for a client that sends many
/// requests with HMAC keys. The canonical request and the string to sign are gathered in stack
/// buffers and hashed at once instead of being built as strings; the signed headers are sorted on
/// the stack (up to 16 of them), so a signature allocates nothing unless `out` has no room or a
/// header name has upper-case letters. The
/// signature is byte-identical to [`sign_with_secret`]'s.
///
/// The headers sent besides `authorization` are the request's own plus those the signer would
/// generate: `host`, `x-acs-action`, `x-acs-version`, `x-acs-date`, `x-acs-signature-nonce`,
/// `x-acs-content-sha256` ([`hash_payload`]) and, with a token, `x-acs-accesskey-id` and
/// `x-acs-security-token`. For `ACS3-RSA-SHA256`, `secret` is the PEM key (parsed on each call:
/// use [`sign_with_rsa_key`] to sign many requests with one key).
///
/// ```
/// use credchain::sign::{acs3::{self, Acs3Request}, Payload};
/// let mut req = Acs3Request::new("ecs.aliyuncs.com", "DescribeRegions", "2014-05-26", "2024-01-01T00:00:00Z", "n");
/// req.payload = Payload::Bytes(b"{}".to_vec());
/// let mut auth = String::new();
/// acs3::write_authorization(&req, "id", "secret", Some("tok"), &mut auth).unwrap();
/// assert_eq!(auth, acs3::sign_with_secret(&req, "id", "secret", Some("tok")).unwrap().authorization);
/// ```
pub fn write_authorization(
    req: &Acs3Request,
    access_key_id: &str,
    secret: &str,
    security_token: Option<&str>,
    out: &mut String,
) -> Result<(), Error> {
    let mut payload_hex = [0u8; 64];
    let hashed_payload = payload_hash_into(req.algorithm, &req.payload, &mut payload_hex)?;
    let pairs = req
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(generated_pairs(
            req,
            hashed_payload,
            access_key_id,
            security_token,
        ));
    let mut stack = std::array::from_fn(|_| (Cow::Borrowed(""), ""));
    let mut heap = Vec::new();
    let items = sorted_signed_headers(pairs, &mut stack, &mut heap);
    let items = &*items;
    let canonical = |out: &mut dyn Sink| write_canonical_request(out, req, items, hashed_payload);
    let algorithm = req.algorithm.as_str();
    out.push_str(algorithm);
    out.push_str(" Credential=");
    out.push_str(access_key_id);
    out.push_str(",SignedHeaders=");
    write_signed_names(out, items);
    out.push_str(",Signature=");
    match req.algorithm {
        Acs3Algorithm::HmacSha256 => {
            let mac = crypto::hmac_sha256_state(secret.as_bytes());
            put_hmac_signature(out, Sha256::default(), mac, algorithm, canonical);
        }
        Acs3Algorithm::HmacSm3 => {
            let mac = crypto::hmac_sm3_state(secret.as_bytes());
            put_hmac_signature(out, Sm3::default(), mac, algorithm, canonical);
        }
        Acs3Algorithm::RsaSha256 => {
            let mut hashed = Sha256::default();
            let mut buffered = BufferedHashing::<_, CANONICAL_BUFFER>::new(&mut hashed);
            canonical(&mut buffered);
            buffered.flush();
            let mut string_to_sign = String::with_capacity(96);
            write_string_to_sign(&mut string_to_sign, algorithm, &hashed.finalize());
            let key = RsaSigningKey::parse(secret)?;
            out.push_str(&key.sign_sha256_hex(string_to_sign.as_bytes())?);
        }
    }
    Ok(())
}

/// Hashes the canonical request with `hasher`, MACs the string to sign with `mac`, and appends
/// the signature as hex.
fn put_hmac_signature<H, M>(
    out: &mut String,
    hasher: H,
    mac: M,
    algorithm: &str,
    canonical: impl FnOnce(&mut dyn Sink),
) where
    H: Digest + sha2::digest::Update,
    M: Mac + sha2::digest::Update,
{
    let mut hasher = hasher;
    let mut buffered = BufferedHashing::<_, CANONICAL_BUFFER>::new(&mut hasher);
    canonical(&mut buffered);
    buffered.flush();
    let digest = Digest::finalize(hasher);
    let mut mac = mac;
    // The algorithm name, a newline and 64 hex digits.
    let mut buffered = BufferedHashing::<_, 96>::new(&mut mac);
    write_string_to_sign(&mut buffered, algorithm, &digest);
    buffered.flush();
    put_hex(out, &Mac::finalize(mac).into_bytes());
}

/// Bytes of canonical request gathered before they are hashed (a typical one fits).
const CANONICAL_BUFFER: usize = 1024;

/// `ALGORITHM\n<hex hash of the canonical request>`.
fn write_string_to_sign(out: &mut dyn Sink, algorithm: &str, hashed_request: &[u8]) {
    out.put(algorithm);
    out.put("\n");
    put_hex(out, hashed_request);
}

/// `METHOD\nURI\nquery\nheaders\nsigned\npayload-hash`.
fn write_canonical_request(
    out: &mut dyn Sink,
    req: &Acs3Request,
    items: &[SignedHeader<'_>],
    hashed_payload: &str,
) {
    out.put(&req.method);
    out.put("\n");
    write_canonical_uri(out, &req.path);
    out.put("\n");
    write_canonical_query(out, &req.query);
    out.put("\n");
    super::write_merged_headers(out, items);
    out.put("\n");
    write_signed_names(out, items);
    out.put("\n");
    out.put(hashed_payload);
}

/// [`hash_payload`] into `buf` (no allocation for a body).
fn payload_hash_into<'a>(
    algorithm: Acs3Algorithm,
    payload: &'a Payload,
    buf: &'a mut [u8; 64],
) -> Result<&'a str, Error> {
    let digest = match payload {
        Payload::Hash(h) => return Ok(h),
        Payload::Unsigned => return hash_payload(algorithm, payload).map(|_| ""),
        p => match algorithm {
            Acs3Algorithm::HmacSm3 => crypto::sm3(p.bytes()),
            _ => crypto::sha256(p.bytes()),
        },
    };
    match hex::encode_to_slice(digest, buf) {
        Ok(()) => Ok(std::str::from_utf8(buf).unwrap_or_default()),
        Err(_) => Ok(""),
    }
}

fn sign_bearer(req: &Acs3Request, token: &str) -> Result<Acs3Signed, Error> {
    let hashed_payload = hash_payload(req.algorithm, &req.payload)?;
    let mut headers = generated_headers(req, &hashed_payload);
    headers.push(("x-acs-bearer-token".into(), token.into()));
    headers.push(("x-acs-signature-type".into(), "BEARERTOKEN".into()));
    let authorization = format!("Bearer {token}");
    headers.push(("authorization".into(), authorization.clone()));
    Ok(Acs3Signed {
        canonical_uri: canonical_uri(&req.path),
        canonical_query_string: canonical_query(&req.query),
        hashed_request_payload: hashed_payload,
        authorization,
        headers,
        ..Acs3Signed::default()
    })
}

fn canonical_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    write_canonical_uri(&mut out, path);
    out
}

/// The RFC 3986-encoded path with `/` kept; `/` when empty.
fn write_canonical_uri(out: &mut dyn Sink, path: &str) {
    if path.is_empty() {
        out.put("/");
    } else {
        encode_into(out, path.as_bytes(), true);
    }
}

fn is_signed(name: &str) -> bool {
    name == "host" || name == "content-type" || name.starts_with("x-acs-")
}

/// A signed header: the lower-cased name (borrowed when already lower case), the trimmed value.
type SignedHeader<'a> = (Cow<'a, str>, &'a str);

/// The header as signed (name lower-cased, both trimmed), or `None` when it is not signed.
fn signed_header<'a>((name, value): (&'a str, &'a str)) -> Option<SignedHeader<'a>> {
    let name = super::lower_case_name(trim(name));
    is_signed(&name).then(|| (name, trim(value)))
}

/// `str::trim`, without its Unicode scan when both ends are visible ASCII (as header names and
/// values almost always are).
fn trim(s: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|b| (0x21..0x7f).contains(b));
    if visible(s.as_bytes().first()) && visible(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// The signed headers among `headers`, sorted by name then value.
fn signed_header_list<'a>(
    headers: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<SignedHeader<'a>> {
    let mut items: Vec<SignedHeader<'a>> = headers.filter_map(signed_header).collect();
    items.sort_unstable();
    items
}

/// Signed headers sorted on the stack when this many fit (a request usually has 7 to 10).
const STACK_HEADERS: usize = 16;

/// [`signed_header_list`] in `stack`, or in `heap` when more than [`STACK_HEADERS`] are signed.
fn sorted_signed_headers<'a, 's>(
    headers: impl Iterator<Item = (&'a str, &'a str)>,
    stack: &'s mut [SignedHeader<'a>; STACK_HEADERS],
    heap: &'s mut Vec<SignedHeader<'a>>,
) -> &'s mut [SignedHeader<'a>] {
    let mut n = 0;
    for item in headers.filter_map(signed_header) {
        if let Some(slot) = stack.get_mut(n) {
            *slot = item;
            n += 1;
            continue;
        }
        if heap.is_empty() {
            heap.extend(stack.iter_mut().map(std::mem::take));
        }
        heap.push(item);
    }
    let items = if heap.is_empty() {
        &mut stack[..n]
    } else {
        &mut heap[..]
    };
    items.sort_unstable();
    items
}

/// The distinct signed names joined by `;`.
fn write_signed_names(out: &mut dyn Sink, items: &[SignedHeader<'_>]) {
    let mut prev: Option<&str> = None;
    for (name, _) in items {
        if prev == Some(name.as_ref()) {
            continue;
        }
        if prev.is_some() {
            out.put(";");
        }
        out.put(name);
        prev = Some(name.as_ref());
    }
}

/// Canonical headers and signed-header list from (name, value) pairs.
fn canonicalize_headers(headers: &[(&str, &str)]) -> (String, String) {
    let items = signed_header_list(headers.iter().copied());
    let mut canonical = String::new();
    super::write_merged_headers(&mut canonical, &items);
    let mut signed = String::new();
    write_signed_names(&mut signed, &items);
    (canonical, signed)
}

#[allow(clippy::too_many_arguments)]
fn finish(
    algorithm: Acs3Algorithm,
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(&str, &str)],
    hashed_payload: String,
    access_key_id: &str,
    key: Key<'_>,
) -> Result<Acs3Signed, Error> {
    let canonical_uri = canonical_uri(path);
    let canonical_query_string = canonical_query(query);
    let (canonical_headers, signed_headers) = canonicalize_headers(headers);
    let canonical_request = [
        method,
        "\n",
        &canonical_uri,
        "\n",
        &canonical_query_string,
        "\n",
        &canonical_headers,
        "\n",
        &signed_headers,
        "\n",
        &hashed_payload,
    ]
    .concat();
    let hashed_canonical_request = algorithm.hash_hex(canonical_request.as_bytes());
    let string_to_sign = [algorithm.as_str(), "\n", &hashed_canonical_request].concat();
    let signature = match (algorithm, key) {
        (Acs3Algorithm::HmacSha256, Key::Secret(s)) => {
            hex::encode(crypto::hmac_sha256(s.as_bytes(), string_to_sign.as_bytes()))
        }
        (Acs3Algorithm::HmacSm3, Key::Secret(s)) => {
            hex::encode(crypto::hmac_sm3(s.as_bytes(), string_to_sign.as_bytes()))
        }
        (Acs3Algorithm::RsaSha256, Key::Rsa(k)) => k.sign_sha256_hex(string_to_sign.as_bytes())?,
        (Acs3Algorithm::RsaSha256, Key::Secret(pem)) => {
            RsaSigningKey::parse(pem)?.sign_sha256_hex(string_to_sign.as_bytes())?
        }
        (_, Key::Rsa(_)) => {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                format!("an RSA key cannot sign {algorithm}; use ACS3-RSA-SHA256"),
            ))
        }
    };
    let authorization = [
        algorithm.as_str(),
        " Credential=",
        access_key_id,
        ",SignedHeaders=",
        &signed_headers,
        ",Signature=",
        &signature,
    ]
    .concat();
    Ok(Acs3Signed {
        canonical_uri,
        canonical_query_string,
        hashed_request_payload: hashed_payload,
        canonical_headers,
        signed_headers,
        canonical_request,
        hashed_canonical_request,
        string_to_sign,
        signature,
        authorization,
        headers: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_and_sorts_headers() {
        let (c, s) = canonicalize_headers(&[
            ("X-Acs-B", " 2 "),
            ("user-agent", "x"),
            ("x-acs-a", "z"),
            ("x-acs-A", "y"),
            ("Host", "h"),
        ]);
        assert_eq!(c, "host:h\nx-acs-a:y,z\nx-acs-b:2\n");
        assert_eq!(s, "host;x-acs-a;x-acs-b");
        assert_eq!(canonicalize_headers(&[]), (String::new(), String::new()));
    }

    #[test]
    fn caller_header_wins() {
        let mut req = Acs3Request::new("h", "A", "V", "D", "N");
        req.headers
            .push(("X-Acs-Content-Sha256".into(), "given".into()));
        let s = sign_with_secret(&req, "id", "k", None).unwrap();
        assert!(s.canonical_headers.contains("x-acs-content-sha256:given\n"));
        assert!(!s.headers.iter().any(|(k, _)| k == "x-acs-content-sha256"));
    }
}
