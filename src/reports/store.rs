//! Report aggregation, all in SQL: counters per group on both engines, each hazard in
//! its state "as of" the report's moment (see [`super::as_of`]).

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::as_of::{self, StateAsOf};
use super::model::{Counters, EnforcementTotals, Filter, GroupBy, Row};
use crate::db::schema::{campaigns, communities};
use crate::db::sql::{Bind, Sql};
use crate::db::types::{SqlMoment, SqlUuid};
use crate::db::DbConn;
use crate::domain::labels::{self, Lang};
use crate::domain::tally::{start_of_day, Tally};
use crate::domain::time::local_date;
use crate::domain::{FoundBy, HazardCategory, HazardLevel, HazardStatus, UnitKind};
use crate::domain::{Id, Moment};
use crate::error::ApiResult;
use crate::tallies::read;

/// The group key as SQL: (uuid key, text key) expressions for the hazards (`hz`) or the
/// inspections (`i`) table.
fn key_exprs(sql: &Sql, group: Option<GroupBy>, alias: &str) -> (String, String) {
    let null_id = sql.null_id().to_string();
    let null_text = sql.null_text().to_string();
    match group {
        None => (null_id, null_text),
        Some(GroupBy::Community) => (format!("{alias}.community_id"), null_text),
        Some(GroupBy::Campaign) => (format!("{alias}.campaign_id"), null_text),
        Some(GroupBy::UnitKind) => (null_id, format!("{alias}.unit_kind")),
        Some(GroupBy::Month) => {
            let column = if alias == "hz" { "hz.found_on" } else { "i.inspected_on" };
            (null_id, sql.month_of(column))
        }
        Some(GroupBy::Category) => (null_id, format!("{alias}.category")),
        Some(GroupBy::Level) => (null_id, format!("{alias}.level")),
        Some(GroupBy::FoundBy) => (null_id, format!("{alias}.found_by")),
    }
}

/// Conditions every hazard or inspection query shares.
fn common_where(sql: &mut Sql, f: &Filter, alias: &str, date_column: &str) {
    sql.push(&format!(" WHERE {alias}.{date_column} >= ")).bind(Bind::Date(f.from));
    sql.push(&format!(" AND {alias}.{date_column} <= ")).bind(Bind::Date(f.to));
    sql.push(&format!(" AND {alias}.recorded_at <= ")).bind(Bind::Moment(f.as_of));
    if let Some(c) = f.community_id {
        sql.push(&format!(" AND {alias}.community_id = ")).bind(Bind::Id(c));
    }
    if let Some(k) = f.unit_kind {
        sql.push(&format!(" AND {alias}.unit_kind = ")).bind(Bind::Text(k.as_str().into()));
    }
    if let Some(c) = f.campaign_id {
        sql.push(&format!(" AND {alias}.campaign_id = ")).bind(Bind::Id(c));
    }
    if f.leader_led_only {
        sql.push(&format!(" AND {alias}.leader_led = ")).bind(Bind::Bool(true));
    }
    if let Some(ids) = &f.scope {
        sql.push(" AND ");
        sql.in_ids(&format!("{alias}.community_id"), ids);
    }
}

#[derive(QueryableByName)]
struct HazardCounts {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    key_id: Option<Id>,
    #[diesel(sql_type = Nullable<Text>)]
    key_text: Option<String>,
    #[diesel(sql_type = BigInt)]
    found: i64,
    #[diesel(sql_type = BigInt)]
    closed: i64,
    #[diesel(sql_type = BigInt)]
    voided: i64,
    #[diesel(sql_type = BigInt)]
    open: i64,
    #[diesel(sql_type = BigInt)]
    pending: i64,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
    #[diesel(sql_type = BigInt)]
    major_open: i64,
    #[diesel(sql_type = BigInt)]
    found_major: i64,
    #[diesel(sql_type = BigInt)]
    closed_major: i64,
    #[diesel(sql_type = BigInt)]
    units: i64,
    #[diesel(embed)]
    governed: Governed,
    /// Filled from the passed rectifications (the query answers 0).
    #[diesel(embed)]
    cost: CostCents,
}

