//! Everything outside the process, injected: environment variables, files, the clock and HTTP.
//!
//! Providers never call `std::env`, `std::fs`, `SystemTime::now` or a network client directly; they
//! take them from a [`Context`]. [`Context::real`] uses the operating system; tests build one from
//! [`MemoryEnv`], [`MemoryFs`] and [`ManualClock`] and point HTTP at the emulator on loopback, so no
//! test touches the process environment, the real home directory or a real network address.
//!
//! Settings read from the environment never fall back silently: a variable that is set but not
//! valid UTF-8 is an error naming it ([`Env::var`]), and every boolean switch of both clouds is
//! read by one parser ([`parse_flag`] through [`Context::env_flag`]): `true`/`false`, `1`/`0`,
//! `yes`/`no` in any case, empty meaning unset, anything else an error naming the variable.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::error::{Error, ErrorKind, Result};
use crate::http::{HttpClient, NoHttpClient};

/// Largest file credchain reads (credentials files, config.json, token files): 1 MiB. A larger file
/// is rejected with a clear error instead of being read into memory.
pub const MAX_FILE_SIZE: u64 = 1024 * 1024;

/// Environment variables.
///
/// Implementors provide [`Env::var_os`], the raw value; everything else reads through
/// [`Env::var`], which turns a value that is set but not valid UTF-8 into an error naming the
/// variable (never its value), so a setting that cannot be read is never mistaken for an unset one.
pub trait Env: Send + Sync + fmt::Debug {
    /// The raw value of `name`, `None` when unset. Not necessarily UTF-8.
    fn var_os(&self, name: &str) -> Option<OsString>;

    /// The value of `name` as text: `Ok(None)` when unset, an [`ErrorKind::InvalidConfig`] error
    /// naming the variable when it is set but not valid UTF-8.
    fn var(&self, name: &str) -> Result<Option<String>> {
        match self.var_os(name) {
            None => Ok(None),
            Some(v) => v.into_string().map(Some).map_err(|_| not_unicode(name)),
        }
    }

    /// The home directory: `HOME`, then `USERPROFILE` (the Go and Python references' order).
    /// A path need not be UTF-8, so this reads the raw values.
    fn home_dir(&self) -> Option<PathBuf> {
        ["HOME", "USERPROFILE"]
            .iter()
            .filter_map(|n| self.var_os(n))
            .find(|v| !v.is_empty())
            .map(PathBuf::from)
    }
}

/// The error for a variable that is set but not valid UTF-8. The value is not shown: it may be a
/// secret, and it is not printable anyway.
fn not_unicode(name: &str) -> Error {
    Error::invalid_config(format!(
        "environment variable {name} is set but its value is not valid UTF-8"
    ))
    .with_hint(format!("set {name} to a UTF-8 value, or unset it"))
}

/// Parses a boolean switch the way every boolean variable of both clouds is read: `true`, `1`,
/// `yes` and `false`, `0`, `no`, in any case, surrounding spaces ignored. `None` for anything
/// else. (The official libraries test `value.lower() == "true"`, so `1` or `yes` silently meant
/// "off" there; credchain accepts them and refuses everything it cannot read.)
///
/// ```
/// use credchain::context::parse_flag;
/// assert_eq!(parse_flag(" TRUE "), Some(true));
/// assert_eq!(parse_flag("Yes"), Some(true));
/// assert_eq!(parse_flag("0"), Some(false));
/// assert_eq!(parse_flag("on"), None);
/// ```
pub fn parse_flag(value: &str) -> Option<bool> {
    const TRUE: [&str; 3] = ["true", "1", "yes"];
    const FALSE: [&str; 3] = ["false", "0", "no"];
    let v = value.trim();
    if TRUE.iter().any(|t| v.eq_ignore_ascii_case(t)) {
        Some(true)
    } else if FALSE.iter().any(|f| v.eq_ignore_ascii_case(f)) {
        Some(false)
    } else {
        None
    }
}

/// The process environment.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEnv;

impl Env for OsEnv {
    fn var_os(&self, name: &str) -> Option<OsString> {
        std::env::var_os(name)
    }
}

