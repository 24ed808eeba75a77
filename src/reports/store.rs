//! Report aggregation, all in SQL: counters per group on both engines, each hazard in
//! its state "as of" the report's moment (see [`super::as_of`]).

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::as_of::{self, StateAsOf};
use super::model::{Counters, EnforcementTotals, Filter, GroupBy, Row};
use crate::db::schema::{campaigns, communities};
use crate::db::sql::{Bind, Sql};
use crate::db::types::SqlUuid;
use crate::db::DbConn;
use crate::domain::labels::{self, Lang};
use crate::domain::Id;
use crate::domain::{HazardCategory, HazardLevel, HazardStatus, UnitKind};
use crate::error::ApiResult;

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
    units: i64,
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

fn hazard_counts(
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
    sql.push("CAST(COUNT(DISTINCT b.unit_id) AS BIGINT) AS units FROM (SELECT ");
    sql.push(&format!("{key_id} AS key_id, {key_text} AS key_text, hz.unit_id, hz.level, "));
    state.push_state_and_deadline(&mut sql, f.as_of);
    sql.push(" FROM hazards hz");
    common_where(&mut sql, f, "hz", "found_on");
    if let Some(c) = f.category {
        sql.push(" AND hz.category = ").bind(Bind::Text(c.as_str().into()));
    }
    sql.push(") b GROUP BY b.key_id, b.key_text");
    Ok(sql.build().load(conn)?)
}

fn inspection_counts(conn: &mut DbConn, f: &Filter, group: Option<GroupBy>) -> ApiResult<Vec<InspectionCounts>> {
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

fn counters_of(h: Option<&HazardCounts>, i: Option<&InspectionCounts>, with_inspections: bool) -> Counters {
    let mut c = Counters::default();
    if let Some(h) = h {
        c.hazards_found = h.found;
        c.hazards_closed = h.closed;
        c.hazards_voided = h.voided;
        c.hazards_open = h.open;
        c.hazards_pending_verification = h.pending;
        c.hazards_overdue = h.overdue;
        c.major_open = h.major_open;
        c.units_with_hazards = h.units;
    }
    if with_inspections {
        c.inspections = Some(i.map_or(0, |i| i.inspections));
        c.units_inspected = Some(i.map_or(0, |i| i.units));
    }
    c.finish()
}

/// Totals: one row of counters for everything the filter selects.
pub fn totals(conn: &mut DbConn, f: &Filter, state: StateAsOf) -> ApiResult<Counters> {
    let h = hazard_counts(conn, f, None, state)?;
    let i = inspection_counts(conn, f, None)?;
    Ok(counters_of(h.first(), i.first(), true))
}

/// A group's key as the API shows it.
fn key_string(key_id: Option<Id>, key_text: &Option<String>) -> Option<String> {
    key_id.map(|id| id.to_string()).or_else(|| key_text.clone())
}

/// Rows of counters per group, labelled, in a stable order.
pub fn rows(conn: &mut DbConn, f: &Filter, group: GroupBy, state: StateAsOf, lang: Lang) -> ApiResult<Vec<Row>> {
    let hazard_groups = matches!(group, GroupBy::Category | GroupBy::Level);
    let h = hazard_counts(conn, f, Some(group), state)?;
    let i = if hazard_groups { Vec::new() } else { inspection_counts(conn, f, Some(group))? };
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
            (order, Row { key, label, counters: counters_of(hc, ic, !hazard_groups) })
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
        GroupBy::Category | GroupBy::Level | GroupBy::UnitKind | GroupBy::Month => Vec::new(),
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
    }
}

/// Vocabularies in their declared order, months in time, names by name.
fn order_of(group: GroupBy, text: Option<&str>, label: &str) -> String {
    let pos = |p: Option<usize>| format!("{:03}", p.unwrap_or(999));
    match group {
        GroupBy::Category => pos(text.and_then(|t| HazardCategory::ALL.iter().position(|c| c.as_str() == t))),
        GroupBy::Level => pos(text.and_then(|t| HazardLevel::ALL.iter().position(|c| c.as_str() == t))),
        GroupBy::UnitKind => pos(text.and_then(|t| UnitKind::ALL.iter().position(|c| c.as_str() == t))),
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
