//! Tencent Cloud signature v1 (`HmacSHA1` / `HmacSHA256`), also used by the legacy API 2.0
//! (`cvm.api.qcloud.com/v2/index.php`).
//!
//! ```text
//! RequestString = k=v for every parameter (raw, NOT URL-encoded values), sorted by name, joined by &
//! StringToSign  = METHOD + host + path + "?" + RequestString
//! Signature     = Base64(HMAC-SHA1 or HMAC-SHA256(SecretKey, StringToSign))   (then URL-encoded)
//! ```
//!
//! Prefer [`super::tc3`]: v1 has a request-size limit.
//!
//! ```
//! use credchain::sign::tc_v1::{self, TcV1Method};
//! let s = tc_v1::sign_parameters("GET", "cvm.tencentcloudapi.com", "/", &[("Action".into(), "DescribeInstances".into())], "key", TcV1Method::HmacSha1);
//! assert_eq!(s.string_to_sign, "GETcvm.tencentcloudapi.com/?Action=DescribeInstances");
//! ```

use std::fmt;

use base64::Engine as _;
use hmac::Mac;

use super::borrowed_pairs::{with_sorted_by, Pair};
use super::crypto;
use super::encode::{encode_param, encode_query};
use super::sink::{Hashing, Sink};
use super::{Len, RedactedPairs};
use crate::credentials::{Credentials, REDACTED};
use crate::error::{Error, ErrorKind};

/// The v1 MAC.
///
/// ```
/// use credchain::sign::tc_v1::TcV1Method;
/// assert_eq!(TcV1Method::HmacSha256.as_str(), "HmacSHA256");
/// assert_eq!(TcV1Method::default(), TcV1Method::HmacSha1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TcV1Method {
    /// `HmacSHA1` (the default; no `SignatureMethod` parameter is sent).
    #[default]
    HmacSha1,
    /// `HmacSHA256` (`SignatureMethod=HmacSHA256` is sent and signed).
    HmacSha256,
}

impl TcV1Method {
    /// The `SignatureMethod` value.
    ///
    /// ```
    /// assert_eq!(credchain::sign::tc_v1::TcV1Method::HmacSha1.as_str(), "HmacSHA1");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            TcV1Method::HmacSha1 => "HmacSHA1",
            TcV1Method::HmacSha256 => "HmacSHA256",
        }
    }
}

/// A v1 request to sign. The signer adds `SecretId`, `Timestamp`, `Nonce`, `SignatureMethod`
/// (HmacSHA256 only) and `Token` (temporary credentials), then `Signature`.
///
/// ```
/// use credchain::sign::tc_v1::TcV1Request;
/// let r = TcV1Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", "ap-guangzhou", 1465185768, 11886);
/// assert_eq!(r.path, "/");
/// assert_eq!(r.params.len(), 3);
/// ```
#[derive(Clone, Default)]
pub struct TcV1Request {
    /// `GET` (parameters in the query) or `POST` (form body); signed as given.
    pub method: String,
    /// Host, e.g. `cvm.tencentcloudapi.com`.
    pub host: String,
    /// Path, `/` for API 3.0 (`/v2/index.php` for API 2.0).
    pub path: String,
    /// Request parameters (`Action`, `Version`, `Region`, API parameters).
    pub params: Vec<(String, String)>,
    /// HmacSHA1 or HmacSHA256.
    pub signature_method: TcV1Method,
    /// `Timestamp`, Unix seconds.
    pub timestamp: i64,
    /// `Nonce`, a random positive integer (see [`super::new_numeric_nonce`]).
    pub nonce: u64,
}

