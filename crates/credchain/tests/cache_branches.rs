//! Every branch of the refreshing cache (`docs/architecture.md#refresh-policy`), driven by a manual
//! clock.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use credchain::cache::{RefreshPolicy, RefreshingCache};
use credchain::context::{Clock, ManualClock};
use credchain::{Credentials, Error, ErrorKind, ProvideCredentials, ProvideFuture};
use tokio::sync::Semaphore;

const HOUR: Duration = Duration::from_secs(3600);
const MIN: Duration = Duration::from_secs(60);

/// A source whose answers the test controls.
#[derive(Debug)]
struct Scripted {
    clock: ManualClock,
    lifetime: Mutex<Duration>,
    fail: AtomicBool,
    expired: AtomicBool,
    /// When set, the next fetch panics.
    panic_once: AtomicBool,
    /// How long each fetch takes (Tokio time).
    latency: Mutex<Duration>,
    /// When set, each fetch waits for one permit.
    gate: Option<Arc<Semaphore>>,
    calls: AtomicU64,
}

impl Scripted {
    fn new(clock: &ManualClock) -> Arc<Self> {
        Arc::new(Scripted {
            clock: clock.clone(),
            lifetime: Mutex::new(HOUR),
            fail: AtomicBool::new(false),
            expired: AtomicBool::new(false),
            panic_once: AtomicBool::new(false),
            latency: Mutex::new(Duration::ZERO),
            gate: None,
            calls: AtomicU64::new(0),
        })
    }
    fn gated(clock: &ManualClock, gate: Arc<Semaphore>) -> Arc<Self> {
        let mut s = Arc::into_inner(Scripted::new(clock)).unwrap();
        s.gate = Some(gate);
        Arc::new(s)
    }
    fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }
}

impl ProvideCredentials for Scripted {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        ProvideFuture::new(async move {
            if self.panic_once.swap(false, Ordering::SeqCst) {
                panic!("scripted source panics");
            }
            let latency = *self.latency.lock().unwrap();
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            if let Some(g) = &self.gate {
                g.acquire().await.unwrap().forget();
            }
            if self.fail.load(Ordering::SeqCst) {
                return Err(Error::new(ErrorKind::Service, "STS said no").with_status(503));
            }
            let now = self.clock.now();
            let exp = if self.expired.load(Ordering::SeqCst) {
                now - HOUR
            } else {
                now + *self.lifetime.lock().unwrap()
            };
            Ok(Credentials::builder(format!("id{n}"), "secret")
                .expiration(exp)
                .provider_name("scripted")
                .build())
        })
    }
    fn name(&self) -> &str {
        "scripted"
    }
}

fn setup(policy: RefreshPolicy) -> (ManualClock, Arc<Scripted>, RefreshingCache<Arc<Scripted>>) {
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let source = Scripted::new(&clock);
    let cache = RefreshingCache::new(
        source.clone(),
        policy.without_jitter(),
        Arc::new(clock.clone()),
    );
    (clock, source, cache)
}

async fn id(cache: &RefreshingCache<Arc<Scripted>>) -> String {
    cache
        .provide_credentials()
        .await
        .unwrap()
        .access_key_id()
        .to_string()
}

#[tokio::test]
async fn warm_cache_does_not_fetch_again() {
    let (clock, source, cache) = setup(RefreshPolicy::STS);
    assert_eq!(id(&cache).await, "id1");
    clock.advance(30 * MIN);
    assert_eq!(id(&cache).await, "id1");
    assert_eq!(source.calls(), 1);
}

#[tokio::test]
async fn first_fetch_fails_then_recovers() {
    let (clock, source, cache) = setup(RefreshPolicy::STS);
    source.fail.store(true, Ordering::SeqCst);
    let e = cache.provide_credentials().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert_eq!(e.status(), Some(503));
    // Nothing cached: callers within the back-off (1 s) get the same error, without a fetch.
    source.fail.store(false, Ordering::SeqCst);
    let e = cache.provide_credentials().await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(source.calls(), 1);
    clock.advance(Duration::from_millis(1001));
    assert_eq!(id(&cache).await, "id2");
}

