//! Making outside text safe to show: the one place credchain turns text it did not write (server
//! bodies and messages, URLs, env values, file content, process output, JSON parse errors) into
//! something an error, a log line or a response body may carry.
//!
//! Every helper here returns a single line (control characters escaped) of bounded length:
//!
//! - [`excerpt`] / [`excerpt_bytes`]: a quoted piece of outside text, at most
//!   [`EXCERPT_CHARS`] characters, then `…(N bytes)` when cut.
//! - [`service_message`]: a server's error message. Everything from "string to sign" (any case,
//!   also `StringToSign`) on is dropped, because Alibaba's `SignatureDoesNotMatch` message echoes
//!   the server's string to sign, which holds the caller's `SecurityToken`. At most
//!   [`SERVICE_MESSAGE_CHARS`] characters.
//! - [`remove_values`]: the values of the credentials in use (secret, token; raw and
//!   percent-encoded) replaced by `***`. [`crate::Error::redact`] applies it to every text field.
//! - [`url`]: scheme, host, port and path only; never user info, query or fragment; long
//!   random-looking path segments (a `serve` secret path, a signed object key) become `***`.
//! - [`json_error`]: a serde_json error as its category, the expected type, the field name when
//!   serde gives one, and the line and column; never the offending value (`invalid type: integer
//!   `987654321987`` becomes `invalid type: integer, expected a string`).
//!
//! ```
//! use credchain::redact;
//! assert_eq!(redact::url("https://user:pw@sts.example.com:8443/a?Signature=x"), "https://sts.example.com:8443/a");
//! let msg = "Specified signature is not matched. server string to sign is:POST&%2F&SecurityToken%3Dabc";
//! assert_eq!(redact::service_message(msg), "Specified signature is not matched. server …(string to sign removed)");
//! assert_eq!(redact::excerpt("a\nb"), "a\\nb");
//! ```

use std::fmt::Write as _;

/// Longest excerpt of outside text, in characters.
pub const EXCERPT_CHARS: usize = 200;
/// Longest service message kept, in characters.
pub const SERVICE_MESSAGE_CHARS: usize = 300;
/// What replaces a removed value.
pub const MASK: &str = "***";

/// A bounded, single-line excerpt of `text`: control characters escaped (`\n`, `\u{1b}`), at most
/// [`EXCERPT_CHARS`] characters, then `…(N bytes)` naming the full length when cut.
///
/// ```
/// let big = "x".repeat(130_000);
/// let e = credchain::redact::excerpt(&big);
/// assert!(e.len() < 300 && e.ends_with("…(130000 bytes)"));
/// ```
pub fn excerpt(text: &str) -> String {
    bounded_line(text, EXCERPT_CHARS)
}

/// A file path as an [`excerpt`]: paths come from env vars and settings, which may be huge or
/// hold control characters.
pub fn path(path: impl AsRef<std::path::Path>) -> String {
    excerpt(&path.as_ref().to_string_lossy())
}

/// [`excerpt`] of bytes that may not be UTF-8 (invalid sequences become `\u{fffd}`).
pub fn excerpt_bytes(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(EXCERPT_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let mut out = bounded_line_of(&text, EXCERPT_CHARS, bytes.len());
    if head.len() < bytes.len() && !out.ends_with("bytes)") {
        let _ = write!(out, "…({} bytes)", bytes.len());
    }
    out
}

/// A service's error message made safe: cut at "string to sign", single line, at most
/// [`SERVICE_MESSAGE_CHARS`] characters.
pub fn service_message(message: &str) -> String {
    let cut = string_to_sign_at(message);
    let kept = &message[..cut.unwrap_or(message.len())];
    let mut out = bounded_line(kept.trim_end(), SERVICE_MESSAGE_CHARS);
    if cut.is_some() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str("…(string to sign removed)");
    }
    out
}

/// Byte offset of the first "string to sign" / "stringtosign" / "string-to-sign" (any case).
fn string_to_sign_at(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    ["string to sign", "stringtosign", "string-to-sign", "string_to_sign"]
        .iter()
        .filter_map(|needle| lower.find(needle))
        .min()
}

/// `text` with every occurrence of each value replaced by [`MASK`], as written and percent-encoded
/// (once and twice: an RPC string to sign encodes the query a second time). Empty values are
/// skipped, and so are values under 4 characters, which could only mangle the text.
///
/// ```
/// let t = credchain::redact::remove_values("token a+b/c== and a%2Bb%2Fc%3D%3D", ["a+b/c=="]);
/// assert_eq!(t, "token *** and ***");
/// ```
pub fn remove_values<'a>(text: &str, values: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = text.to_string();
    for v in values.into_iter().filter(|v| v.len() >= 4) {
        let once = percent_encode(v);
        let twice = percent_encode(&once);
        for form in [v, once.as_str(), twice.as_str()] {
            if out.contains(form) {
                out = out.replace(form, MASK);
            }
        }
    }
    out
}

