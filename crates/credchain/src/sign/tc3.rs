//! Tencent Cloud `TC3-HMAC-SHA256` (API 3.0 signature v3).
//!
//! ```text
//! CanonicalRequest = METHOD \n / \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload
//! StringToSign     = TC3-HMAC-SHA256 \n <ts> \n <date>/<service>/tc3_request \n hex(SHA256(CanonicalRequest))
//! kDate = HMAC("TC3" + SecretKey, date); kService = HMAC(kDate, service); kSigning = HMAC(kService, "tc3_request")
//! Signature        = hex(HMAC(kSigning, StringToSign))
//! Authorization    = TC3-HMAC-SHA256 Credential=<id>/<scope>, SignedHeaders=<list>, Signature=<hex>
//! ```
//!
//! - `date` is the **UTC** date of the timestamp;
//! - signed headers are `content-type` and `host` plus any named in
//!   [`Tc3Request::extra_signed_headers`]; names and **values** are lower-cased and trimmed;
//! - the canonical query is byte-identical to the query string sent (the signer encodes
//!   [`Tc3Request::query`] once, RFC 3986, in the given order, and returns it);
//! - temporary credentials send `X-TC-Token`, which is never signed and never sent empty;
//! - `kSigning` depends only on (secret, date, service) and is cached ([`super::DerivedKeyCache`]).
//!
//! ```
//! use credchain::sign::{tc3, Payload};
//! let mut req = tc3::Tc3Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", 1551113065);
//! req.region = "ap-guangzhou".into();
//! req.content_type = "application/json; charset=utf-8".into();
//! req.extra_signed_headers = vec!["X-TC-Action".into()];
//! req.payload = Payload::Bytes(
//!     br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#.to_vec(),
//! );
//! let s = tc3::sign_with_key(&req, "AKID********************************", "********************************", None).unwrap();
//! assert_eq!(s.signature, "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f");
//! ```

use std::fmt;

use hmac::Mac;
use sha2::{Digest, Sha256};

use super::crypto;
use super::encode::{encode_query, write_pairs};
use super::sink::{put_hex, put_lowercase, BufferedHashing, Sink};
use super::{DerivedKey, DerivedKeyCache, Len, Payload, RedactedPairs};
use crate::credentials::{Credentials, REDACTED};
use crate::error::{Error, ErrorKind};

/// SHA-256 of the literal `UNSIGNED-PAYLOAD`, the HashedPayload in unsigned-payload mode.
pub const UNSIGNED_PAYLOAD_HASH: &str =
    "438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96";

/// A TC3 request to sign.
///
/// The signer produces `Host`, `Content-Type`, `X-TC-Action`, `X-TC-Version`, `X-TC-Timestamp`,
/// `X-TC-Region` (when non-empty), `X-TC-Token` (temporary credentials only),
/// `X-TC-Content-SHA256` (unsigned payload only) and `Authorization`. A header in
/// [`Tc3Request::headers`] with one of those names replaces the generated one.
///
/// ```
/// use credchain::sign::tc3::Tc3Request;
/// let r = Tc3Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", 1551113065);
/// assert_eq!((r.method.as_str(), r.content_type.as_str()), ("POST", "application/json"));
/// ```
#[derive(Clone, Default)]
pub struct Tc3Request {
    /// HTTP method (`POST` or `GET`).
    pub method: String,
    /// Host, e.g. `cvm.tencentcloudapi.com`.
    pub host: String,
    /// Service; empty means the first label of `host`.
    pub service: String,
    /// `X-TC-Action`.
    pub action: String,
    /// `X-TC-Version`.
    pub version: String,
    /// `X-TC-Region`; empty leaves the header out.
    pub region: String,
    /// Unix seconds (`X-TC-Timestamp`; its UTC date is the credential-scope date).
    pub timestamp: i64,
    /// The exact Content-Type sent (`application/json` vs `application/json; charset=utf-8`
    /// changes the signature; multipart includes the boundary).
    pub content_type: String,
    /// Query parameters (GET), encoded in this order; the result's
    /// [`Tc3Signed::canonical_query_string`] is the query string to send.
    pub query: Vec<(String, String)>,
    /// Further headers sent (`X-TC-Language`, `X-TC-RequestClient`, ...).
    pub headers: Vec<(String, String)>,
    /// Header names signed in addition to `content-type` and `host` (e.g. `X-TC-Action`).
    pub extra_signed_headers: Vec<String>,
    /// The body (empty for GET), a given hash, or [`Payload::Unsigned`].
    pub payload: Payload,
}

