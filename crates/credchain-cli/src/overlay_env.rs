//! An environment with a few variables set on top of the process environment (for `--profile`).

use std::collections::HashMap;

use credchain::context::{Env, OsEnv};

/// The process environment with overrides.
#[derive(Debug, Default)]
pub struct OverlayEnv {
    overrides: HashMap<String, String>,
}

impl OverlayEnv {
    /// Sets one variable for this process's resolution only.
    pub fn set(&mut self, name: &str, value: &str) {
        self.overrides.insert(name.to_string(), value.to_string());
    }
}

impl Env for OverlayEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.overrides
            .get(name)
            .cloned()
            .or_else(|| OsEnv.var(name))
    }
}
