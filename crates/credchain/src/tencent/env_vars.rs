//! Environment variable names for Tencent Cloud (`docs/sources/tencent.md#environment-variables`),
//! plus the ones credchain adds (marked below).

/// SecretId.
pub const SECRET_ID: &str = "TENCENTCLOUD_SECRET_ID";
/// SecretKey.
pub const SECRET_KEY: &str = "TENCENTCLOUD_SECRET_KEY";
/// Session token, as the Node SDK reads it. Wins over [`TOKEN`] when both are set.
pub const SESSION_TOKEN: &str = "TENCENTCLOUD_SESSION_TOKEN";
/// Session token, as tccli reads it. Used when [`SESSION_TOKEN`] is unset or empty.
pub const TOKEN: &str = "TENCENTCLOUD_TOKEN";
/// Profile file path (Go SDK); set but empty is an error.
pub const CREDENTIALS_FILE: &str = "TENCENTCLOUD_CREDENTIALS_FILE";
/// Profile name (credchain addition; the SDKs read only `[default]`).
pub const PROFILE: &str = "TENCENTCLOUD_PROFILE";
/// TKE OIDC region.
pub const TKE_REGION: &str = "TKE_REGION";
/// TKE OIDC provider id.
pub const TKE_PROVIDER_ID: &str = "TKE_PROVIDER_ID";
/// TKE OIDC token file.
pub const TKE_WEB_IDENTITY_TOKEN_FILE: &str = "TKE_WEB_IDENTITY_TOKEN_FILE";
/// TKE OIDC role ARN.
pub const TKE_ROLE_ARN: &str = "TKE_ROLE_ARN";

/// STS endpoint override, a full URL or a bare host (https) (credchain addition).
pub const STS_ENDPOINT: &str = "TENCENTCLOUD_STS_ENDPOINT";
/// CVM metadata endpoint override, a full URL (credchain addition).
pub const METADATA_ENDPOINT: &str = "TENCENTCLOUD_METADATA_ENDPOINT";
/// `true` disables the CVM instance-role source (credchain addition).
pub const METADATA_DISABLED: &str = "TENCENTCLOUD_METADATA_DISABLED";

/// tccli's profile name (`~/.tccli/<profile>.credential`); default `default`.
pub const TCCLI_PROFILE: &str = "TCCLI_PROFILE";
/// Role to assume with the environment keys (tccli's name; needs [`ROLE_SESSION_NAME`] there).
pub const ROLE_ARN: &str = "TENCENTCLOUD_ROLE_ARN";
/// Session name for [`ROLE_ARN`] (tccli's name).
pub const ROLE_SESSION_NAME: &str = "TENCENTCLOUD_ROLE_SESSION_NAME";
/// Region for the STS call of [`ROLE_ARN`] and of tccli role profiles (tccli's name).
pub const REGION: &str = "TENCENTCLOUD_REGION";
/// SecretId alias (reqsign-tencent-cos); used with [`TKE_SECRET_KEY`] only when neither
/// [`SECRET_ID`] nor [`SECRET_KEY`] is set.
pub const TKE_SECRET_ID: &str = "TKE_SECRET_ID";
/// SecretKey alias (reqsign-tencent-cos), see [`TKE_SECRET_ID`].
pub const TKE_SECRET_KEY: &str = "TKE_SECRET_KEY";
/// Token alias (reqsign-tencent-cos), after [`SESSION_TOKEN`] and [`TOKEN`].
pub const SECURITY_TOKEN: &str = "TENCENTCLOUD_SECURITY_TOKEN";
/// Token alias (reqsign-tencent-cos), last.
pub const QCLOUD_SECRET_TOKEN: &str = "QCLOUD_SECRET_TOKEN";

/// Web identity token file alias (reqsign-tencent-cos) of [`TKE_WEB_IDENTITY_TOKEN_FILE`]. Set
/// (or the TKE name set), it turns on the other web-identity aliases: [`REGION`] for
/// [`TKE_REGION`], [`PROVIDER_ID`] for [`TKE_PROVIDER_ID`], [`ROLE_ARN`] for [`TKE_ROLE_ARN`] and
/// [`ROLE_SESSSION_NAME`]; [`ROLE_ARN`] then stops meaning tccli's env role.
pub const WEB_IDENTITY_TOKEN_FILE: &str = "TENCENTCLOUD_WEB_IDENTITY_TOKEN_FILE";
/// Provider id alias (reqsign-tencent-cos) of [`TKE_PROVIDER_ID`], see
/// [`WEB_IDENTITY_TOKEN_FILE`].
pub const PROVIDER_ID: &str = "TENCENTCLOUD_PROVIDER_ID";
/// Web identity session name (reqsign-tencent-cos's name, misspelled there with three S), see
/// [`WEB_IDENTITY_TOKEN_FILE`]; wins over [`TKE_ROLE_SESSSION_NAME`].
pub const ROLE_SESSSION_NAME: &str = "TENCENTCLOUD_ROLE_SESSSION_NAME";
/// Web identity session name (reqsign-tencent-cos's TKE name, misspelled there too).
pub const TKE_ROLE_SESSSION_NAME: &str = "TKE_ROLE_SESSSION_NAME";
