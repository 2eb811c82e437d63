//! At most one log line per interval for a repeating event, with the number of repeats.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Lets one occurrence of an event through per `interval` and counts the others, so a flood
/// (EMFILE on every accept, a connection storm) costs one log line a second, not one per event.
#[derive(Debug)]
pub struct RateLimit {
    interval: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    last: Option<Instant>,
    /// Occurrences since the last line (including the one being reported).
    count: u64,
}

impl RateLimit {
    /// One line per `interval`.
    pub fn new(interval: Duration) -> Self {
        RateLimit {
            interval,
            state: Mutex::new(State::default()),
        }
    }

    /// Records one occurrence at `now`. Returns `Some(n)` when a line should be written now,
    /// `n` being the occurrences it stands for (this one and those held back since the last line).
    pub fn hit(&self, now: Instant) -> Option<u64> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.count += 1;
        if s.last
            .is_some_and(|last| now.duration_since(last) < self.interval)
        {
            return None;
        }
        s.last = Some(now);
        Some(std::mem::take(&mut s.count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_interval_with_the_count() {
        let r = RateLimit::new(Duration::from_secs(1));
        let t0 = Instant::now();
        assert_eq!(r.hit(t0), Some(1));
        for i in 1..=1957u32 {
            assert_eq!(r.hit(t0 + Duration::from_micros(u64::from(i) * 100)), None);
        }
        assert_eq!(r.hit(t0 + Duration::from_secs(1)), Some(1958));
        assert_eq!(r.hit(t0 + Duration::from_millis(1500)), None);
        assert_eq!(r.hit(t0 + Duration::from_secs(3)), Some(2));
    }
}
