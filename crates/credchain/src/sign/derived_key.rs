//! Derived signing keys (TC3 `SecretSigning`, the OSS V4 signing key) and the small cache that keeps
//! them, so a busy client does not redo the HMAC chain for every request.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::{Mutex, OnceLock};

use zeroize::Zeroizing;

use crate::credentials::REDACTED;

/// A derived signing key (TC3 `SecretDate`/`SecretService`/`SecretSigning`, the OSS V4 signing key).
///
/// Zeroed on drop; `Debug` prints a redaction marker.
///
/// ```
/// use credchain::sign::tc3;
/// let keys = tc3::derive_keys("********************************", "2019-02-25", "cvm");
/// assert_eq!(keys.secret_date.to_hex(), "da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0");
/// assert_eq!(format!("{:?}", keys.secret_signing), "DerivedKey(** redacted **)");
/// ```
#[derive(Clone)]
pub struct DerivedKey(Zeroizing<[u8; 32]>);

impl DerivedKey {
    pub(crate) fn new(bytes: [u8; 32]) -> Self {
        DerivedKey(Zeroizing::new(bytes))
    }

    /// The raw key bytes.
    ///
    /// ```
    /// use credchain::sign::tc3;
    /// let keys = tc3::derive_keys("secret", "2019-02-25", "cvm");
    /// assert_eq!(keys.secret_signing.as_bytes().len(), 32);
    /// ```
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as lowercase hex (the form the Tencent doc prints). Key material: do not log it.
    ///
    /// ```
    /// use credchain::sign::tc3;
    /// let keys = tc3::derive_keys("secret", "2019-02-25", "cvm");
    /// assert_eq!(keys.secret_signing.to_hex().len(), 64);
    /// ```
    pub fn to_hex(&self) -> String {
        hex::encode(*self.0)
    }
}

impl fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DerivedKey({REDACTED})")
    }
}

struct CacheEntry {
    tag: (u64, u64),
    key: DerivedKey,
    last_used: u64,
}

struct CacheState {
    entries: Vec<CacheEntry>,
    tick: u64,
}

/// A small bounded cache of derived signing keys, so a busy client does not redo the HMAC chain for
/// every request.
///
/// Entries are keyed by a keyed 128-bit hash (two SipHash instances with per-process random keys) of
/// the algorithm, the secret and the scope (date, region, service): the secret is never stored.
/// The least recently used entry is evicted (and zeroized) when the cache is full. A capacity of 0
/// disables caching (every call derives afresh), which benchmarks use to measure the cold path.
///
/// ```
/// use credchain::sign::DerivedKeyCache;
/// let cache = DerivedKeyCache::new(4);
/// assert!(cache.is_empty());
/// assert_eq!(cache.capacity(), 4);
/// assert_eq!(DerivedKeyCache::disabled().capacity(), 0);
/// assert_eq!(DerivedKeyCache::global().capacity(), DerivedKeyCache::DEFAULT_CAPACITY);
/// ```
pub struct DerivedKeyCache {
    capacity: usize,
    state: Mutex<CacheState>,
}

fn hash_keys() -> &'static (RandomState, RandomState) {
    static KEYS: OnceLock<(RandomState, RandomState)> = OnceLock::new();
    KEYS.get_or_init(|| (RandomState::new(), RandomState::new()))
}

/// The keyed 128-bit hash that finds a secret's cache entry without storing the secret.
fn secret_tag(domain: &str, secret: &str, scope: &[&str]) -> (u64, u64) {
    let (k1, k2) = hash_keys();
    (
        k1.hash_one((domain, secret, scope)),
        k2.hash_one((domain, secret, scope)),
    )
}

impl DerivedKeyCache {
    /// Capacity of [`DerivedKeyCache::global`].
    pub const DEFAULT_CAPACITY: usize = 16;

    /// A cache holding at most `capacity` derived keys (0 disables caching).
    ///
    /// ```
    /// let cache = credchain::sign::DerivedKeyCache::new(2);
    /// assert_eq!(cache.len(), 0);
    /// ```
    pub fn new(capacity: usize) -> Self {
        DerivedKeyCache {
            capacity,
            state: Mutex::new(CacheState {
                entries: Vec::with_capacity(capacity.min(64)),
                tick: 0,
            }),
        }
    }

    /// A cache that never stores anything.
    ///
    /// ```
    /// let cache = credchain::sign::DerivedKeyCache::disabled();
    /// assert_eq!(cache.capacity(), 0);
    /// ```
    pub fn disabled() -> Self {
        Self::new(0)
    }