#[tokio::test]
async fn refresh_failure_while_valid_serves_cached_with_backoff() {
    let (clock, source, cache) = setup(RefreshPolicy::STS);
    assert_eq!(id(&cache).await, "id1");
    source.fail.store(true, Ordering::SeqCst);
    // Past the stale point (5 min before expiry), still valid.
    clock.advance(HOUR - 4 * MIN);
    assert_eq!(
        id(&cache).await,
        "id1",
        "stale-if-error serves the cached credentials"
    );
    assert_eq!(source.calls(), 2);
    // Within the back-off (1 s after the first failure) no new attempt is made.
    assert_eq!(id(&cache).await, "id1");
    assert_eq!(source.calls(), 2);
    // After the back-off, another attempt; still failing, still served.
    clock.advance(Duration::from_secs(2));
    assert_eq!(id(&cache).await, "id1");
    assert_eq!(source.calls(), 3);
    // Back-off doubles: 2 s now.
    clock.advance(Duration::from_millis(1500));
    assert_eq!(id(&cache).await, "id1");
    assert_eq!(source.calls(), 3);
    // The server recovers.
    source.fail.store(false, Ordering::SeqCst);
    clock.advance(Duration::from_secs(1));
    assert_eq!(id(&cache).await, "id4");
}

#[tokio::test]
async fn refresh_failure_after_expiry_surfaces_the_error() {
    let (clock, source, cache) = setup(RefreshPolicy::STS);
    assert_eq!(id(&cache).await, "id1");
    source.fail.store(true, Ordering::SeqCst);
    clock.advance(HOUR + Duration::from_secs(1));
    let e = cache.provide_credentials().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert!(
        cache.cached().is_none(),
        "expired credentials are never handed out"
    );
}

#[tokio::test]
async fn already_expired_answers_are_rejected() {
    let (clock, source, cache) = setup(RefreshPolicy::STS);
    // No cache: the caller gets a clear error.
    source.expired.store(true, Ordering::SeqCst);
    let e = cache.provide_credentials().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expired);
    assert!(e.to_string().contains("already expired"), "{e}");
    // A valid cache: it keeps being served.
    source.expired.store(false, Ordering::SeqCst);
    clock.advance(Duration::from_secs(2)); // past the back-off of the failed fetch
    assert_eq!(id(&cache).await, "id2");
    source.expired.store(true, Ordering::SeqCst);
    clock.advance(HOUR - 2 * MIN);
    assert_eq!(id(&cache).await, "id2");
    assert_eq!(source.calls(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callers_at_expiry_cause_one_fetch() {
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let gate = Arc::new(Semaphore::new(1));
    let source = Scripted::gated(&clock, gate.clone());
    let cache = RefreshingCache::new(
        source.clone(),
        RefreshPolicy::STS.without_jitter(),
        Arc::new(clock.clone()),
    );
    assert_eq!(
        cache.provide_credentials().await.unwrap().access_key_id(),
        "id1"
    );
    clock.advance(HOUR + MIN); // expired: everyone must wait for the refresh
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move {
                cache
                    .provide_credentials()
                    .await
                    .map(|c| c.access_key_id().to_string())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await; // let them all queue
    gate.add_permits(1);
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), "id2");
    }
    assert_eq!(
        source.calls(),
        2,
        "one initial fetch and exactly one refresh"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_failed_fetch() {
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
    let gate = Arc::new(Semaphore::new(0));
    let source = Scripted::gated(&clock, gate.clone());
    source.fail.store(true, Ordering::SeqCst);
    let cache = RefreshingCache::new(source.clone(), RefreshPolicy::STS, Arc::new(clock.clone()));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.provide_credentials().await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    gate.add_permits(1000);
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap_err().kind(), ErrorKind::Service);
    }
    assert_eq!(
        source.calls(),
        1,
        "waiters take the failed attempt's outcome"
    );
}