/// A group's major hazards with plans and supervisions, and its recurrences.
#[derive(Debug, Clone, Copy, Default, QueryableByName)]
struct Governed {
    #[diesel(sql_type = BigInt)]
    major_with_plan: i64,
    #[diesel(sql_type = BigInt)]
    major_plan_complete: i64,
    #[diesel(sql_type = BigInt)]
    major_supervised: i64,
    #[diesel(sql_type = BigInt)]
    major_supervised_province: i64,
    #[diesel(sql_type = BigInt)]
    major_supervised_lifted: i64,
    #[diesel(sql_type = BigInt)]
    hazards_recurrent: i64,
}

impl Governed {
    fn of(t: &Tally) -> Self {
        Governed {
            major_with_plan: t.major_with_plan,
            major_plan_complete: t.major_plan_complete,
            major_supervised: t.major_supervised,
            major_supervised_province: t.major_supervised_province,
            major_supervised_lifted: t.major_supervised_lifted,
            hazards_recurrent: t.hazards_recurrent,
        }
    }
}

/// A group's cost of rectifications passed, in cents (the replay adds it after its query).
#[derive(Debug, Clone, Copy, Default, QueryableByName)]
struct CostCents {
    #[diesel(sql_type = BigInt)]
    #[diesel(column_name = cost_cents)]
    cents: i64,
}

impl HazardCounts {
    fn tally(&self) -> Tally {
        Tally {
            found: self.found,
            closed: self.closed,
            voided: self.voided,
            open: self.open,
            pending: self.pending,
            major_open: self.major_open,
            found_major: self.found_major,
            closed_major: self.closed_major,
            major_with_plan: self.governed.major_with_plan,
            major_plan_complete: self.governed.major_plan_complete,
            major_supervised: self.governed.major_supervised,
            major_supervised_province: self.governed.major_supervised_province,
            major_supervised_lifted: self.governed.major_supervised_lifted,
            hazards_recurrent: self.governed.hazards_recurrent,
            overdue: self.overdue,
            rectification_cost_cents: self.cost.cents,
        }
    }
}

#[derive(QueryableByName)]
struct InspectionCounts {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    key_id: Option<Id>,
    #[diesel(sql_type = Nullable<Text>)]
    key_text: Option<String>,
    #[diesel(sql_type = BigInt)]
    inspections: i64,
    #[diesel(sql_type = BigInt)]
    units: i64,
}

fn sum_if(cond: &str, alias: &str) -> String {
    format!("CAST(COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS BIGINT) AS {alias}")
}