    /// The process-wide cache used by the signing functions that do not take a cache.
    ///
    /// ```
    /// let a = credchain::sign::DerivedKeyCache::global();
    /// let b = credchain::sign::DerivedKeyCache::global();
    /// assert!(std::ptr::eq(a, b));
    /// ```
    pub fn global() -> &'static DerivedKeyCache {
        static GLOBAL: OnceLock<DerivedKeyCache> = OnceLock::new();
        GLOBAL.get_or_init(|| DerivedKeyCache::new(Self::DEFAULT_CAPACITY))
    }

    /// The maximum number of entries.
    ///
    /// ```
    /// assert_eq!(credchain::sign::DerivedKeyCache::new(3).capacity(), 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The number of cached keys.
    ///
    /// ```
    /// use credchain::sign::{tc3, DerivedKeyCache};
    /// let cache = DerivedKeyCache::new(2);
    /// let req = tc3::Tc3Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", 1551113065);
    /// tc3::sign_with_cache(&req, "AKID", "secret", None, &cache).unwrap();
    /// assert_eq!(cache.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether the cache holds nothing.
    ///
    /// ```
    /// assert!(credchain::sign::DerivedKeyCache::new(1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops (and zeroizes) every cached key, e.g. after a credential rotation.
    ///
    /// ```
    /// use credchain::sign::{tc3, DerivedKeyCache};
    /// let cache = DerivedKeyCache::new(2);
    /// let req = tc3::Tc3Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", 1551113065);
    /// tc3::sign_with_cache(&req, "AKID", "secret", None, &cache).unwrap();
    /// cache.clear();
    /// assert!(cache.is_empty());
    /// ```
    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        // A panic while holding the lock cannot leave the state inconsistent (plain pushes and
        // swaps), so a poisoned lock is simply reused.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Returns the cached key for (`domain`, `secret`, `scope`), deriving and storing it on a miss.
    pub(crate) fn get_or_derive(
        &self,
        domain: &str,
        secret: &str,
        scope: &[&str],
        derive: impl FnOnce() -> DerivedKey,
    ) -> DerivedKey {
        if self.capacity == 0 {
            return derive();
        }
        let tag = secret_tag(domain, secret, scope);
        {
            let mut st = self.lock();
            st.tick = st.tick.wrapping_add(1);
            let tick = st.tick;
            if let Some(e) = st.entries.iter_mut().find(|e| e.tag == tag) {
                e.last_used = tick;
                return e.key.clone();
            }
        }
        let key = derive();
        let mut st = self.lock();
        st.tick = st.tick.wrapping_add(1);
        let tick = st.tick;
        if st.entries.iter().any(|e| e.tag == tag) {
            return key;
        }
        let entry = CacheEntry {
            tag,
            key: key.clone(),
            last_used: tick,
        };
        if st.entries.len() < self.capacity {
            st.entries.push(entry);
        } else if let Some(oldest) = st.entries.iter_mut().min_by_key(|e| e.last_used) {
            *oldest = entry;
        }
        key
    }
}

impl fmt::Debug for DerivedKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DerivedKeyCache")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl Default for DerivedKeyCache {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_evicts_lru() {
        let cache = DerivedKeyCache::new(2);
        let mk = |b: u8| DerivedKey::new([b; 32]);
        assert_eq!(
            cache.get_or_derive("t", "s1", &["a"], || mk(1)).as_bytes()[0],
            1
        );
        assert_eq!(
            cache.get_or_derive("t", "s2", &["a"], || mk(2)).as_bytes()[0],
            2
        );
        // Hit: the closure is not called.
        assert_eq!(
            cache.get_or_derive("t", "s1", &["a"], || mk(9)).as_bytes()[0],
            1
        );
        // Third key evicts s2 (least recently used).
        cache.get_or_derive("t", "s3", &["a"], || mk(3));
        assert_eq!(cache.len(), 2);
        assert_eq!(
            cache.get_or_derive("t", "s1", &["a"], || mk(9)).as_bytes()[0],
            1
        );
        assert_eq!(
            cache.get_or_derive("t", "s2", &["a"], || mk(7)).as_bytes()[0],
            7
        );
        // Scope parts are length-delimited: ("ab","c") != ("a","bc").
        let c = DerivedKeyCache::new(4);
        c.get_or_derive("t", "s", &["ab", "c"], || mk(1));
        assert_eq!(
            c.get_or_derive("t", "s", &["a", "bc"], || mk(2)).as_bytes()[0],
            2
        );
        let disabled = DerivedKeyCache::disabled();
        disabled.get_or_derive("t", "s", &[], || mk(1));
        assert!(disabled.is_empty());
    }
}
