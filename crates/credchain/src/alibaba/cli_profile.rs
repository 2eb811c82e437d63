//! The aliyun-cli `~/.aliyun/config.json` source (`cli_profile`,
//! `docs/sources/alibaba.md#cli-profile-file`).
//!
//! - File: `ALIBABA_CLOUD_CONFIG_FILE` (the Go reference's override; must exist), else
//!   `~/.aliyun/config.json`. `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true` → "not configured".
//! - Errors: missing file → "not configured"; a directory, unreadable file, invalid JSON or JSON
//!   that is not an object (`null`, a list) → file error; `{}` or no profiles at all → "not
//!   configured" (nothing set up yet). Messages contain the Python reference's (typos included:
//!   "failed to parse credential form cli credentials file: PATH", "invalid profile name",
//!   "unable to get profile with 'NAME' form cli credentials file.", "unsupported profile mode
//!   'MODE' form cli credentials file.", `None` for a profile without `mode`).
//! - Profile: explicit (builder), else `ALIBABA_CLOUD_PROFILE`, else `current`. A name that is not
//!   in the file is an error ("unable to get profile with 'NAME'"), except when it came from
//!   `ALIBABA_CLOUD_PROFILE`, which also selects the `credentials.ini` section: then this source is
//!   "not configured" and the chain goes on to the INI file.
//! - Missing keys get the inner providers' Python messages and environment fallbacks, as in
//!   Python: an `AK` profile without `access_key_id` uses `ALIBABA_CLOUD_ACCESS_KEY_ID` ("the
//!   access key id is empty" when that is unset too), a `StsToken` profile without `sts_token`
//!   uses `ALIBABA_CLOUD_SECURITY_TOKEN`, a `RamRoleArn` or `OIDC` profile without `ram_role_arn`
//!   uses `ALIBABA_CLOUD_ROLE_ARN`, and so on.
//! - Modes: `AK`, `StsToken`, `RamRoleArn`, `EcsRamRole`, `OIDC`, `ChainableRamRoleArn`
//!   (`source_profile`, cycles detected), `CloudSSO`, `OAuth` (`oauth_site_type` CN or INTL, any
//!   case; absent or null means CN as in Python), `External` (`process_command`),
//!   `CredentialsURI` (key `credentials_uri`; a credchain extension: the SDKs reject it), and
//!   aliyun-cli's own modes: `BearerToken` (`bearer_token`, else `ALIBABA_CLOUD_BEARER_TOKEN`;
//!   a `bearer_token_header_key` other than `x-acs-bearer-token` is an error),
//!   `RamRoleArnWithRoleName` (the ECS role `ram_role_name` assumes `ram_role_arn`). Others
//!   (`RsaKeyPair`, `Anonymous`, ...) → `unsupported profile mode '<mode>'`.
//! - aliyun-cli's switches: `ALIBABA_CLOUD_IGNORE_PROFILE=true` → "not configured";
//!   `ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS=true` refuses `External` and `CredentialsURI`
//!   profiles (an error: the profile asked for something the user forbade). Both read as every
//!   credchain switch ([`crate::context::parse_flag`]; aliyun-cli takes only `TRUE`, resp. `1` /
//!   `true`).
//! - STS for role profiles: `sts_endpoint` (aliyun-cli's key; `ALIBABA_CLOUD_STS_ENDPOINT` still
//!   wins), else `sts_region`; `endpoint_type: vpc` (aliyun-cli's key for VPC API endpoints)
//!   selects the VPC STS endpoint too unless `enable_vpc` says otherwise. `external_id`, else
//!   `ALIBABA_CLOUD_EXTERNAL_ID` (aliyun-cli's fallback).
//! - OAuth and External credentials are written back into the profile that holds them after
//!   every exchange / process run (reached through `source_profile` when chained), keeping every
//!   other key of the file ([`super::write_back`]). OAuth tokens are also written right after
//!   every token refresh, before the exchange: a rotated refresh token is on disk even if the
//!   exchange fails or the caller gives up. A failed write-back is logged, not an error.
//! - Before every OAuth fetch the profile's tokens are read again from the file; newer ones
//!   (refreshed by another process, which may have revoked the refresh token this process
//!   started with) replace those in memory.
//! - A known key holding a non-string (`"access_key_id": 123`) is an error naming the key, the
//!   profile and (best effort) the line, not an "empty" value. `"profiles"` that is not a list is
//!   a file error. A profile name the file lacks keeps the reference wording and adds, as a hint,
//!   the profiles the file has.
//! - `expired_seconds` absent, null or 0 → 3600 (aliyun-cli writes 0 for "unset").
//! - The inner provider is built once. Credentials are named `cli_profile/<inner>`.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::cloud_sso::CloudSsoProvider;
use super::credentials_uri::CredentialsUriProvider;
use super::ecs_ram_role::EcsRamRoleProvider;
use super::env_vars;
use super::external::ExternalProvider;
use super::oauth::{OAuthProvider, OAuthSiteType, OAuthUpdate};
use super::oidc_role_arn::OidcRoleArnProvider;
use super::ram_role_arn::RamRoleArnProvider;
use super::remote::StsEndpoint;
use super::static_credentials::{BearerTokenProvider, StaticAccessKeyProvider, StaticStsProvider};
use super::write_back;
use crate::context::{Context, MAX_FILE_SIZE};
use crate::error::{Error, ErrorKind, Result};
use crate::provider::{ProvideCredentials, ProvideFuture, SharedProvider};

