//! The refreshing cache every expiring source sits behind (`docs/architecture.md#refresh-policy`).
//!
//! - **Lock-free reads.** The current entry lives in an `ArcSwap`; a read that finds it fresh loads
//!   it, compares one timestamp and clones an `Arc`, with no lock and no allocation.
//! - **Two thresholds.** Past the *prefetch* point one caller starts a background refresh while
//!   everyone keeps getting the cached value; past the *stale* point callers wait for a refresh,
//!   but while the cached credentials are still valid a caller waits at most
//!   [`RefreshPolicy::stale_wait`] (250 ms by default) and then gets them.
//! - **The fetch belongs to nobody.** A refresh is a shared future of its own ("flight"): with a
//!   Tokio runtime it is spawned as a task, and every caller that needs it merely waits for it.
//!   A caller that gives up (a timeout, a client that disconnects) stops waiting; the fetch goes on
//!   and the next caller takes its outcome instead of starting over. Without a Tokio runtime
//!   (another executor) the waiters drive the shared future themselves; one that is dropped leaves
//!   the half-done fetch for the next waiter, and the stale-window bound needs the Tokio timer, so
//!   such callers wait for the whole fetch.
//! - **Single flight.** At most one fetch per cache is in flight. Callers that wait for a refresh
//!   started by someone else take its outcome (credentials or error), so 10,000 callers at expiry
//!   cause exactly one fetch, even when that fetch fails.
//! - **Back-off after errors, in every state.** After a failed fetch the cache makes no new
//!   attempt for a bounded, exponentially growing, jittered time ([`RefreshPolicy::min_backoff`]
//!   doubling up to [`RefreshPolicy::max_backoff`]): while cached credentials are valid they keep
//!   being served (stale-if-error, with one warning per failed attempt); with nothing valid to
//!   serve (no credentials yet, or expired) every caller in the window gets the last error at once
//!   instead of hitting the failing upstream again. A forced refresh ([`RefreshingCache::refresh`],
//!   `force_refresh`) ignores the back-off, because its caller was just told the credentials are
//!   bad; it still joins a fetch already in flight.
//! - **Monotonic schedule.** The server's expiry is wall-clock time, so the wall clock is read once
//!   per fetch to turn it into a lifetime ("expires in 58 minutes"); the prefetch, stale and expiry
//!   points are then deadlines on the monotonic clock ([`Clock::monotonic`]). Setting the system
//!   clock back or forward never makes expired credentials look valid, nor valid ones expired.
//! - **Expired answers are never handed out.** A fetch that returns credentials already expired
//!   (by the wall clock at fetch time) counts as a failed fetch.
//! - **Short-lived credentials stay sane.** The margins are capped to a fraction of the lifetime
//!   (prefetch at most 1/2, stale at most 1/4), so a 15-minute credential refreshes about every
//!   7 minutes, not on every call.
//! - **Jitter.** The prefetch point moves earlier by a random part (10 % by default) of its margin,
//!   and each back-off grows by up to the same fraction, so a fleet started together does not
//!   refresh (or retry) together.
//! - **A panicking source** fails that fetch with an error; it does not wedge the cache.
//!
//! Thresholds follow the official libraries' intent (`docs/sources/alibaba.md#refresh`,
//! `docs/sources/tencent.md#refresh`): [`RefreshPolicy::STS`] refreshes in the background from 15 minutes before expiry and makes
//! callers wait from 5 minutes before (Tencent servers refuse requests signed more than 300 s off);
//! instance metadata ([`RefreshPolicy::INSTANCE_METADATA`]) also refreshes in the background an
//! hour after each retrieval, as the official SDKs do.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwapOption;
use futures_util::future::{FutureExt, Shared as SharedFuture};

use crate::context::Clock;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::http::BoxFuture;
use crate::provider::{ProvideCredentials, ProvideFuture};

