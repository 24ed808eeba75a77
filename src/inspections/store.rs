//! Storing a submission (inspection + hazards + events) and reading inspections back.

use chrono_tz::Tz;
use diesel::prelude::*;
use serde_json::json;

use super::model::{Inspection, InspectionDetail, InspectionFilter, InspectionRow, NewInspection};
use crate::attachments::links::{self, RecordKind};
use crate::db::schema::{campaigns, inspections};
use crate::db::{DbConn, MultiBackend};
use crate::domain::access::Scope;
use crate::domain::actor::Actor;
use crate::domain::hazard::{Ladder, Today};
use crate::domain::time::local_date;
use crate::domain::validate::Problems;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::hazards::model::{Hazard, Origin};
use crate::hazards::store as hazard_store;
use crate::http::idempotent::{self, Stored};
use crate::http::page::PageRequest;
use crate::tallies::model::{Counted, Presence};
use crate::units::model::Unit;
use crate::units::store as unit_store;

/// The submission stored earlier under this client id, if it was the same request (see
/// [`idempotent::earlier`]).
pub fn replay(
    conn: &mut DbConn,
    id: Id,
    hash: &str,
    today: Today,
    scope: &Scope,
) -> ApiResult<Option<InspectionDetail>> {
    let existing: Option<InspectionRow> =
        inspections::table.find(id).select(InspectionRow::as_select()).first(conn).optional()?;
    let Some(row) = existing else {
        return Ok(None);
    };
    let visible = scope.allows(row.community_id);
    if !idempotent::earlier(Some((&row.request_hash, visible)), hash, "inspection", id)? {
        return Ok(None);
    }
    Ok(Some(detail_of(conn, row, today)?))
}

/// Who records a submission, and where they may.
pub struct By<'a> {
    pub scope: &'a Scope,
    pub actor: &'a Actor,
    /// `SAFETRACE_RECURRENCE_DAYS`: see [`Origin::recurrence_days`].
    pub recurrence_days: u32,
}

/// Stores one submission in the caller's transaction: the inspection, its hazards (made
/// by `hazards::store::create_batch`) and the citations of its attachments.
pub fn submit(
    conn: &mut DbConn,
    req: NewInspection,
    hash: String,
    now: Moment,
    tz: Tz,
    ladder: Ladder,
    by: By<'_>,
) -> ApiResult<(Stored, InspectionDetail)> {
    let today = Today { date: local_date(now, tz), ladder };
    if let Some(id) = req.id {
        if let Some(detail) = replay(conn, id, &hash, today, by.scope)? {
            return Ok((Stored::Replayed, detail));
        }
    }
    let unit = check_references(conn, &req, &by)?;
    let inspection_id = req.id.unwrap_or_else(Id::new_v7);
    let found_on = local_date(req.inspected_at, tz);
    let row = InspectionRow {
        id: inspection_id,
        unit_id: unit.id,
        community_id: unit.community_id,
        unit_kind: unit.kind,
        campaign_id: req.campaign_id,
        inspected_at: req.inspected_at,
        inspected_on: found_on,
        inspectors: json!(req.inspectors).to_string(),
        leader_led: req.leader_led,
        latitude: req.latitude,
        longitude: req.longitude,
        notes: req.notes.clone(),
        request_hash: hash,
        recorded_at: now,
        created_by: by.actor.user_id,
    };
    let origin = Origin {
        inspection_id,
        unit_id: unit.id,
        community_id: unit.community_id,
        unit_kind: unit.kind,
        campaign_id: req.campaign_id,
        leader_led: req.leader_led,
        found_at: req.inspected_at,
        found_on,
        recorded_at: now,
        unit_no: unit.unit_no,
        unit_name: unit.name.clone(),
        unit_address: unit.address.clone(),
        recurrence_days: by.recurrence_days,
    };
    diesel::insert_into(inspections::table).values(&row).execute(conn)?;
    let mut inspection = Inspection::try_from(row)?;
    inspection.attachment_ids = req.attachment_ids.clone();
    let data = serde_json::to_value(&inspection).unwrap_or_default();
    let kind = crate::feed::model::FeedKind::InspectionCreated;
    let community_id = Some(unit.community_id);
    let event = crate::feed::store::NewEvent {
        at: now,
        kind,
        resource_id: inspection_id,
        community_id,
        actor: Some(by.actor),
        data,
    };
    crate::feed::store::append_one(conn, event)?;
    let visit = Presence {
        counted: Counted::Inspection,
        found_on,
        recorded_at: now,
        community_id: unit.community_id,
        unit_kind: unit.kind,
        campaign_id: req.campaign_id,
        leader_led: req.leader_led,
        unit_no: unit.unit_no,
    };
    let created = hazard_store::create_batch(conn, &origin, req.hazards, by.actor, tz, Some(visit))?;
    links::cite(conn, &req.attachment_ids, RecordKind::Inspection, inspection_id, unit.community_id)?;
    let mut hazards: Vec<Hazard> =
        created.into_iter().map(|(row, photos)| Hazard::from_row(row, today, photos)).collect();
    // The order a replay reads them back in.
    hazards.sort_by_key(|h| h.id);
    Ok((Stored::Created, InspectionDetail { inspection, hazards }))
}