const NAME: &str = "cli_profile";

/// Builds a [`CliProfileProvider`].
#[derive(Debug, Clone, Default)]
pub struct CliProfileProviderBuilder {
    path: Option<PathBuf>,
    profile: Option<String>,
    /// An explicit profile that is not in the file is "not configured" (the caller looks for it
    /// in `credentials.ini` next), not an error.
    missing_is_not_configured: bool,
}

impl CliProfileProviderBuilder {
    /// The config file (default `ALIBABA_CLOUD_CONFIG_FILE`, else `~/.aliyun/config.json`).
    pub fn path(mut self, p: impl Into<PathBuf>) -> Self {
        self.path = Some(p.into());
        self
    }
    /// The profile (default `ALIBABA_CLOUD_PROFILE`, else `current`).
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }
    /// An explicit profile missing from the file answers "not configured" (see
    /// [`super::named_profile`]).
    pub(crate) fn missing_is_not_configured(mut self) -> Self {
        self.missing_is_not_configured = true;
        self
    }
    /// Reads the file and builds the selected profile's provider now.
    pub fn build(self, ctx: &Context) -> CliProfileProvider {
        let lenient = self.missing_is_not_configured;
        let (inner, path, profile) = match load(ctx, self.path, self.profile, lenient) {
            Ok((p, path, profile)) => (Ok(p), Some(path), Some(profile)),
            Err(e) => (Err(e), None, None),
        };
        CliProfileProvider {
            inner: crate::provider::Delegate::new(NAME, inner),
            path,
            profile,
        }
    }
}

/// Credentials from a profile of aliyun-cli's `config.json`.
pub struct CliProfileProvider {
    inner: crate::provider::Delegate,
    path: Option<PathBuf>,
    profile: Option<String>,
}

impl CliProfileProvider {
    /// The provider name.
    pub const NAME: &'static str = NAME;

    /// A builder.
    pub fn builder() -> CliProfileProviderBuilder {
        CliProfileProviderBuilder::default()
    }
    /// The profile used, when one was found.
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }
    /// The file read, when one was found.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
    /// The build outcome: the profile's provider or why there is none.
    pub(crate) fn outcome(&self) -> &Result<SharedProvider> {
        self.inner.inner()
    }
}

#[derive(PartialEq)]
enum Origin {
    Explicit,
    Env,
    Current,
}

