//! Environment variables: the [`Env`] trait, the process environment ([`OsEnv`]), a fixed one
//! for tests ([`MemoryEnv`]), and the one parser of boolean switches ([`parse_flag`]).

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use crate::error::{Error, Result};

/// Environment variables.
///
/// Implementors provide [`Env::var_os`], the raw value; everything else reads through
/// [`Env::var`], which turns a value that is set but not valid UTF-8 into an error naming the
/// variable (never its value), so a setting that cannot be read is never mistaken for an unset one.
pub trait Env: Send + Sync + fmt::Debug {
    /// The raw value of `name`, `None` when unset. Not necessarily UTF-8.
    fn var_os(&self, name: &str) -> Option<OsString>;

    /// The value of `name` as text: `Ok(None)` when unset, an [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) error
    /// naming the variable when it is set but not valid UTF-8.
    fn var(&self, name: &str) -> Result<Option<String>> {
        match self.var_os(name) {
            None => Ok(None),
            Some(v) => v.into_string().map(Some).map_err(|_| not_unicode(name)),
        }
    }

    /// The home directory: `HOME`, then `USERPROFILE` (the Go and Python references' order).
    /// A path need not be UTF-8, so this reads the raw values.
    fn home_dir(&self) -> Option<PathBuf> {
        ["HOME", "USERPROFILE"]
            .iter()
            .filter_map(|n| self.var_os(n))
            .find(|v| !v.is_empty())
            .map(PathBuf::from)
    }
}

/// The error for a variable that is set but not valid UTF-8. The value is not shown: it may be a
/// secret, and it is not printable anyway.
fn not_unicode(name: &str) -> Error {
    Error::invalid_config(format!(
        "environment variable {name} is set but its value is not valid UTF-8"
    ))
    .with_hint(format!("set {name} to a UTF-8 value, or unset it"))
}

/// Parses a boolean switch the way every boolean variable of both clouds is read: `true`, `1`,
/// `yes` and `false`, `0`, `no`, in any case, surrounding spaces ignored. `None` for anything
/// else. (The official libraries test `value.lower() == "true"`, so `1` or `yes` silently meant
/// "off" there; credchain accepts them and refuses everything it cannot read.)
///
/// ```
/// use credchain::context::parse_flag;
/// assert_eq!(parse_flag(" TRUE "), Some(true));
/// assert_eq!(parse_flag("Yes"), Some(true));
/// assert_eq!(parse_flag("0"), Some(false));
/// assert_eq!(parse_flag("on"), None);
/// ```
pub fn parse_flag(value: &str) -> Option<bool> {
    const TRUE: [&str; 3] = ["true", "1", "yes"];
    const FALSE: [&str; 3] = ["false", "0", "no"];
    let v = value.trim();
    if TRUE.iter().any(|t| v.eq_ignore_ascii_case(t)) {
        Some(true)
    } else if FALSE.iter().any(|f| v.eq_ignore_ascii_case(f)) {
        Some(false)
    } else {
        None
    }
}

/// The process environment.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEnv;

impl Env for OsEnv {
    fn var_os(&self, name: &str) -> Option<OsString> {
        std::env::var_os(name)
    }
}

/// A fixed environment for tests and embedding.
///
/// ```
/// use credchain::context::{Env, MemoryEnv};
/// let env = MemoryEnv::from_pairs([("HOME", "/home/me"), ("TENCENTCLOUD_SECRET_ID", "AKID")]);
/// assert_eq!(env.var("TENCENTCLOUD_SECRET_ID").unwrap().as_deref(), Some("AKID"));
/// assert_eq!(env.home_dir().unwrap(), std::path::PathBuf::from("/home/me"));
/// assert!(env.var("PATH").unwrap().is_none());
/// ```
#[derive(Default, Clone)]
pub struct MemoryEnv(HashMap<String, OsString>);

impl MemoryEnv {
    /// An empty environment.
    pub fn new() -> Self {
        Self::default()
    }
    /// An environment with these variables.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        MemoryEnv(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), OsString::from(v.into())))
                .collect(),
        )
    }
    /// Sets one variable.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.insert(name.into(), OsString::from(value.into()));
    }
    /// Sets one variable to a raw value, which need not be UTF-8 (to test how unreadable values
    /// are handled).
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use std::os::unix::ffi::OsStringExt;
    /// use credchain::context::{Env, MemoryEnv};
    /// let mut env = MemoryEnv::new();
    /// env.set_os("ALIBABA_CLOUD_STS_ENDPOINT", std::ffi::OsString::from_vec(vec![0xff]));
    /// let e = env.var("ALIBABA_CLOUD_STS_ENDPOINT").unwrap_err();
    /// assert!(e.to_string().contains("ALIBABA_CLOUD_STS_ENDPOINT"));
    /// # }
    /// ```
    pub fn set_os(&mut self, name: impl Into<String>, value: impl Into<OsString>) {
        self.0.insert(name.into(), value.into());
    }
}

impl fmt::Debug for MemoryEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Variable values may be secrets: show only the names.
        let mut names: Vec<&String> = self.0.keys().collect();
        names.sort();
        f.debug_struct("MemoryEnv").field("names", &names).finish()
    }
}

impl Env for MemoryEnv {
    fn var_os(&self, name: &str) -> Option<OsString> {
        self.0.get(name).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_env_debug_hides_values() {
        let env = MemoryEnv::from_pairs([("SECRET_KEY", "hunter2")]);
        let shown = format!("{env:?}");
        assert!(shown.contains("SECRET_KEY") && !shown.contains("hunter2"));
    }
}
