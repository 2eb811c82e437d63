//! [`OsFs`]: the real file system, with reads that never block on special files, a lock
//! shared with other processes, and atomic owner-only writes.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::fs::{too_large, Fs};

/// How long [`OsFs`]'s [`Fs::with_lock`] waits for another holder of the lock before failing.
/// Longer than any write-back or cache update takes (those hold the lock for one read, at most
/// one STS call with its timeouts, and one write), so it only ends a wait on a stuck holder.
pub const LOCK_WAIT: Duration = Duration::from_secs(60);

/// The real file system.
///
/// - Reads refuse anything but regular files (symlinks are followed) before opening them, and
///   open with `O_NONBLOCK` and check again on the open file, so a path swapped for a FIFO in
///   between cannot hang the read either. Every read is bounded by its `limit`.
/// - [`Fs::with_lock`] locks `<path>.lock` (created 0600) and removes it before releasing it;
///   a waiter that finds it locked a removed lock file starts over on the new one. A waiter
///   gives up after [`LOCK_WAIT`] with an error of kind `TimedOut` (a stuck holder, e.g. a
///   process stopped with SIGSTOP, must not hang every later credchain run). Under the
///   lock, temp files left by writers killed midway (`.<name>.tmp-*`, which may hold secrets)
///   are removed.
/// - [`Fs::write_atomic`] writes through a `tempfile` temp file (created 0600, random name
///   `.<name>.tmp-*`), fsyncs it, renames it over the target and fsyncs the directory.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsFs;

impl Fs for OsFs {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let file = open_regular_file(path)?;
        let mut buf = Vec::new();
        // Read one byte past the limit to tell "exactly at the limit" from "too large", also for
        // files whose metadata lies about their size (/proc).
        file.take(limit + 1).read_to_end(&mut buf)?;
        if buf.len() as u64 > limit {
            return Err(too_large(limit));
        }
        Ok(buf)
    }

    fn with_lock(&self, path: &Path, f: &mut dyn FnMut() -> io::Result<()>) -> io::Result<()> {
        use fs4::FileExt;
        let target = resolve_symlink(path);
        let lock_path = sibling(&target, "", ".lock");
        let file = lock_file(&lock_path, LOCK_WAIT)?;
        remove_stale_temp_files(&target);
        let result = f();
        // Removed while still held: the next waiter sees that its lock file is gone and
        // starts over (see `lock_file`), so no lock file is left behind.
        #[cfg(unix)]
        let _ = std::fs::remove_file(&lock_path);
        let _ = FileExt::unlock(&file);
        result
    }

    fn write_atomic(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        use std::io::Write;
        let target = resolve_symlink(path);
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // Created 0600 with O_EXCL under a random name: owner-only from the first byte.
        let mut tmp = tempfile::Builder::new()
            .prefix(&temp_prefix(&target))
            .tempfile_in(&dir)?;
        tmp.write_all(contents)?;
        tmp.as_file().sync_all()?;
        // On failure the temp file is removed when `tmp` (or the error holding it) drops.
        tmp.persist(&target).map_err(|e| e.error)?;
        #[cfg(unix)]
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// Opens `path` for reading if it is a regular file (following symlinks), without blocking.
fn open_regular_file(path: &Path) -> io::Result<std::fs::File> {
    // Look before opening: opening a FIFO for reading blocks until a writer shows up.
    ensure_regular(&std::fs::metadata(path)?)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // The path may be replaced by a FIFO after the check above: O_NONBLOCK makes that open
        // return at once, and the check on the open file below refuses it. It changes nothing
        // for regular files.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    ensure_regular(&file.metadata()?)?;
    Ok(file)
}

fn ensure_regular(meta: &std::fs::Metadata) -> io::Result<()> {
    if meta.is_file() {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "the path is {}, not a regular file",
            describe_file_type(meta.file_type())
        ),
    ))
}

/// "a directory", "a FIFO (named pipe)", ... for error messages.
fn describe_file_type(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// `<dir>/<prefix><name><suffix>` next to `path`.
fn sibling(path: &Path, prefix: &str, suffix: &str) -> PathBuf {
    let mut name = std::ffi::OsString::from(prefix);
    name.push(path.file_name().unwrap_or_default());
    name.push(suffix);
    path.with_file_name(name)
}

/// The name prefix of [`OsFs::write_atomic`]'s temp files for `target`: `.<name>.tmp-`.
fn temp_prefix(target: &Path) -> std::ffi::OsString {
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(target.file_name().unwrap_or_default());
    prefix.push(".tmp-");
    prefix
}

/// Opens and locks `lock_path`, starting over when the file locked is no longer the one at
/// `lock_path` (its previous holder removed it while this thread waited). Gives up after `wait`.
fn lock_file(lock_path: &Path, wait: Duration) -> io::Result<std::fs::File> {
    let deadline = Instant::now() + wait;
    loop {
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(lock_path)?;
        // Released when `file` is closed, also when the holder process dies.
        lock_before(&file, deadline, wait)?;
        if is_still_at(&file, lock_path) {
            return Ok(file);
        }
    }
}

/// Takes the exclusive lock on `file`, polling (1 ms growing to 50 ms) until `deadline`: fs4 has
/// no lock with a timeout, and a blocking lock would wait forever on a stuck holder.
fn lock_before(file: &std::fs::File, deadline: Instant, wait: Duration) -> io::Result<()> {
    use fs4::{FileExt, TryLockError};
    let mut pause = Duration::from_millis(1);
    loop {
        match FileExt::try_lock(file) {
            Ok(()) => return Ok(()),
            Err(TryLockError::Error(e)) => return Err(e),
            Err(TryLockError::WouldBlock) if Instant::now() >= deadline => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "another process has held the file's lock for {} s; if no credchain or \
                         aliyun process is writing it, remove the `.lock` file beside it",
                        wait.as_secs()
                    ),
                ));
            }
            Err(TryLockError::WouldBlock) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
        }
    }
}

