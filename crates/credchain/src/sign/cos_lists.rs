//! The COS signed lists (URL parameters, headers) on borrowed pairs: no per-item `String`.
//!
//! COS signs `encode(name).to_lowercase()=encode(value)` pairs sorted by that name, the later of
//! two equal names winning (see [`super::cos`]). The encoded, lower-cased name is a pure function
//! of the name's bytes, so it is compared and written byte by byte instead of being built.

use std::cmp::Ordering;

use super::borrowed_pairs::with_sorted_by;
pub(crate) use super::borrowed_pairs::Pair;
use super::encode::{encode_into, is_unreserved};
use super::sink::{put_lowercase, Sink};

const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";

/// The bytes of `encode(name).to_ascii_lowercase()`: unreserved bytes lower-cased, every other
/// byte `%` and two lower-case hex digits.
fn encoded_lower(name: &[u8]) -> impl Iterator<Item = u8> + '_ {
    name.iter().flat_map(|&b| {
        let (bytes, len) = if is_unreserved(b) {
            ([b.to_ascii_lowercase(), 0, 0], 1)
        } else {
            (
                [
                    b'%',
                    LOWER_HEX[(b >> 4) as usize],
                    LOWER_HEX[(b & 0x0f) as usize],
                ],
                3,
            )
        };
        bytes.into_iter().take(len)
    })
}

/// Orders two raw names as their encoded, lower-cased forms order.
fn cmp_names(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // While both names have unreserved bytes (most names are only that: `content-type`), each
    // byte is one byte of its encoded form, so they compare directly.
    for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
        if !(is_unreserved(x) && is_unreserved(y)) {
            return encoded_lower(&a[i..]).cmp(encoded_lower(&b[i..]));
        }
        match x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()) {
            Ordering::Equal => {}
            unequal => return unequal,
        }
    }
    // One is a prefix of the other: the shorter one's encoded form is the shorter prefix.
    a.len().cmp(&b.len())
}

/// Sorts `pairs` by encoded, lower-cased name, keeps the last pair of each name (in input order)
/// and calls `f` with the result. Nothing is allocated for up to 16 pairs.
pub(crate) fn with_sorted<'a, R>(
    pairs: impl Iterator<Item = Pair<'a>>,
    f: impl FnOnce(&[Pair<'a>]) -> R,
) -> R {
    // Stable: of equal names, the later pair ends last in its run.
    with_sorted_by(
        pairs,
        |a, b| cmp_names(a.0, b.0),
        |list| {
            let kept = keep_last_of_each_name(list);
            f(&list[..kept])
        },
    )
}

/// Compacts a sorted list to the last pair of each run of equal names; returns the new length.
fn keep_last_of_each_name(list: &mut [Pair<'_>]) -> usize {
    let mut kept = 0;
    for i in 0..list.len() {
        let next_same = list
            .get(i + 1)
            .is_some_and(|next| cmp_names(list[i].0, next.0) == Ordering::Equal);
        if !next_same {
            list[kept] = list[i];
            kept += 1;
        }
    }
    kept
}

/// Appends `encode(name).to_ascii_lowercase()`.
pub(crate) fn put_name(out: &mut dyn Sink, name: &str) {
    // The common case, a name of unreserved bytes (`content-type`), is only lower-cased.
    if name.bytes().all(is_unreserved) {
        put_lowercase(out, name);
        return;
    }
    let mut buf = [0u8; 64];
    let mut len = 0;
    for b in encoded_lower(name.as_bytes()) {
        if len == buf.len() {
            flush(out, &buf[..len]);
            len = 0;
        }
        buf[len] = b;
        len += 1;
    }
    flush(out, &buf[..len]);
}

fn flush(out: &mut dyn Sink, bytes: &[u8]) {
    // Only ASCII is produced, so the text is valid UTF-8.
    out.put(std::str::from_utf8(bytes).unwrap_or_default());
}

/// Appends `name=value` pairs joined by `&` (names encoded and lower-cased, values encoded).
pub(crate) fn put_pairs(out: &mut dyn Sink, list: &[Pair<'_>]) {
    for (i, (name, value)) in list.iter().enumerate() {
        if i > 0 {
            out.put("&");
        }
        put_name(out, name);
        out.put("=");
        encode_into(out, value.as_bytes(), false);
    }
}

/// Appends the encoded, lower-cased names joined by `;` (`q-header-list`, `q-url-param-list`).
pub(crate) fn put_names(out: &mut dyn Sink, list: &[Pair<'_>]) {
    for (i, (name, _)) in list.iter().enumerate() {
        if i > 0 {
            out.put(";");
        }
        put_name(out, name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::encode::encode_param;

    #[test]
    fn names_match_the_string_form() {
        for name in ["Content-Type", "a/B", "中", "x y%Z", "", &"Q".repeat(100)] {
            let mut out = String::new();
            put_name(&mut out, name);
            assert_eq!(out, encode_param(name).to_ascii_lowercase());
        }
    }

    #[test]
    fn order_matches_the_string_form() {
        let names = [
            "b", "A", "a/b", "a%b", "a-b", "A~", "中", "Z", "a b", "", "ab", "a", "a/", "a%2F", "%",
        ];
        for a in names {
            for b in names {
                let strings = encode_param(a)
                    .to_ascii_lowercase()
                    .cmp(&encode_param(b).to_ascii_lowercase());
                assert_eq!(cmp_names(a, b), strings, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn later_duplicate_wins_and_large_lists_spill() {
        let pairs = [("B", "1"), ("a", "2"), ("b", "3"), ("A", "4")];
        with_sorted(pairs.into_iter(), |list| {
            assert_eq!(list, &[("A", "4"), ("b", "3")]);
        });
        let names: Vec<String> = (0..40).map(|i| format!("n{:02}", 39 - i)).collect();
        with_sorted(names.iter().map(|n| (n.as_str(), "")), |list| {
            assert_eq!(list.len(), 40);
            assert_eq!(list[0].0, "n00");
            assert_eq!(list[39].0, "n39");
        });
    }
}
