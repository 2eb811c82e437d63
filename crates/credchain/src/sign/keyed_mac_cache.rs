//! HMAC states already keyed with a secret (its ipad and opad blocks absorbed), kept per secret so
//! that a client signing many `ACS3-HMAC-SM3` requests with one AccessKey secret does not hash the
//! two key blocks on every request (~0.5 µs of software SM3, two of the 18 blocks a 200-byte POST
//! hashes). SHA-256 keys afresh: with SHA-NI its two blocks cost less than a lookup here.
//!
//! A keyed state is as good as the secret for making signatures, so it is treated like one:
//! entries are found by a keyed 128-bit hash of the secret (as [`super::DerivedKeyCache`] does; the
//! secret itself is never stored), each state is wiped when it is evicted or dropped, and nothing
//! here has a `Debug` form.

use std::sync::{Mutex, OnceLock};

use hmac::Hmac;
use sm3::Sm3;

use super::crypto;
use super::derived_key::secret_tag;

/// A MAC state that is plain bytes (integers and arrays, no pointer, no `Drop`), so overwriting
/// it with zeros wipes it and leaves a valid value.
///
/// # Safety
/// Implement only for such types: [`Wiped`] zeroes the value's memory in place.
pub(crate) unsafe trait FlatMacState: Clone {
    /// The state keyed with `secret`.
    fn keyed(secret: &[u8]) -> Self;
    /// The cache for this kind of state.
    fn cache() -> &'static KeyedMacCache<Self>;
}

// SAFETY: `Hmac<Sm3>` (hmac 0.12) is two SM3 cores (`[u32; 8]` and a block count each) and a
// block buffer (a byte array and a position): integers and arrays only, valid when zero, no `Drop`.
unsafe impl FlatMacState for Hmac<Sm3> {
    fn keyed(secret: &[u8]) -> Self {
        crypto::hmac_sm3_state(secret)
    }
    fn cache() -> &'static KeyedMacCache<Self> {
        static CACHE: OnceLock<KeyedMacCache<Hmac<Sm3>>> = OnceLock::new();
        CACHE.get_or_init(KeyedMacCache::new)
    }
}

/// A keyed state, zeroed in place when dropped.
struct Wiped<M: FlatMacState>(M);

impl<M: FlatMacState> Drop for Wiped<M> {
    fn drop(&mut self) {
        // SAFETY: `M: FlatMacState` promises plain bytes that are valid when zero and have no `Drop`
        // of their own; the value is not used again.
        unsafe { zeroize::zeroize_flat_type(&mut self.0 as *mut M) }
    }
}

struct Entry<M: FlatMacState> {
    tag: (u64, u64),
    state: Wiped<M>,
    last_used: u64,
}

/// A small LRU of keyed states of one kind.
pub(crate) struct KeyedMacCache<M: FlatMacState> {
    entries: Mutex<(Vec<Entry<M>>, u64)>,
}

/// Distinct secrets kept per kind of state; more are served by evicting the least recently used.
const CAPACITY: usize = 8;

impl<M: FlatMacState> KeyedMacCache<M> {
    fn new() -> Self {
        KeyedMacCache {
            entries: Mutex::new((Vec::with_capacity(CAPACITY), 0)),
        }
    }

    /// A copy of the state keyed with `secret`, from the cache or keyed now (and stored).
    pub(crate) fn keyed(&self, secret: &str) -> M {
        let tag = secret_tag("keyed-mac", secret, &[]);
        // A panic while holding the lock cannot leave the list inconsistent (plain pushes and
        // assignments), so a poisoned lock is reused.
        let mut guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (entries, tick) = &mut *guard;
        *tick = tick.wrapping_add(1);
        if let Some(e) = entries.iter_mut().find(|e| e.tag == tag) {
            e.last_used = *tick;
            return e.state.0.clone();
        }
        let state = M::keyed(secret.as_bytes());
        let entry = Entry {
            tag,
            state: Wiped(state.clone()),
            last_used: *tick,
        };
        if entries.len() < CAPACITY {
            entries.push(entry);
        } else if let Some(oldest) = entries.iter_mut().min_by_key(|e| e.last_used) {
            *oldest = entry;
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::Mac;

    fn mac_hex<M: FlatMacState + Mac>(mut m: M, msg: &[u8]) -> String {
        m.update(msg);
        hex::encode(m.finalize().into_bytes())
    }

    #[test]
    fn cached_states_sign_like_fresh_ones() {
        let cache = KeyedMacCache::<Hmac<Sm3>>::new();
        // More secrets than the capacity, each asked twice: misses, hits and evictions.
        for round in 0..2 {
            for i in 0..CAPACITY + 3 {
                let secret = format!("secret-{i}");
                let got = mac_hex(cache.keyed(&secret), b"source");
                let want = hex::encode(crypto::hmac_sm3(secret.as_bytes(), b"source"));
                assert_eq!(got, want, "round {round}, secret {i}");
            }
        }
        assert_eq!(cache.entries.lock().unwrap().0.len(), CAPACITY);
        let global = mac_hex(<Hmac<Sm3>>::cache().keyed("secret"), b"source");
        assert_eq!(global, hex::encode(crypto::hmac_sm3(b"secret", b"source")));
    }

    #[test]
    fn wiping_zeroes_the_state() {
        let mut w = std::mem::ManuallyDrop::new(Wiped(crypto::hmac_sm3_state(b"secret")));
        // SAFETY: dropped once, then only its bytes are read.
        unsafe { std::mem::ManuallyDrop::drop(&mut w) };
        let bytes = unsafe {
            std::slice::from_raw_parts(
                (&w.0 as *const Hmac<Sm3>).cast::<u8>(),
                std::mem::size_of::<Hmac<Sm3>>(),
            )
        };
        assert!(bytes.iter().all(|&b| b == 0));
    }
}
