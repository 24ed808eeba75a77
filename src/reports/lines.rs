//! The line tables of the monthly report: overdue and major hazards as of a moment,
//! the month's joint enforcement outcomes and leader-led inspections.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text};

use super::as_of::{self, StateAsOf};
use super::model::{EnforcementLine, Filter, HazardLine, LeaderLedLine};
use crate::db::sql::{Bind, Sql};
use crate::db::types::SqlUuid;
use crate::db::DbConn;
use crate::domain::Id;
use crate::domain::{HazardCategory, HazardLevel, HazardStatus, PlanState, SupervisionLevel, SupervisionState};
use crate::error::{ApiError, ApiResult};

#[derive(QueryableByName)]
struct HazardLineRow {
    #[diesel(sql_type = SqlUuid)]
    id: Id,
    #[diesel(sql_type = SqlUuid)]
    unit_id: Id,
    #[diesel(sql_type = Text)]
    unit_name: String,
    #[diesel(sql_type = SqlUuid)]
    community_id: Id,
    #[diesel(sql_type = Text)]
    community_name: String,
    #[diesel(sql_type = Text)]
    category: HazardCategory,
    #[diesel(sql_type = Text)]
    level: HazardLevel,
    #[diesel(sql_type = Date)]
    found_on: NaiveDate,
    #[diesel(sql_type = Text)]
    st: HazardStatus,
    #[diesel(sql_type = Nullable<Date>)]
    dl: Option<NaiveDate>,
    #[diesel(sql_type = Text)]
    description: String,
    #[diesel(sql_type = Text)]
    unit_address: String,
    #[diesel(sql_type = Nullable<Text>)]
    responsible_person: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    contact_phone: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    measures: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pl: Option<PlanState>,
    #[diesel(sql_type = Nullable<Text>)]
    svl: Option<SupervisionLevel>,
    #[diesel(sql_type = Nullable<Text>)]
    svs: Option<SupervisionState>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    recurrence_of: Option<Id>,
    #[diesel(sql_type = Nullable<Date>)]
    recurrence_found_on: Option<NaiveDate>,
}

fn scope_where(sql: &mut Sql, f: &Filter, alias: &str) {
    if let Some(c) = f.community_id {
        sql.push(&format!(" AND {alias}.community_id = ")).bind(Bind::Id(c));
    }
    if let Some(ids) = &f.scope {
        sql.push(" AND ");
        sql.in_ids(&format!("{alias}.community_id"), ids);
    }
}

/// Which hazards a hazard table lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HazardList {
    /// Open with a deadline before the office's date at `as_of`.
    Overdue,
    /// Major and open.
    Major,
    /// Found in the period, recurring an earlier hazard.
    Recurrent,
}

impl HazardList {
    /// The condition on a hazard's state `st`, deadline `dl` and `level` columns.
    fn push_condition(self, sql: &mut Sql, f: &Filter, st: &str, dl: &str, level: &str) {
        match self {
            HazardList::Overdue => as_of::push_overdue(sql, st, dl, f.as_of_date),
            HazardList::Major => {
                sql.push(&format!("{} AND {level} = 'major'", as_of::open(st)));
            }
            HazardList::Recurrent => {
                let found_on = level.replace("level", "found_on");
                let recurrence = level.replace("level", "recurrence_of");
                sql.push(&format!("{recurrence} IS NOT NULL AND {found_on} >= ")).bind(Bind::Date(f.from));
                sql.push(&format!(" AND {found_on} <= ")).bind(Bind::Date(f.to));
            }
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            HazardList::Overdue => " ORDER BY b.dl, b.found_on, b.id",
            HazardList::Major | HazardList::Recurrent => " ORDER BY b.found_on, b.id",
        }
    }
}