/// When a cached credential is refreshed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RefreshPolicy {
    /// Start a background refresh this long before expiry (capped at half the lifetime).
    pub prefetch_margin: Duration,
    /// Make callers wait for a refresh this long before expiry (capped at a quarter of the lifetime).
    pub stale_margin: Duration,
    /// Also refresh in the background this long after each retrieval (instance metadata: 1 h).
    pub prefetch_after: Option<Duration>,
    /// Fraction of the prefetch margin by which the prefetch point is moved earlier at random (and
    /// by which each back-off is lengthened at random).
    pub jitter: f64,
    /// First back-off after a failed fetch.
    pub min_backoff: Duration,
    /// Upper bound of that back-off.
    pub max_backoff: Duration,
    /// How long credentials without an expiry are kept; `None` keeps them for ever.
    pub no_expiry_ttl: Option<Duration>,
    /// Past the stale point, while the cached credentials are still valid, how long a caller
    /// waits for the refresh before it is given the cached credentials (the refresh goes on).
    pub stale_wait: Duration,
}

impl RefreshPolicy {
    /// STS-type credentials (AssumeRole, OIDC, credentials URI, SSO, OAuth).
    pub const STS: RefreshPolicy = RefreshPolicy {
        prefetch_margin: Duration::from_secs(15 * 60),
        stale_margin: Duration::from_secs(5 * 60),
        prefetch_after: None,
        jitter: 0.1,
        min_backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(60),
        no_expiry_ttl: None,
        stale_wait: Duration::from_millis(250),
    };

    /// Instance-metadata credentials (ECS RAM role, CVM role): as [`RefreshPolicy::STS`], plus a
    /// background refresh an hour after each retrieval.
    pub const INSTANCE_METADATA: RefreshPolicy = RefreshPolicy {
        prefetch_after: Some(Duration::from_secs(60 * 60)),
        ..RefreshPolicy::STS
    };

    /// The same policy without jitter (deterministic tests).
    pub fn without_jitter(mut self) -> Self {
        self.jitter = 0.0;
        self
    }

    /// The same policy with another [`RefreshPolicy::stale_wait`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use credchain::cache::RefreshPolicy;
    /// let p = RefreshPolicy::STS.with_stale_wait(Duration::from_millis(100));
    /// assert_eq!(p.stale_wait, Duration::from_millis(100));
    /// ```
    pub const fn with_stale_wait(mut self, wait: Duration) -> Self {
        self.stale_wait = wait;
        self
    }
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        RefreshPolicy::STS
    }
}

/// One cached credential and its schedule, in monotonic time ([`Clock::monotonic`]).
struct Entry {
    credentials: Credentials,
    prefetch_at: Duration,
    stale_at: Duration,
    /// `None`: never expires.
    expires_at: Option<Duration>,
}

impl Entry {
    fn is_valid_at(&self, now: Duration) -> bool {
        self.expires_at.is_none_or(|e| now < e)
    }
}

/// Failure bookkeeping, touched only on the slow path.
#[derive(Default)]
struct Failures {
    consecutive: u32,
    /// Monotonic time before which no new fetch is started (except a forced one).
    retry_after: Option<Duration>,
    last_error: Option<Error>,
}

/// A fetch in flight: shared by every waiter, owned by none.
type Flight = SharedFuture<BoxFuture<'static, Result<Credentials>>>;

struct Shared<P> {
    source: P,
    policy: RefreshPolicy,
    clock: Arc<dyn Clock>,
    entry: ArcSwapOption<Entry>,
    /// The fetch in flight, if any. Also serialises the slow-path decisions, so that "nothing in
    /// flight" and the entry and failures read under it are one consistent view.
    flight: Mutex<Option<Flight>>,
    /// Number of fetches started (for tests and diagnostics).
    fetches: AtomicU64,
    failures: Mutex<Failures>,
}

/// What a caller past the fresh window does.
enum Decision {
    /// Answer now.
    Ready(Result<Credentials>),
    /// Wait for `flight`; with a still-valid `fallback`, wait at most the stale wait and answer
    /// the fallback if the flight fails or is not done by then.
    Wait {
        flight: Flight,
        fallback: Option<Credentials>,
    },
}

