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

/// The remembered requests, oldest first.
#[derive(Debug, Default)]
pub(crate) struct RequestLog(Mutex<VecDeque<RecordedRequest>>);

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
        if log.len() >= MAX_RECORDED_REQUESTS {
            log.pop_front();
        }
        log.push_back(kept);
    }

    pub(crate) fn all(&self) -> Vec<RecordedRequest> {
        lock(&self.0).iter().cloned().collect()
    }

    pub(crate) fn clear(&self) {
        lock(&self.0).clear();
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
        log.clear();
        assert!(log.all().is_empty());
    }
}
