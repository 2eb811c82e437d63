//! Small helpers the sources use to read their own settings from the three formats (`Config`,
//! a `config.json` profile, a `credentials.ini` section): each source's `from_config`,
//! `from_cli_profile` and `from_ini_section` are a few lines of "this key goes to that
//! builder setting" with these.

use crate::error::Result;
use crate::provider::{ProvideCredentials, SharedProvider};

/// Applies a builder setter only when the setting is present.
pub(crate) trait SetIf: Sized {
    /// `set(self, v)` when `v` is `Some`, else `self` unchanged.
    fn set_if<T>(self, v: Option<T>, set: impl FnOnce(Self, T) -> Self) -> Self {
        match v {
            Some(v) => set(self, v),
            None => self,
        }
    }
}

impl<B> SetIf for B {}

/// The value when present and not empty.
pub(crate) fn non_empty(v: &Option<String>) -> Option<String> {
    v.clone().filter(|v| !v.is_empty())
}

/// A built source as a [`SharedProvider`] (the dispatch tables' common type).
pub(crate) fn shared<P: ProvideCredentials + 'static>(p: Result<P>) -> Result<SharedProvider> {
    p.map(SharedProvider::new)
}
