//! The refreshing cache every expiring source sits behind (`docs/architecture.md#refresh-policy`).
//!
//! - **Lock-free reads.** The current entry lives in an `ArcSwap`; a read that finds it fresh loads
//!   it, compares one timestamp and clones an `Arc`, with no lock and no allocation.
//! - **Two thresholds.** Past the *prefetch* point one caller starts a background refresh while
//!   everyone keeps getting the cached value; past the *stale* point callers wait for a refresh.
//! - **Single flight.** At most one fetch per cache is in flight. Callers that wait for a refresh
//!   started by someone else take its outcome (credentials or error) instead of fetching again, so
//!   10,000 callers at expiry cause exactly one fetch, even when that fetch fails.
//! - **Stale-if-error.** A failed refresh never poisons the cache: while the cached credentials are
//!   still valid they keep being served (with a warning), and further attempts are spaced by a
//!   bounded exponential back-off. Once they expire, the error surfaces.
//! - **Expired answers are never handed out.** A fetch that returns credentials already expired
//!   counts as a failed fetch.
//! - **Short-lived credentials stay sane.** The margins are capped to a fraction of the lifetime
//!   (prefetch at most 1/2, stale at most 1/4), so a 15-minute credential refreshes about every
//!   7 minutes, not on every call.
//! - **Jitter.** The prefetch point moves earlier by a random part (10 % by default) of its margin,
//!   so a fleet started together does not refresh together.
//! - **Cancellation-safe.** The refresh lock is released when a waiting caller is dropped; a
//!   background refresh holds its own lock guard.
//!
//! Thresholds follow the official libraries' intent (`docs/sources/alibaba.md#refresh`,
//! `docs/sources/tencent.md#refresh`): [`RefreshPolicy::STS`] refreshes in the background from 15
//! minutes before expiry and blocks from 5 minutes before (Tencent servers refuse requests signed
//! more than 300 s off); instance metadata ([`RefreshPolicy::INSTANCE_METADATA`]) also refreshes in
//! the background an hour after each retrieval.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwapOption;

use crate::context::Clock;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
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
    /// Fraction of the prefetch margin by which the prefetch point is moved earlier at random.
    pub jitter: f64,
    /// First back-off after a failed refresh while cached credentials are still served.
    pub min_backoff: Duration,
    /// Upper bound of that back-off.
    pub max_backoff: Duration,
    /// How long credentials without an expiry are kept; `None` keeps them for ever.
    pub no_expiry_ttl: Option<Duration>,
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
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        RefreshPolicy::STS
    }
}

/// One cached credential and its schedule.
struct Entry {
    credentials: Credentials,
    prefetch_at: SystemTime,
    stale_at: SystemTime,
    /// `None`: never expires.
    expires_at: Option<SystemTime>,
}

impl Entry {
    fn is_valid_at(&self, now: SystemTime) -> bool {
        self.expires_at.is_none_or(|e| now < e)
    }
}

/// Failure bookkeeping, touched only on the slow path.
#[derive(Default)]
struct Failures {
    consecutive: u32,
    retry_after: Option<SystemTime>,
    last_error: Option<Error>,
}

struct Shared<P> {
    source: P,
    policy: RefreshPolicy,
    clock: Arc<dyn Clock>,
    entry: ArcSwapOption<Entry>,
    /// Held by whoever fetches; waiters queue on it.
    refresh_lock: Arc<tokio::sync::Mutex<()>>,
    /// Number of finished fetch attempts (success or failure).
    attempts: AtomicU64,
    /// Number of fetches started (for tests and diagnostics).
    fetches: AtomicU64,
    failures: Mutex<Failures>,
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
                refresh_lock: Arc::new(tokio::sync::Mutex::new(())),
                attempts: AtomicU64::new(0),
                fetches: AtomicU64::new(0),
                failures: Mutex::new(Failures::default()),
            }),
        }
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
        let now = self.shared.clock.now();
        let entry = self.shared.entry.load();
        entry
            .as_ref()
            .filter(|e| e.is_valid_at(now))
            .map(|e| e.credentials.clone())
    }

    /// Fetches new credentials now, single-flight: callers that force a refresh together share one
    /// fetch. On failure the still-valid cached credentials are *not* returned (the caller asked
    /// for new ones because the old ones were rejected); the error is.
    pub async fn refresh(&self) -> Result<Credentials> {
        self.shared.clone().refresh_blocking(true).await
    }

    /// The hot path: one load, one comparison, one `Arc` clone. Everything else is out of line.
    #[inline]
    fn read(&self) -> ProvideFuture<'_> {
        let now = self.shared.clock.now();
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
    fn read_slow(&self, now: SystemTime) -> ProvideFuture<'_> {
        let shared = &self.shared;
        let guard = shared.entry.load();
        if let Some(entry) = guard.as_ref() {
            if now < entry.prefetch_at {
                return ProvideFuture::ready(Ok(entry.credentials.clone()));
            }
            if now < entry.stale_at {
                shared.clone().maybe_prefetch(now);
                return ProvideFuture::ready(Ok(entry.credentials.clone()));
            }
            if entry.is_valid_at(now) && shared.in_backoff(now) {
                // Stale but valid, and the last refresh failed recently: keep serving.
                return ProvideFuture::ready(Ok(entry.credentials.clone()));
            }
        }
        drop(guard);
        ProvideFuture::new(shared.clone().refresh_blocking(false))
    }
}