impl Tc3Request {
    /// A `POST` with `Content-Type: application/json`, no region, query or body.
    ///
    /// ```
    /// let r = credchain::sign::tc3::Tc3Request::new("sts.tencentcloudapi.com", "AssumeRole", "2018-08-13", 0);
    /// assert!(r.service.is_empty());
    /// ```
    pub fn new(
        host: impl Into<String>,
        action: impl Into<String>,
        version: impl Into<String>,
        timestamp: i64,
    ) -> Self {
        Tc3Request {
            method: "POST".into(),
            host: host.into(),
            action: action.into(),
            version: version.into(),
            timestamp,
            content_type: "application/json".into(),
            ..Tc3Request::default()
        }
    }

    /// The service used in the scope: [`Tc3Request::service`], or the first label of the host.
    ///
    /// ```
    /// let r = credchain::sign::tc3::Tc3Request::new("cvm.ap-guangzhou.tencentcloudapi.com", "A", "V", 0);
    /// assert_eq!(r.effective_service(), "cvm");
    /// ```
    pub fn effective_service(&self) -> &str {
        if self.service.is_empty() {
            self.host.split('.').next().unwrap_or("")
        } else {
            &self.service
        }
    }
}

impl fmt::Debug for Tc3Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tc3Request")
            .field("method", &self.method)
            .field("host", &self.host)
            .field("service", &self.service)
            .field("action", &self.action)
            .field("version", &self.version)
            .field("region", &self.region)
            .field("timestamp", &self.timestamp)
            .field("content_type", &self.content_type)
            .field("query", &RedactedPairs(&self.query))
            .field("headers", &RedactedPairs(&self.headers))
            .field("extra_signed_headers", &self.extra_signed_headers)
            .field("payload", &self.payload)
            .finish()
    }
}

/// The result of TC3 signing: every intermediate, and the headers to send.
/// `Debug` redacts the signature, the authorization and the token.
///
/// ```
/// use credchain::sign::tc3;
/// let req = tc3::Tc3Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", 1551113065);
/// let s = tc3::sign_with_key(&req, "id", "key", Some("tok")).unwrap();
/// assert!(s.headers.contains(&("X-TC-Token".into(), "tok".into())));
/// assert!(!format!("{s:?}").contains("tok\""));
/// ```
#[derive(Clone, Default)]
pub struct Tc3Signed {
    /// The query string to send after `?` (empty when none).
    pub canonical_query_string: String,
    /// Hex SHA-256 of the body (or of `UNSIGNED-PAYLOAD`).
    pub hashed_request_payload: String,
    /// `name:value\n` lines.
    pub canonical_headers: String,
    /// `;`-joined signed header names.
    pub signed_headers: String,
    /// The canonical request.
    pub canonical_request: String,
    /// Hex SHA-256 of the canonical request.
    pub hashed_canonical_request: String,
    /// UTC `YYYY-MM-DD` of the timestamp.
    pub date: String,
    /// `<date>/<service>/tc3_request`.
    pub credential_scope: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Lowercase hex signature.
    pub signature: String,
    /// The `Authorization` value.
    pub authorization: String,
    /// Every header to send, `Authorization` included.
    pub headers: Vec<(String, String)>,
}

impl fmt::Debug for Tc3Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tc3Signed")
            .field(
                "canonical_query_string",
                &Len(self.canonical_query_string.len()),
            )
            .field("hashed_request_payload", &self.hashed_request_payload)
            .field("signed_headers", &self.signed_headers)
            .field("canonical_request", &Len(self.canonical_request.len()))
            .field("hashed_canonical_request", &self.hashed_canonical_request)
            .field("credential_scope", &self.credential_scope)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &REDACTED)
            .field("authorization", &REDACTED)
            .field("headers", &RedactedPairs(&self.headers))
            .finish()
    }
}

/// The TC3 key chain for (secret, date, service). Every key is zeroized on drop.
///
/// ```
/// let k = credchain::sign::tc3::derive_keys("********************************", "2019-02-25", "cvm");
/// assert_eq!(k.secret_signing.to_hex(), "b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af");
/// ```
#[derive(Clone, Debug)]
pub struct Tc3KeyChain {
    /// `HMAC("TC3" + SecretKey, date)`.
    pub secret_date: DerivedKey,
    /// `HMAC(SecretDate, service)`.
    pub secret_service: DerivedKey,
    /// `HMAC(SecretService, "tc3_request")`.
    pub secret_signing: DerivedKey,
}

