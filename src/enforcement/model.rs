//! Enforcement action rows, outcomes, views, requests and their checks, and the unit
//! status changes enforcement and reinstatement make.

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::schema::{enforcement_actions, enforcement_outcomes};
use crate::domain::validate::{not_blank, Problems};
use crate::domain::{Department, Measure, UnitKind};
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};

pub const MAX_OUTCOMES: usize = 100;
pub const MAX_VIOLATIONS: i64 = 10_000;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = enforcement_actions)]
pub struct ActionRow {
    pub id: Id,
    pub held_on: NaiveDate,
    pub lead_department: Department,
    /// JSON array of departments, the lead among them.
    pub departments: String,
    pub community_id: Option<Id>,
    pub summary: String,
    pub request_hash: String,
    pub recorded_at: Moment,
    pub created_by: Id,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = enforcement_outcomes)]
pub struct OutcomeRow {
    pub id: Id,
    pub action_id: Id,
    pub position: i32,
    pub unit_id: Id,
    pub community_id: Id,
    pub unit_kind: UnitKind,
    pub violations_found: i32,
    pub violation_description: Option<String>,
    pub measure: Measure,
    pub transferred_to: Option<Department>,
}

/// What an action decided for one unit, as clients see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnforcementOutcome {
    pub id: Id,
    pub unit_id: Id,
    /// The unit's community when the action was recorded.
    pub community_id: Id,
    /// The unit's kind when the action was recorded.
    pub unit_kind: UnitKind,
    pub violations_found: i32,
    pub violation_description: Option<String>,
    pub measure: Measure,
    /// The department a case was transferred to (`case_transferred` only).
    pub transferred_to: Option<Department>,
}

impl From<OutcomeRow> for EnforcementOutcome {
    fn from(r: OutcomeRow) -> Self {
        EnforcementOutcome {
            id: r.id,
            unit_id: r.unit_id,
            community_id: r.community_id,
            unit_kind: r.unit_kind,
            violations_found: r.violations_found,
            violation_description: r.violation_description,
            measure: r.measure,
            transferred_to: r.transferred_to,
        }
    }
}

/// A joint enforcement action (联合执法) with its outcomes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnforcementAction {
    pub id: Id,
    pub held_on: NaiveDate,
    pub lead_department: Department,
    /// Every department taking part, the lead included.
    pub departments: Vec<Department>,
    pub community_id: Option<Id>,
    pub summary: String,
    /// When the server stored the action.
    pub recorded_at: Moment,
    pub created_by: Id,
    /// One per unit, in the order submitted; only those of units in the caller's scope.
    pub outcomes: Vec<EnforcementOutcome>,
}

impl EnforcementAction {
    /// Fails only on a stored `departments` list that is not the JSON array the service
    /// writes: a damaged database, reported as such rather than shown as no department.
    pub fn from_row(r: ActionRow, outcomes: Vec<EnforcementOutcome>) -> ApiResult<Self> {
        let departments = serde_json::from_str(&r.departments).map_err(|e| {
            ApiError::internal(&format!("enforcement action {}: stored departments are not a JSON list", r.id), e)
        })?;
        Ok(EnforcementAction {
            id: r.id,
            held_on: r.held_on,
            lead_department: r.lead_department,
            departments,
            community_id: r.community_id,
            summary: r.summary,
            recorded_at: r.recorded_at,
            created_by: r.created_by,
            outcomes,
        })
    }
}

/// One unit's outcome as submitted.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOutcome {
    pub unit_id: Id,
    /// How many violations were found at the unit (0–10000).
    #[validate(range(min = 0, max = 10000))]
    #[schema(minimum = 0, maximum = 10000)]
    pub violations_found: i64,
    #[validate(length(max = 2000))]
    pub violation_description: Option<String>,
    pub measure: Measure,
    /// Required for `case_transferred`, refused for the other measures.
    pub transferred_to: Option<Department>,
}

/// A joint enforcement action with its outcomes, stored in one transaction.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEnforcementAction {
    /// Client-made id: resending the same action is answered 200, not stored twice.
    pub id: Option<Id>,
    /// Not after today in the office's time zone.
    pub held_on: NaiveDate,
    pub lead_department: Department,
    /// 1–7 distinct departments; the lead is added (first) when it is not among them.
    #[schema(min_items = 1, max_items = 7)]
    pub departments: Vec<Department>,
    /// The community the action was held in, if it was held in one.
    pub community_id: Option<Id>,
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    pub summary: String,
    /// 1–100, at most one per unit. A `suspension_ordered` outcome suspends the unit, a
    /// `closure` closes it; a closed unit stays closed.
    #[validate(nested)]
    #[schema(min_items = 1, max_items = 100)]
    pub outcomes: Vec<NewOutcome>,
}

impl NewEnforcementAction {
    /// Every check that needs no database; `today` is the office's date.
    pub fn check(&self, today: NaiveDate) -> ApiResult<()> {
        let mut p = Problems::new();
        if self.outcomes.len() > MAX_OUTCOMES {
            p.push("outcomes", "too_many", format!("at most {MAX_OUTCOMES} outcomes per action"));
            return Ok(p.into_result()?);
        }
        p.extend_validator("", self.validate());
        if self.held_on > today {
            p.push("held_on", "in_future", format!("held_on must not be after today ({today})"));
        }
        self.check_departments(&mut p);
        if self.outcomes.is_empty() {
            p.push("outcomes", "required", "an action records at least one outcome");
        }
        let mut units = HashSet::new();
        for (i, o) in self.outcomes.iter().enumerate() {
            let at = |f: &str| format!("outcomes[{i}].{f}");
            match (o.measure, o.transferred_to) {
                (Measure::CaseTransferred, None) => {
                    p.push(at("transferred_to"), "required", "a transferred case names the department it went to")
                }
                (Measure::CaseTransferred, Some(_)) | (_, None) => {}
                (_, Some(_)) => {
                    p.push(at("transferred_to"), "not_allowed", "only a case_transferred outcome names a department")
                }
            }
            if !units.insert(o.unit_id) {
                p.push(at("unit_id"), "duplicate", "a unit has at most one outcome per action");
            }
        }
        Ok(p.into_result()?)
    }

    fn check_departments(&self, p: &mut Problems) {
        if self.departments.is_empty() {
            p.push("departments", "required", "name the departments taking part");
        } else if self.departments.len() > Department::ALL.len() {
            p.push("departments", "too_many", format!("at most {} departments", Department::ALL.len()));
        }
        let mut seen = HashSet::new();
        for (i, d) in self.departments.iter().enumerate() {
            if !seen.insert(*d) {
                p.push(format!("departments[{i}]"), "duplicate", "this department is named twice");
            }
        }
    }

    /// The departments as stored: the lead first when the request left it out.
    pub fn all_departments(&self) -> Vec<Department> {
        let mut out = Vec::with_capacity(self.departments.len() + 1);
        if !self.departments.contains(&self.lead_department) {
            out.push(self.lead_department);
        }
        out.extend(self.departments.iter().copied());
        out
    }

    /// SHA-256 of the canonical request: what an idempotent replay must match.
    pub fn canonical_hash(&self) -> String {
        crate::http::idempotent::canonical_hash(self)
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EnforcementFilter {
    /// First `held_on` date, inclusive.
    pub from: Option<NaiveDate>,
    /// Last `held_on` date, inclusive.
    pub to: Option<NaiveDate>,
    /// Held in this community, or with an outcome for a unit in it.
    pub community_id: Option<Id>,
    /// Leading or taking part.
    pub department: Option<Department>,
    /// With an outcome of this measure.
    pub measure: Option<Measure>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
