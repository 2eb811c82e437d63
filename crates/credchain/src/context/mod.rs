//! Everything outside the process, injected: environment variables, files, the clock and HTTP.
//!
//! Providers never call `std::env`, `std::fs`, `SystemTime::now` or a network client directly; they
//! take them from a [`Context`]. [`Context::real`] uses the operating system; tests build one from
//! [`MemoryEnv`], [`MemoryFs`] and [`ManualClock`] and point HTTP at the emulator on loopback, so no
//! test touches the process environment, the real home directory or a real network address.
//!
//! Settings read from the environment never fall back silently: a variable that is set but not
//! valid UTF-8 is an error naming it ([`Env::var`]), and every boolean switch of both clouds is
//! read by one parser ([`parse_flag`] through [`Context::env_flag`]): `true`/`false`, `1`/`0`,
//! `yes`/`no` in any case, empty meaning unset, anything else an error naming the variable.

mod clock;
mod env;
mod fs;
mod memory_fs;
mod os_fs;
mod proxy_env;

use std::sync::Arc;
use std::time::SystemTime;

use crate::error::{Error, ErrorKind, Result};
use crate::http::{HttpClient, NoHttpClient, ProxySettings};

pub use clock::{Clock, ManualClock, SystemClock};
pub use env::{parse_flag, Env, MemoryEnv, OsEnv};
pub use fs::{Fs, MAX_FILE_SIZE};
pub use memory_fs::MemoryFs;
pub use os_fs::{OsFs, LOCK_WAIT};
pub use proxy_env::proxy_settings;

/// The injected outside world: env, files, clock and HTTP. Cheap to clone.
///
/// ```
/// use credchain::context::{Context, MemoryEnv, MemoryFs};
/// let ctx = Context::empty()
///     .with_env(MemoryEnv::from_pairs([("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")]))
///     .with_fs(MemoryFs::new());
/// assert_eq!(ctx.env_var("ALIBABA_CLOUD_ACCESS_KEY_ID").unwrap().as_deref(), Some("id"));
/// assert_eq!(ctx.env_var("UNSET").unwrap(), None);
/// ```
#[derive(Clone, Debug)]
pub struct Context {
    env: Arc<dyn Env>,
    fs: Arc<dyn Fs>,
    clock: Arc<dyn Clock>,
    http: Arc<dyn HttpClient>,
}

impl Context {
    /// The real operating system: process env, real files, system clock and (with the `reqwest`
    /// feature) the default HTTP client, whose proxy settings come from the same env.
    pub fn real() -> Self {
        Context {
            http: default_http_client(proxy_settings(&OsEnv)),
            env: Arc::new(OsEnv),
            fs: Arc::new(OsFs),
            clock: Arc::new(SystemClock),
        }
    }

    /// Nothing outside: empty env, empty file system, system clock, and an HTTP client that refuses
    /// every request. The base for tests.
    pub fn empty() -> Self {
        Context {
            env: Arc::new(MemoryEnv::new()),
            fs: Arc::new(MemoryFs::new()),
            clock: Arc::new(SystemClock),
            http: Arc::new(NoHttpClient),
        }
    }