/// Every reference of a submission that names a missing record, as one 422; else the
/// inspected unit.
fn check_references(conn: &mut DbConn, req: &NewInspection, by: &By<'_>) -> ApiResult<Unit> {
    let mut p = Problems::new();
    let unit = unit_store::find(conn, req.unit_id)?.filter(|u| by.scope.allows(u.community_id));
    if unit.is_none() {
        p.push("unit_id", "not_found", "no unit has this id");
    }
    if let Some(cid) = req.campaign_id {
        let found = campaigns::table.find(cid).select(campaigns::id).first::<Id>(conn).optional()?;
        if found.is_none() {
            p.push("campaign_id", "not_found", "no campaign has this id");
        }
    }
    let community_id = unit.as_ref().map(|u| u.community_id);
    links::check_citable(conn, by.scope, by.actor, &req.attachment_ids, "attachment_ids", community_id, &mut p)?;
    hazard_store::check_new(conn, &req.hazards, "hazards", (by.scope, by.actor), community_id, &mut p)?;
    p.into_result()?;
    unit.ok_or_else(|| ApiError::field("unit_id", "not_found", "no unit has this id"))
}

fn detail_of(conn: &mut DbConn, row: InspectionRow, today: Today) -> ApiResult<InspectionDetail> {
    let hazards = hazard_store::for_inspection(conn, row.id)?;
    let hazard_ids: Vec<Id> = hazards.iter().map(|h| h.id).collect();
    let photos = links::cited_by(conn, RecordKind::Hazard, &hazard_ids)?;
    let attachments = links::cited_by(conn, RecordKind::Inspection, &[row.id])?;
    let mut inspection = Inspection::try_from(row)?;
    inspection.attachment_ids = links::of(&attachments, inspection.id);
    Ok(InspectionDetail {
        inspection,
        hazards: hazards
            .into_iter()
            .map(|h| {
                let photo_ids = links::of(&photos, h.id);
                Hazard::from_row(h, today, photo_ids)
            })
            .collect(),
    })
}

/// The inspection if the scope sees it; 404 as if it did not exist otherwise.
pub fn get_in(conn: &mut DbConn, id: Id, scope: &Scope) -> ApiResult<InspectionRow> {
    inspections::table
        .find(id)
        .select(InspectionRow::as_select())
        .first(conn)
        .optional()?
        .filter(|r: &InspectionRow| scope.allows(r.community_id))
        .ok_or_else(|| ApiError::not_found("inspection"))
}

pub fn detail(conn: &mut DbConn, id: Id, today: Today, scope: &Scope) -> ApiResult<InspectionDetail> {
    let row = get_in(conn, id, scope)?;
    detail_of(conn, row, today)
}

/// The inspections the filter selects in the scope, as a query to finish.
fn selected<'a>(f: &InspectionFilter, scope: &'a Scope) -> inspections::BoxedQuery<'a, MultiBackend> {
    let mut q = inspections::table.into_boxed();
    if let Some(ids) = scope.restriction() {
        q = q.filter(inspections::community_id.eq_any(ids));
    }
    if let Some(v) = f.unit_id {
        q = q.filter(inspections::unit_id.eq(v));
    }
    if let Some(v) = f.community_id {
        q = q.filter(inspections::community_id.eq(v));
    }
    if let Some(v) = f.campaign_id {
        q = q.filter(inspections::campaign_id.eq(v));
    }
    if let Some(v) = f.leader_led {
        q = q.filter(inspections::leader_led.eq(v));
    }
    if let Some(v) = f.from {
        q = q.filter(inspections::inspected_on.ge(v));
    }
    if let Some(v) = f.to {
        q = q.filter(inspections::inspected_on.le(v));
    }
    q
}

/// How many inspections the filter selects in the scope.
pub fn count(conn: &mut DbConn, f: &InspectionFilter, scope: &Scope) -> ApiResult<i64> {
    Ok(selected(f, scope).count().get_result(conn)?)
}

pub fn list(conn: &mut DbConn, f: &InspectionFilter, scope: &Scope, page: &PageRequest) -> ApiResult<Vec<Inspection>> {
    let mut q = selected(f, scope);
    if let Some(after) = page.after {
        q = q.filter(
            inspections::inspected_at
                .lt(after.at)
                .or(inspections::inspected_at.eq(after.at).and(inspections::id.lt(after.id))),
        );
    }
    let rows: Vec<InspectionRow> = q
        .order((inspections::inspected_at.desc(), inspections::id.desc()))
        .limit(page.fetch_limit())
        .select(InspectionRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Inspection::try_from).collect()
}