fn load(
    ctx: &Context,
    path: Option<PathBuf>,
    explicit: Option<String>,
    missing_is_not_configured: bool,
) -> Result<(SharedProvider, PathBuf, String)> {
    let with_name = |e: Error| e.with_provider(NAME);
    if ctx
        .env_flag(env_vars::CLI_PROFILE_DISABLED)
        .map_err(with_name)?
    {
        return Err(Error::not_configured("cli credentials file is disabled")
            .with_provider(NAME)
            .with_hint(format!("{} is true", env_vars::CLI_PROFILE_DISABLED)));
    }
    // aliyun-cli compares with "TRUE" only; credchain reads every switch the same way.
    if ctx.env_flag(env_vars::IGNORE_PROFILE).map_err(with_name)? {
        return Err(Error::not_configured(format!(
            "config.json ignored: {} is true",
            env_vars::IGNORE_PROFILE
        ))
        .with_provider(NAME)
        .with_hint(format!(
            "unset {} to use ~/.aliyun/config.json",
            env_vars::IGNORE_PROFILE
        )));
    }
    let env_path = match path {
        Some(_) => None,
        None => ctx
            .env_non_empty(env_vars::CONFIG_FILE)
            .map_err(with_name)?
            .map(PathBuf::from),
    };
    let from_env = env_path.is_some();
    let path = match path.or(env_path) {
        Some(p) => p,
        None => match ctx.env().home_dir() {
            Some(h) => h.join(".aliyun").join("config.json"),
            None => {
                return Err(Error::not_configured(
                    "no home directory (HOME) to find ~/.aliyun/config.json",
                )
                .with_provider(NAME))
            }
        },
    };
    let bytes = match ctx.fs().read(&path, MAX_FILE_SIZE) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !from_env => {
            return Err(Error::not_configured(format!(
                "unable to open credentials file: {}",
                crate::redact::path(&path)
            ))
            .with_provider(NAME))
        }
        Err(e) => {
            return Err(Error::new(
                ErrorKind::File,
                format!(
                    "unable to open credentials file: {}",
                    crate::redact::path(&path)
                ),
            )
            .with_provider(NAME)
            .with_file(&path)
            .with_source(e))
        }
    };
    let root: Value = serde_json::from_slice(&bytes).map_err(|e| {
        Error::new(
            ErrorKind::File,
            format!(
                "failed to parse credential form cli credentials file: {}",
                crate::redact::path(&path)
            ),
        )
        .with_provider(NAME)
        .with_file(&path)
        .with_line(e.line())
        .with_hint("the file is not valid JSON")
    })?;
    let Some(obj) = root.as_object() else {
        return Err(Error::new(
            ErrorKind::File,
            format!(
                "failed to parse credential form cli credentials file: {} (not a JSON object)",
                crate::redact::path(&path)
            ),
        )
        .with_provider(NAME)
        .with_file(&path));
    };
    // `"profiles": {}` (or any non-list) is a broken file, not an empty one.
    if let Some(p) = obj
        .get("profiles")
        .filter(|p| !p.is_array() && !p.is_null())
    {
        return Err(Error::new(
            ErrorKind::File,
            format!(
                "\"profiles\" in the cli credentials file is {}, not a list of profiles",
                json_type_name(p)
            ),
        )
        .with_provider(NAME)
        .with_file(&path)
        .with_hint("make \"profiles\" a list: \"profiles\": [{\"name\": \"default\", \"mode\": \"AK\", ...}]"));
    }
    let profiles: Vec<&Value> = obj
        .get("profiles")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let (name, origin) = if let Some(n) = explicit.filter(|n| !n.is_empty()) {
        (n, Origin::Explicit)
    } else if let Some(n) = ctx.env_non_empty(env_vars::PROFILE).map_err(with_name)? {
        (n, Origin::Env)
    } else if let Some(n) = obj
        .get("current")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    {
        (n.to_string(), Origin::Current)
    } else if profiles.is_empty() {
        return Err(Error::not_configured(format!(
            "invalid profile name: no any configured profiles in '{}'",
            crate::redact::path(&path)
        ))
        .with_provider(NAME)
        .with_file(&path));
    } else {
        return Err(Error::invalid_config("invalid profile name")
            .with_provider(NAME)
            .with_file(&path)
            .with_hint(format!(
                "set \"current\" in the file or {}",
                env_vars::PROFILE
            )));
    };
    if profiles.is_empty() && (origin != Origin::Explicit || missing_is_not_configured) {
        return Err(Error::not_configured(format!(
            "{} (no any configured profiles in '{}')",
            unknown_profile_message(&name),
            crate::redact::path(&path)
        ))
        .with_provider(NAME)
        .with_file(&path));
    }
    let find = |n: &str| {
        profiles
            .iter()
            .copied()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(n))
    };
    if find(&name).is_none() {
        let names: Vec<&str> = profiles
            .iter()
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .collect();
        // After the reference's wording: which profiles the file does have.
        let e = unknown_profile(&name, &path).with_hint(format!(
            "the file has the profiles {}; pick one of them (--profile, {} or \"current\")",
            names
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(", "),
            env_vars::PROFILE
        ));
        return Err(if origin == Origin::Env || missing_is_not_configured {
            e.with_kind(ErrorKind::NotConfigured)
        } else {
            e
        });
    }
    let mut visiting = HashSet::new();
    let provider = build_profile(ctx, &find, &name, &path, &bytes, &mut visiting)?;
    Ok((provider, path, name))
}