/// A provider behind the refreshing cache.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use credchain::{Credentials, ProvideCredentials, ProvideFuture};
/// use credchain::cache::{RefreshingCache, RefreshPolicy};
/// use credchain::context::ManualClock;
///
/// #[derive(Debug)]
/// struct Sts(ManualClock);
/// impl ProvideCredentials for Sts {
///     fn provide_credentials(&self) -> ProvideFuture<'_> {
///         use credchain::context::Clock;
///         let exp = self.0.now() + Duration::from_secs(3600);
///         ProvideFuture::ready(Ok(Credentials::builder("STS.id", "s").expiration(exp).build()))
///     }
///     fn name(&self) -> &str { "sts" }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
/// let cache = RefreshingCache::new(Sts(clock.clone()), RefreshPolicy::STS, std::sync::Arc::new(clock.clone()));
/// cache.provide_credentials().await.unwrap();
/// cache.provide_credentials().await.unwrap();
/// assert_eq!(cache.fetch_count(), 1); // the second call was served from the cache
/// # });
/// ```
pub struct RefreshingCache<P> {
    shared: Arc<Shared<P>>,
}

impl<P> Clone for RefreshingCache<P> {
    fn clone(&self) -> Self {
        RefreshingCache {
            shared: self.shared.clone(),
        }
    }
}

impl<P: fmt::Debug> fmt::Debug for RefreshingCache<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshingCache")
            .field("source", &self.shared.source)
            .field("policy", &self.shared.policy)
            .field("fetches", &self.shared.fetches.load(Ordering::SeqCst))
            .finish()
    }
}

impl<P: ProvideCredentials + 'static> RefreshingCache<P> {
    /// Caches `source` with `policy`, reading time from `clock`.
    pub fn new(source: P, policy: RefreshPolicy, clock: Arc<dyn Clock>) -> Self
    where
        P: Sized,
    {
        RefreshingCache {
            shared: Arc::new(Shared {
                source,
                policy,
                clock,
                entry: ArcSwapOption::empty(),
                flight: Mutex::new(None),
                fetches: AtomicU64::new(0),
                failures: Mutex::new(Failures::default()),
            }),
        }
    }

    /// Caches `source` with `policy` on the system clock: the way to give any source (a
    /// [`crate::provide_fn()`] closure, an adapter over another SDK's provider) credchain's cache,
    /// single-flight refresh and back-off.
    pub fn with_system_clock(source: P, policy: RefreshPolicy) -> Self {
        Self::new(source, policy, Arc::new(crate::context::SystemClock))
    }

    /// The wrapped source.
    pub fn source(&self) -> &P {
        &self.shared.source
    }

    /// How many fetches this cache has started.
    pub fn fetch_count(&self) -> u64 {
        self.shared.fetches.load(Ordering::SeqCst)
    }

    /// The cached credentials, if any are cached and still valid, without fetching.
    pub fn cached(&self) -> Option<Credentials> {
        let now = self.shared.clock.monotonic();
        let entry = self.shared.entry.load();
        entry
            .as_ref()
            .filter(|e| e.is_valid_at(now))
            .map(|e| e.credentials.clone())
    }

    /// Fetches new credentials now, single-flight: callers that force a refresh together share one
    /// fetch (and join one already in flight). The error back-off does not apply: the caller asked
    /// for new credentials because the old ones were rejected. On failure the still-valid cached
    /// credentials are *not* returned; the error is.
    pub async fn refresh(&self) -> Result<Credentials> {
        match self.shared.decide(true) {
            Decision::Ready(r) => r,
            Decision::Wait { flight, .. } => flight.await,
        }
    }

    /// The hot path: one load, one comparison, one `Arc` clone. Everything else is out of line.
    #[inline]
    fn read(&self) -> ProvideFuture<'_> {
        let now = self.shared.clock.monotonic();
        let guard = self.shared.entry.load();
        if let Some(entry) = guard.as_ref() {
            if now < entry.prefetch_at {
                return ProvideFuture::ready(Ok(entry.credentials.clone()));
            }
        }
        drop(guard);
        self.read_slow(now)
    }

    /// Past the prefetch point, or nothing cached.
    #[inline(never)]
    fn read_slow(&self, now: Duration) -> ProvideFuture<'_> {
        let shared = &self.shared;
        let guard = shared.entry.load();
        if let Some(entry) = guard.as_ref() {
            if now < entry.prefetch_at {
                return ProvideFuture::ready(Ok(entry.credentials.clone()));
            }
            if now < entry.stale_at {
                shared.prefetch();
                return ProvideFuture::ready(Ok(entry.credentials.clone()));
            }
        }
        drop(guard);
        match shared.decide(false) {
            Decision::Ready(r) => ProvideFuture::ready(r),
            Decision::Wait { flight, fallback } => {
                ProvideFuture::new(wait(flight, fallback, shared.policy.stale_wait))
            }
        }
    }
}

