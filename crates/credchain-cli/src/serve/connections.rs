//! The connections `serve` holds open, and the limits that keep stalled peers from starving
//! legitimate clients.
//!
//! - **Header-read timeout.** A connection that has not delivered a complete request head within
//!   [`Limits::header_timeout`] of connecting is closed (a half-open or slow-loris peer).
//! - **Idle timeout.** A keep-alive connection with no request in progress for
//!   [`Limits::idle_timeout`] is closed. A request in progress is never cut by either timeout.
//! - **Connection cap.** At most [`Limits::max_connections`] connections are open (well below the
//!   usual 1,024 file descriptors, so accept never fails for lack of them). A new connection at
//!   the cap evicts the open connection that has waited longest without a request in progress:
//!   stalled peers are shed first, and a client that sends its request right after connecting is
//!   served however many stalled connections exist. Only if every open connection has a request
//!   in progress is the new one closed instead. Reaching the cap is logged, at most once a second.
//! - **Graceful shutdown.** [`Connections::shut_down`] asks every open connection to finish the
//!   request in progress and close, and completes when all have.
//!
//! None of this costs a connection anything per request beyond one clock read and two atomic
//! stores (marking it busy, then idle as of now): timeouts, eviction and shutdown reach a connection's task as
//! bits in one atomic word, with a wake-up, and the task looks at its timer only when that timer
//! has fired (BENCHMARKS.md, "Serve", has what this bought).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use atomic_waker::AtomicWaker;
use hyper_util::server::graceful::GracefulConnection;
use tokio::sync::Notify;
use tokio::time::{Instant, Sleep};

use super::rate_limit::RateLimit;

/// How many connections `serve` keeps and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Time from connecting to a complete request head.
    pub header_timeout: Duration,
    /// Time a keep-alive connection may wait for its next request.
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Connected, no request head yet.
    AwaitingFirstRequest = 0,
    /// A request is being answered.
    Busy = 1,
    /// Answered; waiting for the next request (keep-alive).
    Idle = 2,
}

#[derive(Debug, Clone, Copy)]
struct Activity {
    phase: Phase,
    /// When the phase began; not kept for [`Phase::Busy`] (the connection's start instead).
    since: Instant,
}

/// A connection's current [`Activity`], packed into one word: the phase in the low two bits, the
/// nanoseconds from the connection's start to the phase change in the rest.
///
/// Marking a connection busy is a store, marking it idle a clock read and a store: nobody is
/// woken. The watchdog
/// ([`next_deadline`]) reads the cell only when its own timer fires, so a keep-alive connection
/// answering thousands of requests a second costs one timer wake-up per timeout period.
struct ActivityCell {
    start: Instant,
    word: AtomicU64,
}

impl ActivityCell {
    fn new(start: Instant) -> Self {
        ActivityCell {
            start,
            word: AtomicU64::new(Phase::AwaitingFirstRequest as u64),
        }
    }

    /// Records `phase` as of now.
    fn set(&self, phase: Phase) {
        let nanos = Instant::now()
            .saturating_duration_since(self.start)
            .as_nanos();
        // 2^62 ns is 146 years: the shift cannot lose a connection's age.
        let nanos = u64::try_from(nanos).unwrap_or(u64::MAX >> 2);
        self.word
            .store(nanos << 2 | phase as u64, Ordering::Relaxed);
    }

    /// Records [`Phase::Busy`] without reading the clock: nothing looks at when a busy
    /// connection became busy (it has no deadline and is never evicted).
    fn set_busy(&self) {
        self.word.store(Phase::Busy as u64, Ordering::Relaxed);
    }

    fn get(&self) -> Activity {
        let word = self.word.load(Ordering::Relaxed);
        let phase = match word & 0b11 {
            0 => Phase::AwaitingFirstRequest,
            1 => Phase::Busy,
            _ => Phase::Idle,
        };
        Activity {
            phase,
            since: self.start + Duration::from_nanos(word >> 2),
        }
    }
}

/// Events for a connection's task, as bits of [`Control::events`].
mod event {
    /// The watchdog's timer fired (set at the start too, so the first poll arms it).
    pub const WATCHDOG: u8 = 1;
    /// Evicted at the connection cap: close now.
    pub const EVICT: u8 = 2;
    /// The server is stopping: finish the request in progress, then close.
    pub const SHUT_DOWN: u8 = 4;
}