/// Hazards recorded by `as_of`, in the state they had then, whenever found, that `list`
/// lists, one at a time.
pub fn hazards(
    conn: &mut DbConn,
    f: &Filter,
    state: StateAsOf,
    list: HazardList,
    mut each: impl FnMut(HazardLine) -> ApiResult<()>,
) -> ApiResult<()> {
    let mut sql = Sql::new(conn.engine());
    sql.push("SELECT b.* FROM (SELECT hz.id, hz.unit_id, u.name AS unit_name, hz.community_id, ");
    sql.push("c.name AS community_name, hz.category, hz.level, hz.found_on, hz.recurrence_of, ");
    sql.push("p.found_on AS recurrence_found_on, ");
    sql.push("hz.description, u.address AS unit_address, hz.responsible_person, u.contact_phone, ");
    // What the unit did: its latest rectification submitted by the report's moment.
    sql.push("(SELECT r.measures FROM rectifications r WHERE r.hazard_id = hz.id AND r.submitted_at <= ");
    sql.bind(Bind::Moment(f.as_of)).push(" ORDER BY r.submitted_at DESC, r.id DESC LIMIT 1) AS measures, ");
    state.push_state_and_deadline(&mut sql, f.as_of);
    state.push_governance(&mut sql, f.as_of);
    sql.push(" FROM hazards hz JOIN units u ON u.id = hz.unit_id JOIN communities c ON c.id = hz.community_id");
    sql.push(" LEFT JOIN hazards p ON p.id = hz.recurrence_of");
    sql.push(" WHERE hz.recorded_at <= ").bind(Bind::Moment(f.as_of));
    if state == StateAsOf::Stored {
        // The row holds the state: let the indexes narrow the hazards first.
        sql.push(" AND ");
        list.push_condition(&mut sql, f, "hz.status", "hz.deadline", "hz.level");
    }
    scope_where(&mut sql, f, "hz");
    sql.push(") b WHERE ");
    list.push_condition(&mut sql, f, "b.st", "b.dl", "b.level");
    sql.push(list.order_by());
    sql.for_each(conn, |r: HazardLineRow| {
        each(HazardLine {
            days_overdue: crate::domain::hazard::days_overdue(r.st, r.dl, f.as_of_date),
            hazard_id: r.id,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            community_id: r.community_id,
            community_name: r.community_name,
            category: r.category,
            level: r.level,
            status: r.st,
            found_on: r.found_on,
            deadline: r.dl,
            description: r.description,
            unit_address: r.unit_address,
            measures: r.measures,
            responsible_person: r.responsible_person,
            contact_phone: r.contact_phone,
            plan_state: r.pl,
            supervision_level: r.svl,
            supervision_state: r.svs,
            recurrence_of: r.recurrence_of,
            recurrence_found_on: r.recurrence_found_on,
        })
    })
}

#[derive(QueryableByName)]
struct EnforcementRow {
    #[diesel(sql_type = SqlUuid)]
    action_id: Id,
    #[diesel(sql_type = Date)]
    held_on: NaiveDate,
    #[diesel(sql_type = Text)]
    lead_department: String,
    #[diesel(sql_type = Text)]
    departments: String,
    #[diesel(sql_type = Text)]
    summary: String,
    #[diesel(sql_type = SqlUuid)]
    unit_id: Id,
    #[diesel(sql_type = Text)]
    unit_name: String,
    #[diesel(sql_type = Text)]
    community_name: String,
    #[diesel(sql_type = BigInt)]
    violations_found: i64,
    #[diesel(sql_type = Nullable<Text>)]
    violation_description: Option<String>,
    #[diesel(sql_type = Text)]
    measure: String,
    #[diesel(sql_type = Nullable<Text>)]
    transferred_to: Option<String>,
}