/// A fixed environment for tests and embedding.
///
/// ```
/// use credchain::context::{Env, MemoryEnv};
/// let env = MemoryEnv::from_pairs([("HOME", "/home/me"), ("TENCENTCLOUD_SECRET_ID", "AKID")]);
/// assert_eq!(env.var("TENCENTCLOUD_SECRET_ID").unwrap().as_deref(), Some("AKID"));
/// assert_eq!(env.home_dir().unwrap(), std::path::PathBuf::from("/home/me"));
/// assert!(env.var("PATH").unwrap().is_none());
/// ```
#[derive(Default, Clone)]
pub struct MemoryEnv(HashMap<String, OsString>);

impl MemoryEnv {
    /// An empty environment.
    pub fn new() -> Self {
        Self::default()
    }
    /// An environment with these variables.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        MemoryEnv(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), OsString::from(v.into())))
                .collect(),
        )
    }
    /// Sets one variable.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.insert(name.into(), OsString::from(value.into()));
    }
    /// Sets one variable to a raw value, which need not be UTF-8 (to test how unreadable values
    /// are handled).
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use std::os::unix::ffi::OsStringExt;
    /// use credchain::context::{Env, MemoryEnv};
    /// let mut env = MemoryEnv::new();
    /// env.set_os("ALIBABA_CLOUD_STS_ENDPOINT", std::ffi::OsString::from_vec(vec![0xff]));
    /// let e = env.var("ALIBABA_CLOUD_STS_ENDPOINT").unwrap_err();
    /// assert!(e.to_string().contains("ALIBABA_CLOUD_STS_ENDPOINT"));
    /// # }
    /// ```
    pub fn set_os(&mut self, name: impl Into<String>, value: impl Into<OsString>) {
        self.0.insert(name.into(), value.into());
    }
}

impl fmt::Debug for MemoryEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Variable values may be secrets: show only the names.
        let mut names: Vec<&String> = self.0.keys().collect();
        names.sort();
        f.debug_struct("MemoryEnv").field("names", &names).finish()
    }
}

impl Env for MemoryEnv {
    fn var_os(&self, name: &str) -> Option<OsString> {
        self.0.get(name).cloned()
    }
}

/// Files.
///
/// Reads are synchronous: credential files are small and bounded by [`MAX_FILE_SIZE`].
pub trait Fs: Send + Sync + fmt::Debug {
    /// Reads a whole regular file of at most `limit` bytes. A missing file is `NotFound`; a
    /// directory, FIFO, socket or device is refused (`InvalidInput`, "the path is a FIFO (named
    /// pipe), not a regular file") without blocking on it; a larger file is `InvalidData` ("file
    /// is larger than ..."). A symlink to a regular file is read like the file.
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>>;

    /// Runs `f` while holding an exclusive lock tied to `path`, shared with every other user of
    /// the same file system (for [`OsFs`]: other threads and other processes, through an advisory
    /// lock on the sibling file `<path>.lock`, removed again before it is released). Used for
    /// read-modify-write of shared config files.
    /// The default implementation refuses (`Unsupported`).
    fn with_lock(&self, path: &Path, f: &mut dyn FnMut() -> io::Result<()>) -> io::Result<()> {
        let _ = (path, f);
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this file system cannot lock files",
        ))
    }

    /// Replaces the whole file at `path` atomically: readers see the old or the new content,
    /// never a mix, even if the process dies midway. The new file is readable and writable by
    /// its owner only (0600 on Unix, as aliyun-cli writes `config.json`): the files credchain
    /// writes hold secrets. [`OsFs`] writes an owner-only temp file in the same directory,
    /// fsyncs it and renames it over the target; call it inside [`Fs::with_lock`] on the same
    /// path, which removes the temp files of writers killed midway. The default implementation
    /// refuses (`Unsupported`).
    fn write_atomic(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        let _ = (path, contents);
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this file system is read-only",
        ))
    }
}

