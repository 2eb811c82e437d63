//! Request signing for Alibaba Cloud and Tencent Cloud APIs, correct to the byte.
//!
//! Every scheme credchain needs is here, each in its own module with a plain input struct and a
//! function that returns **every intermediate** (canonical request, string to sign, signature, the
//! headers or query parameters to add), so tests can compare each step with the published vectors
//! and a CLI can print a dry run:
//!
//! | module | scheme | key material |
//! |---|---|---|
//! | [`acs3`] | Alibaba `ACS3-HMAC-SHA256`, `ACS3-HMAC-SM3`, `ACS3-RSA-SHA256` (OpenAPI V3) | raw secret (RSA: PEM key) |
//! | [`rpc`] | Alibaba RPC signature v1 (HMAC-SHA1, STS `AssumeRole`) and ROA (HMAC-SHA1) | `secret + "&"` / raw secret |
//! | [`oss`] | OSS header signature V1 and V4 (`OSS4-HMAC-SHA256`) | raw secret / `"aliyun_v4" + secret` |
//! | [`tc3`] | Tencent `TC3-HMAC-SHA256` (API 3.0) | `"TC3" + secret` |
//! | [`tc_v1`] | Tencent signature v1 (`HmacSHA1` / `HmacSHA256`, also API 2.0) | raw secret |
//! | [`cos`] | Tencent COS object storage (`q-sign-algorithm=sha1`), `Authorization` header | `HMAC-SHA1(secret, key time)` |
//!
//! Presigned object URLs (the signature in the query string, equal to the official SDKs' URLs):
//! [`oss_presign`] (OSS V1 and V4) and [`cos_presign`] (COS), with hosts from [`object_endpoint`].
//!
//! Building blocks live in [`encode`] (RFC 3986 percent-encoding) and [`crypto`] (SHA-256, SM3,
//! HMACs, RSA).
//!
//! Everything is deterministic: timestamps and nonces are inputs. [`new_nonce`], [`now_unix`] and the
//! `format_*` helpers make fresh values for a real request.
//!
//! Each signing function comes in two forms: one taking [`Credentials`](crate::Credentials) (which adds
//! the security token exactly as the scheme requires, and handles bearer tokens where the scheme
//! accepts them) and a lower-level one taking the raw key strings.
//!
//! Derived keys that depend only on (secret, date, scope) — TC3's `SecretSigning` and the OSS V4
//! signing key — are kept in a small bounded [`DerivedKeyCache`], keyed by a keyed hash of the secret
//! and scope (the secret itself is never stored) and zeroized on eviction.
//!
//! Nothing here panics on any input, and no `Debug` output or error contains a secret, a token or a
//! signature.
//!
//! ```
//! use credchain::Credentials;
//! use credchain::sign::tc3::{self, Tc3Request};
//! use credchain::sign::Payload;
//!
//! let creds = Credentials::builder("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").build();
//! let mut req = Tc3Request::new("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", 1551113065);
//! req.region = "ap-guangzhou".into();
//! req.payload = Payload::Bytes(br#"{"Limit": 1}"#.to_vec());
//! let signed = tc3::sign(&req, &creds).unwrap();
//! assert!(signed.authorization.starts_with("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature="));
//! ```

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::{Mutex, OnceLock};

use zeroize::Zeroizing;

use crate::credentials::REDACTED;
use crate::error::{Error, ErrorKind};

pub mod acs3;
pub mod cos;
pub mod cos_presign;
pub mod crypto;
pub mod encode;
mod http_request;
pub mod object_endpoint;
pub mod oss;
pub mod oss_presign;
pub mod rpc;
pub mod tc3;
pub mod tc_v1;

/// The request body as a signer sees it.
///
/// ```
/// use credchain::sign::Payload;
/// let p = Payload::Bytes(b"{}".to_vec());
/// assert_eq!(p.len(), Some(2));
/// assert_eq!(Payload::Unsigned.len(), None);
/// // Debug never shows the body (it may hold an OIDC token or a password).
/// assert_eq!(format!("{p:?}"), "Payload::Bytes(2 bytes)");
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Payload {
    /// The exact body bytes that will be sent (empty for GET); the signer hashes them.
    Bytes(Vec<u8>),
    /// A payload hash computed by the caller (lowercase hex), used verbatim.
    Hash(String),
    /// Unsigned-payload mode (Tencent `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`, OSS V4). Not
    /// available for ACS3.
    Unsigned,
    /// No body (same as `Bytes(vec![])`).
    #[default]
    Empty,
}

