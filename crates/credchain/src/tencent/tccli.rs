//! tccli's own files (`tccli`, `docs/sources/tencent.md#tccli-files`).
//!
//! Facts from tccli 3.1.189.1 (`tccli/action_caller.py`, `configure.py`, `oauth.py`, `sso.py`):
//!
//! - Profile: the builder's name, else `TCCLI_PROFILE`, else `default`. `credchain --profile NAME`
//!   ([`super::DefaultChainBuilder::profile`]) reaches `NAME.credential` when the SDK credentials
//!   file has no such profile.
//!   A name with a path separator or `..` is refused (it becomes part of a file name).
//! - `~/.tccli/<profile>.credential`, a JSON object: `secretId`, `secretKey`, optional `token`,
//!   `role-arn` + `role-session-name` (AssumeRole with the file's keys), and `type`:
//!   absent / `default` (keys or role), `cvm-role` (the CVM instance role; written by
//!   `tccli configure set use-cvm-role true`), `oauth` (`tccli auth login`) or `sso`
//!   (`tccli sso login`), the last two holding temporary keys until `expiresAt` (unix seconds).
//! - `~/.tccli/<profile>.configure`, a JSON object, read only for a role: `_sys_param.region`
//!   (the STS region) and `sts.endpoint` (the STS host).
//! - Without a profile named by the caller, tccli's environment settings apply as tccli applies
//!   them: `TENCENTCLOUD_ROLE_ARN` + `TENCENTCLOUD_ROLE_SESSION_NAME` replace the file's role and
//!   `TENCENTCLOUD_REGION` the configured region. (Environment keys are the `env` source's,
//!   which comes first in the default chain.)
//! - Not configured: no home directory, no `default.credential`, or a file whose credential
//!   fields are all absent or empty (nothing set up yet). A profile that was named (builder or
//!   `TCCLI_PROFILE`) and has no file is an error; so is anything malformed: JSON that does not
//!   parse (file and line), a field of the wrong type, `secretId` without `secretKey`, a role
//!   with only one of `role-arn` / `role-session-name` (tccli would silently use the keys instead:
//!   a different identity), an unknown `type`, an `oauth` / `sso` file without `expiresAt`.
//! - Differences from tccli, on purpose: credchain never calls tccli's login service
//!   (`cli.cloud.tencent.com`) to refresh `oauth` / `sso` keys; tccli refreshes the file on its
//!   next run from 5 minutes before expiry. Keys that have expired make credchain read the file
//!   again (tccli may have refreshed it) and, still expired, answer an `expired` error saying how
//!   to refresh. A role's source keys keep their `token` (tccli drops it, so temporary source
//!   keys fail there).
//! - Files are read when the provider is built, like the other file sources.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::{Map, Value};

use super::assume_role::{StsAssumeRoleProvider, StsAssumeRoleProviderBuilder};
use super::credential::Credential;
use super::cvm_role::{CvmRoleProvider, CvmRoleProviderBuilder};
use super::env_vars;
use crate::context::{Context, MAX_FILE_SIZE};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::provider::{ProvideCredentials, ProvideFuture, SharedProvider};

/// tccli's directory under the home directory.
pub const TCCLI_DIR: &str = ".tccli";
/// The profile tccli uses when none is named.
pub const TCCLI_DEFAULT_PROFILE: &str = "default";

/// What a `<profile>.credential` file configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TccliCredentialType {
    /// `type` absent or `default`: `secretId` / `secretKey` (+ `token`), or a role.
    Default,
    /// `cvm-role`: the CVM instance role.
    CvmRole,
    /// `oauth` (`tccli auth login`): temporary keys until `expiresAt`.
    OAuth,
    /// `sso` (`tccli sso login`): temporary keys until `expiresAt`.
    Sso,
}

/// A parsed `<profile>.credential` file. `Debug` shows no key secret or token.
#[derive(Clone, Default)]
pub struct TccliCredentialFile {
    /// `type` (`None`: the file holds no credential field at all, or all are empty).
    pub kind: Option<TccliCredentialType>,
    /// `secretId`.
    pub secret_id: Option<String>,
    /// `secretKey`.
    pub secret_key: Option<String>,
    /// `token`.
    pub token: Option<String>,
    /// `role-arn`.
    pub role_arn: Option<String>,
    /// `role-session-name`.
    pub role_session_name: Option<String>,
    /// `expiresAt` (unix seconds), for `oauth` and `sso`.
    pub expires_at: Option<i64>,
}

