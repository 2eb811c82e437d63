//! Prints how the refreshing cache behaves when callers give up, when the upstream keeps failing,
//! and when the wall clock jumps back. The figures in BENCHMARKS.md ("Always serve") come from
//! this program.
//!
//! Run: `cargo run -p credchain --example cache_under_pressure`

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use credchain::cache::{RefreshPolicy, RefreshingCache};
use credchain::context::{Clock, ManualClock, SystemClock};
use credchain::{Credentials, Error, ErrorKind, ProvideCredentials, ProvideFuture};

/// An upstream that takes `latency` per fetch, then answers 1-hour credentials or fails.
#[derive(Debug)]
struct Upstream {
    clock: Arc<dyn Clock>,
    latency: Duration,
    fail: AtomicBool,
    started: AtomicU64,
    finished: AtomicU64,
}

impl Upstream {
    fn new(clock: Arc<dyn Clock>, latency: Duration) -> Arc<Self> {
        Arc::new(Upstream {
            clock,
            latency,
            fail: AtomicBool::new(false),
            started: AtomicU64::new(0),
            finished: AtomicU64::new(0),
        })
    }
}

impl ProvideCredentials for Upstream {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let n = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        ProvideFuture::new(async move {
            tokio::time::sleep(self.latency).await;
            self.finished.fetch_add(1, Ordering::SeqCst);
            if self.fail.load(Ordering::SeqCst) {
                return Err(Error::new(ErrorKind::Service, "upstream says no").with_status(503));
            }
            Ok(Credentials::builder(format!("STS.id{n}"), "secret")
                .security_token("token")
                .expiration(self.clock.now() + Duration::from_secs(3600))
                .build())
        })
    }
    fn name(&self) -> &str {
        "upstream"
    }
}

/// 10 callers in turn, each giving up after 100 ms, while a fetch takes 300 ms.
async fn impatient_callers() {
    let upstream = Upstream::new(Arc::new(SystemClock), Duration::from_millis(300));
    let cache = RefreshingCache::new(upstream.clone(), RefreshPolicy::STS, Arc::new(SystemClock));
    let mut ok = 0;
    for _ in 0..10 {
        let r = tokio::time::timeout(Duration::from_millis(100), cache.provide_credentials()).await;
        if matches!(r, Ok(Ok(_))) {
            ok += 1;
        }
    }
    println!(
        "impatient callers: 10 callers x 100 ms timeout, 300 ms fetch -> {ok} successes, {} fetches started, {} finished",
        upstream.started.load(Ordering::SeqCst),
        upstream.finished.load(Ordering::SeqCst)
    );
}

/// 50 clients, each calling every 50 ms for 4 s, against an upstream that always fails (10 ms).
async fn failing_upstream() {
    let upstream = Upstream::new(Arc::new(SystemClock), Duration::from_millis(10));
    upstream.fail.store(true, Ordering::SeqCst);
    let cache = RefreshingCache::new(upstream.clone(), RefreshPolicy::STS, Arc::new(SystemClock));
    let deadline = Instant::now() + Duration::from_secs(4);
    let errors = Arc::new(AtomicU64::new(0));
    let clients: Vec<_> = (0..50)
        .map(|_| {
            let (cache, errors) = (cache.clone(), errors.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    if cache.provide_credentials().await.is_err() {
                        errors.fetch_add(1, Ordering::SeqCst);
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
        })
        .collect();
    for c in clients {
        let _ = c.await;
    }
    println!(
        "failing upstream: 50 clients every 50 ms for 4 s -> {} upstream calls, {} errors returned",
        upstream.started.load(Ordering::SeqCst),
        errors.load(Ordering::SeqCst)
    );
}

/// 1-hour credentials; 2 hours pass, during which the wall clock is set back 6 hours.
async fn clock_set_back() {
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let clock = ManualClock::new(start);
    let upstream = Upstream::new(Arc::new(clock.clone()), Duration::ZERO);
    let cache = RefreshingCache::new(
        upstream.clone(),
        RefreshPolicy::STS,
        Arc::new(clock.clone()),
    );
    let first = cache.provide_credentials().await.unwrap();
    clock.advance(Duration::from_secs(2 * 3600));
    clock.set(clock.now() - Duration::from_secs(6 * 3600));
    let second = cache.provide_credentials().await.unwrap();
    let served_expired = second.access_key_id() == first.access_key_id();
    println!(
        "clock set back 6 h after 2 h: served the really expired credentials: {}",
        if served_expired { "yes" } else { "no" }
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    impatient_callers().await;
    failing_upstream().await;
    clock_set_back().await;
}