/// Whether `text` holds any of `values` (as [`remove_values`] would find them).
pub fn contains_any<'a>(text: &str, values: impl IntoIterator<Item = &'a str>) -> bool {
    remove_values(text, values) != text
}

/// RFC 3986 unreserved characters kept, everything else `%XX` (what RPC signing uses).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A URL safe to show: `scheme://host:port/path`, without user info, query or fragment, and with
/// every long random-looking path segment replaced by `***` (see [`is_random_looking`]).
/// Text without a scheme is treated as `host[:port][/path]`.
///
/// ```
/// use credchain::redact::url;
/// assert_eq!(url("http://127.0.0.1:8080/Xk3pQ9rT2vLm8NwZ4bYc/alibaba"), "http://127.0.0.1:8080/***/alibaba");
/// assert_eq!(url("sts.example.com/?AccessKeyId=x"), "sts.example.com/");
/// ```
pub fn url(url: &str) -> String {
    let url = url.trim();
    let (scheme, rest) = match url.find("://") {
        Some(i) => (&url[..i + 3], &url[i + 3..]),
        None => ("", url),
    };
    let rest = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    // User info is everything up to the last '@' of the authority.
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let mut out = String::with_capacity(url.len());
    out.push_str(&bounded_line(scheme, 16));
    out.push_str(&bounded_line(host, 255));
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if is_random_looking(segment) {
            out.push_str(MASK);
        } else {
            out.push_str(&bounded_line(segment, 64));
        }
    }
    out
}

/// Whether a path segment looks like a generated secret: at least 16 characters that are all hex
/// digits or mix at least two of lower case, upper case and digits, or any segment of 40
/// characters or more. Words (`latest`, `security-credentials`, role names in lower case) stay
/// readable.
pub fn is_random_looking(segment: &str) -> bool {
    let n = segment.chars().count();
    if n >= 40 {
        return true;
    }
    if n < 16 {
        return false;
    }
    if segment.bytes().all(|b| b.is_ascii_hexdigit()) {
        return true;
    }
    let lower = segment.bytes().any(|b| b.is_ascii_lowercase());
    let upper = segment.bytes().any(|b| b.is_ascii_uppercase());
    let digit = segment.bytes().any(|b| b.is_ascii_digit());
    (lower as u8 + upper as u8 + digit as u8) >= 2
}

