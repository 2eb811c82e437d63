//! The `credentials.ini` source (`profile`, `docs/sources/alibaba.md#ini-profile-file`).
//!
//! - File: `ALIBABA_CLOUD_CREDENTIALS_FILE` (must exist), else `~/.alibabacloud/credentials.ini`,
//!   then `~/.alibabacloud/credentials` (the Go name). No file → "not configured".
//! - Section: explicit, else `ALIBABA_CLOUD_PROFILE`, else `default`. A missing section is "not
//!   configured", unless the name was given explicitly to the builder. An empty
//!   `ALIBABA_CLOUD_PROFILE` counts as unset (Python looks for a section named `""` and fails).
//! - A missing file or section, and an unreadable named file, carry the Python message "failed to
//!   get credential from credentials file: $PATH" (the literal `$` is the reference's).
//! - Keys of a `[DEFAULT]` section apply to every section that does not set them (Python's
//!   `configparser`); `[DEFAULT]` itself is not a profile.
//! - `enable`: absent or true → used; `false` → "not configured" (booleans as everywhere:
//!   [`crate::context::parse_flag`], so `1`/`0`, `yes`/`no` too). This is the documented meaning
//!   of the key; only Java honours it, and treats absent as disabled (`docs/differences.md`). Any
//!   other value is an error (Python ignores the key).
//! - `type`: `access_key`, `ecs_ram_role`, `ram_role_arn`, `oidc_role_arn`, `rsa_key_pair`
//!   (`public_key_id`, `private_key_file`) (the keys of each type:
//!   `docs/sources/alibaba.md#ini-profile-file`); anything else → "unsupported credential type TYPE
//!   from credentials file PATH" (the Python wording; `None` when the key is absent). Missing
//!   values get the inner providers' Python messages and environment fallbacks, as in Python: an
//!   `access_key` or `ram_role_arn` section without `access_key_id` uses
//!   `ALIBABA_CLOUD_ACCESS_KEY_ID` ("the access key id is empty" when that is unset too), a missing
//!   `role_arn` falls back to `ALIBABA_CLOUD_ROLE_ARN`, and so on.
//! - The inner provider is built once, when this provider is built; parse errors name the file and
//!   line. Credentials are named `profile/<inner>` (e.g. `profile/ram_role_arn/static_ak`).

use std::fmt;
use std::path::{Path, PathBuf};

use super::env_vars;
use super::settings::shared;
use super::{
    EcsRamRoleProvider, OidcRoleArnProvider, RamRoleArnProvider, RsaKeyPairProvider,
    StaticAccessKeyProvider,
};
use crate::context::{Context, MAX_FILE_SIZE};
use crate::error::{Error, ErrorKind, Result};
use crate::ini::{IniDialect, Section};
use crate::provider::{ProvideCredentials, ProvideFuture, SharedProvider};

const NAME: &str = "profile";

/// Credentials from a section of `~/.alibabacloud/credentials.ini`.
pub struct ProfileProvider {
    inner: crate::provider::Delegate,
    path: Option<PathBuf>,
    section: String,
}

/// Builds a [`ProfileProvider`].
#[derive(Debug, Clone, Default)]
pub struct ProfileProviderBuilder {
    path: Option<PathBuf>,
    profile: Option<String>,
    /// An explicit section that is not in the file is "not configured", not an error.
    missing_is_not_configured: bool,
}

