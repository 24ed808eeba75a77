//! Attachment bytes on disk: `<data dir>/attachments/<first two hex>/<sha256>`, one file per
//! distinct content, written through `<data dir>/tmp/` so that a file under its final name is
//! always complete.
//!
//! Everything here blocks: call it on the blocking pool ([`actix_web::web::block`]), except
//! [`Upload`], which does that itself.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use actix_web::web;
use sha2::{Digest, Sha256};

use crate::domain::Id;
use crate::error::{ApiError, ApiResult};

/// How many leading bytes are kept to detect the type.
pub const SNIFF_BYTES: usize = 8 * 1024;

/// Bytes gathered before one write to the temporary file.
const WRITE_BATCH: usize = 256 * 1024;

/// Where attachments live under the data directory.
#[derive(Debug, Clone)]
pub struct Storage {
    data_dir: PathBuf,
}

impl Storage {
    pub fn new(data_dir: &Path) -> Self {
        Storage { data_dir: data_dir.to_path_buf() }
    }

    /// Uploads in progress, and anonymous scratch files (reports being built).
    pub fn tmp_dir(&self) -> PathBuf {
        self.data_dir.join("tmp")
    }

    /// An anonymous scratch file in the temporary directory (a report being built, say):
    /// it has no name, so it is gone when closed, even after a crash.
    pub fn scratch_file(&self) -> io::Result<File> {
        let dir = self.tmp_dir();
        fs::create_dir_all(&dir)?;
        tempfile::tempfile_in(dir)
    }

    /// Stored attachments.
    pub fn objects_dir(&self) -> PathBuf {
        self.data_dir.join("attachments")
    }

    /// The final path of the content with this SHA-256 (lowercase hex), or `None` for a
    /// value that is not one: nothing else ever becomes a path.
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| self.objects_dir().join(&sha256[..2]).join(sha256))
    }

    /// Removes uploads left half-received by a crash; called at start-up, before any
    /// upload can be in progress. Answers how many were removed.
    pub fn sweep_unfinished(&self) -> io::Result<usize> {
        let dir = match fs::read_dir(self.tmp_dir()) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut removed = 0;
        for entry in dir {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if name.starts_with("upload-") && name.ends_with(".part") {
                fs::remove_file(&path)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// The stored bytes of this content.
    pub fn read(&self, sha256: &str) -> io::Result<Vec<u8>> {
        let path = self.path_of(sha256).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a sha256"))?;
        fs::read(path)
    }

    /// Deletes the stored file of these bytes; answers whether there was one.
    pub fn remove(&self, sha256: &str) -> io::Result<bool> {
        let path = self.path_of(sha256).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a sha256"))?;
        match fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The stored file of these bytes, opened for reading, with its length.
    pub fn open(&self, sha256: &str) -> io::Result<(File, u64)> {
        let path = self.path_of(sha256).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a sha256"))?;
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok((file, len))
    }
}

/// A file being received into the temporary directory: hashed and counted as it is
/// written, removed when dropped unless it was persisted.
pub struct TempFile {
    path: PathBuf,
    file: Option<File>,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
    persisted: bool,
}

impl TempFile {
    pub fn create(storage: &Storage) -> io::Result<Self> {
        let dir = storage.tmp_dir();
        fs::create_dir_all(&dir)?;
        let path = dir.join(format!("upload-{}.part", Id::new_v7()));
        let file = OpenOptions::new().write(true).create_new(true).open(&path)?;
        Ok(TempFile { path, file: Some(file), hasher: Sha256::new(), size: 0, head: Vec::new(), persisted: false })
    }

    pub fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        let file = self.file.as_mut().ok_or_else(|| io::Error::other("the temporary file is closed"))?;
        file.write_all(bytes)?;
        self.hasher.update(bytes);
        self.size += bytes.len() as u64;
        if self.head.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
        }
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// The first bytes of the file, up to [`SNIFF_BYTES`].
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// SHA-256 of what was written, lowercase hex.
    pub fn sha256(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }

    /// Makes the file durable under its content address: fsync, then rename into place
    /// (or, when the same bytes are stored already, drop this copy), then fsync the
    /// directory. Answers the SHA-256.
    pub fn persist(mut self, storage: &Storage) -> io::Result<String> {
        let sha256 = self.sha256();
        let target = storage.path_of(&sha256).ok_or_else(|| io::Error::other("bad digest"))?;
        if let Some(file) = self.file.take() {
            file.sync_all()?;
        }
        let shard = target.parent().map(Path::to_path_buf).unwrap_or_else(|| storage.objects_dir());
        if !shard.is_dir() {
            fs::create_dir_all(&shard)?;
            // The new directories' entries must reach the disk too.
            sync_dir(&storage.objects_dir());
            if let Some(parent) = storage.objects_dir().parent() {
                sync_dir(parent);
            }
        }
        match fs::metadata(&target) {
            // The same bytes were stored before: keep one copy (Drop removes this one).
            Ok(m) if m.is_file() && m.len() == self.size => return Ok(sha256),
            _ => {}
        }
        fs::rename(&self.path, &target)?;
        self.persisted = true;
        sync_dir(&shard);
        Ok(sha256)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        self.file.take();
        if !self.persisted {
            if let Err(e) = fs::remove_file(&self.path) {
                if e.kind() != io::ErrorKind::NotFound {
                    tracing::warn!(path = %self.path.display(), error = %e, "cannot remove a temporary upload");
                }
            }
        }
    }
}

/// Flushes a directory's entries (a rename, a new file) to disk where the platform allows.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        tracing::warn!(dir = %dir.display(), error = %e, "cannot fsync a directory");
    }
    #[cfg(not(unix))]
    let _ = dir;
}

