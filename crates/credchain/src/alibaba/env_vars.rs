//! Environment variable names for Alibaba Cloud, exactly as the official libraries spell them
//! (`docs/sources/alibaba.md#environment-variables`), plus the endpoint overrides credchain adds
//! (marked below).

/// AccessKey ID (env provider; static AK/STS fallback).
pub const ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// AccessKey secret (env provider; static AK/STS fallback).
pub const ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// STS security token (env provider; static STS fallback).
pub const SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
/// Role ARN (ram_role_arn, oidc_role_arn).
pub const ROLE_ARN: &str = "ALIBABA_CLOUD_ROLE_ARN";
/// Role session name.
pub const ROLE_SESSION_NAME: &str = "ALIBABA_CLOUD_ROLE_SESSION_NAME";
/// OIDC provider ARN (RRSA).
pub const OIDC_PROVIDER_ARN: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
/// OIDC token file (RRSA).
pub const OIDC_TOKEN_FILE: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
/// STS region (`sts[-vpc].<region>.aliyuncs.com`).
pub const STS_REGION: &str = "ALIBABA_CLOUD_STS_REGION";
/// `true` selects the VPC STS endpoint.
pub const VPC_ENDPOINT_ENABLED: &str = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";
/// ECS RAM role name.
pub const ECS_METADATA: &str = "ALIBABA_CLOUD_ECS_METADATA";
/// `true` disables the ECS instance-metadata source.
pub const ECS_METADATA_DISABLED: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
/// `true` forbids the IMDSv1 fallback.
pub const IMDSV1_DISABLED: &str = "ALIBABA_CLOUD_IMDSV1_DISABLED";
/// Credentials URI.
pub const CREDENTIALS_URI: &str = "ALIBABA_CLOUD_CREDENTIALS_URI";
/// Path of `credentials.ini`.
pub const CREDENTIALS_FILE: &str = "ALIBABA_CLOUD_CREDENTIALS_FILE";
/// Profile (INI section / config.json profile).
pub const PROFILE: &str = "ALIBABA_CLOUD_PROFILE";
/// `true` disables the aliyun-cli config.json source.
pub const CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";
/// Path of aliyun-cli's config.json (Go reference only).
pub const CONFIG_FILE: &str = "ALIBABA_CLOUD_CONFIG_FILE";

/// STS endpoint override, a full URL (`http://127.0.0.1:8080`) or a bare host (https).
/// Also read by reqsign; credchain makes it win over every computed STS endpoint.
pub const STS_ENDPOINT: &str = "ALIBABA_CLOUD_STS_ENDPOINT";
/// ECS metadata endpoint override, a full URL (credchain addition, same name as reqsign's).
pub const ECS_METADATA_SERVICE_ENDPOINT: &str = "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT";
/// The `External` profiles whose commands are running above this process, a JSON array of
/// strings (credchain addition). The `External` source sets it for its child and refuses to run a
/// profile that is already in it: that command would call itself without end.
pub const EXTERNAL_PROFILES: &str = "CREDCHAIN_EXTERNAL_PROFILES";
/// OAuth site base URL override (credchain addition).
pub const OAUTH_ENDPOINT: &str = "ALIBABA_CLOUD_OAUTH_ENDPOINT";

/// `true` makes aliyun-cli's config.json source "not configured" (aliyun-cli's name; it also
/// reads `ALIBABACLOUD_IGNORE_PROFILE`, which credchain does not).
pub const IGNORE_PROFILE: &str = "ALIBABA_CLOUD_IGNORE_PROFILE";
/// `true` refuses config.json `External` and `CredentialsURI` profiles (aliyun-cli's security
/// switch: no command is run and no URL fetched for credentials).
pub const DISABLE_EXTERNAL_PROCESS: &str = "ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS";
/// Bearer token for a config.json `BearerToken` profile without `bearer_token` (aliyun-cli).
pub const BEARER_TOKEN: &str = "ALIBABA_CLOUD_BEARER_TOKEN";
/// `ExternalId` for config.json role profiles without `external_id` (aliyun-cli).
pub const EXTERNAL_ID: &str = "ALIBABA_CLOUD_EXTERNAL_ID";
