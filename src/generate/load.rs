//! Bulk loading for the generator: COPY on PostgreSQL, multi-row INSERT on SQLite, one
//! transaction per batch.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::campaigns::model::Campaign;
use crate::communities::model::Community;
use crate::db::schema::{
    campaigns, communities, enforcement_actions, enforcement_outcomes, hazard_events, hazards, inspections,
    rectifications, units, users,
};
use crate::db::DbConn;
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
const BULK_TABLES: &[&str] = &["inspections", "hazards", "hazard_events", "rectifications"];

#[derive(diesel::QueryableByName)]
struct IndexDef {
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

/// Settings for the load, and the secondary indexes dropped for it (to rebuild in [`finish`]).
pub fn prepare(conn: &mut DbConn) -> Result<Vec<String>, String> {
    match conn {
        // The per-commit fsync and foreign-key probes are skipped for the load; the file
        // is synced and the keys hold by construction.
        DbConn::Sqlite(c) => c
            .batch_execute("PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -262144;")
            .map_err(err)?,
        DbConn::Postgresql(c) => c.batch_execute("SET synchronous_commit = off").map_err(err)?,
    }
    let empty = diesel::sql_query("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM hazards")
        .get_result::<Count>(conn)
        .map_err(err)?
        .n
        == 0;
    if !empty {
        return Ok(Vec::new());
    }
    let tables = BULK_TABLES.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
    let q = match conn {
        DbConn::Sqlite(_) => format!(
            "SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({tables})"
        ),
        DbConn::Postgresql(_) => format!(
            "SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i WHERE i.schemaname = current_schema() \
             AND i.tablename IN ({tables}) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        ),
    };
    let defs: Vec<IndexDef> = diesel::sql_query(q).load(conn).map_err(err)?;
    for d in &defs {
        conn.batch_execute(&format!("DROP INDEX {}", d.name)).map_err(err)?;
    }
    Ok(defs.into_iter().map(|d| d.definition).collect())
}

/// Rebuilds the dropped indexes, restores the settings, and refreshes the statistics.
pub fn finish(conn: &mut DbConn, indexes: &[String]) -> Result<(), String> {
    for definition in indexes {
        conn.batch_execute(definition).map_err(err)?;
    }
    match conn {
        DbConn::Sqlite(c) => c
            .batch_execute(
                "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;",
            )
            .map_err(err),
        DbConn::Postgresql(c) => c.batch_execute("SET synchronous_commit = on; ANALYZE").map_err(err),
    }
}

pub fn people_and_places(
    conn: &mut DbConn,
    user: &UserRow,
    cs: &[Community],
    us: &[Unit],
    camps: &[Campaign],
) -> Result<(), String> {
    conn.write(|conn| -> Result<(), diesel::result::Error> {
        diesel::insert_into(users::table).values(user).execute(conn)?;
        crate::on_engine!(conn, |c| {
            diesel::insert_into(communities::table).values(cs).execute(c)?;
            for chunk in us.chunks(SQLITE_ROWS) {
                diesel::insert_into(units::table).values(chunk).execute(c)?;
            }
            diesel::insert_into(campaigns::table).values(camps).execute(c)?;
        });
        Ok(())
    })
    .map_err(err)
}

/// Writes what the batch holds, in one transaction, and empties it.
pub fn flush(conn: &mut DbConn, batch: &mut Batch) -> Result<Counts, String> {
    let b = std::mem::take(batch);
    let counts = Counts {
        inspections: b.inspections.len(),
        hazards: b.hazards.len(),
        events: b.events.len(),
        rectifications: b.rectifications.len(),
        actions: b.actions.len(),
    };
    conn.write(|conn| -> Result<(), diesel::result::Error> {
        bulk!(conn, inspections::table, &b.inspections);
        bulk!(conn, hazards::table, &b.hazards);
        bulk!(conn, hazard_events::table, &b.events);
        bulk!(conn, rectifications::table, &b.rectifications);
        bulk!(conn, enforcement_actions::table, &b.actions);
        bulk!(conn, enforcement_outcomes::table, &b.outcomes);
        Ok(())
    })
    .map_err(err)?;
    Ok(counts)
}
