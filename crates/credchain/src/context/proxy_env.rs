//! Reading the HTTP proxy settings from an environment: the one place that knows the variable
//! names, so the HTTP client takes a [`ProxySettings`] value and never reads [`Env`] itself.

use super::env::Env;
use crate::error::Result;
use crate::http::ProxySettings;

/// Each proxy setting's variables, in the order they are looked at: the upper-case name wins over
/// the lower-case one (curl and reqwest read both; the upper-case form is the documented one).
const HTTPS_PROXY: [&str; 2] = ["HTTPS_PROXY", "https_proxy"];
const HTTP_PROXY: [&str; 2] = ["HTTP_PROXY", "http_proxy"];
const NO_PROXY: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// The proxy settings `env` describes: `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`, each also
/// accepted in lower case (the upper-case variable wins when both are set; a blank value counts
/// as unset).
///
/// A variable that is set but not valid UTF-8 does not make this fail: it is kept in the settings
/// ([`ProxySettings::unreadable`]), so every proxied request fails with an error naming it while
/// requests that never use a proxy (instance metadata) still work.
///
/// ```
/// use credchain::context::{proxy_settings, MemoryEnv};
/// let env = MemoryEnv::from_pairs([
///     ("HTTPS_PROXY", "http://proxy.internal:3128"),
///     ("https_proxy", "http://ignored:1"),
///     ("no_proxy", "127.0.0.1"),
/// ]);
/// let proxies = proxy_settings(&env);
/// assert_eq!(proxies.https_proxy(), Some("http://proxy.internal:3128"));
/// assert_eq!(proxies.http_proxy(), None);
/// assert_eq!(proxies.no_proxy(), Some("127.0.0.1"));
/// ```
pub fn proxy_settings(env: &dyn Env) -> ProxySettings {
    let mut settings = ProxySettings::none();
    let mut unreadable = Vec::new();
    let mut read = |names: &[&str]| {
        first_set(env, names).unwrap_or_else(|e| {
            unreadable.push(e);
            None
        })
    };
    if let Some(url) = read(&HTTPS_PROXY) {
        settings = settings.with_https_proxy(url);
    }
    if let Some(url) = read(&HTTP_PROXY) {
        settings = settings.with_http_proxy(url);
    }
    if let Some(hosts) = read(&NO_PROXY) {
        settings = settings.with_no_proxy(hosts);
    }
    // `with_unreadable` keeps the first.
    unreadable
        .into_iter()
        .fold(settings, ProxySettings::with_unreadable)
}

/// The value of the first of `names` that is set and not blank; an error for the first one
/// looked at that is set but unreadable.
fn first_set(env: &dyn Env, names: &[&str]) -> Result<Option<String>> {
    for n in names {
        if let Some(v) = env.var(n)?.filter(|v| !v.trim().is_empty()) {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::MemoryEnv;

    #[test]
    fn upper_case_wins_and_lower_case_is_read_when_upper_is_unset_or_blank() {
        let env = MemoryEnv::from_pairs([
            ("HTTPS_PROXY", "http://upper:1"),
            ("https_proxy", "http://lower:1"),
            ("HTTP_PROXY", "  "),
            ("http_proxy", "http://lower:2"),
            ("no_proxy", "localhost"),
        ]);
        let p = proxy_settings(&env);
        assert_eq!(p.https_proxy(), Some("http://upper:1"));
        assert_eq!(p.http_proxy(), Some("http://lower:2"));
        assert_eq!(p.no_proxy(), Some("localhost"));
        assert!(p.unreadable().is_none());
    }

    #[test]
    fn nothing_set_means_no_proxy() {
        let p = proxy_settings(&MemoryEnv::new());
        assert_eq!(
            (p.https_proxy(), p.http_proxy(), p.no_proxy()),
            (None, None, None)
        );
        assert!(p.unreadable().is_none());
    }

    #[cfg(unix)]
    #[test]
    fn an_unreadable_variable_is_kept_as_the_error_and_the_others_are_still_read() {
        use std::os::unix::ffi::OsStringExt;
        let mut env = MemoryEnv::from_pairs([("NO_PROXY", "127.0.0.1")]);
        env.set_os(
            "http_proxy",
            std::ffi::OsString::from_vec(b"http://u:p\xff@h:1".to_vec()),
        );
        let p = proxy_settings(&env);
        let e = p.unreadable().expect("the unreadable variable is kept");
        assert!(e.to_string().contains("http_proxy"), "{e}");
        assert_eq!(p.http_proxy(), None);
        assert_eq!(p.no_proxy(), Some("127.0.0.1"));
    }
}