impl ProfileProviderBuilder {
    /// The file (default: `ALIBABA_CLOUD_CREDENTIALS_FILE`, else the home-directory files).
    pub fn path(mut self, p: impl Into<PathBuf>) -> Self {
        self.path = Some(p.into());
        self
    }
    /// The section (default: `ALIBABA_CLOUD_PROFILE`, else `default`).
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }
    /// An explicit section missing from the file answers "not configured" (see
    /// [`super::named_profile`]).
    pub(crate) fn missing_is_not_configured(mut self) -> Self {
        self.missing_is_not_configured = true;
        self
    }
    /// Reads the file and builds the section's provider now. A missing or broken file does not
    /// fail the build: the provider answers why (so a chain lists it).
    pub fn build(self, ctx: &Context) -> Result<ProfileProvider> {
        let explicit_section = self.profile.clone().filter(|p| !p.is_empty());
        let section = explicit_section
            .clone()
            .map(Ok)
            .or_else(|| ctx.env_non_empty(env_vars::PROFILE).transpose())
            .transpose()
            .map_err(|e| e.with_provider(NAME));
        let section = match section {
            Ok(s) => s.unwrap_or_else(|| "default".to_string()),
            Err(e) => {
                return Ok(ProfileProvider {
                    inner: crate::provider::Delegate::new(NAME, Err(e)),
                    path: None,
                    section: String::new(),
                })
            }
        };
        let (path, text) = match locate(ctx, self.path) {
            Ok(found) => found,
            Err(e) => {
                return Ok(ProfileProvider {
                    inner: crate::provider::Delegate::new(NAME, Err(e)),
                    path: None,
                    section,
                })
            }
        };
        let strict = explicit_section.is_some() && !self.missing_is_not_configured;
        let inner = build_section(ctx, &path, &text, &section, strict);
        Ok(ProfileProvider {
            inner: crate::provider::Delegate::new(NAME, inner),
            path: Some(path),
            section,
        })
    }
}

/// The Python reference's message for a missing file or section (the `$` is in the original).
fn python_failed(path: &Path) -> String {
    format!(
        "failed to get credential from credentials file: ${}",
        crate::redact::path(path)
    )
}

fn file_error(path: &Path, e: std::io::Error) -> Error {
    Error::new(
        ErrorKind::File,
        format!("{}: cannot read the file", python_failed(path)),
    )
    .with_provider(NAME)
    .with_file(path)
    .with_source(e)
}

/// Finds and reads the file.
fn locate(ctx: &Context, explicit: Option<PathBuf>) -> Result<(PathBuf, String)> {
    // Not UTF-8 is an error: a lossy decoding would silently change a key or a section name.
    let read = |p: &Path| {
        ctx.fs().read(p, MAX_FILE_SIZE).and_then(|b| {
            String::from_utf8(b).map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the file is not valid UTF-8 text",
                )
            })
        })
    };
    let named = match explicit {
        Some(p) => Some(p),
        None => ctx
            .env_non_empty(env_vars::CREDENTIALS_FILE)
            .map_err(|e| e.with_provider(NAME))?
            .map(PathBuf::from),
    };
    if let Some(p) = named {
        return read(&p).map(|t| (p.clone(), t)).map_err(|e| {
            file_error(&p, e).with_hint(format!("fix or unset {}", env_vars::CREDENTIALS_FILE))
        });
    }
    let Some(home) = ctx.env().home_dir() else {
        return Err(Error::not_configured(
            "no home directory (HOME) to find ~/.alibabacloud/credentials.ini",
        )
        .with_provider(NAME));
    };
    let dir = home.join(".alibabacloud");
    for p in [dir.join("credentials.ini"), dir.join("credentials")] {
        match read(&p) {
            Ok(t) => return Ok((p, t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(file_error(&p, e)),
        }
    }
    Err(Error::not_configured(format!(
        "{} (no credentials file there or at {})",
        python_failed(&dir.join("credentials.ini")),
        crate::redact::path(dir.join("credentials"))
    ))
    .with_provider(NAME)
    .with_hint(format!(
        "create ~/.alibabacloud/credentials.ini, or set {}",
        env_vars::CREDENTIALS_FILE
    )))
}

/// Builds the source of one `type` from a section (each source's own `from_ini_section`).
type FromSection = fn(&IniSection<'_>) -> Result<SharedProvider>;

/// The supported types and their sources.
const TYPES: [(&str, FromSection); 5] = [
    ("access_key", |s| {
        shared(StaticAccessKeyProvider::from_ini_section(s))
    }),
    ("ecs_ram_role", |s| {
        shared(EcsRamRoleProvider::from_ini_section(s))
    }),
    ("ram_role_arn", |s| {
        shared(RamRoleArnProvider::from_ini_section(s))
    }),
    ("oidc_role_arn", |s| {
        shared(OidcRoleArnProvider::from_ini_section(s))
    }),
    ("rsa_key_pair", |s| {
        shared(RsaKeyPairProvider::from_ini_section(s))
    }),
];

/// One section of `credentials.ini` (with the `[DEFAULT]` keys it inherits), as a source reads
/// its settings from it (`from_ini_section`).
pub(crate) struct IniSection<'a> {
    ctx: &'a Context,
    path: &'a Path,
    keys: &'a Section,
    defaults: Option<&'a Section>,
}

impl IniSection<'_> {
    /// The context the source is built with.
    pub(crate) fn ctx(&self) -> &Context {
        self.ctx
    }
    /// A key's value as written (`[DEFAULT]` fills keys the section lacks).
    fn raw(&self, key: &str) -> Option<&str> {
        self.keys
            .get(key)
            .or_else(|| self.defaults.and_then(|d| d.get(key)))
    }
    /// A key's value, when present and not empty.
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        self.raw(key).filter(|v| !v.is_empty()).map(str::to_string)
    }
    /// A source's build error, located in this file (unless it names a file of its own, such as
    /// a key file).
    pub(crate) fn at_file(&self, e: Error) -> Error {
        if e.file().is_some() {
            e
        } else {
            e.with_file(self.path)
        }
    }
}

