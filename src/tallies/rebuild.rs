//! Rebuilding every counter from the records and their events: what `safetrace
//! rebuild-counters` runs, what the service runs at start-up when the counters were built
//! by another version (or for another time zone), and what the tests compare against.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Nullable, Text};

use super::model::{month_of, next_month, CellKey, ChangeRow, Counted, Dims, Grain, Presence};
use super::store::{self, Cell};
use crate::db::schema::meta;
use crate::db::sql::{Bind, Sql};
use crate::db::types::{SqlMoment, SqlUuid};
use crate::db::DbConn;
use crate::domain::tally::{self, Facts, Tally};
use crate::domain::{HazardCategory, HazardLevel, HazardStatus, Id, Moment, UnitKind};
use crate::domain::{PlanState, SupervisionLevel, SupervisionState};
use crate::error::ApiResult;

/// The counters' layout and rules: a change to either bumps it, and the next start
/// rebuilds them.
pub const COUNTERS_VERSION: &str = "2";

const VERSION_KEY: &str = "counters_version";
const TIMEZONE_KEY: &str = "counters_timezone";

/// Hazards read per round.
const HAZARDS_PER_ROUND: i64 = 5_000;

/// What a rebuild counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rebuilt {
    pub hazards: u64,
    pub changes: u64,
    pub inspections: u64,
}

fn stored(conn: &mut DbConn, key: &str) -> ApiResult<Option<String>> {
    Ok(meta::table.find(key).select(meta::value).first(conn).optional()?)
}

fn store_meta(conn: &mut DbConn, key: &str, value: &str) -> ApiResult<()> {
    diesel::delete(meta::table.find(key)).execute(conn)?;
    diesel::insert_into(meta::table).values((meta::key.eq(key), meta::value.eq(value))).execute(conn)?;
    Ok(())
}

/// Whether the stored counters were built by this version for this time zone.
pub fn current(conn: &mut DbConn, tz: Tz) -> ApiResult<bool> {
    Ok(stored(conn, VERSION_KEY)?.as_deref() == Some(COUNTERS_VERSION)
        && stored(conn, TIMEZONE_KEY)?.as_deref() == Some(tz.name()))
}

/// Rebuilds the counters unless they are current; answers what it rebuilt, if anything.
pub fn ensure(conn: &mut DbConn, tz: Tz) -> ApiResult<Option<Rebuilt>> {
    if current(conn, tz)? {
        return Ok(None);
    }
    rebuild(conn, tz).map(Some)
}

/// Drops every counter and makes them again from the hazards' events and the inspections,
/// in one transaction.
pub fn rebuild(conn: &mut DbConn, tz: Tz) -> ApiResult<Rebuilt> {
    conn.write(|conn| {
        let tables: Vec<&str> = Grain::ALL
            .iter()
            .flat_map(|g| [g.table(false), g.table(true)])
            .chain(["hazard_tally_changes", "unit_presence"])
            .collect();
        for table in tables {
            let empty = match conn {
                DbConn::Postgresql(_) => format!("TRUNCATE {table}"),
                DbConn::Sqlite(_) => format!("DELETE FROM {table}"),
            };
            diesel::sql_query(empty).execute(conn)?;
        }
        let mut done = Rebuilt::default();
        let t = std::time::Instant::now();
        replay_hazards(conn, tz, &mut done)?;
        costs(conn, tz, &mut done)?;
        tracing::debug!(seconds = t.elapsed().as_secs_f64(), changes = done.changes, "hazard changes replayed");
        let t = std::time::Instant::now();
        roll_up(conn)?;
        tracing::debug!(seconds = t.elapsed().as_secs_f64(), "rolled up");
        let t = std::time::Instant::now();
        presence(conn, tz, &mut done)?;
        tracing::debug!(seconds = t.elapsed().as_secs_f64(), "unit sets made");
        store_meta(conn, VERSION_KEY, COUNTERS_VERSION)?;
        store_meta(conn, TIMEZONE_KEY, tz.name())?;
        Ok(done)
    })
}