impl Payload {
    /// The body length in bytes, when the body itself is known.
    ///
    /// ```
    /// use credchain::sign::Payload;
    /// assert_eq!(Payload::Empty.len(), Some(0));
    /// ```
    pub fn len(&self) -> Option<usize> {
        match self {
            Payload::Bytes(b) => Some(b.len()),
            Payload::Empty => Some(0),
            _ => None,
        }
    }

    /// Whether the body is known to be empty.
    ///
    /// ```
    /// use credchain::sign::Payload;
    /// assert!(Payload::Empty.is_empty());
    /// assert!(!Payload::Unsigned.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Payload::Bytes(b) => b,
            _ => &[],
        }
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Bytes(b) => write!(f, "Payload::Bytes({} bytes)", b.len()),
            Payload::Hash(h) => write!(f, "Payload::Hash({h})"),
            Payload::Unsigned => f.write_str("Payload::Unsigned"),
            Payload::Empty => f.write_str("Payload::Empty"),
        }
    }
}

/// Header names whose values are key material or signatures; `Debug` output redacts them.
pub(crate) fn is_sensitive_name(name: &str) -> bool {
    const SENSITIVE: &[&str] = &[
        "authorization",
        "x-acs-security-token",
        "x-acs-bearer-token",
        "x-tc-token",
        "x-oss-security-token",
        "securitytoken",
        "bearertoken",
        "token",
        "signature",
        "security-token",
        "x-cos-security-token",
        "q-signature",
        "x-oss-signature",
    ];
    SENSITIVE.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// Debug helper: shows name/value pairs, with sensitive values redacted.
pub(crate) struct RedactedPairs<'a>(pub &'a [(String, String)]);

impl fmt::Debug for RedactedPairs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        for (k, v) in self.0 {
            if is_sensitive_name(k) {
                l.entry(&(k, REDACTED));
            } else {
                l.entry(&(k, v));
            }
        }
        l.finish()
    }
}

/// Debug helper for a value that is shown only by length.
pub(crate) struct Len(pub usize);

impl fmt::Debug for Len {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}

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
        let (k1, k2) = hash_keys();
        let tag = (
            k1.hash_one((domain, secret, scope)),
            k2.hash_one((domain, secret, scope)),
        );
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

// ---------------------------------------------------------------------------------------------
// Nonces and time formats
// ---------------------------------------------------------------------------------------------

/// A fresh random nonce: 32 lowercase hex characters (128 random bits), the shape Alibaba's SDKs
/// send as `x-acs-signature-nonce` / `SignatureNonce`.
///
/// ```
/// let n = credchain::sign::new_nonce();
/// assert_eq!(n.len(), 32);
/// assert!(n.bytes().all(|b| b.is_ascii_hexdigit()));
/// assert_ne!(n, credchain::sign::new_nonce());
/// ```
pub fn new_nonce() -> String {
    format!("{:032x}", fastrand::u128(..))
}

/// A fresh random positive integer nonce for Tencent signature v1 (`Nonce`), in `1..=2^31-1`.
///
/// ```
/// let n = credchain::sign::new_numeric_nonce();
/// assert!(n >= 1 && n <= i32::MAX as u64);
/// ```
pub fn new_numeric_nonce() -> u64 {
    fastrand::u64(1..=i32::MAX as u64)
}

/// The current time in Unix seconds (0 if the clock is before 1970).
///
/// ```
/// assert!(credchain::sign::now_unix() > 1_700_000_000);
/// ```
pub fn now_unix() -> i64 {
    crate::time::unix_seconds(std::time::SystemTime::now())
}

/// Largest timestamp accepted by the formatters: 9999-12-31T23:59:59Z.
const MAX_UNIX: i64 = 253_402_300_799;

