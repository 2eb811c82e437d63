//! The Tencent Cloud credentials file (`profile`, `docs/sources/tencent.md#profile-file`).
//!
//! - File: the builder's path, else `TENCENTCLOUD_CREDENTIALS_FILE` (set but empty is an error, as
//!   in the Go SDK; set to a file that does not exist is an error too, since it was asked for), else
//!   `~/.tencentcloud/credentials` when it exists, else `/etc/tencentcloud/credentials` (the
//!   Python/Node order: the home file wins whenever it exists). Neither: not configured.
//! - Section: the builder's profile name, else `TENCENTCLOUD_PROFILE`, else `default` (named
//!   profiles are a credchain addition asked for in tencentcloud-sdk-python PR #169).
//! - Keys (case-insensitive): `secret_id`, `secret_key`, optional `token`; a profile with
//!   `role_arn` (+ optional `role_session_name`, `duration_seconds`, `region`, `external_id`,
//!   `policy`) assumes that role with the profile's keys through STS AssumeRole.
//! - Role sources (key names from tencentcloud-sdk-python PR #169, a proposal the SDK never
//!   merged): a `role_arn` section with `source_profile = NAME` signs its AssumeRole call with
//!   section `[NAME]`'s credentials — its keys, or the role that section itself assumes (chains
//!   of any length). `source_profile = cvm_role` (PR #169's reserved name) signs with the CVM
//!   instance role; aws-cli's `credential_source = cvm_role` (also `CvmRole`, `cvm-role`, any
//!   case) means the same. Errors (naming file, line and section): a cycle (`a -> b -> a`, the
//!   whole cycle is named), a source section that is not in the file, both `source_profile` and
//!   `credential_source`, a source without `role_arn`, and a source next to the section's own
//!   `secret_id`/`secret_key` (ambiguous), a chain through more than [`MAX_SOURCE_HOPS`] roles.
//! - A file without the `[default]` section is not configured (the Python SDK crashes); a
//!   profile selected by name that is missing is an error listing the sections there are. A
//!   profile named through the builder when there is no credentials file at all is an error too
//!   (listing the files looked at); with `TENCENTCLOUD_PROFILE` it is "not configured", so the
//!   default chain goes on. A section
//!   without `secret_id` or `secret_key` (or with empty values) is an error naming file and section;
//!   padded values are invalid credentials. Parse errors name file and line ([`crate::ini`]).
//! - The file is read when the provider is built, like the environment.

use std::fmt;
use std::path::{Path, PathBuf};

use super::assume_role::{StsAssumeRoleProvider, StsAssumeRoleProviderBuilder};
use super::config::Config;
use super::credential::Credential;
use super::cvm_role::CvmRoleProvider;
use super::env_vars;
use crate::context::{Context, MAX_FILE_SIZE};
use crate::error::{Error, ErrorKind, Result};
use crate::ini::{Ini, IniDialect, Section};
use crate::provider::{ProvideCredentials, ProvideFuture, SharedProvider};

/// The system-wide credentials file.
pub const SYSTEM_CREDENTIALS_FILE: &str = "/etc/tencentcloud/credentials";
/// The key naming the section whose credentials a role section uses (tencentcloud-sdk-python PR
/// #169), or [`CVM_ROLE_SOURCE`].
pub const SOURCE_PROFILE: &str = "source_profile";
/// aws-cli's key for a role section's non-profile source; only the CVM role is known.
pub const CREDENTIAL_SOURCE: &str = "credential_source";
/// The `source_profile` value meaning "the CVM instance role" (PR #169's reserved name).
pub const CVM_ROLE_SOURCE: &str = "cvm_role";
/// The most role sections one `source_profile` chain may pass through: bounds the recursion and
/// the STS calls of one refresh (a real chain has two or three hops).
pub const MAX_SOURCE_HOPS: usize = 16;
/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// Builds a [`ProfileProvider`].
#[derive(Debug, Default)]
pub struct ProfileProviderBuilder {
    path: Option<PathBuf>,
    profile: Option<String>,
    sts_endpoint: Option<String>,
}