#[derive(QueryableByName)]
struct HazardRow {
    #[diesel(sql_type = SqlUuid)]
    id: Id,
    #[diesel(sql_type = Date)]
    found_on: NaiveDate,
    #[diesel(sql_type = SqlUuid)]
    community_id: Id,
    #[diesel(sql_type = Text)]
    unit_kind: UnitKind,
    #[diesel(sql_type = Text)]
    category: HazardCategory,
    #[diesel(sql_type = Text)]
    level: HazardLevel,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    campaign_id: Option<Id>,
    #[diesel(sql_type = Bool)]
    leader_led: bool,
    #[diesel(sql_type = Bool)]
    recurrent: bool,
}

#[derive(QueryableByName)]
struct EventRow {
    #[diesel(sql_type = SqlUuid)]
    hazard_id: Id,
    #[diesel(sql_type = SqlMoment)]
    at: Moment,
    #[diesel(sql_type = Text)]
    to_state: HazardStatus,
    #[diesel(sql_type = Nullable<Date>)]
    deadline: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Text>)]
    plan_state: Option<PlanState>,
    #[diesel(sql_type = Nullable<Text>)]
    supervision_level: Option<SupervisionLevel>,
    #[diesel(sql_type = Nullable<Text>)]
    supervision_state: Option<SupervisionState>,
}

/// Every hazard's events, in order, turned into change rows: hazards a round at a time by
/// id, with their events.
fn replay_hazards(conn: &mut DbConn, tz: Tz, done: &mut Rebuilt) -> ApiResult<()> {
    let mut after: Option<Id> = None;
    loop {
        let mut sql = Sql::new(conn.engine());
        sql.push(
            "SELECT id, found_on, community_id, unit_kind, category, level, campaign_id, leader_led, \
             recurrence_of IS NOT NULL AS recurrent FROM hazards",
        );
        if let Some(id) = after {
            sql.push(" WHERE id > ").bind(Bind::Id(id));
        }
        sql.push(" ORDER BY id LIMIT ").bind(Bind::BigInt(HAZARDS_PER_ROUND));
        let hazards: Vec<HazardRow> = sql.build().load(conn)?;
        let (Some(first), Some(last)) = (hazards.first(), hazards.last()) else {
            return Ok(());
        };
        let mut sql = Sql::new(conn.engine());
        sql.push(
            "SELECT hazard_id, at, to_state, deadline, plan_state, supervision_level, supervision_state \
             FROM hazard_events WHERE hazard_id >= ",
        );
        sql.bind(Bind::Id(first.id)).push(" AND hazard_id <= ").bind(Bind::Id(last.id));
        sql.push(" ORDER BY hazard_id, at, id");
        let events: Vec<EventRow> = sql.build().load(conn)?;
        let mut rows: Vec<ChangeRow> = Vec::with_capacity(events.len() * 2);
        let mut next_event = events.iter().peekable();
        for h in &hazards {
            let dims = Dims {
                found_on: h.found_on,
                community_id: h.community_id,
                unit_kind: h.unit_kind,
                category: h.category,
                level: h.level,
                campaign_id: h.campaign_id,
                leader_led: h.leader_led,
            };
            let mut before: Option<Facts> = None;
            while let Some(e) = next_event.next_if(|e| e.hazard_id == h.id) {
                let facts = Facts {
                    status: e.to_state,
                    deadline: e.deadline,
                    major: h.level == HazardLevel::Major,
                    recurrent: h.recurrent,
                    plan: e.plan_state,
                    supervision_level: e.supervision_level,
                    supervision_state: e.supervision_state,
                };
                rows.extend(store::change_rows(dims, &tally::changes(before, facts, e.at, tz), tz));
                before = Some(facts);
            }
        }
        store::copy_changes(conn, &rows)?;
        done.hazards += hazards.len() as u64;
        done.changes += rows.len() as u64;
        after = Some(last.id);
    }
}

