//! `safetrace backup` and `safetrace restore`: a consistent copy of a running service's
//! database and uploads, its check, and its restore into an empty data directory.
//!
//! A backup directory holds the database copy (`database.sqlite`, made by SQLite's
//! `VACUUM INTO` in one read transaction, never a copy of the live WAL files; or
//! `database.pgdump`, made by `pg_dump` in the snapshot the backup reads), the uploads the
//! copy cites under `attachments/` (content-addressed, so copying them after the database
//! is consistent), and `manifest.json` (see [`manifest`]), written last.
//!
//! The backup holds the data directory's maintenance lock ([`crate::ops::lock`]) from
//! before the snapshot until the last upload is copied: whatever deletes upload files
//! takes the same lock, so no file the copy cites disappears half-way.

pub mod manifest;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::Utc;
use clap::Args;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::config::Settings;
use crate::db::Engine;
use crate::ops::lock::{MaintenanceLock, ServiceLock, MAINTENANCE_LOCK, SERVICE_LOCK};
use manifest::{FileEntry, Manifest, ATTACHMENTS, PG_DUMP_FILE, SQLITE_FILE};

#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["to", "verify"])))]
pub struct BackupArgs {
    /// Write a backup into DIR (created; it must be absent or empty).
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
    /// Check the backup in DIR against its manifest instead; exits non-zero on any mismatch.
    #[arg(long, value_name = "DIR")]
    pub verify: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// The backup directory to restore.
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Restore over what the data directory (and database) holds, replacing it.
    #[arg(long)]
    pub force: bool,
}

/// `safetrace backup --to DIR | --verify DIR`.
pub fn run_backup(settings: &Settings, args: &BackupArgs) -> Result<(), String> {
    if let Some(dir) = &args.verify {
        let m = verify(dir).map_err(|problems| {
            for p in &problems {
                eprintln!("mismatch: {p}");
            }
            format!("the backup in {} does not match its manifest ({} problems)", dir.display(), problems.len())
        })?;
        println!(
            "backup {} is whole: {} database, {} files, {} bytes, {} rows in {} tables, taken {}",
            dir.display(),
            m.engine,
            m.files.len(),
            m.total_bytes(),
            m.total_rows(),
            m.tables.len(),
            m.created_at.to_rfc3339()
        );
        return Ok(());
    }
    let Some(dir) = &args.to else { return Err("give --to DIR or --verify DIR".into()) };
    let m = backup(&settings.data_dir, &settings.database_url(), dir)?;
    println!(
        "backup written to {}: {} database as of {}, {} rows in {} tables, {} files, {} bytes",
        dir.display(),
        m.engine,
        m.created_at.to_rfc3339(),
        m.total_rows(),
        m.tables.len(),
        m.files.len(),
        m.total_bytes()
    );
    Ok(())
}

/// `safetrace restore --from DIR [--force]`.
pub fn run_restore(settings: &Settings, args: &RestoreArgs) -> Result<(), String> {
    let m = restore(&settings.data_dir, &settings.database_url(), &args.from, args.force)?;
    println!(
        "restored {} into {}: {} database as of {}, {} rows in {} tables (as the manifest says), {} uploads",
        args.from.display(),
        settings.data_dir.display(),
        m.engine,
        m.created_at.to_rfc3339(),
        m.total_rows(),
        m.tables.len(),
        m.files.iter().filter(|f| f.path.starts_with(ATTACHMENTS)).count()
    );
    Ok(())
}

fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgresql => "postgresql",
    }
}

fn sqlite_path(url: &str) -> PathBuf {
    PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url))
}

/// Takes a backup of the database at `url` and the uploads under `data_dir` into `to`.
pub fn backup(data_dir: &Path, url: &str, to: &Path) -> Result<Manifest, String> {
    let engine = Engine::from_url(url).map_err(|e| e.to_string())?;
    prepare_target(to)?;
    let result = backup_into(engine, data_dir, url, to);
    if result.is_err() {
        // Leave no directory that looks like a backup but is not one.
        let _ = fs::remove_dir_all(to);
    }
    result
}

/// `to` must be absent or an empty directory.
fn prepare_target(to: &Path) -> Result<(), String> {
    match fs::read_dir(to) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(format!("{} is not empty: a backup goes into a new directory", to.display()));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot read {}: {e}", to.display())),
    }
    fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))
}