/// The period's enforcement outcomes, one line per unit per action, one at a time.
pub fn enforcement(
    conn: &mut DbConn,
    f: &Filter,
    mut each: impl FnMut(EnforcementLine) -> ApiResult<()>,
) -> ApiResult<()> {
    let mut sql = Sql::new(conn.engine());
    sql.push("SELECT a.id AS action_id, a.held_on, a.lead_department, a.departments, a.summary, o.unit_id, ");
    sql.push("u.name AS unit_name, c.name AS community_name, CAST(o.violations_found AS BIGINT) AS violations_found, ");
    sql.push("o.violation_description, o.measure, o.transferred_to FROM enforcement_actions a ");
    sql.push("JOIN enforcement_outcomes o ON o.action_id = a.id JOIN units u ON u.id = o.unit_id ");
    sql.push("JOIN communities c ON c.id = o.community_id");
    sql.push(" WHERE a.held_on >= ").bind(Bind::Date(f.from));
    sql.push(" AND a.held_on <= ").bind(Bind::Date(f.to));
    sql.push(" AND a.recorded_at <= ").bind(Bind::Moment(f.as_of));
    scope_where(&mut sql, f, "o");
    if let Some(k) = f.unit_kind {
        sql.push(" AND o.unit_kind = ").bind(Bind::Text(k.as_str().into()));
    }
    sql.push(" ORDER BY a.held_on, a.id, o.position");
    sql.for_each(conn, |r: EnforcementRow| {
        each(EnforcementLine {
            action_id: r.action_id,
            held_on: r.held_on,
            lead_department: r.lead_department,
            departments: serde_json::from_str(&r.departments).map_err(|e| {
                ApiError::internal(&format!("corrupt departments stored for enforcement action {}", r.action_id), e)
            })?,
            summary: r.summary,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            community_name: r.community_name,
            violations_found: r.violations_found,
            violation_description: r.violation_description,
            measure: r.measure,
            transferred_to: r.transferred_to,
        })
    })
}

#[derive(QueryableByName)]
struct LeaderLedRow {
    #[diesel(sql_type = SqlUuid)]
    id: Id,
    #[diesel(sql_type = Date)]
    inspected_on: NaiveDate,
    #[diesel(sql_type = SqlUuid)]
    unit_id: Id,
    #[diesel(sql_type = Text)]
    unit_name: String,
    #[diesel(sql_type = Text)]
    community_name: String,
    #[diesel(sql_type = Text)]
    inspectors: String,
    #[diesel(sql_type = BigInt)]
    found: i64,
    #[diesel(sql_type = BigInt)]
    closed: i64,
}

/// The period's leader-led inspections with the hazards each found and how many of
/// those were closed by `as_of`, one at a time.
pub fn leader_led(
    conn: &mut DbConn,
    f: &Filter,
    state: StateAsOf,
    mut each: impl FnMut(LeaderLedLine) -> ApiResult<()>,
) -> ApiResult<()> {
    let mut sql = Sql::new(conn.engine());
    sql.push("SELECT i.id, i.inspected_on, i.unit_id, u.name AS unit_name, c.name AS community_name, i.inspectors, ");
    sql.push("(SELECT CAST(COUNT(*) AS BIGINT) FROM hazards hz WHERE hz.inspection_id = i.id AND hz.recorded_at <= ");
    sql.bind(Bind::Moment(f.as_of));
    sql.push(") AS found, (SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT hz.inspection_id, ");
    state.push_state(&mut sql, f.as_of);
    sql.push(" FROM hazards hz WHERE hz.recorded_at <= ").bind(Bind::Moment(f.as_of));
    sql.push(&format!(") b WHERE b.inspection_id = i.id AND {}) AS closed", as_of::closed("b.st")));
    sql.push(" FROM inspections i JOIN units u ON u.id = i.unit_id JOIN communities c ON c.id = i.community_id");
    sql.push(" WHERE i.leader_led = ").bind(Bind::Bool(true));
    sql.push(" AND i.inspected_on >= ").bind(Bind::Date(f.from));
    sql.push(" AND i.inspected_on <= ").bind(Bind::Date(f.to));
    sql.push(" AND i.recorded_at <= ").bind(Bind::Moment(f.as_of));
    scope_where(&mut sql, f, "i");
    sql.push(" ORDER BY i.inspected_at, i.id");
    sql.for_each(conn, |r: LeaderLedRow| {
        each(LeaderLedLine {
            inspection_id: r.id,
            inspected_on: r.inspected_on,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            community_name: r.community_name,
            inspectors: serde_json::from_str(&r.inspectors)
                .map_err(|e| ApiError::internal(&format!("corrupt inspectors stored for inspection {}", r.id), e))?,
            hazards_found: r.found,
            hazards_closed: r.closed,
        })
    })
}
