//! Reading the counters for a report: a period of found dates, a moment, filters and a
//! grouping. The period is split into whole months and the days at its edges, the time up
//! to the moment into whole months, the days of its month and the hours of its day; each
//! piece is read from the rollup that holds it, so a report reads a few rows per group
//! and month however many hazards there are.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary, Bool, Date, Nullable, Text};

use super::model::{month_of, next_month, Grain, PresenceGrain, Source, NO_CAMPAIGN};
use super::unit_set::Bits;
use crate::db::sql::{Bind, Sql};
use crate::db::types::{SqlMoment, SqlUuid};
use crate::db::DbConn;
use crate::domain::tally::{start_of_day, Tally};
use crate::domain::{HazardCategory, Id, Moment, UnitKind};
use crate::error::{ApiError, ApiResult};

/// What a report counts.
#[derive(Debug, Clone)]
pub struct Query {
    /// The period of found (or inspected) dates, both days included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Only what was recorded, and each hazard as it stood, at this moment.
    pub as_of: Moment,
    pub community_id: Option<Id>,
    pub unit_kind: Option<UnitKind>,
    /// Hazards only: inspections have no category.
    pub category: Option<HazardCategory>,
    pub campaign_id: Option<Id>,
    /// The caller's communities, or `None` for all.
    pub scope: Option<Vec<Id>>,
    pub leader_led_only: bool,
    pub tz: Tz,
}

/// How the counters are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Community,
    Campaign,
    UnitKind,
    Category,
    Level,
    /// `YYYY-MM` of the date found.
    Month,
}

/// A group's key: an id (community, campaign; `None` for "no campaign") or a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupKey {
    pub id: Option<Id>,
    pub text: Option<String>,
}

/// The hazard counters of a group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    pub tally: Tally,
}

impl Sums {
    pub fn add(&mut self, other: &Sums) {
        self.tally.add(&other.tally);
    }
}

/// A period split into whole months (first and last month, by their first days) and the
/// days before and after them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Split {
    months: Option<(NaiveDate, NaiveDate)>,
    edges: Vec<(NaiveDate, NaiveDate)>,
}

fn split(from: NaiveDate, to: NaiveDate) -> Split {
    let first = if month_of(from) == from { from } else { next_month(month_of(from)) };
    // The last month that ends within the period.
    let last = if next_month(month_of(to)) - Duration::days(1) == to {
        month_of(to)
    } else {
        month_of(month_of(to) - Duration::days(1))
    };
    if first > last || first > to {
        return Split { months: None, edges: vec![(from, to)] };
    }
    let mut edges = Vec::new();
    if from < first {
        edges.push((from, first - Duration::days(1)));
    }
    let after = next_month(last);
    if after <= to {
        edges.push((after, to));
    }
    Split { months: Some((first, last)), edges }
}

/// The time up to a report's moment: its local date, the first day of its month, and
/// where each begins.
#[derive(Debug, Clone, Copy)]
struct Until {
    at: Moment,
    day: NaiveDate,
    month: NaiveDate,
    day_start: Moment,
    month_start: Moment,
}

impl Until {
    fn new(at: Moment, tz: Tz) -> Self {
        let day = crate::domain::time::local_date(at, tz);
        let month = month_of(day);
        Until { at, day, month, day_start: start_of_day(day, tz), month_start: start_of_day(month, tz) }
    }
}

/// The key expressions (id, text) of a group over a table whose found date is `found`.
fn key_exprs(sql: &Sql, group: Option<Group>, found: &str, campaign: &str) -> (String, String) {
    let (null_id, null_text) = (sql.null_id().to_string(), sql.null_text().to_string());
    match group {
        None => (null_id, null_text),
        Some(Group::Community) => ("community_id".into(), null_text),
        Some(Group::Campaign) => (campaign.into(), null_text),
        Some(Group::UnitKind) => (null_id, "unit_kind".into()),
        Some(Group::Category) => (null_id, "category".into()),
        Some(Group::Level) => (null_id, "level".into()),
        Some(Group::Month) => (null_id, sql.month_of(found)),
    }
}

/// The filters every piece shares.
fn push_filters(sql: &mut Sql, q: &Query, with_category: bool, campaign: &str) {
    if let Some(c) = q.community_id {
        sql.push(" AND community_id = ").bind(Bind::Id(c));
    }
    if let Some(k) = q.unit_kind {
        sql.push(" AND unit_kind = ").bind(Bind::Text(k.as_str().into()));
    }
    if let (true, Some(c)) = (with_category, q.category) {
        sql.push(" AND category = ").bind(Bind::Text(c.as_str().into()));
    }
    if let Some(c) = q.campaign_id {
        sql.push(&format!(" AND {campaign} = ")).bind(Bind::Id(c));
    }
    if q.leader_led_only {
        sql.push(" AND leader_led = ").bind(Bind::Bool(true));
    }
    if let Some(ids) = &q.scope {
        sql.push(" AND ");
        sql.in_ids("community_id", ids);
    }
}

