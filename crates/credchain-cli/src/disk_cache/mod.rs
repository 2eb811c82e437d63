//! The opt-in on-disk cache of temporary credentials (`--cache`, `--cache-dir DIR`,
//! `CREDCHAIN_CACHE_DIR`), for short-lived runs such as aliyun-cli's External
//! `process_command`, which would otherwise call STS on every command.
//!
//! - Off unless asked for; the directory rules are in [`dir`].
//! - One JSON file per source ([`key`]), owner-only (0600) in an owner-only directory (0700),
//!   replaced atomically (temp file in the same directory, fsync, rename, directory fsync) under
//!   a lock on `<file>.lock`: concurrent runs for the same source wait for each other, so only the
//!   first calls STS and none reads a half-written file.
//! - Reused until the prefetch point, then fetched anew and rewritten ([`entry`]); permanent
//!   AccessKeys are never written.
//! - A file that cannot be trusted or read ([`mod@file`], [`entry`]) is not used: a warning on stderr
//!   names the file and what is wrong (never its content), and the file is removed (a symlink
//!   itself, not its target) before new credentials are written.
//! - A cache that cannot be written after the credentials were fetched only warns: the command
//!   still gets its credentials.

mod dir;
mod entry;
#[cfg(unix)]
mod file;
mod key;

use std::path::{Path, PathBuf};

use credchain::context::Context;
use credchain::{Credentials, Error, ErrorKind, ProvideCredentials, Result, SharedProvider};

pub use key::Request;

use crate::cli::CacheArgs;
use dir::Setting;
use entry::Entry;

/// The credentials of `provider`, resolved for `request`: through the on-disk cache when
/// `settings` (or `CREDCHAIN_CACHE_DIR`) turn it on, else straight from the provider.
pub async fn credentials(
    settings: &CacheArgs,
    request: &Request<'_>,
    provider: &SharedProvider,
    ctx: &Context,
) -> Result<Credentials> {
    let Some((dir, setting)) = dir::chosen(settings, ctx)? else {
        return provider.provide_credentials().await;
    };
    dir::prepare(&dir, setting)?;
    let path = dir.join(key::file_name(request, provider, ctx));
    tracing::debug!(file = %path.display(), "using the on-disk credentials cache");
    let job = Job {
        path,
        dir,
        setting,
        cloud: request.cloud,
        provider: provider.clone(),
        ctx: ctx.clone(),
        runtime: tokio::runtime::Handle::current(),
    };
    // The lock and the file I/O block; the fetch runs on the runtime meanwhile.
    tokio::task::spawn_blocking(move || job.run())
        .await
        .map_err(|e| Error::new(ErrorKind::Process, format!("the cache task failed: {e}")))?
}

/// One lookup: everything the blocking part needs.
struct Job {
    path: PathBuf,
    dir: PathBuf,
    setting: Setting,
    cloud: crate::cli::Cloud,
    provider: SharedProvider,
    ctx: Context,
    runtime: tokio::runtime::Handle,
}

impl Job {
    /// Under the entry's lock: the cached credentials, or new ones written back.
    fn run(self) -> Result<Credentials> {
        // The library's lock puts its lock file next to a symlink's target; a symlink at the
        // entry's path is removed first, so nothing outside the cache directory is touched.
        if is_symlink(&self.path) {
            self.discard("it is a symbolic link (not followed)");
        }
        let mut outcome = None;
        let locked = self.ctx.fs().with_lock(&self.path, &mut || {
            outcome = Some(self.locked());
            Ok(())
        });
        match (outcome, locked) {
            (Some(result), _) => result,
            (None, Err(e)) => Err(dir::unusable(
                self.setting,
                &self.dir,
                &format!("cannot be written (locking a cache file failed: {e})"),
            )),
            (None, Ok(())) => Err(Error::new(
                ErrorKind::File,
                "the credentials cache lock returned without running the lookup",
            )),
        }
    }

    fn locked(&self) -> Result<Credentials> {
        if let Some(cached) = self.cached() {
            tracing::debug!(file = %self.path.display(), "credentials served from the disk cache");
            return Ok(cached);
        }
        let fetched = self.runtime.block_on(self.provider.provide_credentials())?;
        match Entry::of(&fetched, self.ctx.now()) {
            Some(entry) => {
                if let Err(e) = self
                    .ctx
                    .fs()
                    .write_atomic(&self.path, &entry.encode(self.cloud))
                {
                    warn(&self.path, &format!("it cannot be written ({e})"));
                }
            }
            None => tracing::debug!("credentials without an expiry are not written to the cache"),
        }
        Ok(fetched)
    }

    /// The entry's credentials if it exists, can be trusted and is before its prefetch point.
    /// A file that cannot be used is reported and removed.
    fn cached(&self) -> Option<Credentials> {
        let refused = match read(&self.path) {
            Ok(None) => return None,
            Ok(Some(bytes)) => match Entry::decode(&bytes, self.cloud) {
                Ok(entry) if entry.is_fresh_at(self.ctx.now()) => {
                    return Some(entry.into_credentials())
                }
                Ok(_) => return None,
                Err(why) => why,
            },
            Err(why) => why,
        };
        self.discard(&refused);
        None
    }

    /// Reports why the file at the entry's path is not used, and removes it.
    fn discard(&self, refused: &str) {
        warn(
            &self.path,
            &format!("{refused}; it is not used and is replaced"),
        );
        if let Err(e) = remove(&self.path) {
            warn(&self.path, &format!("it cannot be removed ({e})"));
        }
    }
}

#[cfg(unix)]
fn read(path: &Path) -> std::result::Result<Option<Vec<u8>>, String> {
    file::read(path)
}

#[cfg(unix)]
fn remove(path: &Path) -> std::io::Result<()> {
    file::remove(path)
}

// Unreachable: `dir::prepare` refuses every directory off Unix.
#[cfg(not(unix))]
fn read(_: &Path) -> std::result::Result<Option<Vec<u8>>, String> {
    Ok(None)
}

#[cfg(not(unix))]
fn remove(_: &Path) -> std::io::Result<()> {
    Ok(())
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn warn(path: &Path, what: &str) {
    eprintln!(
        "credchain: warning: credentials cache file {}: {what}",
        path.display()
    );
}