fn io_error(err: io::Error) -> ApiError {
    ApiError::internal("cannot write the upload", err)
}

/// An upload being received from the network: bytes are batched and written, hashed and
/// counted on the blocking pool; more than `limit` bytes is a 413.
pub struct Upload {
    temp: Option<TempFile>,
    pending: Vec<u8>,
    received: usize,
    limit: usize,
}

impl Upload {
    pub async fn start(storage: Storage, limit: usize) -> ApiResult<Self> {
        let temp = web::block(move || TempFile::create(&storage)).await?.map_err(io_error)?;
        Ok(Upload { temp: Some(temp), pending: Vec::new(), received: 0, limit })
    }

    /// Takes the next chunk; refuses at once when the file grows past the limit.
    pub async fn push(&mut self, chunk: &[u8]) -> ApiResult<()> {
        self.received = self.received.saturating_add(chunk.len());
        if self.received > self.limit {
            return Err(ApiError::PayloadTooLarge(self.limit));
        }
        self.pending.extend_from_slice(chunk);
        if self.pending.len() >= WRITE_BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> ApiResult<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut temp = self.temp.take().ok_or_else(|| ApiError::Internal("the upload is closed".into()))?;
        let bytes = std::mem::take(&mut self.pending);
        let (temp, written) = web::block(move || {
            let written = temp.append(&bytes);
            (temp, written)
        })
        .await?;
        self.temp = Some(temp);
        written.map_err(io_error)
    }

    /// Writes what is left and hands over the complete temporary file.
    pub async fn finish(mut self) -> ApiResult<TempFile> {
        self.flush().await?;
        self.temp.take().ok_or_else(|| ApiError::Internal("the upload is closed".into()))
    }

    /// Removes the temporary file, on the blocking pool.
    pub async fn discard(mut self) {
        if let Some(temp) = self.temp.take() {
            discard(temp).await;
        }
    }
}

/// Removes a temporary file on the blocking pool.
pub async fn discard(temp: TempFile) {
    if let Err(e) = web::block(move || drop(temp)).await {
        tracing::warn!(error = %e, "cannot remove a temporary upload");
    }
}

#[cfg(test)]
mod sweep_tests {
    use super::*;

    #[test]
    fn sweeps_only_unfinished_uploads() {
        let dir = std::env::temp_dir().join(format!("safetrace-sweep-{}", Id::new_v7()));
        let storage = Storage::new(&dir);
        assert_eq!(storage.sweep_unfinished().unwrap(), 0, "no tmp dir yet");
        fs::create_dir_all(storage.tmp_dir()).unwrap();
        fs::write(storage.tmp_dir().join("upload-1.part"), b"half").unwrap();
        fs::write(storage.tmp_dir().join("keep.txt"), b"other").unwrap();
        assert_eq!(storage.sweep_unfinished().unwrap(), 1);
        assert!(storage.tmp_dir().join("keep.txt").exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
