//! Community rows, requests and checks.

use crate::domain::{Id, Moment};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::schema::{communities, community_events};
use crate::domain::validate::{not_blank, Problems};
use crate::error::ApiResult;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = communities)]
pub struct Community {
    pub id: Id,
    /// Display name, e.g. 金茂路社区.
    pub name: String,
    /// Short unique code.
    pub code: String,
    pub version: i32,
    pub created_at: Moment,
    pub updated_at: Moment,
    pub created_by: Option<Id>,
}

/// One change of a community: its creation or an edit.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = community_events)]
pub struct CommunityEvent {
    pub id: Id,
    pub community_id: Id,
    pub at: Moment,
    /// Who acted (a user's name).
    pub actor: String,
    pub actor_user_id: Option<Id>,
    /// `created` or `updated`.
    pub kind: String,
    /// What an edit changed, e.g. `{"name": [old, new]}` (stored as JSON text).
    #[serde(serialize_with = "crate::domain::history::json_text")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<String>,
}

/// A community with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunityDetail {
    #[serde(flatten)]
    pub community: Community,
    pub events: Vec<CommunityEvent>,
}

fn code_chars(code: &str) -> Result<(), validator::ValidationError> {
    if code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(())
    } else {
        let mut e = validator::ValidationError::new("invalid_code");
        e.message = Some("a code uses only letters, digits, - and _".into());
        Err(e)
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommunity {
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Letters, digits, `-` and `_`; unique.
    #[validate(length(min = 1, max = 32), custom(function = "code_chars"))]
    #[schema(pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub code: String,
}

impl NewCommunity {
    pub fn check(&self) -> ApiResult<()> {
        let mut p = Problems::new();
        p.extend_validator("", self.validate());
        Ok(p.into_result()?)
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommunityPatch {
    /// The version the client read; a stale one is refused with 409.
    pub version: i32,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[validate(length(min = 1, max = 32), custom(function = "code_chars"))]
    #[schema(pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub code: Option<String>,
}

impl CommunityPatch {
    pub fn check(&self) -> ApiResult<()> {
        let mut p = Problems::new();
        p.extend_validator("", self.validate());
        Ok(p.into_result()?)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommunityFilter {
    /// Part of the name or code.
    pub q: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
