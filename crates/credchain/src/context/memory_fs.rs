//! [`MemoryFs`]: an in-memory file system for tests and embedding.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::fs::{too_large, Fs};

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