/// Derives the TC3 key chain (uncached).
///
/// ```
/// let k = credchain::sign::tc3::derive_keys("********************************", "2019-02-25", "cvm");
/// assert_eq!(k.secret_service.to_hex(), "8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f");
/// ```
pub fn derive_keys(secret_key: &str, date: &str, service: &str) -> Tc3KeyChain {
    let mut k = zeroize::Zeroizing::new(Vec::with_capacity(secret_key.len() + 3));
    k.extend_from_slice(b"TC3");
    k.extend_from_slice(secret_key.as_bytes());
    let secret_date = DerivedKey::new(crypto::hmac_sha256(&k, date.as_bytes()));
    let secret_service = DerivedKey::new(crypto::hmac_sha256(
        secret_date.as_bytes(),
        service.as_bytes(),
    ));
    let secret_signing = DerivedKey::new(crypto::hmac_sha256(
        secret_service.as_bytes(),
        b"tc3_request",
    ));
    Tc3KeyChain {
        secret_date,
        secret_service,
        secret_signing,
    }
}

/// Signs with a credential snapshot (the token, if any, goes in `X-TC-Token`), using the global
/// derived-key cache. Bearer-only credentials and empty keys are rejected.
///
/// ```
/// use credchain::Credentials;
/// use credchain::sign::tc3;
/// let req = tc3::Tc3Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", 1551113065);
/// let c = Credentials::builder("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").build();
/// let s = tc3::sign(&req, &c).unwrap();
/// assert_eq!(s.signed_headers, "content-type;host");
/// assert!(tc3::sign(&req, &Credentials::bearer("t", "bearer")).is_err());
/// ```
pub fn sign(req: &Tc3Request, creds: &Credentials) -> Result<Tc3Signed, Error> {
    check_credentials(creds)?;
    sign_with_cache(
        req,
        creds.secret_id(),
        creds.secret_key(),
        creds.token(),
        DerivedKeyCache::global(),
    )
}

pub(crate) fn check_credentials(creds: &Credentials) -> Result<(), Error> {
    if creds.secret_id().is_empty() || creds.secret_key().is_empty() {
        let msg = if creds.bearer_token().is_some() {
            "Tencent Cloud signing needs a SecretId and SecretKey; bearer tokens are not supported"
        } else {
            "Tencent Cloud signing needs a non-empty SecretId and SecretKey"
        };
        return Err(Error::new(ErrorKind::InvalidCredential, msg));
    }
    Ok(())
}

/// Signs with raw key strings, using the global derived-key cache. `token` is sent as
/// `X-TC-Token` only when non-empty, and is not signed.
///
/// ```
/// use credchain::sign::tc3;
/// let req = tc3::Tc3Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", 1551113065);
/// let a = tc3::sign_with_key(&req, "id", "key", None).unwrap();
/// let b = tc3::sign_with_key(&req, "id", "key", Some("token")).unwrap();
/// let c = tc3::sign_with_key(&req, "id", "key", Some("")).unwrap();
/// assert_eq!(a.signature, b.signature);
/// assert!(!c.headers.iter().any(|(k, _)| k == "X-TC-Token"));
/// ```
pub fn sign_with_key(
    req: &Tc3Request,
    secret_id: &str,
    secret_key: &str,
    token: Option<&str>,
) -> Result<Tc3Signed, Error> {
    sign_with_cache(req, secret_id, secret_key, token, DerivedKeyCache::global())
}

