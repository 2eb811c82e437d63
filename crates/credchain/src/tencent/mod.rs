//! Tencent Cloud credential sources, the default chain, and a [`Config`] facade
//! whose type names and fields follow the Python SDK's constructor parameters.
//!
//! | type / provider name | source | idiomatic type | SDK name (alias) |
//! |---|---|---|---|
//! | `credential` | fixed SecretId/SecretKey/token | [`Credential`] | `Credential` |
//! | `env` | `TENCENTCLOUD_SECRET_ID`/`_KEY` (+ token) | [`EnvironmentProvider`] | [`EnvironmentVariableCredential`] |
//! | `profile` | `~/.tencentcloud/credentials` | [`ProfileProvider`] | [`ProfileCredential`] |
//! | `tccli` | tccli's `~/.tccli/<profile>.credential` | [`TccliProvider`] | (none) |
//! | `cvm_role` | CVM metadata CAM role | [`CvmRoleProvider`] | [`CvmRoleCredential`] |
//! | `sts_assume_role` | STS AssumeRole | [`StsAssumeRoleProvider`] | [`StsAssumeRoleCredential`] |
//! | `oidc_role_arn` | STS AssumeRoleWithWebIdentity | [`OidcRoleArnProvider`] | [`OidcRoleArnCredential`] |
//! | `tke_oidc` | the same, from `TKE_*` | [`TkeOidcProvider`] | [`DefaultTkeOidcRoleArnProvider`] |
//! | `default` | env -> TKE OIDC -> profile -> tccli -> CVM | [`default_chain`] | [`DefaultCredentialProvider`] |
//!
//! Forcing a refresh (the SDKs' `update_credential()` / `refresh()`) is
//! [`ProvideCredentials::force_refresh`](crate::ProvideCredentials::force_refresh).

#[macro_use]
mod builder_setters;

mod assume_role;
mod chain;
mod config;
mod credential;
mod cvm_role;
mod cvm_role_response;
pub mod env_vars;
mod environment;
mod oidc_request;
mod oidc_role_arn;
mod profile;
mod role_settings;
pub mod service_error;
mod sts;
mod tccli;
mod tke_oidc;

pub use crate::ini;

pub use assume_role::{StsAssumeRoleFetcher, StsAssumeRoleProvider, StsAssumeRoleProviderBuilder};
pub use chain::{
    default_chain, DefaultChainBuilder, DEFAULT_CHAIN_SOURCES, NOTHING_CONFIGURED_HINT,
};
pub use config::{Config, TYPES};
pub use credential::{validate_field, Credential, INVALID_CREDENTIAL};
pub use cvm_role::{
    CvmRoleFetcher, CvmRoleProvider, CvmRoleProviderBuilder, DEFAULT_METADATA_ENDPOINT, ROLE_PATH,
};
pub use cvm_role_response::CvmRoleResponse;
pub use environment::EnvironmentProvider;
pub use oidc_role_arn::{OidcRoleArnFetcher, OidcRoleArnProvider, OidcRoleArnProviderBuilder};
pub use profile::{
    ProfileProvider, ProfileProviderBuilder, DEFAULT_PROFILE, SYSTEM_CREDENTIALS_FILE,
};
pub use sts::{
    generate_session_name, regional_sts_host, StsEndpoint, DEFAULT_DURATION_SECONDS,
    DEFAULT_REGION, DEFAULT_STS_HOST, INTL_STS_HOST, MAX_DURATION_SECONDS, MIN_DURATION_SECONDS,
    SESSION_NAME_PREFIX, STS_SERVICE, STS_VERSION,
};
pub use tccli::{
    parse_tccli_credential, TccliCredentialFile, TccliCredentialType, TccliProvider,
    TccliProviderBuilder, TCCLI_DEFAULT_PROFILE, TCCLI_DIR,
};
pub use tke_oidc::{
    TkeOidcFetcher, TkeOidcProvider, TkeOidcProviderBuilder, TKE_IDENTITY_TOKEN_FILE,
};

/// The Python SDK's name for the environment source.
pub type EnvironmentVariableCredential = EnvironmentProvider;
/// The Python SDK's name for the credentials-file source.
pub type ProfileCredential = ProfileProvider;
/// The Python SDK's name for the CVM instance-role source (`CVMRoleCredential`).
pub type CvmRoleCredential = CvmRoleProvider;
/// The Python SDK's name for the AssumeRole source (`STSAssumeRoleCredential`).
pub type StsAssumeRoleCredential = StsAssumeRoleProvider;
/// The Python SDK's name for the web-identity source (`OIDCRoleArnCredential`).
pub type OidcRoleArnCredential = OidcRoleArnProvider;
/// The Python SDK's name for the TKE web-identity source (`DefaultTkeOIDCRoleArnProvider`).
pub type DefaultTkeOidcRoleArnProvider = TkeOidcProvider;
/// The Python SDK's name for the default chain (`DefaultCredentialProvider`).
pub type DefaultCredentialProvider = crate::chain::ProviderChain;
