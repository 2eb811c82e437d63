//! Tencent Cloud COS presigned URLs: the [`super::cos`] signature carried in the query string.
//!
//! The URL equals, byte for byte, cos-python-sdk-v5's `CosS3Client.get_presigned_url` for the same
//! inputs and clock (temporary credentials: with the token passed as the `x-cos-security-token`
//! parameter, as the COS documentation directs):
//!
//! ```text
//! https://<bucket-appid>.cos.<region>.myqcloud.com/<key>?q-sign-algorithm=sha1&q-ak=<id>
//!     &q-sign-time=<start>%3B<end>&q-key-time=<start>%3B<end>&q-header-list=host
//!     &q-url-param-list=<names>&q-signature=<hex>[&<params>][&x-cos-security-token=<token>]
//! ```
//!
//! - Path: one leading `/` of the key dropped, every byte but `A–Z a–z 0–9 - _ . ~ /` percent-encoded,
//!   then `./` written `.%2F` (so no `.`/`..` segment is normalised away by a client).
//! - Query values are form-encoded (`application/x-www-form-urlencoded`: space `+`, `/` `%2F`,
//!   `;` `%3B`); the HttpString, as always, uses `%20`.
//! - The window starts 60 s before the signing time and ends `expires` seconds after it.
//! - `host` is signed: for a virtual-hosted URL the host name without port, as the SDK takes it; for
//!   a path-style URL (an IP or `localhost` endpoint, e.g. an emulator) the `host:port` a client
//!   sends in `Host`.
//! - The HttpURI is `/` + the raw key (virtual-hosted, as the SDK); a path-style URL signs its
//!   request path, decoded: `/<bucket-appid>/<key>`.
//! - Extra parameters are signed and appended; extra headers are signed when COS signs that header
//!   ([`super::cos::is_signed_header`]) and must then be sent unchanged.
//!
//! [`presign_with_key`] returns the URL with every signing step; [`write_url`] only the URL, built
//! in one buffer (the fast path). Both give the same bytes.
//!
//! ```
//! use credchain::sign::cos_presign::{self, CosPresignRequest};
//! let req = CosPresignRequest::new("GET", "examplebucket-1250000000", "object.txt", "ap-guangzhou", 1735732800);
//! let p = cos_presign::presign_with_key(&req, "AKIDExampleSecretId0123456789abcdef", "ExampleSecretKey0123456789abcdef", None).unwrap();
//! assert_eq!(p.url, "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/object.txt?q-sign-algorithm=sha1&q-ak=AKIDExampleSecretId0123456789abcdef&q-sign-time=1735732740%3B1735736400&q-key-time=1735732740%3B1735736400&q-header-list=host&q-url-param-list=&q-signature=7b43b9b583ba8555ef2d93340f77a294d6f62e51");
//! ```

use std::fmt;

use super::cos::{self, CosSigned, KeyTime, Signing};
use super::cos_lists::{put_names, Pair};
use super::encode::{encode_into, is_unreserved};
use super::object_endpoint::{check_bucket, check_key, check_method, check_region, ObjectEndpoint};
use super::sink::Sink;
use super::{Len, RedactedPairs};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};

/// The default validity, one hour.
pub const DEFAULT_EXPIRES: u64 = 3600;

/// The URL parameter carrying a temporary credential's token.
pub const TOKEN_PARAM: &str = "x-cos-security-token";

/// An object URL to presign.
///
/// ```
/// let r = credchain::sign::cos_presign::CosPresignRequest::new("PUT", "b-1250000000", "k", "ap-beijing", 0);
/// assert_eq!(r.endpoint().host("b-1250000000"), "b-1250000000.cos.ap-beijing.myqcloud.com");
/// ```
#[derive(Clone, Default)]
pub struct CosPresignRequest {
    /// HTTP method the URL is for.
    pub method: String,
    /// Bucket name with its APPID suffix, `examplebucket-1250000000`.
    pub bucket: String,
    /// Object key, raw.
    pub key: String,
    /// Region id, e.g. `ap-guangzhou` (the default host).
    pub region: String,
    /// Where the bucket is reached; `None` means `https://<bucket>.cos.<region>.myqcloud.com`.
    pub endpoint_override: Option<ObjectEndpoint>,
    /// Validity in seconds.
    pub expires: u64,
    /// Signing time, Unix seconds.
    pub timestamp: i64,
    /// Headers the client will send; the COS-signable ones are signed.
    pub headers: Vec<(String, String)>,
    /// Extra URL parameters, signed and appended in this order.
    pub params: Vec<(String, String)>,
    /// Sign the host (default on, as the SDK).
    pub sign_host: bool,
}

