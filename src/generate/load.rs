//! Bulk loading for the generator, one transaction per batch: COPY on PostgreSQL; on
//! SQLite, one prepared INSERT per table bound and stepped row by row on a connection of
//! its own. Into an empty database, the secondary indexes (and on PostgreSQL the foreign
//! keys of the bulk tables) are dropped first and rebuilt once at the end.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::Mutex;
use std::time::Instant;

use chrono::{Datelike, NaiveDate, Timelike};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::campaigns::model::Campaign;
use crate::communities::model::Community;
use crate::db::schema::{campaigns, communities, enforcement_actions, enforcement_outcomes, units, users};
use crate::db::types::SQLITE_MOMENT_FORMAT;
use crate::db::{DbConn, DbPool, Engine};
use crate::domain::{Id, Moment};
use crate::enforcement::model::{ActionRow, OutcomeRow};
use crate::hazards::model::{HazardEventRow, HazardRow};
use crate::inspections::model::InspectionRow;
use crate::rectifications::model::RectificationRow;
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

/// A batch made ready for its engine by the generating thread: on PostgreSQL the big
/// tables already rendered as COPY text, so the loading thread only sends them.
pub struct Ready {
    counts: Counts,
    batch: Batch,
    copy: Option<[Vec<u8>; 4]>,
}

pub fn ready(engine: Engine, mut batch: Batch) -> Ready {
    let counts = Counts {
        inspections: batch.inspections.len(),
        hazards: batch.hazards.len(),
        events: batch.events.len(),
        rectifications: batch.rectifications.len(),
        actions: batch.actions.len(),
    };
    let copy = (engine == Engine::Postgresql).then(|| {
        let data = [
            copy_lines(&batch.inspections, inspection_line),
            copy_lines(&batch.hazards, hazard_line),
            copy_lines(&batch.events, event_line),
            copy_lines(&batch.rectifications, rectification_line),
        ];
        batch.inspections = Vec::new();
        batch.hazards = Vec::new();
        batch.events = Vec::new();
        batch.rectifications = Vec::new();
        data
    });
    Ready { counts, batch, copy }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Rows per INSERT, under both engines' limits of bound variables.
const SQLITE_ROWS: usize = 400;
const PG_ROWS: usize = 2_000;

macro_rules! bulk {
    ($conn:expr, $table:expr, $rows:expr) => {
        if !$rows.is_empty() {
            match $conn {
                DbConn::Postgresql(c) => {
                    for chunk in $rows.chunks(PG_ROWS) {
                        diesel::insert_into($table).values(chunk).execute(c)?;
                    }
                }
                DbConn::Sqlite(c) => {
                    for chunk in $rows.chunks(SQLITE_ROWS) {
                        diesel::insert_into($table).values(chunk).execute(c)?;
                    }
                }
            }
        }
    };
}

/// The tables a bulk load fills, whose secondary indexes are rebuilt once at the end
/// when they start empty (building an index once is far cheaper than growing it row by row).
const BULK_TABLES: &[&str] = &["units", "inspections", "hazards", "hazard_events", "rectifications"];

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
                sqlite_insert(sq, &ready.batch).map_err(err)?;
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
    let Ready { counts, batch: b, copy } = ready;
    conn.write(|conn| -> Result<(), diesel::result::Error> {
        if let (DbConn::Postgresql(c), Some(data)) = (&mut *conn, &copy) {
            pg_copy(c, data)?;
        } else {
            bulk!(conn, crate::db::schema::inspections::table, &b.inspections);
            bulk!(conn, crate::db::schema::hazards::table, &b.hazards);
            bulk!(conn, crate::db::schema::hazard_events::table, &b.events);
            bulk!(conn, crate::db::schema::rectifications::table, &b.rectifications);
        }
        bulk!(conn, enforcement_actions::table, &b.actions);
        bulk!(conn, enforcement_outcomes::table, &b.outcomes);
        Ok(())
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
        camps: &[Campaign],
    ) -> Result<(), String> {
        let own = self.sqlite.is_some();
        conn.write(|conn| -> Result<(), diesel::result::Error> {
            diesel::insert_into(users::table).values(user).execute(conn)?;
            crate::on_engine!(conn, |c| {
                diesel::insert_into(communities::table).values(cs).execute(c)?;
                diesel::insert_into(campaigns::table).values(camps).execute(c)?;
            });
            match conn {
                DbConn::Postgresql(c) => {
                    let data = copy_lines(us, unit_line);
                    pg_copy_units(c, &data)?;
                }
                DbConn::Sqlite(c) if !own => {
                    for chunk in us.chunks(SQLITE_ROWS) {
                        diesel::insert_into(units::table).values(chunk).execute(c)?;
                    }
                }
                DbConn::Sqlite(_) => {}
            }
            Ok(())
        })
        .map_err(err)?;
        if let Some(sq) = &mut self.sqlite {
            sqlite_units(sq, us).map_err(err)?;
        }
        Ok(())
    }
}

/// `2026-11-25T01:02:03.000004Z` in `buf`: the fixed-width UTC text SQLite stores moments
/// in (the same as [`SQLITE_MOMENT_FORMAT`]), which PostgreSQL reads too; `None` outside
/// years 0–9999 or on a leap second (for chrono to write).
fn moment_text<'b>(m: &Moment, buf: &'b mut [u8; 27]) -> Option<&'b str> {
    let t = m.0;
    let (year, micros) = (t.year(), t.nanosecond() / 1_000);
    if !(0..=9999).contains(&year) || micros >= 1_000_000 {
        return None;
    }
    let mut put = |at: usize, width: usize, mut v: u32| {
        for i in (at..at + width).rev() {
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, year as u32);
    put(5, 2, t.month());
    put(8, 2, t.day());
    put(11, 2, t.hour());
    put(14, 2, t.minute());
    put(17, 2, t.second());
    put(20, 6, micros);
    for (i, c) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'.'), (26, b'Z')] {
        buf[i] = c;
    }
    std::str::from_utf8(buf).ok()
}