#[tokio::test]
async fn a_cancelled_caller_does_not_cancel_the_shared_fetch() {
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
    let gate = Arc::new(Semaphore::new(0));
    let source = Scripted::gated(&clock, gate.clone());
    let cache = RefreshingCache::new(source.clone(), RefreshPolicy::STS, Arc::new(clock.clone()));
    // The first caller's fetch hangs; the caller gives up.
    let r = tokio::time::timeout(Duration::from_millis(20), cache.provide_credentials()).await;
    assert!(r.is_err(), "the first caller timed out");
    // The fetch it started goes on; the next caller takes its outcome instead of starting over.
    gate.add_permits(1);
    let c = tokio::time::timeout(Duration::from_secs(2), cache.provide_credentials()).await;
    assert_eq!(c.expect("not wedged").unwrap().access_key_id(), "id1");
    assert_eq!(source.calls(), 1, "one fetch, finished for the next caller");
}

#[tokio::test(start_paused = true)]
async fn impatient_callers_share_one_fetch_that_finishes() {
    let (_clock, source, cache) = setup(RefreshPolicy::STS);
    *source.latency.lock().unwrap() = Duration::from_millis(300);
    // Ten callers in turn, each giving up after 100 ms, while a fetch takes 300 ms.
    let mut answers = Vec::new();
    for _ in 0..10 {
        let r = tokio::time::timeout(Duration::from_millis(100), cache.provide_credentials()).await;
        answers.push(r.ok().and_then(|r| r.ok()).map(|c| c.access_key_id().to_string()));
    }
    assert_eq!(source.calls(), 1, "nobody started over: {answers:?}");
    assert_eq!(answers[0], None, "the first caller gave up");
    assert_eq!(answers[9].as_deref(), Some("id1"), "{answers:?}");
    assert!(answers.iter().flatten().all(|a| a == "id1"));
}

