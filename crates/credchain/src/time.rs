//! Time formats used on the wire, all in UTC, all from one calendar (jiff's):
//!
//! | function | form | used for |
//! |---|---|---|
//! | [`format_rfc3339`], [`format_iso8601`] | `2018-12-18T16:39:38Z` | expirations, `x-acs-date`, RPC `Timestamp` |
//! | [`format_date`] | `2019-02-25` | TC3 credential-scope date |
//! | [`format_compact`] | `20231216T162057Z` | OSS V4 `x-oss-date` |
//! | [`format_http_date`] | `Thu, 17 Nov 2005 18:49:58 GMT` | OSS V1 / ROA `Date` |
//!
//! jiff turns a Unix timestamp into a civil date and time; the digits are written by hand into the
//! caller's buffer, so the signers' hot paths format a date without allocating (`write_*`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jiff::civil::Date;

use crate::error::{Error, ErrorKind};

/// Largest timestamp the signing formatters accept: 9999-12-31T23:59:59Z.
const MAX_UNIX: i64 = 253_402_300_799;

/// Smallest timestamp with a four-digit year: 0000-01-01T00:00:00Z.
const MIN_FOUR_DIGIT_YEAR_UNIX: i64 = -62_167_219_200;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A UTC civil date (jiff's calendar) and the second of that day.
struct Utc {
    date: Date,
    second_of_day: u32,
}

impl Utc {
    fn hour(&self) -> u32 {
        self.second_of_day / 3600
    }
    fn minute(&self) -> u32 {
        self.second_of_day / 60 % 60
    }
    fn second(&self) -> u32 {
        self.second_of_day % 60
    }
}

/// The UTC civil date and time of `unix`, if jiff's calendar reaches it (years -9999..=9999).
/// Days are added to 1970-01-01 rather than going through `jiff::Timestamp`, whose range stops a
/// day short of 9999-12-31 (it leaves room for any UTC offset).
fn utc(unix: i64) -> Option<Utc> {
    let days = jiff::Span::new().try_days(unix.div_euclid(86_400)).ok()?;
    let date = jiff::civil::date(1970, 1, 1).checked_add(days).ok()?;
    let second_of_day = u32::try_from(unix.rem_euclid(86_400)).ok()?;
    Some(Utc {
        date,
        second_of_day,
    })
}

/// The UTC civil time of a signing timestamp; signatures only exist for 1970..=9999.
fn signing_utc(unix: i64) -> Result<Utc, Error> {
    let dt = (0..=MAX_UNIX).contains(&unix).then(|| utc(unix)).flatten();
    dt.ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidConfig,
            format!("timestamp {unix} is outside 1970-01-01..9999-12-31; pass Unix seconds in that range"),
        )
    })
}

/// Appends `value` as exactly `width` decimal digits (zero-padded; `value` fits by construction).
fn push_digits(out: &mut String, value: u32, width: u32) {
    let mut div = 10u32.pow(width - 1);
    while div > 0 {
        out.push(char::from(b'0' + (value / div % 10) as u8));
        div /= 10;
    }
}

/// `YYYY<sep>MM<sep>DD`.
fn push_date(out: &mut String, dt: &Utc, sep: Option<char>) {
    push_digits(out, dt.date.year() as u32, 4);
    out.extend(sep);
    push_digits(out, dt.date.month() as u32, 2);
    out.extend(sep);
    push_digits(out, dt.date.day() as u32, 2);
}

/// `hh<sep>mm<sep>ss`.
fn push_clock(out: &mut String, dt: &Utc, sep: Option<char>) {
    push_digits(out, dt.hour(), 2);
    out.extend(sep);
    push_digits(out, dt.minute(), 2);
    out.extend(sep);
    push_digits(out, dt.second(), 2);
}

fn push_iso8601(out: &mut String, dt: &Utc) {
    push_date(out, dt, Some('-'));
    out.push('T');
    push_clock(out, dt, Some(':'));
    out.push('Z');
}

/// Appends `YYYY-MM-DDThh:mm:ssZ` (see [`format_iso8601`]).
pub(crate) fn write_iso8601(out: &mut String, unix: i64) -> Result<(), Error> {
    push_iso8601(out, &signing_utc(unix)?);
    Ok(())
}

/// Appends `YYYY-MM-DD` (see [`format_date`]).
pub(crate) fn write_date(out: &mut String, unix: i64) -> Result<(), Error> {
    push_date(out, &signing_utc(unix)?, Some('-'));
    Ok(())
}

/// Appends `YYYYMMDDThhmmssZ` (see [`format_compact`]).
pub(crate) fn write_compact(out: &mut String, unix: i64) -> Result<(), Error> {
    let dt = signing_utc(unix)?;
    push_date(out, &dt, None);
    out.push('T');
    push_clock(out, &dt, None);
    out.push('Z');
    Ok(())
}

/// Appends `Thu, 17 Nov 2005 18:49:58 GMT` (see [`format_http_date`]).
pub(crate) fn write_http_date(out: &mut String, unix: i64) -> Result<(), Error> {
    let dt = signing_utc(unix)?;
    let weekday = dt.date.weekday().to_monday_zero_offset() as usize;
    out.push_str(WEEKDAYS.get(weekday).copied().unwrap_or("Mon"));
    out.push_str(", ");
    push_digits(out, dt.date.day() as u32, 2);
    out.push(' ');
    let month = usize::try_from(dt.date.month() - 1).unwrap_or(0);
    out.push_str(MONTHS.get(month).copied().unwrap_or("Jan"));
    out.push(' ');
    push_digits(out, dt.date.year() as u32, 4);
    out.push(' ');
    push_clock(out, &dt, Some(':'));
    out.push_str(" GMT");
    Ok(())
}

