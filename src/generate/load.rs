//! Bulk loading for the generator, one transaction per batch: COPY on PostgreSQL; on
//! SQLite, one prepared INSERT per table bound and stepped row by row on a connection of
//! its own. Into an empty database, the secondary indexes (and on PostgreSQL the foreign
//! keys of the bulk tables) are dropped first and rebuilt once at the end.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::Mutex;
use std::time::Instant;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::bulk::{self, Bulk};
use crate::campaigns::model::Campaign;
use crate::communities::model::Community;
use crate::db::schema::{campaigns, communities, users};
use crate::db::{DbConn, DbPool, Engine};
use crate::enforcement::model::{ActionRow, OutcomeRow};
use crate::hazards::model::{HazardEventRow, HazardRow};
use crate::inspections::model::InspectionRow;
use crate::rectifications::model::RectificationRow;
use crate::search::{HazardGram, UnitGram};
use crate::units::model::Unit;
use crate::users::model::UserRow;

#[derive(Default)]
pub struct Batch {
    pub inspections: Vec<InspectionRow>,
    pub hazards: Vec<HazardRow>,
    pub events: Vec<HazardEventRow>,
    pub rectifications: Vec<RectificationRow>,
    pub actions: Vec<ActionRow>,
    pub outcomes: Vec<OutcomeRow>,
    /// The hazards' search pairs.
    pub grams: Vec<HazardGram>,
}

#[derive(Default, Debug)]
pub struct Counts {
    pub inspections: usize,
    pub hazards: usize,
    pub events: usize,
    pub rectifications: usize,
    pub actions: usize,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.inspections += o.inspections;
        self.hazards += o.hazards;
        self.events += o.events;
        self.rectifications += o.rectifications;
        self.actions += o.actions;
    }
}

impl Batch {
    /// Does `v` to each table of the batch in turn, parents before children.
    fn each<V: EachTable>(&self, v: &mut V) -> Result<(), V::Error> {
        v.table(&self.inspections)?;
        v.table(&self.hazards)?;
        v.table(&self.events)?;
        v.table(&self.rectifications)?;
        v.table(&self.actions)?;
        v.table(&self.outcomes)?;
        v.table(&self.grams)
    }
}

/// Something done to the rows of one bulk table.
trait EachTable {
    type Error;
    fn table<R: Bulk>(&mut self, rows: &[R]) -> Result<(), Self::Error>;
}

/// PostgreSQL: each table rendered as COPY text, to be sent as it is.
struct CopyText(Vec<CopyTable>);

struct CopyTable {
    copy_in: fn(&mut diesel::PgConnection, &[u8]) -> QueryResult<usize>,
    data: Vec<u8>,
}

impl EachTable for CopyText {
    type Error = Infallible;
    fn table<R: Bulk>(&mut self, rows: &[R]) -> Result<(), Infallible> {
        if !rows.is_empty() {
            self.0.push(CopyTable { copy_in: R::copy_in, data: bulk::copy_text(rows) });
        }
        Ok(())
    }
}

/// SQLite: each table through its prepared INSERT on the load's own connection.
struct Prepared<'t, 'c>(&'t rusqlite::Transaction<'c>);

impl EachTable for Prepared<'_, '_> {
    type Error = rusqlite::Error;
    fn table<R: Bulk>(&mut self, rows: &[R]) -> rusqlite::Result<()> {
        if !rows.is_empty() {
            let mut st = self.0.prepare_cached(&bulk::insert_sql::<R>())?;
            for r in rows {
                r.insert_prepared(&mut st)?;
            }
        }
        Ok(())
    }
}

/// Either engine: each table through diesel's multi-row INSERT.
struct Inserts<'c>(&'c mut DbConn);

impl EachTable for Inserts<'_> {
    type Error = diesel::result::Error;
    fn table<R: Bulk>(&mut self, rows: &[R]) -> QueryResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        R::insert_diesel(self.0, rows)
    }
}

