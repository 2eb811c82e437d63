//! What the Alibaba verifiers share: the RPC v1 verifier ([`super::rpc_verify`], used by the
//! generic RPC route and STS `AssumeRole`) and the ACS3 verifier ([`super::acs3_verify`]). They
//! answer with the same error, look keys up the same way, hold the same timestamp window and
//! refuse a reused nonce the same way; each route renders the error in its own shape.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::SystemTime;

use crate::route::RouteContext;
use crate::time::{parse_utc, unix_seconds};

/// Largest accepted difference between `Timestamp` / `x-acs-date` and the system clock.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 15 * 60;
/// How many nonces a route remembers before forgetting those older than the time window.
const NONCE_PRUNE_AT: usize = 10_000;

/// A refused request: the HTTP status and Alibaba's error code and message.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) message: String,
}

/// An [`ApiError`].
pub(crate) fn err(status: u16, code: &str, message: impl Into<String>) -> ApiError {
    ApiError {
        status,
        code: code.to_string(),
        message: message.into(),
    }
}

/// Which keys a route accepts and whether it checks the request time.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KeyCheck<'a> {
    /// Long-term `(AccessKeyId, AccessKeySecret)` pairs.
    pub(crate) keys: &'a [(String, String)],
    /// Whether credentials the emulator issued (sent with their token) are accepted.
    pub(crate) accept_issued: bool,
    /// Whether the request time must be within [`MAX_CLOCK_SKEW_SECONDS`] of now.
    pub(crate) check_timestamp: bool,
}

impl KeyCheck<'_> {
    /// The secret of `key_id`: a long-term key, else unexpired issued credentials whose token is
    /// `token`.
    pub(crate) fn secret_for(
        &self,
        ctx: &RouteContext<'_>,
        key_id: &str,
        token: Option<&str>,
    ) -> Result<String, ApiError> {
        if let Some((_, s)) = self.keys.iter().find(|(id, _)| id == key_id) {
            return Ok(s.clone());
        }
        let issued = self
            .accept_issued
            .then(|| ctx.state().issued_with_key(key_id))
            .flatten();
        let Some(c) = issued else {
            return Err(err(
                404,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            ));
        };
        if token != Some(c.security_token.as_str()) {
            return Err(err(
                400,
                "InvalidSecurityToken.MismatchWithAccessKey",
                "Specified SecurityToken mismatch with the AccessKey.",
            ));
        }
        if c.expiration <= SystemTime::now() {
            return Err(err(
                400,
                "InvalidSecurityToken.Expired",
                "Specified SecurityToken is expired.",
            ));
        }
        Ok(c.access_key_secret)
    }

    /// Checks that `value` is `YYYY-MM-DDThh:mm:ssZ` and, when the route checks time, within
    /// [`MAX_CLOCK_SKEW_SECONDS`] of the system clock.
    pub(crate) fn check_time(&self, value: Option<&str>) -> Result<(), ApiError> {
        let Some(t) = value.and_then(parse_utc) else {
            return Err(err(
                400,
                "InvalidTimeStamp.Format",
                "Specified time stamp or date value is not well formatted.",
            ));
        };
        let skew = (unix_seconds(SystemTime::now()) - unix_seconds(t)).abs();
        if self.check_timestamp && skew > MAX_CLOCK_SKEW_SECONDS {
            return Err(err(
                400,
                "InvalidTimeStamp.Expired",
                "Specified time stamp or date value is expired.",
            ));
        }
        Ok(())
    }
}

/// Nonces seen by one route, with when they were seen.
#[derive(Debug, Default)]
pub(crate) struct Nonces(Mutex<HashMap<String, SystemTime>>);

impl Nonces {
    /// Records `nonce`; `SignatureNonceUsed` when it was already used.
    pub(crate) fn insert(&self, nonce: &str) -> Result<(), ApiError> {
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let now = SystemTime::now();
        if seen.len() >= NONCE_PRUNE_AT {
            // Older nonces fall outside the time window: a replay of them fails the time check.
            seen.retain(|_, at| {
                now.duration_since(*at)
                    .map_or(true, |d| d.as_secs() <= 2 * MAX_CLOCK_SKEW_SECONDS as u64)
            });
        }
        match seen.insert(nonce.to_string(), now) {
            None => Ok(()),
            Some(_) => Err(err(
                400,
                "SignatureNonceUsed",
                "Specified signature nonce was used already.",
            )),
        }
    }
}