/// The real file system.
///
/// - Reads refuse anything but regular files (symlinks are followed) before opening them, and
///   open with `O_NONBLOCK` and check again on the open file, so a path swapped for a FIFO in
///   between cannot hang the read either. Every read is bounded by its `limit`.
/// - [`Fs::with_lock`] locks `<path>.lock` (created 0600) and removes it before releasing it;
///   a waiter that finds it locked a removed lock file starts over on the new one. Under the
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
        let file = lock_file(&lock_path)?;
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
/// `lock_path` (its previous holder removed it while this thread waited).
fn lock_file(lock_path: &Path) -> io::Result<std::fs::File> {
    use fs4::FileExt;
    loop {
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(lock_path)?;
        // Blocks until every other holder (thread or process) has released it; released when
        // `file` is closed, also when the process dies.
        FileExt::lock(&file)?;
        if is_still_at(&file, lock_path) {
            return Ok(file);
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

fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("file is larger than {limit} bytes"),
    )
}

/// An in-memory file system for tests. Paths are compared exactly; a path that is a prefix of a
/// stored file (`/home/u/.aliyun`) behaves as a directory.
///
/// ```
/// use std::path::Path;
/// use credchain::context::{Fs, MemoryFs};
/// let fs = MemoryFs::new().with_file("/home/u/.tencentcloud/credentials", "[default]\n");
/// assert_eq!(fs.read(Path::new("/home/u/.tencentcloud/credentials"), 1024).unwrap(), b"[default]\n");
/// assert_eq!(fs.read(Path::new("/nope"), 1024).unwrap_err().kind(), std::io::ErrorKind::NotFound);
/// assert!(fs.read(Path::new("/home/u/.tencentcloud"), 1024).is_err());
/// ```
#[derive(Default, Clone)]
pub struct MemoryFs(
    Arc<Mutex<HashMap<PathBuf, Vec<u8>>>>,
    /// The lock of [`Fs::with_lock`] (one for the whole in-memory file system).
    Arc<Mutex<()>>,
);

impl MemoryFs {
    /// An empty file system.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a file.
    pub fn with_file(self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) -> Self {
        self.write(path, contents);
        self
    }
    /// Adds or replaces a file.
    pub fn write(&self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.files().insert(path.into(), contents.into());
    }
    /// Loads every file under `dir` on disk, mounted at `/` (aws-config's `Fs::from_test_dir`):
    /// `dir/home/.aliyun/config.json` becomes `/home/.aliyun/config.json`.
    pub fn from_dir(dir: &Path) -> io::Result<Self> {
        let fs = MemoryFs::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d)? {
                let path = entry?.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(rel) = path.strip_prefix(dir) {
                    fs.write(Path::new("/").join(rel), std::fs::read(&path)?);
                }
            }
        }
        Ok(fs)
    }
    fn files(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Vec<u8>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl fmt::Debug for MemoryFs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let files = self.files();
        let mut names: Vec<&PathBuf> = files.keys().collect();
        names.sort();
        f.debug_struct("MemoryFs").field("files", &names).finish()
    }
}

impl Fs for MemoryFs {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        let files = self.files();
        if let Some(data) = files.get(path) {
            if data.len() as u64 > limit {
                return Err(too_large(limit));
            }
            return Ok(data.clone());
        }
        if files.keys().any(|p| p.starts_with(path)) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the path is a directory, not a regular file",
            ));
        }
        Err(io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn with_lock(&self, _path: &Path, f: &mut dyn FnMut() -> io::Result<()>) -> io::Result<()> {
        let _guard = self.1.lock().unwrap_or_else(|p| p.into_inner());
        f()
    }

    fn write_atomic(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        self.write(path, contents.to_vec());
        Ok(())
    }
}