/// A batch made ready for its engine by the generating thread: on PostgreSQL already
/// rendered as COPY text, so the loading thread only sends it.
pub struct Ready {
    counts: Counts,
    batch: Batch,
    copy: Option<Vec<CopyTable>>,
}

pub fn ready(engine: Engine, mut batch: Batch) -> Ready {
    let counts = Counts {
        inspections: batch.inspections.len(),
        hazards: batch.hazards.len(),
        events: batch.events.len(),
        rectifications: batch.rectifications.len(),
        actions: batch.actions.len(),
    };
    if engine != Engine::Postgresql {
        // SQLite's index is the table (WITHOUT ROWID): pairs in its order (text, moment,
        // id, as its keys compare) go in near-sequentially. PostgreSQL builds its index
        // once at the end.
        batch
            .grams
            .sort_unstable_by(|a, b| (&a.gram, a.found_at, a.hazard_id).cmp(&(&b.gram, b.found_at, b.hazard_id)));
        return Ready { counts, batch, copy: None };
    }
    let mut copy = CopyText(Vec::new());
    let Ok(()) = batch.each(&mut copy);
    Ready { counts, batch: Batch::default(), copy: Some(copy.0) }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The tables a bulk load fills, whose secondary indexes are rebuilt once at the end
/// when they start empty (building an index once is far cheaper than growing it row by row).
const BULK_TABLES: &[&str] =
    &["units", "inspections", "hazards", "hazard_events", "rectifications", "hazard_search", "unit_search"];

#[derive(diesel::QueryableByName)]
struct Definition {
    #[diesel(sql_type = diesel::sql_types::Text)]
    drop: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

#[derive(diesel::QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = diesel::sql_types::Text)]
    tbl: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct DatabaseFile {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    file: String,
}

/// The load in progress: its own SQLite connection, and what was dropped for it.
pub struct Loader {
    sqlite: Option<rusqlite::Connection>,
    /// The secondary indexes dropped, as their `CREATE INDEX` statements.
    indexes: Vec<String>,
    /// PostgreSQL: the foreign keys of the bulk tables dropped, as their `ALTER TABLE … ADD
    /// CONSTRAINT` statements (re-adding one checks all rows in one join, where COPY would
    /// fire a trigger and an index probe per row and key).
    constraints: Vec<(String, String)>,
}

/// SQLite settings for the load connection: no fsync per commit and no foreign-key probes
/// (the file is synced at the end and the keys hold by construction), and a 1 GiB page
/// cache that holds the primary-key indexes the rows go into at random.
const SQLITE_LOAD_PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = OFF; \
     PRAGMA foreign_keys = OFF; PRAGMA cache_size = -1048576;";

/// SQLite builds an index fastest with a small page cache: its sorter then sorts in runs
/// that fit the CPU's caches and merges them, where a big cache makes one slow sort in memory
/// (measured at 1,000,000 hazards: 8 MB 3.7 s, 64 MB 4.7 s, 1 GiB 5.1 s for four indexes;
/// helper threads and temp_store=MEMORY were slower too).
const SQLITE_INDEX_PRAGMAS: &str = "PRAGMA cache_size = -8000;";

impl Loader {
    /// Settings for the load, and the indexes and keys dropped for it when the tables are empty.
    pub fn prepare(conn: &mut DbConn) -> Result<Loader, String> {
        let mut loader = Loader { sqlite: None, indexes: Vec::new(), constraints: Vec::new() };
        match conn {
            DbConn::Sqlite(c) => {
                c.batch_execute("PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -262144;")
                    .map_err(err)?;
                // The file behind the pool's connection, for a plain connection of our own
                // (an in-memory or temporary database has none: diesel loads it then).
                let files: Vec<DatabaseFile> =
                    diesel::sql_query("SELECT name, file FROM pragma_database_list").load(c).map_err(err)?;
                if let Some(f) = files.iter().find(|f| f.name == "main" && !f.file.is_empty()) {
                    let sq = rusqlite::Connection::open_with_flags(
                        &f.file,
                        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                    )
                    .map_err(err)?;
                    sq.execute_batch(SQLITE_LOAD_PRAGMAS).map_err(err)?;
                    loader.sqlite = Some(sq);
                }
            }
            DbConn::Postgresql(c) => c.batch_execute("SET synchronous_commit = off").map_err(err)?,
        }
        let empty = diesel::sql_query("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM hazards")
            .get_result::<Count>(conn)
            .map_err(err)?
            .n
            == 0;
        if !empty {
            return Ok(loader);
        }
        let tables = BULK_TABLES.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
        let q = match conn {
            DbConn::Sqlite(_) => format!(
                "SELECT 'DROP INDEX ' || name AS \"drop\", sql AS definition FROM sqlite_master \
                 WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({tables})"
            ),
            DbConn::Postgresql(_) => format!(
                "SELECT 'DROP INDEX ' || quote_ident(i.indexname) AS \"drop\", i.indexdef AS definition \
                 FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename IN ({tables}) \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            ),
        };
        let defs: Vec<Definition> = diesel::sql_query(q).load(conn).map_err(err)?;
        let keys: Vec<ForeignKey> = match conn {
            DbConn::Sqlite(_) => Vec::new(),
            DbConn::Postgresql(_) => diesel::sql_query(format!(
                "SELECT c.conrelid::regclass::text AS tbl, quote_ident(c.conname) AS name, \
                 pg_get_constraintdef(c.oid) AS definition FROM pg_constraint c \
                 JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
                 WHERE c.contype = 'f' AND n.nspname = current_schema() AND t.relname IN ({tables}) \
                 ORDER BY c.conname"
            ))
            .load(conn)
            .map_err(err)?,
        };
        let drops = keys
            .iter()
            .map(|k| format!("ALTER TABLE {} DROP CONSTRAINT {}", k.tbl, k.name))
            .chain(defs.iter().map(|d| d.drop.clone()))
            .collect::<Vec<_>>()
            .join(";\n");
        match &loader.sqlite {
            Some(sq) => sq.execute_batch(&drops).map_err(err)?,
            None => conn.write(|c| c.batch_execute(&drops)).map_err(err)?,
        }
        loader.indexes = defs.into_iter().map(|d| d.definition).collect();
        loader.constraints = keys
            .into_iter()
            .map(|k| {
                (
                    format!("ALTER TABLE {} ADD CONSTRAINT {} {}", k.tbl, k.name, k.definition),
                    format!("ALTER TABLE {} VALIDATE CONSTRAINT {}", k.tbl, k.name),
                )
            })
            .collect();
        Ok(loader)
    }

    /// Writes the batches as they come, each in one transaction. On PostgreSQL two
    /// connections take turns (the server works on both cores): batches never refer to one
    /// another, so their order does not matter.
    pub fn load(&mut self, conn: &mut DbConn, pool: &DbPool, batches: Receiver<Ready>) -> Result<Counts, String> {
        let mut totals = Counts::default();
        if let Some(sq) = &mut self.sqlite {
            for ready in batches {
                sqlite_write(sq, |p| ready.batch.each(p)).map_err(err)?;
                totals.add(&ready.counts);
            }
            return Ok(totals);
        }
        let mut second = match conn {
            DbConn::Postgresql(_) => second_connection(pool),
            DbConn::Sqlite(_) => None,
        };
        if let Some(c) = second.as_deref_mut() {
            c.batch_execute("SET synchronous_commit = off").map_err(err)?;
        }
        let mut conns: Vec<&mut DbConn> = vec![conn];
        conns.extend(second.as_deref_mut());
        let batches = Mutex::new(batches);
        let failed = AtomicBool::new(false);
        let (batches, failed) = (&batches, &failed);
        std::thread::scope(|s| {
            let workers: Vec<_> = conns
                .into_iter()
                .map(|c| {
                    s.spawn(move || -> Result<Counts, String> {
                        let mut counts = Counts::default();
                        while !failed.load(Ordering::Relaxed) {
                            let next = batches.lock().map_err(err)?.recv();
                            let Ok(ready) = next else { break };
                            if let Err(e) = flush(c, ready).map(|n| counts.add(&n)) {
                                failed.store(true, Ordering::Relaxed);
                                return Err(e);
                            }
                        }
                        Ok(counts)
                    })
                })
                .collect();
            for w in workers {
                totals.add(&w.join().map_err(|_| "a loading thread panicked".to_string())??);
            }
            Ok::<(), String>(())
        })?;
        if let Some(c) = second.as_deref_mut() {
            c.batch_execute("SET synchronous_commit = on").map_err(err)?;
        }
        Ok(totals)
    }
}

/// Writes a batch in one transaction through diesel's connection.
fn flush(conn: &mut DbConn, ready: Ready) -> Result<Counts, String> {
    let Ready { counts, batch, copy } = ready;
    conn.write(|conn| -> QueryResult<()> {
        match (&mut *conn, &copy) {
            (DbConn::Postgresql(c), Some(tables)) => {
                tables.iter().try_for_each(|t| (t.copy_in)(c, &t.data).map(|_| ()))
            }
            _ => batch.each(&mut Inserts(conn)),
        }
    })
    .map_err(err)?;
    Ok(counts)
}

impl Loader {
    /// Rebuilds what was dropped, refreshes the statistics, and restores the settings.
    pub fn finish(self, conn: &mut DbConn, pool: &DbPool) -> Result<(), String> {
        match conn {
            DbConn::Sqlite(c) => {
                match self.sqlite {
                    Some(sq) => {
                        let t = Instant::now();
                        sq.execute_batch(SQLITE_INDEX_PRAGMAS).map_err(err)?;
                        for definition in &self.indexes {
                            sq.execute_batch(definition).map_err(err)?;
                        }
                        tracing::debug!(seconds = t.elapsed().as_secs_f64(), "indexes rebuilt");
                        let t = Instant::now();
                        sq.execute_batch("ANALYZE").map_err(err)?;
                        tracing::debug!(seconds = t.elapsed().as_secs_f64(), "analyzed");
                        let t = Instant::now();
                        // Synced as a normal connection would: the checkpoint copies the WAL
                        // into the file, fsyncs it, and empties the WAL.
                        sq.execute_batch("PRAGMA synchronous = FULL; PRAGMA wal_checkpoint(TRUNCATE);").map_err(err)?;
                        sq.close().map_err(|(_, e)| err(e))?;
                        tracing::debug!(seconds = t.elapsed().as_secs_f64(), "checkpointed");
                        c.batch_execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;").map_err(err)?;
                    }
                    None => {
                        for definition in &self.indexes {
                            c.batch_execute(definition).map_err(err)?;
                        }
                        c.batch_execute(
                            "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
                             PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;",
                        )
                        .map_err(err)?;
                    }
                }
                c.batch_execute("PRAGMA cache_size = -2000;").map_err(err)
            }
            DbConn::Postgresql(c) => {
                c.batch_execute("SET synchronous_commit = on").map_err(err)?;
                pg_finish(c, pool, &self.indexes, &self.constraints)
            }
        }
    }
}

/// PostgreSQL: the indexes, then the foreign keys, then the statistics, the first two
/// shared between this connection and a second one from the pool (one per core).
fn pg_finish(
    c: &mut diesel::PgConnection,
    pool: &DbPool,
    indexes: &[String],
    constraints: &[(String, String)],
) -> Result<(), String> {
    // Sorts in memory; each connection builds its own indexes instead of lending workers.
    const SESSION: &str =
        "SET maintenance_work_mem = '256MB'; SET work_mem = '256MB'; SET max_parallel_maintenance_workers = 0";
    const RESET: &str = "RESET maintenance_work_mem; RESET work_mem; RESET max_parallel_maintenance_workers";
    let mut second = if indexes.len() + constraints.len() > 1 { second_connection(pool) } else { None };
    let mut conns: Vec<&mut diesel::PgConnection> = vec![c];
    if let Some(DbConn::Postgresql(c2)) = second.as_deref_mut() {
        conns.push(c2);
    }
    tracing::debug!(connections = conns.len(), "rebuilding");
    for c in conns.iter_mut() {
        c.batch_execute(SESSION).map_err(err)?;
    }
    let t = Instant::now();
    // The biggest tables first, so that the two connections end together.
    let mut indexes: Vec<&String> = indexes.iter().collect();
    indexes.sort_by_key(|d| {
        ["hazard_events ", "hazards ", "inspections "].iter().position(|t| d.contains(t)).unwrap_or(usize::MAX)
    });
    in_parallel(&mut conns, indexes)?;
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "indexes rebuilt");
    let t = Instant::now();
    // Added unchecked (a brief lock), then checked: validation locks the parent tables
    // lightly, so the checks of different tables run side by side.
    for (add, _) in constraints {
        conns[0].batch_execute(&format!("{add} NOT VALID")).map_err(err)?;
    }
    in_parallel(&mut conns, constraints.iter().map(|(_, validate)| validate).collect())?;
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "foreign keys checked");
    let t = Instant::now();
    for c in conns.iter_mut() {
        c.batch_execute(RESET).map_err(err)?;
    }
    conns[0].batch_execute("ANALYZE").map_err(err)?;
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "analyzed");
    Ok(())
}