/// [`sign_with_key`] with an explicit derived-key cache ([`DerivedKeyCache::disabled`] to always
/// derive afresh).
///
/// ```
/// use credchain::sign::{tc3, DerivedKeyCache};
/// let req = tc3::Tc3Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", 1551113065);
/// let cold = tc3::sign_with_cache(&req, "id", "key", None, &DerivedKeyCache::disabled()).unwrap();
/// let warm = tc3::sign_with_key(&req, "id", "key", None).unwrap();
/// assert_eq!(cold.signature, warm.signature);
/// ```
pub fn sign_with_cache(
    req: &Tc3Request,
    secret_id: &str,
    secret_key: &str,
    token: Option<&str>,
    cache: &DerivedKeyCache,
) -> Result<Tc3Signed, Error> {
    let mut s = prepare(req, token)?;
    let key = signing_key(cache, secret_key, &s.date, req.effective_service());
    s.signature = hex::encode(crypto::hmac_sha256(
        key.as_bytes(),
        s.string_to_sign.as_bytes(),
    ));
    s.authorization = String::with_capacity(AUTHORIZATION_CAPACITY);
    put_authorization(
        &mut s.authorization,
        secret_id,
        &s.credential_scope,
        &s.signed_headers,
        &s.signature,
    );
    s.headers
        .push(("Authorization".into(), s.authorization.clone()));
    Ok(s)
}

/// Room for a typical `Authorization` value without growing the string.
const AUTHORIZATION_CAPACITY: usize = 192;

/// Only the `Authorization` value, appended to `out`: the fast path for a client that sends many
/// requests. Nothing but `out` is allocated (and nothing at all when `out` has room): the canonical
/// request and the string to sign are streamed into SHA-256 and HMAC instead of being built.
///
/// The headers the caller sends besides `Authorization` are the request's own: `Host`,
/// `Content-Type`, `X-TC-Action`, `X-TC-Version`, `X-TC-Timestamp` (`req.timestamp`), `X-TC-Region`
/// when set, `X-TC-Token` for temporary credentials (never signed) and, in unsigned-payload mode,
/// `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` (see [`Tc3Request`]). The signature is byte-identical
/// to [`sign_with_cache`]'s.
///
/// ```
/// use credchain::sign::{tc3, DerivedKeyCache, Payload};
/// let mut req = tc3::Tc3Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", 1551113065);
/// req.payload = Payload::Bytes(br#"{"Limit": 1}"#.to_vec());
/// let cache = DerivedKeyCache::new(4);
/// let mut auth = String::new();
/// tc3::write_authorization(&req, "id", "key", &cache, &mut auth).unwrap();
/// assert_eq!(auth, tc3::sign_with_cache(&req, "id", "key", None, &cache).unwrap().authorization);
/// ```
pub fn write_authorization(
    req: &Tc3Request,
    secret_id: &str,
    secret_key: &str,
    cache: &DerivedKeyCache,
    out: &mut String,
) -> Result<(), Error> {
    let start = out.len();
    out.push_str("TC3-HMAC-SHA256 Credential=");
    out.push_str(secret_id);
    out.push('/');
    let scope_start = out.len();
    crate::time::write_date(out, req.timestamp)?;
    let date_end = out.len();
    let service = req.effective_service();
    out.push('/');
    out.push_str(service);
    out.push_str("/tc3_request");
    let scope_end = out.len();

    let mut ts = itoa::Buffer::new();
    let ts = ts.format(req.timestamp);
    let mut payload_hex = [0u8; 64];
    let payload_hash = payload_hash(&req.payload, &mut payload_hex);
    // Gathered in stack buffers and hashed at once: many small updates each pay the hash's own
    // buffering.
    let mut hashed = Sha256::default();
    let mut buffered = BufferedHashing::<_, 1024>::new(&mut hashed);
    with_signed_names(req, |names| {
        write_canonical_request(&mut buffered, req, None, ts, payload_hash, names)
    })??;
    buffered.flush();
    let hashed_request = hashed.finalize();

    let key = signing_key(cache, secret_key, &out[scope_start..date_end], service);
    let mut mac = crypto::hmac_sha256_state(key.as_bytes());
    let mut buffered = BufferedHashing::<_, 256>::new(&mut mac);
    write_string_to_sign(
        &mut buffered,
        ts,
        &out[scope_start..scope_end],
        &hashed_request,
    );
    buffered.flush();
    let signature = mac.finalize().into_bytes();

    out.push_str(", SignedHeaders=");
    with_signed_names(req, |names| put_joined(out, names))?;
    out.push_str(", Signature=");
    put_hex(out, &signature);
    debug_assert!(out[start..].starts_with("TC3-HMAC-SHA256 "));
    Ok(())
}