impl CosPresignRequest {
    /// A request with the default endpoint, one hour validity, host signed.
    ///
    /// ```
    /// let r = credchain::sign::cos_presign::CosPresignRequest::new("GET", "b-1", "k", "ap-guangzhou", 5);
    /// assert_eq!((r.expires, r.sign_host), (3600, true));
    /// ```
    pub fn new(
        method: impl Into<String>,
        bucket: impl Into<String>,
        key: impl Into<String>,
        region: impl Into<String>,
        timestamp: i64,
    ) -> Self {
        CosPresignRequest {
            method: method.into(),
            bucket: bucket.into(),
            key: key.into(),
            region: region.into(),
            expires: DEFAULT_EXPIRES,
            timestamp,
            sign_host: true,
            ..CosPresignRequest::default()
        }
    }

    /// The endpoint used: the override, else `https://cos.<region>.myqcloud.com` virtual-hosted.
    ///
    /// ```
    /// let r = credchain::sign::cos_presign::CosPresignRequest::new("GET", "b-1", "k", "ap-guangzhou", 5);
    /// assert_eq!(r.endpoint().base_url("b-1"), "https://b-1.cos.ap-guangzhou.myqcloud.com/");
    /// ```
    pub fn endpoint(&self) -> ObjectEndpoint {
        match &self.endpoint_override {
            Some(e) => e.clone(),
            None => ObjectEndpoint::https(format!("cos.{}.myqcloud.com", self.region)),
        }
    }

    /// Appends the URL up to the key, as [`ObjectEndpoint::base_url`] of [`Self::endpoint`]
    /// (without building the default endpoint).
    fn write_base_url(&self, out: &mut String) {
        let bucket = self.bucket.as_str();
        let parts: [&str; 6] = match &self.endpoint_override {
            None => [
                "https://",
                bucket,
                ".cos.",
                &self.region,
                ".myqcloud.com/",
                "",
            ],
            Some(ObjectEndpoint::VirtualHosted { scheme, host }) => {
                [scheme, "://", bucket, ".", host, "/"]
            }
            Some(ObjectEndpoint::PathStyle { scheme, authority }) => {
                [scheme, "://", authority, "/", bucket, "/"]
            }
        };
        for part in parts {
            out.push_str(part);
        }
    }

    /// The URL path after the base: the key without one leading `/`, encoded, `./` as `.%2F`.
    ///
    /// ```
    /// let mut r = credchain::sign::cos_presign::CosPresignRequest::new("GET", "b-1", "/a b/./c", "r", 0);
    /// assert_eq!(r.url_path(), "a%20b/.%2Fc");
    /// ```
    pub fn url_path(&self) -> String {
        let mut out = String::with_capacity(self.key.len() + self.key.len() / 2);
        self.write_url_path(&mut out);
        out
    }

    /// Appends [`Self::url_path`] to `out` (the presigned URL is built in one buffer).
    fn write_url_path(&self, out: &mut String) {
        let key = self.key.strip_prefix('/').unwrap_or(&self.key);
        let start = out.len();
        encode_into(out, key.as_bytes(), true);
        // Rare: only keys with a `./` pay for the second pass.
        if out[start..].contains("./") {
            let fixed = out[start..].replace("./", ".%2F");
            out.truncate(start);
            out.push_str(&fixed);
        }
    }