impl ProfileProviderBuilder {
    /// A builder with the `profile` settings of a [`Config`] (`profile`: the section;
    /// `endpoint`: STS, for `role_arn` profiles).
    pub fn from_config(c: Config) -> Self {
        ProfileProviderBuilder {
            profile: c.profile,
            sts_endpoint: c.endpoint,
            ..Self::default()
        }
    }
    /// The file to read (default: see the module docs).
    pub fn path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }
    /// The section to use (default `TENCENTCLOUD_PROFILE`, else `default`).
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }
    /// The STS endpoint for `role_arn` profiles (default: `TENCENTCLOUD_STS_ENDPOINT`, else
    /// `sts.tencentcloudapi.com`).
    pub fn sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.sts_endpoint = Some(endpoint.into());
        self
    }

    /// Reads the file now and builds the provider. Never fails today: errors of the file are
    /// kept and returned by `provide_credentials`, so a chain can skip a "not configured" profile.
    pub fn build(self, ctx: &Context) -> Result<ProfileProvider> {
        Ok(self.assemble(ctx))
    }

    fn assemble(self, ctx: &Context) -> ProfileProvider {
        let outcome = load(&self, ctx).map_err(|e| e.with_provider(ProfileProvider::NAME));
        ProfileProvider { outcome }
    }
}

enum Loaded {
    Static(Credential),
    AssumeRole(StsAssumeRoleProvider),
}

fn load(b: &ProfileProviderBuilder, ctx: &Context) -> Result<(PathBuf, String, Loaded)> {
    let given = b.profile.clone().filter(|p| !p.is_empty());
    let (explicit_profile, profile) = match given.clone() {
        Some(p) => (true, p),
        None => match ctx.env_non_empty(env_vars::PROFILE)? {
            Some(p) => (true, p),
            None => (false, DEFAULT_PROFILE.to_string()),
        },
    };
    let (path, bytes) = match find_file(b, ctx) {
        // A profile the caller named must exist: no file is an error saying where it looked.
        Err(e) if e.is_not_configured() && given.is_some() => {
            return Err(e.with_kind(ErrorKind::InvalidConfig).with_hint(format!(
                "the profile [{profile}] was asked for: create the credentials file with a \
                     [{profile}] section, or set {}",
                env_vars::CREDENTIALS_FILE
            )))
        }
        other => other?,
    };
    let parsed = IniDialect::TENCENT.parse_bytes(&bytes).map_err(|e| {
        let mut err = Error::new(
            ErrorKind::File,
            format!("INI file is not valid: {}", e.message),
        )
        .with_file(&path);
        if e.line > 0 {
            err = err.with_line(e.line);
        }
        err.with_hint("fix the line, or remove the file if it is not used")
    })?;
    let Some(section) = parsed.section(&profile) else {
        let names: Vec<&str> = parsed.section_names().collect();
        let listed = if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        };
        if explicit_profile {
            return Err(Error::invalid_config(format!(
                "the profile [{profile}] is not in the credentials file (sections: {listed})"
            ))
            .with_file(&path)
            .with_hint(format!(
                "add a [{profile}] section, or select another profile ({})",
                env_vars::PROFILE
            )));
        }
        return Err(Error::not_configured(format!(
            "the credentials file has no [{profile}] section (sections: {listed})"
        ))
        .with_file(&path));
    };
    let mut visiting = Vec::new();
    let loaded = build_section(&parsed, section, &profile, &path, b, ctx, &mut visiting)?;
    Ok((path, profile, loaded))
}