/// [`write_authorization`] into a new string.
///
/// ```
/// use credchain::sign::{tc3, DerivedKeyCache};
/// let req = tc3::Tc3Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", 1551113065);
/// let auth = tc3::authorization(&req, "id", "key", DerivedKeyCache::global()).unwrap();
/// assert!(auth.starts_with("TC3-HMAC-SHA256 Credential=id/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature="));
/// ```
pub fn authorization(
    req: &Tc3Request,
    secret_id: &str,
    secret_key: &str,
    cache: &DerivedKeyCache,
) -> Result<String, Error> {
    let mut out = String::with_capacity(AUTHORIZATION_CAPACITY);
    write_authorization(req, secret_id, secret_key, cache, &mut out)?;
    Ok(out)
}

/// `kSigning` for (secret, date, service), from the cache or derived.
fn signing_key(cache: &DerivedKeyCache, secret_key: &str, date: &str, service: &str) -> DerivedKey {
    cache.get_or_derive("tc3", secret_key, &[date, service], || {
        derive_keys(secret_key, date, service).secret_signing
    })
}

fn put_authorization(
    out: &mut String,
    secret_id: &str,
    credential_scope: &str,
    signed_headers: &str,
    signature: &str,
) {
    for part in [
        "TC3-HMAC-SHA256 Credential=",
        secret_id,
        "/",
        credential_scope,
        ", SignedHeaders=",
        signed_headers,
        ", Signature=",
        signature,
    ] {
        out.push_str(part);
    }
}

/// `Authorization: SKIP` mode (e.g. `AssumeRoleWithWebIdentity`): the same headers, no signature
/// and never a token.
///
/// ```
/// use credchain::sign::tc3;
/// let req = tc3::Tc3Request::new("sts.tencentcloudapi.com", "AssumeRoleWithWebIdentity", "2018-08-13", 1551113065);
/// let s = tc3::skip_sign(&req).unwrap();
/// assert_eq!(s.authorization, "SKIP");
/// assert!(!s.headers.iter().any(|(k, _)| k == "X-TC-Token"));
/// ```
pub fn skip_sign(req: &Tc3Request) -> Result<Tc3Signed, Error> {
    let mut s = prepare(req, None)?;
    s.authorization = "SKIP".into();
    s.headers.push(("Authorization".into(), "SKIP".into()));
    Ok(s)
}

/// The payload hash as lowercase hex: the given hash, the unsigned-payload constant, or the
/// SHA-256 of the body written into `buf`.
fn payload_hash<'a>(payload: &'a Payload, buf: &'a mut [u8; 64]) -> &'a str {
    match payload {
        Payload::Hash(h) => h,
        Payload::Unsigned => UNSIGNED_PAYLOAD_HASH,
        p => {
            let digest = crypto::sha256(p.bytes());
            match hex::encode_to_slice(digest, buf) {
                Ok(()) => std::str::from_utf8(buf).unwrap_or_default(),
                Err(_) => "",
            }
        }
    }
}

/// The headers the signer generates, in the order they are sent; a header of the same name in
/// [`Tc3Request::headers`] replaces one of these.
fn generated_headers<'a>(
    req: &'a Tc3Request,
    token: Option<&'a str>,
    ts: &'a str,
) -> impl Iterator<Item = (&'static str, &'a str)> {
    [
        Some(("Host", req.host.as_str())),
        Some(("Content-Type", req.content_type.as_str())),
        Some(("X-TC-Action", req.action.as_str())),
        Some(("X-TC-Version", req.version.as_str())),
        Some(("X-TC-Timestamp", ts)),
        (!req.region.is_empty()).then_some(("X-TC-Region", req.region.as_str())),
        token.filter(|t| !t.is_empty()).map(|t| ("X-TC-Token", t)),
        (req.payload == Payload::Unsigned).then_some(("X-TC-Content-SHA256", "UNSIGNED-PAYLOAD")),
    ]
    .into_iter()
    .flatten()
}

/// The value sent for header `name`: the caller's, else the generated one.
fn header_value<'a>(
    req: &'a Tc3Request,
    token: Option<&'a str>,
    ts: &'a str,
    name: &str,
) -> Option<&'a str> {
    super::find_header(&req.headers, name).or_else(|| {
        generated_headers(req, token, ts)
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// The signed header names, lower-cased, sorted and unique: `content-type`, `host` and
/// [`Tc3Request::extra_signed_headers`] (allocates only when there are extra names).
fn with_signed_names<R>(req: &Tc3Request, f: impl FnOnce(&[&str]) -> R) -> Result<R, Error> {
    const DEFAULT: [&str; 2] = ["content-type", "host"];
    if req.extra_signed_headers.is_empty() {
        return Ok(f(&DEFAULT));
    }
    let mut names: Vec<String> = DEFAULT.iter().map(|n| n.to_string()).collect();
    for n in &req.extra_signed_headers {
        let n = n.trim().to_ascii_lowercase();
        if n == "x-tc-token" || n == "authorization" {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                format!("the {n} header must not be signed in TC3"),
            ));
        }
        names.push(n);
    }
    names.sort_unstable();
    names.dedup();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(f(&refs))
}