    fn validate(&self) -> Result<(), Error> {
        check_bucket(&self.bucket, "COS")?;
        check_key(&self.key, "COS")?;
        if self.endpoint_override.is_none() {
            check_region(&self.region, "COS")?;
        }
        check_method(&self.method)?;
        if self.expires == 0 || i64::try_from(self.expires).is_err() {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                format!("COS presign expiry {} s is not valid", self.expires),
            )
            .with_hint("pass a positive --expires"));
        }
        Ok(())
    }

    /// The signed HttpURI in parts: `/` + the key as given (virtual-hosted, as the SDK), or
    /// `/bucket/key` for a path-style URL, whose request path names the bucket.
    fn http_uri_parts(&self) -> [&str; 4] {
        let key = self.key.as_str();
        match &self.endpoint_override {
            Some(ObjectEndpoint::PathStyle { .. }) => {
                ["/", &self.bucket, "/", key.strip_prefix('/').unwrap_or(key)]
            }
            _ => [if key.starts_with('/') { "" } else { "/" }, key, "", ""],
        }
    }

    /// Calls `f` with the `host` value signed (see the module documentation): for a
    /// virtual-hosted URL assembled, lower-cased and stripped of its port on the stack (heap only
    /// past 256 bytes).
    fn with_signed_host<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let parts: [&str; 4] = match &self.endpoint_override {
            None => [&self.bucket, ".cos.", &self.region, ".myqcloud.com"],
            Some(ObjectEndpoint::VirtualHosted { host, .. }) => [&self.bucket, ".", host, ""],
            Some(ObjectEndpoint::PathStyle { authority, .. }) => return f(authority),
        };
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let mut stack = [0u8; 256];
        let mut heap = Vec::new();
        let host: &mut [u8] = if len <= stack.len() {
            &mut stack[..len]
        } else {
            heap.resize(len, 0);
            &mut heap
        };
        let mut at = 0;
        for part in parts {
            host[at..at + part.len()].copy_from_slice(part.as_bytes());
            at += part.len();
        }
        host.make_ascii_lowercase();
        // Whole `str`s, ASCII-lower-cased: still UTF-8.
        f(strip_port(std::str::from_utf8(host).unwrap_or_default()))
    }

    /// The URL parameters, signed and appended in this order: [`Self::params`] (a caller's
    /// token parameter dropped), then the token.
    fn url_params<'a>(&'a self, token: Option<&'a str>) -> impl Iterator<Item = Pair<'a>> {
        self.params
            .iter()
            .filter(|(k, _)| k != TOKEN_PARAM)
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(token.map(|t| (TOKEN_PARAM, t)))
    }

    /// Room for the whole URL, so it is rarely reallocated.
    fn url_capacity(&self, secret_id: &str, token: Option<&str>) -> usize {
        let endpoint = match &self.endpoint_override {
            None => self.region.len() + 32,
            Some(ObjectEndpoint::VirtualHosted { host, .. }) => host.len() + 16,
            Some(ObjectEndpoint::PathStyle { authority, .. }) => authority.len() + 16,
        };
        // Names appear twice (list and pair); encoding grows text by half on average.
        let params: usize = self
            .url_params(token)
            .map(|(k, v)| (k.len() * 2 + v.len()) * 3 / 2 + 8)
            .sum();
        self.bucket.len() + endpoint + self.key.len() * 3 / 2 + secret_id.len() + params + 192
    }
}

impl fmt::Debug for CosPresignRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosPresignRequest")
            .field("method", &self.method)
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .field("region", &self.region)
            .field("endpoint_override", &self.endpoint_override)
            .field("expires", &self.expires)
            .field("timestamp", &self.timestamp)
            .field("headers", &RedactedPairs(&self.headers))
            .field("params", &RedactedPairs(&self.params))
            .field("sign_host", &self.sign_host)
            .finish()
    }
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map(|(h, _)| &host[..=h.len()])
            .unwrap_or(host);
    }
    host.rsplit_once(':')
        .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
        .map(|(h, _)| h)
        .unwrap_or(host)
}

/// Appends the form encoding (Python's `quote_plus`) of `input`: RFC 3986 unreserved bytes
/// literal, space `+`, the rest `%XX` upper-case.
fn form_encode_into(out: &mut String, input: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in input.as_bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0x0f) as usize] as char);
        }
    }
}

/// A [`Sink`] that form-encodes what it is given into a URL.
struct FormEncoded<'a>(&'a mut String);

impl Sink for FormEncoded<'_> {
    fn put(&mut self, s: &str) {
        form_encode_into(self.0, s);
    }
}

/// A presigned COS URL and every signing step. `Debug` shows neither the URL nor the signature.
///
/// ```
/// use credchain::sign::cos_presign::{self, CosPresignRequest};
/// let p = cos_presign::presign_with_key(&CosPresignRequest::new("GET", "b-1", "k", "ap-guangzhou", 100), "id", "key", None).unwrap();
/// assert_eq!((p.expires_at, p.signed.key_time.as_str()), (3700, "40;3700"));
/// assert!(!format!("{p:?}").contains(&p.signed.signature));
/// ```
#[derive(Clone, Default)]
pub struct CosPresigned {
    /// The URL to hand out.
    pub url: String,
    /// When the URL stops working, Unix seconds.
    pub expires_at: i64,
    /// The signature steps (HttpString, StringToSign, signature, lists).
    pub signed: CosSigned,
}

