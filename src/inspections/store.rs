//! Storing a submission (inspection + hazards + events) and reading inspections back.

use chrono::NaiveDate;
use chrono_tz::Tz;
use diesel::prelude::*;
use serde_json::json;

use super::model::{Inspection, InspectionDetail, InspectionFilter, InspectionRow, NewInspection};
use crate::attachments::links::{self, RecordKind};
use crate::db::schema::{campaigns, inspections};
use crate::db::DbConn;
use crate::domain::access::Caller;
use crate::domain::access::Scope;
use crate::domain::hazard::initial_status;
use crate::domain::time::local_date;
use crate::domain::validate::Problems;
use crate::domain::{HandlingType, HazardSource};
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::hazards::model::{Hazard, HazardEventRow, HazardRow};
use crate::hazards::store as hazard_store;
use crate::http::idempotent::Stored;
use crate::http::page::PageRequest;
use crate::units::model::Unit;
use crate::units::store as unit_store;

/// Looks up an earlier submission under the same client id: the same request replays,
/// a different one under that id is a conflict.
/// A submission by someone who cannot see the stored record is refused like any other
/// reuse of the id, without revealing it.
pub fn replay(
    conn: &mut DbConn,
    id: Id,
    hash: &str,
    today: NaiveDate,
    caller: &Caller,
) -> ApiResult<Option<InspectionDetail>> {
    let existing: Option<InspectionRow> =
        inspections::table.find(id).select(InspectionRow::as_select()).first(conn).optional()?;
    match existing {
        None => Ok(None),
        Some(row) if row.request_hash == hash && caller.sees(row.community_id) => {
            Ok(Some(detail_of(conn, row, today)?))
        }
        Some(_) => Err(ApiError::Conflict(format!("inspection {id} was already submitted with different content"))),
    }
}

/// Stores one submission in the caller's transaction.
pub fn submit(
    conn: &mut DbConn,
    req: NewInspection,
    hash: String,
    now: Moment,
    tz: Tz,
    caller: &Caller,
) -> ApiResult<(Stored, InspectionDetail)> {
    let today = local_date(now, tz);
    if let Some(id) = req.id {
        if let Some(detail) = replay(conn, id, &hash, today, caller)? {
            return Ok((Stored::Replayed, detail));
        }
    }
    let unit = check_references(conn, &req, caller)?;
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
        created_by: Some(caller.user_id),
    };
    let actor = caller.actor();
    let default_source = if req.campaign_id.is_some() { HazardSource::Campaign } else { HazardSource::Routine };
    let mut citations: Vec<(Id, Vec<Id>)> = Vec::with_capacity(req.hazards.len());
    let attachment_ids = req.attachment_ids.clone();
    let mut hazards = Vec::with_capacity(req.hazards.len());
    let mut events = Vec::with_capacity(req.hazards.len());
    for h in req.hazards {
        let status = initial_status(h.handling_type);
        let hazard_id = h.id.unwrap_or_else(Id::new_v7);
        citations.push((hazard_id, h.photo_ids.clone()));
        hazards.push(HazardRow {
            id: hazard_id,
            inspection_id,
            unit_id: unit.id,
            community_id: unit.community_id,
            unit_kind: unit.kind,
            campaign_id: req.campaign_id,
            leader_led: req.leader_led,
            category: h.category,
            level: h.level,
            source: h.source.unwrap_or(default_source),
            handling_type: h.handling_type,
            description: h.description,
            legal_basis: h.legal_basis,
            responsible_person: h.responsible_person,
            note: h.note,
            deadline: h.deadline,
            status,
            found_at: req.inspected_at,
            found_on,
            recorded_at: now,
            closed_at: (h.handling_type == HandlingType::OnTheSpot).then_some(req.inspected_at),
            version: 1,
            created_by: Some(caller.user_id),
        });
        events.push(HazardEventRow {
            id: Id::new_v7(),
            hazard_id,
            at: now,
            actor: actor.name.clone(),
            actor_user_id: actor.user_id,
            kind: "created".to_string(),
            from_state: None,
            to_state: status,
            reason: None,
            details: Some(json!({"inspection_id": inspection_id, "handling_type": h.handling_type}).to_string()),
            deadline: h.deadline,
        });
    }
    diesel::insert_into(inspections::table).values(&row).execute(conn)?;
    hazard_store::insert_batch(conn, &hazards, &events)?;
    links::cite(conn, &attachment_ids, RecordKind::Inspection, inspection_id, unit.community_id)?;
    for (hazard_id, photos) in &citations {
        links::cite(conn, photos, RecordKind::Hazard, *hazard_id, unit.community_id)?;
    }
    let mut inspection: Inspection = row.into();
    inspection.attachment_ids = attachment_ids;
    let mut hazards: Vec<Hazard> =
        hazards.into_iter().zip(citations).map(|(h, (_, photos))| Hazard::from_row(h, today, photos)).collect();
    // The order a replay reads them back in.
    hazards.sort_by_key(|h| h.id);
    Ok((Stored::Created, InspectionDetail { inspection, hazards }))
}