fn find_file(b: &ProfileProviderBuilder, ctx: &Context) -> Result<(PathBuf, Vec<u8>)> {
    let explicit = match &b.path {
        Some(p) => Some(p.clone()),
        None => match ctx.env_var(env_vars::CREDENTIALS_FILE)? {
            Some(v) if v.trim().is_empty() => {
                return Err(Error::invalid_config(format!(
                    "Environment variable '{}' cannot be empty",
                    env_vars::CREDENTIALS_FILE
                ))
                .with_hint(format!(
                    "unset {} or set it to the credentials file's path",
                    env_vars::CREDENTIALS_FILE
                )));
            }
            Some(v) => Some(PathBuf::from(v)),
            None => None,
        },
    };
    if let Some(path) = explicit {
        return match read(ctx, &path)? {
            Some(bytes) => Ok((path, bytes)),
            None => Err(
                Error::new(ErrorKind::File, "the credentials file does not exist")
                    .with_file(&path)
                    .with_hint(format!(
                        "create it, or unset {}",
                        env_vars::CREDENTIALS_FILE
                    )),
            ),
        };
    }
    let mut tried = Vec::new();
    if let Some(home) = ctx.env().home_dir() {
        let p = home.join(".tencentcloud").join("credentials");
        if let Some(bytes) = read(ctx, &p)? {
            return Ok((p, bytes));
        }
        tried.push(crate::redact::path(&p));
    }
    let sys = PathBuf::from(SYSTEM_CREDENTIALS_FILE);
    if let Some(bytes) = read(ctx, &sys)? {
        return Ok((sys, bytes));
    }
    tried.push(SYSTEM_CREDENTIALS_FILE.to_string());
    Err(
        Error::not_configured(format!("no credentials file ({})", tried.join(", "))).with_hint(
            format!(
                "create ~/.tencentcloud/credentials or set {}",
                env_vars::CREDENTIALS_FILE
            ),
        ),
    )
}

/// `None` when the file does not exist; an error for anything else (a directory, too large,
/// unreadable).
fn read(ctx: &Context, path: &Path) -> Result<Option<Vec<u8>>> {
    match ctx.fs().read(path, MAX_FILE_SIZE) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(
            Error::new(ErrorKind::File, "cannot read the credentials file")
                .with_source(e)
                .with_file(path),
        ),
    }
}

/// Builds the provider for section `s` (named `profile`). `visiting` holds the sections whose
/// `source_profile` led here, to refuse a cycle instead of recursing forever.
fn build_section(
    doc: &Ini,
    s: &Section,
    profile: &str,
    path: &Path,
    b: &ProfileProviderBuilder,
    ctx: &Context,
    visiting: &mut Vec<String>,
) -> Result<Loaded> {
    visiting.push(profile.to_string());
    let source = match role_source(doc, s, profile, path, b, ctx, visiting)? {
        Some(source) => source,
        None => match section_keys(s, profile, path)? {
            keys if s.get_non_empty("role_arn").is_none() => return Ok(Loaded::Static(keys)),
            keys => SharedProvider::new(keys),
        },
    };
    assume_role(s, source, profile, path, b, ctx)
}

/// The source of a role section's AssumeRole call given by `source_profile` or
/// `credential_source`; `None` when the section names neither (its own keys are the source).
fn role_source(
    doc: &Ini,
    s: &Section,
    profile: &str,
    path: &Path,
    b: &ProfileProviderBuilder,
    ctx: &Context,
    visiting: &mut Vec<String>,
) -> Result<Option<SharedProvider>> {
    let source_profile = s.get_non_empty(SOURCE_PROFILE);
    let credential_source = s.get_non_empty(CREDENTIAL_SOURCE);
    if source_profile.is_none() && credential_source.is_none() {
        return Ok(None);
    }
    let key = if source_profile.is_some() {
        SOURCE_PROFILE
    } else {
        CREDENTIAL_SOURCE
    };
    let line = s.line_of(key).unwrap_or(s.line);
    let refuse = |msg: String, hint: &str| {
        Err(Error::invalid_config(msg)
            .with_file(path)
            .with_line(line)
            .with_hint(hint.to_string()))
    };
    if let Some((msg, hint)) = conflicting_lines(s, profile, key) {
        return refuse(msg, hint);
    }
    if let Some(v) = credential_source {
        if !is_cvm_role(v) {
            return refuse(
                format!("unsupported {CREDENTIAL_SOURCE} in [{profile}] (known: {CVM_ROLE_SOURCE}, CvmRole)"),
                "set credential_source = cvm_role, or use source_profile",
            );
        }
        return cvm_source(ctx).map(Some);
    }
    let name = source_profile.unwrap_or_default();
    if name == CVM_ROLE_SOURCE {
        return cvm_source(ctx).map(Some);
    }
    if visiting.len() > MAX_SOURCE_HOPS {
        return refuse(
            format!(
                "{SOURCE_PROFILE} chain from [{}] is longer than {MAX_SOURCE_HOPS} roles",
                visiting[0]
            ),
            "shorten the chain of role sections",
        );
    }
    if visiting.iter().any(|v| v == name) {
        let cycle: Vec<&str> = visiting.iter().map(String::as_str).chain([name]).collect();
        return refuse(
            format!("{SOURCE_PROFILE} cycle: {}", cycle.join(" -> ")),
            "break the cycle: the last profile of a chain needs secret_id/secret_key or a CVM role",
        );
    }
    let Some(section) = doc.section(name) else {
        let names: Vec<&str> = doc.section_names().collect();
        return refuse(
            format!(
                "the {SOURCE_PROFILE} [{name}] of [{profile}] is not in the credentials file (sections: {})",
                names.join(", ")
            ),
            "add that section, or fix the name",
        );
    };
    Ok(Some(
        match build_section(doc, section, name, path, b, ctx, visiting)? {
            Loaded::Static(c) => SharedProvider::new(c),
            Loaded::AssumeRole(p) => SharedProvider::new(p),
        },
    ))
}

