//! Percent-encodings used by the signers.
//!
//! Alibaba's "pe" (ACS3 query and path, RPC) and Tencent's documented query encoding are both
//! RFC 3986: UTF-8 bytes, only `A–Z a–z 0–9 - _ . ~` stay literal, everything else becomes `%XX` with
//! **upper-case** hex. A space is `%20` (never `+`) and `*` is `%2A`.
//!
//! ```
//! use credchain::sign::encode::{encode_param, encode_path};
//! assert_eq!(encode_param("a/b/c/ test"), "a%2Fb%2Fc%2F%20test");
//! assert_eq!(encode_path("/path/ test"), "/path/%20test");
//! ```

use super::sink::Sink;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Whether a byte is an RFC 3986 unreserved character (kept literal).
///
/// ```
/// use credchain::sign::encode::is_unreserved;
/// assert!(is_unreserved(b'~') && is_unreserved(b'-') && is_unreserved(b'Z'));
/// assert!(!is_unreserved(b'*') && !is_unreserved(b' ') && !is_unreserved(b'/'));
/// ```
#[inline]
pub fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends the RFC 3986 encoding of `input` (`/` kept when `keep_slash`): runs of literal bytes
/// are appended whole, each other byte as `%XX`.
pub(crate) fn encode_into(out: &mut dyn Sink, input: &[u8], keep_slash: bool) {
    escape_into(out, input, keep_slash, b"%");
}

/// [`encode_into`] applied twice (`/` encoded), as RPC v1's string to sign holds the canonical
/// query encoded once more: an escaped byte becomes `%25XX`, never an intermediate string.
pub(crate) fn encode_twice_into(out: &mut dyn Sink, input: &[u8]) {
    // Encoding the first pass's output again changes only its `%` (the hex digits and the
    // unreserved bytes are unreserved).
    escape_into(out, input, false, b"%25");
}

/// Writes runs of literal bytes at once, and each other byte as `prefix` + two upper-case hex
/// digits.
fn escape_into(out: &mut dyn Sink, input: &[u8], keep_slash: bool, prefix: &[u8]) {
    let literal = |b: u8| is_unreserved(b) || (keep_slash && b == b'/');
    let mut escaped = [0u8; 5];
    escaped[..prefix.len()].copy_from_slice(prefix);
    let escaped_len = prefix.len() + 2;
    let mut rest = input;
    while !rest.is_empty() {
        let run = rest.iter().position(|&b| !literal(b)).unwrap_or(rest.len());
        let (plain, tail) = rest.split_at(run);
        // Unreserved bytes are ASCII, so the run is valid UTF-8.
        out.put(std::str::from_utf8(plain).unwrap_or_default());
        let Some((&b, tail)) = tail.split_first() else {
            break;
        };
        escaped[prefix.len()] = HEX[(b >> 4) as usize];
        escaped[prefix.len() + 1] = HEX[(b & 0x0f) as usize];
        out.put(std::str::from_utf8(&escaped[..escaped_len]).unwrap_or_default());
        rest = tail;
    }
}

/// Orders two inputs as their RFC 3986 encodings (`/` encoded) would order byte-wise, without
/// encoding them: equal leading bytes encode alike, and at the first difference an escaped byte
/// (`%`, 0x25) sorts before any unreserved one, two escaped bytes by their (upper-case) hex, two
/// literal bytes as themselves.
pub(crate) fn cmp_encoded(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match a.iter().zip(b).find(|(x, y)| x != y) {
        None => a.len().cmp(&b.len()),
        Some((&x, &y)) => match (is_unreserved(x), is_unreserved(y)) {
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => x.cmp(&y),
        },
    }
}

/// RFC 3986 percent-encoding of arbitrary bytes (`/` encoded).
///
/// ```
/// use credchain::sign::encode::encode_bytes;
/// assert_eq!(encode_bytes(&[0xff, b'a', b' ']), "%FFa%20");
/// ```
pub fn encode_bytes(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 2);
    encode_into(&mut out, input, false);
    out
}

/// Alibaba `encode_param` / `percentEncode`: RFC 3986, `/` encoded.
///
/// ```
/// use credchain::sign::encode::encode_param;
/// assert_eq!(
///     encode_param(r"123abc!@#$%^&*()-=_+ ~|\/"),
///     "123abc%21%40%23%24%25%5E%26%2A%28%29-%3D_%2B%20~%7C%5C%2F"
/// );
/// ```
pub fn encode_param(input: &str) -> String {
    encode_bytes(input.as_bytes())
}

