//! The credentials answer `serve` sent last, reused while the credentials stay the same.
//!
//! Building the answer (a JSON map, the expiry formatted as RFC 3339, serialisation and the
//! allocations of each) was the largest part of serve's own CPU time per request under load
//! (BENCHMARKS.md, "Serve"). The credentials change only when the library's cache refreshes, so
//! the bytes are built once per credentials snapshot and shared by every answer after that.
//! Only answers that depend on nothing but the credentials may go through it (not the ECS
//! metadata shape, whose `LastUpdated` is the time of the request).

use std::sync::Mutex;

use bytes::Bytes;
use credchain::{Credentials, Result};

/// The last credentials answered and the body built for them.
#[derive(Default)]
pub struct BodyCache {
    last: Mutex<Option<(Credentials, Bytes)>>,
}

impl BodyCache {
    /// The body for `c`: the remembered one if it was built for credentials equal to `c`,
    /// otherwise `build(c)`, which is then remembered in its place (a failed build is not).
    pub fn get_or_build(
        &self,
        c: &Credentials,
        build: impl FnOnce(&Credentials) -> Result<Bytes>,
    ) -> Result<Bytes> {
        {
            let mut last = self.lock();
            if let Some((built_for, body)) = &mut *last {
                // The library hands out the same snapshot until it refreshes: comparing pointers
                // answers nearly every request without comparing the secrets byte by byte.
                if built_for.same_snapshot(c) {
                    return Ok(body.clone());
                }
                if built_for == c {
                    // Equal values in a new snapshot: remember it, so the next ones compare
                    // pointers again.
                    *built_for = c.clone();
                    return Ok(body.clone());
                }
            }
        }
        // Built outside the lock: a refresh does not make other requests wait for it.
        let body = build(c)?;
        *self.lock() = Some((c.clone(), body.clone()));
        Ok(body)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Credentials, Bytes)>> {
        self.last.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn creds(token: &str) -> Credentials {
        Credentials::builder("id", "secret")
            .security_token(token)
            .build()
    }

    #[test]
    fn builds_once_per_credentials_snapshot() {
        let cache = BodyCache::default();
        let builds = Cell::new(0);
        let build = |c: &Credentials| {
            builds.set(builds.get() + 1);
            Ok(Bytes::from(
                c.security_token().unwrap_or_default().to_string(),
            ))
        };
        assert_eq!(cache.get_or_build(&creds("t1"), build).unwrap(), "t1");
        assert_eq!(cache.get_or_build(&creds("t1"), build).unwrap(), "t1");
        assert_eq!(builds.get(), 1, "equal credentials reuse the body");
        assert_eq!(cache.get_or_build(&creds("t2"), build).unwrap(), "t2");
        assert_eq!(builds.get(), 2, "refreshed credentials get a new body");
        assert_eq!(cache.get_or_build(&creds("t2"), build).unwrap(), "t2");
        assert_eq!(builds.get(), 2);
        // The same snapshot, handed out again (the library's cache does that).
        let snapshot = creds("t3");
        for _ in 0..3 {
            assert_eq!(cache.get_or_build(&snapshot, build).unwrap(), "t3");
        }
        assert_eq!(builds.get(), 3);
    }
}