/// What the registry, the watchdog's timer and a connection's task share about one connection.
struct Control {
    activity: ActivityCell,
    /// [`event`] bits not yet seen by the connection's task.
    events: AtomicU8,
    /// The connection's task, woken when an event is signalled.
    task: AtomicWaker,
}

impl Control {
    fn new(start: Instant) -> Self {
        Control {
            activity: ActivityCell::new(start),
            events: AtomicU8::new(event::WATCHDOG),
            task: AtomicWaker::new(),
        }
    }

    fn signal(&self, events: u8) {
        self.events.fetch_or(events, Ordering::Release);
        self.task.wake();
    }
}

/// The waker the watchdog's timer is polled with: when the timer fires, the connection's task
/// is woken with [`event::WATCHDOG`] set, so it polls the timer only then and not on every
/// request.
impl Wake for Control {
    fn wake(self: Arc<Self>) {
        self.signal(event::WATCHDOG);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.signal(event::WATCHDOG);
    }
}

/// The open connections and their limits.
pub struct Connections {
    limits: Limits,
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Control>>>,
    /// Notified when the last open connection closes.
    drained: Notify,
    cap_log: RateLimit,
}

impl Connections {
    /// No connections yet.
    pub fn new(limits: Limits) -> Arc<Self> {
        Arc::new(Connections {
            limits,
            next_id: AtomicU64::new(0),
            open: Mutex::new(HashMap::new()),
            drained: Notify::new(),
            cap_log: RateLimit::new(Duration::from_secs(1)),
        })
    }

    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Control>>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a new connection, evicting the longest-waiting one at the cap. `None`: the cap
    /// is reached and every open connection is busy, so the new one must be closed.
    pub fn admit(self: &Arc<Self>) -> Option<Connection> {
        let now = Instant::now();
        let mut open = self.open();
        if open.len() >= self.limits.max_connections {
            let victim = open
                .iter()
                .filter(|(_, c)| c.activity.get().phase != Phase::Busy)
                .min_by_key(|(_, c)| c.activity.get().since)
                .map(|(id, _)| *id);
            if let Some(n) = self.cap_log.hit(std::time::Instant::now()) {
                tracing::warn!(
                    limit = self.limits.max_connections,
                    times = n,
                    "connection limit reached; {}",
                    if victim.is_some() {
                        "closing the connection that has waited longest without a request"
                    } else {
                        "every connection is busy, closing the new one"
                    }
                );
            }
            let victim = victim?;
            if let Some(c) = open.remove(&victim) {
                c.signal(event::EVICT);
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let control = Arc::new(Control::new(now));
        open.insert(id, Arc::clone(&control));
        Some(Connection {
            id,
            connections: Arc::clone(self),
            control,
        })
    }

    /// Asks every open connection to finish the request in progress and close; completes when
    /// none is open.
    pub async fn shut_down(&self) {
        loop {
            // Created before the check, so a close between the check and the wait still wakes it.
            let drained = self.drained.notified();
            {
                let open = self.open();
                if open.is_empty() {
                    return;
                }
                for c in open.values() {
                    c.signal(event::SHUT_DOWN);
                }
            }
            drained.await;
        }
    }

    /// How many connections are open.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.open().len()
    }
}

/// One admitted connection; it leaves the registry when dropped.
pub struct Connection {
    id: u64,
    connections: Arc<Connections>,
    control: Arc<Control>,
}

/// Marks a connection busy while a request is answered (given to the request handler).
#[derive(Clone)]
pub struct ActivityMarker(Arc<Control>);

impl ActivityMarker {
    /// A request head arrived.
    pub fn busy(&self) {
        self.0.activity.set_busy();
    }
    /// The answer is out; the connection waits for the next request.
    pub fn idle(&self) {
        self.0.activity.set(Phase::Idle);
    }
}

/// Why a connection was closed by `serve` rather than by its peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// No complete request head within the header timeout.
    HeaderTimeout,
    /// No new request within the idle timeout.
    IdleTimeout,
    /// Evicted at the connection cap.
    Evicted,
}

/// A connection that can be asked to finish the request in progress and close: hyper's
/// connections (through hyper-util's [`GracefulConnection`]).
pub trait Graceful: Future {
    /// Starts closing: no new request is read, the one in progress is answered.
    fn graceful_shutdown(self: Pin<&mut Self>);
}

impl<C: GracefulConnection> Graceful for C {
    fn graceful_shutdown(self: Pin<&mut Self>) {
        GracefulConnection::graceful_shutdown(self);
    }
}

