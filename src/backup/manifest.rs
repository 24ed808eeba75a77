//! A backup's manifest (`manifest.json`): when, which engine, the rows per table and the
//! size and SHA-256 of every file, and the check of a backup directory against it.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const MANIFEST: &str = "manifest.json";
/// The database copy of a SQLite backup (`VACUUM INTO`).
pub const SQLITE_FILE: &str = "database.sqlite";
/// The database dump of a PostgreSQL backup (`pg_dump --format=custom`).
pub const PG_DUMP_FILE: &str = "database.pgdump";
/// The uploads, laid out as in the data directory.
pub const ATTACHMENTS: &str = "attachments";

pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// This layout's version.
    pub format: u32,
    /// The moment the database snapshot was taken: everything committed before it is in.
    pub created_at: DateTime<Utc>,
    /// `sqlite` or `postgresql`.
    pub engine: String,
    pub safetrace_version: String,
    /// The last migration the copy has.
    pub schema_version: Option<String>,
    /// The database file in the backup directory.
    pub database: String,
    /// Rows per table in the copy.
    pub tables: BTreeMap<String, i64>,
    /// Every file of the backup but the manifest, by path relative to the directory.
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

impl Manifest {
    pub fn read(dir: &Path) -> Result<Manifest, String> {
        let path = dir.join(MANIFEST);
        let text = fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let manifest: Manifest = serde_json::from_slice(&text)
            .map_err(|e| format!("{} is not a safetrace manifest: {e}", path.display()))?;
        if manifest.format != FORMAT {
            return Err(format!("{}: format {} is not known to this build", path.display(), manifest.format));
        }
        Ok(manifest)
    }

    /// Writes the manifest last and atomically: a directory without one is no backup.
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        let tmp = dir.join(format!("{MANIFEST}.part"));
        let mut file = File::create(&tmp)?;
        file.write_all(&serde_json::to_vec_pretty(self).map_err(io::Error::other)?)?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        fs::rename(&tmp, dir.join(MANIFEST))?;
        sync_dir(dir);
        Ok(())
    }

    pub fn total_rows(&self) -> i64 {
        self.tables.values().sum()
    }

    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// Reads a file to its end, answering its size and SHA-256 (lowercase hex).
pub fn hash_file(path: &Path) -> io::Result<(u64, String)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// Copies `from` to `to` (a new file), fsyncs it, and answers its size and SHA-256.
pub fn copy_hashed(from: &Path, to: &Path) -> io::Result<(u64, String)> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut src = File::open(from)?;
    let mut dst = fs::OpenOptions::new().write(true).create_new(true).open(to)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            break;
        }
        dst.write_all(&buf[..n])?;
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    dst.sync_all()?;
    Ok((size, hex::encode(hasher.finalize())))
}

/// Flushes a directory's entries to disk where the platform allows.
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        tracing::warn!(dir = %dir.display(), error = %e, "cannot fsync a directory");
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Every regular file under `dir`, as paths relative to it with `/` separators.
pub fn list_files(dir: &Path) -> io::Result<Vec<String>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                walk(root, &path, out)?;
            } else {
                let rel = path.strip_prefix(root).map_err(io::Error::other)?;
                let parts: Vec<String> =
                    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                out.push(parts.join("/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// A manifest path as a path under `dir`; `None` for one that would leave it.
pub fn resolve(dir: &Path, rel: &str) -> Option<PathBuf> {
    let ok = !rel.is_empty()
        && rel.split('/').all(|p| !p.is_empty() && p != "." && p != ".." && !p.contains('\\'))
        && !rel.starts_with('/');
    ok.then(|| rel.split('/').fold(dir.to_path_buf(), |acc, p| acc.join(p)))
}

/// Checks every file of the backup against the manifest: present, the same size and
/// SHA-256, an upload stored under its own digest, and no file the manifest does not
/// list. Answers every mismatch found (empty: the backup is whole).
pub fn check_files(dir: &Path, manifest: &Manifest) -> Vec<String> {
    let mut problems = Vec::new();
    let mut listed = std::collections::BTreeSet::new();
    for entry in &manifest.files {
        listed.insert(entry.path.clone());
        let Some(path) = resolve(dir, &entry.path) else {
            problems.push(format!("{}: not a path inside the backup", entry.path));
            continue;
        };
        match hash_file(&path) {
            Err(e) => problems.push(format!("{}: {e}", entry.path)),
            Ok((size, sha)) => {
                if size != entry.size {
                    problems.push(format!("{}: {size} bytes, the manifest says {}", entry.path, entry.size));
                }
                if sha != entry.sha256 {
                    problems.push(format!("{}: SHA-256 {sha}, the manifest says {}", entry.path, entry.sha256));
                }
            }
        }
        if let Some(name) = entry.path.strip_prefix(&format!("{ATTACHMENTS}/")) {
            if name.rsplit('/').next() != Some(entry.sha256.as_str()) {
                problems.push(format!("{}: an upload not named by its SHA-256", entry.path));
            }
        }
    }
    match list_files(dir) {
        Ok(files) => {
            for f in files {
                if f != MANIFEST && !listed.contains(&f) {
                    problems.push(format!("{f}: not in the manifest"));
                }
            }
        }
        Err(e) => problems.push(format!("cannot list {}: {e}", dir.display())),
    }
    if !manifest.files.iter().any(|f| f.path == manifest.database) {
        problems.push(format!("{}: the database file is not in the manifest", manifest.database));
    }
    problems
}