/// What a snapshot of the database says.
struct Snapshot {
    created_at: chrono::DateTime<Utc>,
    schema_version: Option<String>,
    tables: BTreeMap<String, i64>,
    digests: Vec<String>,
}

fn backup_into(engine: Engine, data_dir: &Path, url: &str, to: &Path) -> Result<Manifest, String> {
    fs::create_dir_all(data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let lock = match MaintenanceLock::try_acquire(data_dir).map_err(|e| e.to_string())? {
        Some(lock) => lock,
        None => {
            tracing::info!("waiting for the maintenance lock (an upload sweep or another backup holds it)");
            MaintenanceLock::acquire(data_dir).map_err(|e| e.to_string())?
        }
    };
    let (database, snapshot) = match engine {
        Engine::Sqlite => (SQLITE_FILE, sqlite_snapshot(&sqlite_path(url), &to.join(SQLITE_FILE))?),
        Engine::Postgresql => (PG_DUMP_FILE, pg_snapshot(url, &to.join(PG_DUMP_FILE))?),
    };
    let mut files = Vec::new();
    let (size, sha256) = manifest::hash_file(&to.join(database)).map_err(|e| format!("cannot read the copy: {e}"))?;
    files.push(FileEntry { path: database.to_string(), size, sha256 });
    let storage = crate::attachments::storage::Storage::new(data_dir);
    for digest in &snapshot.digests {
        let Some(source) = storage.path_of(digest) else {
            return Err(format!("the database cites an upload with a malformed digest `{digest}`"));
        };
        let rel = format!("{ATTACHMENTS}/{}/{digest}", &digest[..2]);
        let target = manifest::resolve(to, &rel).ok_or("bad path")?;
        let (size, sha256) =
            manifest::copy_hashed(&source, &target).map_err(|e| format!("cannot copy {}: {e}", source.display()))?;
        if &sha256 != digest {
            return Err(format!("the stored upload {} is damaged: its SHA-256 is {sha256}", source.display()));
        }
        files.push(FileEntry { path: rel, size, sha256 });
    }
    drop(lock);
    for dir in [to.join(ATTACHMENTS), to.to_path_buf()] {
        if dir.is_dir() {
            manifest::sync_dir(&dir);
        }
    }
    let manifest = Manifest {
        format: manifest::FORMAT,
        created_at: snapshot.created_at,
        engine: engine_name(engine).to_string(),
        safetrace_version: env!("CARGO_PKG_VERSION").to_string(),
        schema_version: snapshot.schema_version,
        database: database.to_string(),
        tables: snapshot.tables,
        files,
    };
    manifest.write(to).map_err(|e| format!("cannot write the manifest: {e}"))?;
    Ok(manifest)
}

// ---- SQLite ---------------------------------------------------------------------------

fn sqlite_error(context: &str) -> impl Fn(rusqlite::Error) -> String + '_ {
    move |e| format!("{context}: {e}")
}

/// Copies the live database into `copy` with `VACUUM INTO` (one read transaction: a
/// consistent snapshot while writers go on), then reads the copy.
fn sqlite_snapshot(db: &Path, copy: &Path) -> Result<Snapshot, String> {
    use rusqlite::OpenFlags;
    if !db.is_file() {
        return Err(format!("no SQLite database at {}", db.display()));
    }
    let source = rusqlite::Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(sqlite_error("cannot open the database"))?;
    source.busy_timeout(std::time::Duration::from_secs(30)).map_err(sqlite_error("busy_timeout"))?;
    let created_at = Utc::now();
    let target = copy.to_str().ok_or("the backup path is not UTF-8")?;
    source.execute("VACUUM INTO ?1", [target]).map_err(sqlite_error("cannot copy the database"))?;
    drop(source);
    let copy_conn = rusqlite::Connection::open_with_flags(copy, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(sqlite_error("cannot open the copy"))?;
    // A self-contained file: no -wal beside it.
    copy_conn
        .query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))
        .map_err(sqlite_error("cannot set the copy's journal mode"))?;
    let tables = sqlite_counts(&copy_conn)?;
    let schema_version = sqlite_schema_version(&copy_conn)?;
    let removed = copy_conn
        .query_row("SELECT COUNT(*) FROM pragma_table_info('attachments') WHERE name = 'removed_at'", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(sqlite_error("cannot read the copy"))?
        > 0;
    let q = if removed {
        "SELECT DISTINCT sha256 FROM attachments WHERE removed_at IS NULL ORDER BY sha256"
    } else {
        "SELECT DISTINCT sha256 FROM attachments ORDER BY sha256"
    };
    let mut stmt = copy_conn.prepare(q).map_err(sqlite_error("cannot read the copy"))?;
    let digests = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(sqlite_error("cannot read the copy"))?;
    Ok(Snapshot { created_at, schema_version, tables, digests })
}

