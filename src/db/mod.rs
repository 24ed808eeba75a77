//! The database layer: the engine enum, the pool, per-connection set-up and migrations.

pub mod deadline;
pub mod schema;
pub mod sql;
pub mod types;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// One connection to whichever engine `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = Pool<ConnectionManager<DbConn>>;
pub type PooledConn = PooledConnection<ConnectionManager<DbConn>>;

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Which engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Postgresql,
    Sqlite,
}

impl Engine {
    pub fn from_url(url: &str) -> Result<Self, DbSetupError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgresql)
        } else if url.starts_with("sqlite://") || url.starts_with("file:") || !url.contains("://") {
            Ok(Engine::Sqlite)
        } else {
            Err(DbSetupError::UnknownScheme(url.split("://").next().unwrap_or("").to_string()))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("DATABASE_URL scheme `{0}` is not supported: use postgres://… or a SQLite file path")]
    UnknownScheme(String),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("a migration failed: {0}")]
    Migrate(String),
    #[error("cannot build the connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database set-up failed: {0}")]
    Query(#[from] diesel::result::Error),
}

/// Strips the optional `sqlite://` prefix diesel's SQLite driver does not understand.
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").unwrap_or(url)
}

/// Per-connection settings applied whenever the pool opens a connection.
#[derive(Debug, Clone, Copy)]
struct ConnectionSetup;

/// SQLite: enforce foreign keys, wait for writers instead of failing, and fsync at
/// `synchronous=FULL` so a committed record survives a power cut (WAL makes that cheap);
/// a 512 KiB page cache per connection keeps a full pool small (the OS caches the file
/// too, and a write by another connection empties it anyway): 16 connections at 2 MiB
/// each were a third of the server's resident memory.
const SQLITE_PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
     PRAGMA synchronous = FULL; PRAGMA cache_size = -500;";

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        match conn {
            DbConn::Sqlite(c) => c.batch_execute(SQLITE_PRAGMAS).map_err(diesel::r2d2::Error::QueryError),
            DbConn::Postgresql(c) => c.batch_execute("SET TIME ZONE 'UTC'").map_err(diesel::r2d2::Error::QueryError),
        }
    }
}

/// Runs the engine's migrations on a plain connection, then builds the pool.
pub fn connect(url: &str, pool_size: u32) -> Result<DbPool, DbSetupError> {
    let engine = Engine::from_url(url)?;
    deadline::install();
    let url = match engine {
        Engine::Sqlite => sqlite_path(url),
        Engine::Postgresql => url,
    };
    run_migrations(engine, url)?;
    let manager = ConnectionManager::<DbConn>::new(url);
    let pool = Pool::builder()
        .max_size(pool_size)
        // No `SELECT 1` before each use: a lost connection is discarded when it fails
        // instead (`discard`).
        .test_on_check_out(false)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(ConnectionSetup))
        .build(manager)?;
    Ok(pool)
}

/// Runs the pending migrations, each in its own transaction: one that fails is rolled
/// back whole, so the database stays at the last migration that succeeded, and the error
/// names the failed migration, the database's reason and where the database stands.
fn run_migrations(engine: Engine, url: &str) -> Result<(), DbSetupError> {
    match engine {
        Engine::Postgresql => {
            let mut conn = PgConnection::establish(url)?;
            if let Err(e) = conn.run_pending_migrations(PG_MIGRATIONS) {
                return Err(migration_failed(e, conn.applied_migrations()));
            }
        }
        Engine::Sqlite => {
            let mut conn = SqliteConnection::establish(url)?;
            // WAL is a property of the file: switch it on once, before anyone else connects.
            conn.batch_execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;")?;
            if let Err(e) = conn.run_pending_migrations(SQLITE_MIGRATIONS) {
                return Err(migration_failed(e, conn.applied_migrations()));
            }
        }
    }
    Ok(())
}

type MigrationResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn migration_failed(
    err: Box<dyn std::error::Error + Send + Sync>,
    applied: MigrationResult<Vec<diesel::migration::MigrationVersion<'static>>>,
) -> DbSetupError {
    let at = match applied {
        Ok(versions) => match versions.iter().max() {
            Some(last) => format!("the database stays at migration {last}, the last that succeeded"),
            None => "the database has no migration applied".to_string(),
        },
        Err(e) => format!("the applied migrations cannot be read ({e})"),
    };
    DbSetupError::Migrate(format!("{err}; {at}"))
}

/// Marks a pooled connection broken, so that the pool closes it when it comes back
/// instead of lending it again (after the database restarted, say).
pub fn discard(conn: &mut DbConn) {
    use diesel::connection::TransactionManager;
    <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn).set_in_error();
}

/// Runs the same diesel expression on the engine's own connection, for statements the
/// engine enum cannot express (multi-row INSERT, engine-specific SQL).
#[macro_export]
macro_rules! on_engine {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgresql($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

impl DbConn {
    /// Runs `f` in a write transaction: `BEGIN IMMEDIATE` on SQLite, so a writer waits
    /// for the lock up front instead of failing with SQLITE_BUSY when it upgrades.
    pub fn write<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        use diesel::connection::{AnsiTransactionManager, TransactionManager};
        match self {
            DbConn::Sqlite(c) => {
                // Through diesel's own transaction manager, so nested transactions
                // (diesel's multi-row INSERT on SQLite opens one) become savepoints.
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
                let result = f(self);
                if let DbConn::Sqlite(c) = self {
                    match &result {
                        Ok(_) => {
                            if let Err(e) = AnsiTransactionManager::commit_transaction(c) {
                                let _ = AnsiTransactionManager::rollback_transaction(c);
                                return Err(e.into());
                            }
                        }
                        Err(_) => AnsiTransactionManager::rollback_transaction(c)?,
                    }
                }
                result
            }
            DbConn::Postgresql(_) => self.transaction(f),
        }
    }

    /// Runs `f` in a read-only transaction that sees one snapshot throughout, so every
    /// figure and line of a report describes the same moment (and a PostgreSQL cursor
    /// can live for the whole of it). SQLite's deferred transaction takes its snapshot
    /// at the first read and keeps it.
    pub fn read_snapshot<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        self.transaction(|conn| {
            if conn.engine() == Engine::Postgresql {
                diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(conn)?;
            }
            f(conn)
        })
    }

    pub fn engine(&self) -> Engine {
        match self {
            DbConn::Postgresql(_) => Engine::Postgresql,
            DbConn::Sqlite(_) => Engine::Sqlite,
        }
    }
}

/// Work that must not run twice at once on PostgreSQL, each with its own advisory lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serial {
    /// Reading, deciding on and writing login throttle counts.
    LoginThrottle = 0x5afe_0001,
}

/// Waits until no other transaction holds `what`'s lock, and holds it until this
/// transaction ends (`pg_advisory_xact_lock`). SQLite needs none: a write transaction
/// (`BEGIN IMMEDIATE`) holds the whole database already. Call inside [`DbConn::write`],
/// after the transaction's row writes, never before them: a transaction that held this
/// lock while waiting for a row that another holds, waiting for this lock, would deadlock.
pub fn serialize(conn: &mut DbConn, what: Serial) -> QueryResult<()> {
    if let DbConn::Postgresql(pg) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({})", what as i64)).execute(pg)?;
    }
    Ok(())
}

/// Escapes LIKE wildcards so a search matches the text literally (with `ESCAPE '\\'`).
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