impl fmt::Debug for TccliCredentialFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TccliCredentialFile")
            .field("kind", &self.kind)
            .field("secret_id", &self.secret_id)
            .field("role_arn", &self.role_arn)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        let mut err = Error::new(
            ErrorKind::File,
            format!("not valid JSON ({})", json_error_class(&e)),
        );
        if e.line() > 0 {
            err = err.with_line(e.line());
        }
        err
    })?;
    match value {
        Value::Object(m) => Ok(m),
        other => Err(Error::new(
            ErrorKind::File,
            format!("not a JSON object (found {})", json_type(&other)),
        )),
    }
}

/// The error class only: serde_json's message can quote the input, which may be a secret.
fn json_error_class(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Eof => "unexpected end of file",
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string field: absent, `null` or `""` is `None`; any other type is an error naming the key.
fn string_field(m: &Map<String, Value>, key: &str) -> Result<Option<String>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(Error::invalid_config(format!(
            "\"{key}\" must be a string, found {}",
            json_type(other)
        ))),
    }
}

/// Parses a `<profile>.credential` file (no file name in errors; the provider adds it).
///
/// ```
/// use credchain::tencent::{parse_tccli_credential, TccliCredentialType};
/// let f = parse_tccli_credential(br#"{"secretId": "AKIDx", "secretKey": "k", "token": null}"#).unwrap();
/// assert_eq!((f.kind, f.secret_id.as_deref()), (Some(TccliCredentialType::Default), Some("AKIDx")));
/// let e = parse_tccli_credential(br#"{"secretId": 1}"#).unwrap_err();
/// assert!(e.message().contains("\"secretId\" must be a string"));
/// ```
pub fn parse_tccli_credential(bytes: &[u8]) -> Result<TccliCredentialFile> {
    let m = parse_object(bytes)?;
    let f = TccliCredentialFile {
        kind: None,
        secret_id: string_field(&m, "secretId")?,
        secret_key: string_field(&m, "secretKey")?,
        token: string_field(&m, "token")?,
        role_arn: string_field(&m, "role-arn")?,
        role_session_name: string_field(&m, "role-session-name")?,
        expires_at: match m.get("expiresAt") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => Some(
                n.as_i64()
                    .or_else(|| n.as_f64().map(|f| f as i64))
                    .ok_or_else(|| {
                        Error::invalid_config("\"expiresAt\" is not a unix time in seconds")
                    })?,
            ),
            Some(other) => {
                return Err(Error::invalid_config(format!(
                    "\"expiresAt\" must be a number (unix seconds), found {}",
                    json_type(other)
                )))
            }
        },
    };
    let kind = match string_field(&m, "type")?.as_deref() {
        None | Some("default") => TccliCredentialType::Default,
        Some("cvm-role") => TccliCredentialType::CvmRole,
        Some("oauth") => TccliCredentialType::OAuth,
        Some("sso") => TccliCredentialType::Sso,
        Some(other) => {
            return Err(Error::invalid_config(format!(
                "unsupported \"type\" {other:?} (known: default, cvm-role, oauth, sso)"
            )))
        }
    };
    let typed = m.get("type").is_some_and(|t| !t.is_null() && t != "");
    let any = typed
        || f.secret_id.is_some()
        || f.secret_key.is_some()
        || f.token.is_some()
        || f.role_arn.is_some()
        || f.role_session_name.is_some();
    Ok(TccliCredentialFile {
        kind: any.then_some(kind),
        ..f
    })
}

/// The region and STS host of a `<profile>.configure` file.
fn parse_configure(bytes: &[u8]) -> Result<(Option<String>, Option<String>)> {
    let m = parse_object(bytes)?;
    let section = |name: &str| -> Result<Option<Map<String, Value>>> {
        match m.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o.clone())),
            Some(other) => Err(Error::invalid_config(format!(
                "\"{name}\" must be an object, found {}",
                json_type(other)
            ))),
        }
    };
    let region = match section("_sys_param")? {
        Some(s) => string_field(&s, "region")?,
        None => None,
    };
    let sts = match section("sts")? {
        Some(s) => string_field(&s, "endpoint")?,
        None => None,
    };
    Ok((region, sts))
}

