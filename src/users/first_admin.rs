//! The first admin's generated password: written to a file in the data directory that only
//! the service's account can read, never to the log, and removed once it is changed.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The file's name in the data directory.
pub const FILE_NAME: &str = "initial-admin-password";

pub fn file(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// Writes `password` (one line) to the file, mode 0600, replacing any older one.
pub fn write(data_dir: &Path, password: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(data_dir)?;
    let path = file(data_dir);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(&path)?;
    f.write_all(format!("{password}\n").as_bytes())?;
    f.sync_all()?;
    Ok(path)
}

/// Removes the file, if there is one: the first admin's password has been changed.
pub fn forget(data_dir: &Path) {
    let path = file(data_dir);
    match std::fs::remove_file(&path) {
        Ok(()) => {
            tracing::info!(path = %path.display(), "removed the first admin's password file: the password was changed")
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!(path = %path.display(), error = %e, "cannot remove the first admin's password file"),
    }
}