#[tokio::test(start_paused = true)]
async fn stale_window_waits_at_most_the_bound_then_serves_valid_credentials() {
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let gate = Arc::new(Semaphore::new(1));
    let source = Scripted::gated(&clock, gate.clone());
    let policy = RefreshPolicy::STS.without_jitter();
    let cache = RefreshingCache::new(source.clone(), policy, Arc::new(clock.clone()));
    assert_eq!(id(&cache).await, "id1");
    clock.advance(HOUR - 4 * MIN); // past the stale point, still valid; the refresh hangs
    for _ in 0..3 {
        let started = tokio::time::Instant::now();
        let c = tokio::time::timeout(Duration::from_secs(60), cache.provide_credentials())
            .await
            .expect("a caller in the stale window is not held until the refresh ends");
        assert_eq!(c.unwrap().access_key_id(), "id1");
        assert!(started.elapsed() >= policy.stale_wait, "it waited for the refresh first");
        assert!(started.elapsed() < Duration::from_secs(1));
    }
    assert_eq!(source.calls(), 2, "one refresh in flight, shared");
    // The refresh finishes in its own task; later callers get its result without a new fetch.
    gate.add_permits(1);
    for _ in 0..100 {
        if cache.cached().is_some_and(|c| c.access_key_id() == "id2") {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(id(&cache).await, "id2");
    assert_eq!(source.calls(), 2);
}

#[tokio::test]
async fn a_failing_upstream_is_not_hit_on_every_call_before_or_after_expiry() {
    let (clock, source, cache) = setup(RefreshPolicy::STS);
    // No credentials yet.
    source.fail.store(true, Ordering::SeqCst);
    for _ in 0..20 {
        let e = cache.provide_credentials().await.unwrap_err();
        assert_eq!((e.kind(), e.status()), (ErrorKind::Service, Some(503)));
    }
    assert_eq!(source.calls(), 1, "one error shared during the back-off");
    clock.advance(Duration::from_millis(1001));
    cache.provide_credentials().await.unwrap_err();
    assert_eq!(source.calls(), 2);
    // The back-off doubles: 2 s.
    clock.advance(Duration::from_millis(1500));
    cache.provide_credentials().await.unwrap_err();
    assert_eq!(source.calls(), 2);
    clock.advance(Duration::from_millis(600));
    source.fail.store(false, Ordering::SeqCst);
    assert_eq!(id(&cache).await, "id3");
    // Expired, upstream failing again: the same back-off.
    source.fail.store(true, Ordering::SeqCst);
    clock.advance(HOUR + MIN);
    for _ in 0..20 {
        assert!(cache.provide_credentials().await.is_err());
    }
    assert_eq!(source.calls(), 4);
    clock.advance(Duration::from_millis(1001));
    assert!(cache.provide_credentials().await.is_err());
    assert_eq!(source.calls(), 5);
    // A forced refresh ignores the back-off (its caller knows the credentials are bad).
    source.fail.store(false, Ordering::SeqCst);
    assert_eq!(
        cache.refresh().await.unwrap().access_key_id(),
        "id6",
        "forced"
    );
}

#[tokio::test]
async fn setting_the_wall_clock_back_does_not_revive_expired_credentials() {
    let (clock, source, cache) = setup(RefreshPolicy::STS);
    assert_eq!(id(&cache).await, "id1");
    // Two hours pass (the 1-hour credentials expire), and the system time is set back 6 hours.
    clock.advance(2 * HOUR);
    clock.set(clock.now() - 6 * HOUR);
    assert!(cache.cached().is_none(), "expired, whatever the wall clock says");
    assert_eq!(id(&cache).await, "id2");
    assert_eq!(source.calls(), 2);
}

#[tokio::test]
async fn setting_the_wall_clock_forward_does_not_expire_valid_credentials() {
    let (clock, source, cache) = setup(RefreshPolicy::STS);
    assert_eq!(id(&cache).await, "id1");
    clock.advance(10 * MIN);
    clock.set(clock.now() + 6 * HOUR);
    assert_eq!(id(&cache).await, "id1", "50 minutes of lifetime are left");
    assert_eq!(source.calls(), 1);
}

#[tokio::test]
async fn a_panicking_source_does_not_wedge_the_cache() {
    let (clock, source, cache) = setup(RefreshPolicy::STS);
    source.panic_once.store(true, Ordering::SeqCst);
    let e = cache.provide_credentials().await.unwrap_err();
    assert!(e.to_string().contains("panicked"), "{e}");
    clock.advance(Duration::from_secs(2));
    assert_eq!(id(&cache).await, "id2");
}

/// Polls `f` to completion on this thread, with no Tokio runtime anywhere.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Arc::new(Unpark(std::thread::current())).into();
    let mut cx = std::task::Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

#[test]
fn works_without_a_tokio_runtime() {
    let (clock, source, cache) = setup(RefreshPolicy::STS);
    assert_eq!(block_on(id(&cache)), "id1");
    clock.advance(HOUR - 10 * MIN); // prefetch window: no runtime to refresh on, keep serving
    assert_eq!(block_on(id(&cache)), "id1");
    clock.advance(6 * MIN); // stale: the caller drives the refresh itself
    assert_eq!(block_on(id(&cache)), "id2");
    clock.advance(2 * HOUR);
    assert_eq!(block_on(id(&cache)), "id3");
    assert_eq!(source.calls(), 3);
}

#[tokio::test]
async fn past_prefetch_point_refreshes_in_the_background() {
    let (clock, source, cache) = setup(RefreshPolicy::STS);
    assert_eq!(id(&cache).await, "id1");
    clock.advance(HOUR - 10 * MIN); // past prefetch (15 min), before stale (5 min)
    assert_eq!(id(&cache).await, "id1", "callers keep the cached value");
    for _ in 0..100 {
        tokio::task::yield_now().await;
        if source.calls() == 2 && cache.cached().unwrap().access_key_id() == "id2" {
            break;
        }
    }
    assert_eq!(source.calls(), 2);
    assert_eq!(id(&cache).await, "id2");
    assert_eq!(source.calls(), 2);
}

#[tokio::test]
async fn failed_background_refresh_backs_off() {
    let (clock, source, cache) = setup(RefreshPolicy::STS);
    assert_eq!(id(&cache).await, "id1");
    source.fail.store(true, Ordering::SeqCst);
    clock.advance(HOUR - 10 * MIN);
    assert_eq!(id(&cache).await, "id1");
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    assert_eq!(source.calls(), 2);
    for _ in 0..20 {
        assert_eq!(id(&cache).await, "id1");
        tokio::task::yield_now().await;
    }
    assert_eq!(source.calls(), 2, "no new attempt inside the back-off");
}

#[tokio::test]
async fn instance_metadata_refreshes_an_hour_after_retrieval() {
    let (clock, source, cache) = setup(RefreshPolicy::INSTANCE_METADATA);
    *source.lifetime.lock().unwrap() = 6 * HOUR;
    assert_eq!(id(&cache).await, "id1");
    clock.advance(59 * MIN);
    assert_eq!(id(&cache).await, "id1");
    assert_eq!(source.calls(), 1);
    clock.advance(2 * MIN);
    assert_eq!(id(&cache).await, "id1");
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    assert_eq!(source.calls(), 2);
    assert_eq!(id(&cache).await, "id2");
}

#[tokio::test]
async fn short_lived_credentials_do_not_refresh_on_every_call() {
    let (clock, source, cache) = setup(RefreshPolicy::STS);
    *source.lifetime.lock().unwrap() = 15 * MIN;
    assert_eq!(id(&cache).await, "id1");
    // Prefetch margin is capped at half the lifetime (7.5 min): minutes 1..7 are served cached.
    for _ in 0..7 {
        clock.advance(MIN);
        assert_eq!(id(&cache).await, "id1");
    }
    assert_eq!(source.calls(), 1);
    // At minute 8 a background refresh starts.
    clock.advance(MIN);
    id(&cache).await;
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    assert_eq!(source.calls(), 2);
}

#[tokio::test]
async fn forced_refresh_is_single_flight_and_bypasses_the_cache() {
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
    let gate = Arc::new(Semaphore::new(1));
    let source = Scripted::gated(&clock, gate.clone());
    let cache = RefreshingCache::new(source.clone(), RefreshPolicy::STS, Arc::new(clock.clone()));
    assert_eq!(
        cache.provide_credentials().await.unwrap().access_key_id(),
        "id1"
    );
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move {
                cache
                    .force_refresh()
                    .await
                    .map(|c| c.access_key_id().to_string())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(20)).await;
    gate.add_permits(1);
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), "id2");
    }
    assert_eq!(source.calls(), 2);
    assert_eq!(
        cache.provide_credentials().await.unwrap().access_key_id(),
        "id2"
    );
}