impl TcV1Request {
    /// A `GET /` request with `Action`, `Version` and `Region` (when non-empty) parameters.
    ///
    /// ```
    /// use credchain::sign::tc_v1::TcV1Request;
    /// let r = TcV1Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", "", 1, 2);
    /// assert_eq!(r.params.len(), 2);
    /// ```
    pub fn new(
        host: impl Into<String>,
        action: impl Into<String>,
        version: impl Into<String>,
        region: impl Into<String>,
        timestamp: i64,
        nonce: u64,
    ) -> Self {
        let mut params = vec![
            ("Action".to_string(), action.into()),
            ("Version".to_string(), version.into()),
        ];
        let region = region.into();
        if !region.is_empty() {
            params.push(("Region".into(), region));
        }
        TcV1Request {
            method: "GET".into(),
            host: host.into(),
            path: "/".into(),
            params,
            signature_method: TcV1Method::HmacSha1,
            timestamp,
            nonce,
        }
    }
}

impl fmt::Debug for TcV1Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcV1Request")
            .field("method", &self.method)
            .field("host", &self.host)
            .field("path", &self.path)
            .field("params", &RedactedPairs(&self.params))
            .field("signature_method", &self.signature_method)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .finish()
    }
}

/// The result of v1 signing. `Debug` redacts the signature and the token.
///
/// ```
/// use credchain::sign::tc_v1::{self, TcV1Request};
/// let r = TcV1Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", "ap-guangzhou", 1465185768, 11886);
/// let s = tc_v1::sign_with_key(&r, "id", "key", None);
/// assert!(s.encoded_params.ends_with(&format!("Signature={}", s.signature_url_encoded)));
/// assert!(!format!("{s:?}").contains(&s.signature));
/// ```
#[derive(Clone, Default)]
pub struct TcV1Signed {
    /// Sorted raw `k=v` pairs joined by `&`.
    pub request_string: String,
    /// `METHOD + host + path + "?" + request_string`.
    pub string_to_sign: String,
    /// Base64 signature.
    pub signature: String,
    /// RFC 3986-encoded signature (as it appears in the query or form).
    pub signature_url_encoded: String,
    /// Every parameter to send, `Signature` last.
    pub params: Vec<(String, String)>,
    /// [`TcV1Signed::params`] encoded: the query string (GET) or form body (POST).
    pub encoded_params: String,
}

impl fmt::Debug for TcV1Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcV1Signed")
            .field("request_string", &Len(self.request_string.len()))
            .field("signature", &REDACTED)
            .field("params", &RedactedPairs(&self.params))
            .finish()
    }
}

/// Signs with a credential snapshot (a token is sent and signed as `Token`).
///
/// ```
/// use credchain::Credentials;
/// use credchain::sign::tc_v1::{self, TcV1Request};
/// let r = TcV1Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", "ap-guangzhou", 1465185768, 11886);
/// let c = Credentials::builder("id", "key").security_token("t").build();
/// assert!(tc_v1::sign(&r, &c).unwrap().request_string.contains("&Token=t"));
/// ```
pub fn sign(req: &TcV1Request, creds: &Credentials) -> Result<TcV1Signed, Error> {
    super::tc3::check_credentials(creds)?;
    Ok(sign_with_key(
        req,
        creds.secret_id(),
        creds.secret_key(),
        creds.token(),
    ))
}

/// Signs with raw key strings.
///
/// ```
/// use credchain::sign::tc_v1::{self, TcV1Request};
/// let mut r = TcV1Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", "ap-guangzhou", 1465185768, 11886);
/// r.params.extend([("InstanceIds.0".into(), "ins-09dx96dg".into()), ("Limit".into(), "20".into()), ("Offset".into(), "0".into())]);
/// let s = tc_v1::sign_with_key(&r, "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", "Gu5t9xGARNpq86cd98joQYCN3*******", None);
/// assert_eq!(s.signature, "zmmjn35mikh6pM3V7sUEuX4wyYM=");
/// ```
pub fn sign_with_key(
    req: &TcV1Request,
    secret_id: &str,
    secret_key: &str,
    token: Option<&str>,
) -> TcV1Signed {
    let mut params = req.params.clone();
    params.push(("SecretId".into(), secret_id.into()));
    params.push(("Timestamp".into(), req.timestamp.to_string()));
    params.push(("Nonce".into(), req.nonce.to_string()));
    if req.signature_method == TcV1Method::HmacSha256 {
        params.push(("SignatureMethod".into(), "HmacSHA256".into()));
    }
    if let Some(t) = token.filter(|t| !t.is_empty()) {
        params.push(("Token".into(), t.into()));
    }
    sign_parameters(
        &req.method,
        &req.host,
        &req.path,
        &params,
        secret_key,
        req.signature_method,
    )
}

