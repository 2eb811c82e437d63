//! Fresh random nonces in the shapes the clouds expect.

/// A fresh random nonce: 32 lowercase hex characters (128 random bits), the shape Alibaba's SDKs
/// send as `x-acs-signature-nonce` / `SignatureNonce`.
///
/// ```
/// let n = credchain::sign::new_nonce();
/// assert_eq!(n.len(), 32);
/// assert!(n.bytes().all(|b| b.is_ascii_hexdigit()));
/// assert_ne!(n, credchain::sign::new_nonce());
/// ```
pub fn new_nonce() -> String {
    format!("{:032x}", fastrand::u128(..))
}

/// A fresh random positive integer nonce for Tencent signature v1 (`Nonce`), in `1..=2^31-1`.
///
/// ```
/// let n = credchain::sign::new_numeric_nonce();
/// assert!(n >= 1 && n <= i32::MAX as u64);
/// ```
pub fn new_numeric_nonce() -> u64 {
    fastrand::u64(1..=i32::MAX as u64)
}