/// `2026-11-25` in `buf` (diesel's `%F` for dates on SQLite), `None` outside years 0–9999.
fn date_text<'b>(d: &NaiveDate, buf: &'b mut [u8; 10]) -> Option<&'b str> {
    let year = d.year();
    if !(0..=9999).contains(&year) {
        return None;
    }
    let mut put = |at: usize, width: usize, mut v: u32| {
        for i in (at..at + width).rev() {
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, year as u32);
    put(5, 2, d.month());
    put(8, 2, d.day());
    buf[4] = b'-';
    buf[7] = b'-';
    std::str::from_utf8(buf).ok()
}

/// Binds one row's values in order to a prepared SQLite statement, the way diesel stores
/// them (ids as 16-byte BLOBs, moments and dates as text, booleans as 0/1), and runs it.
struct Row<'s, 'c> {
    st: &'s mut rusqlite::Statement<'c>,
    at: usize,
    failed: Option<rusqlite::Error>,
}

impl<'s, 'c> Row<'s, 'c> {
    fn new(st: &'s mut rusqlite::Statement<'c>) -> Self {
        Row { st, at: 0, failed: None }
    }

    fn bind<T: rusqlite::ToSql>(&mut self, v: T) -> &mut Self {
        self.at += 1;
        if self.failed.is_none() {
            if let Err(e) = self.st.raw_bind_parameter(self.at, v) {
                self.failed = Some(e);
            }
        }
        self
    }

    fn id(&mut self, v: Id) -> &mut Self {
        self.bind(&v.0.as_bytes()[..])
    }

    fn opt_id(&mut self, v: Option<Id>) -> &mut Self {
        self.bind(v.as_ref().map(|i| &i.0.as_bytes()[..]))
    }

    fn text(&mut self, v: &str) -> &mut Self {
        self.bind(v)
    }

    fn opt_text(&mut self, v: Option<&str>) -> &mut Self {
        self.bind(v)
    }

    fn at(&mut self, v: Moment) -> &mut Self {
        let mut buf = [0u8; 27];
        match moment_text(&v, &mut buf) {
            Some(s) => self.bind(s),
            None => self.bind(v.0.format(SQLITE_MOMENT_FORMAT).to_string()),
        }
    }

    fn opt_at(&mut self, v: Option<Moment>) -> &mut Self {
        match v {
            Some(v) => self.at(v),
            None => self.bind(rusqlite::types::Null),
        }
    }

