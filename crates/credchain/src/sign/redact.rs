//! `Debug` helpers for signing inputs and results: key material, tokens and signatures never show.

use std::fmt;

use crate::credentials::REDACTED;

/// Header names whose values are key material or signatures; `Debug` output redacts them.
pub(crate) fn is_sensitive_name(name: &str) -> bool {
    const SENSITIVE: &[&str] = &[
        "authorization",
        "x-acs-security-token",
        "x-acs-bearer-token",
        "x-tc-token",
        "x-oss-security-token",
        "securitytoken",
        "bearertoken",
        "token",
        "signature",
        "security-token",
        "x-cos-security-token",
        "q-signature",
        "x-oss-signature",
    ];
    SENSITIVE.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// Debug helper: shows name/value pairs, with sensitive values redacted.
pub(crate) struct RedactedPairs<'a>(pub &'a [(String, String)]);

impl fmt::Debug for RedactedPairs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        for (k, v) in self.0 {
            if is_sensitive_name(k) {
                l.entry(&(k, REDACTED));
            } else {
                l.entry(&(k, v));
            }
        }
        l.finish()
    }
}

/// Debug helper for a value that is shown only by length.
pub(crate) struct Len(pub usize);

impl fmt::Debug for Len {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}