/// UTC civil time of a Unix timestamp.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// 0 = Sunday.
    weekday: u32,
}

fn civil(unix: i64) -> Result<Civil, Error> {
    if !(0..=MAX_UNIX).contains(&unix) {
        return Err(Error::new(
            ErrorKind::InvalidConfig,
            format!("timestamp {unix} is outside 1970-01-01..9999-12-31"),
        ));
    }
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400) as u32;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = (days + 4).rem_euclid(7) as u32; // 1970-01-01 was a Thursday
    Ok(Civil {
        year,
        month,
        day,
        hour: secs / 3600,
        minute: secs / 60 % 60,
        second: secs % 60,
        weekday,
    })
}

/// ISO 8601 UTC with whole seconds, `YYYY-MM-DDThh:mm:ssZ` (`x-acs-date`, RPC `Timestamp`).
///
/// ```
/// assert_eq!(credchain::sign::format_iso8601(1_456_231_584).unwrap(), "2016-02-23T12:46:24Z");
/// assert!(credchain::sign::format_iso8601(-1).is_err());
/// ```
pub fn format_iso8601(unix: i64) -> Result<String, Error> {
    let c = civil(unix)?;
    Ok(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    ))
}

/// The UTC date `YYYY-MM-DD` (the TC3 credential-scope date).
///
/// ```
/// use credchain::sign::format_date;
/// assert_eq!(format_date(1_551_139_199).unwrap(), "2019-02-25");
/// assert_eq!(format_date(1_551_139_200).unwrap(), "2019-02-26");
/// ```
pub fn format_date(unix: i64) -> Result<String, Error> {
    let c = civil(unix)?;
    Ok(format!("{:04}-{:02}-{:02}", c.year, c.month, c.day))
}

/// The compact UTC form `YYYYMMDDThhmmssZ` (OSS V4 `x-oss-date`).
///
/// ```
/// assert_eq!(credchain::sign::format_compact(1_702_743_657).unwrap(), "20231216T162057Z");
/// ```
pub fn format_compact(unix: i64) -> Result<String, Error> {
    let c = civil(unix)?;
    Ok(format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    ))
}

/// The HTTP date (RFC 7231 IMF-fixdate), `Thu, 17 Nov 2005 18:49:58 GMT` (OSS V1 / ROA `Date`).
///
/// ```
/// assert_eq!(credchain::sign::format_http_date(1_132_253_398).unwrap(), "Thu, 17 Nov 2005 18:49:58 GMT");
/// ```
pub fn format_http_date(unix: i64) -> Result<String, Error> {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let c = civil(unix)?;
    let day = DAYS.get(c.weekday as usize).copied().unwrap_or("Sun");
    let month = MONTHS
        .get(c.month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("Jan");
    Ok(format!(
        "{day}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
        c.day, c.year, c.hour, c.minute, c.second
    ))
}

/// Lower-cased, trimmed header lookup (first match).
pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

pub(crate) fn has_header(headers: &[(String, String)], name: &str) -> bool {
    find_header(headers, name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_matches_jiff() {
        for &t in &[
            0i64,
            59,
            86_399,
            86_400,
            951_782_400,
            1_551_139_199,
            1_551_139_200,
        ] {
            let ours = format_iso8601(t).unwrap();
            let jiff = crate::time::format_rfc3339(crate::time::from_unix_seconds(t));
            assert_eq!(ours, jiff, "{t}");
        }
        let mut t = 0i64;
        while t < MAX_UNIX {
            let ours = format_iso8601(t).unwrap();
            let jiff = crate::time::format_rfc3339(crate::time::from_unix_seconds(t));
            assert_eq!(ours, jiff, "{t}");
            t += 7_777_777;
            if t > MAX_UNIX - 86_400 * 2 {
                break;
            }
        }
        assert_eq!(format_iso8601(MAX_UNIX).unwrap(), "9999-12-31T23:59:59Z");
        assert_eq!(
            format_http_date(MAX_UNIX).unwrap(),
            "Fri, 31 Dec 9999 23:59:59 GMT"
        );
        assert!(format_iso8601(MAX_UNIX + 1).is_err());
        assert!(format_http_date(i64::MIN).is_err());
    }

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
