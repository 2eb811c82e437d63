//! `credchain serve`: a local credentials server other processes read.
//!
//! - Resolves the provider once (default chain, `--profile`, `--config`) into a
//!   [`SharedProvider`] and calls `provide_credentials` per request; the library's cache makes
//!   that a lock-free read and refreshes in the background before expiry.
//! - Listens on loopback only unless `--allow-non-loopback` is given.
//! - Answers only under an unguessable random path (`/<32 hex chars>`, 128 bits from the OS
//!   random source), compared in constant time, so other local users cannot read credentials by
//!   probing the port. Every other path is a 404; every method other than GET/HEAD is a 405 (PUT
//!   only for the ECS metadata token).
//! - Alibaba: `GET /<path>` answers the credentials-URI format
//!   (`docs/sources/alibaba.md#credentials-uri`)
//!   `{"Code":"Success","AccessKeyId","AccessKeySecret","SecurityToken","Expiration"}`; prints
//!   `export ALIBABA_CLOUD_CREDENTIALS_URI=http://ADDR/<path>`.
//! - Tencent: `GET /<path>` answers the CVM metadata shape
//!   `{"TmpSecretId","TmpSecretKey","Token","ExpiredTime","Expiration","Code":"Success"}`, and
//!   `/<path>/latest/meta-data/cam/security-credentials/` lists the role `credchain` whose
//!   credentials are at `.../credchain`, so the server is a CVM metadata endpoint too; prints
//!   `export TENCENTCLOUD_METADATA_ENDPOINT=http://ADDR/<path>`.
//! - Alibaba with `--shape ecs-metadata`: the ECS instance metadata shape instead (token PUT,
//!   role listing, credentials; [`ecs_metadata`]); prints
//!   `export ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT=http://ADDR/<path>`.
//! - Serves only temporary credentials (with a token and an expiry): credentials-URI and metadata
//!   clients reject anything else, so long-term keys are refused at start.
//! - Stalled peers cannot starve legitimate clients ([`connections`]): a connection must send its
//!   request head within `--header-timeout` (10 s) and may idle between keep-alive requests for
//!   `--idle-timeout` (60 s); at most `--max-connections` (512, well below the usual 1,024 file
//!   descriptors) are open, and at the cap the one that has waited longest without a request is
//!   closed to make room (logged at most once a second). Failed accepts are logged at most once
//!   a second, with a count.
//! - Logs each request at debug, so only with `-v` (peer, method, status, latency; never the
//!   path, which is the secret, nor any credential): a busy server does not flood its log.
//!   Shuts down cleanly on SIGINT/SIGTERM: stops accepting and lets in-flight requests finish
//!   (5 s at most).

use std::convert::Infallible;
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use credchain::alibaba::CredentialsResponse;
use credchain::tencent::CvmRoleResponse;
use credchain::{Credentials, Error, ErrorKind, ProvideCredentials, Result, SharedProvider};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;

use crate::cli::{Cloud, ServeArgs, ServeShape};
use crate::resolve;

mod body_cache;
pub mod connections;
pub mod ecs_metadata;
mod rate_limit;

use body_cache::BodyCache;
use connections::{ActivityMarker, Closed, Connections, Limits};
use rate_limit::RateLimit;

/// The role name the Tencent metadata emulation lists.
pub const TENCENT_ROLE_NAME: &str = "credchain";
/// The CVM metadata role listing path (the library's `cvm_role` source reads it).
const CAM_ROLE_PATH: &str = credchain::tencent::ROLE_PATH;
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

struct State {
    cloud: Cloud,
    shape: ServeShape,
    provider: SharedProvider,
    /// `/<32 hex>`.
    path: String,
    /// The credentials-URI / CVM answer, built once per credentials snapshot.
    body_cache: BodyCache,
}

/// A fresh `/<32 hex chars>` path from the OS random source.
pub fn random_path() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(std::io::Error::other)?;
    let mut s = String::with_capacity(33);
    s.push('/');
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    Ok(s)
}