    fn date(&mut self, v: NaiveDate) -> &mut Self {
        let mut buf = [0u8; 10];
        match date_text(&v, &mut buf) {
            Some(s) => self.bind(s),
            None => self.bind(v.format("%F").to_string()),
        }
    }

    fn opt_date(&mut self, v: Option<NaiveDate>) -> &mut Self {
        match v {
            Some(v) => self.date(v),
            None => self.bind(rusqlite::types::Null),
        }
    }

    fn flag(&mut self, v: bool) -> &mut Self {
        self.bind(i32::from(v))
    }

    fn run(&mut self) -> rusqlite::Result<()> {
        match self.failed.take() {
            Some(e) => Err(e),
            None => self.st.raw_execute().map(|_| ()),
        }
    }
}

/// One INSERT statement for `table`, with a placeholder per column.
fn insert_sql(table: &str, columns: &str) -> String {
    let n = columns.split(',').count();
    format!("INSERT INTO {table} ({columns}) VALUES ({})", vec!["?"; n].join(", "))
}

const UNIT_COLUMNS: &str = "id, community_id, name, kind, status, address, credit_code, contact_name, \
     contact_phone, latitude, longitude, version, created_at, updated_at, created_by";
const INSPECTION_COLUMNS: &str = "id, unit_id, community_id, unit_kind, campaign_id, inspected_at, inspected_on, \
     inspectors, leader_led, latitude, longitude, notes, request_hash, recorded_at, created_by";
const HAZARD_COLUMNS: &str = "id, inspection_id, unit_id, community_id, unit_kind, campaign_id, leader_led, \
     category, level, source, handling_type, description, legal_basis, responsible_person, note, deadline, status, \
     found_at, found_on, recorded_at, closed_at, version, created_by";
const EVENT_COLUMNS: &str =
    "id, hazard_id, at, actor, actor_user_id, kind, from_state, to_state, reason, details, deadline";
const RECTIFICATION_COLUMNS: &str = "id, hazard_id, community_id, status, measures, responsible_person, cost_cents, \
     completed_at, submitted_at, submitted_by, verified_at, verified_by, verification_comment, request_hash, version";
const ACTION_COLUMNS: &str =
    "id, held_on, lead_department, departments, community_id, summary, request_hash, recorded_at, created_by";
const OUTCOME_COLUMNS: &str = "id, action_id, position, unit_id, community_id, unit_kind, violations_found, \
     violation_description, measure, transferred_to";

/// The units on the load's own SQLite connection, in one transaction.
fn sqlite_units(sq: &mut rusqlite::Connection, us: &[Unit]) -> rusqlite::Result<()> {
    let tx = sq.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut st = tx.prepare_cached(&insert_sql("units", UNIT_COLUMNS))?;
        for r in us {
            Row::new(&mut st)
                .id(r.id)
                .id(r.community_id)
                .text(&r.name)
                .text(r.kind.as_str())
                .text(r.status.as_str())
                .text(&r.address)
                .opt_text(r.credit_code.as_deref())
                .opt_text(r.contact_name.as_deref())
                .opt_text(r.contact_phone.as_deref())
                .bind(r.latitude)
                .bind(r.longitude)
                .bind(r.version)
                .at(r.created_at)
                .at(r.updated_at)
                .opt_id(r.created_by)
                .run()?;
        }
    }
    tx.commit()
}

