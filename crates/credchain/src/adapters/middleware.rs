//! Feature `middleware`: a `reqwest_middleware::Middleware` that signs every request from a
//! credchain provider, and retries once when the service says the token expired.
//!
//! [`SigningMiddleware`] signs with one scheme, chosen when it is made:
//!
//! | scheme | the caller sets | the middleware adds |
//! |---|---|---|
//! | [`Scheme::Acs3`] (Alibaba OpenAPI V3) | headers `x-acs-action`, `x-acs-version` (and any `x-acs-*`), the body | `x-acs-date`, `x-acs-signature-nonce`, `x-acs-content-sha256`, `x-acs-security-token`, `Authorization` |
//! | [`Scheme::Rpc`] (Alibaba RPC v1) | query `Action`, `Version` (and the API's parameters) | `Format=JSON` when missing, `AccessKeyId`, `Timestamp`, `SignatureNonce`, `SecurityToken`, `Signature` ... in the query |
//! | [`Scheme::Tc3`] (Tencent API 3.0) | headers `X-TC-Action`, `X-TC-Version`, optional `X-TC-Region`, the JSON body | `X-TC-Timestamp`, `X-TC-Token`, `Authorization` |
//!
//! The body must be in memory (a streamed body cannot be hashed, nor sent twice): such a request
//! fails with a middleware error and is not sent.
//!
//! **Expired tokens.** When the answer carries one of [`EXPIRED_TOKEN_CODES`] (Alibaba: a non-2xx
//! JSON answer whose `Code` is e.g. `InvalidSecurityToken.Expired`; Tencent: HTTP 200 with
//! `Response.Error.Code` `AuthFailure.TokenFailure`), the middleware forces one refresh of the
//! provider (through credchain's cache: callers that hit the same expiry together share one fetch,
//! and a caller whose credentials were already replaced by someone else's refresh uses those),
//! signs the request again with the new credentials and sends it once more. A second expired
//! answer is returned to the caller as it came. Answers that are looked at are read into memory
//! and handed back unchanged (status, headers, body); the middleware reads only error answers
//! (Alibaba) or JSON answers (Tencent, whose errors come with HTTP 200).
//!
//! ```no_run
//! use credchain::adapters::middleware::SigningMiddleware;
//! use credchain::{tencent, context::Context};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let ctx = Context::real();
//! let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(SigningMiddleware::tc3(tencent::default_chain(&ctx)))
//!     .build();
//! let answer = client
//!     .post("https://cvm.tencentcloudapi.com/")
//!     .header("X-TC-Action", "DescribeRegions")
//!     .header("X-TC-Version", "2017-03-12")
//!     .header("Content-Type", "application/json")
//!     .body("{}")
//!     .send()
//!     .await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use crate::context::{Clock, SystemClock};
use crate::credentials::Credentials;
use crate::error::Error;
use crate::provider::{ProvideCredentials, SharedProvider};
use crate::sign::{self, acs3, rpc, tc3, Payload};

/// Service error codes that mean "the security token expired or is no longer valid": the
/// middleware refreshes the credentials and retries once on these.
pub const EXPIRED_TOKEN_CODES: &[&str] = &[
    // Alibaba Cloud OpenAPI (RPC and V3).
    "InvalidSecurityToken.Expired",
    "InvalidSecurityToken.Malformed",
    "SecurityTokenExpired",
    // Tencent Cloud API 3.0.
    "AuthFailure.TokenFailure",
];

/// The signature scheme a [`SigningMiddleware`] applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scheme {
    /// Alibaba Cloud OpenAPI V3, `ACS3-HMAC-SHA256`.
    Acs3,
    /// Alibaba Cloud RPC signature v1 (HMAC-SHA1), parameters in the query.
    Rpc,
    /// Tencent Cloud API 3.0, `TC3-HMAC-SHA256`.
    Tc3,
}

/// Signs each request from a credchain provider; see the [module docs](self).
#[derive(Clone)]
pub struct SigningMiddleware {
    provider: SharedProvider,
    scheme: Scheme,
    /// Where the signing time comes from (the system clock unless [`SigningMiddleware::with_clock`]).
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for SigningMiddleware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningMiddleware")
            .field("provider", &self.provider.name())
            .field("scheme", &self.scheme)
            .field("clock", &self.clock)
            .finish()
    }
}