impl Connection {
    /// The handle the request handler uses to mark the connection busy and idle.
    pub fn marker(&self) -> ActivityMarker {
        ActivityMarker(Arc::clone(&self.control))
    }

    /// Runs `conn` (the HTTP connection) until it ends, or until a timeout or eviction closes it
    /// (by dropping it, which closes the socket). A shutdown asks it to close gracefully.
    pub fn run<F: Graceful>(self, conn: F) -> Guarded<F> {
        let start = self.control.activity.start;
        let header_deadline = start + self.connections.limits.header_timeout;
        Guarded {
            conn,
            watchdog: Watchdog {
                sleep: Box::pin(tokio::time::sleep_until(header_deadline)),
                waker: Waker::from(Arc::clone(&self.control)),
            },
            closing: false,
            connection: self,
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let mut open = self.connections.open();
        open.remove(&self.id);
        if open.is_empty() {
            self.connections.drained.notify_waiters();
        }
    }
}

pin_project_lite::pin_project! {
    /// A connection's HTTP future under its limits ([`Connection::run`]).
    ///
    /// Each poll registers the task's waker and reads the event word; only when an event is set
    /// does it do more (close, start a graceful shutdown, or re-read the activity and re-arm the
    /// watchdog's timer). The HTTP future is polled otherwise as if alone, and is kept inline
    /// (polled every request, it stays in the task's own memory).
    pub struct Guarded<F> {
        #[pin]
        conn: F,
        watchdog: Watchdog,
        // A graceful shutdown has been started.
        closing: bool,
        connection: Connection,
    }
}

/// The timer behind a connection's timeouts.
struct Watchdog {
    /// Fires at the current phase's deadline (re-armed each time it fires). Boxed: it is polled
    /// only when it fired.
    sleep: Pin<Box<Sleep>>,
    /// Polls `sleep` so that its firing sets [`event::WATCHDOG`].
    waker: Waker,
}

impl Watchdog {
    /// On a watchdog event: `Some` if the connection is past its deadline, otherwise re-arms the
    /// timer for the current phase's deadline.
    fn check(&mut self, control: &Control, limits: Limits) -> Option<Closed> {
        loop {
            let wake = match next_deadline(control.activity.get(), limits, Instant::now()) {
                Ok(wake) => wake,
                Err(why) => return Some(why),
            };
            self.sleep.as_mut().reset(wake);
            let mut cx = Context::from_waker(&self.waker);
            if self.sleep.as_mut().poll(&mut cx).is_pending() {
                return None;
            }
        }
    }
}

impl<F: Graceful> Future for Guarded<F> {
    type Output = Result<F::Output, Closed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let control = &this.connection.control;
        // Registered before reading the events, so an event signalled after the read wakes us.
        control.task.register(cx.waker());
        if control.events.load(Ordering::Acquire) != 0 {
            let events = control.events.swap(0, Ordering::Acquire);
            if events & event::EVICT != 0 {
                return Poll::Ready(Err(Closed::Evicted));
            }
            if events & event::SHUT_DOWN != 0 && !*this.closing {
                *this.closing = true;
                this.conn.as_mut().graceful_shutdown();
            }
            if events & event::WATCHDOG != 0 {
                let limits = this.connection.connections.limits;
                if let Some(why) = this.watchdog.check(control, limits) {
                    return Poll::Ready(Err(why));
                }
            }
        }
        this.conn.poll(cx).map(Ok)
    }
}