/// Equality that does not stop at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks that `c` can be served: an AccessKey pair, a token and an expiry.
fn servable(c: &Credentials) -> Result<()> {
    if c.token_and_expiry().is_none() {
        return Err(Error::invalid_config(format!(
            "the resolved credentials ({}) are not temporary credentials with a token and an \
             expiry; credentials-URI and metadata clients accept only those",
            c.provider_name()
        ))
        .with_hint(
            "serve a role instead (e.g. --config with a ram_role_arn / sts_assume_role config, \
             or a profile that assumes a role)",
        ));
    }
    Ok(())
}

/// The JSON body for `c` in `cloud`'s credentials-URI format (the library writes it, next to
/// the source that reads it).
pub fn body_for(cloud: Cloud, c: &Credentials) -> Result<String> {
    match cloud {
        Cloud::Alibaba => Ok(CredentialsResponse::from_credentials(c)?.to_json()),
        Cloud::Tencent => Ok(CvmRoleResponse::from_credentials(c)?.to_json()),
    }
}

/// The response header values, checked once at compile time rather than per request.
const JSON: HeaderValue = HeaderValue::from_static("application/json");
const TEXT: HeaderValue = HeaderValue::from_static("text/plain");
const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");

fn reply(
    status: StatusCode,
    content_type: HeaderValue,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    let headers = r.headers_mut();
    headers.insert(http::header::CONTENT_TYPE, content_type);
    headers.insert(http::header::CACHE_CONTROL, NO_STORE);
    r
}

fn error_json(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    reply(
        status,
        JSON,
        json!({"Code": code, "Message": message}).to_string(),
    )
}

/// What a request path asks for.
enum Target {
    Credentials,
    RoleList,
    /// An ECS metadata token (PUT).
    Token,
    NotFound,
}

fn target(state: &State, path: &str) -> Target {
    let secret = state.path.as_bytes();
    let p = path.as_bytes();
    let (head, tail) = p.split_at(p.len().min(secret.len()));
    if !constant_time_eq(head, secret) {
        return Target::NotFound;
    }
    if state.shape == ServeShape::EcsMetadata {
        return match ecs_metadata::target(tail) {
            ecs_metadata::Target::Token => Target::Token,
            ecs_metadata::Target::RoleList => Target::RoleList,
            ecs_metadata::Target::Credentials => Target::Credentials,
            ecs_metadata::Target::NotFound => Target::NotFound,
        };
    }
    match (state.cloud, tail) {
        (_, b"") => Target::Credentials,
        (Cloud::Tencent, t) if t == CAM_ROLE_PATH.as_bytes() => Target::RoleList,
        (Cloud::Tencent, t)
            if t.strip_prefix(CAM_ROLE_PATH.as_bytes()) == Some(TENCENT_ROLE_NAME.as_bytes()) =>
        {
            Target::Credentials
        }
        _ => Target::NotFound,
    }
}

fn method_not_allowed(allowed: &'static str) -> Response<Full<Bytes>> {
    let mut r = error_json(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        &format!("use {allowed}"),
    );
    r.headers_mut()
        .insert(http::header::ALLOW, http::HeaderValue::from_static(allowed));
    r
}

/// An ECS metadata token: random, never checked (the secret path guards the server).
fn token_reply(req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let ttl = req
        .headers()
        .get(ecs_metadata::TTL_HEADER)
        .map(|v| v.to_str().unwrap_or("invalid"));
    if let Err(message) = ecs_metadata::check_ttl(ttl) {
        return error_json(StatusCode::BAD_REQUEST, "InvalidParameter", message);
    }
    match random_path() {
        Ok(p) => reply(StatusCode::OK, TEXT, p[1..].to_string()),
        Err(e) => error_json(
            StatusCode::INTERNAL_SERVER_ERROR,
            "NoRandomSource",
            &format!("cannot make a token: {e}"),
        ),
    }
}

