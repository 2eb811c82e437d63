//! HTTP: the injectable [`HttpClient`] trait, per-call-site timeouts, proxy rules and bounded retries.
//!
//! - Every request carries its own [`Timeouts`]: instance metadata uses 1 s to connect and 1 s to
//!   read ([`Timeouts::METADATA`]); STS, OAuth, SSO and credentials-URI calls 5 s + 10 s
//!   ([`Timeouts::STS`]), the official libraries' defaults (`docs/sources/alibaba.md#timeouts`).
//! - [`ProxyPolicy::Never`] is used for instance-metadata hosts: metadata is link-local and a proxy
//!   would either fail or, worse, answer for another machine. Everything else honours
//!   `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (`docs/architecture.md#http`).
//! - [`send_with_retry`] is the one retry loop: it retries 5xx, throttling and connection failures
//!   with exponential back-off and jitter, a bounded number of times; never another 4xx. Which
//!   answers count as throttling is the policy's per-cloud [`RetryClassifier`] (Tencent API 3.0
//!   throttles with HTTP 200 and `RequestLimitExceeded` in the body). Callers never wrap it in a
//!   second loop, so persistent throttling costs exactly `max_attempts` sends. The request is
//!   rebuilt for every attempt, so signed requests get a fresh nonce and timestamp.
//! - Response bodies are capped at [`MAX_RESPONSE_BODY`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method};

use crate::error::{Error, ErrorKind, Result};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Largest response body credchain accepts (1 MiB). Credential responses are a few hundred bytes.
pub const MAX_RESPONSE_BODY: usize = 1024 * 1024;

/// Connect and read timeouts of one call site. `read` bounds each wait for data once connected;
/// the whole call (connect, send, read) is also bounded by their sum, as the Go reference does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timeouts {
    /// Time to establish the connection.
    pub connect: Duration,
    /// Time to send the request and read the response once connected.
    pub read: Duration,
}

impl Timeouts {
    /// Instance metadata: 1 s connect, 1 s read.
    pub const METADATA: Timeouts = Timeouts {
        connect: Duration::from_secs(1),
        read: Duration::from_secs(1),
    };
    /// STS, OAuth, SSO, credentials URI: 5 s connect, 10 s read.
    pub const STS: Timeouts = Timeouts {
        connect: Duration::from_secs(5),
        read: Duration::from_secs(10),
    };

    /// The bound on the whole call.
    pub fn total(&self) -> Duration {
        self.connect + self.read
    }

    /// Overrides from the references' millisecond settings (`connect_timeout`, `timeout`);
    /// `None` keeps the default.
    pub fn with_millis(self, connect_ms: Option<u64>, read_ms: Option<u64>) -> Timeouts {
        Timeouts {
            connect: connect_ms
                .map(Duration::from_millis)
                .unwrap_or(self.connect),
            read: read_ms.map(Duration::from_millis).unwrap_or(self.read),
        }
    }
}

/// Whether a request may go through a proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProxyPolicy {
    /// Use the client's [`ProxySettings`] (`HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`, read from
    /// the injected environment by whoever built the client).
    FromEnv,
    /// Always connect directly (instance metadata).
    Never,
}

/// One HTTP request.
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Full URL, including the query.
    pub url: String,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
    /// Timeouts for this call site.
    pub timeouts: Timeouts,
    /// Proxy rule for this call site.
    pub proxy: ProxyPolicy,
}

