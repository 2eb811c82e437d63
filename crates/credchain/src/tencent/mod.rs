//! Tencent Cloud credential sources, the default chain, and the seed-compatible [`Config`] facade
//! (type names from DESIGN.md §2, which follow the Python SDK's constructor parameters).

mod chain;
mod config;
mod credential;
pub mod env_vars;
mod environment;

pub use chain::{default_chain, NOTHING_CONFIGURED_HINT};
pub use config::{Config, TYPES};
pub use credential::{validate_field, Credential, INVALID_CREDENTIAL};
pub use environment::EnvironmentProvider;

/// The Python SDK's name for the environment source.
pub type EnvironmentVariableCredential = EnvironmentProvider;