/// How a request is answered.
enum Answer {
    /// Already built (everything but the credentials).
    Ready(Response<Full<Bytes>>),
    /// The credentials, read from the provider.
    Credentials,
}

/// Answers `req` as far as it can be without waiting. The rest needs only the state, so the
/// request can be dropped before anything is awaited: it holds on to hyper's read buffer, which
/// hyper then reuses in place instead of allocating a new one for the next request.
fn route(state: &State, req: &Request<Incoming>) -> Answer {
    let target = target(state, req.uri().path());
    let is_get = req.method() == Method::GET || req.method() == Method::HEAD;
    let role_name = match state.shape {
        ServeShape::EcsMetadata => ecs_metadata::ROLE_NAME,
        ServeShape::CredentialsUri => TENCENT_ROLE_NAME,
    };
    Answer::Ready(match target {
        Target::Token if req.method() != Method::PUT => method_not_allowed("PUT"),
        Target::Token => token_reply(req),
        _ if !is_get => method_not_allowed("GET"),
        Target::NotFound => error_json(StatusCode::NOT_FOUND, "NotFound", "not found"),
        Target::RoleList => reply(StatusCode::OK, TEXT, role_name),
        Target::Credentials => return Answer::Credentials,
    })
}

/// The credentials answer in the server's shape.
async fn credentials_reply(state: &State) -> Response<Full<Bytes>> {
    match state.provider.provide_credentials().await {
        Ok(c) => match servable(&c).and_then(|()| match state.shape {
            ServeShape::EcsMetadata => ecs_metadata::body(&c, SystemTime::now()).map(Bytes::from),
            ServeShape::CredentialsUri => state
                .body_cache
                .get_or_build(&c, |c| body_for(state.cloud, c).map(Bytes::from)),
        }) {
            Ok(body) => reply(StatusCode::OK, JSON, body),
            Err(e) => {
                tracing::warn!(error = %e, "cannot serve the resolved credentials");
                error_json(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "CredentialsUnavailable",
                    &e.to_string(),
                )
            }
        },
        Err(e) => {
            // Library errors never contain a secret (`docs/architecture.md#secret-hygiene`).
            tracing::warn!(error = %e, "resolving credentials failed");
            error_json(
                StatusCode::INTERNAL_SERVER_ERROR,
                "CredentialsUnavailable",
                &e.to_string(),
            )
        }
    }
}

/// What every request on one connection needs, shared by its requests (one reference count per
/// request).
struct ConnectionContext {
    state: Arc<State>,
    marker: ActivityMarker,
    peer: SocketAddr,
}

/// Answers one request on a connection, marking the connection busy meanwhile.
fn serve_request(
    cx: &Arc<ConnectionContext>,
    req: Request<Incoming>,
) -> impl std::future::Future<Output = std::result::Result<Response<Full<Bytes>>, Infallible>> {
    cx.marker.busy();
    // The request log (debug) is usually off: no clock read or method copy for it then.
    let logged =
        tracing::enabled!(tracing::Level::DEBUG).then(|| (Instant::now(), req.method().clone()));
    let answer = route(&cx.state, &req);
    drop(req);
    let cx = Arc::clone(cx);
    async move {
        let resp = match answer {
            Answer::Ready(resp) => resp,
            Answer::Credentials => credentials_reply(&cx.state).await,
        };
        if let Some((started, method)) = logged {
            tracing::debug!(
                peer = %cx.peer,
                %method,
                status = resp.status().as_u16(),
                micros = started.elapsed().as_micros() as u64,
                "request"
            );
        }
        cx.marker.idle();
        Ok(resp)
    }
}