impl HttpRequest {
    /// A request with no headers or body, STS timeouts and proxies from env.
    ///
    /// ```
    /// use credchain::http::{HttpRequest, Timeouts, ProxyPolicy};
    /// let req = HttpRequest::new(http::Method::GET, "http://127.0.0.1:1/x?Signature=abc")
    ///     .timeouts(Timeouts::METADATA)
    ///     .proxy(ProxyPolicy::Never)
    ///     .header("x-acs-action", "AssumeRole");
    /// assert_eq!(req.endpoint(), "http://127.0.0.1:1/x");
    /// let with_user = HttpRequest::new(http::Method::GET, "http://u:pw@127.0.0.1:1/0123456789abcdef0123456789abcdef");
    /// assert_eq!(with_user.endpoint(), "http://127.0.0.1:1/***");
    /// // Debug never shows the query (it may carry a signature) or header values.
    /// assert!(!format!("{req:?}").contains("abc"));
    /// ```
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        HttpRequest {
            method,
            url: url.into(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            timeouts: Timeouts::STS,
            proxy: ProxyPolicy::FromEnv,
        }
    }
    /// Sets the timeouts.
    pub fn timeouts(mut self, t: Timeouts) -> Self {
        self.timeouts = t;
        self
    }
    /// Sets the proxy rule.
    pub fn proxy(mut self, p: ProxyPolicy) -> Self {
        self.proxy = p;
        self
    }
    /// Adds a header; a name or value that is not valid HTTP is skipped (callers build them from
    /// constants and encoded values, so that would be a credchain bug, not user input).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(n), Ok(mut v)) = (
            http::header::HeaderName::from_bytes(name.as_bytes()),
            http::header::HeaderValue::from_str(value),
        ) {
            let lower = name.to_ascii_lowercase();
            if lower == "authorization" || lower.contains("token") {
                v.set_sensitive(true);
            }
            self.headers.insert(n, v);
        }
        self
    }
    /// Sets the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }
    /// The URL as errors and logs show it: scheme, host, port and path, random-looking path
    /// segments masked, never user info or the query ([`crate::redact::url`]).
    pub fn endpoint(&self) -> String {
        crate::redact::url(&self.url)
    }
}

/// The URL without query or fragment (which may carry signatures or tokens). It keeps user info
/// and the whole path: to show a URL, use [`crate::redact::url`].
pub fn endpoint_of(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    &url[..end]
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("endpoint", &self.endpoint())
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .field("timeouts", &self.timeouts)
            .field("proxy", &self.proxy)
            .finish()
    }
}

/// One HTTP response.
#[derive(Clone)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body (at most [`MAX_RESPONSE_BODY`]).
    pub body: Bytes,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body of a credential response is a secret: never shown.
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl HttpResponse {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
    /// A header value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends HTTP requests. Implement it to bring your own client; [`ReqwestClient`] is the default.
///
/// An implementation must enforce `req.timeouts` and `req.proxy`, cap the body at
/// [`MAX_RESPONSE_BODY`], and report failures as [`ErrorKind::Transport`] or
/// [`ErrorKind::Timeout`] naming the endpoint (never the query).
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends one request.
    fn send(&self, req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse>>;
}

/// A client that refuses every request; the default HTTP client of an empty `Context`, so a test
/// that forgot to point a source at the emulator fails instead of reaching the network.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoHttpClient;

impl HttpClient for NoHttpClient {
    fn send(&self, req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse>> {
        let endpoint = req.endpoint().to_string();
        Box::pin(async move {
            Err(
                Error::new(ErrorKind::Transport, "HTTP is disabled in this context")
                    .with_endpoint(endpoint)
                    .with_hint("give the Context an HTTP client (Context::real() or with_http)"),
            )
        })
    }
}

/// How [`send_with_retry`] retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, including the first (1 = no retry).
    pub max_attempts: u32,
    /// Back-off before the second attempt; doubles after each failure, with full jitter.
    pub base_delay: Duration,
    /// Upper bound of one back-off.
    pub max_delay: Duration,
    /// Whether connection failures are retried. Off for instance metadata: off-cloud, a retried
    /// connect only makes the chain slower to give up.
    pub retry_connect_errors: bool,
    /// Which answers are transient.
    pub classifier: RetryClassifier,
}

/// Which HTTP answers are worth another attempt; one per API family.
#[derive(Debug, Clone, Copy, Default)]
pub enum RetryClassifier {
    /// 5xx, 429, or an error status whose body has a throttling code (Alibaba `Throttling*`,
    /// Tencent `RequestLimitExceeded*`): Alibaba APIs, instance metadata, credentials URIs.
    /// See [`is_retryable_response`].
    #[default]
    Status,
    /// As [`RetryClassifier::Status`], plus every answer, of any status, that the function says
    /// is throttled: for APIs that report throttling in the body of an HTTP 200. The cloud module
    /// that parses those bodies supplies it (Tencent Cloud API 3.0:
    /// `credchain::tencent::service_error::RETRY_CLASSIFIER`), so this module parses no cloud's
    /// error format.
    StatusOrThrottledBody(fn(&HttpResponse) -> bool),
}

/// Two classifiers are equal when they are the same variant with the same function, compared by
/// address ([`std::ptr::fn_addr_eq`]; the compiler may give two functions with identical code one
/// address, which makes them equal, as they classify alike).
impl PartialEq for RetryClassifier {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (RetryClassifier::Status, RetryClassifier::Status) => true,
            (
                RetryClassifier::StatusOrThrottledBody(a),
                RetryClassifier::StatusOrThrottledBody(b),
            ) => std::ptr::fn_addr_eq(*a, *b),
            _ => false,
        }
    }
}