    /// Replaces the environment.
    pub fn with_env(mut self, env: impl Env + 'static) -> Self {
        self.env = Arc::new(env);
        self
    }
    /// Replaces the file system.
    pub fn with_fs(mut self, fs: impl Fs + 'static) -> Self {
        self.fs = Arc::new(fs);
        self
    }
    /// Replaces the clock.
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }
    /// Replaces the HTTP client.
    pub fn with_http(mut self, http: impl HttpClient + 'static) -> Self {
        self.http = Arc::new(http);
        self
    }
    /// Replaces the HTTP client with a shared one.
    pub fn with_shared_http(mut self, http: Arc<dyn HttpClient>) -> Self {
        self.http = http;
        self
    }

    /// The environment.
    pub fn env(&self) -> &dyn Env {
        self.env.as_ref()
    }
    /// One environment variable: `Ok(None)` when unset, an error naming it when it is set but not
    /// valid UTF-8 (see [`Env::var`]).
    pub fn env_var(&self, name: &str) -> Result<Option<String>> {
        self.env.var(name)
    }
    /// One environment variable, `Ok(None)` when unset or empty; an error when unreadable.
    pub fn env_non_empty(&self, name: &str) -> Result<Option<String>> {
        Ok(self.env.var(name)?.filter(|v| !v.is_empty()))
    }
    /// A boolean switch: `false` when unset or empty, else read by [`parse_flag`]. Any other value
    /// is an [`ErrorKind::InvalidConfig`] error naming the variable (a safety switch that cannot
    /// be read never silently means "off").
    pub fn env_flag(&self, name: &str) -> Result<bool> {
        Ok(self.env_bool(name)?.unwrap_or(false))
    }
    /// A boolean switch: `None` when unset or empty (blank counts as empty), else as [`Self::env_flag`].
    pub fn env_bool(&self, name: &str) -> Result<Option<bool>> {
        let Some(value) = self.env.var(name)?.filter(|v| !v.trim().is_empty()) else {
            return Ok(None);
        };
        match parse_flag(&value) {
            Some(b) => Ok(Some(b)),
            None => Err(Error::new(
                ErrorKind::InvalidConfig,
                format!("environment variable {name} is not a boolean"),
            )
            .with_hint(format!(
                "set {name} to true or false (also accepted: 1/0, yes/no, any case), or unset it"
            ))),
        }
    }
    /// The HTTP proxy settings this context's environment describes (see [`proxy_settings`]): what
    /// to build an HTTP client with when replacing the environment.
    pub fn proxy_settings(&self) -> ProxySettings {
        proxy_settings(self.env())
    }
    /// The file system.
    pub fn fs(&self) -> &dyn Fs {
        self.fs.as_ref()
    }
    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }
    /// The current time.
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }
    /// The shared clock (for caches that outlive a borrow).
    pub fn shared_clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }
    /// The HTTP client.
    pub fn http(&self) -> &Arc<dyn HttpClient> {
        &self.http
    }
}

impl Default for Context {
    fn default() -> Self {
        Context::real()
    }
}

#[cfg(feature = "reqwest")]
fn default_http_client(proxy: ProxySettings) -> Arc<dyn HttpClient> {
    Arc::new(crate::http::ReqwestClient::new(proxy))
}

#[cfg(not(feature = "reqwest"))]
fn default_http_client(_proxy: ProxySettings) -> Arc<dyn HttpClient> {
    Arc::new(NoHttpClient)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;
    use std::path::PathBuf;

    #[test]
    fn flags_and_home() {
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs([
            ("A", " TRUE "),
            ("B", "yes"),
            ("ONE", "1"),
            ("NO", "No"),
            ("ZERO", "0"),
            ("EMPTY", ""),
            ("BLANK", "  "),
            ("USERPROFILE", "C:\\Users\\me"),
        ]));
        for on in ["A", "B", "ONE"] {
            assert!(ctx.env_flag(on).unwrap(), "{on}");
        }
        for off in ["NO", "ZERO", "EMPTY", "BLANK", "UNSET"] {
            assert!(!ctx.env_flag(off).unwrap(), "{off}");
        }
        assert_eq!(ctx.env_bool("EMPTY").unwrap(), None);
        assert_eq!(ctx.env_bool("ZERO").unwrap(), Some(false));
        assert_eq!(
            ctx.env().home_dir().unwrap(),
            PathBuf::from("C:\\Users\\me")
        );
    }

    #[test]
    fn unreadable_flag_is_an_error_naming_the_variable() {
        for bad in ["on", "enabled", "2", "tru", "y"] {
            let ctx = Context::empty().with_env(MemoryEnv::from_pairs([("SWITCH", bad)]));
            let e = ctx.env_flag("SWITCH").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig);
            assert!(e.to_string().contains("SWITCH"), "{e}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_value_is_an_error_not_unset() {
        use std::os::unix::ffi::OsStringExt;
        let mut env = MemoryEnv::new();
        env.set_os("VAR", OsString::from_vec(b"s3cr\xffet".to_vec()));
        env.set_os("HOME", OsString::from_vec(b"/home/\xff".to_vec()));
        let ctx = Context::empty().with_env(env);
        for e in [
            ctx.env_var("VAR").unwrap_err(),
            ctx.env_non_empty("VAR").unwrap_err(),
            ctx.env_flag("VAR").unwrap_err(),
        ] {
            let text = e.to_string();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig);
            assert!(text.contains("VAR") && text.contains("UTF-8"), "{text}");
            assert!(!text.contains("s3cr"), "{text}");
        }
        // A path need not be UTF-8: the home directory is read raw.
        assert!(ctx.env().home_dir().is_some());
    }
}