fn hazard_counts_replayed(
    conn: &mut DbConn,
    f: &Filter,
    group: Option<GroupBy>,
    state: StateAsOf,
) -> ApiResult<Vec<HazardCounts>> {
    let mut sql = Sql::new(conn.engine());
    let (key_id, key_text) = key_exprs(&sql, group, "hz");
    sql.push("SELECT b.key_id, b.key_text, CAST(COUNT(*) AS BIGINT) AS found, ");
    sql.push(&sum_if(&as_of::closed("b.st"), "closed")).push(", ");
    sql.push(&sum_if(&as_of::state_is("b.st", HazardStatus::Voided), "voided")).push(", ");
    sql.push(&sum_if(&as_of::state_is("b.st", HazardStatus::Open), "open")).push(", ");
    sql.push(&sum_if(&as_of::state_is("b.st", HazardStatus::PendingVerification), "pending")).push(", ");
    sql.push("CAST(COALESCE(SUM(CASE WHEN ");
    as_of::push_overdue(&mut sql, "b.st", "b.dl", f.as_of_date);
    sql.push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, ");
    sql.push(&sum_if(&format!("{} AND b.level = 'major'", as_of::open("b.st")), "major_open")).push(", ");
    sql.push(&sum_if("b.level = 'major'", "found_major")).push(", ");
    sql.push(&sum_if(&format!("{} AND b.level = 'major'", as_of::closed("b.st")), "closed_major")).push(", ");
    let major = "b.level = 'major'";
    sql.push(&sum_if(&format!("{major} AND b.pl IS NOT NULL"), "major_with_plan")).push(", ");
    sql.push(&sum_if(&format!("{major} AND b.pl = 'complete'"), "major_plan_complete")).push(", ");
    sql.push(&sum_if(&format!("{major} AND b.svs IS NOT NULL"), "major_supervised")).push(", ");
    sql.push(&sum_if(&format!("{major} AND b.svl = 'province'"), "major_supervised_province")).push(", ");
    sql.push(&sum_if(&format!("{major} AND b.svs = 'lifted'"), "major_supervised_lifted")).push(", ");
    sql.push(&sum_if("b.recurrence_of IS NOT NULL", "hazards_recurrent")).push(", ");
    sql.push("CAST(0 AS BIGINT) AS cost_cents, ");
    sql.push("CAST(COUNT(DISTINCT b.unit_id) AS BIGINT) AS units FROM (SELECT ");
    sql.push(&format!("{key_id} AS key_id, {key_text} AS key_text, hz.unit_id, hz.level, hz.recurrence_of, "));
    state.push_state_and_deadline(&mut sql, f.as_of);
    state.push_governance(&mut sql, f.as_of);
    sql.push(" FROM hazards hz");
    common_where(&mut sql, f, "hz", "found_on");
    if let Some(c) = f.category {
        sql.push(" AND hz.category = ").bind(Bind::Text(c.as_str().into()));
    }
    sql.push(") b GROUP BY b.key_id, b.key_text");
    let mut counts: Vec<HazardCounts> = sql.build().load(conn)?;
    for (key_id, key_text, cents) in costs_replayed(conn, f, group)? {
        match counts.iter_mut().find(|c| c.key_id == key_id && c.key_text == key_text) {
            Some(c) => c.cost.cents += cents,
            None => counts.push(HazardCounts {
                key_id,
                key_text,
                found: 0,
                closed: 0,
                voided: 0,
                open: 0,
                pending: 0,
                overdue: 0,
                major_open: 0,
                found_major: 0,
                closed_major: 0,
                units: 0,
                governed: Governed::default(),
                cost: CostCents { cents },
            }),
        }
    }
    Ok(counts)
}

#[derive(QueryableByName)]
struct PassedCost {
    #[diesel(sql_type = SqlMoment)]
    verified_at: Moment,
    #[diesel(sql_type = BigInt)]
    cost_cents: i64,
    #[diesel(sql_type = SqlUuid)]
    community_id: Id,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    campaign_id: Option<Id>,
    #[diesel(sql_type = Text)]
    unit_kind: String,
    #[diesel(sql_type = Text)]
    category: String,
    #[diesel(sql_type = Text)]
    level: String,
    #[diesel(sql_type = Text)]
    found_by: String,
}

/// A group's key (id, text) and its cost in cents.
type GroupCost = (Option<Id>, Option<String>, i64);