/// Keys whose value must be a string (or null): a number or a list there is a broken profile,
/// named with its field, profile and line, rather than read as "empty".
const STRING_KEYS: &[&str] = &[
    "mode",
    "access_key_id",
    "access_key_secret",
    "sts_token",
    "ram_role_arn",
    "ram_session_name",
    "ram_role_name",
    "oidc_provider_arn",
    "oidc_token_file",
    "source_profile",
    "credentials_uri",
    "process_command",
    "region_id",
    "external_id",
    "policy",
    "oauth_site_type",
    "sts_region",
];

fn check_string_fields(p: &Value, name: &str, path: &Path, text: &[u8]) -> Result<()> {
    for key in STRING_KEYS {
        let Some(v) = p.get(*key).filter(|v| !v.is_string() && !v.is_null()) else {
            continue;
        };
        let line = line_of_key(text, name, key);
        let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
        let mut e = Error::invalid_config(format!(
            "`{key}` in profile `{name}`{at} must be a string, not {}",
            json_type_name(v)
        ))
        .with_provider(NAME)
        .with_file(path)
        .with_hint(format!("write \"{key}\": \"...\" in profile `{name}`"));
        if let Some(l) = line {
            e = e.with_line(l);
        }
        return Err(e);
    }
    Ok(())
}

/// The 1-based line of `"key"` in the profile named `name`: the closest occurrence after the
/// profile's `"name": "<name>"` and before the next profile's name, else the closest before it.
/// A best effort for messages: `None` when the text does not show it plainly.
fn line_of_key(text: &[u8], name: &str, key: &str) -> Option<usize> {
    let text = std::str::from_utf8(text).ok()?;
    let quoted_name = Value::String(name.to_string()).to_string();
    let name_at = text
        .match_indices(&quoted_name)
        .map(|(i, _)| i)
        .find(|&i| {
            let before = text[..i].trim_end();
            before.ends_with(':') && before[..before.len() - 1].trim_end().ends_with("\"name\"")
        })?;
    let quoted_key = format!("\"{key}\"");
    let next_name = text[name_at + quoted_name.len()..]
        .find("\"name\"")
        .map_or(text.len(), |i| name_at + quoted_name.len() + i);
    let at = text[name_at..next_name]
        .find(&quoted_key)
        .map(|i| name_at + i)
        .or_else(|| text[..name_at].rfind(&quoted_key))?;
    Some(text[..at].matches('\n').count() + 1)
}

/// "a string", "an object", ... for messages about a value of the wrong type.
fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The Python reference's message ("form" is its typo).
fn unknown_profile_message(name: &str) -> String {
    format!("unable to get profile with '{name}' form cli credentials file.")
}

fn unknown_profile(name: &str, path: &Path) -> Error {
    Error::invalid_config(unknown_profile_message(name))
        .with_provider(NAME)
        .with_file(path)
}