impl fmt::Debug for CosPresigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosPresigned")
            .field("url", &Len(self.url.len()))
            .field("expires_at", &self.expires_at)
            .field("signed", &self.signed)
            .finish()
    }
}

/// Presigns with a credential snapshot; temporary credentials add the signed
/// `x-cos-security-token` parameter.
///
/// ```
/// use credchain::Credentials;
/// use credchain::sign::cos_presign::{self, CosPresignRequest};
/// let c = Credentials::builder("id", "key").security_token("a+b").build();
/// let p = cos_presign::presign(&CosPresignRequest::new("GET", "b-1", "k", "ap-guangzhou", 100), &c).unwrap();
/// let tail = format!("&q-url-param-list=x-cos-security-token&q-signature={}&x-cos-security-token=a%2Bb", p.signed.signature);
/// assert!(p.url.ends_with(&tail));
/// ```
pub fn presign(req: &CosPresignRequest, creds: &Credentials) -> Result<CosPresigned, Error> {
    cos::require_key_pair(creds)?;
    presign_with_key(
        req,
        creds.access_key_id(),
        creds.access_key_secret(),
        creds.security_token(),
    )
}

/// Presigns with raw key strings (an empty token counts as none).
///
/// ```
/// use credchain::sign::cos_presign::{self, CosPresignRequest};
/// let mut r = CosPresignRequest::new("GET", "b-1", "k", "ap-guangzhou", 100);
/// r.params = vec![("response-content-type".into(), "text/plain".into())];
/// let p = cos_presign::presign_with_key(&r, "id", "key", None).unwrap();
/// assert_eq!(p.signed.url_param_list, "response-content-type");
/// assert!(p.url.ends_with("&response-content-type=text%2Fplain"));
/// ```
pub fn presign_with_key(
    req: &CosPresignRequest,
    secret_id: &str,
    secret_key: &str,
    security_token: Option<&str>,
) -> Result<CosPresigned, Error> {
    let mut url = String::new();
    let (signed, expires_at) = presign_into(req, secret_id, security_token, &mut url, |what| {
        let signed = what.steps(secret_id, secret_key);
        let signature = signed.signature.clone();
        (signed, signature)
    })?;
    Ok(CosPresigned {
        url,
        expires_at,
        signed,
    })
}

/// Only the presigned URL, appended to `out`: the fast path. Nothing but `out` is allocated
/// (nothing at all when `out` has room, the request has at most 16 parameters and 16 signable
/// headers and the host is at most 256 bytes); the signing text is streamed into SHA-1 and
/// HMAC-SHA1 and each value is encoded straight into the URL. The URL is byte-identical to
/// [`presign_with_key`]'s. On an error `out` is left unchanged.
///
/// ```
/// use credchain::sign::cos_presign::{self, CosPresignRequest};
/// let req = CosPresignRequest::new("GET", "examplebucket-1250000000", "object.txt", "ap-guangzhou", 1735732800);
/// let mut url = String::new();
/// cos_presign::write_url(&req, "AKIDExampleSecretId0123456789abcdef", "ExampleSecretKey0123456789abcdef", None, &mut url).unwrap();
/// assert!(url.ends_with("&q-signature=7b43b9b583ba8555ef2d93340f77a294d6f62e51"));
/// ```
pub fn write_url(
    req: &CosPresignRequest,
    secret_id: &str,
    secret_key: &str,
    security_token: Option<&str>,
    out: &mut String,
) -> Result<(), Error> {
    presign_into(req, secret_id, security_token, out, |what| {
        let mut hex = [0u8; 40];
        // 20 bytes always fit 40 hex digits.
        let _ = hex::encode_to_slice(what.signature(secret_key), &mut hex);
        ((), hex)
    })?;
    Ok(())
}

