//! Hazard phrase rows, requests and checks.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::schema::{hazard_phrase_events, hazard_phrases};
use crate::domain::patch::nullable;
use crate::domain::validate::{not_blank, Problems};
use crate::domain::{HazardCategory, Id, Moment};
use crate::error::ApiResult;

pub const MAX_TEXT: usize = 2000;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = hazard_phrases)]
pub struct HazardPhrase {
    pub id: Id,
    pub category: HazardCategory,
    /// What the description says, e.g. 安全出口、疏散通道被杂物堵塞.
    pub text: String,
    /// The rule it breaks, e.g. 《中华人民共和国消防法》第二十八条.
    pub legal_basis: Option<String>,
    /// Offered on the phone; an inactive phrase is kept, not offered.
    pub active: bool,
    pub version: i32,
    pub created_at: Moment,
    pub updated_at: Moment,
    pub created_by: Option<Id>,
}

/// One change of a phrase: its creation or an edit.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = hazard_phrase_events)]
pub struct HazardPhraseEvent {
    pub id: Id,
    pub phrase_id: Id,
    pub at: Moment,
    /// Who acted (a user's name; `system` for the phrases the service starts with).
    pub actor: String,
    pub actor_user_id: Option<Id>,
    /// `created` or `updated`.
    pub kind: String,
    /// What an edit changed, e.g. `{"active": [true, false]}` (stored as JSON text).
    #[serde(serialize_with = "crate::domain::history::json_text")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<String>,
}

/// A phrase with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HazardPhraseDetail {
    #[serde(flatten)]
    pub phrase: HazardPhrase,
    pub events: Vec<HazardPhraseEvent>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHazardPhrase {
    pub category: HazardCategory,
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub legal_basis: Option<String>,
    /// Default: true.
    pub active: Option<bool>,
}

impl NewHazardPhrase {
    pub fn check(&self) -> ApiResult<()> {
        let mut p = Problems::new();
        p.extend_validator("", self.validate());
        Ok(p.into_result()?)
    }
}

/// An edit: `version` as read; the fields to change (`legal_basis: null` clears it).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HazardPhrasePatch {
    pub version: i32,
    pub category: Option<HazardCategory>,
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub legal_basis: Option<Option<String>>,
    pub active: Option<bool>,
}

impl HazardPhrasePatch {
    pub fn check(&self) -> ApiResult<()> {
        let mut p = Problems::new();
        p.extend_validator("", self.validate());
        if let Some(Some(basis)) = &self.legal_basis {
            if basis.chars().count() > MAX_TEXT {
                p.push("legal_basis", "length", format!("length must be at most {MAX_TEXT}"));
            }
        }
        Ok(p.into_result()?)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HazardPhraseFilter {
    pub category: Option<HazardCategory>,
    /// Only active (true) or only inactive (false) phrases; both when absent.
    pub active: Option<bool>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
