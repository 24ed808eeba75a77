//! Locks on the data directory, shared between processes (`flock(2)` on a file in it).
//!
//! - [`ServiceLock`], `<data dir>/service.lock`: held by `safetrace serve` for as long as
//!   it runs. A second service on the same data directory, and `safetrace restore` into
//!   it, find it taken and refuse. The kernel releases it when the process ends, however
//!   it ends.
//! - [`MaintenanceLock`], `<data dir>/maintenance.lock`: held by `safetrace backup` from
//!   before it copies the database until the last upload is copied. **Anything that
//!   deletes stored upload files (the orphan-upload sweep) must hold it while it marks rows
//!   and deletes files**, so that no file the backup's copy of the database cites is
//!   removed before it is copied. The sweep can take it with
//!   [`MaintenanceLock::try_acquire`] and simply skip its round when a backup runs.
//!
//! The lock files themselves are empty markers (the service lock holds the pid, for the
//! message) and are never removed: removing a lock file while another process holds it
//! would let a third lock a new file of the same name.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

pub const SERVICE_LOCK: &str = "service.lock";
pub const MAINTENANCE_LOCK: &str = "maintenance.lock";

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{path} is held by another process{holder}")]
    Busy { path: PathBuf, holder: String },
    #[error("cannot lock {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

/// An exclusive `flock` on a file, released when dropped (or when the process ends).
#[derive(Debug)]
struct FileLock {
    file: File,
    path: PathBuf,
}

impl FileLock {
    fn take(path: PathBuf, wait: bool) -> Result<FileLock, LockError> {
        let io_err = |source| LockError::Io { path: path.clone(), source };
        let file = match OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path) {
            Ok(file) => file,
            // A lock file another user made (root running a backup by hand): flock needs
            // only a descriptor, not write access.
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => File::open(&path).map_err(io_err)?,
            Err(e) => return Err(io_err(e)),
        };
        if let Err(e) = flock(&file, wait) {
            if e.kind() == io::ErrorKind::WouldBlock {
                let holder = holder_of(&path).map(|pid| format!(" (pid {pid})")).unwrap_or_default();
                return Err(LockError::Busy { path, holder });
            }
            return Err(io_err(e));
        }
        Ok(FileLock { file, path })
    }
}

#[cfg(unix)]
fn flock(file: &File, wait: bool) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let op = if wait { libc::LOCK_EX } else { libc::LOCK_EX | libc::LOCK_NB };
    loop {
        // SAFETY: flock on a descriptor this function borrows; no memory is passed.
        let rc = unsafe { libc::flock(file.as_raw_fd(), op) };
        if rc == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

#[cfg(not(unix))]
fn flock(_file: &File, _wait: bool) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "file locks need a Unix system"))
}

/// The pid a service wrote into its lock file, if any.
fn holder_of(path: &Path) -> Option<u32> {
    let mut text = String::new();
    File::open(path).ok()?.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

/// Held while a service serves from the data directory.
#[derive(Debug)]
pub struct ServiceLock(#[allow(dead_code)] FileLock);

impl ServiceLock {
    /// Takes the lock or says which process holds it.
    pub fn acquire(data_dir: &Path) -> Result<ServiceLock, LockError> {
        let mut lock = FileLock::take(data_dir.join(SERVICE_LOCK), false)?;
        let write_pid = |f: &mut File| -> io::Result<()> {
            f.set_len(0)?;
            f.rewind()?;
            writeln!(f, "{}", std::process::id())?;
            f.sync_data()
        };
        // The pid is only for the message another process shows.
        if let Err(e) = write_pid(&mut lock.file) {
            tracing::debug!(path = %lock.path.display(), error = %e, "cannot write the pid into the lock file");
        }
        Ok(ServiceLock(lock))
    }

    /// Whether a service holds the lock of this data directory now.
    pub fn is_held(data_dir: &Path) -> Result<bool, LockError> {
        let path = data_dir.join(SERVICE_LOCK);
        if !path.exists() {
            return Ok(false);
        }
        match FileLock::take(path, false) {
            Ok(_) => Ok(false),
            Err(LockError::Busy { .. }) => Ok(true),
            Err(e) => Err(e),
        }
    }
}

/// Held by a backup, and by whatever deletes stored uploads, for the whole of its work.
#[derive(Debug)]
pub struct MaintenanceLock(#[allow(dead_code)] FileLock);

impl MaintenanceLock {
    /// Waits for the lock.
    pub fn acquire(data_dir: &Path) -> Result<MaintenanceLock, LockError> {
        FileLock::take(data_dir.join(MAINTENANCE_LOCK), true).map(MaintenanceLock)
    }

    /// Takes the lock if it is free now; `Ok(None)` when another process holds it.
    pub fn try_acquire(data_dir: &Path) -> Result<Option<MaintenanceLock>, LockError> {
        match FileLock::take(data_dir.join(MAINTENANCE_LOCK), false) {
            Ok(lock) => Ok(Some(MaintenanceLock(lock))),
            Err(LockError::Busy { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_refused_until_released() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!ServiceLock::is_held(dir.path()).unwrap());
        let held = ServiceLock::acquire(dir.path()).unwrap();
        assert!(ServiceLock::is_held(dir.path()).unwrap());
        let err = ServiceLock::acquire(dir.path()).unwrap_err();
        assert!(err.to_string().contains(&format!("pid {}", std::process::id())), "{err}");
        drop(held);
        assert!(!ServiceLock::is_held(dir.path()).unwrap());

        let m = MaintenanceLock::acquire(dir.path()).unwrap();
        assert!(MaintenanceLock::try_acquire(dir.path()).unwrap().is_none());
        drop(m);
        assert!(MaintenanceLock::try_acquire(dir.path()).unwrap().is_some());
    }
}