/// Builds a [`TccliProvider`].
#[derive(Debug, Default, Clone)]
pub struct TccliProviderBuilder {
    profile: Option<String>,
    sts_endpoint: Option<String>,
    metadata_endpoint: Option<String>,
    role_name: Option<String>,
}

impl TccliProviderBuilder {
    /// The profile (default `TCCLI_PROFILE`, else `default`). A named profile must exist, and
    /// tccli's environment role settings do not apply to it (as in tccli with `--profile`).
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }
    /// The STS endpoint for role profiles (default: `TENCENTCLOUD_STS_ENDPOINT`, else the
    /// `.configure` file's `sts.endpoint`, else `sts.tencentcloudapi.com`).
    pub fn sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.sts_endpoint = Some(endpoint.into());
        self
    }
    /// The CVM metadata base URL for `cvm-role` profiles.
    pub fn metadata_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.metadata_endpoint = Some(endpoint.into());
        self
    }
    /// The CVM role name for `cvm-role` profiles (default: discovered).
    pub fn role_name(mut self, role: impl Into<String>) -> Self {
        self.role_name = Some(role.into());
        self
    }

    /// Reads the files now and builds the provider. Never fails today: errors of the files are
    /// kept and answered by `provide_credentials`, so a chain can skip a source that is not
    /// configured.
    pub fn build(self, ctx: &Context) -> Result<TccliProvider> {
        Ok(self.assemble(ctx))
    }

    fn assemble(self, ctx: &Context) -> TccliProvider {
        let outcome = load(&self, ctx).map_err(|e| e.with_provider(TccliProvider::NAME));
        TccliProvider {
            outcome,
            ctx: ctx.clone(),
        }
    }
}

enum Loaded {
    Static(Credentials),
    /// `oauth` / `sso` keys, valid until their expiry; re-read from the file once expired.
    Expiring(Credentials, TccliCredentialType),
    Inner(SharedProvider),
}

struct Found {
    path: PathBuf,
    profile: String,
    loaded: Loaded,
}

fn select_profile(b: &TccliProviderBuilder, ctx: &Context) -> Result<(String, bool, bool)> {
    let (profile, named, by_caller) = match b.profile.clone().filter(|p| !p.is_empty()) {
        Some(p) => (p, true, true),
        None => match ctx.env_non_empty(env_vars::TCCLI_PROFILE)? {
            Some(p) => (p, true, false),
            None => (TCCLI_DEFAULT_PROFILE.to_string(), false, false),
        },
    };
    if profile.contains(['/', '\\']) || profile == ".." || profile == "." {
        return Err(Error::invalid_config(format!(
            "the tccli profile name {profile:?} is not a plain name"
        ))
        .with_hint("name a profile without '/', '\\' or '..'"));
    }
    Ok((profile, named, by_caller))
}

/// Whether `~/.tccli/<profile>.credential` is there (a file that exists but cannot be read
/// counts: the source then reports why).
pub(crate) fn credential_file_exists(ctx: &Context, profile: &str) -> bool {
    let Some(home) = ctx.env().home_dir() else {
        return false;
    };
    let path = home.join(TCCLI_DIR).join(format!("{profile}.credential"));
    !matches!(ctx.fs().read(&path, MAX_FILE_SIZE), Err(e) if e.kind() == std::io::ErrorKind::NotFound)
}

fn read(ctx: &Context, path: &Path) -> Result<Option<Vec<u8>>> {
    match ctx.fs().read(path, MAX_FILE_SIZE) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::new(ErrorKind::File, "cannot read the tccli file")
            .with_source(e)
            .with_file(path)),
    }
}

