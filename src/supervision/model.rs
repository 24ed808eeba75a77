//! Plans and supervisions: rows, requests and views.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::db::schema::{hazard_plans, hazard_supervisions};
use crate::domain::supervision::{plan_state, PlanItems};
use crate::domain::validate::{not_blank, Problems};
use crate::domain::{Id, Moment, PlanState, SupervisionLevel, SupervisionState};
use crate::error::ApiResult;

/// The most a plan's funds may be, in yuan.
pub const MAX_FUNDS: f64 = 1_000_000_000.0;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = hazard_plans)]
pub struct PlanRow {
    pub hazard_id: Id,
    pub measures: Option<String>,
    pub funds_cents: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub responsible_person: Option<String>,
    pub emergency_plan: Option<String>,
    pub complete: bool,
    pub version: i32,
    pub created_at: Moment,
    pub updated_at: Moment,
    pub updated_by: Option<Id>,
}

/// A major hazard's governance plan (治理方案): the five items of 五到位, each of which may
/// still be missing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Plan {
    /// 措施: the governance measures.
    pub measures: Option<String>,
    /// 资金: the funds, in yuan (two decimals).
    pub funds: Option<f64>,
    /// 时限: by when it is governed.
    pub deadline: Option<NaiveDate>,
    /// 责任: who is responsible.
    pub responsible_person: Option<String>,
    /// 预案: the emergency plan meanwhile.
    pub emergency_plan: Option<String>,
    /// `complete` when all five items are given.
    pub state: PlanState,
    pub version: i32,
    pub created_at: Moment,
    pub updated_at: Moment,
}

impl From<PlanRow> for Plan {
    fn from(r: PlanRow) -> Self {
        Plan {
            measures: r.measures,
            funds: r.funds_cents.map(|c| c as f64 / 100.0),
            deadline: r.deadline,
            responsible_person: r.responsible_person,
            emergency_plan: r.emergency_plan,
            state: if r.complete { PlanState::Complete } else { PlanState::Incomplete },
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A governance plan, whole: it replaces the plan there is (send that plan's `version`).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    #[validate(length(max = 4000))]
    pub measures: Option<String>,
    /// Yuan, at most two decimals.
    #[schema(minimum = 0, maximum = 1000000000)]
    pub funds: Option<f64>,
    pub deadline: Option<NaiveDate>,
    #[validate(length(max = 200))]
    pub responsible_person: Option<String>,
    #[validate(length(max = 4000))]
    pub emergency_plan: Option<String>,
    /// The version of the plan it replaces: required when there is one, refused otherwise.
    #[schema(minimum = 1)]
    pub version: Option<i32>,
    /// Why, recorded with the event.
    #[validate(length(max = 2000))]
    pub reason: Option<String>,
}

/// Blank texts are missing items.
fn given(t: &Option<String>) -> Option<String> {
    t.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(String::from)
}

impl PlanRequest {
    pub fn check(&self) -> ApiResult<()> {
        let mut p = Problems::new();
        p.extend_validator("", self.validate());
        if let Some(funds) = self.funds {
            if !funds.is_finite() || !(0.0..=MAX_FUNDS).contains(&funds) {
                p.push("funds", "range", "the funds must be between 0 and 1,000,000,000");
            } else if ((funds * 100.0).round() - funds * 100.0).abs() > 1e-6 {
                p.push("funds", "precision", "the funds have at most two decimals");
            }
        }
        Ok(p.into_result()?)
    }

    /// The row it makes for `hazard_id`, at `version`.
    pub fn row(&self, hazard_id: Id, version: i32, created_at: Moment, at: Moment, by: Option<Id>) -> PlanRow {
        let (measures, responsible_person, emergency_plan) =
            (given(&self.measures), given(&self.responsible_person), given(&self.emergency_plan));
        let funds_cents = self.funds.map(|f| (f * 100.0).round() as i64);
        let state = plan_state(PlanItems {
            measures: measures.as_deref(),
            funds_cents,
            deadline: self.deadline,
            responsible_person: responsible_person.as_deref(),
            emergency_plan: emergency_plan.as_deref(),
        });
        PlanRow {
            hazard_id,
            measures,
            funds_cents,
            deadline: self.deadline,
            responsible_person,
            emergency_plan,
            complete: state == PlanState::Complete,
            version,
            created_at,
            updated_at: at,
            updated_by: by,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = hazard_supervisions)]
pub struct SupervisionRow {
    pub hazard_id: Id,
    pub level: SupervisionLevel,
    pub authority: String,
    pub listed_on: NaiveDate,
    pub state: SupervisionState,
    pub version: i32,
    pub created_at: Moment,
    pub created_by: Option<Id>,
    pub lift_requested_at: Option<Moment>,
    pub lifted_at: Option<Moment>,
}

/// A major hazard's formal supervision (挂牌督办).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Supervision {
    pub level: SupervisionLevel,
    /// The supervising body.
    pub authority: String,
    /// The day it was listed (挂牌).
    pub listed_on: NaiveDate,
    pub state: SupervisionState,
    pub version: i32,
    pub created_at: Moment,
    pub lift_requested_at: Option<Moment>,
    /// When it was lifted (摘牌销号).
    pub lifted_at: Option<Moment>,
}

impl From<SupervisionRow> for Supervision {
    fn from(r: SupervisionRow) -> Self {
        Supervision {
            level: r.level,
            authority: r.authority,
            listed_on: r.listed_on,
            state: r.state,
            version: r.version,
            created_at: r.created_at,
            lift_requested_at: r.lift_requested_at,
            lifted_at: r.lifted_at,
        }
    }
}

/// List a major hazard for formal supervision.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSupervision {
    pub level: SupervisionLevel,
    /// The supervising body.
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub authority: String,
    /// The day it was listed: not after today.
    pub listed_on: NaiveDate,
    #[validate(length(max = 2000))]
    pub reason: Option<String>,
}

/// Correct a supervision's level, authority or date.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupervisionPatch {
    pub level: Option<SupervisionLevel>,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub authority: Option<String>,
    pub listed_on: Option<NaiveDate>,
    /// The supervision's version read; a stale one is refused with 409.
    #[schema(minimum = 1)]
    pub version: i32,
    /// Why it is corrected.
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    pub reason: String,
}

/// A step of a supervision: its lifting requested, or lifted.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupervisionStep {
    /// Why (what was done, the supervising body's decision).
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    pub reason: String,
    /// The supervision's version read; a stale one is refused with 409.
    #[schema(minimum = 1)]
    pub version: Option<i32>,
}