/// Another connection from the pool, if it has one to spare soon (else one does it all).
fn second_connection(pool: &DbPool) -> Option<crate::db::PooledConn> {
    (pool.max_size() > 1).then(|| pool.get_timeout(std::time::Duration::from_secs(5)).ok()).flatten()
}

/// Runs the statements, each on whichever connection is free first.
fn in_parallel(conns: &mut [&mut diesel::PgConnection], work: Vec<&String>) -> Result<(), String> {
    let queue = Mutex::new(VecDeque::from(work));
    let queue = &queue;
    std::thread::scope(|s| {
        let workers: Vec<_> = conns
            .iter_mut()
            .map(|c| {
                s.spawn(move || -> Result<(), String> {
                    loop {
                        let next = queue.lock().map_err(err)?.pop_front();
                        let Some(sql) = next else { return Ok(()) };
                        let t = Instant::now();
                        c.batch_execute(sql).map_err(|e| format!("{sql}: {e}"))?;
                        tracing::trace!(seconds = t.elapsed().as_secs_f64(), sql);
                    }
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| w.join().map_err(|_| "a loading thread panicked".to_string())?)
    })
}

impl Loader {
    /// The generator's user, the communities, units and campaigns, before the rest.
    pub fn people_and_places(
        &mut self,
        conn: &mut DbConn,
        user: &UserRow,
        cs: &[Community],
        us: &[Unit],
        grams: &[UnitGram],
        camps: &[Campaign],
    ) -> Result<(), String> {
        let own = self.sqlite.is_some();
        conn.write(|conn| -> Result<(), diesel::result::Error> {
            diesel::insert_into(users::table).values(user).execute(conn)?;
            crate::on_engine!(conn, |c| {
                diesel::insert_into(communities::table).values(cs).execute(c)?;
                diesel::insert_into(campaigns::table).values(camps).execute(c)?;
            });
            if let DbConn::Postgresql(c) = conn {
                Unit::copy_in(c, &bulk::copy_text(us))?;
                UnitGram::copy_in(c, &bulk::copy_text(grams))?;
            } else if !own {
                Inserts(conn).table(us)?;
                Inserts(conn).table(grams)?;
            }
            Ok(())
        })
        .map_err(err)?;
        if let Some(sq) = &mut self.sqlite {
            sqlite_write(sq, |p| {
                p.table(us)?;
                p.table(grams)
            })
            .map_err(err)?;
        }
        Ok(())
    }
}

/// `f` in one `BEGIN IMMEDIATE` transaction on the load's own SQLite connection.
fn sqlite_write(
    sq: &mut rusqlite::Connection,
    f: impl FnOnce(&mut Prepared) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let tx = sq.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    f(&mut Prepared(&tx))?;
    tx.commit()
}