fn load(b: &TccliProviderBuilder, ctx: &Context) -> Result<Found> {
    let (profile, named, by_caller) = select_profile(b, ctx)?;
    let Some(home) = ctx.env().home_dir() else {
        return Err(Error::not_configured(
            "no home directory (HOME) to find ~/.tccli in",
        ));
    };
    let dir = home.join(TCCLI_DIR);
    let path = dir.join(format!("{profile}.credential"));
    let Some(bytes) = read(ctx, &path)? else {
        let msg = format!("no tccli credential file ({})", crate::redact::path(&path));
        if named {
            let how = if by_caller {
                "the profile was asked for".to_string()
            } else {
                format!("{} names it", env_vars::TCCLI_PROFILE)
            };
            return Err(
                Error::invalid_config(format!("{msg}; {how}")).with_hint(format!(
                    "run `tccli configure --profile {profile}`, or select another profile"
                )),
            );
        }
        return Err(Error::not_configured(msg)
            .with_hint("run `tccli configure` or `tccli auth login` to create it"));
    };
    let file = parse_tccli_credential(&bytes).map_err(|e| {
        e.with_file(&path)
            .with_hint("fix the file, or run `tccli configure` to rewrite it")
    })?;
    let loaded = build_loaded(file, &profile, by_caller, &path, &dir, b, ctx).map_err(|e| {
        if e.file().is_none() {
            e.with_file(&path)
        } else {
            e
        }
    })?;
    Ok(Found {
        path,
        profile,
        loaded,
    })
}

fn build_loaded(
    file: TccliCredentialFile,
    profile: &str,
    by_caller: bool,
    path: &Path,
    dir: &Path,
    b: &TccliProviderBuilder,
    ctx: &Context,
) -> Result<Loaded> {
    let Some(kind) = file.kind else {
        return Err(Error::not_configured(
            "the tccli credential file holds no credentials",
        ));
    };
    match kind {
        TccliCredentialType::CvmRole => {
            Ok(Loaded::Inner(SharedProvider::new(b.cvm_role().build(ctx)?)))
        }
        TccliCredentialType::OAuth | TccliCredentialType::Sso => expiring(&file, kind, profile),
        TccliCredentialType::Default => match role_of(&file, by_caller, ctx)? {
            None => Ok(Loaded::Static(
                file_keys(&file, profile)?.credentials().clone(),
            )),
            Some(role) => {
                let sts = role.builder(&file, profile, dir, b, ctx)?;
                let provider = sts.build(ctx).map_err(|e| e.with_file(path))?;
                Ok(Loaded::Inner(SharedProvider::new(provider)))
            }
        },
    }
}

impl TccliProviderBuilder {
    /// The CVM role source of a `cvm-role` profile.
    fn cvm_role(&self) -> CvmRoleProviderBuilder {
        let mut cvm = CvmRoleProvider::builder();
        if let Some(r) = &self.role_name {
            cvm = cvm.role_name(r.clone());
        }
        if let Some(e) = &self.metadata_endpoint {
            cvm = cvm.endpoint(e.clone());
        }
        cvm
    }
}

/// The file's `secretId`, `secretKey` and `token`.
fn file_keys(file: &TccliCredentialFile, profile: &str) -> Result<Credential> {
    if file.secret_id.is_none() || file.secret_key.is_none() {
        let missing: Vec<&str> = [
            ("secretId", &file.secret_id),
            ("secretKey", &file.secret_key),
        ]
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
        return Err(Error::invalid_config(format!(
            "the tccli credential file has no {}",
            missing.join(" or ")
        ))
        .with_hint(format!("run `tccli configure --profile {profile}`")));
    }
    Credential::with_name(
        file.secret_id.clone(),
        file.secret_key.clone(),
        file.token.clone(),
        TccliProvider::NAME,
    )
    .map_err(|e| e.with_hint("remove the spaces around the value in the file"))
}

/// `oauth` / `sso` keys, valid until the file's `expiresAt`.
fn expiring(
    file: &TccliCredentialFile,
    kind: TccliCredentialType,
    profile: &str,
) -> Result<Loaded> {
    let Some(at) = file.expires_at else {
        return Err(Error::invalid_config(format!(
            "the tccli {} credential has no \"expiresAt\"",
            kind_name(kind)
        ))
        .with_hint(login_hint(kind, profile)));
    };
    let c = file_keys(file, profile)?.credentials().clone();
    let c = Credentials::builder(c.secret_id(), c.secret_key())
        .security_token_opt(c.token())
        .expiration(crate::time::from_unix_seconds(at))
        .provider_name(TccliProvider::NAME)
        .build();
    Ok(Loaded::Expiring(c, kind))
}

/// The role a `default` profile assumes with its keys, as tccli decides it.
struct Role {
    arn: String,
    session: String,
    /// `TENCENTCLOUD_REGION`, when the role came from the environment.
    env_region: Option<String>,
}

