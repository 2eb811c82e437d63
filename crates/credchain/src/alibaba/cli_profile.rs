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

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::env_vars;
use super::settings::shared;
use super::sts::StsEndpoint;
use super::write_back::{self, Fields};
use super::{
    BearerTokenProvider, CloudSsoProvider, CredentialsUriProvider, EcsRamRoleProvider,
    ExternalProvider, OAuthProvider, OidcRoleArnProvider, RamRoleArnProvider,
    StaticAccessKeyProvider, StaticStsProvider,
};
use crate::context::{Context, MAX_FILE_SIZE};
use crate::credentials::Credentials;
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
    /// Reads the file and builds the selected profile's provider now. A missing or broken
    /// file does not fail the build: the provider answers why (so a chain lists it).
    pub fn build(self, ctx: &Context) -> Result<CliProfileProvider> {
        let lenient = self.missing_is_not_configured;
        let (inner, path, profile) = match load(ctx, self.path, self.profile, lenient) {
            Ok((p, path, profile)) => (Ok(p), Some(path), Some(profile)),
            Err(e) => (Err(e), None, None),
        };
        Ok(CliProfileProvider {
            inner: crate::provider::Delegate::new(NAME, inner),
            path,
            profile,
        })
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

/// Reads the file, picks the profile and builds its source.
fn load(
    ctx: &Context,
    path: Option<PathBuf>,
    explicit: Option<String>,
    missing_is_not_configured: bool,
) -> Result<(SharedProvider, PathBuf, String)> {
    check_switches(ctx)?;
    let (path, bytes) = read_file(ctx, path)?;
    let root = parse_root(&path, &bytes)?;
    let profiles = profiles_of(&root, &path)?;
    let (name, origin) = choose_profile(ctx, &root, &profiles, explicit, &path)?;
    let lenient = origin == Origin::Env || missing_is_not_configured;
    if profiles.is_empty() && (origin != Origin::Explicit || missing_is_not_configured) {
        return Err(Error::not_configured(format!(
            "{} (no any configured profiles in '{}')",
            unknown_profile_message(&name),
            crate::redact::path(&path)
        ))
        .with_provider(NAME)
        .with_file(&path));
    }
    let file = CliFile {
        ctx,
        path: &path,
        text: &bytes,
        profiles,
        visiting: RefCell::default(),
    };
    if file.find(&name).is_none() {
        let e = file.unknown_profile_with_list(&name);
        return Err(if lenient {
            e.with_kind(ErrorKind::NotConfigured)
        } else {
            e
        });
    }
    let provider = file.build(&name)?;
    Ok((provider, path, name))
}

/// `ALIBABA_CLOUD_CLI_PROFILE_DISABLED` and `ALIBABA_CLOUD_IGNORE_PROFILE`: "not configured".
fn check_switches(ctx: &Context) -> Result<()> {
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
    Ok(())
}

/// The file (explicit, else `ALIBABA_CLOUD_CONFIG_FILE`, else `~/.aliyun/config.json`) and its
/// bytes. Only the home-directory file may be missing ("not configured").
fn read_file(ctx: &Context, path: Option<PathBuf>) -> Result<(PathBuf, Vec<u8>)> {
    let env_path = match path {
        Some(_) => None,
        None => ctx
            .env_non_empty(env_vars::CONFIG_FILE)
            .map_err(|e| e.with_provider(NAME))?
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
    let message = format!(
        "unable to open credentials file: {}",
        crate::redact::path(&path)
    );
    match ctx.fs().read(&path, MAX_FILE_SIZE) {
        Ok(b) => Ok((path, b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !from_env => {
            Err(Error::not_configured(message).with_provider(NAME))
        }
        Err(e) => Err(Error::new(ErrorKind::File, message)
            .with_provider(NAME)
            .with_file(&path)
            .with_source(e)),
    }
}

/// The file's top-level object.
fn parse_root(path: &Path, bytes: &[u8]) -> Result<Map<String, Value>> {
    let broken = |detail: &str| {
        Error::new(
            ErrorKind::File,
            format!(
                "failed to parse credential form cli credentials file: {}{detail}",
                crate::redact::path(path)
            ),
        )
        .with_provider(NAME)
        .with_file(path)
    };
    let root: Value = serde_json::from_slice(bytes).map_err(|e| {
        broken("")
            .with_line(e.line())
            .with_hint("the file is not valid JSON")
    })?;
    match root {
        Value::Object(obj) => Ok(obj),
        _ => Err(broken(" (not a JSON object)")),
    }
}

/// The `"profiles"` list (none: empty); anything else than a list is a broken file.
fn profiles_of<'a>(root: &'a Map<String, Value>, path: &Path) -> Result<Vec<&'a Value>> {
    match root.get("profiles") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a.iter().collect()),
        // `"profiles": {}` is a broken file, not an empty one.
        Some(p) => Err(Error::new(
            ErrorKind::File,
            format!(
                "\"profiles\" in the cli credentials file is {}, not a list of profiles",
                json_type_name(p)
            ),
        )
        .with_provider(NAME)
        .with_file(path)
        .with_hint("make \"profiles\" a list: \"profiles\": [{\"name\": \"default\", \"mode\": \"AK\", ...}]")),
    }
}

