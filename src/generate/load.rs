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
        if let DbConn::Postgresql(c) = conn {
            if !b.events.is_empty() || !b.inspections.is_empty() {
                pg_copy(c, &b)?;
            }
        } else {
            bulk!(conn, inspections::table, &b.inspections);
            bulk!(conn, hazards::table, &b.hazards);
            bulk!(conn, hazard_events::table, &b.events);
            bulk!(conn, rectifications::table, &b.rectifications);
        }
        bulk!(conn, enforcement_actions::table, &b.actions);
        bulk!(conn, enforcement_outcomes::table, &b.outcomes);
        Ok(())
    })
    .map_err(err)?;
    Ok(counts)
}

/// PostgreSQL's COPY text format: tab-separated, `\N` for NULL, backslash escapes.
mod copy_text {
    use crate::db::types::{Id, Moment};
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
            self.text(v.map(|i| i.to_string()).as_deref())
        }

        pub fn at(&mut self, v: Option<Moment>) -> &mut Self {
            self.text(v.map(|m| m.to_rfc3339()).as_deref())
        }

        pub fn date(&mut self, v: Option<NaiveDate>) -> &mut Self {
            self.text(v.map(|d| d.to_string()).as_deref())
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
fn pg_copy(c: &mut diesel::PgConnection, b: &Batch) -> Result<(), diesel::result::Error> {
    use crate::db::schema::{hazard_events as e, hazards as h, inspections as i, rectifications as r};
    let data = copy_lines(&b.inspections, inspection_line);
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
    diesel::copy_from(i::table).from_raw_data(cols, |w| w.write_all(&data).map_err(copy_err)).execute(c)?;
    let data = copy_lines(&b.hazards, hazard_line);
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
    diesel::copy_from(h::table).from_raw_data(cols, |w| w.write_all(&data).map_err(copy_err)).execute(c)?;
    let data = copy_lines(&b.events, event_line);
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
    diesel::copy_from(e::table).from_raw_data(cols, |w| w.write_all(&data).map_err(copy_err)).execute(c)?;
    let data = copy_lines(&b.rectifications, rectification_line);
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
    diesel::copy_from(r::table).from_raw_data(cols, |w| w.write_all(&data).map_err(copy_err)).execute(c)?;
    Ok(())
}

fn copy_err(e: std::io::Error) -> diesel::result::Error {
    diesel::result::Error::SerializationError(Box::new(e))
}