/// Every reference of a submission that names a missing record, as one 422; else the
/// inspected unit.
fn check_references(conn: &mut DbConn, req: &NewInspection, caller: &Caller) -> ApiResult<Unit> {
    let scope = &caller.scope;
    let mut p = Problems::new();
    let unit = unit_store::find(conn, req.unit_id)?.filter(|u| scope.allows(u.community_id));
    if unit.is_none() {
        p.push("unit_id", "not_found", "no unit has this id");
    }
    if let Some(cid) = req.campaign_id {
        let found = campaigns::table.find(cid).select(campaigns::id).first::<Id>(conn).optional()?;
        if found.is_none() {
            p.push("campaign_id", "not_found", "no campaign has this id");
        }
    }
    links::check_citable(conn, caller, &req.attachment_ids, "attachment_ids", &mut p)?;
    for (i, h) in req.hazards.iter().enumerate() {
        links::check_citable(conn, caller, &h.photo_ids, &format!("hazards[{i}].photo_ids"), &mut p)?;
    }
    let ids: Vec<Id> = req.hazards.iter().filter_map(|h| h.id).collect();
    let taken = hazard_store::existing_ids(conn, &ids)?;
    for (i, h) in req.hazards.iter().enumerate() {
        if h.id.is_some_and(|id| taken.contains(&id)) {
            p.push(format!("hazards[{i}].id"), "already_exists", "a hazard with this id already exists");
        }
    }
    p.into_result()?;
    unit.ok_or_else(|| ApiError::field("unit_id", "not_found", "no unit has this id"))
}

fn detail_of(conn: &mut DbConn, row: InspectionRow, today: NaiveDate) -> ApiResult<InspectionDetail> {
    let hazards = hazard_store::for_inspection(conn, row.id)?;
    let hazard_ids: Vec<Id> = hazards.iter().map(|h| h.id).collect();
    let photos = links::cited_by(conn, RecordKind::Hazard, &hazard_ids)?;
    let attachments = links::cited_by(conn, RecordKind::Inspection, &[row.id])?;
    let mut inspection: Inspection = row.into();
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

pub fn detail(conn: &mut DbConn, id: Id, today: NaiveDate, scope: &Scope) -> ApiResult<InspectionDetail> {
    let row = inspections::table
        .find(id)
        .select(InspectionRow::as_select())
        .first(conn)
        .optional()?
        .filter(|r: &InspectionRow| scope.allows(r.community_id))
        .ok_or_else(|| ApiError::not_found("inspection"))?;
    detail_of(conn, row, today)
}

pub fn list(conn: &mut DbConn, f: &InspectionFilter, scope: &Scope, page: &PageRequest) -> ApiResult<Vec<Inspection>> {
    let mut q = inspections::table.select(InspectionRow::as_select()).into_boxed();
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
    if let Some(after) = page.after {
        q = q.filter(
            inspections::inspected_at
                .lt(after.at)
                .or(inspections::inspected_at.eq(after.at).and(inspections::id.lt(after.id))),
        );
    }
    let rows: Vec<InspectionRow> =
        q.order((inspections::inspected_at.desc(), inspections::id.desc())).limit(page.fetch_limit()).load(conn)?;
    Ok(rows.into_iter().map(Into::into).collect())
}