/// The replay's cost per group: rectifications passed (for good: passing is final) by
/// `as_of` whose verification falls on a day of the period, by their hazard's groups and,
/// grouped by month, the month of their verification.
fn costs_replayed(conn: &mut DbConn, f: &Filter, group: Option<GroupBy>) -> ApiResult<Vec<GroupCost>> {
    let mut sql = Sql::new(conn.engine());
    sql.push(
        "SELECT r.verified_at, CAST(r.cost_cents AS BIGINT) AS cost_cents, hz.community_id, hz.campaign_id, \
         hz.unit_kind, hz.category, hz.level, hz.found_by FROM rectifications r JOIN hazards hz ON hz.id = r.hazard_id \
         WHERE r.status = 'passed' AND r.cost_cents <> 0 AND r.verified_at >= ",
    );
    sql.bind(Bind::Moment(start_of_day(f.from, f.tz)));
    sql.push(" AND r.verified_at < ").bind(Bind::Moment(start_of_day(f.to + chrono::Duration::days(1), f.tz)));
    sql.push(" AND r.verified_at <= ").bind(Bind::Moment(f.as_of));
    if let Some(c) = f.community_id {
        sql.push(" AND hz.community_id = ").bind(Bind::Id(c));
    }
    if let Some(k) = f.unit_kind {
        sql.push(" AND hz.unit_kind = ").bind(Bind::Text(k.as_str().into()));
    }
    if let Some(c) = f.category {
        sql.push(" AND hz.category = ").bind(Bind::Text(c.as_str().into()));
    }
    if let Some(c) = f.campaign_id {
        sql.push(" AND hz.campaign_id = ").bind(Bind::Id(c));
    }
    if f.leader_led_only {
        sql.push(" AND hz.leader_led = ").bind(Bind::Bool(true));
    }
    if let Some(ids) = &f.scope {
        sql.push(" AND ");
        sql.in_ids("hz.community_id", ids);
    }
    let rows: Vec<PassedCost> = sql.build().load(conn)?;
    let mut by_key: BTreeMap<(Option<Id>, Option<String>), i64> = BTreeMap::new();
    for r in rows {
        let key = match group {
            None => (None, None),
            Some(GroupBy::Community) => (Some(r.community_id), None),
            Some(GroupBy::Campaign) => (r.campaign_id, None),
            Some(GroupBy::UnitKind) => (None, Some(r.unit_kind)),
            Some(GroupBy::Category) => (None, Some(r.category)),
            Some(GroupBy::Level) => (None, Some(r.level)),
            Some(GroupBy::FoundBy) => (None, Some(r.found_by)),
            Some(GroupBy::Month) => (None, Some(local_date(r.verified_at, f.tz).format("%Y-%m").to_string())),
        };
        *by_key.entry(key).or_default() += r.cost_cents;
    }
    Ok(by_key.into_iter().map(|((id, text), cents)| (id, text, cents)).collect())
}

fn inspection_counts_replayed(
    conn: &mut DbConn,
    f: &Filter,
    group: Option<GroupBy>,
) -> ApiResult<Vec<InspectionCounts>> {
    let mut sql = Sql::new(conn.engine());
    let (key_id, key_text) = key_exprs(&sql, group, "i");
    sql.push(&format!(
        "SELECT {key_id} AS key_id, {key_text} AS key_text, CAST(COUNT(*) AS BIGINT) AS inspections, \
         CAST(COUNT(DISTINCT i.unit_id) AS BIGINT) AS units FROM inspections i"
    ));
    common_where(&mut sql, f, "i", "inspected_on");
    if group.is_some() {
        sql.push(&format!(" GROUP BY {key_id}, {key_text}"));
    }
    Ok(sql.build().load(conn)?)
}

/// Where the figures come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The counters kept beside the events (`tallies/`): what every report reads.
    Counters,
    /// Every hazard, its state as of the moment replayed: the reference the counters are
    /// tested against (and rebuilt from).
    Replay(StateAsOf),
}

impl Method {
    /// The replay, with the state read from the rows when nothing happened since `as_of`.
    pub fn replay(conn: &mut DbConn, as_of: Moment) -> ApiResult<Self> {
        Ok(Method::Replay(StateAsOf::at(conn, as_of)?))
    }
}

fn tally_query(f: &Filter, tz: chrono_tz::Tz) -> read::Query {
    read::Query {
        from: f.from,
        to: f.to,
        as_of: f.as_of,
        community_id: f.community_id,
        unit_kind: f.unit_kind,
        category: f.category,
        campaign_id: f.campaign_id,
        scope: f.scope.clone(),
        leader_led_only: f.leader_led_only,
        tz,
    }
}