impl<P: ProvideCredentials + 'static> Shared<P> {
    fn in_backoff(&self, now: SystemTime) -> bool {
        let f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        f.retry_after.is_some_and(|t| now < t)
    }

    /// Past the prefetch point: one caller starts a background refresh, nobody waits.
    fn maybe_prefetch(self: Arc<Self>, now: SystemTime) {
        if self.in_backoff(now) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // No runtime to refresh on: the stale point will make a caller refresh in time.
            return;
        };
        let Ok(guard) = self.refresh_lock.clone().try_lock_owned() else {
            return; // a refresh is already in flight
        };
        runtime.spawn(async move {
            let _guard = guard;
            let now = self.clock.now();
            // Someone may have refreshed between our check and taking the lock.
            if self
                .entry
                .load()
                .as_ref()
                .is_some_and(|e| now < e.prefetch_at)
            {
                return;
            }
            if let Err(e) = self.fetch_and_store().await {
                tracing::warn!(
                    provider = self.source.name(),
                    error = %e,
                    "background credential refresh failed; still serving the cached credentials"
                );
            }
        });
    }

    /// Waits for a refresh (ours, or one already in flight) and returns its outcome.
    async fn refresh_blocking(self: Arc<Self>, force: bool) -> Result<Credentials> {
        let seen = self.attempts.load(Ordering::SeqCst);
        let _guard = self.refresh_lock.lock().await;
        if self.attempts.load(Ordering::SeqCst) != seen {
            // A fetch finished while we waited: take its outcome instead of fetching again.
            if let Some(outcome) = self.outcome_of_last_attempt(force) {
                return outcome;
            }
        } else if !force {
            // Nobody fetched, but the entry may still be fresh enough (e.g. we were called by a
            // caller that saw it stale under a clock that has not moved).
            let now = self.clock.now();
            if let Some(e) = self.entry.load().as_ref().filter(|e| now < e.stale_at) {
                return Ok(e.credentials.clone());
            }
        }
        match self.fetch_and_store().await {
            Ok(c) => Ok(c),
            Err(e) => {
                let now = self.clock.now();
                match self.entry.load().as_ref().filter(|en| en.is_valid_at(now)) {
                    Some(en) if !force => {
                        tracing::warn!(
                            provider = self.source.name(),
                            error = %e,
                            "credential refresh failed; serving the cached credentials until they expire"
                        );
                        Ok(en.credentials.clone())
                    }
                    _ => Err(e),
                }
            }
        }
    }

    /// The outcome of the attempt that finished while we waited for the lock.
    fn outcome_of_last_attempt(&self, force: bool) -> Option<Result<Credentials>> {
        let now = self.clock.now();
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let entry = self.entry.load();
        let valid = entry.as_ref().filter(|e| e.is_valid_at(now));
        match (&failures.last_error, valid) {
            // The last attempt succeeded (it clears last_error).
            (None, Some(e)) => Some(Ok(e.credentials.clone())),
            (Some(_), Some(e)) if !force => Some(Ok(e.credentials.clone())),
            (Some(err), _) => Some(Err(err.clone())),
            (None, None) => None,
        }
    }

    /// Fetches once and stores the result. Must be called with the refresh lock held.
    async fn fetch_and_store(&self) -> Result<Credentials> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let result = self.source.provide_credentials().await;
        let now = self.clock.now();
        let result = result.and_then(|c| self.reject_expired(c, now));
        match &result {
            Ok(c) => {
                self.entry
                    .store(Some(Arc::new(self.schedule(c.clone(), now))));
                let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
                *f = Failures::default();
            }
            Err(e) => {
                let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
                f.consecutive = f.consecutive.saturating_add(1);
                f.retry_after = Some(now + self.backoff(f.consecutive));
                f.last_error = Some(e.clone());
            }
        }
        self.attempts.fetch_add(1, Ordering::SeqCst);
        result
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

    fn backoff(&self, failures: u32) -> Duration {
        let p = &self.policy;
        let exp = p
            .min_backoff
            .saturating_mul(1u32 << failures.saturating_sub(1).min(16));
        exp.min(p.max_backoff)
    }

    fn schedule(&self, credentials: Credentials, now: SystemTime) -> Entry {
        let p = &self.policy;
        let Some(expires_at) = credentials.expiration() else {
            let until = p.no_expiry_ttl.map(|ttl| now + ttl).unwrap_or(far_future());
            return Entry {
                credentials,
                prefetch_at: until,
                stale_at: until,
                expires_at: None,
            };
        };
        let lifetime = expires_at.duration_since(now).unwrap_or_default();
        let prefetch_margin = p.prefetch_margin.min(lifetime / 2);
        let stale_margin = p.stale_margin.min(lifetime / 4).min(prefetch_margin);
        let jitter = prefetch_margin.mul_f64(p.jitter.clamp(0.0, 1.0) * fastrand::f64());
        let mut prefetch_at = expires_at - prefetch_margin - jitter;
        if let Some(after) = p.prefetch_after {
            prefetch_at = prefetch_at.min(now + after);
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

fn far_future() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1 << 40)
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
