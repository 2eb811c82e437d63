//! Reading a cache file without trusting it.
//!
//! The cache directory is owner-only, but a file in it may still be hostile or broken: a
//! symlink (never followed: `O_NOFOLLOW`), a FIFO or device (opened `O_NONBLOCK` and refused
//! before any read, so nothing hangs), a file another user owns or other users may read, or one
//! too large (at most [`MAX_ENTRY_SIZE`] bytes are read). Such a file is reported by what is
//! wrong with it, never by its content.

use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

/// The largest cache file read; an entry is a few hundred bytes.
pub const MAX_ENTRY_SIZE: u64 = 64 * 1024;

/// Why a cache file is not used (no content, only what is wrong with it).
pub type Refusal = String;

/// The file's bytes; `Ok(None)` when there is no file.
pub fn read(path: &Path) -> Result<Option<Vec<u8>>, Refusal> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("it cannot be inspected ({e})")),
    };
    if meta.file_type().is_symlink() {
        return Err("it is a symbolic link (not followed)".into());
    }
    check(&meta)?;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| format!("it cannot be opened ({e})"))?;
    // Checked again on the open file: the path may have been swapped since.
    let meta = file
        .metadata()
        .map_err(|e| format!("it cannot be inspected ({e})"))?;
    check(&meta)?;
    let mut bytes = Vec::new();
    file.take(MAX_ENTRY_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("it cannot be read ({e})"))?;
    if bytes.len() as u64 > MAX_ENTRY_SIZE {
        return Err(too_large());
    }
    Ok(Some(bytes))
}

/// A regular file of this user, owner-only, not too large.
fn check(meta: &std::fs::Metadata) -> Result<(), Refusal> {
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    if meta.uid() != effective_uid() {
        return Err(format!("it belongs to another user (uid {})", meta.uid()));
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "other users may access it (mode {mode:04o}; the cache writes 0600)"
        ));
    }
    if meta.len() > MAX_ENTRY_SIZE {
        return Err(too_large());
    }
    Ok(())
}

fn too_large() -> Refusal {
    format!("it is larger than {MAX_ENTRY_SIZE} bytes")
}

/// This process's effective user id, the owner every cache file and the directory must have.
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid(2) takes no arguments, cannot fail and touches no memory of ours.
    unsafe { libc::geteuid() }
}

/// Removes the file at `path` itself (a symlink, not its target); a file already gone is fine.
pub fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