/// The role of a `default` profile: the file's `role-arn` and `role-session-name`, replaced by
/// `TENCENTCLOUD_ROLE_ARN` and `TENCENTCLOUD_ROLE_SESSION_NAME` when both are set (and the
/// profile was not named by the caller); `None` when there is no role.
fn role_of(file: &TccliCredentialFile, by_caller: bool, ctx: &Context) -> Result<Option<Role>> {
    let (mut role_arn, mut session) = (file.role_arn.clone(), file.role_session_name.clone());
    let mut env_region = None;
    // In web-identity mode TENCENTCLOUD_ROLE_ARN/_REGION are reqsign's OIDC aliases, not tccli's.
    if !by_caller && !super::tke_oidc::web_identity_active(ctx)? {
        let arn = ctx.env_non_empty(env_vars::ROLE_ARN)?;
        let name = ctx.env_non_empty(env_vars::ROLE_SESSION_NAME)?;
        // tccli: both or neither (one alone is ignored there; the env source reports it).
        if let (Some(a), Some(n)) = (arn, name) {
            (role_arn, session) = (Some(a), Some(n));
        }
        env_region = ctx.env_non_empty(env_vars::REGION)?;
    }
    match (role_arn, session) {
        (None, None) => Ok(None),
        (Some(arn), Some(session)) => Ok(Some(Role {
            arn,
            session,
            env_region,
        })),
        (a, _) => {
            let (has, lacks) = if a.is_some() {
                ("role-arn", "role-session-name")
            } else {
                ("role-session-name", "role-arn")
            };
            Err(Error::invalid_config(format!(
                "the tccli credential file has {has} but no {lacks} (tccli would ignore the role \
                 and act as the keys' own identity)"
            ))
            .with_hint(format!("set {lacks} too, or remove {has}")))
        }
    }
}

impl Role {
    /// The AssumeRole builder: the file's keys sign; the region from the environment, else the
    /// `.configure` file; the endpoint given to the builder, else `TENCENTCLOUD_STS_ENDPOINT`
    /// (the STS builder reads it), else the `.configure` file's.
    fn builder(
        self,
        file: &TccliCredentialFile,
        profile: &str,
        dir: &Path,
        b: &TccliProviderBuilder,
        ctx: &Context,
    ) -> Result<StsAssumeRoleProviderBuilder> {
        let conf_path = dir.join(format!("{profile}.configure"));
        let (conf_region, conf_sts) = match read(ctx, &conf_path)? {
            Some(bytes) => parse_configure(&bytes).map_err(|e| e.with_file(&conf_path))?,
            None => (None, None),
        };
        let mut sts = StsAssumeRoleProvider::builder()
            .source(SharedProvider::new(file_keys(file, profile)?))
            .role_arn(self.arn)
            .role_session_name(self.session);
        if let Some(r) = self.env_region.or(conf_region) {
            sts = sts.region(r);
        }
        if let Some(e) = &b.sts_endpoint {
            sts = sts.endpoint(e.clone());
        } else if ctx.env_non_empty(env_vars::STS_ENDPOINT)?.is_none() {
            if let Some(e) = conf_sts {
                sts = sts.endpoint(e);
            }
        }
        Ok(sts)
    }
}

fn kind_name(kind: TccliCredentialType) -> &'static str {
    match kind {
        TccliCredentialType::OAuth => "oauth",
        TccliCredentialType::Sso => "sso",
        TccliCredentialType::CvmRole => "cvm-role",
        TccliCredentialType::Default => "default",
    }
}

fn login_hint(kind: TccliCredentialType, profile: &str) -> String {
    let login = if kind == TccliCredentialType::Sso {
        "tccli sso login"
    } else {
        "tccli auth login"
    };
    format!(
        "run any tccli command with --profile {profile} (tccli refreshes the keys), or `{login} \
         --profile {profile}`"
    )
}

