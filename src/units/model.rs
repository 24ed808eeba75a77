//! Unit rows, events, requests and checks.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::schema::{unit_events, units};
use crate::domain::patch::nullable;
use crate::domain::validate::{not_blank, valid_credit_code, valid_phone, Problems};
use crate::domain::{Id, Moment};
use crate::domain::{UnitKind, UnitStatus};
use crate::error::ApiResult;

#[derive(Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = units)]
pub struct Unit {
    pub id: Id,
    pub community_id: Id,
    pub name: String,
    pub kind: UnitKind,
    pub status: UnitStatus,
    pub address: String,
    /// 统一社会信用代码.
    pub credit_code: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub version: i32,
    pub created_at: Moment,
    pub updated_at: Moment,
    pub created_by: Option<Id>,
    /// A dense number the report counters keep sets of units by; not shown.
    #[serde(skip)]
    #[schema(ignore)]
    pub unit_no: i64,
}

/// One change of a unit: its creation, an edit, a status change.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = unit_events)]
pub struct UnitEvent {
    pub id: Id,
    pub unit_id: Id,
    pub at: Moment,
    /// Who acted (a user's name).
    pub actor: String,
    pub actor_user_id: Option<Id>,
    /// `created`, `updated`, `imported`, `suspended`, `closed`, `reinstated`.
    pub kind: String,
    pub from_status: Option<UnitStatus>,
    pub to_status: Option<UnitStatus>,
    pub reason: Option<String>,
    /// What changed, e.g. `{"community_id": [old, new]}` (stored as JSON text).
    #[serde(serialize_with = "crate::domain::history::json_text")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<String>,
}

/// A unit with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: Unit,
    pub events: Vec<UnitEvent>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    pub community_id: Id,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub name: String,
    pub kind: UnitKind,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub address: String,
    /// 18 characters with the GB 32100 check character.
    #[validate(custom(function = "valid_credit_code"))]
    pub credit_code: Option<String>,
    #[validate(length(max = 200))]
    pub contact_name: Option<String>,
    #[validate(custom(function = "valid_phone"))]
    pub contact_phone: Option<String>,
    #[validate(range(min = -90.0, max = 90.0))]
    pub latitude: Option<f64>,
    #[validate(range(min = -180.0, max = 180.0))]
    pub longitude: Option<f64>,
}

impl NewUnit {
    pub fn check(&self) -> ApiResult<()> {
        let mut p = Problems::new();
        p.extend_validator("", self.validate());
        check_coordinates(&mut p, self.latitude, self.longitude);
        Ok(p.into_result()?)
    }
}

fn check_coordinates(p: &mut Problems, lat: Option<f64>, lon: Option<f64>) {
    if lat.is_some() != lon.is_some() {
        let missing = if lat.is_none() { "latitude" } else { "longitude" };
        p.push(missing, "required", "latitude and longitude go together");
    }
}

/// Fields a client may change; `status` changes only through enforcement and reinstatement.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    pub version: i32,
    /// Moving a unit to another community does not move the hazards already found there.
    pub community_id: Option<Id>,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub address: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub credit_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub contact_phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>)]
    pub latitude: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>)]
    pub longitude: Option<Option<f64>>,
}

impl UnitPatch {
    pub fn check(&self) -> ApiResult<()> {
        let mut p = Problems::new();
        p.extend_validator("", self.validate());
        if let Some(Some(code)) = &self.credit_code {
            p.extend_validator("", valid_credit_code(code).map_err(|e| one("credit_code", e)));
        }
        if let Some(Some(name)) = &self.contact_name {
            if name.chars().count() > 200 {
                p.push("contact_name", "length", "length must be at most 200");
            }
        }
        if let Some(Some(tel)) = &self.contact_phone {
            p.extend_validator("", valid_phone(tel).map_err(|e| one("contact_phone", e)));
        }
        if let Some(Some(lat)) = self.latitude {
            if !(-90.0..=90.0).contains(&lat) {
                p.push("latitude", "range", "must be between -90 and 90");
            }
        }
        if let Some(Some(lon)) = self.longitude {
            if !(-180.0..=180.0).contains(&lon) {
                p.push("longitude", "range", "must be between -180 and 180");
            }
        }
        Ok(p.into_result()?)
    }
}

fn one(field: &'static str, e: validator::ValidationError) -> validator::ValidationErrors {
    let mut errors = validator::ValidationErrors::new();
    errors.add(field, e);
    errors
}

/// The units a list (and its export) selects. The page asked for is
/// [`crate::http::page::Paging`].
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnitFilter {
    pub community_id: Option<Id>,
    pub kind: Option<UnitKind>,
    pub status: Option<UnitStatus>,
    /// Text in the name, address, credit code or contact name (a substring; from two
    /// characters on, found through an index).
    pub q: Option<String>,
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