/// Only the Base64 `Signature` value (not URL-encoded), appended to `out`: the fast path for a
/// client that sends many requests. Nothing but `out` is allocated (nothing at all when `out` has
/// room and there are at most 16 parameters): the parameters the signer adds are formatted on the
/// stack, sorted with the request's as borrowed pairs, and the string to sign is streamed into the
/// HMAC. Equal to [`sign_with_key`]'s `signature`.
///
/// The parameters the caller sends besides `Signature` are the request's plus `SecretId`,
/// `Timestamp`, `Nonce`, `SignatureMethod` (HmacSHA256 only) and `Token` (when non-empty).
///
/// ```
/// use credchain::sign::tc_v1::{self, TcV1Request};
/// let r = TcV1Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", "ap-guangzhou", 1465185768, 11886);
/// let mut sig = String::new();
/// tc_v1::write_signature(&r, "id", "key", Some("tok"), &mut sig);
/// assert_eq!(sig, tc_v1::sign_with_key(&r, "id", "key", Some("tok")).signature);
/// ```
pub fn write_signature(
    req: &TcV1Request,
    secret_id: &str,
    secret_key: &str,
    token: Option<&str>,
    out: &mut String,
) {
    let mut timestamp = itoa::Buffer::new();
    let mut nonce = itoa::Buffer::new();
    let added = [
        Some(("SecretId", secret_id)),
        Some(("Timestamp", timestamp.format(req.timestamp))),
        Some(("Nonce", nonce.format(req.nonce))),
        (req.signature_method == TcV1Method::HmacSha256)
            .then_some(("SignatureMethod", "HmacSHA256")),
        token.filter(|t| !t.is_empty()).map(|t| ("Token", t)),
    ];
    let pairs = req
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(added.into_iter().flatten());
    with_sorted_params(pairs, |sorted| {
        let (method, host, path) = (&req.method, &req.host, &req.path);
        let key = secret_key.as_bytes();
        match req.signature_method {
            TcV1Method::HmacSha1 => {
                let mut mac = Hashing(crypto::hmac_sha1_state(key));
                put_string_to_sign(&mut mac, method, host, path, sorted);
                put_base64(out, &mac.0.finalize().into_bytes());
            }
            TcV1Method::HmacSha256 => {
                let mut mac = Hashing(crypto::hmac_sha256_state(key));
                put_string_to_sign(&mut mac, method, host, path, sorted);
                put_base64(out, &mac.0.finalize().into_bytes());
            }
        }
    });
}

/// [`write_signature`] into a new string.
///
/// ```
/// use credchain::sign::tc_v1::{self, TcV1Request};
/// let mut r = TcV1Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", "ap-guangzhou", 1465185768, 11886);
/// r.params.extend([("InstanceIds.0".into(), "ins-09dx96dg".into()), ("Limit".into(), "20".into()), ("Offset".into(), "0".into())]);
/// assert_eq!(tc_v1::signature(&r, "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", "Gu5t9xGARNpq86cd98joQYCN3*******", None), "zmmjn35mikh6pM3V7sUEuX4wyYM=");
/// ```
pub fn signature(
    req: &TcV1Request,
    secret_id: &str,
    secret_key: &str,
    token: Option<&str>,
) -> String {
    let mut out = String::with_capacity(SIGNATURE_CAPACITY);
    write_signature(req, secret_id, secret_key, token, &mut out);
    out
}

/// Length of a Base64 HMAC-SHA256 (an HMAC-SHA1 is shorter).
const SIGNATURE_CAPACITY: usize = 44;

fn put_base64(out: &mut String, mac: &[u8]) {
    base64::engine::general_purpose::STANDARD.encode_string(mac, out);
}

