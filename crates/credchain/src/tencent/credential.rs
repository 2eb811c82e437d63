//! The static Tencent Cloud credential (`credential`, `docs/sources/tencent.md#static-credential`)
//! with the Python SDK's validation, the strictest of the SDKs.

use std::fmt;

use crate::credentials::{Credentials, Secret};
use crate::error::{Error, ErrorKind, Result};
use crate::provider::{ProvideCredentials, ProvideFuture};

/// The Tencent error code for a malformed credential value.
pub const INVALID_CREDENTIAL: &str = "InvalidCredential";

/// Checks one value as `tencentcloud.common.credential.Credential` does: none, empty or
/// whitespace-only is "should not be none or empty"; leading or trailing whitespace (anything
/// Python's `str.strip()` removes) is "should not contain spaces". Inner spaces are accepted.
///
/// ```
/// use credchain::tencent::validate_field;
/// assert!(validate_field("secret id", Some("AKID a")).is_ok());
/// assert_eq!(validate_field("secret id", Some(" ")).unwrap_err().message(), "secret id should not be none or empty");
/// assert_eq!(validate_field("secret key", Some("k\n")).unwrap_err().message(), "secret key should not contain spaces");
/// ```
pub fn validate_field(what: &str, value: Option<&str>) -> Result<()> {
    let message = match value {
        None => format!("{what} should not be none or empty"),
        Some(v) if python_strip(v).is_empty() => format!("{what} should not be none or empty"),
        Some(v) if python_strip(v).len() != v.len() => format!("{what} should not contain spaces"),
        Some(_) => return Ok(()),
    };
    Err(Error::new(ErrorKind::InvalidCredential, message)
        .with_code(INVALID_CREDENTIAL)
        .with_hint("check the SecretId and SecretKey for stray spaces or newlines"))
}

/// Python's `str.strip()` with no argument: removes Unicode whitespace, which (unlike Rust's
/// `char::is_whitespace`) also covers the ASCII separators 0x1C..=0x1F.
fn python_strip(s: &str) -> &str {
    let ws = |c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c);
    s.trim_matches(ws)
}

/// `Credential(secret_id, secret_key, token)`: a fixed SecretId/SecretKey with an optional token.
///
/// ```
/// use credchain::tencent::Credential;
/// let c = Credential::new("AKIDexample", "key", None).unwrap();
/// assert_eq!(c.secret_id(), "AKIDexample");
/// let e = Credential::new(" AKID", "key", None).unwrap_err();
/// assert_eq!(e.code(), Some("InvalidCredential"));
/// assert_eq!(e.message(), "secret id should not contain spaces");
/// ```
pub struct Credential {
    credentials: Credentials,
}

impl Credential {
    /// The provider name.
    pub const NAME: &'static str = "credential";

    /// Validates and builds. The id is checked before the key; the token is kept verbatim (an
    /// empty token means no token).
    pub fn new(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
        token: Option<String>,
    ) -> Result<Self> {
        Self::with_name(
            Some(secret_id.into()),
            Some(secret_key.into()),
            token,
            Self::NAME,
        )
    }

    /// The `credential` settings of a [`Config`](super::Config) (`secret_id`, `secret_key`,
    /// `token`), validated as by [`Credential::from_parts`].
    pub fn from_config(c: super::Config) -> Result<Self> {
        Self::from_parts(c.secret_id, c.secret_key, c.token)
    }

    /// As [`Credential::new`], for callers whose values may be absent (`None` in Python).
    pub fn from_parts(
        secret_id: Option<String>,
        secret_key: Option<String>,
        token: Option<String>,
    ) -> Result<Self> {
        Self::with_name(secret_id, secret_key, token, Self::NAME)
    }

    pub(crate) fn with_name(
        secret_id: Option<String>,
        secret_key: Option<String>,
        token: Option<String>,
        name: &str,
    ) -> Result<Self> {
        validate_field("secret id", secret_id.as_deref()).map_err(|e| e.with_provider(name))?;
        validate_field("secret key", secret_key.as_deref()).map_err(|e| e.with_provider(name))?;
        let credentials = Credentials::builder(
            secret_id.unwrap_or_default(),
            secret_key.unwrap_or_default(),
        )
        .security_token_opt(token)
        .provider_name(name)
        .build();
        Ok(Credential { credentials })
    }

    /// SecretId.
    pub fn secret_id(&self) -> &str {
        self.credentials.secret_id()
    }
    /// The snapshot (id, key and token together, as `get_credential_info()`).
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Credential");
        d.field("secret_id", &self.credentials.secret_id())
            .field("secret_key", &Secret::new(""));
        if self.credentials.token().is_some() {
            d.field("token", &Secret::new(""));
        }
        d.finish()
    }
}

impl ProvideCredentials for Credential {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        ProvideFuture::ready(Ok(self.credentials.clone()))
    }
    fn name(&self) -> &str {
        self.credentials.provider_name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_validation_table() {
        let cases: &[(Option<&str>, Option<&str>, Option<&str>)] = &[
            (
                None,
                Some("k"),
                Some("secret id should not be none or empty"),
            ),
            (
                Some(""),
                Some("k"),
                Some("secret id should not be none or empty"),
            ),
            (
                Some(" \t\n"),
                Some("k"),
                Some("secret id should not be none or empty"),
            ),
            (
                Some(" id"),
                Some("k"),
                Some("secret id should not contain spaces"),
            ),
            (
                Some("id\n"),
                Some("k"),
                Some("secret id should not contain spaces"),
            ),
            (
                Some("id\u{1f}"),
                Some("k"),
                Some("secret id should not contain spaces"),
            ),
            (
                Some("id"),
                None,
                Some("secret key should not be none or empty"),
            ),
            (
                Some("id"),
                Some(""),
                Some("secret key should not be none or empty"),
            ),
            (
                Some("id"),
                Some("\tk"),
                Some("secret key should not contain spaces"),
            ),
            // The id is checked first.
            (
                Some(""),
                Some(" k"),
                Some("secret id should not be none or empty"),
            ),
            (Some("i d"), Some("k e y"), None),
        ];
        for (id, key, expected) in cases {
            let r = Credential::from_parts(id.map(Into::into), key.map(Into::into), None);
            match (r, expected) {
                (Ok(_), None) => {}
                (Err(e), Some(msg)) => {
                    assert_eq!(e.message(), *msg, "{id:?} {key:?}");
                    assert_eq!(e.kind(), ErrorKind::InvalidCredential);
                    assert_eq!(e.code(), Some("InvalidCredential"));
                }
                (r, _) => panic!("{id:?} {key:?}: unexpected {:?}", r.map(|_| ())),
            }
        }
    }

    #[tokio::test]
    async fn token_kept_verbatim_and_empty_means_none() {
        let c = Credential::new("id", "k", Some(" t ".into())).unwrap();
        assert_eq!(c.provide_credentials().await.unwrap().token(), Some(" t "));
        let c = Credential::new("id", "k", Some(String::new())).unwrap();
        assert_eq!(c.credentials().token(), None);
        assert_eq!(c.credentials().provider_name(), "credential");
    }

    #[test]
    fn errors_and_debug_hold_no_secret() {
        let e = Credential::new("id", " topsecret", None).unwrap_err();
        assert!(!e.to_string().contains("topsecret") && !format!("{e:?}").contains("topsecret"));
        let c = Credential::new("id", "topsecret", Some("tok".into())).unwrap();
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("topsecret") && !shown.contains("tok\""),
            "{shown}"
        );
    }
}
