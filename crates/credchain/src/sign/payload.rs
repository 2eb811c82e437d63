//! The request body as every signer takes it.

use std::fmt;

/// The request body as a signer sees it.
///
/// ```
/// use credchain::sign::Payload;
/// let p = Payload::Bytes(b"{}".to_vec());
/// assert_eq!(p.len(), Some(2));
/// assert_eq!(Payload::Unsigned.len(), None);
/// // Debug never shows the body (it may hold an OIDC token or a password).
/// assert_eq!(format!("{p:?}"), "Payload::Bytes(2 bytes)");
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Payload {
    /// The exact body bytes that will be sent (empty for GET); the signer hashes them.
    Bytes(Vec<u8>),
    /// A payload hash computed by the caller (lowercase hex), used verbatim.
    Hash(String),
    /// Unsigned-payload mode (Tencent `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`, OSS V4). Not
    /// available for ACS3.
    Unsigned,
    /// No body (same as `Bytes(vec![])`).
    #[default]
    Empty,
}

impl Payload {
    /// The body length in bytes, when the body itself is known.
    ///
    /// ```
    /// use credchain::sign::Payload;
    /// assert_eq!(Payload::Empty.len(), Some(0));
    /// ```
    pub fn len(&self) -> Option<usize> {
        match self {
            Payload::Bytes(b) => Some(b.len()),
            Payload::Empty => Some(0),
            _ => None,
        }
    }

    /// Whether the body is known to be empty.
    ///
    /// ```
    /// use credchain::sign::Payload;
    /// assert!(Payload::Empty.is_empty());
    /// assert!(!Payload::Unsigned.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Payload::Bytes(b) => b,
            _ => &[],
        }
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Bytes(b) => write!(f, "Payload::Bytes({} bytes)", b.len()),
            Payload::Hash(h) => write!(f, "Payload::Hash({h})"),
            Payload::Unsigned => f.write_str("Payload::Unsigned"),
            Payload::Empty => f.write_str("Payload::Empty"),
        }
    }
}
