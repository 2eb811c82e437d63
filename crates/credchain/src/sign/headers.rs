//! Case-insensitive lookups in the `(name, value)` header lists the signers take.

use std::borrow::Cow;

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