/// What is wrong with a role section that names its source with `key` (`source_profile` or
/// `credential_source`), with what to do: both source lines, no `role_arn`, or keys of its own.
fn conflicting_lines(s: &Section, profile: &str, key: &str) -> Option<(String, &'static str)> {
    if s.get_non_empty(SOURCE_PROFILE).is_some() && s.get_non_empty(CREDENTIAL_SOURCE).is_some() {
        return Some((
            format!("[{profile}] sets both {SOURCE_PROFILE} and {CREDENTIAL_SOURCE}"),
            "keep one of them: the role's credentials come from exactly one source",
        ));
    }
    if s.get_non_empty("role_arn").is_none() {
        return Some((
            format!("[{profile}] sets {key} but no role_arn"),
            "add the role_arn to assume, or remove the line",
        ));
    }
    if s.get_non_empty("secret_id").is_some() || s.get_non_empty("secret_key").is_some() {
        return Some((
            format!("[{profile}] sets both secret_id/secret_key and {key}"),
            "remove the keys (the source gives them) or the source line",
        ));
    }
    None
}

/// `cvm_role`, `cvm-role` or `CvmRole`, in any case.
fn is_cvm_role(v: &str) -> bool {
    v.replace(['_', '-'], "").eq_ignore_ascii_case("cvmrole")
}

fn cvm_source(ctx: &Context) -> Result<SharedProvider> {
    Ok(SharedProvider::new(CvmRoleProvider::builder().build(ctx)?))
}

/// The section's own `secret_id`, `secret_key` and `token`.
fn section_keys(s: &Section, profile: &str, path: &Path) -> Result<Credential> {
    let id = s.get_non_empty("secret_id");
    let key = s.get_non_empty("secret_key");
    if id.is_none() || key.is_none() {
        let missing: Vec<&str> = [("secret_id", id), ("secret_key", key)]
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
        return Err(Error::invalid_config(format!(
            "Failed to parse profile file, please confirm whether it contains \"secret_id\" and \"secret_key\" \
             in section: \"{profile}\" (missing or empty: {})",
            missing.join(", ")
        ))
        .with_file(path)
        .with_line(s.line));
    }
    let token = s.get_non_empty("token").map(str::to_string);
    let credential = Credential::with_name(
        id.map(Into::into),
        key.map(Into::into),
        token,
        ProfileProvider::NAME,
    )
    .map_err(|e| {
        let line = s.line_of(if e.message().starts_with("secret id") {
            "secret_id"
        } else {
            "secret_key"
        });
        let e = e
            .with_file(path)
            .with_hint(format!("remove the spaces around the value in [{profile}]"));
        match line {
            Some(l) => e.with_line(l),
            None => e,
        }
    })?;
    Ok(credential)
}

