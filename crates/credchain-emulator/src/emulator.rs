//! The [`Emulator`] handle: start, stop, configure, inject faults, read what happened.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::fault::Fault;
use crate::issued_credentials::IssuedCredentials;
use crate::request::RecordedRequest;
use crate::route::Route;
use crate::routes;
use crate::server::accept_loop;
use crate::server_state::ServerState;
use crate::state::{lock, EmulatorConfig, EmulatorState};

/// A running fake cloud on a loopback port.
///
/// All endpoints share one port; see [`crate::routes`] for the built-in ones. The server runs on
/// the tokio runtime that started it and stops when [`Emulator::shutdown`] is awaited or the
/// `Emulator` is dropped (open connections are closed too). All methods except `start*` and
/// `shutdown` are synchronous and take `&self`; wrap the emulator in an `Arc` to share it.
///
/// The `start*` functions must run inside a tokio runtime (they spawn the server task on it).
/// Handlers run on that runtime's threads, so a slow [`crate::Fault::Delay`] holds up only its
/// own connection.
pub struct Emulator {
    shared: Arc<ServerState>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts on an ephemeral port of `127.0.0.1` with the default configuration.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emu = credchain_emulator::Emulator::start().await?;
    /// assert!(emu.base_url().starts_with("http://127.0.0.1:"));
    /// emu.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start() -> io::Result<Self> {
        Self::start_with(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            EmulatorConfig::default(),
        )
        .await
    }

    /// Starts on `addr`, which must be a loopback address (port 0 picks a free port).
    ///
    /// # Errors
    /// `InvalidInput` for a non-loopback address; any error from binding the socket.
    pub async fn start_on(addr: SocketAddr) -> io::Result<Self> {
        Self::start_with(addr, EmulatorConfig::default()).await
    }

    /// Starts on the loopback address `addr` with the given configuration.
    ///
    /// # Errors
    /// As [`Emulator::start_on`].
    pub async fn start_with(addr: SocketAddr, config: EmulatorConfig) -> io::Result<Self> {
        if !addr.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the emulator only listens on loopback addresses",
            ));
        }
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let builtin = routes::builtin(&config.credentials_uri_path);
        let shared = Arc::new(ServerState::new(EmulatorState::new(config), builtin));
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared), stopped));
        Ok(Emulator {
            shared,
            addr,
            stop,
            task: Some(task),
        })
    }

    /// The address the emulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The base URL followed by `path` (which should start with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url(), path)
    }

    /// Every recorded request, oldest first (matched or not; the newest
    /// [`crate::MAX_RECORDED_REQUESTS`] are kept, bodies cut to [`crate::MAX_RECORDED_BODY_BYTES`]).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    /// The requests recorded after the first `seen` ever recorded (those still kept), and how many
    /// were recorded in all: a follower passes the total back as `seen` next time, and keeps up
    /// even after the oldest requests are forgotten.
    pub fn requests_after(&self, seen: u64) -> (Vec<RecordedRequest>, u64) {
        self.shared.requests_after(seen)
    }

    /// The recorded requests that route `route` handled.
    pub fn requests_for(&self, route: &str) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.route.as_deref() == Some(route))
            .collect()
    }

    /// The recorded requests that no route matched (they were answered 404).
    pub fn unmatched_requests(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.route.is_none())
            .collect()
    }

    /// Forgets the recorded requests (issued-credential counters are kept).
    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    /// Applies `fault` to every request of `route` until cleared (replacing its previous
    /// persistent fault). Queued one-shot faults are used first.
    pub fn set_fault(&self, route: &str, fault: Fault) {
        lock(&self.shared.faults).set(route, fault);
    }

    /// Queues `fault` for one request of `route`: each request takes the next queued fault;
    /// when the queue is empty the persistent fault (if any) applies again.
    pub fn push_fault(&self, route: &str, fault: Fault) {
        lock(&self.shared.faults).push(route, fault);
    }

    /// How many one-shot faults are still queued for `route`.
    pub fn pending_faults(&self, route: &str) -> usize {
        lock(&self.shared.faults).pending_one_shot(route)
    }

    /// Removes the persistent and queued faults of `route`.
    pub fn clear_fault(&self, route: &str) {
        lock(&self.shared.faults).clear_route(route);
    }

    /// Removes every fault of every route.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Adds a route, or replaces the route with the same name in place. New routes are tried
    /// after the existing ones.
    pub fn add_route(&self, route: Route) {
        self.shared.with_routes(|r| r.add(route));
    }

    /// Removes the route named `name`; `false` when there was none.
    pub fn remove_route(&self, name: &str) -> bool {
        self.shared.with_routes(|r| r.remove(name))
    }

    /// The names of all routes, in priority order.
    pub fn route_names(&self) -> Vec<String> {
        self.shared.with_routes(|r| r.names())
    }

    /// The shared state handlers see.
    pub fn state(&self) -> &EmulatorState {
        &self.shared.state
    }

    /// A copy of the current configuration.
    pub fn config(&self) -> EmulatorConfig {
        self.shared.state.config()
    }

    /// Sets the RAM role of the emulated ECS instance (`None`: no role bound).
    pub fn set_ecs_role_name(&self, name: Option<&str>) {
        self.shared
            .state
            .update_config(|c| c.ecs_role_name = name.map(str::to_string));
    }

    /// Sets the CAM role of the emulated CVM instance (`None`: no role bound).
    pub fn set_cvm_role_name(&self, name: Option<&str>) {
        self.shared
            .state
            .update_config(|c| c.cvm_role_name = name.map(str::to_string));
    }

    /// Fixes the emulator's clock at `time`, or lets it follow the system time again with `None`
    /// (see [`EmulatorState::now`]): replaying requests signed at a fixed moment needs it.
    pub fn set_clock(&self, time: Option<std::time::SystemTime>) {
        self.shared.state.set_clock(time);
    }

    /// Sets the lifetime of credentials issued from now on.
    pub fn set_credential_lifetime(&self, lifetime: Duration) {
        self.shared
            .state
            .update_config(|c| c.credential_lifetime = lifetime);
    }

    /// Requires (or stops requiring) an IMDSv2 session token on ECS metadata requests.
    pub fn set_require_imds_token(&self, required: bool) {
        self.shared
            .state
            .update_config(|c| c.require_imds_token = required);
    }

    /// Moves the credentials-URI endpoint to `path` (e.g. `/creds`).
    pub fn set_credentials_uri_path(&self, path: &str) {
        self.shared
            .state
            .update_config(|c| c.credentials_uri_path = path.to_string());
        self.add_route(routes::credentials_uri::route(path));
    }

    /// Every credential issued so far, oldest first.
    pub fn issued(&self) -> Vec<IssuedCredentials> {
        self.shared.state.issued()
    }

    /// How many credentials `route` has issued (e.g. to assert "exactly one fetch").
    pub fn issued_count(&self, route: &str) -> usize {
        self.shared.state.issued_count(route)
    }

    /// Stops accepting, closes every connection and waits for the server task to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            // Aborting drops the task's connection set, which aborts every connection task.
            task.abort();
        }
    }
}
