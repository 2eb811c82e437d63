//! Time formats used on the wire: RFC 3339 / ISO 8601 in UTC (`2018-12-18T16:39:38Z`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Formats a time as RFC 3339 in UTC with whole seconds, e.g. `2018-12-18T16:39:38Z`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::from_secs(1_545_151_178);
/// assert_eq!(credchain::time::format_rfc3339(t), "2018-12-18T16:39:38Z");
/// ```
pub fn format_rfc3339(t: SystemTime) -> String {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    };
    match jiff::Timestamp::from_second(secs) {
        Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Err(_) => "invalid-time".to_string(),
    }
}

/// Parses an RFC 3339 / ISO 8601 timestamp with an offset or `Z` (fractions allowed).
/// Returns `None` for anything else, so callers can name the field in their error.
///
/// ```
/// let t = credchain::time::parse_rfc3339("2018-12-18T16:39:38Z").unwrap();
/// assert_eq!(credchain::time::format_rfc3339(t), "2018-12-18T16:39:38Z");
/// assert!(credchain::time::parse_rfc3339("yesterday").is_none());
/// ```
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let ts: jiff::Timestamp = s.trim().parse().ok()?;
    Some(from_unix_seconds(ts.as_second()))
}

/// A time from Unix seconds (negative values clamp to the epoch).
pub fn from_unix_seconds(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64)
}

/// Unix seconds of a time (times before the epoch give 0).
pub fn unix_seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let t = parse_rfc3339("2018-12-18T16:39:38Z").unwrap();
        assert_eq!(unix_seconds(t), 1_545_151_178);
        assert_eq!(format_rfc3339(t), "2018-12-18T16:39:38Z");
        let t = parse_rfc3339("2018-12-19T00:39:38+08:00").unwrap();
        assert_eq!(unix_seconds(t), 1_545_151_178);
        assert!(parse_rfc3339("").is_none());
        assert!(parse_rfc3339("2018-13-40T00:00:00Z").is_none());
    }
}