#[cfg(unix)]
fn is_still_at(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_still_at(_file: &std::fs::File, _path: &Path) -> bool {
    // Lock files are not removed on this platform.
    true
}

/// Removes the temp files of writers of `target` that died before renaming them. Called under
/// the lock, when no live writer can own one.
fn remove_stale_temp_files(target: &Path) {
    let prefix = temp_prefix(target);
    let prefix = prefix.as_encoded_bytes();
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().as_encoded_bytes().starts_with(prefix) {
            if let Err(e) = std::fs::remove_file(entry.path()) {
                tracing::warn!(file = %entry.path().display(), error = %e, "cannot remove a stale temp file");
            }
        }
    }
}

/// The file a symlink points to (so a rename replaces the target, not the link), else `path`.
fn resolve_symlink(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_fs_limits_size_and_rejects_directories() {
        let dir = std::env::temp_dir().join(format!("credchain-fs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("big");
        std::fs::write(&f, vec![b'x'; 2048]).unwrap();
        assert_eq!(OsFs.read(&f, 4096).unwrap().len(), 2048);
        assert_eq!(OsFs.read(&f, 2048).unwrap().len(), 2048);
        let err = OsFs.read(&f, 1024).unwrap_err();
        assert!(err.to_string().contains("larger than 1024"));
        assert!(OsFs.read(&dir, 1024).is_err());
        assert_eq!(
            OsFs.read(&dir.join("none"), 10).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn scratch_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "credchain-fs-{tag}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A FIFO would block `open` until a writer shows up, and `/dev/zero` never ends: both are
    /// refused at once, with what they are in the message.
    #[cfg(unix)]
    #[test]
    fn os_fs_refuses_fifos_devices_and_directories_without_blocking() {
        let dir = scratch_dir("special");
        let fifo = dir.join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: `c` is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = OsFs.read(&fifo, 1024).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("FIFO"), "{err}");
        for (path, what) in [
            (Path::new("/dev/zero"), "character device"),
            (dir.as_path(), "directory"),
        ] {
            let err = OsFs.read(path, 1024).unwrap_err();
            assert!(err.to_string().contains(what), "{path:?}: {err}");
        }
        // A symlink to a FIFO is a FIFO; a symlink to a regular file is fine.
        std::os::unix::fs::symlink(&fifo, dir.join("to-fifo")).unwrap();
        assert!(OsFs.read(&dir.join("to-fifo"), 1024).is_err());
        std::fs::write(dir.join("real"), b"ok").unwrap();
        std::os::unix::fs::symlink(dir.join("real"), dir.join("to-real")).unwrap();
        assert_eq!(OsFs.read(&dir.join("to-real"), 1024).unwrap(), b"ok");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The target and every temp file are owner-only; a temp file left by a killed writer and
    /// the lock file are gone after the next locked write.
    #[cfg(unix)]
    #[test]
    fn os_fs_writes_owner_only_and_leaves_nothing_behind() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch_dir("write");
        let target = dir.join("config.json");
        std::fs::write(&target, b"{}").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        // What a writer killed between create and rename leaves.
        let stale = dir.join(".config.json.tmp-1234-5678");
        std::fs::write(&stale, b"{\"secret\": 1}").unwrap();
        let unrelated = dir.join(".other.json.tmp-1");
        std::fs::write(&unrelated, b"x").unwrap();
        OsFs.with_lock(&target, &mut || {
            assert!(
                !stale.exists(),
                "stale temp files are removed under the lock"
            );
            assert!(dir.join("config.json.lock").exists());
            OsFs.write_atomic(&target, b"{\"a\": 1}")
        })
        .unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"{\"a\": 1}");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".other.json.tmp-1", "config.json"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_stuck_lock_holder_makes_waiters_fail_not_hang() {
        use fs4::FileExt;
        let dir = scratch_dir("stuck");
        let lock_path = dir.join("config.json.lock");
        let holder = std::fs::File::create(&lock_path).unwrap();
        FileExt::lock(&holder).unwrap();
        let e = lock_file(&lock_path, Duration::from_millis(100)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(e.to_string().contains("remove the `.lock` file"), "{e}");
        FileExt::unlock(&holder).unwrap();
        assert!(lock_file(&lock_path, Duration::from_millis(100)).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
