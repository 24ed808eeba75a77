//! Enforcement action rows, outcomes, views, requests and their checks, and the unit
//! status changes enforcement and reinstatement make.

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::schema::{enforcement_actions, enforcement_outcomes};
use crate::domain::validate::{not_blank, Problems};
use crate::domain::{Department, Measure, UnitKind, UnitStatus};
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
    pub fn from_row(r: ActionRow, outcomes: Vec<EnforcementOutcome>) -> Self {
        EnforcementAction {
            id: r.id,
            held_on: r.held_on,
            lead_department: r.lead_department,
            departments: serde_json::from_str(&r.departments).unwrap_or_default(),
            community_id: r.community_id,
            summary: r.summary,
            recorded_at: r.recorded_at,
            created_by: r.created_by,
            outcomes,
        }
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
        let value = serde_json::to_value(self).unwrap_or_default();
        hex::encode(Sha256::digest(value.to_string().as_bytes()))
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

/// Lift a suspension (停产整顿 ends): the unit becomes active again.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reinstatement {
    /// Why the suspension is lifted, e.g. the rectification that was verified.
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    pub reason: String,
    /// The unit's version read; a stale one is refused with 409.
    pub version: Option<i32>,
}

impl Reinstatement {
    pub fn check(&self) -> ApiResult<()> {
        let mut p = Problems::new();
        p.extend_validator("", self.validate());
        Ok(p.into_result()?)
    }
}

/// What changes a unit's status: enforcement outcomes and reinstatement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitAction {
    Suspend,
    Close,
    Reinstate,
}

impl UnitAction {
    pub const ALL: [UnitAction; 3] = [UnitAction::Suspend, UnitAction::Close, UnitAction::Reinstate];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitAction::Suspend => "suspend",
            UnitAction::Close => "close",
            UnitAction::Reinstate => "reinstate",
        }
    }

    /// The `unit_events.kind` this action writes.
    pub fn event_kind(self) -> &'static str {
        match self {
            UnitAction::Suspend => "suspended",
            UnitAction::Close => "closed",
            UnitAction::Reinstate => "reinstated",
        }
    }

    /// The status change an outcome's measure makes, if any.
    pub fn of_measure(m: Measure) -> Option<UnitAction> {
        match m {
            Measure::SuspensionOrdered => Some(UnitAction::Suspend),
            Measure::Closure => Some(UnitAction::Close),
            Measure::Warning | Measure::CaseTransferred => None,
        }
    }
}

/// The status `action` leads to from `from`, or `None` when it is not allowed there.
/// A suspension may be ordered again while one is in force; a closed unit stays closed.
pub fn next_status(from: UnitStatus, action: UnitAction) -> Option<UnitStatus> {
    use UnitAction::*;
    use UnitStatus::*;
    match (from, action) {
        (Active | Suspended, Suspend) => Some(Suspended),
        (Active | Suspended, Close) => Some(Closed),
        (Suspended, Reinstate) => Some(Active),
        _ => None,
    }
}

/// The refusal of a unit action its status does not allow.
pub fn illegal(from: UnitStatus, action: UnitAction) -> ApiError {
    let allowed: Vec<String> = UnitAction::ALL
        .into_iter()
        .filter(|a| next_status(from, *a).is_some())
        .map(|a| a.as_str().to_string())
        .collect();
    let detail = if allowed.is_empty() {
        format!("`{}` is not allowed: the unit is {from} and allows no further action", action.as_str())
    } else {
        format!("`{}` is not allowed: the unit is {from}; allowed: {}", action.as_str(), allowed.join(", "))
    };
    ApiError::IllegalTransition { detail, current_state: from.to_string(), allowed_actions: allowed }
}

#[cfg(test)]
mod tests {
    use super::UnitAction::*;
    use super::*;
    use UnitStatus::*;

    #[test]
    fn unit_status_changes() {
        assert_eq!(next_status(Active, Suspend), Some(Suspended));
        assert_eq!(next_status(Suspended, Suspend), Some(Suspended));
        assert_eq!(next_status(Suspended, Close), Some(Closed));
        assert_eq!(next_status(Suspended, Reinstate), Some(Active));
        assert_eq!(next_status(Active, Reinstate), None);
        for a in UnitAction::ALL {
            assert_eq!(next_status(Closed, a), None, "closed is final");
        }
        match illegal(Active, Reinstate) {
            ApiError::IllegalTransition { current_state, allowed_actions, .. } => {
                assert_eq!(current_state, "active");
                assert_eq!(allowed_actions, vec!["suspend", "close"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
