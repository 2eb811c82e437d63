//! Files: the [`Fs`] trait and the size limit on every read. The implementations are
//! [`super::OsFs`] (the real file system) and [`super::MemoryFs`] (in memory, for tests).

use std::fmt;
use std::io;
use std::path::Path;

/// Largest file credchain reads (credentials files, config.json, token files): 1 MiB. A larger file
/// is rejected with a clear error instead of being read into memory.
pub const MAX_FILE_SIZE: u64 = 1024 * 1024;

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
    /// the same file system (for [`OsFs`](super::OsFs): other threads and other processes, through an advisory
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
    /// writes hold secrets. [`OsFs`](super::OsFs) writes an owner-only temp file in the same directory,
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

/// The error of a read over its limit, the same for every file system.
pub(super) fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("file is larger than {limit} bytes"),
    )
}
