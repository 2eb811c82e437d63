//! Alibaba Cloud credential sources, the default chain and the `alibabacloud_credentials`-compatible
//! [`Config`] / [`Client`] facade.
//!
//! Provider names and `type` strings are those of `reference/alibaba.md` §1.5 and §1.2. The
//! credentials-URI provider is named `credential_uri` (Python and Go; Java says `credentials_uri`).

mod chain;
mod cli_profile;
mod config;
mod credentials_uri;
mod ecs_ram_role;
pub mod env_vars;
mod environment;
mod ini;
mod oidc_role_arn;
mod profile;
mod ram_role_arn;
mod remote;
mod static_credentials;

pub use chain::{default_chain, NOTHING_CONFIGURED_HINT};
pub use cli_profile::{CliProfileProvider, CliProfileProviderBuilder};
pub use config::{Client, Config, CredentialModel};
pub use credentials_uri::{CredentialsUriProvider, CredentialsUriProviderBuilder};
pub use ecs_ram_role::{EcsRamRoleProvider, EcsRamRoleProviderBuilder, DEFAULT_METADATA_ENDPOINT};
pub use environment::EnvironmentProvider;
pub use ini::{Ini, IniError};
pub use oidc_role_arn::{OidcRoleArnProvider, OidcRoleArnProviderBuilder};
pub use profile::{ProfileProvider, ProfileProviderBuilder};
pub use ram_role_arn::{RamRoleArnProvider, RamRoleArnProviderBuilder};
pub use remote::{StsEndpoint, DEFAULT_STS_HOST};
pub use static_credentials::{BearerTokenProvider, StaticAccessKeyProvider, StaticStsProvider};