/// Waits for `flight`. With a still-valid `fallback`, waits at most `bound` (when a Tokio timer is
/// available) and answers the fallback on timeout or failure; the flight goes on regardless.
async fn wait(
    flight: Flight,
    fallback: Option<Credentials>,
    bound: Duration,
) -> Result<Credentials> {
    let Some(cached) = fallback else {
        return flight.await;
    };
    let outcome = if tokio::runtime::Handle::try_current().is_ok() {
        tokio::time::timeout(bound, flight).await.ok()
    } else {
        Some(flight.await)
    };
    match outcome {
        Some(Ok(fresh)) => Ok(fresh),
        // Failed (logged once by the flight) or still running: the cached credentials are valid.
        Some(Err(_)) | None => Ok(cached),
    }
}

impl<P: ProvideCredentials + 'static> Shared<P> {
    fn failures(&self) -> MutexGuard<'_, Failures> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn flight_slot(&self) -> MutexGuard<'_, Option<Flight>> {
        self.flight.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The last error, while its back-off lasts.
    fn backoff_error(&self, now: Duration) -> Option<Error> {
        let f = self.failures();
        match f.retry_after {
            Some(t) if now < t => f.last_error.clone(),
            _ => None,
        }
    }

    /// Past the stale point, or nothing valid: decides under the flight lock whether to answer
    /// now, join the fetch in flight, or start one.
    fn decide(self: &Arc<Self>, force: bool) -> Decision {
        let mut slot = self.flight_slot();
        let now = self.clock.monotonic();
        let entry = self.entry.load();
        let valid = entry
            .as_ref()
            .filter(|e| !force && e.is_valid_at(now))
            .map(|e| e.credentials.clone());
        if let Some(flight) = slot.as_ref() {
            return Decision::Wait {
                flight: flight.clone(),
                fallback: valid,
            };
        }
        if !force {
            // A fetch may have finished since the caller looked.
            if let Some(e) = entry.as_ref().filter(|e| now < e.stale_at) {
                return Decision::Ready(Ok(e.credentials.clone()));
            }
            if let Some(err) = self.backoff_error(now) {
                return Decision::Ready(valid.ok_or(err));
            }
        }
        Decision::Wait {
            flight: self.start_flight(&mut slot),
            fallback: valid,
        }
    }

    /// Past the prefetch point: starts a background refresh unless one is in flight or the last
    /// attempt failed recently. Needs a Tokio runtime to run it on; without one, the stale point
    /// makes a caller refresh in time.
    fn prefetch(self: &Arc<Self>) {
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let mut slot = self.flight_slot();
        let now = self.clock.monotonic();
        if slot.is_some() || self.backoff_error(now).is_some() {
            return;
        }
        // Someone may have refreshed since the caller looked.
        if self
            .entry
            .load()
            .as_ref()
            .is_some_and(|e| now < e.prefetch_at)
        {
            return;
        }
        // The spawned task drives it; nobody here waits.
        drop(self.start_flight(&mut slot));
    }

    /// Starts a fetch as a shared future stored in `slot`, and spawns a task that drives it when
    /// a Tokio runtime is present. Waiters hold clones: dropping one never cancels the fetch.
    fn start_flight(self: &Arc<Self>, slot: &mut Option<Flight>) -> Flight {
        let me = Arc::clone(self);
        let fetch: BoxFuture<'static, Result<Credentials>> = Box::pin(async move {
            let result = me.fetch_and_store().await;
            *me.flight_slot() = None;
            result
        });
        let flight = fetch.shared();
        *slot = Some(flight.clone());
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let driver = flight.clone();
            runtime.spawn(async move {
                let _ = driver.await;
            });
        }
        flight
    }

    /// Fetches once and stores the result (credentials and schedule, or the error and its
    /// back-off). Runs inside a flight only.
    async fn fetch_and_store(&self) -> Result<Credentials> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let fetched = AssertUnwindSafe(self.source.provide_credentials())
            .catch_unwind()
            .await
            .unwrap_or_else(|_| Err(self.panicked()));
        let wall = self.clock.now();
        let now = self.clock.monotonic();
        let result = fetched.and_then(|c| self.reject_expired(c, wall));
        match &result {
            Ok(c) => {
                self.entry
                    .store(Some(Arc::new(self.schedule(c.clone(), wall, now))));
                *self.failures() = Failures::default();
            }
            Err(e) => {
                let mut f = self.failures();
                f.consecutive = f.consecutive.saturating_add(1);
                f.retry_after = Some(now + self.backoff(f.consecutive));
                f.last_error = Some(e.clone());
                drop(f);
                if self
                    .entry
                    .load()
                    .as_ref()
                    .is_some_and(|en| en.is_valid_at(now))
                {
                    tracing::warn!(
                        provider = self.source.name(),
                        error = %e,
                        "credential refresh failed; serving the cached credentials until they expire"
                    );
                }
            }
        }
        result
    }

    fn panicked(&self) -> Error {
        Error::new(
            ErrorKind::Transport,
            "the credential source panicked while fetching",
        )
        .with_provider(self.source.name())
        .with_hint("this is a bug in the credential source; the next attempt starts afresh")
    }

    fn reject_expired(&self, c: Credentials, now: SystemTime) -> Result<Credentials> {
        match c.expiration() {
            Some(exp) if exp <= now => Err(Error::new(
                ErrorKind::Expired,
                format!(
                    "the server returned credentials that already expired at {}",
                    crate::time::format_rfc3339(exp)
                ),
            )
            .with_provider(self.source.name())
            .with_hint("check the clock of this machine and of the credential server")),
            _ => Ok(c),
        }
    }

    /// `min_backoff * 2^(failures-1)`, capped at `max_backoff`, lengthened by up to `jitter`.
    fn backoff(&self, failures: u32) -> Duration {
        let p = &self.policy;
        let exp = p
            .min_backoff
            .saturating_mul(1u32 << failures.saturating_sub(1).min(16));
        let base = exp.min(p.max_backoff);
        base + base.mul_f64(p.jitter.clamp(0.0, 1.0) * fastrand::f64())
    }

    /// The schedule of credentials fetched when the wall clock read `wall` and the monotonic
    /// clock `now`: the server's expiry becomes a lifetime, counted down in monotonic time.
    fn schedule(&self, credentials: Credentials, wall: SystemTime, now: Duration) -> Entry {
        let p = &self.policy;
        let Some(expires) = credentials.expiration() else {
            let until = p
                .no_expiry_ttl
                .map_or(Duration::MAX, |ttl| now.saturating_add(ttl));
            return Entry {
                credentials,
                prefetch_at: until,
                stale_at: until,
                expires_at: None,
            };
        };
        let lifetime = expires.duration_since(wall).unwrap_or_default();
        let expires_at = now.saturating_add(lifetime);
        let prefetch_margin = p.prefetch_margin.min(lifetime / 2);
        let stale_margin = p.stale_margin.min(lifetime / 4).min(prefetch_margin);
        let jitter = prefetch_margin.mul_f64(p.jitter.clamp(0.0, 1.0) * fastrand::f64());
        let mut prefetch_at = expires_at.saturating_sub(prefetch_margin + jitter);
        if let Some(after) = p.prefetch_after {
            prefetch_at = prefetch_at.min(now.saturating_add(after));
        }
        let stale_at = expires_at - stale_margin;
        Entry {
            credentials,
            prefetch_at: prefetch_at.min(stale_at),
            stale_at,
            expires_at: Some(expires_at),
        }
    }
}