fn between(sql: &mut Sql, column: &str, from: NaiveDate, to: NaiveDate) {
    sql.push(&format!(" AND {column} >= ")).bind(Bind::Date(from));
    sql.push(&format!(" AND {column} <= ")).bind(Bind::Date(to));
}

/// A group's sums as the query answers them: every column of [`Tally::COLUMNS`], read
/// by name, so a new counter needs no change here.
struct SumRow {
    key_id: Option<Id>,
    key_text: Option<String>,
    leader_led: bool,
    tally: Tally,
}

impl QueryableByName<crate::db::MultiBackend> for SumRow {
    fn build<'a>(row: &impl diesel::row::NamedRow<'a, crate::db::MultiBackend>) -> diesel::deserialize::Result<Self> {
        use diesel::row::NamedRow;
        let mut values = Vec::with_capacity(Tally::COLUMNS.len());
        for c in Tally::COLUMNS {
            values.push(NamedRow::get::<BigInt, i64>(row, c)?);
        }
        Ok(SumRow {
            key_id: NamedRow::get::<Nullable<SqlUuid>, Option<Id>>(row, "key_id")?,
            key_text: NamedRow::get::<Nullable<Text>, Option<String>>(row, "key_text")?,
            leader_led: NamedRow::get::<Bool, bool>(row, "leader_led")?,
            tally: Tally::from_values(&values),
        })
    }
}

fn group_key(id: Option<Id>, text: Option<String>) -> GroupKey {
    GroupKey { id: id.filter(|i| *i != NO_CAMPAIGN), text }
}

/// The hazard counters per group and leader-led or not, as of the query's moment.
pub fn hazard_sums(conn: &mut DbConn, q: &Query, group: Option<Group>) -> ApiResult<Vec<(GroupKey, bool, Sums)>> {
    let period = split(q.from, q.to);
    let until = Until::new(q.as_of, q.tz);
    let mut sql = Sql::new(conn.engine());
    let measures = Tally::COLUMNS.join(", ");
    let sums: Vec<String> =
        Tally::COLUMNS.iter().map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}")).collect();
    sql.push(&format!("SELECT key_id, key_text, leader_led, {} FROM (", sums.join(", ")));
    // The coarse rollups serve every report that neither filters nor groups by category or level.
    let by_category = q.category.is_some() || matches!(group, Some(Group::Category | Group::Level));
    let mut parts = 0;
    let mut part = |sql: &mut Sql, table: &str, found: &str| {
        if parts > 0 {
            sql.push(" UNION ALL ");
        }
        parts += 1;
        let (key_id, key_text) = key_exprs(sql, group, found, "campaign_key");
        sql.push(&format!(
            "SELECT {key_id} AS key_id, {key_text} AS key_text, leader_led, {measures} FROM {table} WHERE 1 = 1"
        ));
    };
    if let Some((first, last)) = period.months {
        // Whole months found, whole months of change before the moment's month …
        part(&mut sql, Grain::Months.table(by_category), "found_bucket");
        between(&mut sql, "found_bucket", first, last);
        sql.push(" AND at_bucket < ").bind(Bind::Date(until.month));
        push_filters(&mut sql, q, true, "campaign_key");
        // … the days of the moment's month before its day …
        part(&mut sql, Grain::Days.table(by_category), "found_bucket");
        sql.push(" AND at_bucket >= ").bind(Bind::Date(until.month));
        sql.push(" AND at_bucket < ").bind(Bind::Date(until.day));
        between(&mut sql, "found_bucket", first, last);
        push_filters(&mut sql, q, true, "campaign_key");
        // … and its day up to the moment.
        part(&mut sql, "hazard_tally_changes", "found_on");
        sql.push(" AND at >= ").bind(Bind::Moment(until.day_start));
        sql.push(" AND at <= ").bind(Bind::Moment(until.at));
        between(&mut sql, "found_on", first, next_month(last) - Duration::days(1));
        push_filters(&mut sql, q, true, "campaign_key");
    }
    for (from, to) in &period.edges {
        // Edge days found, whole months of change before the moment's month …
        part(&mut sql, Grain::Edges.table(by_category), "found_bucket");
        between(&mut sql, "found_bucket", *from, *to);
        sql.push(" AND at_bucket < ").bind(Bind::Date(until.month));
        push_filters(&mut sql, q, true, "campaign_key");
        // … and the moment's month up to the moment.
        part(&mut sql, "hazard_tally_changes", "found_on");
        between(&mut sql, "found_on", *from, *to);
        sql.push(" AND at >= ").bind(Bind::Moment(until.month_start));
        sql.push(" AND at <= ").bind(Bind::Moment(until.at));
        push_filters(&mut sql, q, true, "campaign_key");
    }
    sql.push(") t GROUP BY key_id, key_text, leader_led");
    let rows: Vec<SumRow> = sql.build().load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|r| !r.tally.is_zero())
        .map(|r| (group_key(r.key_id, r.key_text), r.leader_led, Sums { tally: r.tally }))
        .collect())
}

