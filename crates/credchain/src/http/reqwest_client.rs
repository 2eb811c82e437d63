//! The default [`HttpClient`]: reqwest over rustls.
//!
//! reqwest sets the connect and read timeouts per client, not per request, so one client is kept
//! per (timeouts, proxy rule) pair; call sites use a handful of fixed pairs. The total timeout
//! is set per request. Proxies are taken from the injected environment, not from the process, so
//! a test's fake environment decides. A proxy variable that is set but not valid UTF-8 makes every
//! proxied request fail with an error naming it (never a direct connection that skips the proxy).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use super::{
    BoxFuture, HttpClient, HttpRequest, HttpResponse, ProxyPolicy, Timeouts, MAX_RESPONSE_BODY,
};
use crate::context::Env;
use crate::error::{Error, ErrorKind, Result};

/// Proxy settings read from `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` (or their lower-case forms).
#[derive(Clone, Default)]
struct ProxyConfig {
    https: Option<String>,
    http: Option<String>,
    no_proxy: Option<String>,
    /// The first proxy variable that is set but unreadable.
    unreadable: Option<Error>,
}

impl std::fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Proxy URLs often carry `user:password@`.
        let url = |u: &Option<String>| u.as_deref().map(crate::redact::url);
        f.debug_struct("ProxyConfig")
            .field("https", &url(&self.https))
            .field("http", &url(&self.http))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// The default HTTP client (reqwest + rustls).
///
/// ```
/// use credchain::context::MemoryEnv;
/// use credchain::http::ReqwestClient;
/// // Proxies come from the environment you give it.
/// let client = ReqwestClient::from_env(&MemoryEnv::from_pairs([("HTTPS_PROXY", "http://127.0.0.1:3128")]));
/// # let _ = client;
/// ```
#[derive(Debug)]
pub struct ReqwestClient {
    proxy: ProxyConfig,
    clients: Mutex<HashMap<(Timeouts, ProxyPolicy), reqwest::Client>>,
}

fn first_set(env: &dyn Env, names: &[&str]) -> Result<Option<String>> {
    for n in names {
        if let Some(v) = env.var(n)?.filter(|v| !v.trim().is_empty()) {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

impl ReqwestClient {
    /// A client whose proxy settings come from `env`.
    pub fn from_env(env: &dyn Env) -> Self {
        let mut unreadable = None;
        let mut read = |names: &[&str]| {
            first_set(env, names).unwrap_or_else(|e| {
                unreadable.get_or_insert(e);
                None
            })
        };
        let https = read(&["HTTPS_PROXY", "https_proxy"]);
        let http = read(&["HTTP_PROXY", "http_proxy"]);
        let no_proxy = read(&["NO_PROXY", "no_proxy"]);
        ReqwestClient {
            proxy: ProxyConfig {
                https,
                http,
                no_proxy,
                unreadable,
            },
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
            if let Some(e) = &self.proxy.unreadable {
                return Err(e.clone());
            }
            let no_proxy = self
                .proxy
                .no_proxy
                .as_deref()
                .and_then(reqwest::NoProxy::from_string);
            for (url, is_https) in [(&self.proxy.https, true), (&self.proxy.http, false)] {
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
        }
        let client = builder.build().map_err(|e| {
            Error::new(ErrorKind::Transport, "cannot build the HTTP client").with_source(e)
        })?;
        clients.insert((timeouts, policy), client.clone());
        Ok(client)
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
