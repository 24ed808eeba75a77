//! Inspection rows, the submission with its nested hazards, and their checks.

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::schema::inspections;
use crate::domain::time::local_date;
use crate::domain::validate::{check_cited, Problems};
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::hazards::model::{Hazard, NewHazard};

pub const MAX_HAZARDS: usize = 100;
pub const MAX_INSPECTORS: usize = 10;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = inspections)]
pub struct InspectionRow {
    pub id: Id,
    pub unit_id: Id,
    pub community_id: Id,
    pub unit_kind: crate::domain::UnitKind,
    pub campaign_id: Option<Id>,
    pub inspected_at: Moment,
    pub inspected_on: NaiveDate,
    /// JSON array of names.
    pub inspectors: String,
    pub leader_led: bool,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub notes: Option<String>,
    pub request_hash: String,
    pub recorded_at: Moment,
    pub created_by: Option<Id>,
}

/// An inspection as clients see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Inspection {
    pub id: Id,
    pub unit_id: Id,
    /// The unit's community at the time of the visit.
    pub community_id: Id,
    pub unit_kind: crate::domain::UnitKind,
    pub campaign_id: Option<Id>,
    pub inspected_at: Moment,
    /// `inspected_at`'s date in the office's time zone.
    pub inspected_on: NaiveDate,
    /// The people present.
    pub inspectors: Vec<String>,
    /// 党政带队.
    pub leader_led: bool,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub notes: Option<String>,
    pub attachment_ids: Vec<Id>,
    pub recorded_at: Moment,
    pub created_by: Option<Id>,
}

impl TryFrom<InspectionRow> for Inspection {
    type Error = ApiError;

    /// Fails only on a stored `inspectors` list that is not the JSON array the service
    /// writes: a damaged database, reported as such rather than shown as no one.
    fn try_from(r: InspectionRow) -> ApiResult<Self> {
        let inspectors = serde_json::from_str(&r.inspectors).map_err(|e| {
            ApiError::internal(&format!("inspection {}: stored inspectors are not a JSON list", r.id), e)
        })?;
        Ok(Inspection {
            id: r.id,
            unit_id: r.unit_id,
            community_id: r.community_id,
            unit_kind: r.unit_kind,
            campaign_id: r.campaign_id,
            inspected_at: r.inspected_at,
            inspected_on: r.inspected_on,
            inspectors,
            leader_led: r.leader_led,
            latitude: r.latitude,
            longitude: r.longitude,
            notes: r.notes,
            attachment_ids: Vec::new(),
            recorded_at: r.recorded_at,
            created_by: r.created_by,
        })
    }
}

/// An inspection with the hazards it found.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InspectionDetail {
    #[serde(flatten)]
    pub inspection: Inspection,
    pub hazards: Vec<Hazard>,
}

/// A phone submission: one inspection with the hazards it found, stored in one transaction.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInspection {
    /// Client-made id: resending the same submission is answered 200, not stored twice.
    pub id: Option<Id>,
    pub unit_id: Id,
    /// RFC 3339 with an offset; not in the future.
    pub inspected_at: Moment,
    /// 1–10 names of the people present.
    #[schema(min_items = 1, max_items = 10)]
    pub inspectors: Vec<String>,
    pub leader_led: bool,
    pub campaign_id: Option<Id>,
    #[validate(range(min = -90.0, max = 90.0))]
    pub latitude: Option<f64>,
    #[validate(range(min = -180.0, max = 180.0))]
    pub longitude: Option<f64>,
    #[validate(length(max = 2000))]
    pub notes: Option<String>,
    /// Photos or documents uploaded first (`POST /attachments`), at most 20.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachment_ids: Vec<Id>,
    #[validate(nested)]
    #[schema(max_items = 100)]
    pub hazards: Vec<NewHazard>,
}

impl NewInspection {
    /// Every check that needs no database; `now` and the office's zone decide "future"
    /// and the date found.
    pub fn check(&self, now: Moment, tz: chrono_tz::Tz, clock_skew_seconds: i64) -> ApiResult<()> {
        let mut p = Problems::new();
        if self.hazards.len() > MAX_HAZARDS {
            p.push("hazards", "too_many", format!("at most {MAX_HAZARDS} hazards per inspection"));
            return Ok(p.into_result()?);
        }
        p.extend_validator("", self.validate());
        self.check_inspectors(&mut p);
        if self.latitude.is_some() != self.longitude.is_some() {
            let missing = if self.latitude.is_none() { "latitude" } else { "longitude" };
            p.push(missing, "required", "latitude and longitude go together");
        }
        if self.inspected_at.0 > now.0 + chrono::Duration::seconds(clock_skew_seconds) {
            p.push("inspected_at", "in_future", "inspected_at must not be in the future");
        }
        let found_on = local_date(self.inspected_at, tz);
        for (i, h) in self.hazards.iter().enumerate() {
            h.check(&mut p, &format!("hazards[{i}]"), found_on);
        }
        self.check_duplicate_ids(&mut p);
        Ok(p.into_result()?)
    }

    fn check_inspectors(&self, p: &mut Problems) {
        if self.inspectors.is_empty() || self.inspectors.len() > MAX_INSPECTORS {
            p.push("inspectors", "length", format!("name 1 to {MAX_INSPECTORS} people present"));
        }
        for (i, name) in self.inspectors.iter().enumerate() {
            let len = name.trim().chars().count();
            if len == 0 {
                p.push(format!("inspectors[{i}]"), "required", "a name must not be blank");
            } else if name.chars().count() > 200 {
                p.push(format!("inspectors[{i}]"), "length", "length must be at most 200");
            }
        }
    }

    fn check_duplicate_ids(&self, p: &mut Problems) {
        let mut seen: HashSet<Id> = self.id.into_iter().collect();
        for (i, h) in self.hazards.iter().enumerate() {
            if let Some(id) = h.id {
                if !seen.insert(id) {
                    p.push(format!("hazards[{i}].id"), "duplicate", "this id is used twice in the submission");
                }
            }
        }
        check_cited(p, "attachment_ids", &self.attachment_ids);
    }

    /// SHA-256 of the canonical request (keys sorted, moments in UTC): what an
    /// idempotent replay must match.
    pub fn canonical_hash(&self) -> String {
        crate::http::idempotent::canonical_hash(self)
    }
}

/// The inspections a list selects. The page asked for is [`crate::http::page::Paging`].
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InspectionFilter {
    pub unit_id: Option<Id>,
    pub community_id: Option<Id>,
    pub campaign_id: Option<Id>,
    pub leader_led: Option<bool>,
    /// First local date of `inspected_at`, inclusive.
    pub from: Option<NaiveDate>,
    /// Last local date of `inspected_at`, inclusive.
    pub to: Option<NaiveDate>,
}