impl SigningMiddleware {
    /// Signs with `scheme` from `provider`.
    pub fn new(scheme: Scheme, provider: impl ProvideCredentials + 'static) -> Self {
        Self::from_shared(scheme, SharedProvider::new(provider))
    }
    /// Signs with `scheme` from a shared provider.
    pub fn from_shared(scheme: Scheme, provider: SharedProvider) -> Self {
        SigningMiddleware {
            provider,
            scheme,
            clock: Arc::new(SystemClock),
        }
    }
    /// Takes the signing time from `clock` (e.g. a [`Context`](crate::context::Context)'s,
    /// `ctx.shared_clock()`) instead of the system clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
    /// Alibaba OpenAPI V3 (ACS3).
    pub fn acs3(provider: impl ProvideCredentials + 'static) -> Self {
        Self::new(Scheme::Acs3, provider)
    }
    /// Alibaba RPC signature v1.
    pub fn rpc(provider: impl ProvideCredentials + 'static) -> Self {
        Self::new(Scheme::Rpc, provider)
    }
    /// Tencent API 3.0 (TC3).
    pub fn tc3(provider: impl ProvideCredentials + 'static) -> Self {
        Self::new(Scheme::Tc3, provider)
    }

    /// Credentials newer than the rejected `used`: the provider's current ones when another
    /// request has refreshed them since, else a forced refresh. So a burst of requests rejected
    /// together refreshes once, not once per request arriving after the first refresh ended.
    async fn refreshed(&self, used: &Credentials) -> Result<Credentials, Error> {
        let current = self.provider.provide_credentials().await?;
        if current.same_snapshot(used) {
            self.provider.force_refresh().await
        } else {
            Ok(current)
        }
    }

    /// A signed copy of `template`, signed with `creds`.
    fn signed(&self, template: &Request, creds: &Credentials) -> Result<Request, Error> {
        let mut req = template.try_clone().ok_or_else(streamed_body)?;
        let body = match req.body() {
            None => Bytes::new(),
            Some(b) => Bytes::copy_from_slice(b.as_bytes().ok_or_else(streamed_body)?),
        };
        let now = crate::time::unix_seconds(self.clock.now());
        match self.scheme {
            Scheme::Acs3 => sign_acs3(&mut req, &body, creds, now)?,
            Scheme::Rpc => sign_rpc(&mut req, creds, now)?,
            Scheme::Tc3 => sign_tc3(&mut req, &body, creds, now)?,
        }
        Ok(req)
    }

    /// The expired-token code of `answer`, if any, and the answer (rebuilt when it was read).
    async fn expired_code(
        &self,
        answer: Response,
    ) -> reqwest_middleware::Result<(Option<&'static str>, Response)> {
        let status = answer.status();
        let json = answer
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        let look = match self.scheme {
            Scheme::Acs3 | Scheme::Rpc => !status.is_success(),
            Scheme::Tc3 => json,
        };
        if !look {
            return Ok((None, answer));
        }
        let (parts, url) = (
            (status, answer.version(), answer.headers().clone()),
            answer.url().clone(),
        );
        let body = answer.bytes().await?;
        let code = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| {
                let code = match self.scheme {
                    Scheme::Tc3 => v.pointer("/Response/Error/Code").cloned(),
                    _ => v.get("Code").cloned(),
                };
                code.and_then(|c| c.as_str().map(str::to_string))
            })
            .and_then(|c| EXPIRED_TOKEN_CODES.iter().copied().find(|k| *k == c));
        let mut rebuilt = http::Response::builder().status(parts.0).version(parts.1);
        if let Some(h) = rebuilt.headers_mut() {
            *h = parts.2;
        }
        let rebuilt = reqwest::ResponseBuilderExt::url(rebuilt, url)
            .body(body)
            .map_err(reqwest_middleware::Error::middleware)?;
        Ok((code, Response::from(rebuilt)))
    }
}

#[async_trait::async_trait]
impl Middleware for SigningMiddleware {
    async fn handle(
        &self,
        req: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let creds = self
            .provider
            .provide_credentials()
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
        let first = self
            .signed(&req, &creds)
            .map_err(reqwest_middleware::Error::middleware)?;
        let answer = next.clone().run(first, extensions).await?;
        let (code, answer) = self.expired_code(answer).await?;
        let Some(code) = code else {
            return Ok(answer);
        };
        tracing::info!(
            provider = self.provider.name(),
            code,
            "the service rejected the security token; refreshing and retrying once"
        );
        let fresh = self
            .refreshed(&creds)
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
        let second = self
            .signed(&req, &fresh)
            .map_err(reqwest_middleware::Error::middleware)?;
        next.run(second, extensions).await
    }
}

