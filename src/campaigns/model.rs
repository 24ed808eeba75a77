//! Campaign rows, requests and checks.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::schema::{campaign_events, campaigns};
use crate::domain::patch::nullable;
use crate::domain::validate::{not_blank, Problems};
use crate::domain::{Id, Moment};
use crate::error::ApiResult;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = campaigns)]
pub struct Campaign {
    pub id: Id,
    /// e.g. 百日攻坚.
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub description: Option<String>,
    pub version: i32,
    pub created_at: Moment,
    pub updated_at: Moment,
    pub created_by: Option<Id>,
}

/// One change of a campaign: its creation or an edit.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = campaign_events)]
pub struct CampaignEvent {
    pub id: Id,
    pub campaign_id: Id,
    pub at: Moment,
    /// Who acted (a user's name).
    pub actor: String,
    pub actor_user_id: Option<Id>,
    /// `created` or `updated`.
    pub kind: String,
    /// What an edit changed, e.g. `{"ends_on": [old, new]}` (stored as JSON text).
    #[serde(serialize_with = "crate::domain::history::json_text")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<String>,
}

/// A campaign with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignDetail {
    #[serde(flatten)]
    pub campaign: Campaign,
    pub events: Vec<CampaignEvent>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCampaign {
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[validate(length(max = 2000))]
    pub description: Option<String>,
}

fn check_range(p: &mut Problems, starts_on: NaiveDate, ends_on: NaiveDate) {
    if ends_on < starts_on {
        p.push("ends_on", "before_start", "ends_on must not be before starts_on");
    }
}

impl NewCampaign {
    pub fn check(&self) -> ApiResult<()> {
        let mut p = Problems::new();
        p.extend_validator("", self.validate());
        check_range(&mut p, self.starts_on, self.ends_on);
        Ok(p.into_result()?)
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignPatch {
    pub version: i32,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub name: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

impl CampaignPatch {
    /// Checks the patch against the record it changes.
    pub fn check(&self, current: &Campaign) -> ApiResult<()> {
        let mut p = Problems::new();
        p.extend_validator("", self.validate());
        if let Some(Some(d)) = &self.description {
            if d.chars().count() > 2000 {
                p.push("description", "length", "length must be at most 2000");
            }
        }
        check_range(&mut p, self.starts_on.unwrap_or(current.starts_on), self.ends_on.unwrap_or(current.ends_on));
        Ok(p.into_result()?)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CampaignFilter {
    /// Campaigns running on this date.
    pub active_on: Option<NaiveDate>,
    /// Part of the name.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