fn build_profile<'a>(
    ctx: &Context,
    find: &dyn Fn(&str) -> Option<&'a Value>,
    name: &str,
    path: &Path,
    text: &[u8],
    visiting: &mut HashSet<String>,
) -> Result<SharedProvider> {
    let Some(p) = find(name) else {
        return Err(unknown_profile(name, path));
    };
    check_string_fields(p, name, path, text)?;
    if !visiting.insert(name.to_string()) {
        return Err(Error::invalid_config(format!(
            "source_profile cycle through profile '{name}'"
        ))
        .with_provider(NAME)
        .with_file(path));
    }
    let s = |k: &str| {
        p.get(k)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let mode_value = p.get("mode").and_then(Value::as_str);
    let mode = mode_value.unwrap_or_default();
    let invalid = |m: String| Error::invalid_config(m).with_provider(NAME).with_file(path);
    let need = |k: &str| {
        s(k).ok_or_else(|| {
            invalid(format!(
                "profile '{name}' (mode {mode}) needs a non-empty {k}"
            ))
        })
    };
    let int = |k: &str| match p.get(k) {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(t)) => t.trim().parse().unwrap_or(0),
        _ => 0,
    };
    let duration = p
        .get("expired_seconds")
        .and_then(Value::as_u64)
        .filter(|d| *d > 0);
    // aliyun-cli's `endpoint_type: vpc` selects VPC endpoints; credchain applies it to STS too.
    let vpc_type = s("endpoint_type").map(|t| t.eq_ignore_ascii_case("vpc"));
    let endpoint = StsEndpoint {
        sts_endpoint: s("sts_endpoint"),
        sts_region_id: s("sts_region"),
        enable_vpc: p
            .get("enable_vpc")
            .and_then(Value::as_bool)
            .or(vpc_type.filter(|v| *v)),
    };
    let env_external_id = ctx
        .env_non_empty(env_vars::EXTERNAL_ID)
        .map_err(|e| e.with_provider(NAME))?;
    let external_disabled = || -> Result<()> {
        if ctx
            .env_flag(env_vars::DISABLE_EXTERNAL_PROCESS)
            .map_err(|e| e.with_provider(NAME))?
        {
            return Err(invalid(format!(
                "profile '{name}' (mode {mode}) is refused: external credential sources are \
                 disabled by {}",
                env_vars::DISABLE_EXTERNAL_PROCESS
            ))
            .with_hint(format!(
                "unset {} or select another profile",
                env_vars::DISABLE_EXTERNAL_PROCESS
            )));
        }
        Ok(())
    };
    let ram_role = |source: Option<SharedProvider>| -> Result<SharedProvider> {
        let mut b = RamRoleArnProvider::builder().endpoint_options(endpoint.clone());
        if let Some(v) = s("ram_role_arn") {
            b = b.role_arn(v);
        }
        match source {
            Some(src) => b = b.source(src),
            None => {
                if let Some(v) = s("access_key_id") {
                    b = b.access_key_id(v);
                }
                if let Some(v) = s("access_key_secret") {
                    b = b.access_key_secret(v);
                }
            }
        }
        if let Some(v) = s("ram_session_name") {
            b = b.role_session_name(v);
        }
        if let Some(d) = duration {
            b = b.duration_seconds(d);
        }
        if let Some(v) = s("policy") {
            b = b.policy(v);
        }
        if let Some(v) = s("external_id").or_else(|| env_external_id.clone()) {
            b = b.external_id(v);
        }
        Ok(SharedProvider::new(
            b.build(ctx).map_err(|e| e.with_file(path))?,
        ))
    };
    let provider = match mode {
        "AK" => SharedProvider::new(
            StaticAccessKeyProvider::with_env_fallback(s("access_key_id"), s("access_key_secret"), ctx)
                .map_err(|e| e.with_file(path))?,
        ),
        "StsToken" => SharedProvider::new(
            StaticStsProvider::with_env_fallback(
                s("access_key_id"),
                s("access_key_secret"),
                s("sts_token"),
                ctx,
            )
            .map_err(|e| e.with_file(path))?,
        ),
        "RamRoleArn" => ram_role(None)?,
        // aliyun-cli (deprecated there for ChainableRamRoleArn): the ECS instance role
        // `ram_role_name` is the source of an AssumeRole of `ram_role_arn`.
        "RamRoleArnWithRoleName" => {
            let mut b = EcsRamRoleProvider::builder();
            if let Some(r) = s("ram_role_name") {
                b = b.role_name(r);
            }
            ram_role(Some(SharedProvider::new(b.build(ctx))))?
        }
        "BearerToken" => {
            if let Some(k) = s("bearer_token_header_key") {
                if !k.eq_ignore_ascii_case("x-acs-bearer-token") {
                    return Err(invalid(format!(
                        "profile '{name}' sets bearer_token_header_key to another header than \
                         x-acs-bearer-token, the only one credchain sends"
                    ))
                    .with_hint("remove bearer_token_header_key from the profile"));
                }
            }
            let token = match s("bearer_token") {
                Some(t) => Some(t),
                None => ctx
                    .env_non_empty(env_vars::BEARER_TOKEN)
                    .map_err(|e| e.with_provider(NAME))?,
            };
            let Some(token) = token else {
                return Err(invalid(format!(
                    "bearer_token is not configured for profile '{name}'"
                ))
                .with_hint(format!(
                    "run `aliyun configure --profile {name} --mode BearerToken`, or set {}",
                    env_vars::BEARER_TOKEN
                )));
            };
            SharedProvider::new(
                BearerTokenProvider::new(token.trim()).map_err(|e| e.with_file(path))?,
            )
        }
        "EcsRamRole" => {
            let mut b = EcsRamRoleProvider::builder();
            if let Some(r) = s("ram_role_name") {
                b = b.role_name(r);
            }
            SharedProvider::new(b.build(ctx))
        }
        "OIDC" => {
            let mut b = OidcRoleArnProvider::builder().endpoint_options(endpoint.clone());
            if let Some(v) = s("ram_role_arn") {
                b = b.role_arn(v);
            }
            if let Some(v) = s("oidc_provider_arn") {
                b = b.oidc_provider_arn(v);
            }
            if let Some(v) = s("oidc_token_file") {
                b = b.oidc_token_file_path(v);
            }
            if let Some(v) = s("ram_session_name") {
                b = b.role_session_name(v);
            }
            if let Some(d) = duration {
                b = b.duration_seconds(d);
            }
            if let Some(v) = s("policy") {
                b = b.policy(v);
            }
            SharedProvider::new(b.build(ctx).map_err(|e| e.with_file(path))?)
        }
        "ChainableRamRoleArn" => {
            let Some(src_name) = s("source_profile") else {
                return Err(invalid(format!("invalid profile name: profile '{name}' (mode ChainableRamRoleArn) needs a source_profile")));
            };
            let source = build_profile(ctx, find, &src_name, path, text, visiting).map_err(|e| {
                if e.message().starts_with("unable to get profile") {
                    invalid(format!("get source profile failed: {}", e.message()))
                } else {
                    e
                }
            })?;
            ram_role(Some(source))?
        }
        "CloudSSO" => {
            let b = CloudSsoProvider::builder()
                .sign_in_url(s("cloud_sso_sign_in_url").unwrap_or_default())
                .account_id(s("cloud_sso_account_id").unwrap_or_default())
                .access_config(s("cloud_sso_access_config").unwrap_or_default())
                .access_token(s("access_token").unwrap_or_default())
                .access_token_expire(int("cloud_sso_access_token_expire"));
            SharedProvider::new(b.build(ctx).map_err(|e| e.with_file(path))?)
        }
        "OAuth" => {
            let site = match p.get("oauth_site_type") {
                None | Some(Value::Null) => OAuthSiteType::Cn,
                Some(v) => v.as_str().and_then(OAuthSiteType::parse).ok_or_else(|| {
                    invalid("Invalid OAuth site type, support CN or INTL".to_string())
                })?,
            };
            let mut b = OAuthProvider::builder()
                .site_type(site)
                .access_token_expire(int("oauth_access_token_expire"));
            if let Some(v) = s("oauth_access_token") {
                b = b.access_token(v);
            }
            if let Some(v) = s("oauth_refresh_token") {
                b = b.refresh_token(v);
            }
            if let (Some(id), Some(secret), Some(token)) =
                (s("access_key_id"), s("access_key_secret"), s("sts_token"))
            {
                b = b.sts(id, secret, token, int("sts_expiration"));
            }
            let (rctx, rpath, rname) = (ctx.clone(), path.to_path_buf(), name.to_string());
            b = b.reload_tokens(Arc::new(move || persisted_oauth_tokens(&rctx, &rpath, &rname)));
            let (wctx, wpath, wname) = (ctx.clone(), path.to_path_buf(), name.to_string());
            b = b.on_update(Arc::new(move |u: &OAuthUpdate| {
                let mut fields = vec![
                    ("oauth_refresh_token", u.refresh_token.clone().map(Value::from).unwrap_or(Value::Null)),
                    ("oauth_access_token", Value::from(u.access_token.clone())),
                    ("oauth_access_token_expire", Value::from(u.access_token_expire)),
                ];
                if let Some(c) = &u.credentials {
                    let exp = c.expiration().map(crate::time::unix_seconds).unwrap_or(0);
                    fields.extend([
                        ("access_key_id", Value::from(c.access_key_id())),
                        ("access_key_secret", Value::from(c.access_key_secret())),
                        ("sts_token", c.security_token().map(Value::from).unwrap_or(Value::Null)),
                        ("sts_expiration", Value::from(exp)),
                    ]);
                }
                write_back::update_or_warn(&wctx, &wpath, &wname, "OAuth", fields);
            }));
            SharedProvider::new(b.build(ctx).map_err(|e| e.with_file(path))?)
        }
        "External" => {
            external_disabled()?;
            let (wctx, wpath, wname) = (ctx.clone(), path.to_path_buf(), name.to_string());
            let b = ExternalProvider::builder()
                .process_command(p.get("process_command").and_then(Value::as_str).unwrap_or_default())
                .profile(format!("'{name}' in {}", path.display()))
                .on_refresh(Arc::new(move |c| {
                    let exp = c.expiration().map(crate::time::unix_seconds).unwrap_or(0);
                    write_back::update_or_warn(
                        &wctx,
                        &wpath,
                        &wname,
                        "External",
                        vec![
                            ("access_key_id", Value::from(c.access_key_id())),
                            ("access_key_secret", Value::from(c.access_key_secret())),
                            ("sts_token", c.security_token().map(Value::from).unwrap_or(Value::Null)),
                            ("sts_expiration", Value::from(exp)),
                        ],
                    );
                }));
            SharedProvider::new(b.build(ctx).map_err(|e| e.with_file(path))?)
        }
        "CredentialsURI" => {
            external_disabled()?;
            let uri = need("credentials_uri")?;
            SharedProvider::new(CredentialsUriProvider::builder().uri(uri).build(ctx))
        }
        _ => {
            return Err(invalid(format!(
                "unsupported profile mode '{}' form cli credentials file.",
                mode_value.unwrap_or("None")
            ))
            .with_hint(
                "supported: AK, StsToken, RamRoleArn, RamRoleArnWithRoleName, EcsRamRole, OIDC, ChainableRamRoleArn, CloudSSO, OAuth, External, CredentialsURI, BearerToken",
            ))
        }
    };
    visiting.remove(name);
    Ok(provider)
}

