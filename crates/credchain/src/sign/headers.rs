//! Case-insensitive lookups in the `(name, value)` header lists the signers take.

use std::borrow::Cow;

use super::sink::Sink;

/// Lower-cased, trimmed header lookup (first match).
pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Whether the list has a header with this name (case-insensitive, trimmed).
pub(crate) fn has_header(headers: &[(String, String)], name: &str) -> bool {
    find_header(headers, name).is_some()
}

/// An ASCII header name lower-cased, borrowed when it already is (most names are).
pub(crate) fn lower_case_name(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// Canonical header lines from `(lower-case name, trimmed value)` pairs sorted by name (ACS3, OSS
/// V4): `name:value\n`, a name given several times giving one line with its values joined by `,`
/// in the order of `items`.
pub(crate) fn write_merged_headers(out: &mut dyn Sink, items: &[(Cow<'_, str>, &str)]) {
    let mut prev: Option<&str> = None;
    for (name, value) in items {
        if prev == Some(name.as_ref()) {
            out.put(",");
            out.put(value);
            continue;
        }
        if prev.is_some() {
            out.put("\n");
        }
        out.put(name);
        out.put(":");
        out.put(value);
        prev = Some(name.as_ref());
    }
    if prev.is_some() {
        out.put("\n");
    }
}