/// The batch on the load's own SQLite connection, in one `BEGIN IMMEDIATE` transaction.
fn sqlite_insert(sq: &mut rusqlite::Connection, b: &Batch) -> rusqlite::Result<()> {
    let tx = sq.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut st = tx.prepare_cached(&insert_sql("inspections", INSPECTION_COLUMNS))?;
        for r in &b.inspections {
            Row::new(&mut st)
                .id(r.id)
                .id(r.unit_id)
                .id(r.community_id)
                .text(r.unit_kind.as_str())
                .opt_id(r.campaign_id)
                .at(r.inspected_at)
                .date(r.inspected_on)
                .text(&r.inspectors)
                .flag(r.leader_led)
                .bind(r.latitude)
                .bind(r.longitude)
                .opt_text(r.notes.as_deref())
                .text(&r.request_hash)
                .at(r.recorded_at)
                .opt_id(r.created_by)
                .run()?;
        }
        let mut st = tx.prepare_cached(&insert_sql("hazards", HAZARD_COLUMNS))?;
        for r in &b.hazards {
            Row::new(&mut st)
                .id(r.id)
                .id(r.inspection_id)
                .id(r.unit_id)
                .id(r.community_id)
                .text(r.unit_kind.as_str())
                .opt_id(r.campaign_id)
                .flag(r.leader_led)
                .text(r.category.as_str())
                .text(r.level.as_str())
                .text(r.source.as_str())
                .text(r.handling_type.as_str())
                .text(&r.description)
                .opt_text(r.legal_basis.as_deref())
                .opt_text(r.responsible_person.as_deref())
                .opt_text(r.note.as_deref())
                .opt_date(r.deadline)
                .text(r.status.as_str())
                .at(r.found_at)
                .date(r.found_on)
                .at(r.recorded_at)
                .opt_at(r.closed_at)
                .bind(r.version)
                .opt_id(r.created_by)
                .run()?;
        }
        let mut st = tx.prepare_cached(&insert_sql("hazard_events", EVENT_COLUMNS))?;
        for r in &b.events {
            Row::new(&mut st)
                .id(r.id)
                .id(r.hazard_id)
                .at(r.at)
                .text(&r.actor)
                .opt_id(r.actor_user_id)
                .text(&r.kind)
                .opt_text(r.from_state.map(|s| s.as_str()))
                .text(r.to_state.as_str())
                .opt_text(r.reason.as_deref())
                .opt_text(r.details.as_deref())
                .opt_date(r.deadline)
                .run()?;
        }
        let mut st = tx.prepare_cached(&insert_sql("rectifications", RECTIFICATION_COLUMNS))?;
        for r in &b.rectifications {
            Row::new(&mut st)
                .id(r.id)
                .id(r.hazard_id)
                .id(r.community_id)
                .text(r.status.as_str())
                .text(&r.measures)
                .opt_text(r.responsible_person.as_deref())
                .bind(r.cost_cents)
                .at(r.completed_at)
                .at(r.submitted_at)
                .id(r.submitted_by)
                .opt_at(r.verified_at)
                .opt_id(r.verified_by)
                .opt_text(r.verification_comment.as_deref())
                .text(&r.request_hash)
                .bind(r.version)
                .run()?;
        }
        let mut st = tx.prepare_cached(&insert_sql("enforcement_actions", ACTION_COLUMNS))?;
        for r in &b.actions {
            Row::new(&mut st)
                .id(r.id)
                .date(r.held_on)
                .text(r.lead_department.as_str())
                .text(&r.departments)
                .opt_id(r.community_id)
                .text(&r.summary)
                .text(&r.request_hash)
                .at(r.recorded_at)
                .id(r.created_by)
                .run()?;
        }
        let mut st = tx.prepare_cached(&insert_sql("enforcement_outcomes", OUTCOME_COLUMNS))?;
        for r in &b.outcomes {
            Row::new(&mut st)
                .id(r.id)
                .id(r.action_id)
                .bind(r.position)
                .id(r.unit_id)
                .id(r.community_id)
                .text(r.unit_kind.as_str())
                .bind(r.violations_found)
                .opt_text(r.violation_description.as_deref())
                .text(r.measure.as_str())
                .opt_text(r.transferred_to.map(|d| d.as_str()))
                .run()?;
        }
    }
    tx.commit()
}

/// PostgreSQL's COPY text format: tab-separated, `\N` for NULL, backslash escapes.
mod copy_text {
    use crate::domain::{Id, Moment};
    use chrono::NaiveDate;

    pub struct Line(pub Vec<u8>);

    impl Line {
        pub fn new() -> Self {
            Line(Vec::with_capacity(512))
        }

        fn sep(&mut self) {
            if !self.0.is_empty() {
                self.0.push(b'\t');
            }
        }

        pub fn text(&mut self, v: Option<&str>) -> &mut Self {
            self.sep();
            match v {
                None => self.0.extend_from_slice(b"\\N"),
                Some(s) => {
                    for b in s.bytes() {
                        match b {
                            b'\\' => self.0.extend_from_slice(b"\\\\"),
                            b'\t' => self.0.extend_from_slice(b"\\t"),
                            b'\n' => self.0.extend_from_slice(b"\\n"),
                            b'\r' => self.0.extend_from_slice(b"\\r"),
                            _ => self.0.push(b),
                        }
                    }
                }
            }
            self
        }

