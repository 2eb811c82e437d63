//! Building the provider a command asks for: the default chain, or a `--config`, or the profile
//! named by `--profile`.
//!
//! `--config` takes a path to a JSON file, or the JSON itself when the argument starts with `{`
//! (after leading whitespace). The argument may hold a secret (`access_key_secret`), so no error
//! ever echoes it: a file is named by its path only when it is read as a file, inline JSON is
//! called "the inline --config JSON", and parse errors give position and expected type only.
//!
//! `--profile NAME` selects that profile's source directly
//! ([`credchain::CloudConfig::with_profile`]): environment keys do not win over it, and a profile
//! that does not exist is an error. With `--config`, it fills the config's `profile` (Tencent
//! `default` / `profile` types; Alibaba: only without a type); any other config type is refused
//! rather than silently ignoring the flag.

use std::path::Path;

use credchain::cloud::ProfileConflict;
use credchain::context::{Context, MAX_FILE_SIZE};
use credchain::{Credentials, Error, ErrorKind, Result, SharedProvider};

use crate::cli::{CacheArgs, Cloud, SourceArgs};
use crate::disk_cache;

/// The real context: process env, real files, system clock, the default HTTP client.
pub fn real_context() -> Context {
    Context::real()
}

/// The provider and its type name (`default` for the chain, else the config's type, or the
/// profile's source for `--profile`). The cloud dispatch is the library's
/// ([`credchain::CloudConfig`]); this reads the argument and names the flags in errors.
pub fn provider(
    cloud: Cloud,
    config: Option<&Path>,
    profile: Option<&str>,
    ctx: &Context,
) -> Result<(SharedProvider, String)> {
    let cloud = credchain::Cloud::from(cloud);
    let source = config.map(ConfigSource::of);
    let cfg = match &source {
        Some(s) => cloud
            .config_from_json(&s.text(ctx)?)
            .map_err(|e| s.locate(e))?,
        None => cloud.default_config(),
    };
    let built = match profile {
        // The profile's errors are about the profile, not the --config.
        Some(name) => cfg
            .with_profile(name)
            .map_err(flag_conflict)?
            .into_provider(ctx)?,
        None => cfg.into_provider(ctx).map_err(|e| match &source {
            Some(s) => s.locate(e),
            None => e,
        })?,
    };
    let type_ = built.type_name().to_string();
    Ok((built.into_provider(), type_))
}

/// The credentials `request` names (its `--config` or `--profile`, else the default chain),
/// through the on-disk cache when `cache` (or `CREDCHAIN_CACHE_DIR`) turns it on; with the type
/// name [`provider`] gives.
pub async fn credentials(
    request: &disk_cache::Request<'_>,
    cache: &CacheArgs,
    ctx: &Context,
) -> Result<(Credentials, String)> {
    let (provider, type_) = provider(request.cloud, request.config, request.profile, ctx)?;
    let credentials = disk_cache::credentials(cache, request, &provider, ctx).await?;
    Ok((credentials, type_))
}

impl SourceArgs {
    /// What these options name for `cloud`.
    pub fn request(&self, cloud: Cloud) -> disk_cache::Request<'_> {
        disk_cache::Request {
            cloud,
            profile: self.profile.as_deref(),
            config: self.config.as_deref(),
        }
    }
}

impl From<Cloud> for credchain::Cloud {
    fn from(cloud: Cloud) -> Self {
        match cloud {
            Cloud::Alibaba => credchain::Cloud::Alibaba,
            Cloud::Tencent => credchain::Cloud::Tencent,
        }
    }
}

/// Where a `--config` comes from.
enum ConfigSource<'a> {
    /// The argument is the JSON itself.
    Inline(String),
    /// The argument is a file path.
    File(&'a Path),
}

impl<'a> ConfigSource<'a> {
    /// Inline JSON when the argument starts with `{`, else a path.
    fn of(arg: &'a Path) -> Self {
        match arg.to_str() {
            Some(s) if is_inline_config(arg) => ConfigSource::Inline(s.to_string()),
            _ => ConfigSource::File(arg),
        }
    }

    fn text(&self, ctx: &Context) -> Result<String> {
        match self {
            ConfigSource::Inline(s) => Ok(s.clone()),
            ConfigSource::File(path) => read_config(path, ctx),
        }
    }

    /// Says which --config failed, without echoing inline JSON. Only configuration errors are
    /// the config's fault; a network or service error keeps its own hint.
    fn locate(&self, e: Error) -> Error {
        if e.kind() != ErrorKind::InvalidConfig {
            return e;
        }
        match self {
            ConfigSource::Inline(_) => e.with_hint(
                "the inline --config JSON is not a valid credential config (an argument starting \
                 with '{' is read as JSON, anything else as a file path)",
            ),
            ConfigSource::File(path) => e.with_file(path),
        }
    }
}

/// Whether a `--config` argument is the JSON itself (it starts with `{`) rather than a path.
pub fn is_inline_config(arg: &Path) -> bool {
    arg.to_str()
        .is_some_and(|s| s.trim_start().starts_with('{'))
}

/// The library's conflict, in the words of the two flags.
fn flag_conflict(conflict: ProfileConflict) -> Error {
    match conflict {
        ProfileConflict::TypeReadsNoProfile { type_name } => Error::invalid_config(format!(
            "--profile cannot be used with a --config of type '{type_name}', which does not read \
             profiles"
        ))
        .with_hint("drop --profile, or drop --config to use the profile"),
        ProfileConflict::OtherProfile { .. } => Error::invalid_config(
            "--profile and the --config file's \"profile\" name different profiles",
        )
        .with_hint("give the profile in one place only"),
        conflict => Error::from(conflict),
    }
}

fn read_config(path: &Path, ctx: &Context) -> Result<String> {
    let bytes = ctx.fs().read(path, MAX_FILE_SIZE).map_err(|e| {
        Error::new(
            ErrorKind::File,
            format!("cannot read the --config file: {e}"),
        )
        .with_file(path)
        .with_hint(
            "pass a JSON file with the credential config, or the JSON itself starting with '{'",
        )
    })?;
    String::from_utf8(bytes).map_err(|_| {
        Error::new(ErrorKind::File, "the --config file is not UTF-8 text").with_file(path)
    })
}
