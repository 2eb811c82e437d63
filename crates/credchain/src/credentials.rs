//! The credential snapshot every source returns, and the [`Secret`] wrapper that keeps key material
//! out of logs.
//!
//! A [`Credentials`] value is immutable and cheap to clone (one `Arc` inside). One call to a provider
//! returns one snapshot, so the access key id, the secret and the token always belong together: there
//! are no separate getters that could straddle a refresh (the torn-triple bug of the Go and Python
//! Tencent SDKs).

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use zeroize::Zeroizing;

/// What `Debug` and `Display` print in place of any secret. Fixed, so that no prefix, suffix or length
/// of the secret ever leaks.
pub const REDACTED: &str = "** redacted **";

/// A piece of key material: a secret key, a security token or a bearer token.
///
/// The bytes are zeroed when the value is dropped. `Debug` and `Display` print [`REDACTED`]. There is
/// deliberately no `Clone`: copying key material is spelled out with [`Secret::clone_secret`].
///
/// ```
/// use credchain::Secret;
/// let s = Secret::new("wJalrXUtnFEMI");
/// assert_eq!(s.expose(), "wJalrXUtnFEMI");
/// assert_eq!(format!("{s:?}"), "** redacted **");
/// assert_eq!(s.to_string(), "** redacted **");
/// ```
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// The secret itself. Call it only where the value is used (signing, an HTTP body).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// An explicit copy of the secret.
    pub fn clone_secret(&self) -> Secret {
        Secret::new(self.expose())
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        // Not constant time: secrets are compared in tests and caches, never against attacker input.
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

struct Inner {
    access_key_id: String,
    access_key_secret: Secret,
    security_token: Option<Secret>,
    bearer_token: Option<Secret>,
    expiration: Option<SystemTime>,
    provider_name: String,
}

/// An immutable snapshot of one set of credentials.
///
/// Alibaba names (`access_key_id`, `access_key_secret`, `security_token`) and Tencent names
/// (`secret_id`, `secret_key`, `token`) read the same fields.
///
/// ```
/// use credchain::Credentials;
/// let c = Credentials::builder("AKIDEXAMPLE", "secret")
///     .security_token("token")
///     .provider_name("static_sts")
///     .build();
/// assert_eq!(c.access_key_id(), "AKIDEXAMPLE");
/// assert_eq!(c.secret_id(), "AKIDEXAMPLE");
/// assert_eq!(c.token(), Some("token"));
/// // Debug shows the key id and never the secret or the token.
/// let shown = format!("{c:?}");
/// assert!(shown.contains("AKIDEXAMPLE") && !shown.contains("secret\"") && !shown.contains("token\""));
/// assert_eq!(c.with_outer_provider("default").provider_name(), "default/static_sts");
/// ```
#[derive(Clone)]
pub struct Credentials(Arc<Inner>);

impl Credentials {
    /// Starts a snapshot from an access key id (Tencent: SecretId) and its secret (SecretKey).
    pub fn builder(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
    ) -> CredentialsBuilder {
        CredentialsBuilder {
            access_key_id: access_key_id.into(),
            access_key_secret: Secret::new(access_key_secret),
            security_token: None,
            bearer_token: None,
            expiration: None,
            provider_name: String::new(),
        }
    }

    /// A bearer-token credential (Alibaba type `bearer`): no access key, only the token.
    pub fn bearer(token: impl Into<String>, provider_name: impl Into<String>) -> Credentials {
        let mut b = Credentials::builder("", "");
        b.bearer_token = Some(Secret::new(token));
        b.provider_name = provider_name.into();
        b.build()
    }

    /// Alibaba AccessKey ID.
    pub fn access_key_id(&self) -> &str {
        &self.0.access_key_id
    }
    /// Alibaba AccessKey secret.
    pub fn access_key_secret(&self) -> &str {
        self.0.access_key_secret.expose()
    }
    /// Alibaba STS security token, if these are temporary credentials.
    pub fn security_token(&self) -> Option<&str> {
        self.0.security_token.as_ref().map(Secret::expose)
    }
    /// Bearer token (Alibaba `bearer` type), if any.
    pub fn bearer_token(&self) -> Option<&str> {
        self.0.bearer_token.as_ref().map(Secret::expose)
    }
    /// Tencent SecretId (same field as [`Credentials::access_key_id`]).
    pub fn secret_id(&self) -> &str {
        self.access_key_id()
    }
    /// Tencent SecretKey (same field as [`Credentials::access_key_secret`]).
    pub fn secret_key(&self) -> &str {
        self.access_key_secret()
    }
    /// Tencent session token (same field as [`Credentials::security_token`]).
    pub fn token(&self) -> Option<&str> {
        self.security_token()
    }
    /// When these credentials stop working; `None` for long-term keys.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.0.expiration
    }
    /// Which source produced them, composed `outer/inner` (e.g. `default/env`).
    pub fn provider_name(&self) -> &str {
        &self.0.provider_name
    }
    /// The token and expiry of temporary credentials (an AccessKey pair, a non-empty token and an
    /// expiry), the only kind a credentials URI or an instance metadata service can hand out;
    /// `None` for anything else.
    ///
    /// ```
    /// use std::time::UNIX_EPOCH;
    /// use credchain::Credentials;
    /// let sts = Credentials::builder("STS.id", "s").security_token("t").expiration(UNIX_EPOCH).build();
    /// assert_eq!(sts.token_and_expiry(), Some(("t", UNIX_EPOCH)));
    /// assert_eq!(Credentials::builder("LTAI", "s").build().token_and_expiry(), None);
    /// ```
    pub fn token_and_expiry(&self) -> Option<(&str, SystemTime)> {
        let token = self.security_token().filter(|t| !t.is_empty())?;
        let pair = !self.access_key_id().is_empty() && !self.access_key_secret().is_empty();
        self.0.expiration.filter(|_| pair).map(|e| (token, e))
    }
    /// Whether the credentials are expired at `now` (never, for long-term keys).
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.0.expiration.is_some_and(|e| e <= now)
    }

    /// The same credentials with `outer/` put in front of the provider name.
    pub fn with_outer_provider(&self, outer: &str) -> Credentials {
        let inner = &self.0;
        let name = if inner.provider_name.is_empty() {
            outer.to_string()
        } else {
            format!("{outer}/{}", inner.provider_name)
        };
        Credentials(Arc::new(Inner {
            access_key_id: inner.access_key_id.clone(),
            access_key_secret: inner.access_key_secret.clone_secret(),
            security_token: inner.security_token.as_ref().map(Secret::clone_secret),
            bearer_token: inner.bearer_token.as_ref().map(Secret::clone_secret),
            expiration: inner.expiration,
            provider_name: name,
        }))
    }

    /// Whether both values are the same snapshot (the same allocation), not just equal values.
    pub fn same_snapshot(&self, other: &Credentials) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The key id masked to its last four characters, for human output (`****ABCD`).
    pub fn masked_key_id(&self) -> String {
        mask_tail(self.access_key_id())
    }
}