fn streamed_body() -> Error {
    Error::invalid_config(
        "the request body is a stream: the signing middleware needs the body in memory \
         to hash it and to send it again after a refresh",
    )
    .with_hint("give the request a body of bytes or a string")
}

/// `host[:port]` as the client sends it in the `Host` header.
fn authority(req: &Request) -> Result<String, Error> {
    let url = req.url();
    let host = url
        .host_str()
        .ok_or_else(|| Error::invalid_config("the request URL has no host to sign"))?;
    Ok(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    })
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn required_header(req: &Request, name: &str) -> Result<String, Error> {
    header(req, name).ok_or_else(|| {
        Error::invalid_config(format!("the request has no {name} header to sign"))
            .with_hint(format!("set the {name} header on the request"))
    })
}

fn set_headers(req: &mut Request, headers: &[(String, String)]) -> Result<(), Error> {
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("host") {
            continue; // the client sends the URL's authority, which is what was signed
        }
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::invalid_config(format!("cannot send header {name:?}")))?;
        // The value may be a token or a signature: never put it in an error.
        let value = http::HeaderValue::from_str(value).map_err(|_| {
            Error::invalid_config(format!("header {name} has a value that cannot be sent"))
        })?;
        req.headers_mut().insert(name, value);
    }
    Ok(())
}

fn query_pairs(req: &Request) -> Vec<(String, String)> {
    req.url()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn sign_acs3(req: &mut Request, body: &Bytes, creds: &Credentials, now: i64) -> Result<(), Error> {
    let mut a = acs3::Acs3Request::new(
        authority(req)?,
        required_header(req, "x-acs-action")?,
        required_header(req, "x-acs-version")?,
        sign::format_iso8601(now)?,
        sign::new_nonce(),
    );
    a.method = req.method().as_str().to_string();
    a.path = percent_decoded_path(req);
    a.query = query_pairs(req);
    a.headers = req
        .headers()
        .iter()
        .filter(|(n, _)| {
            let n = n.as_str();
            (n.starts_with("x-acs-") && n != "x-acs-action" && n != "x-acs-version")
                || n == "content-type"
        })
        .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    a.payload = Payload::Bytes(body.to_vec());
    let signed = acs3::sign(&a, creds)?;
    set_headers(req, &signed.headers)
}

fn percent_decoded_path(req: &Request) -> String {
    let raw = req.url().path();
    String::from_utf8(crate::sign::encode::decode(raw)).unwrap_or_else(|_| raw.to_string())
}

fn sign_rpc(req: &mut Request, creds: &Credentials, now: i64) -> Result<(), Error> {
    let mut query = query_pairs(req);
    if !query.iter().any(|(k, _)| k == "Format") {
        query.push(("Format".into(), "JSON".into()));
    }
    let r = rpc::RpcRequest {
        method: req.method().as_str().to_string(),
        host: authority(req)?,
        query,
        form: Vec::new(),
        timestamp: sign::format_iso8601(now)?,
        nonce: sign::new_nonce(),
    };
    let signed = rpc::sign(&r, creds)?;
    req.url_mut().set_query(Some(&signed.query_string));
    Ok(())
}

fn sign_tc3(req: &mut Request, body: &Bytes, creds: &Credentials, now: i64) -> Result<(), Error> {
    let mut t = tc3::Tc3Request::new(
        authority(req)?,
        required_header(req, "x-tc-action")?,
        required_header(req, "x-tc-version")?,
        now,
    );
    t.method = req.method().as_str().to_string();
    t.region = header(req, "x-tc-region").unwrap_or_default();
    if let Some(ct) = header(req, "content-type") {
        t.content_type = ct;
    }
    t.query = query_pairs(req);
    t.payload = Payload::Bytes(body.to_vec());
    let signed = tc3::sign(&t, creds)?;
    if !signed.canonical_query_string.is_empty() {
        req.url_mut()
            .set_query(Some(&signed.canonical_query_string));
    }
    set_headers(req, &signed.headers)
}
