//! Rectification rows, views, requests and checks.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::db::schema::rectifications;
use crate::domain::validate::{not_blank, Problems};
use crate::domain::{Id, Moment};
use crate::domain::{RectificationStatus, Verdict};
use crate::error::ApiResult;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rectifications)]
pub struct RectificationRow {
    pub id: Id,
    pub hazard_id: Id,
    pub community_id: Id,
    pub status: RectificationStatus,
    pub measures: String,
    pub responsible_person: Option<String>,
    pub cost_cents: Option<i64>,
    pub completed_at: Moment,
    pub submitted_at: Moment,
    pub submitted_by: Id,
    pub verified_at: Option<Moment>,
    pub verified_by: Option<Id>,
    pub verification_comment: Option<String>,
    pub request_hash: String,
    pub version: i32,
}

/// A rectification as clients see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Rectification {
    pub id: Id,
    pub hazard_id: Id,
    pub status: RectificationStatus,
    /// What the unit did.
    pub measures: String,
    pub responsible_person: Option<String>,
    /// Cost in yuan, two decimals.
    pub cost: Option<f64>,
    pub completed_at: Moment,
    pub submitted_at: Moment,
    pub submitted_by: Id,
    pub verified_at: Option<Moment>,
    pub verified_by: Option<Id>,
    pub verification_comment: Option<String>,
    /// Photos and documents cited as evidence.
    pub evidence_ids: Vec<Id>,
    pub version: i32,
}

impl Rectification {
    pub fn from_row(r: RectificationRow, evidence_ids: Vec<Id>) -> Self {
        Rectification {
            id: r.id,
            hazard_id: r.hazard_id,
            status: r.status,
            measures: r.measures,
            responsible_person: r.responsible_person,
            cost: r.cost_cents.map(|c| c as f64 / 100.0),
            completed_at: r.completed_at,
            submitted_at: r.submitted_at,
            submitted_by: r.submitted_by,
            verified_at: r.verified_at,
            verified_by: r.verified_by,
            verification_comment: r.verification_comment,
            evidence_ids,
            version: r.version,
        }
    }
}

/// The most a cost may be, in yuan.
pub const MAX_COST: f64 = 1_000_000_000.0;

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRectification {
    /// Client-made id: resending the same rectification is answered 200, not stored twice.
    pub id: Option<Id>,
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    pub measures: String,
    #[validate(length(max = 200))]
    pub responsible_person: Option<String>,
    /// Yuan, at most two decimals.
    pub cost: Option<f64>,
    /// When the unit finished; not in the future, not before the hazard was found.
    pub completed_at: Moment,
    /// Photos or documents uploaded first (`POST /attachments`): at least one, unless the
    /// server runs with `SAFETRACE_REQUIRE_EVIDENCE=false`; at most 20.
    #[serde(default)]
    #[schema(required = true, min_items = 1, max_items = 20)]
    pub evidence_ids: Vec<Id>,
}

impl NewRectification {
    pub fn check(&self, now: Moment, clock_skew_seconds: i64, evidence_required: bool) -> ApiResult<()> {
        let mut p = Problems::new();
        p.extend_validator("", self.validate());
        if let Some(cost) = self.cost {
            let cents = (cost * 100.0).round();
            if !cost.is_finite() || !(0.0..=MAX_COST).contains(&cost) {
                p.push("cost", "range", "the cost must be between 0 and 1,000,000,000");
            } else if (cents - cost * 100.0).abs() > 1e-6 {
                p.push("cost", "precision", "the cost has at most two decimals");
            }
        }
        if self.completed_at.0 > now.0 + chrono::Duration::seconds(clock_skew_seconds) {
            p.push("completed_at", "in_future", "completed_at must not be in the future");
        }
        if evidence_required && self.evidence_ids.is_empty() {
            p.push("evidence_ids", "required", "a rectification cites at least one photo as evidence");
        }
        crate::domain::validate::check_cited(&mut p, "evidence_ids", &self.evidence_ids);
        Ok(p.into_result()?)
    }

    pub fn cost_cents(&self) -> Option<i64> {
        self.cost.map(|c| (c * 100.0).round() as i64)
    }

    /// SHA-256 of the canonical request, with the hazard it is for.
    pub fn canonical_hash(&self, hazard_id: Id) -> String {
        crate::http::idempotent::canonical_hash(&serde_json::json!({"hazard_id": hazard_id, "request": self}))
    }
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    pub outcome: Verdict,
    /// Required on reject: what is still wrong.
    #[validate(length(max = 2000))]
    pub comment: Option<String>,
}

impl Verification {
    pub fn check(&self) -> ApiResult<()> {
        let mut p = Problems::new();
        p.extend_validator("", self.validate());
        if self.outcome == Verdict::Reject && self.comment.as_deref().is_none_or(|c| c.trim().is_empty()) {
            p.push("comment", "required", "a rejection says what is still wrong");
        }
        Ok(p.into_result()?)
    }
}