fn sqlite_counts(conn: &rusqlite::Connection) -> Result<BTreeMap<String, i64>, String> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect())
        .map_err(sqlite_error("cannot list the tables"))?;
    let mut counts = BTreeMap::new();
    for name in names {
        let n: i64 = conn
            .query_row(&format!("SELECT COUNT(*) FROM {}", quote_ident(&name)), [], |r| r.get(0))
            .map_err(sqlite_error("cannot count rows"))?;
        counts.insert(name, n);
    }
    Ok(counts)
}

fn sqlite_schema_version(conn: &rusqlite::Connection) -> Result<Option<String>, String> {
    conn.query_row("SELECT MAX(version) FROM __diesel_schema_migrations", [], |r| r.get::<_, Option<String>>(0))
        .map_err(sqlite_error("cannot read the schema version"))
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

// ---- PostgreSQL -------------------------------------------------------------------------

#[derive(QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn pg_error(context: &str) -> impl Fn(diesel::result::Error) -> String + '_ {
    move |e| format!("{context}: {e}")
}

fn pg_text(conn: &mut PgConnection, sql: &str) -> Result<Option<String>, String> {
    diesel::sql_query(sql).get_result::<TextRow>(conn).map(|r| r.v).map_err(pg_error("database query failed"))
}

/// The tables of the connection's schema with their rows.
fn pg_counts(conn: &mut PgConnection) -> Result<BTreeMap<String, i64>, String> {
    let names = diesel::sql_query(
        "SELECT table_name::text AS v FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .load::<TextRow>(conn)
    .map_err(pg_error("cannot list the tables"))?;
    let mut counts = BTreeMap::new();
    for name in names.into_iter().filter_map(|r| r.v) {
        let n = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {}", quote_ident(&name)))
            .get_result::<CountRow>(conn)
            .map_err(pg_error("cannot count rows"))?
            .n;
        counts.insert(name, n);
    }
    Ok(counts)
}

/// `--schema` for pg_dump when safetrace's tables live outside `public` (a schema per
/// test, say), so that only they are dumped.
fn pg_schema_args(schema: Option<&str>) -> Vec<String> {
    match schema {
        Some(s) if s != "public" => vec![format!("--schema={s}")],
        _ => Vec::new(),
    }
}

/// Opens a repeatable-read snapshot, has `pg_dump` write that same snapshot into `dump`,
/// and reads the counts and the cited uploads from it too.
fn pg_snapshot(url: &str, dump: &Path) -> Result<Snapshot, String> {
    let mut conn = PgConnection::establish(url).map_err(|e| format!("cannot connect to the database: {e}"))?;
    let created_at = Utc::now();
    conn.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").map_err(pg_error("BEGIN"))?;
    let snapshot_id = pg_text(&mut conn, "SELECT pg_export_snapshot() AS v")?.ok_or("no snapshot id")?;
    let schema = pg_text(&mut conn, "SELECT current_schema()::text AS v")?;
    let status = Command::new("pg_dump")
        .arg("--format=custom")
        .arg(format!("--snapshot={snapshot_id}"))
        .args(pg_schema_args(schema.as_deref()))
        .arg("--file")
        .arg(dump)
        .arg("--dbname")
        .arg(url)
        .status()
        .map_err(|e| format!("cannot run pg_dump ({e}): install PostgreSQL's client programs"))?;
    if !status.success() {
        return Err(format!("pg_dump failed ({status})"));
    }
    let tables = pg_counts(&mut conn)?;
    let schema_version = pg_text(&mut conn, "SELECT MAX(version)::text AS v FROM __diesel_schema_migrations")?;
    let removed = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_schema = current_schema() \
         AND table_name = 'attachments' AND column_name = 'removed_at'",
    )
    .get_result::<CountRow>(&mut conn)
    .map_err(pg_error("cannot read the attachments"))?
    .n > 0;
    let q = if removed {
        "SELECT DISTINCT sha256 AS v FROM attachments WHERE removed_at IS NULL ORDER BY 1"
    } else {
        "SELECT DISTINCT sha256 AS v FROM attachments ORDER BY 1"
    };
    let digests = diesel::sql_query(q)
        .load::<TextRow>(&mut conn)
        .map_err(pg_error("cannot read the attachments"))?
        .into_iter()
        .filter_map(|r| r.v)
        .collect();
    conn.batch_execute("COMMIT").map_err(pg_error("COMMIT"))?;
    Ok(Snapshot { created_at, schema_version, tables, digests })
}