impl<P: ProvideCredentials + 'static> ProvideCredentials for RefreshingCache<P> {
    #[inline]
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        self.read()
    }
    fn name(&self) -> &str {
        self.shared.source.name()
    }
    fn force_refresh(&self) -> ProvideFuture<'_> {
        ProvideFuture::new(self.refresh())
    }
}

/// The one network (or process) call behind a cached source: an STS `AssumeRole`, a metadata
/// request, a token exchange. A fetcher knows how to get credentials once; [`CachedProvider`]
/// adds everything about *when* (cache, single flight, prefetch, back-off), so every expiring
/// source is `CachedProvider<ItsFetcher>` and none repeats the caching shell.
///
/// ```
/// use credchain::cache::{CachedProvider, Fetch, RefreshPolicy};
/// use credchain::context::SystemClock;
/// use credchain::{Credentials, ProvideCredentials, ProvideFuture};
/// use std::sync::Arc;
///
/// #[derive(Debug)]
/// struct TicketFetcher;
/// impl Fetch for TicketFetcher {
///     const NAME: &'static str = "ticket";
///     fn fetch(&self) -> ProvideFuture<'_> {
///         ProvideFuture::new(async { Ok(Credentials::builder("id", "secret").provider_name("ticket").build()) })
///     }
/// }
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let provider = CachedProvider::new(TicketFetcher, RefreshPolicy::STS, Arc::new(SystemClock));
/// provider.provide_credentials().await.unwrap();
/// provider.provide_credentials().await.unwrap();
/// assert_eq!(provider.fetch_count(), 1);
/// assert_eq!(provider.name(), "ticket");
/// # });
/// ```
pub trait Fetch: fmt::Debug + Send + Sync + 'static {
    /// The provider name as the references spell it (`ram_role_arn`, `cvm_role`, ...).
    const NAME: &'static str;

    /// Fetches credentials once, with no caching. [`CachedProvider`] calls it at most once at a
    /// time.
    fn fetch(&self) -> ProvideFuture<'_>;
}