/// The source of `section`, by its `type`; `explicit`: a missing section is an error.
fn build_section(
    ctx: &Context,
    path: &Path,
    text: &str,
    section: &str,
    explicit: bool,
) -> Result<SharedProvider> {
    let ini = IniDialect::ALIBABA.parse(text).map_err(|e| {
        Error::new(
            ErrorKind::File,
            format!("cannot parse the credentials file: {}", e.message),
        )
        .with_provider(NAME)
        .with_file(path)
        .with_line(e.line)
    })?;
    let Some(keys) = ini.section(section) else {
        let e = Error::not_configured(format!(
            "{} (the file has no section [{section}])",
            python_failed(path)
        ))
        .with_provider(NAME)
        .with_file(path);
        return Err(if explicit {
            e.with_kind(ErrorKind::InvalidConfig)
        } else {
            e
        });
    };
    let s = IniSection {
        ctx,
        path,
        keys,
        // configparser merges the keys of `[DEFAULT]` into every section.
        defaults: ini.section("DEFAULT").filter(|_| section != "DEFAULT"),
    };
    check_enabled(&s, section)?;
    let type_ = s.raw("type");
    match TYPES.iter().find(|(t, _)| Some(*t) == type_) {
        Some((_, from_section)) => from_section(&s),
        None => {
            let names: Vec<&str> = TYPES.iter().map(|(t, _)| *t).collect();
            let (last, rest) = names.split_last().unwrap_or((&"", &[]));
            Err(Error::invalid_config(format!(
                "unsupported credential type {} from credentials file {}",
                type_.unwrap_or("None"),
                crate::redact::path(path)
            ))
            .with_provider(NAME)
            .with_file(path)
            .with_hint(format!("use {} or {last}", rest.join(", "))))
        }
    }
}

/// `enable`: absent or true → used; false → "not configured"; anything else is an error.
fn check_enabled(s: &IniSection<'_>, section: &str) -> Result<()> {
    match s.raw("enable").map(|v| (v, crate::context::parse_flag(v))) {
        None | Some((_, Some(true))) => Ok(()),
        Some((_, Some(false))) => Err(Error::not_configured(format!(
            "section [{section}] is disabled (enable = false)"
        ))
        .with_provider(NAME)
        .with_file(s.path)),
        Some((v, None)) => Err(Error::invalid_config(format!(
            "enable must be true or false, not '{v}'"
        ))
        .with_provider(NAME)
        .with_file(s.path)),
    }
}

impl ProfileProvider {
    /// The provider name.
    pub const NAME: &'static str = NAME;

    /// A builder.
    pub fn builder() -> ProfileProviderBuilder {
        ProfileProviderBuilder::default()
    }
    /// The build outcome: the section's provider or why there is none.
    pub(crate) fn outcome(&self) -> &Result<SharedProvider> {
        self.inner.inner()
    }
    /// The section used.
    pub fn section(&self) -> &str {
        &self.section
    }
    /// The file read, if one was found.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl fmt::Debug for ProfileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileProvider")
            .field("path", &self.path)
            .field("section", &self.section)
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

impl ProvideCredentials for ProfileProvider {
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