/// The AssumeRole provider of a `role_arn` section, signing with `source`.
fn assume_role(
    s: &Section,
    source: SharedProvider,
    profile: &str,
    path: &Path,
    b: &ProfileProviderBuilder,
    ctx: &Context,
) -> Result<Loaded> {
    let mut sts = StsAssumeRoleProviderBuilder::from_ini_section(s, profile)
        .map_err(|e| e.with_file(path))?
        .source(source);
    if let Some(e) = &b.sts_endpoint {
        sts = sts.endpoint(e.clone());
    }
    let provider = sts.build(ctx).map_err(|e| e.with_file(path))?;
    Ok(Loaded::AssumeRole(provider))
}

/// `ProfileCredential`: credentials from the Tencent Cloud credentials file.
///
/// ```
/// use credchain::tencent::ProfileProvider;
/// use credchain::context::{Context, MemoryEnv, MemoryFs};
/// use credchain::ProvideCredentials;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let ctx = Context::empty()
///     .with_env(MemoryEnv::from_pairs([("HOME", "/home/me")]))
///     .with_fs(MemoryFs::new().with_file(
///         "/home/me/.tencentcloud/credentials",
///         "[default]\nsecret_id = AKIDexample\nsecret_key = key\n",
///     ));
/// let c = ProfileProvider::from_context(&ctx).provide_credentials().await.unwrap();
/// assert_eq!((c.secret_id(), c.provider_name()), ("AKIDexample", "profile"));
/// # });
/// ```
pub struct ProfileProvider {
    outcome: Result<(PathBuf, String, Loaded)>,
}

impl ProfileProvider {
    /// The provider name.
    pub const NAME: &'static str = "profile";

    /// A builder.
    pub fn builder() -> ProfileProviderBuilder {
        ProfileProviderBuilder::default()
    }
    /// Defaults from the context's environment.
    pub fn from_context(ctx: &Context) -> Self {
        Self::builder().assemble(ctx)
    }
    /// The file read, when one was found.
    pub fn path(&self) -> Option<&Path> {
        self.outcome.as_ref().ok().map(|(p, _, _)| p.as_path())
    }
    /// The profile (section) used, when the file was loaded.
    pub fn profile(&self) -> Option<&str> {
        self.outcome.as_ref().ok().map(|(_, p, _)| p.as_str())
    }
    /// Whether loading failed only because the profile (or the whole file) is not there, as
    /// opposed to a broken file or section.
    pub(crate) fn is_missing_profile(&self) -> bool {
        match &self.outcome {
            Ok(_) => false,
            Err(e) => {
                e.is_not_configured()
                    || e.message().contains("is not in the credentials file")
                    || e.message().starts_with("no credentials file")
            }
        }
    }
    /// The role ARN, for a `role_arn` profile.
    pub fn role_arn(&self) -> Option<&str> {
        match &self.outcome {
            Ok((_, _, Loaded::AssumeRole(p))) => Some(p.role_arn()),
            _ => None,
        }
    }
}

