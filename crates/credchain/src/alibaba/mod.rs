//! Alibaba Cloud credential sources, the default chain and the `alibabacloud_credentials`-compatible
//! [`Config`] / [`Client`] facade.
//!
//! Provider names and `type` strings are those of `reference/alibaba.md` §1.5 and §1.2.

mod chain;
mod config;
pub mod env_vars;
mod environment;
mod static_credentials;

pub use chain::{default_chain, NOTHING_CONFIGURED_HINT};
pub use config::{Client, Config, CredentialModel};
pub use environment::EnvironmentProvider;
pub use static_credentials::{BearerTokenProvider, StaticAccessKeyProvider, StaticStsProvider};