/// Lets [`RefreshingCache`] drive a [`Fetch`] (the cache is generic over any source).
struct FetchSource<F>(F);

impl<F: fmt::Debug> fmt::Debug for FetchSource<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<F: Fetch> ProvideCredentials for FetchSource<F> {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        self.0.fetch()
    }
    fn name(&self) -> &str {
        F::NAME
    }
}

/// A source that fetches with `F` and serves from a [`RefreshingCache`]: the type of every
/// expiring source (`pub type RamRoleArnProvider = CachedProvider<RamRoleArnFetcher>`).
///
/// Its `Debug` is the fetcher's (which redacts), its name is [`Fetch::NAME`].
pub struct CachedProvider<F: Fetch> {
    cache: RefreshingCache<FetchSource<F>>,
}

impl<F: Fetch> CachedProvider<F> {
    /// Caches `fetcher` with `policy`, reading time from `clock` (a source's builder passes
    /// [`crate::context::Context::shared_clock`]).
    pub fn new(fetcher: F, policy: RefreshPolicy, clock: Arc<dyn Clock>) -> Self {
        CachedProvider {
            cache: RefreshingCache::new(FetchSource(fetcher), policy, clock),
        }
    }

    /// The fetcher (for its settings: endpoint, role, duration).
    pub fn fetcher(&self) -> &F {
        &self.cache.source().0
    }

    /// How many fetches the cache has started.
    pub fn fetch_count(&self) -> u64 {
        self.cache.fetch_count()
    }

    /// The cached credentials, if any are cached and still valid, without fetching.
    pub fn cached(&self) -> Option<Credentials> {
        self.cache.cached()
    }
}

impl<F: Fetch> fmt::Debug for CachedProvider<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fetcher().fmt(f)
    }
}

impl<F: Fetch> ProvideCredentials for CachedProvider<F> {
    #[inline]
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        self.cache.provide_credentials()
    }
    fn name(&self) -> &str {
        F::NAME
    }
    fn force_refresh(&self) -> ProvideFuture<'_> {
        self.cache.force_refresh()
    }
}