fn put_joined(out: &mut dyn Sink, names: &[&str]) {
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.put(";");
        }
        out.put(n);
    }
}

/// `name:value\n` for each signed header, values trimmed and lower-cased.
fn write_canonical_headers(
    out: &mut dyn Sink,
    req: &Tc3Request,
    token: Option<&str>,
    ts: &str,
    names: &[&str],
) -> Result<(), Error> {
    for n in names {
        let value = header_value(req, token, ts, n).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidConfig,
                format!("cannot sign header {n}: it is not in the request"),
            )
        })?;
        out.put(n);
        out.put(":");
        put_lowercase(out, value.trim());
        out.put("\n");
    }
    Ok(())
}

/// `METHOD\n/\nquery\nheaders\nsigned\npayload-hash`.
fn write_canonical_request(
    out: &mut dyn Sink,
    req: &Tc3Request,
    token: Option<&str>,
    ts: &str,
    payload_hash: &str,
    names: &[&str],
) -> Result<(), Error> {
    out.put(&req.method);
    out.put("\n/\n");
    write_pairs(out, req.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    out.put("\n");
    write_canonical_headers(out, req, token, ts, names)?;
    out.put("\n");
    put_joined(out, names);
    out.put("\n");
    out.put(payload_hash);
    Ok(())
}

/// `TC3-HMAC-SHA256\n<ts>\n<scope>\n<hex hash of the canonical request>`.
fn write_string_to_sign(out: &mut dyn Sink, ts: &str, scope: &str, hashed_request: &[u8]) {
    out.put("TC3-HMAC-SHA256\n");
    out.put(ts);
    out.put("\n");
    out.put(scope);
    out.put("\n");
    put_hex(out, hashed_request);
}

/// Everything up to the string to sign, plus the headers to send (without `Authorization`).
fn prepare(req: &Tc3Request, token: Option<&str>) -> Result<Tc3Signed, Error> {
    let date = super::format_date(req.timestamp)?;
    let service = req.effective_service();
    let mut payload_hex = [0u8; 64];
    let hashed_request_payload = payload_hash(&req.payload, &mut payload_hex).to_string();
    let mut ts = itoa::Buffer::new();
    let ts = ts.format(req.timestamp);

    let mut headers: Vec<(String, String)> = Vec::with_capacity(10 + req.headers.len());
    headers.extend(
        generated_headers(req, token, ts)
            .filter(|(name, _)| !super::has_header(&req.headers, name))
            .map(|(n, v)| (n.to_string(), v.to_string())),
    );
    headers.extend(req.headers.iter().cloned());

    let (canonical_headers, signed_headers) = with_signed_names(req, |names| {
        let mut canonical = String::new();
        write_canonical_headers(&mut canonical, req, token, ts, names)?;
        let mut signed = String::new();
        put_joined(&mut signed, names);
        Ok::<_, Error>((canonical, signed))
    })??;
    let canonical_query_string = encode_query(&req.query);
    let mut canonical_request = String::with_capacity(256);
    with_signed_names(req, |names| {
        write_canonical_request(
            &mut canonical_request,
            req,
            token,
            ts,
            &hashed_request_payload,
            names,
        )
    })??;
    let hashed = crypto::sha256(canonical_request.as_bytes());
    let hashed_canonical_request = hex::encode(hashed);
    let credential_scope = format!("{date}/{service}/tc3_request");
    let mut string_to_sign = String::with_capacity(128);
    write_string_to_sign(&mut string_to_sign, ts, &credential_scope, &hashed);
    Ok(Tc3Signed {
        canonical_query_string,
        hashed_request_payload,
        canonical_headers,
        signed_headers,
        canonical_request,
        hashed_canonical_request,
        date,
        credential_scope,
        string_to_sign,
        signature: String::new(),
        authorization: String::new(),
        headers,
    })
}