#[tokio::test]
async fn failed_forced_refresh_reports_the_error() {
    let (_clock, source, cache) = setup(RefreshPolicy::STS);
    assert_eq!(id(&cache).await, "id1");
    source.fail.store(true, Ordering::SeqCst);
    assert_eq!(
        cache.refresh().await.unwrap_err().kind(),
        ErrorKind::Service
    );
    // The still-valid cache is not poisoned by the failure.
    assert_eq!(id(&cache).await, "id1");
}

#[tokio::test]
async fn jitter_moves_the_prefetch_point_earlier_within_bounds() {
    for _ in 0..20 {
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
        let source = Scripted::new(&clock);
        let cache =
            RefreshingCache::new(source.clone(), RefreshPolicy::STS, Arc::new(clock.clone()));
        id(&cache).await;
        // 15 min margin + up to 10 % (90 s) of jitter: nothing before 46.5 min.
        clock.advance(HOUR - 15 * MIN - Duration::from_secs(91));
        id(&cache).await;
        tokio::task::yield_now().await;
        assert_eq!(source.calls(), 1);
        // Always refreshed by the un-jittered point.
        clock.advance(Duration::from_secs(92));
        id(&cache).await;
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert_eq!(source.calls(), 2);
    }
}

#[tokio::test]
async fn credentials_without_expiry_are_kept() {
    #[derive(Debug)]
    struct Forever(AtomicU64);
    impl ProvideCredentials for Forever {
        fn provide_credentials(&self) -> ProvideFuture<'_> {
            self.0.fetch_add(1, Ordering::SeqCst);
            ProvideFuture::ready(Ok(Credentials::builder("ak", "s").build()))
        }
        fn name(&self) -> &str {
            "forever"
        }
    }
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
    let cache = RefreshingCache::new(
        Forever(AtomicU64::new(0)),
        RefreshPolicy::STS,
        Arc::new(clock.clone()),
    );
    cache.provide_credentials().await.unwrap();
    clock.advance(1000 * HOUR);
    cache.provide_credentials().await.unwrap();
    assert_eq!(cache.source().0.load(Ordering::SeqCst), 1);
}