/// Masks all but the last four characters of an identifier (`****ABCD`); short values are masked
/// whole. Meant for key ids, never for secrets (secrets print [`REDACTED`]).
pub fn mask_tail(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 4 {
        return "****".to_string();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("****{tail}")
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Credentials");
        d.field("provider_name", &self.0.provider_name)
            .field("access_key_id", &self.0.access_key_id)
            .field("access_key_secret", &self.0.access_key_secret);
        if self.0.security_token.is_some() {
            d.field("security_token", &REDACTED);
        }
        if self.0.bearer_token.is_some() {
            d.field("bearer_token", &REDACTED);
        }
        match self.0.expiration {
            Some(t) => d.field("expiration", &crate::time::format_rfc3339(t)),
            None => d.field("expiration", &"never"),
        };
        d.finish()
    }
}

impl PartialEq for Credentials {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.0, &other.0);
        a.access_key_id == b.access_key_id
            && a.access_key_secret == b.access_key_secret
            && a.security_token == b.security_token
            && a.bearer_token == b.bearer_token
            && a.expiration == b.expiration
            && a.provider_name == b.provider_name
    }
}

/// Builds a [`Credentials`] snapshot. Has no `Debug` on purpose: it holds secrets in the clear
/// before they are wrapped.
pub struct CredentialsBuilder {
    access_key_id: String,
    access_key_secret: Secret,
    security_token: Option<Secret>,
    bearer_token: Option<Secret>,
    expiration: Option<SystemTime>,
    provider_name: String,
}

