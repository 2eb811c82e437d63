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

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

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
    since: Instant,
}

/// A connection's current [`Activity`], packed into one word: the phase in the low two bits, the
/// nanoseconds from the connection's start to the phase change in the rest.
///
/// Marking a request busy or idle is a clock read and a store: nobody is woken. The watchdog
/// ([`deadline`]) reads the cell only when its own timer fires, so a keep-alive connection
/// answering thousands of requests a second costs one timer wake-up per timeout period, not
/// two task wake-ups per request (a `watch` channel did that; BENCHMARKS.md, "Serve", has what
/// the change bought).
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

    fn set(&self, phase: Phase) {
        let nanos = Instant::now()
            .saturating_duration_since(self.start)
            .as_nanos();
        // 2^62 ns is 146 years: the shift cannot lose a connection's age.
        let nanos = u64::try_from(nanos).unwrap_or(u64::MAX >> 2);
        self.word
            .store(nanos << 2 | phase as u64, Ordering::Relaxed);
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

struct Tracked {
    activity: Arc<ActivityCell>,
    evict: oneshot::Sender<()>,
}

/// The open connections and their limits.
pub struct Connections {
    limits: Limits,
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Tracked>>,
    cap_log: RateLimit,
}

impl Connections {
    /// No connections yet.
    pub fn new(limits: Limits) -> Arc<Self> {
        Arc::new(Connections {
            limits,
            next_id: AtomicU64::new(0),
            open: Mutex::new(HashMap::new()),
            cap_log: RateLimit::new(Duration::from_secs(1)),
        })
    }

    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Tracked>> {
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
                .filter(|(_, t)| t.activity.get().phase != Phase::Busy)
                .min_by_key(|(_, t)| t.activity.get().since)
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
            if let Some(t) = open.remove(&victim) {
                let _ = t.evict.send(());
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let activity = Arc::new(ActivityCell::new(now));
        let (evict, evicted) = oneshot::channel();
        open.insert(
            id,
            Tracked {
                activity: Arc::clone(&activity),
                evict,
            },
        );
        Some(Connection {
            id,
            connections: Arc::clone(self),
            activity,
            evicted,
        })
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
    activity: Arc<ActivityCell>,
    evicted: oneshot::Receiver<()>,
}

/// Marks a connection busy while a request is answered (given to the request handler).
#[derive(Clone)]
pub struct ActivityMarker(Arc<ActivityCell>);

impl ActivityMarker {
    /// A request head arrived.
    pub fn busy(&self) {
        self.set(Phase::Busy);
    }
    /// The answer is out; the connection waits for the next request.
    pub fn idle(&self) {
        self.set(Phase::Idle);
    }
    fn set(&self, phase: Phase) {
        self.0.set(phase);
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

impl Connection {
    /// The handle the request handler uses to mark the connection busy and idle.
    pub fn marker(&self) -> ActivityMarker {
        ActivityMarker(Arc::clone(&self.activity))
    }

    /// Runs `conn` (the HTTP connection) until it ends, or until a timeout or eviction closes it
    /// (by dropping it, which closes the socket).
    pub async fn run<F: Future>(mut self, conn: F) -> Result<F::Output, Closed> {
        let limits = self.connections.limits;
        let watchdog = deadline(&self.activity, limits);
        tokio::select! {
            out = conn => Ok(out),
            why = watchdog => Err(why),
            _ = &mut self.evicted => Err(Closed::Evicted),
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.connections.open().remove(&self.id);
    }
}

/// Completes when the connection has spent too long without a request in progress.
///
/// It polls the activity cell on its own timer instead of being told of each change, and is
/// still exact: a connection idle since `s` is closed at `s + limit`, never earlier (each wake-up
/// re-reads the cell and sleeps on to the current phase's deadline). While a request is in
/// progress it re-checks every `idle_timeout`: a request that ends later cannot make the
/// connection due before `idle_timeout` after that.
async fn deadline(activity: &ActivityCell, limits: Limits) -> Closed {
    loop {
        let a = activity.get();
        let now = Instant::now();
        let wake = match a.phase {
            Phase::Busy => now + limits.idle_timeout,
            Phase::AwaitingFirstRequest if now >= a.since + limits.header_timeout => {
                return Closed::HeaderTimeout
            }
            Phase::Idle if now >= a.since + limits.idle_timeout => return Closed::IdleTimeout,
            Phase::AwaitingFirstRequest => a.since + limits.header_timeout,
            Phase::Idle => a.since + limits.idle_timeout,
        };
        tokio::time::sleep_until(wake).await;
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

    #[tokio::test(start_paused = true)]
    async fn a_silent_connection_is_closed_at_the_header_timeout() {
        let c = Connections::new(limits(4));
        let conn = c.admit().unwrap();
        let started = Instant::now();
        let r = conn.run(std::future::pending::<()>()).await;
        assert_eq!(r, Err(Closed::HeaderTimeout));
        assert_eq!(started.elapsed(), Duration::from_secs(10));
        assert_eq!(c.len(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn busy_connections_are_not_cut_and_idle_ones_are() {
        let c = Connections::new(limits(4));
        let conn = c.admit().unwrap();
        let marker = conn.marker();
        let started = Instant::now();
        let task = tokio::spawn(conn.run(std::future::pending::<()>()));
        marker.busy();
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert!(!task.is_finished(), "a request in progress is never cut");
        marker.idle();
        assert_eq!(task.await.unwrap(), Err(Closed::IdleTimeout));
        assert_eq!(started.elapsed(), Duration::from_secs(660));
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
        assert_eq!(
            oldest.run(std::future::pending::<()>()).await,
            Err(Closed::Evicted)
        );
        // Only busy connections left besides the newest one, which is now the oldest waiting.
        newest.marker().busy();
        assert!(c.admit().is_none(), "every open connection is busy");
        drop((busy, newest));
        assert_eq!(c.len(), 0);
    }
}