        pub fn s(&mut self, v: &str) -> &mut Self {
            self.text(Some(v))
        }

        pub fn id(&mut self, v: Option<Id>) -> &mut Self {
            let mut buf = uuid::Uuid::encode_buffer();
            self.text(v.map(|i| &*i.0.hyphenated().encode_lower(&mut buf)))
        }

        pub fn at(&mut self, v: Option<Moment>) -> &mut Self {
            let mut buf = [0u8; 27];
            match v {
                Some(m) => match super::moment_text(&m, &mut buf) {
                    Some(s) => self.text(Some(s)),
                    None => self.text(Some(&m.to_rfc3339())),
                },
                None => self.text(None),
            }
        }

        pub fn date(&mut self, v: Option<NaiveDate>) -> &mut Self {
            let mut buf = [0u8; 10];
            match v {
                Some(d) => match super::date_text(&d, &mut buf) {
                    Some(s) => self.text(Some(s)),
                    None => self.text(Some(&d.to_string())),
                },
                None => self.text(None),
            }
        }

        pub fn int(&mut self, v: Option<i64>) -> &mut Self {
            self.text(v.map(|n| n.to_string()).as_deref())
        }

        pub fn float(&mut self, v: Option<f64>) -> &mut Self {
            self.text(v.map(|n| n.to_string()).as_deref())
        }

        pub fn bool(&mut self, v: bool) -> &mut Self {
            self.s(if v { "t" } else { "f" })
        }

        pub fn end(mut self, out: &mut Vec<u8>) {
            self.0.push(b'\n');
            out.extend_from_slice(&self.0);
        }
    }
}

/// The rows of one table as COPY text.
fn copy_lines<R>(rows: &[R], line: impl Fn(&R, copy_text::Line) -> copy_text::Line) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 300);
    for r in rows {
        line(r, copy_text::Line::new()).end(&mut out);
    }
    out
}

fn unit_line(r: &Unit, mut l: copy_text::Line) -> copy_text::Line {
    l.id(Some(r.id)).id(Some(r.community_id)).s(&r.name).s(r.kind.as_str()).s(r.status.as_str()).s(&r.address);
    l.text(r.credit_code.as_deref()).text(r.contact_name.as_deref()).text(r.contact_phone.as_deref());
    l.float(r.latitude).float(r.longitude).int(Some(r.version as i64)).at(Some(r.created_at)).at(Some(r.updated_at));
    l.id(r.created_by);
    l
}

fn inspection_line(r: &InspectionRow, mut l: copy_text::Line) -> copy_text::Line {
    l.id(Some(r.id)).id(Some(r.unit_id)).id(Some(r.community_id)).s(r.unit_kind.as_str()).id(r.campaign_id);
    l.at(Some(r.inspected_at)).date(Some(r.inspected_on)).s(&r.inspectors).bool(r.leader_led);
    l.float(r.latitude)
        .float(r.longitude)
        .text(r.notes.as_deref())
        .s(&r.request_hash)
        .at(Some(r.recorded_at))
        .id(r.created_by);
    l
}

fn hazard_line(r: &HazardRow, mut l: copy_text::Line) -> copy_text::Line {
    l.id(Some(r.id)).id(Some(r.inspection_id)).id(Some(r.unit_id)).id(Some(r.community_id)).s(r.unit_kind.as_str());
    l.id(r.campaign_id).bool(r.leader_led).s(r.category.as_str()).s(r.level.as_str()).s(r.source.as_str());
    l.s(r.handling_type.as_str())
        .s(&r.description)
        .text(r.legal_basis.as_deref())
        .text(r.responsible_person.as_deref());
    l.text(r.note.as_deref()).date(r.deadline).s(r.status.as_str()).at(Some(r.found_at)).date(Some(r.found_on));
    l.at(Some(r.recorded_at)).at(r.closed_at).int(Some(r.version as i64)).id(r.created_by);
    l
}