impl CredentialsBuilder {
    /// Sets the STS security token (Tencent: session token).
    pub fn security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(Secret::new(token));
        self
    }
    /// Sets the token only when it is `Some` and not empty (an empty token means "no token": sending
    /// an empty `X-TC-Token` or `x-acs-security-token` is a bug).
    pub fn security_token_opt(mut self, token: Option<impl Into<String>>) -> Self {
        self.security_token = token
            .map(Into::into)
            .filter(|t: &String| !t.is_empty())
            .map(Secret::new);
        self
    }
    /// Sets a bearer token.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(Secret::new(token));
        self
    }
    /// Sets the expiry.
    pub fn expiration(mut self, at: SystemTime) -> Self {
        self.expiration = Some(at);
        self
    }
    /// Sets the expiry when known.
    pub fn expiration_opt(mut self, at: Option<SystemTime>) -> Self {
        self.expiration = at;
        self
    }
    /// Sets the provider name (e.g. `static_ak`, `env`).
    pub fn provider_name(mut self, name: impl Into<String>) -> Self {
        self.provider_name = name.into();
        self
    }
    /// Finishes the snapshot.
    pub fn build(self) -> Credentials {
        Credentials(Arc::new(Inner {
            access_key_id: self.access_key_id,
            access_key_secret: self.access_key_secret,
            security_token: self.security_token,
            bearer_token: self.bearer_token,
            expiration: self.expiration,
            provider_name: self.provider_name,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn debug_and_display_never_show_secrets() {
        let c = Credentials::builder("LTAI5tExampleId", "S3cr3tValue")
            .security_token("T0kenValue")
            .bearer_token("B3arerValue")
            .expiration(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
            .provider_name("static_sts")
            .build();
        let shown = format!("{c:?} {c:#?}");
        for secret in ["S3cr3tValue", "T0kenValue", "B3arerValue", "S3cr", "alue"] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        assert!(shown.contains("LTAI5tExampleId"));
        assert!(shown.contains("2023-11-14T22:13:20Z"));
    }

    #[test]
    fn outer_provider_composes_names() {
        let c = Credentials::builder("id", "s")
            .provider_name("static_ak")
            .build();
        let c = c
            .with_outer_provider("ram_role_arn")
            .with_outer_provider("cli_profile");
        assert_eq!(c.provider_name(), "cli_profile/ram_role_arn/static_ak");
        assert_eq!(c.access_key_secret(), "s");
    }

    #[test]
    fn empty_token_is_no_token() {
        let c = Credentials::builder("id", "s")
            .security_token_opt(Some(""))
            .build();
        assert_eq!(c.security_token(), None);
        let c = Credentials::builder("id", "s")
            .security_token_opt(Some("t"))
            .build();
        assert_eq!(c.token(), Some("t"));
    }

    #[test]
    fn masks_key_ids() {
        assert_eq!(mask_tail("LTAI5tABCD"), "****ABCD");
        assert_eq!(mask_tail("abc"), "****");
        assert_eq!(mask_tail("中文中文中文"), "****中文中文");
    }

    #[test]
    fn expiry_checks() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(100);
        let c = Credentials::builder("i", "s").expiration(t).build();
        assert!(!c.is_expired_at(t - Duration::from_secs(1)));
        assert!(c.is_expired_at(t));
        let forever = Credentials::builder("i", "s").build();
        assert!(!forever.is_expired_at(SystemTime::now()));
    }
}