/// When the connection should next be looked at, or why it must close now.
///
/// Exact: a connection idle since `s` is closed at `s + limit`, never earlier (each wake-up
/// re-reads the activity and sleeps on to the current phase's deadline). While a request is in
/// progress it re-checks every `idle_timeout`: a request that ends later cannot make the
/// connection due before `idle_timeout` after that.
fn next_deadline(a: Activity, limits: Limits, now: Instant) -> Result<Instant, Closed> {
    match a.phase {
        Phase::Busy => Ok(now + limits.idle_timeout),
        Phase::AwaitingFirstRequest if now >= a.since + limits.header_timeout => {
            Err(Closed::HeaderTimeout)
        }
        Phase::Idle if now >= a.since + limits.idle_timeout => Err(Closed::IdleTimeout),
        Phase::AwaitingFirstRequest => Ok(a.since + limits.header_timeout),
        Phase::Idle => Ok(a.since + limits.idle_timeout),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max: usize) -> Limits {
        Limits {
            max_connections: max,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
        }
    }

    /// A peer that never sends anything; counts the graceful shutdowns asked of it, and ends
    /// at the first one when `ends_on_shutdown`.
    #[derive(Default)]
    struct Stalled {
        shutdowns: Arc<AtomicU8>,
        ends_on_shutdown: bool,
    }

    impl Future for Stalled {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            if self.ends_on_shutdown && self.shutdowns.load(Ordering::Relaxed) > 0 {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }
    }

    impl Graceful for Stalled {
        fn graceful_shutdown(self: Pin<&mut Self>) {
            self.shutdowns.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_connection_is_closed_at_the_header_timeout() {
        let c = Connections::new(limits(4));
        let conn = c.admit().unwrap();
        let started = Instant::now();
        let r = conn.run(Stalled::default()).await;
        assert_eq!(r, Err(Closed::HeaderTimeout));
        assert_eq!(started.elapsed(), Duration::from_secs(10));
        assert_eq!(c.len(), 0);
    }

    /// A new connection to `c` with a stalled peer, run in its own task: its marker, when it
    /// started, and the task.
    fn spawn_stalled(
        c: &Arc<Connections>,
    ) -> (
        ActivityMarker,
        Instant,
        tokio::task::JoinHandle<Result<(), Closed>>,
    ) {
        let conn = c.admit().unwrap();
        let marker = conn.marker();
        (
            marker,
            Instant::now(),
            tokio::spawn(conn.run(Stalled::default())),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn busy_connections_are_not_cut_and_idle_ones_are() {
        let (marker, started, task) = spawn_stalled(&Connections::new(limits(4)));
        marker.busy();
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert!(!task.is_finished(), "a request in progress is never cut");
        marker.idle();
        assert_eq!(task.await.unwrap(), Err(Closed::IdleTimeout));
        assert_eq!(started.elapsed(), Duration::from_secs(660));
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_moves_the_idle_deadline() {
        let (marker, started, task) = spawn_stalled(&Connections::new(limits(4)));
        tokio::time::sleep(Duration::from_secs(5)).await;
        marker.busy();
        marker.idle();
        assert_eq!(task.await.unwrap(), Err(Closed::IdleTimeout));
        assert_eq!(started.elapsed(), Duration::from_secs(65));
    }

    #[tokio::test(start_paused = true)]
    async fn the_cap_evicts_the_longest_waiting_connection() {
        let c = Connections::new(limits(2));
        let oldest = c.admit().unwrap();
        tokio::time::advance(Duration::from_millis(10)).await;
        let busy = c.admit().unwrap();
        busy.marker().busy();
        tokio::time::advance(Duration::from_millis(10)).await;
        let newest = c.admit().expect("room made by eviction");
        assert_eq!(c.len(), 2);
        assert_eq!(oldest.run(Stalled::default()).await, Err(Closed::Evicted));
        // Only busy connections left besides the newest one, which is now the oldest waiting.
        newest.marker().busy();
        assert!(c.admit().is_none(), "every open connection is busy");
        drop((busy, newest));
        assert_eq!(c.len(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_running_connection_is_woken_to_be_evicted() {
        let c = Connections::new(limits(1));
        let running = tokio::spawn(c.admit().unwrap().run(Stalled::default()));
        tokio::task::yield_now().await;
        assert!(!running.is_finished());
        let _newest = c.admit().expect("room made by eviction");
        assert_eq!(running.await.unwrap(), Err(Closed::Evicted));
        assert_eq!(c.len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn shut_down_asks_each_connection_once_and_waits_for_all() {
        let c = Connections::new(limits(4));
        let asked: Vec<Arc<AtomicU8>> = (0..3).map(|_| Arc::default()).collect();
        let tasks: Vec<_> = asked
            .iter()
            .map(|shutdowns| {
                let conn = Stalled {
                    shutdowns: Arc::clone(shutdowns),
                    ends_on_shutdown: true,
                };
                tokio::spawn(c.admit().unwrap().run(conn))
            })
            .collect();
        tokio::task::yield_now().await;
        let started = Instant::now();
        c.shut_down().await;
        assert_eq!(c.len(), 0);
        assert_eq!(
            started.elapsed(),
            Duration::ZERO,
            "closed without a timeout"
        );
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(()));
        }
        for a in &asked {
            assert_eq!(a.load(Ordering::Relaxed), 1);
        }
        // Nothing open: returns at once.
        c.shut_down().await;
    }
}