/// SIGINT/SIGTERM handlers, installed when created (so a signal that arrives before anyone
/// waits is not lost and does not kill the process).
pub struct Shutdown {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Shutdown {
    /// Installs the handlers (must run inside the tokio runtime).
    pub fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Shutdown {
                int: signal(SignalKind::interrupt())?,
                term: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Shutdown {})
        }
    }

    /// Completes on the first SIGINT or SIGTERM (Ctrl-C elsewhere) with the signal's name, for
    /// the line saying why the process stops.
    pub async fn wait(mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => "SIGINT",
                _ = self.term.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}

/// The line `serve` prints for the other processes' environment.
pub fn export_line(cloud: Cloud, shape: ServeShape, addr: SocketAddr, path: &str) -> String {
    match (cloud, shape) {
        (Cloud::Alibaba, ServeShape::EcsMetadata) => format!(
            "export {}=http://{addr}{path}",
            credchain::alibaba::env_vars::ECS_METADATA_SERVICE_ENDPOINT
        ),
        (Cloud::Alibaba, _) => format!("export ALIBABA_CLOUD_CREDENTIALS_URI=http://{addr}{path}"),
        (Cloud::Tencent, _) => format!("export TENCENTCLOUD_METADATA_ENDPOINT=http://{addr}{path}"),
    }
}

/// The shape `--shape` asks for; Tencent has only its CVM metadata shape.
fn shape(args: &ServeArgs) -> Result<ServeShape> {
    match (args.cloud, args.shape) {
        (Cloud::Tencent, Some(ServeShape::EcsMetadata)) => Err(Error::invalid_config(
            "--shape ecs-metadata is Alibaba's ECS metadata service; Tencent credentials are \
             always served in the CVM metadata shape",
        )
        .with_hint("drop --shape, or use --cloud alibaba")),
        (_, s) => Ok(s.unwrap_or(ServeShape::CredentialsUri)),
    }
}

fn io_error(what: &str, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Transport, format!("{what}: {e}"))
}

/// Runs the server until SIGINT/SIGTERM.
pub async fn run(args: &ServeArgs) -> Result<()> {
    if !args.listen.ip().is_loopback() && !args.allow_non_loopback {
        return Err(Error::invalid_config(format!(
            "refusing to serve credentials on the non-loopback address {}",
            args.listen
        ))
        .with_hint("use a 127.0.0.1 / ::1 address, or pass --allow-non-loopback"));
    }
    let shape = shape(args)?;
    let ctx = resolve::real_context();
    let (provider, type_) = resolve::provider(
        args.cloud,
        args.config.as_deref(),
        args.profile.as_deref(),
        &ctx,
    )?;
    let shutdown =
        Shutdown::install().map_err(|e| io_error("cannot install signal handlers", e))?;
    let first = provider.provide_credentials().await?;
    servable(&first)?;
    tracing::info!(
        provider = first.provider_name(),
        r#type = %type_,
        key = %first.masked_key_id(),
        "serving credentials"
    );
    drop(first);

    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|e| io_error(&format!("cannot listen on {}", args.listen), e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| io_error("cannot read the listening address", e))?;
    let path = random_path().map_err(|e| io_error("no random source", e))?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", export_line(args.cloud, shape, addr, &path));
        let _ = out.flush();
    }
    let state = Arc::new(State {
        cloud: args.cloud,
        shape,
        provider,
        path,
        body_cache: BodyCache::default(),
    });
    let limits = Limits {
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        header_timeout: Duration::from_secs(args.header_timeout),
        idle_timeout: Duration::from_secs(args.idle_timeout),
    };
    let stop = async {
        let signal = shutdown.wait().await;
        tracing::info!(signal, "serve stopping: received {signal}");
    };
    serve_until(listener, state, limits, stop).await;
    Ok(())
}