/// [`write_url`] into a new string.
///
/// ```
/// use credchain::Credentials;
/// use credchain::sign::cos_presign::{self, CosPresignRequest};
/// let req = CosPresignRequest::new("GET", "b-1", "k", "ap-guangzhou", 100);
/// let c = Credentials::builder("id", "key").security_token("tok").build();
/// assert_eq!(cos_presign::url(&req, "id", "key", Some("tok")).unwrap(), cos_presign::presign(&req, &c).unwrap().url);
/// ```
pub fn url(
    req: &CosPresignRequest,
    secret_id: &str,
    secret_key: &str,
    security_token: Option<&str>,
) -> Result<String, Error> {
    let mut out = String::new();
    write_url(req, secret_id, secret_key, security_token, &mut out)?;
    Ok(out)
}

/// Validates, writes the URL into `out` and returns what `sign` made of the signing input (its
/// second value is the hex signature put in the URL) and the expiry time.
fn presign_into<T, H: AsRef<[u8]>>(
    req: &CosPresignRequest,
    secret_id: &str,
    security_token: Option<&str>,
    out: &mut String,
    sign: impl FnOnce(&Signing<'_, '_>) -> (T, H),
) -> Result<(T, i64), Error> {
    req.validate()?;
    let token = security_token.filter(|t| !t.is_empty());
    let expires = i64::try_from(req.expires).unwrap_or(i64::MAX);
    let start = req.timestamp.saturating_sub(cos::START_SKEW_SECONDS);
    let end = req.timestamp.saturating_add(expires);
    let key_time = KeyTime::new(start, end);
    out.reserve(req.url_capacity(secret_id, token));
    req.write_base_url(out);
    req.write_url_path(out);
    let uri = req.http_uri_parts();
    let made = req.with_signed_host(|host| {
        let headers = cos::signed_headers(&req.headers, req.sign_host.then_some(host), None);
        cos::with_lists(req.url_params(token), headers, |params, headers| {
            let what = Signing {
                method: &req.method,
                uri: &uri,
                key_time: key_time.as_str(),
                params,
                headers,
            };
            let (made, signature) = sign(&what);
            put_signature_query(out, secret_id, &what, signature.as_ref());
            made
        })
    });
    for (k, v) in req.url_params(token) {
        out.push('&');
        form_encode_into(out, k);
        out.push('=');
        form_encode_into(out, v);
    }
    Ok((made, end))
}

/// `?q-sign-algorithm=sha1&q-ak=…&q-signature=<hex>`, every value form-encoded.
fn put_signature_query(
    out: &mut String,
    secret_id: &str,
    what: &Signing<'_, '_>,
    signature_hex: &[u8],
) {
    out.push_str("?q-sign-algorithm=sha1&q-ak=");
    form_encode_into(out, secret_id);
    out.push_str("&q-sign-time=");
    form_encode_into(out, what.key_time);
    out.push_str("&q-key-time=");
    form_encode_into(out, what.key_time);
    out.push_str("&q-header-list=");
    put_names(&mut FormEncoded(out), what.headers);
    out.push_str("&q-url-param-list=");
    put_names(&mut FormEncoded(out), what.params);
    out.push_str("&q-signature=");
    // Lowercase hex digits: nothing to encode.
    out.push_str(std::str::from_utf8(signature_hex).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_uses_plus_for_space() {
        let mut out = String::new();
        form_encode_into(&mut out, "a b/c;d~*");
        assert_eq!(out, "a+b%2Fc%3Bd~%2A");
    }

    #[test]
    fn ports_are_stripped_from_virtual_hosts_only() {
        assert_eq!(strip_port("b.example.com:8443"), "b.example.com");
        assert_eq!(strip_port("[::1]:80"), "[::1]");
        let mut r = CosPresignRequest::new("GET", "b-1", "k", "r", 0);
        r.endpoint_override = Some(ObjectEndpoint::parse("http://127.0.0.1:9000").unwrap());
        assert_eq!(r.with_signed_host(str::to_string), "127.0.0.1:9000");
        assert_eq!(r.http_uri_parts().concat(), "/b-1/k");
        r.endpoint_override = Some(ObjectEndpoint::parse("https://COS.Example.com:8443").unwrap());
        assert_eq!(r.with_signed_host(str::to_string), "b-1.cos.example.com");
        assert_eq!(r.http_uri_parts().concat(), "/k");
        r.endpoint_override = None;
        r.bucket = "B-1".into();
        assert_eq!(r.with_signed_host(str::to_string), "b-1.cos.r.myqcloud.com");
        let mut url = String::new();
        r.write_base_url(&mut url);
        assert_eq!(url, r.endpoint().base_url(&r.bucket));
    }
}