/// Runs one of the `write_*` functions into a fresh string of the right capacity.
fn format_with(
    capacity: usize,
    unix: i64,
    write: fn(&mut String, i64) -> Result<(), Error>,
) -> Result<String, Error> {
    let mut out = String::with_capacity(capacity);
    write(&mut out, unix)?;
    Ok(out)
}

/// ISO 8601 UTC with whole seconds, `YYYY-MM-DDThh:mm:ssZ` (`x-acs-date`, RPC `Timestamp`).
/// Timestamps outside 1970-01-01..9999-12-31 are an error.
///
/// ```
/// assert_eq!(credchain::time::format_iso8601(1_456_231_584).unwrap(), "2016-02-23T12:46:24Z");
/// assert!(credchain::time::format_iso8601(-1).is_err());
/// ```
pub fn format_iso8601(unix: i64) -> Result<String, Error> {
    format_with(20, unix, write_iso8601)
}

/// The UTC date `YYYY-MM-DD` (the TC3 credential-scope date).
///
/// ```
/// use credchain::time::format_date;
/// assert_eq!(format_date(1_551_139_199).unwrap(), "2019-02-25");
/// assert_eq!(format_date(1_551_139_200).unwrap(), "2019-02-26");
/// ```
pub fn format_date(unix: i64) -> Result<String, Error> {
    format_with(10, unix, write_date)
}

/// The compact UTC form `YYYYMMDDThhmmssZ` (OSS V4 `x-oss-date`).
///
/// ```
/// assert_eq!(credchain::time::format_compact(1_702_743_657).unwrap(), "20231216T162057Z");
/// ```
pub fn format_compact(unix: i64) -> Result<String, Error> {
    format_with(16, unix, write_compact)
}

/// The HTTP date (RFC 7231 IMF-fixdate), `Thu, 17 Nov 2005 18:49:58 GMT` (OSS V1 / ROA `Date`).
///
/// ```
/// assert_eq!(credchain::time::format_http_date(1_132_253_398).unwrap(), "Thu, 17 Nov 2005 18:49:58 GMT");
/// ```
pub fn format_http_date(unix: i64) -> Result<String, Error> {
    format_with(29, unix, write_http_date)
}

/// Formats a time as RFC 3339 in UTC with whole seconds, e.g. `2018-12-18T16:39:38Z`. A time
/// whose year has more than four digits (or is before year 0) gives `invalid-time`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::from_secs(1_545_151_178);
/// assert_eq!(credchain::time::format_rfc3339(t), "2018-12-18T16:39:38Z");
/// ```
pub fn format_rfc3339(t: SystemTime) -> String {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    };
    match (MIN_FOUR_DIGIT_YEAR_UNIX..=MAX_UNIX)
        .contains(&secs)
        .then(|| utc(secs))
        .flatten()
    {
        Some(dt) => {
            let mut out = String::with_capacity(20);
            push_iso8601(&mut out, &dt);
            out
        }
        None => "invalid-time".to_string(),
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

/// The current system time in Unix seconds (0 if the clock is before 1970), for callers that have
/// no [`Context`](crate::context::Context); the library's own signing paths read the context's
/// clock instead.
///
/// ```
/// assert!(credchain::time::now_unix() > 1_700_000_000);
/// ```
pub fn now_unix() -> i64 {
    unix_seconds(SystemTime::now())
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

    /// The hand-written digits against jiff's own formatter, across the whole signing range.
    #[test]
    fn digits_match_jiff_strftime() {
        // Day and leap-day edges (2000-02-29, 2100-02-28/03-01), then a stride over the range;
        // jiff::Timestamp stops about a day before MAX_UNIX, whose edges are checked below.
        let edges = [
            59,
            86_399,
            86_400,
            951_782_399,
            951_868_799,
            4_107_542_399,
            4_107_542_400,
        ];
        let stride = (0..).map(|i: i64| i * 7_777_777);
        for t in edges.into_iter().chain(stride) {
            let Ok(ts) = jiff::Timestamp::from_second(t) else {
                break;
            };
            assert_eq!(
                format_iso8601(t).unwrap(),
                ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
            );
            assert_eq!(
                format_compact(t).unwrap(),
                ts.strftime("%Y%m%dT%H%M%SZ").to_string()
            );
            assert_eq!(
                format_http_date(t).unwrap(),
                ts.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
            );
        }
    }

    #[test]
    fn range_edges() {
        assert_eq!(format_iso8601(0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(format_iso8601(MAX_UNIX).unwrap(), "9999-12-31T23:59:59Z");
        assert_eq!(
            format_http_date(MAX_UNIX).unwrap(),
            "Fri, 31 Dec 9999 23:59:59 GMT"
        );
        assert_eq!(
            format_http_date(0).unwrap(),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
        assert!(format_iso8601(MAX_UNIX + 1).is_err());
        assert!(format_http_date(i64::MIN).is_err());
        let err = format_date(-1).unwrap_err().to_string();
        assert!(err.contains("-1") && err.contains("1970"), "{err}");
        assert_eq!(
            format_rfc3339(UNIX_EPOCH - Duration::from_secs(86_400)),
            "1969-12-31T00:00:00Z"
        );
    }
}
