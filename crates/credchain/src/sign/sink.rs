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

/// Feeds the text into a hash in large chunks: small pieces are gathered in a stack buffer of `N`
/// bytes first, so a canonical request of a few hundred bytes reaches the hash in one `update`
/// instead of dozens (each `update` pays the hash's own block-buffer bookkeeping and a copy).
/// The hash is borrowed, so this large value is built in place and never moved; call
/// [`BufferedHashing::flush`] before reading the hash.
pub(crate) struct BufferedHashing<'h, H, const N: usize> {
    hash: &'h mut H,
    buf: [u8; N],
    len: usize,
}

impl<'h, H: Update, const N: usize> BufferedHashing<'h, H, N> {
    /// Gathers text for `hash`.
    #[inline]
    pub(crate) fn new(hash: &'h mut H) -> Self {
        BufferedHashing {
            hash,
            buf: [0; N],
            len: 0,
        }
    }

    /// Feeds what is gathered to the hash.
    #[inline]
    pub(crate) fn flush(&mut self) {
        self.hash.update(&self.buf[..self.len]);
        self.len = 0;
    }
}

impl<H: Update, const N: usize> Sink for BufferedHashing<'_, H, N> {
    #[inline]
    fn put(&mut self, s: &str) {
        let bytes = s.as_bytes();
        if let Some(room) = self.buf.get_mut(self.len..self.len + bytes.len()) {
            room.copy_from_slice(bytes);
            self.len += bytes.len();
            return;
        }
        self.flush();
        match self.buf.get_mut(..bytes.len()) {
            Some(room) => {
                room.copy_from_slice(bytes);
                self.len = bytes.len();
            }
            None => self.hash.update(bytes),
        }
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
    fn buffered_hashing_equals_one_update() {
        // Pieces that fit, that overflow the buffer, and that are larger than it.
        let pieces = [
            "a".repeat(10),
            "b".repeat(1000),
            "c".repeat(30),
            "d".repeat(2500),
            "e".into(),
        ];
        let mut hash = sha2::Sha256::default();
        let mut buffered = BufferedHashing::<_, 1024>::new(&mut hash);
        for p in &pieces {
            buffered.put(p);
        }
        buffered.flush();
        let whole = pieces.concat();
        assert_eq!(
            hex::encode(sha2::Digest::finalize(hash)),
            super::super::crypto::sha256_hex(whole.as_bytes())
        );
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
