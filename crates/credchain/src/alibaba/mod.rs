//! Alibaba Cloud credential sources, the default chain and the `alibabacloud_credentials`-compatible
//! [`Config`] / [`Client`] facade.
//!
//! Provider names and `type` strings are the official libraries'
//! (`docs/sources/alibaba.md#names-and-types`). The credentials-URI provider is named
//! `credential_uri` (Python and Go; Java says `credentials_uri`).

mod bearer;
mod chain;
mod cli_profile;
mod cloud_sso;
mod config;
mod credentials_response;
mod credentials_uri;
mod ecs_ram_role;
pub mod env_vars;
mod environment;
mod external;
mod key_check;
mod named_profile;
mod oauth;
mod oidc_role_arn;
mod oss_env;
mod profile;
mod ram_role_arn;
mod rsa_key_pair;
mod service_error;
mod settings;
mod static_ak;
mod static_sts;
mod sts;
pub mod write_back;

pub use crate::ini::{Ini, IniError};
pub use bearer::BearerTokenProvider;
pub use chain::{default_chain, DEFAULT_CHAIN_SOURCES, NOTHING_CONFIGURED_HINT};
pub use cli_profile::{CliProfileProvider, CliProfileProviderBuilder};
pub use cloud_sso::{CloudSsoProvider, CloudSsoProviderBuilder};
pub use config::{Client, Config, CredentialModel};
pub use credentials_response::CredentialsResponse;
pub use credentials_uri::{CredentialsUriProvider, CredentialsUriProviderBuilder};
pub use ecs_ram_role::{EcsRamRoleProvider, EcsRamRoleProviderBuilder, DEFAULT_METADATA_ENDPOINT};
pub use environment::EnvironmentProvider;
pub use external::{
    parse_process_output, split_command, split_command_unix, split_command_windows,
    ExternalProvider, ExternalProviderBuilder, ExternalUpdateCallback, OsProcessRunner,
    ProcessOutput, ProcessRunner, DEFAULT_EXTERNAL_TIMEOUT, EXTERNAL_REFRESH_MARGIN,
    MAX_EXTERNAL_NESTING,
};
pub use named_profile::named_profile;
pub use oauth::{
    OAuthProvider, OAuthProviderBuilder, OAuthSiteType, OAuthTokenSource, OAuthUpdate,
    OAuthUpdateCallback, OAUTH_REFRESH_LEAD_SECONDS,
};
pub use oidc_role_arn::{OidcRoleArnProvider, OidcRoleArnProviderBuilder};
pub use oss_env::{
    object_storage_chain, OssEnvProvider, OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET,
    OSS_SESSION_TOKEN,
};
pub use profile::{ProfileProvider, ProfileProviderBuilder};
pub use ram_role_arn::{RamRoleArnProvider, RamRoleArnProviderBuilder};
pub use rsa_key_pair::{RsaKeyPairProvider, RsaKeyPairProviderBuilder, RSA_KEY_PAIR_STS_HOST};
pub use service_error::{service_error, service_error_shaped, ErrorShape, ServiceError};
pub use static_ak::StaticAccessKeyProvider;
pub use static_sts::StaticStsProvider;
pub use sts::{StsEndpoint, DEFAULT_STS_HOST};
