//! Where a signer writes its canonical text: a `String` (when the caller wants every intermediate)
//! or straight into a hash or MAC (when only the signature is wanted), through the same code, so
//! the text that is hashed is the text that would have been shown.

use sha2::digest::Update;

/// A destination for canonical-request and string-to-sign text.
pub(crate) trait Sink {
    /// Appends `s`.
    fn put(&mut self, s: &str);
}

impl Sink for String {
    #[inline]
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

/// Feeds the text into a hash or MAC state (SHA-256, SM3, HMAC), never holding it.
pub(crate) struct Hashing<H>(pub H);

impl<H: Update> Sink for Hashing<H> {
    #[inline]
    fn put(&mut self, s: &str) {
        self.0.update(s.as_bytes());
    }
}

/// Appends `value` trimmed and lower-cased (Unicode rules, as `str::to_lowercase`), without
/// allocating for ASCII values.
pub(crate) fn put_lowercase(out: &mut dyn Sink, value: &str) {
    if !value.is_ascii() {
        out.put(&value.to_lowercase());
        return;
    }
    let mut chunk = [0u8; 64];
    for part in value.as_bytes().chunks(chunk.len()) {
        let lower = &mut chunk[..part.len()];
        lower.copy_from_slice(part);
        lower.make_ascii_lowercase();
        // ASCII in, ASCII out: always valid UTF-8.
        out.put(std::str::from_utf8(lower).unwrap_or_default());
    }
}

/// Appends `value` with only its ASCII letters lower-cased (as `str::to_ascii_lowercase`, the
/// rule for header names), without allocating.
pub(crate) fn put_ascii_lowercase(out: &mut dyn Sink, value: &str) {
    let mut rest = value;
    while !rest.is_empty() {
        // Everything up to the next upper-case letter (an ASCII byte, so a char boundary) as is.
        let keep = rest
            .bytes()
            .position(|b| b.is_ascii_uppercase())
            .unwrap_or(rest.len());
        out.put(&rest[..keep]);
        rest = &rest[keep..];
        let mut lower = [0u8; 32];
        let upper = rest
            .bytes()
            .take(lower.len())
            .take_while(u8::is_ascii_uppercase)
            .count();
        lower[..upper].copy_from_slice(&rest.as_bytes()[..upper]);
        lower[..upper].make_ascii_lowercase();
        out.put(std::str::from_utf8(&lower[..upper]).unwrap_or_default());
        rest = &rest[upper..];
    }
}

/// Appends the lowercase hex of `bytes` (at most 32).
pub(crate) fn put_hex(out: &mut dyn Sink, bytes: &[u8]) {
    let mut buf = [0u8; 64];
    let n = bytes.len().min(32);
    let hex = &mut buf[..n * 2];
    if hex::encode_to_slice(&bytes[..n], hex).is_ok() {
        out.put(std::str::from_utf8(hex).unwrap_or_default());
    }
}

/// The lowercase hex of `bytes` (at most 32) in a new string of the exact size (faster than
/// `hex::encode`, which collects characters one by one).
pub(crate) fn hex_string(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().min(32) * 2);
    put_hex(&mut out, bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercase_matches_std() {
        for v in ["Application/JSON", "ÀB Σ", "", &"X".repeat(130)] {
            let mut out = String::new();
            put_lowercase(&mut out, v);
            assert_eq!(out, v.to_lowercase());
        }
    }

    #[test]
    fn ascii_lowercase_matches_std() {
        let long = format!("{}é{}", "AB".repeat(40), "Z".repeat(70));
        for v in [
            "Content-Type",
            "x-oss-meta",
            "ÀBΣ-Ü",
            "",
            "Éa",
            long.as_str(),
        ] {
            let mut out = String::new();
            put_ascii_lowercase(&mut out, v);
            assert_eq!(out, v.to_ascii_lowercase());
        }
    }

    #[test]
    fn hex_of_digest() {
        let mut out = String::new();
        put_hex(&mut out, &[0x00, 0xab, 0xff]);
        assert_eq!(out, "00abff");
        assert_eq!(hex_string(&[0x00, 0xab, 0xff]), out);
        let mut h = Hashing(sha2::Sha256::default());
        h.put("a");
        h.put("bc");
        assert_eq!(
            hex::encode(sha2::Digest::finalize(h.0)),
            super::super::crypto::sha256_hex(b"abc")
        );
    }
}