fn tally_group(group: Option<GroupBy>) -> Option<read::Group> {
    group.map(|g| match g {
        GroupBy::Community => read::Group::Community,
        GroupBy::Campaign => read::Group::Campaign,
        GroupBy::UnitKind => read::Group::UnitKind,
        GroupBy::Category => read::Group::Category,
        GroupBy::Level => read::Group::Level,
        GroupBy::Month => read::Group::Month,
        // Never asked of the counters: see `figures`.
        GroupBy::FoundBy => read::Group::Level,
    })
}

fn counters_of(h: Option<&HazardCounts>, i: Option<&InspectionCounts>, with_inspections: bool) -> Counters {
    let tally = h.map(HazardCounts::tally).unwrap_or_default();
    let visits = with_inspections.then(|| i.map_or((0, 0), |i| (i.inspections, i.units)));
    Counters::of(&tally, h.map_or(0, |h| h.units), visits)
}

/// A report's figures: totals, the leader-led block, and the rows of each grouping asked.
#[derive(Debug, Clone)]
pub struct Figures {
    pub totals: Counters,
    pub leader_led: Counters,
    pub rows: Vec<Vec<Row>>,
}

/// The figures of a report, from the counters or replayed.
pub fn figures(conn: &mut DbConn, f: &Filter, groups: &[GroupBy], method: Method, lang: Lang) -> ApiResult<Figures> {
    match method {
        Method::Replay(state) => {
            let leader = Filter { leader_led_only: true, ..f.clone() };
            let mut rows = Vec::with_capacity(groups.len());
            for g in groups {
                rows.push(rows_replayed(conn, f, *g, state, lang)?);
            }
            let totals = totals_replayed(conn, f, state)?;
            Ok(Figures { totals, leader_led: totals_replayed(conn, &leader, state)?, rows })
        }
        // The counters are not kept by who found the hazards: that grouping is replayed.
        Method::Counters if groups.contains(&GroupBy::FoundBy) => {
            let replay = Method::replay(conn, f.as_of)?;
            figures(conn, f, groups, replay, lang)
        }
        Method::Counters => counted(conn, f, groups, lang),
    }
}

/// Category and level group hazards only: inspections have neither.
fn hazard_group(g: GroupBy) -> bool {
    matches!(g, GroupBy::Category | GroupBy::Level | GroupBy::FoundBy)
}

/// From the counters: the hazard sums and unit sets of each group, leader-led or not,
/// read once per grouping, give its rows, and the first grouping's give the totals and the
/// leader-led block too.
fn counted(conn: &mut DbConn, f: &Filter, groups: &[GroupBy], lang: Lang) -> ApiResult<Figures> {
    let q = tally_query(f, f.tz);
    let mut totals: Option<[(read::Sums, read::Units, Option<read::Units>); 2]> = None;
    let mut visits_all: Option<(read::Units, read::Units)> = None;
    let mut rows = Vec::with_capacity(groups.len());
    let asked: Vec<Option<GroupBy>> =
        if groups.is_empty() { vec![None] } else { groups.iter().copied().map(Some).collect() };
    for g in asked {
        let sums = read::hazard_sums(conn, &q, tally_group(g))?;
        let units = read::units(conn, &q, read::Counting::Hazards, tally_group(g))?;
        let by_visits = g.filter(|g| !hazard_group(*g));
        let visits = if by_visits.is_none() && visits_all.is_some() {
            Vec::new()
        } else {
            read::units(conn, &q, read::Counting::Inspections, tally_group(by_visits))?
        };
        if visits_all.is_none() {
            visits_all = Some(split_units(&visits));
        }
        if totals.is_none() {
            let (s_all, s_led) = split_sums(&sums);
            let (u_all, u_led) = split_units(&units);
            totals = Some([(s_all, u_all, None), (s_led, u_led, None)]);
        }
        if let Some(g) = g {
            let h = merged_sums(&sums, &units);
            let i = if hazard_group(g) { Vec::new() } else { merged_visits(&visits) };
            rows.push(rows_of(conn, g, h, i, lang)?);
        }
    }
    let [(s_all, u_all, _), (s_led, u_led, _)] = totals.unwrap_or_default();
    let (v_all, v_led) = visits_all.unwrap_or_default();
    Ok(Figures {
        totals: counters_from(&s_all, &u_all, &v_all),
        leader_led: counters_from(&s_led, &u_led, &v_led),
        rows,
    })
}