impl Eq for RetryClassifier {}

impl RetryClassifier {
    /// Whether `resp` is a transient answer under this classifier.
    ///
    /// ```
    /// use credchain::http::{HttpResponse, RetryClassifier};
    /// let throttled = HttpResponse {
    ///     status: 200,
    ///     headers: http::HeaderMap::new(),
    ///     body: r#"{"Busy":true}"#.into(),
    /// };
    /// let busy = RetryClassifier::StatusOrThrottledBody(|r| r.body.starts_with(b"{\"Busy\""));
    /// assert!(busy.is_retryable(&throttled));
    /// assert!(!RetryClassifier::Status.is_retryable(&throttled));
    /// ```
    pub fn is_retryable(self, resp: &HttpResponse) -> bool {
        match self {
            RetryClassifier::Status => is_retryable_response(resp),
            RetryClassifier::StatusOrThrottledBody(is_throttled) => {
                is_retryable_response(resp) || is_throttled(resp)
            }
        }
    }
}

impl RetryPolicy {
    /// STS and other remote APIs: 3 attempts, 200 ms base, 2 s cap, connection errors retried.
    pub const REMOTE: RetryPolicy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(200),
        max_delay: Duration::from_secs(2),
        retry_connect_errors: true,
        classifier: RetryClassifier::Status,
    };
    /// Instance metadata: 2 attempts for 5xx / throttling, connection errors not retried.
    pub const METADATA: RetryPolicy = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(500),
        retry_connect_errors: false,
        classifier: RetryClassifier::Status,
    };
    /// No retries.
    pub const NONE: RetryPolicy = RetryPolicy {
        max_attempts: 1,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
        retry_connect_errors: false,
        classifier: RetryClassifier::Status,
    };

    /// The same policy with another classifier of retryable answers.
    ///
    /// ```
    /// use credchain::http::{RetryClassifier, RetryPolicy};
    /// let busy = RetryPolicy::REMOTE.with_classifier(RetryClassifier::StatusOrThrottledBody(|r| r.status == 299));
    /// assert_eq!(busy.max_attempts, RetryPolicy::REMOTE.max_attempts);
    /// ```
    pub const fn with_classifier(mut self, classifier: RetryClassifier) -> Self {
        self.classifier = classifier;
        self
    }

    fn delay(&self, attempt: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << attempt.min(16));
        let cap = exp.min(self.max_delay);
        // Full jitter: anywhere in [cap/2, cap], so a fleet does not retry in lockstep.
        let half = cap / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Whether a response is worth retrying: 5xx, 429, or a throttling code in the body
/// (Alibaba `Throttling*`, Tencent `RequestLimitExceeded*`), which some services send with 400.
pub fn is_retryable_response(resp: &HttpResponse) -> bool {
    if resp.status >= 500 || resp.status == 429 {
        return true;
    }
    if resp.status >= 400 {
        let body = String::from_utf8_lossy(&resp.body[..resp.body.len().min(4096)]);
        return body.contains("\"Throttling") || body.contains("\"RequestLimitExceeded");
    }
    false
}

/// Sends a request built by `build` (called once per attempt, so a signature can be renewed),
/// retrying as `policy` says. Returns the last response (which may be an error status) or the last
/// transport error.
///
/// ```
/// # async fn demo(client: &dyn credchain::http::HttpClient) -> credchain::Result<()> {
/// use credchain::http::{send_with_retry, HttpRequest, RetryPolicy};
/// let resp = send_with_retry(client, RetryPolicy::REMOTE, || {
///     Ok(HttpRequest::new(http::Method::GET, "http://127.0.0.1:8080/credentials"))
/// })
/// .await?;
/// # let _ = resp; Ok(()) }
/// ```
pub async fn send_with_retry(
    client: &dyn HttpClient,
    policy: RetryPolicy,
    mut build: impl FnMut() -> Result<HttpRequest> + Send,
) -> Result<HttpResponse> {
    let attempts = policy.max_attempts.max(1);
    let mut attempt = 0;
    loop {
        let req = build()?;
        let endpoint = req.endpoint().to_string();
        let outcome = client.send(req).await;
        attempt += 1;
        let retry = match &outcome {
            Ok(resp) => policy.classifier.is_retryable(resp),
            Err(e) => e.kind() == ErrorKind::Transport && policy.retry_connect_errors,
        };
        if !retry || attempt >= attempts {
            return outcome;
        }
        let delay = policy.delay(attempt - 1);
        tracing::debug!(%endpoint, attempt, ?delay, "retrying HTTP request");
        tokio::time::sleep(delay).await;
    }
}