/// The pairs signed, `Signature` left out, sorted stably by name bytes.
fn with_sorted_params<'a, R>(
    pairs: impl Iterator<Item = Pair<'a>>,
    f: impl FnOnce(&[Pair<'a>]) -> R,
) -> R {
    with_sorted_by(
        pairs.filter(|(k, _)| *k != "Signature"),
        |a, b| a.0.as_bytes().cmp(b.0.as_bytes()),
        |sorted| f(sorted),
    )
}

/// `METHOD + host + path + "?" + RequestString` (raw `k=v` joined by `&`).
fn put_string_to_sign(
    out: &mut dyn Sink,
    method: &str,
    host: &str,
    path: &str,
    sorted: &[Pair<'_>],
) {
    for part in [method, host, path, "?"] {
        out.put(part);
    }
    for (i, (k, v)) in sorted.iter().enumerate() {
        if i > 0 {
            out.put("&");
        }
        out.put(k);
        out.put("=");
        out.put(v);
    }
}

/// Signs exactly the given parameters (nothing added; a `Signature` parameter is ignored).
///
/// ```
/// use credchain::sign::tc_v1::{self, TcV1Method};
/// let p: Vec<(String, String)> = [
///     ("Action", "DescribeInstances"), ("InstanceIds.0", "ins-09dx96dg"), ("Nonce", "11886"),
///     ("Region", "ap-guangzhou"), ("SecretId", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA"),
///     ("Timestamp", "1465185768"), ("SignatureMethod", "HmacSHA256"),
/// ].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
/// let s = tc_v1::sign_parameters("GET", "cvm.api.qcloud.com", "/v2/index.php", &p,
///     "Gu5t9xGARNpq86cd98joQYCN3Cozk1qA", TcV1Method::HmacSha256);
/// assert_eq!(s.signature, "0EEm/HtGRr/VJXTAD9tYMth1Bzm3lLHz5RCDv1GdM8s=");
/// ```
pub fn sign_parameters(
    method: &str,
    host: &str,
    path: &str,
    params: &[(String, String)],
    secret_key: &str,
    signature_method: TcV1Method,
) -> TcV1Signed {
    let pairs = params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let (string_to_sign, out_params) = with_sorted_params(pairs, |sorted| {
        let mut text = String::with_capacity(256);
        put_string_to_sign(&mut text, method, host, path, sorted);
        let owned: Vec<(String, String)> = sorted
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        (text, owned)
    });
    let request_start = method.len() + host.len() + path.len() + 1;
    let request_string = string_to_sign[request_start..].to_string();
    let signature = match signature_method {
        TcV1Method::HmacSha1 => {
            crypto::hmac_sha1_base64(secret_key.as_bytes(), string_to_sign.as_bytes())
        }
        TcV1Method::HmacSha256 => {
            crypto::hmac_sha256_base64(secret_key.as_bytes(), string_to_sign.as_bytes())
        }
    };
    let mut out_params = out_params;
    out_params.push(("Signature".into(), signature.clone()));
    TcV1Signed {
        request_string,
        string_to_sign,
        signature_url_encoded: encode_param(&signature),
        encoded_params: encode_query(&out_params),
        signature,
        params: out_params,
    }
}

/// Parses a `SignatureMethod` value; anything but `HmacSHA256` is rejected (rather than silently
/// treated as SHA-1, as the Go SDK does).
///
/// ```
/// use credchain::sign::tc_v1::{parse_method, TcV1Method};
/// assert_eq!(parse_method("HmacSHA256").unwrap(), TcV1Method::HmacSha256);
/// assert!(parse_method("md5").is_err());
/// ```
pub fn parse_method(s: &str) -> Result<TcV1Method, Error> {
    match s {
        "HmacSHA1" | "" => Ok(TcV1Method::HmacSha1),
        "HmacSHA256" => Ok(TcV1Method::HmacSha256),
        other => Err(Error::new(
            ErrorKind::InvalidConfig,
            format!("unknown Tencent signature method {other:?}; use HmacSHA1 or HmacSHA256"),
        )),
    }
}