/// Credentials from tccli's `~/.tccli/<profile>.credential`.
///
/// ```
/// use credchain::tencent::TccliProvider;
/// use credchain::context::{Context, MemoryEnv, MemoryFs};
/// use credchain::ProvideCredentials;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let ctx = Context::empty()
///     .with_env(MemoryEnv::from_pairs([("HOME", "/home/me")]))
///     .with_fs(MemoryFs::new().with_file(
///         "/home/me/.tccli/default.credential",
///         r#"{"secretId": "AKIDexample", "secretKey": "key"}"#,
///     ));
/// let c = TccliProvider::from_context(&ctx).provide_credentials().await.unwrap();
/// assert_eq!((c.secret_id(), c.provider_name()), ("AKIDexample", "tccli"));
/// # });
/// ```
pub struct TccliProvider {
    outcome: Result<Found>,
    ctx: Context,
}

impl TccliProvider {
    /// The provider name.
    pub const NAME: &'static str = "tccli";

    /// A builder.
    pub fn builder() -> TccliProviderBuilder {
        TccliProviderBuilder::default()
    }
    /// Defaults from the context's environment.
    pub fn from_context(ctx: &Context) -> Self {
        Self::builder().assemble(ctx)
    }
    /// The credential file read, when it was loaded.
    pub fn path(&self) -> Option<&Path> {
        self.outcome.as_ref().ok().map(|f| f.path.as_path())
    }
    /// The profile used, when the file was loaded.
    pub fn profile(&self) -> Option<&str> {
        self.outcome.as_ref().ok().map(|f| f.profile.as_str())
    }

    fn provide(&self, force: bool) -> ProvideFuture<'_> {
        match &self.outcome {
            Err(e) => ProvideFuture::ready(Err(e.clone())),
            Ok(found) => match &found.loaded {
                Loaded::Static(c) => ProvideFuture::ready(Ok(c.clone())),
                Loaded::Expiring(c, kind) => {
                    ProvideFuture::ready(self.unexpired(c, *kind, &found.path, &found.profile))
                }
                Loaded::Inner(p) => {
                    let fut = if force {
                        p.force_refresh()
                    } else {
                        p.provide_credentials()
                    };
                    let path = found.path.clone();
                    fut.map_result(move |r| {
                        r.map(|c| c.with_outer_provider(Self::NAME))
                            .map_err(|e| e.with_provider(Self::NAME).with_file(&path))
                    })
                }
            },
        }
    }

    /// `c` while it is valid; else the file as it is now (tccli may have refreshed it).
    fn unexpired(
        &self,
        c: &Credentials,
        kind: TccliCredentialType,
        path: &Path,
        profile: &str,
    ) -> Result<Credentials> {
        let now = self.ctx.now();
        if !c.is_expired_at(now) {
            return Ok(c.clone());
        }
        let reread = read(&self.ctx, path)?
            .map(|b| parse_tccli_credential(&b))
            .transpose()
            .map_err(|e| e.with_file(path).with_provider(Self::NAME))?;
        if let Some(f) = reread.filter(|f| f.kind == Some(kind)) {
            if let (Some(at), Some(id), Some(key)) = (f.expires_at, f.secret_id, f.secret_key) {
                let at = crate::time::from_unix_seconds(at);
                if at > now {
                    return Ok(Credentials::builder(id, key)
                        .security_token_opt(f.token)
                        .expiration(at)
                        .provider_name(Self::NAME)
                        .build());
                }
            }
        }
        let when = c.expiration().unwrap_or(SystemTime::UNIX_EPOCH);
        Err(Error::new(
            ErrorKind::Expired,
            format!(
                "the tccli {} keys expired at {}",
                kind_name(kind),
                crate::time::format_rfc3339(when)
            ),
        )
        .with_provider(Self::NAME)
        .with_file(path)
        .with_hint(login_hint(kind, profile)))
    }
}

impl fmt::Debug for TccliProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("tencent::TccliProvider");
        match &self.outcome {
            Ok(found) => {
                d.field("path", &found.path)
                    .field("profile", &found.profile);
                match &found.loaded {
                    Loaded::Static(c) | Loaded::Expiring(c, _) => {
                        d.field("secret_id", &c.secret_id())
                    }
                    Loaded::Inner(p) => d.field("source", p),
                };
            }
            Err(e) => {
                d.field("error", &e.message());
            }
        }
        d.finish()
    }
}