/// Time: the wall clock (what servers' expiry times are compared with) and a monotonic clock
/// (what refresh schedules run on).
///
/// The two are separate because the wall clock can be set back or forward at any moment (by an
/// administrator, NTP, a VM resume), while "this credential has 50 minutes left" is a duration
/// that must keep shrinking whatever the wall clock says. The cache reads the wall clock once per
/// fetch, to turn the server's expiry into a lifetime, and counts that lifetime down on the
/// monotonic clock.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;

    /// A monotonic reading: time since an arbitrary fixed origin, never going back and not moved
    /// by changes to the wall clock. Only differences between readings mean anything.
    ///
    /// The default implementation reads the process's monotonic clock (`Instant`); a test clock
    /// that fakes the wall clock should override it too (as [`ManualClock`] does), or schedules
    /// will run in real time.
    fn monotonic(&self) -> Duration {
        static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        ORIGIN.get_or_init(std::time::Instant::now).elapsed()
    }
}

/// The system clock.
///
/// On Linux it reads `CLOCK_REALTIME_COARSE` and `CLOCK_MONOTONIC_COARSE` (a few ns each,
/// millisecond-ish resolution), which is plenty for credential expiry and keeps the cached-read
/// hot path cheap.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[inline]
    fn now(&self) -> SystemTime {
        coarse_now()
    }

    #[inline]
    fn monotonic(&self) -> Duration {
        coarse_monotonic()
    }
}

/// `clock_gettime(id)` as a duration since that clock's origin; `None` if the call fails.
#[cfg(target_os = "linux")]
#[inline]
fn clock_gettime(id: libc::clockid_t) -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; clock_gettime only writes to it.
    let rc = unsafe { libc::clock_gettime(id, &mut ts) };
    if rc != 0 || ts.tv_sec < 0 {
        return None;
    }
    Some(Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

#[cfg(target_os = "linux")]
#[inline]
fn coarse_now() -> SystemTime {
    match clock_gettime(libc::CLOCK_REALTIME_COARSE) {
        Some(d) => SystemTime::UNIX_EPOCH + d,
        None => SystemTime::now(),
    }
}

#[cfg(target_os = "linux")]
#[inline]
fn coarse_monotonic() -> Duration {
    // CLOCK_MONOTONIC (not BOOTTIME): like `Instant`, it does not count suspended time, which is
    // at worst a refresh that comes late after a laptop wakes; the stale point then catches it.
    clock_gettime(libc::CLOCK_MONOTONIC_COARSE).unwrap_or_else(|| SystemClock.monotonic_std())
}

#[cfg(not(target_os = "linux"))]
#[inline]
fn coarse_now() -> SystemTime {
    SystemTime::now()
}

#[cfg(not(target_os = "linux"))]
#[inline]
fn coarse_monotonic() -> Duration {
    SystemClock.monotonic_std()
}

impl SystemClock {
    /// The portable monotonic reading (`Instant` since the first call).
    fn monotonic_std(&self) -> Duration {
        static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        ORIGIN.get_or_init(std::time::Instant::now).elapsed()
    }
}

/// A clock that moves only when told to, for tests: [`ManualClock::advance`] moves the wall
/// clock and the monotonic clock together (time passes); [`ManualClock::set`] moves only the wall
/// clock (someone changes the system time).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use credchain::context::{Clock, ManualClock};
/// let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
/// let m0 = clock.monotonic();
/// clock.advance(Duration::from_secs(60));
/// assert_eq!(clock.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(60));
/// clock.set(SystemTime::UNIX_EPOCH); // the wall clock goes back...
/// assert_eq!(clock.monotonic() - m0, Duration::from_secs(60)); // ...monotonic time does not
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<ManualTime>>);

#[derive(Debug, Clone, Copy)]
struct ManualTime {
    wall: SystemTime,
    monotonic: Duration,
}

impl ManualClock {
    /// A clock stopped at `start` (its monotonic reading starts at an arbitrary fixed value).
    pub fn new(start: SystemTime) -> Self {
        ManualClock(Arc::new(Mutex::new(ManualTime {
            wall: start,
            monotonic: Duration::from_secs(1_000_000),
        })))
    }
    /// Lets time pass: moves the wall clock and the monotonic clock forward.
    pub fn advance(&self, by: Duration) {
        let mut t = self.time();
        t.wall += by;
        t.monotonic += by;
    }
    /// Sets the wall clock (forward or back); the monotonic clock does not move.
    pub fn set(&self, to: SystemTime) {
        self.time().wall = to;
    }
    fn time(&self) -> std::sync::MutexGuard<'_, ManualTime> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        self.time().wall
    }
    fn monotonic(&self) -> Duration {
        self.time().monotonic
    }
}

