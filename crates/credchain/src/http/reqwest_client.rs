//! The default [`HttpClient`]: reqwest over rustls.
//!
//! reqwest sets the connect and read timeouts per client, not per request, so one client is kept
//! per (timeouts, proxy rule) pair; call sites use a handful of fixed pairs. The total timeout
//! is set per request. Proxies are the [`ProxySettings`] the client is built with (reqwest's own
//! reading of the process environment is turned off), so a test's fake environment decides. A
//! proxy setting that could not be read makes every proxied request fail with its error (never a
//! direct connection that skips the proxy).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use super::{
    BoxFuture, HttpClient, HttpRequest, HttpResponse, ProxyPolicy, ProxySettings, Timeouts,
    MAX_RESPONSE_BODY,
};
use crate::error::{Error, ErrorKind, Result};

/// The default HTTP client (reqwest + rustls).
///
/// ```
/// use credchain::http::{ProxySettings, ReqwestClient};
/// // Proxies come from the settings you give it (`Context` reads them from its environment).
/// let client = ReqwestClient::new(ProxySettings::none().with_https_proxy("http://127.0.0.1:3128"));
/// # let _ = client;
/// ```
#[derive(Debug, Default)]
pub struct ReqwestClient {
    proxy: ProxySettings,
    clients: Mutex<HashMap<(Timeouts, ProxyPolicy), reqwest::Client>>,
}

impl ReqwestClient {
    /// A client that sends requests allowed a proxy ([`ProxyPolicy::FromEnv`]) through `proxy`.
    pub fn new(proxy: ProxySettings) -> Self {
        ReqwestClient {
            proxy,
            clients: Mutex::new(HashMap::new()),
        }
    }

    fn client(&self, timeouts: Timeouts, policy: ProxyPolicy) -> Result<reqwest::Client> {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = clients.get(&(timeouts, policy)) {
            return Ok(c.clone());
        }
        // `no_proxy()` first: it turns off reqwest's own reading of the process environment.
        let mut builder = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(timeouts.connect)
            // Per-read idle timeout: a server that accepts and then says nothing fails after
            // `read`, not after the whole connect + read budget.
            .read_timeout(timeouts.read)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("credchain/", env!("CARGO_PKG_VERSION")));
        if policy == ProxyPolicy::FromEnv {
            builder = self.with_proxies(builder)?;
        }
        let client = builder.build().map_err(|e| {
            Error::new(ErrorKind::Transport, "cannot build the HTTP client").with_source(e)
        })?;
        clients.insert((timeouts, policy), client.clone());
        Ok(client)
    }

    /// Routes `builder`'s requests through the configured proxies, except the `NO_PROXY` hosts.
    fn with_proxies(&self, mut builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
        if let Some(e) = self.proxy.unreadable() {
            return Err(e.clone());
        }
        let no_proxy = self
            .proxy
            .no_proxy()
            .and_then(reqwest::NoProxy::from_string);
        for (url, is_https) in [
            (self.proxy.https_proxy(), true),
            (self.proxy.http_proxy(), false),
        ] {
            let Some(url) = url else { continue };
            let proxy = if is_https {
                reqwest::Proxy::https(url)
            } else {
                reqwest::Proxy::http(url)
            };
            let proxy = proxy.map_err(|e| {
                Error::invalid_config("the proxy URL in HTTPS_PROXY/HTTP_PROXY is not valid")
                    .with_source(e)
            })?;
            builder = builder.proxy(proxy.no_proxy(no_proxy.clone()));
        }
        Ok(builder)
    }
}

fn transport_error(e: reqwest::Error, endpoint: &str) -> Error {
    // reqwest's Display includes the URL, which may carry a signed query: print the cause chain
    // without the URL.
    let e = e.without_url();
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Transport
    };
    let what = if e.is_timeout() {
        "the request timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "the request failed"
    };
    let mut cause = String::new();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(s) = src {
        cause = s.to_string();
        src = s.source();
    }
    let msg = if cause.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {cause}")
    };
    Error::new(kind, msg).with_endpoint(endpoint)
}

impl HttpClient for ReqwestClient {
    fn send(&self, req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse>> {
        Box::pin(async move {
            let endpoint = req.endpoint().to_string();
            let client = self.client(req.timeouts, req.proxy)?;
            let total = req.timeouts.total();
            let call = async {
                let mut resp = client
                    .request(req.method, &req.url)
                    .headers(req.headers)
                    .body(req.body)
                    .timeout(total)
                    .send()
                    .await
                    .map_err(|e| transport_error(e, &endpoint))?;
                let status = resp.status().as_u16();
                let headers = std::mem::take(resp.headers_mut());
                let mut body = Vec::new();
                while let Some(chunk) = resp
                    .chunk()
                    .await
                    .map_err(|e| transport_error(e, &endpoint))?
                {
                    if body.len() + chunk.len() > MAX_RESPONSE_BODY {
                        return Err(Error::new(
                            ErrorKind::InvalidResponse,
                            format!("the response body is larger than {MAX_RESPONSE_BODY} bytes"),
                        )
                        .with_endpoint(&endpoint)
                        .with_status(status));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(HttpResponse {
                    status,
                    headers,
                    body: body.into(),
                })
            };
            // reqwest's timeout covers the body too, but bound the whole future anyway so a
            // misbehaving body stream can never hang past the call site's budget.
            match tokio::time::timeout(total + Duration::from_millis(50), call).await {
                Ok(r) => r,
                Err(_) => Err(Error::new(
                    ErrorKind::Timeout,
                    format!("the request timed out after {} ms", total.as_millis()),
                )
                .with_endpoint(endpoint)),
            }
        })
    }
}