/// (everything, the leader-led part) of per-group sums.
fn split_sums(sums: &[(read::GroupKey, bool, read::Sums)]) -> (read::Sums, read::Sums) {
    let (mut all, mut leader) = (read::Sums::default(), read::Sums::default());
    for (_, led, s) in sums {
        all.add(s);
        if *led {
            leader.add(s);
        }
    }
    (all, leader)
}

/// (everything, the leader-led part) of per-group unit sets.
fn split_units(units: &[(read::GroupKey, bool, read::Units)]) -> (read::Units, read::Units) {
    let (mut all, mut leader) = (read::Units::default(), read::Units::default());
    for (_, led, u) in units {
        all.merge(u);
        if *led {
            leader.merge(u);
        }
    }
    (all, leader)
}

fn counters_from(s: &read::Sums, units: &read::Units, visits: &read::Units) -> Counters {
    Counters::of(&s.tally, units.distinct(), Some((visits.rows, visits.distinct())))
}

/// Per group, leader-led or not merged: the hazard counters with their distinct units.
fn merged_sums(
    sums: &[(read::GroupKey, bool, read::Sums)],
    units: &[(read::GroupKey, bool, read::Units)],
) -> Vec<HazardCounts> {
    let mut by_key: HashMap<read::GroupKey, (read::Sums, read::Units)> = HashMap::new();
    for (k, _, s) in sums {
        by_key.entry(k.clone()).or_default().0.add(s);
    }
    for (k, _, u) in units {
        if let Some(entry) = by_key.get_mut(k) {
            entry.1.merge(u);
        }
    }
    by_key
        .into_iter()
        .map(|(k, (s, u))| {
            let t = s.tally;
            HazardCounts {
                key_id: k.id,
                key_text: k.text,
                found: t.found,
                closed: t.closed,
                voided: t.voided,
                open: t.open,
                pending: t.pending,
                overdue: t.overdue,
                major_open: t.major_open,
                found_major: t.found_major,
                closed_major: t.closed_major,
                units: u.distinct(),
                governed: Governed::of(&t),
                cost: CostCents { cents: t.rectification_cost_cents },
            }
        })
        .collect()
}

/// Per group, leader-led or not merged: inspections and distinct units inspected.
fn merged_visits(visits: &[(read::GroupKey, bool, read::Units)]) -> Vec<InspectionCounts> {
    let mut by_key: HashMap<read::GroupKey, read::Units> = HashMap::new();
    for (k, _, u) in visits {
        by_key.entry(k.clone()).or_default().merge(u);
    }
    by_key
        .into_iter()
        .map(|(k, u)| InspectionCounts { key_id: k.id, key_text: k.text, inspections: u.rows, units: u.distinct() })
        .collect()
}

/// Totals replayed: one row of counters for everything the filter selects.
fn totals_replayed(conn: &mut DbConn, f: &Filter, state: StateAsOf) -> ApiResult<Counters> {
    let h = hazard_counts_replayed(conn, f, None, state)?;
    let i = inspection_counts_replayed(conn, f, None)?;
    Ok(counters_of(h.first(), i.first(), true))
}

/// A group's key as the API shows it.
fn key_string(key_id: Option<Id>, key_text: &Option<String>) -> Option<String> {
    key_id.map(|id| id.to_string()).or_else(|| key_text.clone())
}