/// The profile to use and where its name came from: explicit, `ALIBABA_CLOUD_PROFILE`, `current`.
fn choose_profile(
    ctx: &Context,
    root: &Map<String, Value>,
    profiles: &[&Value],
    explicit: Option<String>,
    path: &Path,
) -> Result<(String, Origin)> {
    if let Some(n) = explicit.filter(|n| !n.is_empty()) {
        return Ok((n, Origin::Explicit));
    }
    if let Some(n) = ctx
        .env_non_empty(env_vars::PROFILE)
        .map_err(|e| e.with_provider(NAME))?
    {
        return Ok((n, Origin::Env));
    }
    if let Some(n) = root
        .get("current")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    {
        return Ok((n.to_string(), Origin::Current));
    }
    if profiles.is_empty() {
        return Err(Error::not_configured(format!(
            "invalid profile name: no any configured profiles in '{}'",
            crate::redact::path(path)
        ))
        .with_provider(NAME)
        .with_file(path));
    }
    Err(Error::invalid_config("invalid profile name")
        .with_provider(NAME)
        .with_file(path)
        .with_hint(format!(
            "set \"current\" in the file or {}",
            env_vars::PROFILE
        )))
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

/// Builds the source of one mode from a profile (each source's own `from_cli_profile`).
type FromProfile = fn(&CliProfile<'_>) -> Result<SharedProvider>;

/// The supported modes and their sources.
const MODES: [(&str, FromProfile); 12] = [
    ("AK", |p| {
        shared(StaticAccessKeyProvider::from_cli_profile(p))
    }),
    ("StsToken", |p| {
        shared(StaticStsProvider::from_cli_profile(p))
    }),
    ("RamRoleArn", |p| {
        shared(RamRoleArnProvider::from_cli_profile(p, None))
    }),
    // aliyun-cli (deprecated there for ChainableRamRoleArn): the ECS instance role
    // `ram_role_name` is the source of an AssumeRole of `ram_role_arn`.
    ("RamRoleArnWithRoleName", |p| {
        let ecs = SharedProvider::new(EcsRamRoleProvider::from_cli_profile(p)?);
        shared(RamRoleArnProvider::from_cli_profile(p, Some(ecs)))
    }),
    ("EcsRamRole", |p| {
        shared(EcsRamRoleProvider::from_cli_profile(p))
    }),
    ("OIDC", |p| shared(OidcRoleArnProvider::from_cli_profile(p))),
    ("ChainableRamRoleArn", |p| {
        let source = p.source_profile()?;
        shared(RamRoleArnProvider::from_cli_profile(p, Some(source)))
    }),
    ("CloudSSO", |p| {
        shared(CloudSsoProvider::from_cli_profile(p))
    }),
    ("OAuth", |p| shared(OAuthProvider::from_cli_profile(p))),
    ("External", |p| {
        shared(ExternalProvider::from_cli_profile(p))
    }),
    ("CredentialsURI", |p| {
        shared(CredentialsUriProvider::from_cli_profile(p))
    }),
    ("BearerToken", |p| {
        shared(BearerTokenProvider::from_cli_profile(p))
    }),
];

/// The parsed file while its profiles are turned into sources.
struct CliFile<'a> {
    ctx: &'a Context,
    path: &'a Path,
    text: &'a [u8],
    profiles: Vec<&'a Value>,
    /// The profiles being built, outermost first (`source_profile` cycles).
    visiting: RefCell<HashSet<String>>,
}

impl<'a> CliFile<'a> {
    fn find(&self, name: &str) -> Option<&'a Value> {
        self.profiles
            .iter()
            .copied()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
    }

    /// The reference's "unable to get profile" plus, as a hint, the profiles the file has.
    fn unknown_profile_with_list(&self, name: &str) -> Error {
        let names: Vec<String> = self
            .profiles
            .iter()
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .map(|n| format!("'{n}'"))
            .collect();
        unknown_profile(name, self.path).with_hint(format!(
            "the file has the profiles {}; pick one of them (--profile, {} or \"current\")",
            names.join(", "),
            env_vars::PROFILE
        ))
    }

    /// The source of profile `name`, by its mode.
    fn build(&self, name: &str) -> Result<SharedProvider> {
        let Some(keys) = self.find(name) else {
            return Err(unknown_profile(name, self.path));
        };
        check_string_fields(keys, name, self.path, self.text)?;
        if !self.visiting.borrow_mut().insert(name.to_string()) {
            return Err(Error::invalid_config(format!(
                "source_profile cycle through profile '{name}'"
            ))
            .with_provider(NAME)
            .with_file(self.path));
        }
        let profile = CliProfile {
            file: self,
            name,
            keys,
        };
        let mode = keys.get("mode").and_then(Value::as_str);
        let Some((_, from_profile)) = MODES.iter().find(|(m, _)| Some(*m) == mode) else {
            let names: Vec<&str> = MODES.iter().map(|(m, _)| *m).collect();
            return Err(profile
                .invalid(format!(
                    "unsupported profile mode '{}' form cli credentials file.",
                    mode.unwrap_or("None")
                ))
                .with_hint(format!("supported: {}", names.join(", "))));
        };
        let provider = from_profile(&profile)?;
        self.visiting.borrow_mut().remove(name);
        Ok(provider)
    }
}