/// The OAuth tokens profile `name` holds in `path` now (another process may have refreshed
/// them since this provider was built); `None` when the file or the tokens cannot be read.
fn persisted_oauth_tokens(ctx: &Context, path: &Path, name: &str) -> Option<OAuthUpdate> {
    let bytes = ctx.fs().read(path, MAX_FILE_SIZE).ok()?;
    let root: Value = serde_json::from_slice(&bytes).ok()?;
    let profile = root
        .get("profiles")?
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))?;
    let s = |k: &str| profile.get(k).and_then(Value::as_str).map(str::to_string);
    let expire = match profile.get("oauth_access_token_expire") {
        Some(Value::Number(n)) => n.as_i64()?,
        Some(Value::String(t)) => t.trim().parse().ok()?,
        _ => return None,
    };
    Some(OAuthUpdate {
        refresh_token: s("oauth_refresh_token"),
        access_token: s("oauth_access_token")?,
        access_token_expire: expire,
        credentials: None,
    })
}

impl fmt::Debug for CliProfileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CliProfileProvider")
            .field("path", &self.path)
            .field("profile", &self.profile)
            .field(
                "inner",
                &self
                    .inner
                    .inner()
                    .as_ref()
                    .map(|p| p.name().to_string())
                    .map_err(|e| e.kind()),
            )
            .finish()
    }
}

impl ProvideCredentials for CliProfileProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        self.inner.provide(false)
    }
    fn name(&self) -> &str {
        NAME
    }
    fn force_refresh(&self) -> ProvideFuture<'_> {
        self.inner.provide(true)
    }
}
