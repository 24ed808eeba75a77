//! A hazard with its photos, rectifications and history: what `GET /hazards/{id}` shows,
//! and what the hazard's workflow steps (void, deadline, verification) answer.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::attachments::links::{self, RecordKind};
use crate::db::DbConn;
use crate::domain::access::Scope;
use crate::domain::hazard::Today;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::hazards::model::{Hazard, HazardEvent};
use crate::hazards::store as hazards;
use crate::rectifications::model::Rectification;
use crate::rectifications::store as rectifications;
use crate::supervision::model::{Plan, Supervision};
use crate::supervision::store as supervision;

/// A hazard with its rectifications and its history, oldest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HazardDetail {
    #[serde(flatten)]
    pub hazard: Hazard,
    pub rectifications: Vec<Rectification>,
    /// Its governance plan (治理方案; major hazards), if one was recorded.
    pub plan: Option<Plan>,
    /// Its formal supervision (挂牌督办), if it was listed.
    pub supervision: Option<Supervision>,
    pub events: Vec<HazardEvent>,
}

/// The hazard as the scope may see it (404 otherwise); `today` is the office's date.
pub fn load(conn: &mut DbConn, id: Id, scope: &Scope, today: Today) -> ApiResult<HazardDetail> {
    let row = hazards::get_in(conn, id, scope)?;
    let photos = links::cited_by(conn, RecordKind::Hazard, &[id])?;
    let rectifications = rectifications::for_hazard(conn, id)?;
    let events = hazards::events(conn, id)?;
    let plan = supervision::plan_of(conn, id)?.map(Plan::from);
    let supervision = supervision::supervision_of(conn, id)?.map(Supervision::from);
    Ok(HazardDetail {
        hazard: Hazard::from_row(row, today, links::of(&photos, id)),
        rectifications,
        plan,
        supervision,
        events: events.into_iter().map(Into::into).collect(),
    })
}
