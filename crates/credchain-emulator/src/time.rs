//! UTC timestamp helpers used by the built-in endpoints.
//!
//! The clouds' credential endpoints use ISO-8601 / RFC 3339 timestamps in UTC with second
//! precision and a `Z` suffix (`2024-01-01T00:00:00Z`). These helpers format and parse exactly
//! that form, without pulling in a date-time crate.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (negative before 1970).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// assert_eq!(credchain_emulator::time::unix_seconds(UNIX_EPOCH + Duration::from_secs(42)), 42);
/// ```
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Formats `t` as `YYYY-MM-DDThh:mm:ssZ` (UTC, whole seconds, sub-seconds truncated).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::from_secs(1_428_580_339);
/// assert_eq!(credchain_emulator::time::format_utc(t), "2015-04-09T11:52:19Z");
/// ```
pub fn format_utc(t: SystemTime) -> String {
    let secs = unix_seconds(t);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Parses `YYYY-MM-DDThh:mm:ssZ` (the form [`format_utc`] writes; fractional seconds are
/// accepted and ignored). Returns `None` for anything else.
///
/// ```
/// use credchain_emulator::time::{format_utc, parse_utc};
/// let t = parse_utc("2015-04-09T11:52:19Z").unwrap();
/// assert_eq!(format_utc(t), "2015-04-09T11:52:19Z");
/// assert!(parse_utc("yesterday").is_none());
/// ```
pub fn parse_utc(s: &str) -> Option<SystemTime> {
    let s = s.strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut dp = date.splitn(3, '-');
    let y: i64 = dp.next()?.parse().ok()?;
    let m: u32 = dp.next()?.parse().ok()?;
    let d: u32 = dp.next()?.parse().ok()?;
    let time = time.split('.').next()?;
    let mut tp = time.splitn(3, ':');
    let hh: i64 = tp.next()?.parse().ok()?;
    let mm: i64 = tp.next()?.parse().ok()?;
    let ss: i64 = tp.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let secs = days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss;
    Some(if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    })
}

/// `YYYY-MM-DD` (UTC) of Unix seconds: the date in a TC3 credential scope.
///
/// ```
/// assert_eq!(credchain_emulator::time::utc_date(1551139199), "2019-02-25");
/// assert_eq!(credchain_emulator::time::utc_date(1551139200), "2019-02-26");
/// ```
pub fn utc_date(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The time `secs` seconds after the Unix epoch (before it when negative).
pub fn from_unix(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

/// Formats `t` as an HTTP date (RFC 9110 IMF-fixdate): `Thu, 01 Jan 2026 10:00:00 GMT`.
///
/// ```
/// use credchain_emulator::time::{format_http_date, from_unix};
/// assert_eq!(format_http_date(from_unix(1_767_261_600)), "Thu, 01 Jan 2026 10:00:00 GMT");
/// ```
pub fn format_http_date(t: SystemTime) -> String {
    let secs = unix_seconds(t);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{}, {d:02} {} {y:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Parses an HTTP date in IMF-fixdate form (`Thu, 01 Jan 2026 10:00:00 GMT`; the weekday is not
/// checked). Returns `None` for anything else.
///
/// ```
/// use credchain_emulator::time::{parse_http_date, unix_seconds};
/// let t = parse_http_date("Thu, 01 Jan 2026 10:00:00 GMT").unwrap();
/// assert_eq!(unix_seconds(t), 1_767_261_600);
/// assert!(parse_http_date("2026-01-01").is_none());
/// assert!(parse_http_date("Thu, 01 Jan 99999999999999999 10:00:00 GMT").is_none());
/// ```
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
    let (_weekday, rest) = s.split_once(", ")?;
    let mut parts = rest.split(' ');
    let d: u32 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let m = MONTHS.iter().position(|n| *n == month)? as u32 + 1;
    let year = parts.next()?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i64 = year.parse().ok()?;
    let time = parts.next()?;
    if parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    parse_utc(&format!("{y:04}-{m:02}-{d:02}T{time}Z"))
}

/// Parses the compact ISO 8601 form of signature dates, `YYYYMMDDThhmmssZ` (SigV4 `X-Amz-Date`,
/// OSS V4 `x-oss-date`). Returns `None` for anything else.
///
/// ```
/// use credchain_emulator::time::{parse_compact_utc, unix_seconds};
/// assert_eq!(unix_seconds(parse_compact_utc("20260101T100000Z").unwrap()), 1_767_261_600);
/// assert!(parse_compact_utc("2026-01-01T10:00:00Z").is_none());
/// ```
pub fn parse_compact_utc(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<&str> {
        let part = s.get(r)?;
        part.bytes().all(|c| c.is_ascii_digit()).then_some(part)
    };
    parse_utc(&format!(
        "{}-{}-{}T{}:{}:{}Z",
        digits(0..4)?,
        digits(4..6)?,
        digits(6..8)?,
        digits(9..11)?,
        digits(11..13)?,
        digits(13..15)?
    ))
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Inverse of [`civil_from_days`].
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(1551139199), "2019-02-25");
        assert_eq!(utc_date(1551139200), "2019-02-26");
        assert_eq!(utc_date(-1), "1969-12-31");
    }

    #[test]
    fn epoch_and_leap_days() {
        assert_eq!(format_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = parse_utc("2024-02-29T23:59:59Z").unwrap();
        assert_eq!(format_utc(t), "2024-02-29T23:59:59Z");
        assert_eq!(
            format_utc(t + Duration::from_secs(1)),
            "2024-03-01T00:00:00Z"
        );
        assert_eq!(
            unix_seconds(parse_utc("2000-01-01T00:00:00Z").unwrap()),
            946_684_800
        );
    }

    #[test]
    fn round_trips_over_a_wide_range() {
        let mut s: i64 = -5_000_000_000;
        while s < 10_000_000_000 {
            let t = if s >= 0 {
                UNIX_EPOCH + Duration::from_secs(s as u64)
            } else {
                UNIX_EPOCH - Duration::from_secs(s.unsigned_abs())
            };
            assert_eq!(unix_seconds(parse_utc(&format_utc(t)).unwrap()), s);
            s += 86_399 * 37;
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00",
        ] {
            assert!(parse_utc(bad).is_none(), "{bad}");
        }
    }
}