/// One profile of `config.json`, as a source reads its settings from it (`from_cli_profile`).
pub(crate) struct CliProfile<'a> {
    file: &'a CliFile<'a>,
    name: &'a str,
    keys: &'a Value,
}

impl CliProfile<'_> {
    /// The context the source is built with.
    pub(crate) fn ctx(&self) -> &Context {
        self.file.ctx
    }
    /// The profile's name.
    pub(crate) fn name(&self) -> &str {
        self.name
    }
    /// The file it is in.
    pub(crate) fn path(&self) -> &Path {
        self.file.path
    }
    /// A key's raw value.
    pub(crate) fn value(&self, key: &str) -> Option<&Value> {
        self.keys.get(key)
    }
    /// A key's string value, when present and not empty.
    pub(crate) fn string(&self, key: &str) -> Option<String> {
        self.value(key)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }
    /// A key's integer value (a number or a numeric string), else 0.
    pub(crate) fn int(&self, key: &str) -> i64 {
        match self.value(key) {
            Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
            Some(Value::String(t)) => t.trim().parse().unwrap_or(0),
            _ => 0,
        }
    }
    /// A required string key.
    pub(crate) fn need(&self, key: &str) -> Result<String> {
        self.string(key).ok_or_else(|| {
            self.invalid(format!(
                "profile '{}' (mode {}) needs a non-empty {key}",
                self.name,
                self.mode()
            ))
        })
    }
    /// `expired_seconds`: absent, null or 0 is unset (aliyun-cli writes 0 for "unset").
    pub(crate) fn expired_seconds(&self) -> Option<u64> {
        self.value("expired_seconds")
            .and_then(Value::as_u64)
            .filter(|d| *d > 0)
    }
    /// The STS endpoint options of a role profile: `sts_endpoint`, `sts_region`, `enable_vpc`,
    /// and aliyun-cli's `endpoint_type: vpc` (which credchain applies to STS too).
    pub(crate) fn sts_endpoint(&self) -> StsEndpoint {
        let vpc_type = self
            .string("endpoint_type")
            .map(|t| t.eq_ignore_ascii_case("vpc"));
        StsEndpoint {
            sts_endpoint: self.string("sts_endpoint"),
            sts_region_id: self.string("sts_region"),
            enable_vpc: self
                .value("enable_vpc")
                .and_then(Value::as_bool)
                .or(vpc_type.filter(|v| *v)),
        }
    }
    /// An environment variable a profile falls back to (unreadable: an error).
    pub(crate) fn env(&self, var: &str) -> Result<Option<String>> {
        self.ctx()
            .env_non_empty(var)
            .map_err(|e| e.with_provider(NAME))
    }
    /// A broken profile: the message, this source and the file.
    pub(crate) fn invalid(&self, message: String) -> Error {
        Error::invalid_config(message)
            .with_provider(NAME)
            .with_file(self.path())
    }
    /// A source's build error, located in this file.
    pub(crate) fn at_file(&self, e: Error) -> Error {
        e.with_file(self.path())
    }
    /// Refuses the profile when `ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS` is true (`External`,
    /// `CredentialsURI`: the profile asks for something the user forbade).
    pub(crate) fn allow_external_process(&self) -> Result<()> {
        let var = env_vars::DISABLE_EXTERNAL_PROCESS;
        if !self
            .ctx()
            .env_flag(var)
            .map_err(|e| e.with_provider(NAME))?
        {
            return Ok(());
        }
        Err(self
            .invalid(format!(
                "profile '{}' (mode {}) is refused: external credential sources are disabled \
                 by {var}",
                self.name,
                self.mode()
            ))
            .with_hint(format!("unset {var} or select another profile")))
    }
    /// The source of this profile's `source_profile` (ChainableRamRoleArn).
    pub(crate) fn source_profile(&self) -> Result<SharedProvider> {
        let Some(source) = self.string("source_profile") else {
            return Err(self.invalid(format!(
                "invalid profile name: profile '{}' (mode ChainableRamRoleArn) needs a \
                 source_profile",
                self.name
            )));
        };
        self.file.build(&source).map_err(|e| {
            if e.message().starts_with("unable to get profile") {
                self.invalid(format!("get source profile failed: {}", e.message()))
            } else {
                e
            }
        })
    }
    /// Writes `fields` back into this profile (or the profile of this mode it chains to),
    /// logging a failure; for callbacks that outlive the build.
    pub(crate) fn write_back(&self, mode: &'static str) -> impl Fn(Fields) + Send + Sync + 'static {
        let (ctx, path, name) = (
            self.ctx().clone(),
            self.path().to_path_buf(),
            self.name.to_string(),
        );
        move |fields| write_back::update_or_warn(&ctx, &path, &name, mode, fields)
    }
    /// Reads this profile from the file again (another process may have changed it); `None`
    /// when the file or the profile cannot be read.
    pub(crate) fn reread(&self) -> impl Fn() -> Option<Value> + Send + Sync + 'static {
        let (ctx, path, name) = (
            self.ctx().clone(),
            self.path().to_path_buf(),
            self.name.to_string(),
        );
        move || {
            let bytes = ctx.fs().read(&path, MAX_FILE_SIZE).ok()?;
            let root: Value = serde_json::from_slice(&bytes).ok()?;
            root.get("profiles")?
                .as_array()?
                .iter()
                .find(|p| p.get("name").and_then(Value::as_str) == Some(name.as_str()))
                .cloned()
        }
    }

    fn mode(&self) -> &str {
        self.value("mode")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// The keys an STS credential is written back under (`External`, `OAuth`).
pub(crate) fn sts_fields(c: &Credentials) -> Fields {
    let expiration = c.expiration().map(crate::time::unix_seconds).unwrap_or(0);
    vec![
        ("access_key_id", Value::from(c.access_key_id())),
        ("access_key_secret", Value::from(c.access_key_secret())),
        (
            "sts_token",
            c.security_token().map(Value::from).unwrap_or(Value::Null),
        ),
        ("sts_expiration", Value::from(expiration)),
    ]
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
