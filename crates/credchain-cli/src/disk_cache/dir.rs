//! Which directory the on-disk cache uses, and making sure it is safe to keep secrets in.
//!
//! Precedence: `--cache-dir DIR`, then `CREDCHAIN_CACHE_DIR`, then (with `--cache`)
//! `$XDG_CACHE_HOME/credchain`, then `~/.cache/credchain`. Every setting that is present but
//! unusable is an error naming it: an empty value, a relative path in an environment variable
//! (XDG's rule; a `process_command` runs in an unpredictable working directory), a path that is
//! not a directory, a directory owned by another user or open to other users. A missing
//! directory is created owner-only (0700). Whether it is writable shows when the entry is locked
//! (`super::DiskCache::credentials`), with the same setting named.

use std::path::{Path, PathBuf};

use credchain::context::Context;
use credchain::{Error, ErrorKind, Result};

use crate::cli::CacheArgs;

/// Where the cache directory comes from, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// `--cache-dir DIR`.
    Flag,
    /// `CREDCHAIN_CACHE_DIR`.
    Env,
    /// `--cache` with `XDG_CACHE_HOME`.
    Xdg,
    /// `--cache` with the home directory.
    Home,
}

/// The variable that turns the cache on and names its directory.
pub const CACHE_DIR_VAR: &str = "CREDCHAIN_CACHE_DIR";

impl Setting {
    /// How the user spells this setting.
    pub fn name(self) -> &'static str {
        match self {
            Setting::Flag => "--cache-dir",
            Setting::Env => CACHE_DIR_VAR,
            Setting::Xdg => "--cache (directory from XDG_CACHE_HOME)",
            Setting::Home => "--cache (directory ~/.cache/credchain)",
        }
    }
}

/// The cache directory the arguments and environment ask for, with where it came from; `None`
/// when the cache is off.
pub fn chosen(args: &CacheArgs, ctx: &Context) -> Result<Option<(PathBuf, Setting)>> {
    if let Some(dir) = &args.cache_dir {
        if dir.as_os_str().is_empty() {
            return Err(invalid(Setting::Flag, "is empty").with_hint("give a directory path"));
        }
        let dir = std::path::absolute(dir).map_err(|e| {
            invalid(Setting::Flag, &format!("cannot be made absolute: {e}")).with_file(dir)
        })?;
        return Ok(Some((dir, Setting::Flag)));
    }
    if let Some(dir) = ctx.env().var_os(CACHE_DIR_VAR) {
        return absolute_env(dir.into(), Setting::Env).map(|d| Some((d, Setting::Env)));
    }
    if !args.cache {
        return Ok(None);
    }
    // The XDG spec treats an empty XDG_CACHE_HOME as unset.
    if let Some(xdg) = ctx.env().var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        let base = absolute_env(xdg.into(), Setting::Xdg)?;
        return Ok(Some((base.join("credchain"), Setting::Xdg)));
    }
    match ctx.env().home_dir() {
        Some(home) => Ok(Some((home.join(".cache").join("credchain"), Setting::Home))),
        None => Err(Error::invalid_config(
            "--cache: there is no home directory (HOME is not set) to put ~/.cache/credchain in",
        )
        .with_hint("give --cache-dir DIR or set CREDCHAIN_CACHE_DIR")),
    }
}

/// An environment variable's directory: non-empty and absolute.
fn absolute_env(dir: PathBuf, setting: Setting) -> Result<PathBuf> {
    if dir.as_os_str().is_empty() {
        return Err(invalid(setting, "is set but empty").with_hint(format!(
            "set {} to a directory path, or unset it",
            var_of(setting)
        )));
    }
    if !dir.is_absolute() {
        return Err(invalid(setting, "is a relative path")
            .with_file(&dir)
            .with_hint(format!("set {} to an absolute path", var_of(setting))));
    }
    Ok(dir)
}

fn var_of(setting: Setting) -> &'static str {
    match setting {
        Setting::Xdg => "XDG_CACHE_HOME",
        _ => CACHE_DIR_VAR,
    }
}

/// Creates `dir` owner-only when missing; refuses one that is not a directory, belongs to another
/// user or is open to other users.
#[cfg(unix)]
pub fn prepare(dir: &Path, setting: Setting) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    let meta = match std::fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| unusable(setting, dir, &format!("cannot be created: {e}")))?;
            std::fs::metadata(dir)
                .map_err(|e| unusable(setting, dir, &format!("cannot be inspected: {e}")))?
        }
        Err(e) => return Err(unusable(setting, dir, &format!("cannot be inspected: {e}"))),
    };
    if !meta.is_dir() {
        return Err(unusable(setting, dir, "is not a directory"));
    }
    if meta.uid() != super::file::effective_uid() {
        return Err(unusable(
            setting,
            dir,
            &format!("belongs to another user (uid {})", meta.uid()),
        ));
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(unusable(
            setting,
            dir,
            &format!("is open to other users (mode {mode:04o}); it holds credentials"),
        )
        .with_hint(format!(
            "run `chmod 700 {}` or choose another directory",
            dir.display()
        )));
    }
    Ok(())
}

/// The on-disk cache relies on Unix file modes and owners.
#[cfg(not(unix))]
pub fn prepare(dir: &Path, setting: Setting) -> Result<()> {
    Err(unusable(
        setting,
        dir,
        "cannot be used: the on-disk cache is only supported on Unix",
    ))
}

fn invalid(setting: Setting, what: &str) -> Error {
    Error::invalid_config(format!("{} {what}", setting.name()))
}

/// A directory that exists (or should) but cannot hold the cache.
pub fn unusable(setting: Setting, dir: &Path, what: &str) -> Error {
    Error::new(
        ErrorKind::File,
        format!(
            "the credentials cache directory {} (from {}) {what}",
            dir.display(),
            setting.name()
        ),
    )
    .with_hint(
        "use an owner-only directory of your own (--cache-dir DIR or CREDCHAIN_CACHE_DIR), or \
         leave the cache off",
    )
}