async fn serve_until(
    listener: TcpListener,
    state: Arc<State>,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let http = hyper::server::conn::http1::Builder::new();
    let connections = Connections::new(limits);
    let accept_errors = RateLimit::new(Duration::from_secs(1));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // EMFILE and friends: back off briefly instead of spinning, and log a
                        // flood as one line a second.
                        if let Some(times) = accept_errors.hit(Instant::now()) {
                            tracing::warn!(error = %e, times, "accept failed");
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                // At the cap with every connection busy: closing the new one is all we can do.
                let Some(connection) = connections.admit() else { continue };
                let _ = stream.set_nodelay(true);
                let cx = Arc::new(ConnectionContext {
                    state: Arc::clone(&state),
                    marker: connection.marker(),
                    peer,
                });
                let service = service_fn(move |req| serve_request(&cx, req));
                let conn = http.serve_connection(TokioIo::new(stream), service);
                tokio::spawn(async move {
                    match connection.run(conn).await {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "connection ended with an error"),
                        Err(why) => tracing::debug!(%peer, reason = closed_reason(why), "connection closed"),
                    }
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    tracing::info!("shutting down");
    let started = SystemTime::now();
    tokio::select! {
        _ = connections.shut_down() => {}
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("connections still open after {SHUTDOWN_GRACE:?}; closing them");
        }
    }
    tracing::debug!(took = ?started.elapsed().unwrap_or_default(), "stopped");
}

fn closed_reason(why: Closed) -> &'static str {
    match why {
        Closed::HeaderTimeout => "no request headers within the header timeout",
        Closed::IdleTimeout => "idle past the idle timeout",
        Closed::Evicted => "evicted at the connection limit",
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    fn state(cloud: Cloud) -> State {
        State {
            cloud,
            shape: ServeShape::CredentialsUri,
            provider: SharedProvider::new(
                credchain::alibaba::StaticAccessKeyProvider::new("id", "secret").unwrap(),
            ),
            path: "/0123456789abcdef0123456789abcdef".into(),
            body_cache: BodyCache::default(),
        }
    }

    #[test]
    fn random_paths_are_32_hex_and_differ() {
        let a = random_path().unwrap();
        let b = random_path().unwrap();
        assert_eq!(a.len(), 33);
        assert!(a[1..].bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn only_the_secret_path_matches() {
        let s = state(Cloud::Alibaba);
        assert!(matches!(
            target(&s, "/0123456789abcdef0123456789abcdef"),
            Target::Credentials
        ));
        for p in [
            "/",
            "/0123456789abcdef0123456789abcdee",
            "/0123456789abcdef0123456789abcdef/",
            "/0123456789abcdef0123456789abcdef/latest/meta-data/cam/security-credentials/",
            "/0123456789abcdef",
        ] {
            assert!(matches!(target(&s, p), Target::NotFound), "{p}");
        }
        let t = state(Cloud::Tencent);
        assert!(matches!(
            target(
                &t,
                "/0123456789abcdef0123456789abcdef/latest/meta-data/cam/security-credentials/"
            ),
            Target::RoleList
        ));
        assert!(matches!(
            target(
                &t,
                "/0123456789abcdef0123456789abcdef/latest/meta-data/cam/security-credentials/credchain"
            ),
            Target::Credentials
        ));
    }

    #[test]
    fn long_term_keys_are_not_servable() {
        assert!(servable(&Credentials::builder("id", "s").build()).is_err());
        let c = Credentials::builder("id", "s")
            .security_token("t")
            .expiration(UNIX_EPOCH + Duration::from_secs(1_545_151_178))
            .build();
        servable(&c).unwrap();
        // The bytes serve has always written (keys in byte order).
        assert_eq!(
            body_for(Cloud::Tencent, &c).unwrap(),
            r#"{"Code":"Success","Expiration":"2018-12-18T16:39:38Z","ExpiredTime":1545151178,"TmpSecretId":"id","TmpSecretKey":"s","Token":"t"}"#
        );
        assert_eq!(
            body_for(Cloud::Alibaba, &c).unwrap(),
            r#"{"AccessKeyId":"id","AccessKeySecret":"s","Code":"Success","Expiration":"2018-12-18T16:39:38Z","SecurityToken":"t"}"#
        );
    }
}
