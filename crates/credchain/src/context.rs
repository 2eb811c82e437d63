//! Everything outside the process, injected: environment variables, files, the clock and HTTP.
//!
//! Providers never call `std::env`, `std::fs`, `SystemTime::now` or a network client directly; they
//! take them from a [`Context`]. [`Context::real`] uses the operating system; tests build one from
//! [`MemoryEnv`], [`MemoryFs`] and [`ManualClock`] and point HTTP at the emulator on loopback, so no
//! test touches the process environment, the real home directory or a real network address.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::http::{HttpClient, NoHttpClient};

/// Largest file credchain reads (credentials files, config.json, token files): 1 MiB. A larger file
/// is rejected with a clear error instead of being read into memory.
pub const MAX_FILE_SIZE: u64 = 1024 * 1024;

/// Environment variables.
pub trait Env: Send + Sync + fmt::Debug {
    /// The value of `name`, or `None` when unset (or not valid UTF-8).
    fn var(&self, name: &str) -> Option<String>;

    /// The home directory: `HOME`, then `USERPROFILE` (the Go and Python references' order).
    fn home_dir(&self) -> Option<PathBuf> {
        ["HOME", "USERPROFILE"]
            .iter()
            .filter_map(|n| self.var(n))
            .find(|v| !v.is_empty())
            .map(PathBuf::from)
    }
}

/// The process environment.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEnv;

impl Env for OsEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// A fixed environment for tests and embedding.
///
/// ```
/// use credchain::context::{Env, MemoryEnv};
/// let env = MemoryEnv::from_pairs([("HOME", "/home/me"), ("TENCENTCLOUD_SECRET_ID", "AKID")]);
/// assert_eq!(env.var("TENCENTCLOUD_SECRET_ID").as_deref(), Some("AKID"));
/// assert_eq!(env.home_dir().unwrap(), std::path::PathBuf::from("/home/me"));
/// assert!(env.var("PATH").is_none());
/// ```
#[derive(Default, Clone)]
pub struct MemoryEnv(HashMap<String, String>);

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
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
    /// Sets one variable.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
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
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// Files.
///
/// Reads are synchronous: credential files are small and bounded by [`MAX_FILE_SIZE`].
pub trait Fs: Send + Sync + fmt::Debug {
    /// Reads a whole file of at most `limit` bytes. A missing file is `NotFound`, a directory is an
    /// error, and a larger file is `InvalidData` ("file is larger than ...").
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>>;

    /// Runs `f` while holding an exclusive lock tied to `path`, shared with every other user of
    /// the same file system (for [`OsFs`]: other threads and other processes, through an advisory
    /// lock on the sibling file `<path>.lock`). Used for read-modify-write of shared config files.
    /// The default implementation refuses (`Unsupported`).
    fn with_lock(&self, path: &Path, f: &mut dyn FnMut() -> io::Result<()>) -> io::Result<()> {
        let _ = (path, f);
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this file system cannot lock files",
        ))
    }

    /// Replaces the whole file at `path` atomically: readers see the old or the new content,
    /// never a mix, even if the process dies midway. [`OsFs`] writes a temp file in the same
    /// directory, fsyncs it, keeps the original file's permissions, and renames it over the
    /// target. The default implementation refuses (`Unsupported`).
    fn write_atomic(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        let _ = (path, contents);
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this file system is read-only",
        ))
    }
}

/// The real file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsFs;

impl Fs for OsFs {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(io::Error::other("the path is a directory, not a file"));
        }
        let mut buf = Vec::new();
        // Read one byte past the limit to tell "exactly at the limit" from "too large", also for
        // files whose metadata lies about their size (/proc, pipes).
        file.take(limit + 1).read_to_end(&mut buf)?;
        if buf.len() as u64 > limit {
            return Err(too_large(limit));
        }
        Ok(buf)
    }

    fn with_lock(&self, path: &Path, f: &mut dyn FnMut() -> io::Result<()>) -> io::Result<()> {
        use fs4::FileExt;
        let target = resolve_symlink(path);
        let mut name = target.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        let lock_path = target.with_file_name(name);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)?;
        // Blocks until every other holder (thread or process) has released it; released when
        // `file` is closed, also when the process dies.
        FileExt::lock(&file)?;
        let result = f();
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
        let permissions = std::fs::metadata(&target).ok().map(|m| m.permissions());
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(target.file_name().unwrap_or_default());
        tmp_name.push(format!(".tmp-{}-{nanos}", std::process::id()));
        let tmp = dir.join(tmp_name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            // Owner-only until the original permissions are applied: the content may be secret.
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let write = || -> io::Result<()> {
            let mut file = options.open(&tmp)?;
            file.write_all(contents)?;
            if let Some(p) = &permissions {
                file.set_permissions(p.clone())?;
            }
            file.sync_all()?;
            drop(file);
            std::fs::rename(&tmp, &target)?;
            #[cfg(unix)]
            if let Ok(d) = std::fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        let result = write();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
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
            return Err(io::Error::other("the path is a directory, not a file"));
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
/// assert_eq!(ctx.env_var("ALIBABA_CLOUD_ACCESS_KEY_ID").as_deref(), Some("id"));
/// assert_eq!(ctx.env_var("UNSET"), None);
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
    /// One environment variable.
    pub fn env_var(&self, name: &str) -> Option<String> {
        self.env.var(name)
    }
    /// One environment variable, `None` when unset or empty.
    pub fn env_non_empty(&self, name: &str) -> Option<String> {
        self.env.var(name).filter(|v| !v.is_empty())
    }
    /// Whether a variable is set to `true` (any case, surrounding spaces ignored), as the
    /// references test their boolean switches.
    pub fn env_flag(&self, name: &str) -> bool {
        self.env
            .var(name)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
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
            ("USERPROFILE", "C:\\Users\\me"),
        ]));
        assert!(ctx.env_flag("A"));
        assert!(!ctx.env_flag("B"));
        assert!(!ctx.env_flag("C"));
        assert_eq!(
            ctx.env().home_dir().unwrap(),
            PathBuf::from("C:\\Users\\me")
        );
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