/// The injected outside world: env, files, clock and HTTP. Cheap to clone.
///
/// ```
/// use credchain::context::{Context, MemoryEnv, MemoryFs};
/// let ctx = Context::empty()
///     .with_env(MemoryEnv::from_pairs([("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")]))
///     .with_fs(MemoryFs::new());
/// assert_eq!(ctx.env_var("ALIBABA_CLOUD_ACCESS_KEY_ID").unwrap().as_deref(), Some("id"));
/// assert_eq!(ctx.env_var("UNSET").unwrap(), None);
/// ```
#[derive(Clone, Debug)]
pub struct Context {
    env: Arc<dyn Env>,
    fs: Arc<dyn Fs>,
    clock: Arc<dyn Clock>,
    http: Arc<dyn HttpClient>,
}

impl Context {
    /// The real operating system: process env, real files, system clock and (with the `reqwest`
    /// feature) the default HTTP client, whose proxy settings come from the same env.
    pub fn real() -> Self {
        let env: Arc<dyn Env> = Arc::new(OsEnv);
        Context {
            http: default_http_client(env.as_ref()),
            env,
            fs: Arc::new(OsFs),
            clock: Arc::new(SystemClock),
        }
    }

    /// Nothing outside: empty env, empty file system, system clock, and an HTTP client that refuses
    /// every request. The base for tests.
    pub fn empty() -> Self {
        Context {
            env: Arc::new(MemoryEnv::new()),
            fs: Arc::new(MemoryFs::new()),
            clock: Arc::new(SystemClock),
            http: Arc::new(NoHttpClient),
        }
    }

    /// Replaces the environment.
    pub fn with_env(mut self, env: impl Env + 'static) -> Self {
        self.env = Arc::new(env);
        self
    }
    /// Replaces the file system.
    pub fn with_fs(mut self, fs: impl Fs + 'static) -> Self {
        self.fs = Arc::new(fs);
        self
    }
    /// Replaces the clock.
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }
    /// Replaces the HTTP client.
    pub fn with_http(mut self, http: impl HttpClient + 'static) -> Self {
        self.http = Arc::new(http);
        self
    }
    /// Replaces the HTTP client with a shared one.
    pub fn with_shared_http(mut self, http: Arc<dyn HttpClient>) -> Self {
        self.http = http;
        self
    }

    /// The environment.
    pub fn env(&self) -> &dyn Env {
        self.env.as_ref()
    }
    /// One environment variable: `Ok(None)` when unset, an error naming it when it is set but not
    /// valid UTF-8 (see [`Env::var`]).
    pub fn env_var(&self, name: &str) -> Result<Option<String>> {
        self.env.var(name)
    }
    /// One environment variable, `Ok(None)` when unset or empty; an error when unreadable.
    pub fn env_non_empty(&self, name: &str) -> Result<Option<String>> {
        Ok(self.env.var(name)?.filter(|v| !v.is_empty()))
    }
    /// A boolean switch: `false` when unset or empty, else read by [`parse_flag`]. Any other value
    /// is an [`ErrorKind::InvalidConfig`] error naming the variable (a safety switch that cannot
    /// be read never silently means "off").
    pub fn env_flag(&self, name: &str) -> Result<bool> {
        Ok(self.env_bool(name)?.unwrap_or(false))
    }
    /// A boolean switch: `None` when unset or empty (blank counts as empty), else as [`Self::env_flag`].
    pub fn env_bool(&self, name: &str) -> Result<Option<bool>> {
        let Some(value) = self.env.var(name)?.filter(|v| !v.trim().is_empty()) else {
            return Ok(None);
        };
        match parse_flag(&value) {
            Some(b) => Ok(Some(b)),
            None => Err(Error::new(
                ErrorKind::InvalidConfig,
                format!("environment variable {name} is not a boolean"),
            )
            .with_hint(format!(
                "set {name} to true or false (also accepted: 1/0, yes/no, any case), or unset it"
            ))),
        }
    }
    /// The file system.
    pub fn fs(&self) -> &dyn Fs {
        self.fs.as_ref()
    }
    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }
    /// The current time.
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }
    /// The shared clock (for caches that outlive a borrow).
    pub fn shared_clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }
    /// The HTTP client.
    pub fn http(&self) -> &Arc<dyn HttpClient> {
        &self.http
    }
}