/// Alibaba `encode_path`: RFC 3986 with `/` kept (ACS3 CanonicalURI, OSS V4 URI).
///
/// ```
/// use credchain::sign::encode::encode_path;
/// assert_eq!(encode_path("/bucket/1234+-/123/1.txt"), "/bucket/1234%2B-/123/1.txt");
/// ```
pub fn encode_path(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 2);
    encode_into(&mut out, input.as_bytes(), true);
    out
}

/// Alibaba canonical query (ACS3 CanonicalQueryString, RPC canonicalized query): pairs sorted by key
/// (byte-wise; equal keys keep their order), `pe(key)=pe(value)` joined by `&`. An empty value gives
/// `key=`.
///
/// ```
/// use credchain::sign::encode::canonical_query;
/// assert_eq!(canonical_query(&[("test", " ~/*-+")]), "test=%20~%2F%2A-%2B");
/// assert_eq!(canonical_query(&[("test", "ok"), ("empty", "")]), "empty=&test=ok");
/// assert_eq!(canonical_query::<&str, &str>(&[]), "");
/// ```
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut out = String::new();
    write_canonical_query(&mut out, params);
    out
}

/// Appends [`canonical_query`] of `params` (sorting borrowed pairs; no allocation when empty).
pub(crate) fn write_canonical_query<K: AsRef<str>, V: AsRef<str>>(
    out: &mut dyn Sink,
    params: &[(K, V)],
) {
    let mut sorted: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    write_pairs(out, sorted.into_iter());
}

/// Encodes pairs **in the given order** as `pe(key)=pe(value)` joined by `&` — the query string to
/// send for Tencent TC3 GET (whose canonical query must equal what is sent) and for requests whose
/// parameter order was already fixed.
///
/// ```
/// use credchain::sign::encode::encode_query;
/// assert_eq!(
///     encode_query(&[("Limit", "1"), ("Filters.0.Values.0", "未命名"), ("Filters.0.Name", "instance-name")]),
///     "Limit=1&Filters.0.Values.0=%E6%9C%AA%E5%91%BD%E5%90%8D&Filters.0.Name=instance-name"
/// );
/// ```
pub fn encode_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    join_encoded(params.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
}

fn join_encoded<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    write_pairs(&mut out, pairs);
    out
}

/// Appends `pe(key)=pe(value)` pairs joined by `&`, in the given order.
pub(crate) fn write_pairs<'a>(out: &mut dyn Sink, pairs: impl Iterator<Item = (&'a str, &'a str)>) {
    for (i, (k, v)) in pairs.enumerate() {
        if i > 0 {
            out.put("&");
        }
        encode_into(out, k.as_bytes(), false);
        out.put("=");
        encode_into(out, v.as_bytes(), false);
    }
}

/// Percent-decoding (the inverse of the encoders above). Lenient: a `%` not followed by two hex
/// digits is kept literally; `+` is kept (it is not a space in RFC 3986).
///
/// ```
/// use credchain::sign::encode::{decode, encode_param};
/// assert_eq!(decode("a%2Fb%20c"), b"a/b c");
/// assert_eq!(decode(&encode_param("中文 *~")), "中文 *~".as_bytes());
/// assert_eq!(decode("100%"), b"100%");
/// ```
pub fn decode(input: &str) -> Vec<u8> {
    fn hex_val(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex_val),
                bytes.get(i + 2).copied().and_then(hex_val),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors() {
        assert_eq!(
            canonical_query(&[("test", " ~/*-+")]),
            "test=%20~%2F%2A-%2B"
        );
        assert_eq!(encode_path("/path/ test"), "/path/%20test");
        assert_eq!(encode_param("a/b/c/ test"), "a%2Fb%2Fc%2F%20test");
        assert_eq!(
            encode_param("2016-02-23T12:46:24Z"),
            "2016-02-23T12%3A46%3A24Z"
        );
    }

    #[test]
    fn cmp_encoded_orders_as_the_encodings() {
        let inputs: &[&[u8]] = &[
            b"",
            b"a",
            b"a-",
            b"a!",
            b"~",
            b"\x7f",
            b"%",
            b"/",
            b"ab",
            b"a b",
            b"Z",
            b"0",
            "\u{e9}".as_bytes(),
            b"\xff",
            b"-",
            b"*",
            b".",
            b"_",
        ];
        for a in inputs {
            for b in inputs {
                assert_eq!(
                    cmp_encoded(a, b),
                    encode_bytes(a).cmp(&encode_bytes(b)),
                    "{a:?} vs {b:?}"
                );
            }
        }
    }
}