impl fmt::Debug for ProfileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("tencent::ProfileProvider");
        match &self.outcome {
            Ok((path, profile, loaded)) => {
                d.field("path", path).field("profile", profile);
                match loaded {
                    Loaded::Static(c) => d.field("secret_id", &c.credentials().secret_id()),
                    Loaded::AssumeRole(p) => d.field("assume_role", p),
                };
            }
            Err(e) => {
                d.field("error", &e.message());
            }
        }
        d.finish()
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        match &self.outcome {
            Ok((_, _, Loaded::Static(c))) => ProvideFuture::ready(Ok(c.credentials().clone())),
            Ok((path, _, Loaded::AssumeRole(p))) => ProvideFuture::new(async move {
                p.provide_credentials()
                    .await
                    .map(|c| c.with_outer_provider(Self::NAME))
                    .map_err(|e| e.with_provider(Self::NAME).with_file(path))
            }),
            Err(e) => ProvideFuture::ready(Err(e.clone())),
        }
    }
    fn name(&self) -> &str {
        Self::NAME
    }
    fn force_refresh(&self) -> ProvideFuture<'_> {
        match &self.outcome {
            Ok((path, _, Loaded::AssumeRole(p))) => ProvideFuture::new(async move {
                p.force_refresh()
                    .await
                    .map(|c| c.with_outer_provider(Self::NAME))
                    .map_err(|e| e.with_provider(Self::NAME).with_file(path))
            }),
            _ => self.provide_credentials(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{MemoryEnv, MemoryFs};
    use crate::credentials::Credentials;

    const HOME_FILE: &str = "/home/u/.tencentcloud/credentials";

    fn ctx(env: &[(&str, &str)], files: &[(&str, &[u8])]) -> Context {
        let mut fs = MemoryFs::new();
        for (p, c) in files {
            fs = fs.with_file(*p, c.to_vec());
        }
        let mut pairs = vec![("HOME", "/home/u")];
        pairs.extend_from_slice(env);
        Context::empty()
            .with_env(MemoryEnv::from_pairs(pairs))
            .with_fs(fs)
    }

    async fn run(env: &[(&str, &str)], files: &[(&str, &[u8])]) -> Result<Credentials> {
        ProfileProvider::from_context(&ctx(env, files))
            .provide_credentials()
            .await
    }

    #[tokio::test]
    async fn file_order() {
        let a: &[u8] = b"[default]\nsecret_id=A\nsecret_key=k\n";
        let b: &[u8] = b"[default]\nsecret_id=B\nsecret_key=k\n";
        let c: &[u8] = b"[default]\nsecret_id=C\nsecret_key=k\n";
        let all = [
            (HOME_FILE, a),
            (SYSTEM_CREDENTIALS_FILE, b),
            ("/x/creds", c),
        ];
        assert_eq!(
            run(&[(env_vars::CREDENTIALS_FILE, "/x/creds")], &all)
                .await
                .unwrap()
                .secret_id(),
            "C"
        );
        assert_eq!(run(&[], &all).await.unwrap().secret_id(), "A");
        assert_eq!(run(&[], &all[1..]).await.unwrap().secret_id(), "B");
        let e = run(&[], &[]).await.unwrap_err();
        assert!(
            e.is_not_configured() && e.message().contains(SYSTEM_CREDENTIALS_FILE),
            "{e}"
        );
        let e = run(&[(env_vars::CREDENTIALS_FILE, "")], &all)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert!(e.message().contains("cannot be empty"));
        let e = run(&[(env_vars::CREDENTIALS_FILE, "/nope")], &all)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::File);
    }

    #[tokio::test]
    async fn sections_and_keys() {
        let e = run(
            &[],
            &[(HOME_FILE, b"[Default]\nsecret_id=A\nsecret_key=k\n")],
        )
        .await
        .unwrap_err();
        assert!(e.is_not_configured());
        let e = run(
            &[(env_vars::PROFILE, "prod")],
            &[(HOME_FILE, b"[default]\nsecret_id=A\nsecret_key=k\n")],
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert!(e.message().contains("[prod]") && e.message().contains("default"));
        let c = run(
            &[(env_vars::PROFILE, "prod")],
            &[(HOME_FILE, b"[default]\nsecret_id=A\nsecret_key=k\n[prod]\nSECRET_ID=P\nsecret_key=\"k\"\ntoken=t\n")],
        )
        .await
        .unwrap();
        assert_eq!(
            (c.secret_id(), c.secret_key(), c.token()),
            ("P", "k", Some("t"))
        );
        let e = run(
            &[],
            &[(HOME_FILE, b"[default]\nsecret_id=A\nsecret_key=\n")],
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert!(
            e.to_string().contains(HOME_FILE) && e.message().contains("secret_key"),
            "{e}"
        );
        let e = run(
            &[],
            &[(HOME_FILE, b"[default]\nsecret_id=\"A \"\nsecret_key=k\n")],
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidCredential);
        assert_eq!(e.line(), Some(2));
    }

    #[tokio::test]
    async fn parse_errors_name_file_and_line() {
        let e = run(&[], &[(HOME_FILE, b"[default]\nsecret_id=A\n[\n")])
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::File);
        assert_eq!(e.line(), Some(3));
        assert!(e.to_string().contains(&format!("{HOME_FILE}:3")), "{e}");
        let e = run(&[], &[(HOME_FILE, b"\x00\x9f\x92\x96garbage")])
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::File);
        let big = vec![b'#'; (MAX_FILE_SIZE + 1) as usize];
        let e = run(&[], &[(HOME_FILE, &big)]).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::File);
    }

    #[tokio::test]
    async fn role_profiles_build_assume_role() {
        let f: &[u8] = b"[default]\nsecret_id=A\nsecret_key=k\nrole_arn=qcs::cam::uin/1:roleName/r\nduration_seconds=60\n";
        let e = run(&[], &[(HOME_FILE, f)]).await.unwrap_err();
        assert!(e.message().contains("900~43200"), "{e}");
        let f: &[u8] =
            b"[default]\nsecret_id=A\nsecret_key=k\nrole_arn=qcs::cam::uin/1:roleName/r\n";
        let p = ProfileProvider::from_context(&ctx(&[], &[(HOME_FILE, f)]));
        assert_eq!(p.role_arn(), Some("qcs::cam::uin/1:roleName/r"));
    }

    #[tokio::test]
    async fn role_sources_are_checked_when_loading() {
        let arn = "role_arn=qcs::cam::uin/1:roleName/r\n";
        let err = |body: String| async move {
            run(&[], &[(HOME_FILE, body.as_bytes())]).await.unwrap_err()
        };
        let e = err(format!("[default]\n{arn}source_profile=default\n")).await;
        assert!(e.message().contains("cycle: default -> default"), "{e}");
        let e = err(format!(
            "[default]\n{arn}credential_source=Ec2InstanceMetadata\n"
        ))
        .await;
        assert!(e.message().contains("unsupported credential_source"), "{e}");
        assert_eq!(e.line(), Some(3));
        let e = err("[default]\nsource_profile=x\n".to_string()).await;
        assert!(e.message().contains("no role_arn"), "{e}");
        let e = err(format!("[default]\nsecret_id=A\nsecret_key=k\n{arn}source_profile=b\n[b]\nsecret_id=B\nsecret_key=k\n")).await;
        assert!(
            e.message()
                .contains("secret_id/secret_key and source_profile"),
            "{e}"
        );
        // A broken source section is reported as such, naming its own line.
        let e = err(format!(
            "[default]\n{arn}source_profile=b\n[b]\nsecret_id=B\n"
        ))
        .await;
        assert!(e.message().contains("\"b\""), "{e}");
        for spelling in ["cvm_role", "CvmRole", "CVM-ROLE"] {
            assert!(is_cvm_role(spelling));
        }
        assert!(!is_cvm_role("cvm"));
    }

    #[tokio::test]
    async fn source_profile_chains_are_bounded() {
        let mut f = String::new();
        for i in 0..=MAX_SOURCE_HOPS {
            let name = if i == 0 {
                "default".to_string()
            } else {
                format!("r{i}")
            };
            f += &format!(
                "[{name}]\nrole_arn=qcs::cam::uin/1:roleName/r\nsource_profile=r{}\n",
                i + 1
            );
        }
        f += &format!("[r{}]\nsecret_id=A\nsecret_key=k\n", MAX_SOURCE_HOPS + 1);
        let e = run(&[], &[(HOME_FILE, f.as_bytes())]).await.unwrap_err();
        assert!(e.message().contains("longer than 16"), "{e}");
    }

    #[test]
    fn source_profile_chain_builds() {
        let f: &[u8] = b"[default]\nrole_arn=qcs::cam::uin/1:roleName/a\nsource_profile=mid\n\
            [mid]\nrole_arn=qcs::cam::uin/1:roleName/b\nsource_profile=keys\n\
            [keys]\nsecret_id=A\nsecret_key=k\n";
        let p = ProfileProvider::from_context(&ctx(&[], &[(HOME_FILE, f)]));
        assert_eq!(p.role_arn(), Some("qcs::cam::uin/1:roleName/a"));
    }
}