// ---- verify and restore -------------------------------------------------------------------

/// Checks a backup directory: every file against the manifest and, for SQLite, the
/// copy's rows per table. Answers the manifest, or every mismatch.
pub fn verify(dir: &Path) -> Result<Manifest, Vec<String>> {
    let manifest = Manifest::read(dir).map_err(|e| vec![e])?;
    let mut problems = manifest::check_files(dir, &manifest);
    if problems.is_empty() && manifest.engine == "sqlite" {
        match sqlite_counts_of(&dir.join(&manifest.database)) {
            Ok(counts) => problems.extend(compare_counts(&manifest.tables, &counts)),
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() {
        Ok(manifest)
    } else {
        Err(problems)
    }
}

fn sqlite_counts_of(db: &Path) -> Result<BTreeMap<String, i64>, String> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(sqlite_error("cannot open the database copy"))?;
    let ok: String =
        conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(sqlite_error("cannot check the copy"))?;
    if ok != "ok" {
        return Err(format!("the database copy is damaged: {ok}"));
    }
    sqlite_counts(&conn)
}

fn compare_counts(expected: &BTreeMap<String, i64>, found: &BTreeMap<String, i64>) -> Vec<String> {
    let mut problems = Vec::new();
    for (table, n) in expected {
        match found.get(table) {
            Some(m) if m == n => {}
            Some(m) => problems.push(format!("table {table}: {m} rows, the manifest says {n}")),
            None => problems.push(format!("table {table}: missing")),
        }
    }
    for table in found.keys().filter(|t| !expected.contains_key(*t)) {
        problems.push(format!("table {table}: not in the manifest"));
    }
    problems
}

/// Restores the backup in `from` into `data_dir` and the database at `url`: refuses when
/// a service uses the data directory, and when it (or the database) holds anything unless
/// `force`. Checks the backup first and the restored rows per table last.
pub fn restore(data_dir: &Path, url: &str, from: &Path, force: bool) -> Result<Manifest, String> {
    let engine = Engine::from_url(url).map_err(|e| e.to_string())?;
    let manifest = verify(from).map_err(|problems| {
        format!("the backup in {} does not match its manifest: {}", from.display(), problems.join("; "))
    })?;
    if manifest.engine != engine_name(engine) {
        return Err(format!(
            "the backup is of a {} database; DATABASE_URL names {}",
            manifest.engine,
            engine_name(engine)
        ));
    }
    fs::create_dir_all(data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    // Held until the restore is done, so no service starts on a half-restored directory.
    let _service = ServiceLock::acquire(data_dir)
        .map_err(|e| format!("a running safetrace uses {} ({e}): stop it first", data_dir.display()))?;
    let mut occupied = occupants(data_dir)?;
    if engine == Engine::Sqlite {
        let db = sqlite_path(url);
        if db.exists() && !db.starts_with(data_dir) {
            occupied.push(db.display().to_string());
        }
    }
    if !occupied.is_empty() {
        if !force {
            return Err(format!(
                "{} is not empty ({}): restore into an empty data directory, or give --force to replace it",
                data_dir.display(),
                occupied.join(", ")
            ));
        }
        clear(data_dir, engine, url)?;
    }
    match engine {
        Engine::Sqlite => restore_sqlite(from, &manifest, &sqlite_path(url))?,
        Engine::Postgresql => restore_pg(from, &manifest, url, force)?,
    }
    let storage = crate::attachments::storage::Storage::new(data_dir);
    for f in manifest.files.iter().filter(|f| f.path.starts_with(&format!("{ATTACHMENTS}/"))) {
        let source = manifest::resolve(from, &f.path).ok_or("bad path in the manifest")?;
        let target = storage.path_of(&f.sha256).ok_or("bad digest in the manifest")?;
        let (_, sha) =
            manifest::copy_hashed(&source, &target).map_err(|e| format!("cannot restore {}: {e}", f.path))?;
        if sha != f.sha256 {
            return Err(format!("{} changed while it was restored", f.path));
        }
    }
    if storage.objects_dir().is_dir() {
        for shard in fs::read_dir(storage.objects_dir()).map_err(|e| e.to_string())?.flatten() {
            manifest::sync_dir(&shard.path());
        }
        manifest::sync_dir(&storage.objects_dir());
    }
    manifest::sync_dir(data_dir);
    Ok(manifest)
}

/// What the data directory holds besides lock files.
fn occupants(data_dir: &Path) -> Result<Vec<String>, String> {
    let entries = fs::read_dir(data_dir).map_err(|e| format!("cannot read {}: {e}", data_dir.display()))?;
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != SERVICE_LOCK && name != MAINTENANCE_LOCK {
            found.push(name);
        }
    }
    found.sort();
    Ok(found)
}

/// `--force`: removes the uploads, the unfinished uploads and the SQLite database (with
/// its WAL files, which would otherwise be replayed into the restored copy).
fn clear(data_dir: &Path, engine: Engine, url: &str) -> Result<(), String> {
    for dir in ["attachments", "tmp"] {
        let path = data_dir.join(dir);
        if path.exists() {
            fs::remove_dir_all(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        }
    }
    if engine == Engine::Sqlite {
        let db = sqlite_path(url);
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            let path = PathBuf::from(name);
            if path.exists() {
                fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            }
        }
    }
    Ok(())
}

fn restore_sqlite(from: &Path, manifest: &Manifest, db: &Path) -> Result<(), String> {
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let mut part = db.as_os_str().to_owned();
    part.push(".restore-part");
    let part = PathBuf::from(part);
    let _ = fs::remove_file(&part);
    let expected = manifest.files.iter().find(|f| f.path == manifest.database).ok_or("no database in the manifest")?;
    let (_, sha) = manifest::copy_hashed(&from.join(&manifest.database), &part)
        .map_err(|e| format!("cannot copy the database: {e}"))?;
    if sha != expected.sha256 {
        let _ = fs::remove_file(&part);
        return Err("the database copy changed while it was restored".into());
    }
    fs::rename(&part, db).map_err(|e| format!("cannot move the database into place: {e}"))?;
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        manifest::sync_dir(parent);
    }
    let counts = sqlite_counts_of(db)?;
    let problems = compare_counts(&manifest.tables, &counts);
    if !problems.is_empty() {
        return Err(format!("the restored database differs from the manifest: {}", problems.join("; ")));
    }
    Ok(())
}