impl ProvideCredentials for TccliProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        self.provide(false)
    }
    fn name(&self) -> &str {
        Self::NAME
    }
    fn force_refresh(&self) -> ProvideFuture<'_> {
        self.provide(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{ManualClock, MemoryEnv, MemoryFs};
    use std::time::Duration;

    const FILE: &str = "/h/.tccli/default.credential";

    fn oauth(id: &str, expires_at: i64) -> String {
        format!(
            r#"{{"type": "oauth", "secretId": "{id}", "secretKey": "k", "token": "t",
                "expiresAt": {expires_at}, "oauth": {{"site": "cn"}}}}"#
        )
    }

    #[tokio::test]
    async fn expired_oauth_keys_are_read_again_from_the_file() {
        let start = crate::time::from_unix_seconds(1_000_000);
        let clock = ManualClock::new(start);
        let fs = MemoryFs::new().with_file(FILE, oauth("AKIDold", 1_000_100));
        let ctx = Context::empty()
            .with_env(MemoryEnv::from_pairs([("HOME", "/h")]))
            .with_fs(fs.clone())
            .with_clock(clock.clone());
        let p = TccliProvider::from_context(&ctx);
        assert_eq!(
            p.provide_credentials().await.unwrap().secret_id(),
            "AKIDold"
        );
        clock.advance(Duration::from_secs(200));
        let e = p.provide_credentials().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Expired);
        assert!(e.to_string().contains("tccli auth login"), "{e}");
        // tccli refreshed the file meanwhile: the new keys are used without rebuilding.
        fs.write(FILE, oauth("AKIDnew", 1_000_900));
        let c = p.provide_credentials().await.unwrap();
        assert_eq!((c.secret_id(), c.token()), ("AKIDnew", Some("t")));
        assert_eq!(
            c.expiration(),
            Some(crate::time::from_unix_seconds(1_000_900))
        );
    }

    #[tokio::test]
    async fn web_identity_mode_leaves_the_env_role_to_tke_oidc() {
        // tccli's env role would be assumed here (`tccli_env_role_with_file_keys`); with a web
        // identity token file variable set, TENCENTCLOUD_ROLE_ARN is reqsign's OIDC role instead.
        let ctx = Context::empty()
            .with_env(MemoryEnv::from_pairs([
                ("HOME", "/h"),
                ("TENCENTCLOUD_ROLE_ARN", "qcs::cam::uin/1:roleName/r"),
                ("TENCENTCLOUD_ROLE_SESSION_NAME", "s"),
                ("TENCENTCLOUD_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"),
                // Never reached; a closed loopback port in case the gate were broken.
                ("TENCENTCLOUD_STS_ENDPOINT", "http://127.0.0.1:9"),
            ]))
            .with_fs(
                MemoryFs::new().with_file(FILE, r#"{"secretId": "AKIDfile", "secretKey": "k"}"#),
            );
        let c = TccliProvider::from_context(&ctx)
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!((c.secret_id(), c.provider_name()), ("AKIDfile", "tccli"));
    }

    #[test]
    fn parser_rejects_wrong_types_and_keeps_secrets_out_of_errors() {
        let e = parse_tccli_credential(br#"{"secretKey": ["SECRETVALUE"]}"#).unwrap_err();
        assert!(e
            .message()
            .contains("\"secretKey\" must be a string, found an array"));
        assert!(!e.to_string().contains("SECRETVALUE"));
        let e = parse_tccli_credential(b"{\"secretKey\": \"SECRETVALUE\" x}").unwrap_err();
        assert_eq!((e.kind(), e.line()), (ErrorKind::File, Some(1)));
        assert!(!e.to_string().contains("SECRETVALUE"), "{e}");
        let e = parse_tccli_credential(br#"{"type": "oauth", "expiresAt": "soon"}"#).unwrap_err();
        assert!(e.message().contains("\"expiresAt\" must be a number"));
        let f = parse_tccli_credential(br#"{"type": "cvm-role"}"#).unwrap();
        assert_eq!(f.kind, Some(TccliCredentialType::CvmRole));
        let f = parse_tccli_credential(br#"{"secretId": "", "token": null}"#).unwrap();
        assert_eq!(f.kind, None);
        assert!(!format!(
            "{:?}",
            parse_tccli_credential(br#"{"secretId": "i", "secretKey": "SECRETVALUE"}"#).unwrap()
        )
        .contains("SECRETVALUE"));
    }
}
