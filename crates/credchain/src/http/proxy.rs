//! [`ProxySettings`]: the proxies an HTTP client uses, handed to it as a value.
//!
//! The client does not read the environment itself: whoever builds it reads `HTTPS_PROXY`,
//! `HTTP_PROXY` and `NO_PROXY` (the library's `Context` does, from its injected environment) and
//! passes the result in. That keeps this module free of any dependency on where settings come
//! from, and lets a test decide the proxies without touching the process environment.

use std::fmt;

use crate::error::Error;

/// The proxies for requests whose [`ProxyPolicy`](super::ProxyPolicy) is `FromEnv`.
///
/// A proxy setting that is present but could not be read is kept as an error
/// ([`ProxySettings::with_unreadable`]): every proxied request then fails with it, rather than
/// connecting directly and skipping a proxy the user asked for.
///
/// ```
/// use credchain::http::ProxySettings;
/// let proxies = ProxySettings::none()
///     .with_https_proxy("http://user:pw@proxy.internal:3128")
///     .with_no_proxy("127.0.0.1,.internal");
/// assert_eq!(proxies.no_proxy(), Some("127.0.0.1,.internal"));
/// // Proxy URLs often carry a password: Debug shows them redacted.
/// assert!(!format!("{proxies:?}").contains("pw"));
/// ```
#[derive(Clone, Default)]
pub struct ProxySettings {
    https: Option<String>,
    http: Option<String>,
    no_proxy: Option<String>,
    unreadable: Option<Error>,
}

impl ProxySettings {
    /// No proxy: every request connects directly.
    pub fn none() -> Self {
        Self::default()
    }
    /// The proxy for `https://` URLs (what `HTTPS_PROXY` sets).
    pub fn with_https_proxy(mut self, url: impl Into<String>) -> Self {
        self.https = Some(url.into());
        self
    }
    /// The proxy for `http://` URLs (what `HTTP_PROXY` sets).
    pub fn with_http_proxy(mut self, url: impl Into<String>) -> Self {
        self.http = Some(url.into());
        self
    }
    /// The hosts that bypass the proxies, comma-separated (what `NO_PROXY` sets).
    pub fn with_no_proxy(mut self, hosts: impl Into<String>) -> Self {
        self.no_proxy = Some(hosts.into());
        self
    }
    /// Records a proxy setting that is present but cannot be read; every proxied request fails
    /// with `error`. Only the first one is kept.
    pub fn with_unreadable(mut self, error: Error) -> Self {
        self.unreadable.get_or_insert(error);
        self
    }

    /// The proxy for `https://` URLs.
    pub fn https_proxy(&self) -> Option<&str> {
        self.https.as_deref()
    }
    /// The proxy for `http://` URLs.
    pub fn http_proxy(&self) -> Option<&str> {
        self.http.as_deref()
    }
    /// The hosts that bypass the proxies.
    pub fn no_proxy(&self) -> Option<&str> {
        self.no_proxy.as_deref()
    }
    /// The error every proxied request fails with, when a proxy setting could not be read.
    pub fn unreadable(&self) -> Option<&Error> {
        self.unreadable.as_ref()
    }
}

impl fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Proxy URLs often carry `user:password@`.
        let url = |u: &Option<String>| u.as_deref().map(crate::redact::url);
        f.debug_struct("ProxySettings")
            .field("https", &url(&self.https))
            .field("http", &url(&self.http))
            .field("no_proxy", &self.no_proxy)
            .field("unreadable", &self.unreadable.is_some())
            .finish()
    }
}