#[derive(QueryableByName)]
struct CellRow {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    key_id: Option<Id>,
    #[diesel(sql_type = Nullable<Text>)]
    key_text: Option<String>,
    #[diesel(sql_type = Bool)]
    leader_led: bool,
    #[diesel(sql_type = Date)]
    recorded_bucket: NaiveDate,
    #[diesel(sql_type = Binary)]
    units: Vec<u8>,
    #[diesel(sql_type = BigInt)]
    row_count: i64,
    #[diesel(sql_type = SqlMoment)]
    last_recorded_at: Moment,
}

#[derive(QueryableByName)]
struct UnitRow {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    key_id: Option<Id>,
    #[diesel(sql_type = Nullable<Text>)]
    key_text: Option<String>,
    #[diesel(sql_type = Bool)]
    leader_led: bool,
    #[diesel(sql_type = BigInt)]
    unit_no: i64,
}

/// The units (as a set) and the rows (inspections or hazards) of a group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Units {
    pub units: Bits,
    pub rows: i64,
}

impl Units {
    pub fn merge(&mut self, other: &Units) {
        self.units.union(&other.units);
        self.rows += other.rows;
    }

    pub fn distinct(&self) -> i64 {
        i64::try_from(self.units.len()).unwrap_or(i64::MAX)
    }
}

fn unit_no(no: i64) -> ApiResult<u32> {
    u32::try_from(no).map_err(|e| ApiError::internal("a unit number out of range", e))
}

/// What a report counts distinct units of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// Units inspected (by the date inspected; inspections have no category).
    Inspections,
    /// Units with hazards found.
    Hazards,
}

type Acc = HashMap<(GroupKey, bool), Units>;

/// The units per group and leader-led or not.
pub fn units(
    conn: &mut DbConn,
    q: &Query,
    counting: Counting,
    group: Option<Group>,
) -> ApiResult<Vec<(GroupKey, bool, Units)>> {
    let source = match counting {
        Counting::Inspections => Source::Inspection,
        Counting::Hazards if q.category.is_some() || matches!(group, Some(Group::Category | Group::Level)) => {
            Source::HazardCategory
        }
        Counting::Hazards => Source::Hazard,
    };
    let period = split(q.from, q.to);
    let until = Until::new(q.as_of, q.tz);
    let mut acc: Acc = HashMap::new();
    if let Some((first, last)) = period.months {
        let last_day = next_month(last) - Duration::days(1);
        // Whole months recorded; the moment's month too when nothing in it came later.
        let cells = read_cells(conn, q, source, group, PresenceGrain::Months, (first, last), (None, until.month))?;
        let partial = cells.iter().any(|c| c.recorded_bucket == until.month && c.last_recorded_at > until.at);
        add_cells(&mut acc, cells.into_iter().filter(|c| !(partial && c.recorded_bucket == until.month)))?;
        if partial {
            // The days of the moment's month, its own day too when nothing in it came later.
            let range = (Some(until.month), until.day);
            let days = read_cells(conn, q, source, group, PresenceGrain::Days, (first, last), range)?;
            let partial = days.iter().any(|c| c.recorded_bucket == until.day && c.last_recorded_at > until.at);
            add_cells(&mut acc, days.into_iter().filter(|c| !(partial && c.recorded_bucket == until.day)))?;
            if partial {
                records(conn, q, source, group, (first, last_day), Some(until.day_start), until.at, &mut acc)?;
            }
        }
    }
    for (from, to) in &period.edges {
        records(conn, q, source, group, (*from, *to), None, until.at, &mut acc)?;
    }
    Ok(acc.into_iter().filter(|(_, a)| a.rows > 0).map(|((k, l), a)| (k, l, a)).collect())
}