/// A serde_json error made safe: category (`syntax error`, `invalid type`, `missing field
/// `X``...), the expected type and the position, never the value serde quotes.
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct T { #[allow(dead_code)] key: String }
/// let e = serde_json::from_str::<T>(r#"{"key": 987654321987}"#).unwrap_err();
/// let safe = credchain::redact::json_error(&e);
/// assert_eq!(safe, "invalid type: integer, expected a string at line 1 column 20");
/// ```
pub fn json_error(e: &serde_json::Error) -> String {
    let full = e.to_string();
    // serde_json appends " at line L column C" to the message; rebuild it from the parts.
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    let safe = strip_quoted_values(message);
    let mut out = bounded_line(&safe, EXCERPT_CHARS);
    if e.line() > 0 {
        out.push_str(&suffix);
    }
    out
}

/// A parse error message (serde, toml) without the values it quotes, on one bounded line: field
/// names of `missing field` / `unknown field` / `duplicate field` stay.
///
/// ```
/// let m = credchain::redact::parse_error_message("invalid type: string \"hunter2\", expected u64");
/// assert_eq!(m, "invalid type: string, expected u64");
/// ```
pub fn parse_error_message(message: &str) -> String {
    bounded_line(&strip_quoted_values(message), EXCERPT_CHARS)
}

/// serde's messages quote values in backticks (`integer `5``) or as a Rust string literal
/// (`string "abc"`). Field names (`missing field `x``) are kept; every other quoted part goes.
fn strip_quoted_values(message: &str) -> String {
    for keep in ["missing field `", "unknown field `", "duplicate field `"] {
        if let Some(rest) = message.strip_prefix(keep) {
            let name_end = rest.find('`').unwrap_or(rest.len());
            let name = &rest[..name_end];
            // The rest lists expected names (from credchain's own types): safe but long.
            return format!("{}{}`", keep, bounded_line(name, 64));
        }
    }
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' => {
                // Drop the space before the value and the value itself.
                if out.ends_with(' ') {
                    out.pop();
                }
                for c in chars.by_ref() {
                    if c == '`' {
                        break;
                    }
                }
            }
            '"' => {
                if out.ends_with(' ') {
                    out.pop();
                }
                let mut escaped = false;
                for c in chars.by_ref() {
                    match c {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => break,
                        _ => escaped = false,
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// `text` on one line (control characters escaped), cut after `max_chars` characters with a
/// `…(N bytes)` marker. [`crate::Error`] applies it to every message and hint.
pub fn line(text: &str, max_chars: usize) -> String {
    if text.len() <= max_chars && !text.chars().any(|c| c.is_control() || is_line_separator(c)) {
        return text.to_string();
    }
    bounded_line(text, max_chars)
}

fn bounded_line(text: &str, max_chars: usize) -> String {
    bounded_line_of(text, max_chars, text.len())
}

/// `text` on one line, escaped, cut at `max_chars` with the `…(total bytes)` marker.
fn bounded_line_of(text: &str, max_chars: usize, total_bytes: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars + 24));
    let mut cut = false;
    for (count, c) in text.chars().enumerate() {
        if count >= max_chars {
            cut = true;
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_line_separator(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    if cut {
        let _ = write!(out, "…({total_bytes} bytes)");
    }
    out
}

/// Unicode line and paragraph separators and bidi overrides: they break or disguise a log line.
fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_bounded_and_single_line() {
        let e = excerpt(&format!("line1\nline2\r\t\u{1b}[31m{}", "y".repeat(1000)));
        assert!(!e.contains('\n') && !e.contains('\u{1b}'), "{e}");
        assert!(e.starts_with("line1\\nline2\\r\\t\\u{1b}[31m"));
        assert!(e.ends_with("…(1018 bytes)"), "{e}");
        assert_eq!(excerpt("short"), "short");
        let b = excerpt_bytes(&[0xff, b'a', b'\n']);
        assert_eq!(b, "\u{fffd}a\\n");
        let big = vec![b'z'; 10_000];
        assert!(excerpt_bytes(&big).ends_with("…(10000 bytes)"));
    }

    #[test]
    fn service_message_drops_the_string_to_sign() {
        let token = "CAIStokenVALUE0123456789";
        for marker in ["string to sign", "StringToSign", "STRING TO SIGN", "string-to-sign"] {
            let m = format!("Specified signature is not matched. server {marker} is:POST&%2F&SecurityToken%3D{token}");
            let s = service_message(&m);
            assert!(!s.contains(token), "{s}");
            assert!(s.starts_with("Specified signature is not matched."), "{s}");
            assert!(s.ends_with("…(string to sign removed)"), "{s}");
        }
        let long = format!("a\nb {}", "c".repeat(1000));
        let s = service_message(&long);
        assert!(s.starts_with("a\\nb ccc") && s.chars().count() < 330, "{s}");
    }

    #[test]
    fn values_are_removed_raw_and_encoded() {
        let secret = "s3cr3t/Key+Value=";
        let text = format!(
            "a {secret} b {} c {}",
            percent_encode(secret),
            percent_encode(&percent_encode(secret))
        );
        assert_eq!(remove_values(&text, [secret]), "a *** b *** c ***");
        assert_eq!(remove_values("keep ab", ["ab", ""]), "keep ab");
        assert!(contains_any("x SECRETVAL y", ["SECRETVAL"]));
    }

    #[test]
    fn url_keeps_only_scheme_host_port_and_plain_path() {
        assert_eq!(
            url("https://alice:p%40ss@sts.example.com:8443/v1/x?Signature=abc#frag"),
            "https://sts.example.com:8443/v1/x"
        );
        assert_eq!(url("http://a@b@host/"), "http://host/");
        assert_eq!(
            url("http://100.100.100.200/latest/meta-data/ram/security-credentials/my-role"),
            "http://100.100.100.200/latest/meta-data/ram/security-credentials/my-role"
        );
        assert_eq!(
            url("http://127.0.0.1:1/9f8e7d6c5b4a3f2e1d0c9b8a/alibaba"),
            "http://127.0.0.1:1/***/alibaba"
        );
        assert_eq!(url("host.only"), "host.only");
        assert!(!url("http://h/\nx").contains('\n'));
    }

    #[test]
    fn json_errors_never_show_values() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            key: String,
            #[serde(default)]
            n: Option<u32>,
            #[serde(default)]
            b: Option<bool>,
        }
        for (input, secret) in [
            (r#"{"key": 987654321987}"#, "987654321987"),
            (r#"{"key": "x", "n": "SECRETSTRING"}"#, "SECRETSTRING"),
            (r#"{"key": "x", "n": 12.5e300}"#, "12.5"),
            (r#"{"key": "x", "n": -98765}"#, "98765"),
            (r#"{"key": "x", "b": "we\"ird"}"#, "we"),
            (r#"{"key": ["SECRETARRAY"]}"#, "SECRETARRAY"),
        ] {
            let e = serde_json::from_str::<T>(input).unwrap_err();
            let safe = json_error(&e);
            assert!(!safe.contains(secret), "{safe} (from {e})");
            assert!(safe.contains("line 1 column"), "{safe}");
            assert!(safe.contains("expected"), "{safe}");
        }
        let e = serde_json::from_str::<T>("{}").unwrap_err();
        assert_eq!(json_error(&e), "missing field `key` at line 1 column 2");
        let e = serde_json::from_str::<serde_json::Value>("{\"a\": tru").unwrap_err();
        assert!(json_error(&e).contains("line 1"));
    }
}