fn event_line(r: &HazardEventRow, mut l: copy_text::Line) -> copy_text::Line {
    l.id(Some(r.id)).id(Some(r.hazard_id)).at(Some(r.at)).s(&r.actor).id(r.actor_user_id).s(&r.kind);
    l.text(r.from_state.map(|s| s.as_str()))
        .s(r.to_state.as_str())
        .text(r.reason.as_deref())
        .text(r.details.as_deref());
    l.date(r.deadline);
    l
}

fn rectification_line(r: &RectificationRow, mut l: copy_text::Line) -> copy_text::Line {
    l.id(Some(r.id)).id(Some(r.hazard_id)).id(Some(r.community_id)).s(r.status.as_str()).s(&r.measures);
    l.text(r.responsible_person.as_deref()).int(r.cost_cents).at(Some(r.completed_at)).at(Some(r.submitted_at));
    l.id(Some(r.submitted_by)).at(r.verified_at).id(r.verified_by).text(r.verification_comment.as_deref());
    l.s(&r.request_hash).int(Some(r.version as i64));
    l
}

/// COPY of the big tables on PostgreSQL, one statement per table and batch.
fn pg_copy(c: &mut diesel::PgConnection, data: &[Vec<u8>; 4]) -> Result<(), diesel::result::Error> {
    let [inspections, hazards, events, rectifications] = data;
    use crate::db::schema::{hazard_events as e, hazards as h, inspections as i, rectifications as r};
    let cols = (
        i::id,
        i::unit_id,
        i::community_id,
        i::unit_kind,
        i::campaign_id,
        i::inspected_at,
        i::inspected_on,
        i::inspectors,
        i::leader_led,
        i::latitude,
        i::longitude,
        i::notes,
        i::request_hash,
        i::recorded_at,
        i::created_by,
    );
    if !inspections.is_empty() {
        diesel::copy_from(i::table).from_raw_data(cols, |w| w.write_all(inspections).map_err(copy_err)).execute(c)?;
    }
    let cols = (
        h::id,
        h::inspection_id,
        h::unit_id,
        h::community_id,
        h::unit_kind,
        h::campaign_id,
        h::leader_led,
        h::category,
        h::level,
        h::source,
        h::handling_type,
        h::description,
        h::legal_basis,
        h::responsible_person,
        h::note,
        h::deadline,
        h::status,
        h::found_at,
        h::found_on,
        h::recorded_at,
        h::closed_at,
        h::version,
        h::created_by,
    );
    if !hazards.is_empty() {
        diesel::copy_from(h::table).from_raw_data(cols, |w| w.write_all(hazards).map_err(copy_err)).execute(c)?;
    }
    let cols = (
        e::id,
        e::hazard_id,
        e::at,
        e::actor,
        e::actor_user_id,
        e::kind,
        e::from_state,
        e::to_state,
        e::reason,
        e::details,
        e::deadline,
    );
    if !events.is_empty() {
        diesel::copy_from(e::table).from_raw_data(cols, |w| w.write_all(events).map_err(copy_err)).execute(c)?;
    }
    let cols = (
        r::id,
        r::hazard_id,
        r::community_id,
        r::status,
        r::measures,
        r::responsible_person,
        r::cost_cents,
        r::completed_at,
        r::submitted_at,
        r::submitted_by,
        r::verified_at,
        r::verified_by,
        r::verification_comment,
        r::request_hash,
        r::version,
    );
    if !rectifications.is_empty() {
        diesel::copy_from(r::table)
            .from_raw_data(cols, |w| w.write_all(rectifications).map_err(copy_err))
            .execute(c)?;
    }
    Ok(())
}

fn pg_copy_units(c: &mut diesel::PgConnection, data: &[u8]) -> Result<(), diesel::result::Error> {
    use crate::db::schema::units as u;
    let cols = (
        u::id,
        u::community_id,
        u::name,
        u::kind,
        u::status,
        u::address,
        u::credit_code,
        u::contact_name,
        u::contact_phone,
        u::latitude,
        u::longitude,
        u::version,
        u::created_at,
        u::updated_at,
        u::created_by,
    );
    diesel::copy_from(u::table).from_raw_data(cols, |w| w.write_all(data).map_err(copy_err)).execute(c)?;
    Ok(())
}

fn copy_err(e: std::io::Error) -> diesel::result::Error {
    diesel::result::Error::SerializationError(Box::new(e))
}