mod proxy;
#[cfg(feature = "reqwest")]
mod reqwest_client;
#[cfg(feature = "reqwest")]
pub use reqwest_client::ReqwestClient;
#[cfg(all(test, any(feature = "alibaba", feature = "tencent")))]
pub(crate) mod answer_by_url;

pub use proxy::ProxySettings;

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Mutex;

    #[derive(Debug)]
    struct Scripted {
        answers: Mutex<Vec<Result<u16>>>,
        calls: AtomicU32,
    }

    impl Scripted {
        fn new(answers: Vec<Result<u16>>) -> Self {
            Scripted {
                answers: Mutex::new(answers),
                calls: AtomicU32::new(0),
            }
        }
    }

    impl HttpClient for Scripted {
        fn send(&self, _req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let next = self.answers.lock().unwrap().remove(0);
            Box::pin(async move {
                next.map(|status| HttpResponse {
                    status,
                    headers: HeaderMap::new(),
                    body: Bytes::from_static(b"{}"),
                })
            })
        }
    }

    fn get() -> Result<HttpRequest> {
        Ok(HttpRequest::new(Method::GET, "http://127.0.0.1:9/x"))
    }

    #[tokio::test(start_paused = true)]
    async fn retries_5xx_then_succeeds() {
        let c = Scripted::new(vec![Ok(503), Ok(500), Ok(200)]);
        let r = send_with_retry(&c, RetryPolicy::REMOTE, get).await.unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(c.calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_max_attempts() {
        let c = Scripted::new(vec![Ok(503), Ok(503), Ok(503), Ok(200)]);
        let r = send_with_retry(&c, RetryPolicy::REMOTE, get).await.unwrap();
        assert_eq!(r.status, 503);
        assert_eq!(c.calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn never_retries_other_4xx() {
        for status in [400, 401, 403, 404] {
            let c = Scripted::new(vec![Ok(status), Ok(200)]);
            let r = send_with_retry(&c, RetryPolicy::REMOTE, get).await.unwrap();
            assert_eq!(r.status, status);
            assert_eq!(c.calls.load(Ordering::SeqCst), 1);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn connection_errors_follow_policy() {
        let refused = || Err(Error::new(ErrorKind::Transport, "connection refused"));
        let c = Scripted::new(vec![refused(), Ok(200)]);
        assert_eq!(
            send_with_retry(&c, RetryPolicy::REMOTE, get)
                .await
                .unwrap()
                .status,
            200
        );
        let c = Scripted::new(vec![refused(), Ok(200)]);
        let e = send_with_retry(&c, RetryPolicy::METADATA, get)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert_eq!(c.calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn throttling_in_body_is_retryable() {
        let resp = |status, body: &'static str| HttpResponse {
            status,
            headers: HeaderMap::new(),
            body: Bytes::from_static(body.as_bytes()),
        };
        assert!(is_retryable_response(&resp(
            400,
            r#"{"Code":"Throttling.User"}"#
        )));
        assert!(is_retryable_response(&resp(
            200 + 200,
            r#"{"Response":{"Error":{"Code":"RequestLimitExceeded"}}}"#
        )));
        assert!(!is_retryable_response(&resp(
            400,
            r#"{"Code":"InvalidParameter"}"#
        )));
        assert!(is_retryable_response(&resp(429, "")));
        assert!(!is_retryable_response(&resp(
            200,
            r#"{"Code":"Throttling"}"#
        )));
    }

    #[test]
    fn backoff_is_bounded() {
        for attempt in 0..40 {
            let d = RetryPolicy::REMOTE.delay(attempt);
            assert!(d <= RetryPolicy::REMOTE.max_delay, "{d:?}");
        }
    }
}