/// The cells of a source and grain found in whole months `found` and recorded in
/// `recorded` (from, if given, to, both included).
fn read_cells(
    conn: &mut DbConn,
    q: &Query,
    source: Source,
    group: Option<Group>,
    grain: PresenceGrain,
    found: (NaiveDate, NaiveDate),
    recorded: (Option<NaiveDate>, NaiveDate),
) -> ApiResult<Vec<CellRow>> {
    let mut sql = Sql::new(conn.engine());
    let (key_id, key_text) = key_exprs(&sql, group, "found_bucket", "campaign_key");
    sql.push(&format!(
        "SELECT {key_id} AS key_id, {key_text} AS key_text, leader_led, recorded_bucket, units, row_count, \
         last_recorded_at FROM unit_presence WHERE source = "
    ));
    sql.bind(Bind::Text(source.as_str().into()));
    sql.push(" AND grain = ").bind(Bind::Int(grain as i32));
    if let Some(from) = recorded.0 {
        sql.push(" AND recorded_bucket >= ").bind(Bind::Date(from));
    }
    sql.push(" AND recorded_bucket <= ").bind(Bind::Date(recorded.1));
    between(&mut sql, "found_bucket", found.0, found.1);
    push_filters(&mut sql, q, source == Source::HazardCategory, "campaign_key");
    Ok(sql.build().load(conn)?)
}

fn add_cells(acc: &mut Acc, cells: impl Iterator<Item = CellRow>) -> ApiResult<()> {
    for c in cells {
        let a = acc.entry((group_key(c.key_id, c.key_text), c.leader_led)).or_default();
        a.units.add_stored(&c.units)?;
        a.rows += c.row_count;
    }
    Ok(())
}

/// Adds the inspections (or hazards) found in `days`, recorded from `recorded_from` (if
/// given) up to `until`, read one by one.
#[allow(clippy::too_many_arguments)]
fn records(
    conn: &mut DbConn,
    q: &Query,
    source: Source,
    group: Option<Group>,
    days: (NaiveDate, NaiveDate),
    recorded_from: Option<Moment>,
    until: Moment,
    acc: &mut Acc,
) -> ApiResult<()> {
    let (table, found, extra) = match source {
        Source::Inspection => ("inspections", "inspected_on", ""),
        Source::Hazard | Source::HazardCategory => ("hazards", "found_on", ", r.category, r.level"),
    };
    let mut sql = Sql::new(conn.engine());
    let (key_id, key_text) = key_exprs(&sql, group, found, "campaign_id");
    sql.push(&format!(
        "SELECT {key_id} AS key_id, {key_text} AS key_text, leader_led, unit_no FROM (SELECT r.{found}, \
         r.recorded_at, r.community_id, r.unit_kind, r.campaign_id, r.leader_led{extra}, u.unit_no FROM {table} r \
         JOIN units u ON u.id = r.unit_id) x WHERE 1 = 1"
    ));
    between(&mut sql, found, days.0, days.1);
    if let Some(t) = recorded_from {
        sql.push(" AND recorded_at >= ").bind(Bind::Moment(t));
    }
    sql.push(" AND recorded_at <= ").bind(Bind::Moment(until));
    push_filters(&mut sql, q, source != Source::Inspection, "campaign_id");
    let rows: Vec<UnitRow> = sql.build().load(conn)?;
    for r in rows {
        let a = acc.entry((group_key(r.key_id, r.key_text), r.leader_led)).or_default();
        a.units.insert(unit_no(r.unit_no)?);
        a.rows += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_period_is_whole_months_and_edge_days() {
        let year = split(d("2026-01-01"), d("2026-12-31"));
        assert_eq!(year, Split { months: Some((d("2026-01-01"), d("2026-12-01"))), edges: vec![] });
        let odd = split(d("2026-01-15"), d("2026-12-14"));
        assert_eq!(odd.months, Some((d("2026-02-01"), d("2026-11-01"))));
        assert_eq!(odd.edges, vec![(d("2026-01-15"), d("2026-01-31")), (d("2026-12-01"), d("2026-12-14"))]);
        let inside = split(d("2026-03-02"), d("2026-03-30"));
        assert_eq!(inside, Split { months: None, edges: vec![(d("2026-03-02"), d("2026-03-30"))] });
        let one = split(d("2026-02-01"), d("2026-02-28"));
        assert_eq!(one, Split { months: Some((d("2026-02-01"), d("2026-02-01"))), edges: vec![] });
        let across = split(d("2026-02-10"), d("2026-03-05"));
        assert_eq!(across, Split { months: None, edges: vec![(d("2026-02-10"), d("2026-03-05"))] });
    }
}
