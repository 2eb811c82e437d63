//! Time: the [`Clock`] trait (wall clock and monotonic clock), the system clock
//! ([`SystemClock`]) and a clock for tests that moves only when told to ([`ManualClock`]).

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Time: the wall clock (what servers' expiry times are compared with) and a monotonic clock
/// (what refresh schedules run on).
///
/// The two are separate because the wall clock can be set back or forward at any moment (by an
/// administrator, NTP, a VM resume), while "this credential has 50 minutes left" is a duration
/// that must keep shrinking whatever the wall clock says. The cache reads the wall clock once per
/// fetch, to turn the server's expiry into a lifetime, and counts that lifetime down on the
/// monotonic clock.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;

    /// A monotonic reading: time since an arbitrary fixed origin, never going back and not moved
    /// by changes to the wall clock. Only differences between readings mean anything.
    ///
    /// The default implementation reads the process's monotonic clock (`Instant`); a test clock
    /// that fakes the wall clock should override it too (as [`ManualClock`] does), or schedules
    /// will run in real time.
    fn monotonic(&self) -> Duration {
        static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        ORIGIN.get_or_init(std::time::Instant::now).elapsed()
    }
}

/// The system clock.
///
/// On Linux it reads `CLOCK_REALTIME_COARSE` and `CLOCK_MONOTONIC_COARSE` (a few ns each,
/// millisecond-ish resolution), which is plenty for credential expiry and keeps the cached-read
/// hot path cheap.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[inline]
    fn now(&self) -> SystemTime {
        coarse_now()
    }

    #[inline]
    fn monotonic(&self) -> Duration {
        coarse_monotonic()
    }
}

/// `clock_gettime(id)` as a duration since that clock's origin; `None` if the call fails.
#[cfg(target_os = "linux")]
#[inline]
fn clock_gettime(id: libc::clockid_t) -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; clock_gettime only writes to it.
    let rc = unsafe { libc::clock_gettime(id, &mut ts) };
    if rc != 0 || ts.tv_sec < 0 {
        return None;
    }
    Some(Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

#[cfg(target_os = "linux")]
#[inline]
fn coarse_now() -> SystemTime {
    match clock_gettime(libc::CLOCK_REALTIME_COARSE) {
        Some(d) => SystemTime::UNIX_EPOCH + d,
        None => SystemTime::now(),
    }
}

#[cfg(target_os = "linux")]
#[inline]
fn coarse_monotonic() -> Duration {
    // CLOCK_MONOTONIC (not BOOTTIME): like `Instant`, it does not count suspended time, which is
    // at worst a refresh that comes late after a laptop wakes; the stale point then catches it.
    clock_gettime(libc::CLOCK_MONOTONIC_COARSE).unwrap_or_else(|| SystemClock.monotonic_std())
}

#[cfg(not(target_os = "linux"))]
#[inline]
fn coarse_now() -> SystemTime {
    SystemTime::now()
}

#[cfg(not(target_os = "linux"))]
#[inline]
fn coarse_monotonic() -> Duration {
    SystemClock.monotonic_std()
}

impl SystemClock {
    /// The portable monotonic reading (`Instant` since the first call).
    fn monotonic_std(&self) -> Duration {
        static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        ORIGIN.get_or_init(std::time::Instant::now).elapsed()
    }
}

/// A clock that moves only when told to, for tests: [`ManualClock::advance`] moves the wall
/// clock and the monotonic clock together (time passes); [`ManualClock::set`] moves only the wall
/// clock (someone changes the system time).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use credchain::context::{Clock, ManualClock};
/// let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
/// let m0 = clock.monotonic();
/// clock.advance(Duration::from_secs(60));
/// assert_eq!(clock.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(60));
/// clock.set(SystemTime::UNIX_EPOCH); // the wall clock goes back...
/// assert_eq!(clock.monotonic() - m0, Duration::from_secs(60)); // ...monotonic time does not
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<ManualTime>>);

#[derive(Debug, Clone, Copy)]
struct ManualTime {
    wall: SystemTime,
    monotonic: Duration,
}

impl ManualClock {
    /// A clock stopped at `start` (its monotonic reading starts at an arbitrary fixed value).
    pub fn new(start: SystemTime) -> Self {
        ManualClock(Arc::new(Mutex::new(ManualTime {
            wall: start,
            monotonic: Duration::from_secs(1_000_000),
        })))
    }
    /// Lets time pass: moves the wall clock and the monotonic clock forward.
    pub fn advance(&self, by: Duration) {
        let mut t = self.time();
        t.wall += by;
        t.monotonic += by;
    }
    /// Sets the wall clock (forward or back); the monotonic clock does not move.
    pub fn set(&self, to: SystemTime) {
        self.time().wall = to;
    }
    fn time(&self) -> std::sync::MutexGuard<'_, ManualTime> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        self.time().wall
    }
    fn monotonic(&self) -> Duration {
        self.time().monotonic
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_monotonic_moves_forward_with_real_time() {
        let a = SystemClock.monotonic();
        std::thread::sleep(Duration::from_millis(30));
        let b = SystemClock.monotonic();
        assert!(b > a, "{a:?} then {b:?}");
    }

    #[test]
    fn system_clock_is_close_to_std() {
        let a = SystemClock.now();
        let b = SystemTime::now();
        let diff = b.duration_since(a).unwrap_or_else(|e| e.duration());
        assert!(diff < Duration::from_millis(100), "{diff:?}");
    }
}
