//! The requests the emulator remembers ([`crate::Emulator::requests`]): the newest
//! [`MAX_RECORDED_REQUESTS`], each body cut to its first [`MAX_RECORDED_BODY_BYTES`], so a
//! long-running `credchain emulate` or a test uploading large objects holds a bounded amount.

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::request::RecordedRequest;
use crate::state::lock;

/// How many requests are kept; the oldest are forgotten first.
pub const MAX_RECORDED_REQUESTS: usize = 10_000;
/// How much of each request body is kept (handlers always get the whole body);
/// [`RecordedRequest::body_len`] keeps the length received.
pub const MAX_RECORDED_BODY_BYTES: usize = 8 * 1024;

/// The remembered requests, oldest first, and how many were ever recorded (so a follower such
/// as `credchain emulate`'s request log can ask for "the ones after the n-th" even once the
/// oldest are forgotten).
#[derive(Debug, Default)]
pub(crate) struct RequestLog(Mutex<Log>);

#[derive(Debug, Default)]
struct Log {
    kept: VecDeque<RecordedRequest>,
    total: u64,
}

impl RequestLog {
    /// Keeps a copy of `request`, its body cut, forgetting the oldest beyond the limit.
    pub(crate) fn record(&self, request: &RecordedRequest) {
        let kept = RecordedRequest {
            body: request.body[..request.body.len().min(MAX_RECORDED_BODY_BYTES)].to_vec(),
            method: request.method.clone(),
            path: request.path.clone(),
            query: request.query.clone(),
            headers: request.headers.clone(),
            body_len: request.body_len,
            route: request.route.clone(),
            received_at: request.received_at,
        };
        let mut log = lock(&self.0);
        if log.kept.len() >= MAX_RECORDED_REQUESTS {
            log.kept.pop_front();
        }
        log.kept.push_back(kept);
        log.total += 1;
    }

    pub(crate) fn all(&self) -> Vec<RecordedRequest> {
        lock(&self.0).kept.iter().cloned().collect()
    }

    /// The kept requests recorded after the first `seen` ever recorded, and the total so far
    /// (pass it as `seen` next time). Requests already forgotten are skipped.
    pub(crate) fn after(&self, seen: u64) -> (Vec<RecordedRequest>, u64) {
        let log = lock(&self.0);
        let new = usize::try_from(log.total.saturating_sub(seen)).unwrap_or(usize::MAX);
        let skip = log.kept.len().saturating_sub(new);
        (log.kept.iter().skip(skip).cloned().collect(), log.total)
    }

    pub(crate) fn clear(&self) {
        lock(&self.0).kept.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_requests_with_bodies_cut() {
        let log = RequestLog::default();
        let big = vec![b'x'; MAX_RECORDED_BODY_BYTES + 100];
        for i in 0..MAX_RECORDED_REQUESTS + 2 {
            let r = RecordedRequest::new("PUT", &format!("/b/{i}"));
            let r = if i == MAX_RECORDED_REQUESTS + 1 {
                r.with_body(big.clone())
            } else {
                r.with_body("small")
            };
            log.record(&r);
        }
        let all = log.all();
        assert_eq!(all.len(), MAX_RECORDED_REQUESTS);
        // The two oldest are gone; the newest is last.
        assert_eq!(all[0].path, "/b/2");
        let newest = all.last().unwrap();
        assert_eq!(newest.path, format!("/b/{}", MAX_RECORDED_REQUESTS + 1));
        assert_eq!(newest.body.len(), MAX_RECORDED_BODY_BYTES);
        assert_eq!(newest.body_len, MAX_RECORDED_BODY_BYTES + 100);
        assert_eq!(
            (all[0].body.as_slice(), all[0].body_len),
            (&b"small"[..], 5)
        );
        // A follower that saw all but the last two gets exactly those, even past the cap.
        let total = (MAX_RECORDED_REQUESTS + 2) as u64;
        let (new, now) = log.after(total - 2);
        assert_eq!(now, total);
        assert_eq!(new.len(), 2);
        assert_eq!(new[1].path, newest.path);
        assert!(log.after(total).0.is_empty());
        log.clear();
        assert!(log.all().is_empty());
    }
}