#[derive(QueryableByName)]
struct CostRow {
    #[diesel(sql_type = SqlUuid)]
    id: Id,
    #[diesel(sql_type = SqlMoment)]
    verified_at: Moment,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    cost_cents: i64,
    #[diesel(sql_type = Date)]
    found_on: NaiveDate,
    #[diesel(sql_type = SqlUuid)]
    community_id: Id,
    #[diesel(sql_type = Text)]
    unit_kind: UnitKind,
    #[diesel(sql_type = Text)]
    category: HazardCategory,
    #[diesel(sql_type = Text)]
    level: HazardLevel,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    campaign_id: Option<Id>,
    #[diesel(sql_type = Bool)]
    leader_led: bool,
}

/// The costs of the rectifications passed, dated by their verification.
fn costs(conn: &mut DbConn, tz: Tz, done: &mut Rebuilt) -> ApiResult<()> {
    let mut after: Option<Id> = None;
    loop {
        let mut sql = Sql::new(conn.engine());
        sql.push(
            "SELECT r.id, r.verified_at, CAST(r.cost_cents AS BIGINT) AS cost_cents, h.found_on, h.community_id, \
             h.unit_kind, h.category, h.level, h.campaign_id, h.leader_led FROM rectifications r \
             JOIN hazards h ON h.id = r.hazard_id WHERE r.status = 'passed' AND r.cost_cents <> 0 \
             AND r.verified_at IS NOT NULL",
        );
        if let Some(id) = after {
            sql.push(" AND r.id > ").bind(Bind::Id(id));
        }
        sql.push(" ORDER BY r.id LIMIT ").bind(Bind::BigInt(HAZARDS_PER_ROUND * 4));
        let rows: Vec<CostRow> = sql.build().load(conn)?;
        let Some(last) = rows.last() else { return Ok(()) };
        after = Some(last.id);
        let changes: Vec<ChangeRow> = rows
            .iter()
            .flat_map(|r| {
                let dims = Dims {
                    found_on: r.found_on,
                    community_id: r.community_id,
                    unit_kind: r.unit_kind,
                    category: r.category,
                    level: r.level,
                    campaign_id: r.campaign_id,
                    leader_led: r.leader_led,
                };
                store::change_rows(dims, &[tally::cost(r.cost_cents, r.verified_at, tz)], tz)
            })
            .collect();
        done.changes += changes.len() as u64;
        store::copy_changes(conn, &changes)?;
    }
}

/// The rollups, summed from the change rows.
fn roll_up(conn: &mut DbConn) -> ApiResult<()> {
    let measures = Tally::COLUMNS.join(", ");
    let sums: Vec<String> = Tally::COLUMNS.iter().map(|c| format!("SUM({c})")).collect();
    let any: Vec<String> = Tally::COLUMNS.iter().map(|c| format!("SUM({c}) <> 0")).collect();
    for grain in Grain::ALL {
        for by_category in [false, true] {
            let sql = Sql::new(conn.engine());
            let (found, at) = match grain {
                Grain::Months => (sql.month_start_of("found_on"), sql.month_start_of("at_day")),
                Grain::Days => (sql.month_start_of("found_on"), "at_day".to_string()),
                Grain::Edges => ("found_on".to_string(), sql.month_start_of("at_day")),
            };
            let dims = if by_category {
                "community_id, unit_kind, category, level, campaign_key, leader_led"
            } else {
                "community_id, unit_kind, campaign_key, leader_led"
            };
            let text = format!(
                "INSERT INTO {table} (found_bucket, at_bucket, {dims}, {measures}) \
                 SELECT {found}, {at}, {dims}, {sums} FROM hazard_tally_changes \
                 GROUP BY {found}, {at}, {dims} HAVING {any}",
                table = grain.table(by_category),
                sums = sums.join(", "),
                any = any.join(" OR "),
            );
            diesel::sql_query(text).execute(conn)?;
        }
    }
    Ok(())
}

