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
//! ```
//! use credchain::sign::cos_presign::{self, CosPresignRequest};
//! let req = CosPresignRequest::new("GET", "examplebucket-1250000000", "object.txt", "ap-guangzhou", 1735732800);
//! let p = cos_presign::presign_with_key(&req, "AKIDExampleSecretId0123456789abcdef", "ExampleSecretKey0123456789abcdef", None).unwrap();
//! assert_eq!(p.url, "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/object.txt?q-sign-algorithm=sha1&q-ak=AKIDExampleSecretId0123456789abcdef&q-sign-time=1735732740%3B1735736400&q-key-time=1735732740%3B1735736400&q-header-list=host&q-url-param-list=&q-signature=7b43b9b583ba8555ef2d93340f77a294d6f62e51");
//! ```

use std::borrow::Cow;
use std::fmt;

use super::cos::{self, CosRequest, CosSigned};
use super::encode::{encode_into, is_unreserved};
use super::object_endpoint::{check_bucket, check_key, check_method, check_region, ObjectEndpoint};
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
        self.endpoint_cow().into_owned()
    }

    /// The endpoint, borrowed when overridden (presigning reads it three times).
    fn endpoint_cow(&self) -> Cow<'_, ObjectEndpoint> {
        match &self.endpoint_override {
            Some(e) => Cow::Borrowed(e),
            None => Cow::Owned(ObjectEndpoint::https(format!(
                "cos.{}.myqcloud.com",
                self.region
            ))),
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

    /// The key whose `/`-prefixed form is the signed HttpURI: the key as given (virtual-hosted,
    /// as the SDK), or `bucket/key` for a path-style URL, whose request path names the bucket.
    fn signed_key(&self, endpoint: &ObjectEndpoint) -> String {
        match endpoint {
            ObjectEndpoint::VirtualHosted { .. } => self.key.clone(),
            ObjectEndpoint::PathStyle { .. } => {
                let key = self.key.strip_prefix('/').unwrap_or(&self.key);
                format!("{}/{key}", self.bucket)
            }
        }
    }

    /// The `host` value signed (see the module documentation).
    fn signed_host(&self, endpoint: &ObjectEndpoint) -> String {
        let host = endpoint.host(&self.bucket);
        match endpoint {
            ObjectEndpoint::PathStyle { .. } => host,
            ObjectEndpoint::VirtualHosted { .. } => strip_port(&host).to_ascii_lowercase(),
        }
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
    req.validate()?;
    let expires = i64::try_from(req.expires).unwrap_or(i64::MAX);
    let mut params: Vec<(String, String)> = req
        .params
        .iter()
        .filter(|(k, _)| k != TOKEN_PARAM)
        .cloned()
        .collect();
    if let Some(t) = security_token.filter(|t| !t.is_empty()) {
        params.push((TOKEN_PARAM.into(), t.into()));
    }
    let endpoint = req.endpoint_cow();
    let mut signing = CosRequest::new(
        &req.method,
        req.signed_key(&endpoint),
        req.timestamp,
        expires,
    );
    signing.params = params;
    signing.headers = req.headers.clone();
    signing.host = req.signed_host(&endpoint);
    signing.sign_host = req.sign_host;
    let signed = cos::sign_with_key(&signing, secret_id, secret_key, None);
    let params = &signing.params;

    let mut url = endpoint.base_url(&req.bucket);
    // Room for the path and the fixed parameters, so the URL is rarely reallocated.
    url.reserve(
        req.key.len() * 3 / 2
            + 160
            + secret_id.len()
            + signed.url_param_list.len() * 2
            + params
                .iter()
                .map(|(k, v)| (k.len() + v.len()) * 3 / 2 + 2)
                .sum::<usize>(),
    );
    req.write_url_path(&mut url);
    let auth_pairs = [
        ("q-sign-algorithm", "sha1"),
        ("q-ak", secret_id),
        ("q-sign-time", &signed.key_time),
        ("q-key-time", &signed.key_time),
        ("q-header-list", &signed.header_list),
        ("q-url-param-list", &signed.url_param_list),
        ("q-signature", &signed.signature),
    ];
    for (i, (k, v)) in auth_pairs
        .iter()
        .map(|(k, v)| (*k, *v))
        .chain(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .enumerate()
    {
        url.push(if i == 0 { '?' } else { '&' });
        form_encode_into(&mut url, k);
        url.push('=');
        form_encode_into(&mut url, v);
    }
    Ok(CosPresigned {
        url,
        expires_at: signing.end,
        signed,
    })
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
        assert_eq!(r.signed_host(&r.endpoint()), "127.0.0.1:9000");
        assert_eq!(r.signed_key(&r.endpoint()), "b-1/k");
        r.endpoint_override = Some(ObjectEndpoint::parse("https://COS.Example.com:8443").unwrap());
        assert_eq!(r.signed_host(&r.endpoint()), "b-1.cos.example.com");
    }
}