/// Rows replayed per group.
fn rows_replayed(conn: &mut DbConn, f: &Filter, group: GroupBy, state: StateAsOf, lang: Lang) -> ApiResult<Vec<Row>> {
    let h = hazard_counts_replayed(conn, f, Some(group), state)?;
    let i = if hazard_group(group) { Vec::new() } else { inspection_counts_replayed(conn, f, Some(group))? };
    rows_of(conn, group, h, i, lang)
}

/// Rows of counters per group, labelled, in a stable order.
fn rows_of(
    conn: &mut DbConn,
    group: GroupBy,
    h: Vec<HazardCounts>,
    i: Vec<InspectionCounts>,
    lang: Lang,
) -> ApiResult<Vec<Row>> {
    let mut keys: BTreeMap<Option<String>, (Option<Id>, Option<String>)> = BTreeMap::new();
    for r in &h {
        keys.insert(key_string(r.key_id, &r.key_text), (r.key_id, r.key_text.clone()));
    }
    for r in &i {
        keys.insert(key_string(r.key_id, &r.key_text), (r.key_id, r.key_text.clone()));
    }
    let ids: Vec<Id> = keys.values().filter_map(|(id, _)| *id).collect();
    let names = names_of(conn, group, &ids)?;
    let mut rows: Vec<(String, Row)> = keys
        .into_iter()
        .map(|(key, (key_id, key_text))| {
            let hc = h.iter().find(|r| r.key_id == key_id && r.key_text == key_text);
            let ic = i.iter().find(|r| r.key_id == key_id && r.key_text == key_text);
            let label = label_of(group, key_id, key_text.as_deref(), &names, lang);
            let order = order_of(group, key_text.as_deref(), &label);
            (order, Row { key, label, counters: counters_of(hc, ic, !hazard_group(group)) })
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}

fn names_of(conn: &mut DbConn, group: GroupBy, ids: &[Id]) -> ApiResult<Vec<(Id, String)>> {
    Ok(match group {
        GroupBy::Community => communities::table
            .filter(communities::id.eq_any(ids))
            .select((communities::id, communities::name))
            .load(conn)?,
        GroupBy::Campaign => {
            campaigns::table.filter(campaigns::id.eq_any(ids)).select((campaigns::id, campaigns::name)).load(conn)?
        }
        GroupBy::Category | GroupBy::Level | GroupBy::UnitKind | GroupBy::Month | GroupBy::FoundBy => Vec::new(),
    })
}

fn label_of(group: GroupBy, id: Option<Id>, text: Option<&str>, names: &[(Id, String)], lang: Lang) -> String {
    let named = || id.and_then(|id| names.iter().find(|(n, _)| *n == id).map(|(_, name)| name.clone()));
    match group {
        GroupBy::Community => named().unwrap_or_default(),
        GroupBy::Campaign => named().unwrap_or_else(|| labels::no_campaign(lang).to_string()),
        GroupBy::Month => text.unwrap_or_default().to_string(),
        GroupBy::Category => text
            .and_then(|t| t.parse::<HazardCategory>().ok())
            .map(|c| labels::category(c, lang))
            .unwrap_or_default()
            .to_string(),
        GroupBy::Level => text
            .and_then(|t| t.parse::<HazardLevel>().ok())
            .map(|l| labels::level(l, lang))
            .unwrap_or_default()
            .to_string(),
        GroupBy::UnitKind => text
            .and_then(|t| t.parse::<UnitKind>().ok())
            .map(|k| labels::unit_kind(k, lang))
            .unwrap_or_default()
            .to_string(),
        GroupBy::FoundBy => text
            .and_then(|t| t.parse::<FoundBy>().ok())
            .map(|f| labels::found_by(f, lang))
            .unwrap_or_default()
            .to_string(),
    }
}

/// Vocabularies in their declared order, months in time, names by name.
fn order_of(group: GroupBy, text: Option<&str>, label: &str) -> String {
    let pos = |p: Option<usize>| format!("{:03}", p.unwrap_or(999));
    match group {
        GroupBy::Category => pos(text.and_then(|t| HazardCategory::ALL.iter().position(|c| c.as_str() == t))),
        GroupBy::Level => pos(text.and_then(|t| HazardLevel::ALL.iter().position(|c| c.as_str() == t))),
        GroupBy::UnitKind => pos(text.and_then(|t| UnitKind::ALL.iter().position(|c| c.as_str() == t))),
        GroupBy::FoundBy => pos(text.and_then(|t| FoundBy::ALL.iter().position(|c| c.as_str() == t))),
        GroupBy::Community | GroupBy::Campaign | GroupBy::Month => label.to_string(),
    }
}

#[derive(QueryableByName)]
struct EnforcementCounts {
    #[diesel(sql_type = BigInt)]
    actions: i64,
    #[diesel(sql_type = BigInt)]
    outcomes: i64,
    #[diesel(sql_type = BigInt)]
    violations: i64,
    #[diesel(sql_type = BigInt)]
    transferred: i64,
    #[diesel(sql_type = BigInt)]
    warnings: i64,
    #[diesel(sql_type = BigInt)]
    suspensions: i64,
    #[diesel(sql_type = BigInt)]
    closures: i64,
}

/// Joint enforcement in the period: actions held in it and their per-unit outcomes.
/// A community or unit-kind filter (and the caller's scope) keeps the outcomes of such
/// units, and the actions having one (or held in that community).
pub fn enforcement(conn: &mut DbConn, f: &Filter) -> ApiResult<EnforcementTotals> {
    let mut sql = Sql::new(conn.engine());
    sql.push("SELECT CAST(COUNT(DISTINCT a.id) AS BIGINT) AS actions, CAST(COUNT(o.id) AS BIGINT) AS outcomes, ");
    sql.push("CAST(COALESCE(SUM(o.violations_found), 0) AS BIGINT) AS violations, ");
    sql.push(&sum_if("o.measure = 'case_transferred'", "transferred")).push(", ");
    sql.push(&sum_if("o.measure = 'warning'", "warnings")).push(", ");
    sql.push(&sum_if("o.measure = 'suspension_ordered'", "suspensions")).push(", ");
    sql.push(&sum_if("o.measure = 'closure'", "closures"));
    sql.push(" FROM enforcement_actions a LEFT JOIN enforcement_outcomes o ON o.action_id = a.id");
    let restricted = f.community_id.is_some() || f.unit_kind.is_some() || f.scope.is_some();
    if let Some(c) = f.community_id {
        sql.push(" AND o.community_id = ").bind(Bind::Id(c));
    }
    if let Some(k) = f.unit_kind {
        sql.push(" AND o.unit_kind = ").bind(Bind::Text(k.as_str().into()));
    }
    if let Some(ids) = &f.scope {
        sql.push(" AND ");
        sql.in_ids("o.community_id", ids);
    }
    sql.push(" WHERE a.held_on >= ").bind(Bind::Date(f.from));
    sql.push(" AND a.held_on <= ").bind(Bind::Date(f.to));
    sql.push(" AND a.recorded_at <= ").bind(Bind::Moment(f.as_of));
    if restricted {
        sql.push(" AND (o.id IS NOT NULL");
        if let (Some(c), None) = (f.community_id, f.unit_kind) {
            let in_scope = f.scope.as_ref().is_none_or(|ids| ids.contains(&c));
            if in_scope {
                sql.push(" OR a.community_id = ").bind(Bind::Id(c));
            }
        }
        sql.push(")");
    }
    let r: EnforcementCounts = sql.build().get_result(conn)?;
    Ok(EnforcementTotals {
        actions: r.actions,
        units_involved: r.outcomes,
        violations: r.violations,
        cases_transferred: r.transferred,
        warnings: r.warnings,
        suspensions: r.suspensions,
        closures: r.closures,
    })
}