fn restore_pg(from: &Path, manifest: &Manifest, url: &str, force: bool) -> Result<(), String> {
    let mut conn = PgConnection::establish(url).map_err(|e| format!("cannot connect to the database: {e}"))?;
    let schema = pg_text(&mut conn, "SELECT current_schema()::text AS v")?;
    if schema.is_some() {
        let tables = pg_counts(&mut conn)?;
        if !tables.is_empty() && !force {
            return Err(format!(
                "the database already has {} tables ({}): restore into an empty database, or give --force to replace them",
                tables.len(),
                tables.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    drop(conn);
    let mut cmd = Command::new("pg_restore");
    cmd.args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]);
    if force {
        cmd.args(["--clean", "--if-exists"]);
    }
    let status = cmd
        .arg("--dbname")
        .arg(url)
        .arg(from.join(&manifest.database))
        .status()
        .map_err(|e| format!("cannot run pg_restore ({e}): install PostgreSQL's client programs"))?;
    if !status.success() {
        return Err(format!("pg_restore failed ({status})"));
    }
    let mut conn = PgConnection::establish(url).map_err(|e| format!("cannot connect to the database: {e}"))?;
    let counts = pg_counts(&mut conn)?;
    let problems = compare_counts(&manifest.tables, &counts);
    if !problems.is_empty() {
        return Err(format!("the restored database differs from the manifest: {}", problems.join("; ")));
    }
    Ok(())
}