#[derive(QueryableByName)]
struct PresenceRow {
    #[diesel(sql_type = Date)]
    found_on: NaiveDate,
    #[diesel(sql_type = SqlMoment)]
    recorded_at: Moment,
    #[diesel(sql_type = SqlUuid)]
    community_id: Id,
    #[diesel(sql_type = Text)]
    unit_kind: UnitKind,
    #[diesel(sql_type = Nullable<Text>)]
    category: Option<HazardCategory>,
    #[diesel(sql_type = Nullable<Text>)]
    level: Option<HazardLevel>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    campaign_id: Option<Id>,
    #[diesel(sql_type = Bool)]
    leader_led: bool,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    unit_no: i64,
}

/// The sets of distinct units, from every inspection and hazard, a month recorded at a
/// time: every cell of the month is complete before it is written.
fn presence(conn: &mut DbConn, tz: Tz, done: &mut Rebuilt) -> ApiResult<()> {
    #[derive(QueryableByName)]
    struct Span {
        #[diesel(sql_type = Nullable<SqlMoment>)]
        first: Option<Moment>,
        #[diesel(sql_type = Nullable<SqlMoment>)]
        last: Option<Moment>,
    }
    let span: Span = diesel::sql_query(
        "SELECT MIN(m) AS first, MAX(m) AS last FROM (SELECT MIN(recorded_at) AS m FROM inspections UNION ALL \
         SELECT MAX(recorded_at) FROM inspections UNION ALL SELECT MIN(recorded_at) FROM hazards UNION ALL \
         SELECT MAX(recorded_at) FROM hazards) x",
    )
    .get_result(conn)?;
    let (Some(first), Some(last)) = (span.first, span.last) else { return Ok(()) };
    let mut month = month_of(crate::domain::time::local_date(first, tz));
    let last_month = month_of(crate::domain::time::local_date(last, tz));
    while month <= last_month {
        let (from, to) = (tally::start_of_day(month, tz), tally::start_of_day(next_month(month), tz));
        let mut cells: BTreeMap<CellKey, Cell> = BTreeMap::new();
        for inspections in [true, false] {
            let (table, found, category, level) = if inspections {
                ("inspections", "inspected_on", "CAST(NULL AS TEXT)", "CAST(NULL AS TEXT)")
            } else {
                ("hazards", "found_on", "r.category", "r.level")
            };
            let mut sql = Sql::new(conn.engine());
            sql.push(&format!(
                "SELECT r.{found} AS found_on, r.recorded_at, r.community_id, r.unit_kind, {category} AS category, \
                 {level} AS level, r.campaign_id, r.leader_led, u.unit_no FROM {table} r JOIN units u ON u.id = r.unit_id \
                 WHERE r.recorded_at >= "
            ));
            sql.bind(Bind::Moment(from)).push(" AND r.recorded_at < ").bind(Bind::Moment(to));
            let rows: Vec<PresenceRow> = sql.build().load(conn)?;
            for r in &rows {
                let counted = match (r.category, r.level) {
                    (Some(category), Some(level)) => Counted::Hazard { category, level },
                    _ => Counted::Inspection,
                };
                let p = Presence {
                    counted,
                    found_on: r.found_on,
                    recorded_at: r.recorded_at,
                    community_id: r.community_id,
                    unit_kind: r.unit_kind,
                    campaign_id: r.campaign_id,
                    leader_led: r.leader_led,
                    unit_no: r.unit_no,
                };
                for key in p.cells(tz) {
                    cells.entry(key).or_default().add(p.unit_no, p.recorded_at)?;
                }
            }
            if inspections {
                done.inspections += rows.len() as u64;
            }
        }
        store::insert_cells(conn, cells)?;
        month = next_month(month);
    }
    Ok(())
}