impl Default for Context {
    fn default() -> Self {
        Context::real()
    }
}

#[cfg(feature = "reqwest")]
fn default_http_client(env: &dyn Env) -> Arc<dyn HttpClient> {
    Arc::new(crate::http::ReqwestClient::from_env(env))
}

#[cfg(not(feature = "reqwest"))]
fn default_http_client(_env: &dyn Env) -> Arc<dyn HttpClient> {
    Arc::new(NoHttpClient)
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
    fn memory_env_debug_hides_values() {
        let env = MemoryEnv::from_pairs([("SECRET_KEY", "hunter2")]);
        let shown = format!("{env:?}");
        assert!(shown.contains("SECRET_KEY") && !shown.contains("hunter2"));
    }

    #[test]
    fn flags_and_home() {
        let ctx = Context::empty().with_env(MemoryEnv::from_pairs([
            ("A", " TRUE "),
            ("B", "yes"),
            ("ONE", "1"),
            ("NO", "No"),
            ("ZERO", "0"),
            ("EMPTY", ""),
            ("BLANK", "  "),
            ("USERPROFILE", "C:\\Users\\me"),
        ]));
        for on in ["A", "B", "ONE"] {
            assert!(ctx.env_flag(on).unwrap(), "{on}");
        }
        for off in ["NO", "ZERO", "EMPTY", "BLANK", "UNSET"] {
            assert!(!ctx.env_flag(off).unwrap(), "{off}");
        }
        assert_eq!(ctx.env_bool("EMPTY").unwrap(), None);
        assert_eq!(ctx.env_bool("ZERO").unwrap(), Some(false));
        assert_eq!(
            ctx.env().home_dir().unwrap(),
            PathBuf::from("C:\\Users\\me")
        );
    }

    #[test]
    fn unreadable_flag_is_an_error_naming_the_variable() {
        for bad in ["on", "enabled", "2", "tru", "y"] {
            let ctx = Context::empty().with_env(MemoryEnv::from_pairs([("SWITCH", bad)]));
            let e = ctx.env_flag("SWITCH").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig);
            assert!(e.to_string().contains("SWITCH"), "{e}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_value_is_an_error_not_unset() {
        use std::os::unix::ffi::OsStringExt;
        let mut env = MemoryEnv::new();
        env.set_os("VAR", OsString::from_vec(b"s3cr\xffet".to_vec()));
        env.set_os("HOME", OsString::from_vec(b"/home/\xff".to_vec()));
        let ctx = Context::empty().with_env(env);
        for e in [
            ctx.env_var("VAR").unwrap_err(),
            ctx.env_non_empty("VAR").unwrap_err(),
            ctx.env_flag("VAR").unwrap_err(),
        ] {
            let text = e.to_string();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig);
            assert!(text.contains("VAR") && text.contains("UTF-8"), "{text}");
            assert!(!text.contains("s3cr"), "{text}");
        }
        // A path need not be UTF-8: the home directory is read raw.
        assert!(ctx.env().home_dir().is_some());
    }

    #[test]
    fn system_clock_monotonic_moves_forward_with_real_time() {
        let a = SystemClock.monotonic();
        std::thread::sleep(Duration::from_millis(30));
        let b = SystemClock.monotonic();
        assert!(b > a, "{a:?} then {b:?}");
    }

    #[test]
    fn system_clock_is_close_to_std() {
        let a = SystemClock.now();
        let b = SystemTime::now();
        let diff = b.duration_since(a).unwrap_or_else(|e| e.duration());
        assert!(diff < Duration::from_millis(100), "{diff:?}");
    }
}
