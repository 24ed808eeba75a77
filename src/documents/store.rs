//! Issued documents: their numbers (a counter row per kind and year, taken in the
//! issuing transaction), the snapshots they keep, and reading them back.

use chrono::Datelike;
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use serde_json::json;

use super::model::{
    number, DocumentRow, Kind, Notice, NoticeSnapshot, PaperHazard, PaperUnit, RecheckOpinion, RecheckSnapshot,
};
use crate::communities::store as community_store;
use crate::config::Office;
use crate::db::schema::documents;
use crate::db::sql::{Bind, Sql};
use crate::db::DbConn;
use crate::domain::access::Scope;
use crate::domain::actor::Actor;
use crate::domain::time::local_date;
use crate::domain::{HandlingType, HazardStatus, Id, Moment, RectificationStatus, Verdict};
use crate::error::{ApiError, ApiResult};
use crate::hazards::model::HazardRow;
use crate::hazards::store as hazard_store;
use crate::http::idempotent::Stored;
use crate::inspections::store as inspection_store;
use crate::rectifications::store as rectification_store;
use crate::units::store as unit_store;
use crate::users::store as user_store;

/// The event each deadline hazard gets when its notice is issued.
pub const NOTICE_ISSUED: &str = "notice_issued";

/// Who issues a document, where they may, and how the office numbers it.
pub struct By<'a> {
    pub scope: &'a Scope,
    pub actor: &'a Actor,
    pub office: &'a Office,
    pub tz: Tz,
}

fn find(conn: &mut DbConn, kind: Kind, subject_id: Id) -> ApiResult<Option<DocumentRow>> {
    Ok(documents::table
        .filter(documents::kind.eq(kind.as_str()))
        .filter(documents::subject_id.eq(subject_id))
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()?)
}

#[derive(QueryableByName)]
struct Next {
    #[diesel(sql_type = Integer)]
    next: i32,
}

/// Takes the next number of `kind` in `year`, in the caller's transaction: the counter
/// row is updated in place, so a concurrent issuer waits for this transaction (the row's
/// lock on PostgreSQL, the single writer on SQLite), and a transaction rolled back gives
/// its number back. No gap, no duplicate.
fn take_sequence(conn: &mut DbConn, kind: Kind, year: i32) -> ApiResult<i32> {
    let engine = conn.engine();
    let mut first = Sql::new(engine);
    first.push("INSERT INTO document_sequences (kind, year, next) VALUES (");
    first.bind(Bind::Text(kind.as_str().to_string())).push(", ").bind(Bind::Int(year));
    first.push(", 1) ON CONFLICT (kind, year) DO NOTHING");
    first.build().execute(conn)?;
    let mut take = Sql::new(engine);
    take.push("UPDATE document_sequences SET next = next + 1 WHERE kind = ");
    take.bind(Bind::Text(kind.as_str().to_string())).push(" AND year = ").bind(Bind::Int(year));
    take.push(" RETURNING next");
    let taken: Vec<Next> = take.build().load(conn)?;
    taken
        .first()
        .map(|n| n.next - 1)
        .ok_or_else(|| ApiError::Internal(format!("no {} sequence for {year}", kind.as_str())))
}

/// Numbers and stores a document issued now.
fn issue(
    conn: &mut DbConn,
    kind: Kind,
    subject_id: Id,
    community_id: Id,
    snapshot: &impl serde::Serialize,
    now: Moment,
    by: &By<'_>,
) -> ApiResult<DocumentRow> {
    let year = local_date(now, by.tz).year();
    let sequence = take_sequence(conn, kind, year)?;
    let prefix = match kind {
        Kind::Notice => &by.office.doc_prefix,
        Kind::RecheckOpinion => &by.office.recheck_prefix,
    };
    let row = DocumentRow {
        id: Id::new_v7(),
        kind: kind.as_str().to_string(),
        subject_id,
        community_id,
        year,
        sequence,
        number: number(prefix, year, sequence),
        issued_at: now,
        issued_by: by.actor.user_id,
        issued_by_name: by.actor.name.clone(),
        snapshot: serde_json::to_string(snapshot)
            .map_err(|e| ApiError::internal("cannot write a document's snapshot", e))?,
    };
    diesel::insert_into(documents::table).values(&row).execute(conn)?;
    Ok(row)
}

fn paper_unit(conn: &mut DbConn, unit_id: Id) -> ApiResult<PaperUnit> {
    let unit = unit_store::get(conn, unit_id)?;
    let community = community_store::get(conn, unit.community_id)?;
    Ok(PaperUnit {
        id: unit.id,
        name: unit.name,
        kind: unit.kind,
        address: unit.address,
        credit_code: unit.credit_code,
        contact_name: unit.contact_name,
        contact_phone: unit.contact_phone,
        community_id: community.id,
        community_name: community.name,
    })
}

fn paper_hazard(h: &HazardRow) -> PaperHazard {
    PaperHazard {
        id: h.id,
        category: h.category,
        level: h.level,
        description: h.description.clone(),
        legal_basis: h.legal_basis.clone(),
        deadline: h.deadline,
        responsible_person: h.responsible_person.clone(),
        note: h.note.clone(),
        status: h.status,
    }
}

/// The notice of an inspection the scope sees; 404 if none was issued.
pub fn notice(conn: &mut DbConn, inspection_id: Id, scope: &Scope) -> ApiResult<Notice> {
    inspection_store::get_in(conn, inspection_id, scope)?;
    let row = find(conn, Kind::Notice, inspection_id)?.ok_or_else(|| ApiError::not_found(Kind::Notice.name()))?;
    Notice::from_row(row)
}

/// Issues the inspection's 整改通知书 once: numbered, with a snapshot of the unit, the
/// visit and its hazards, and a `notice_issued` event on each deadline hazard. An
/// inspection with no deadline hazard (voided ones aside) has nothing to notify: 422.
/// Issued before: that notice, unchanged.
pub fn issue_notice(conn: &mut DbConn, inspection_id: Id, now: Moment, by: By<'_>) -> ApiResult<(Stored, Notice)> {
    let inspection = inspection_store::get_in(conn, inspection_id, by.scope)?;
    if let Some(row) = find(conn, Kind::Notice, inspection_id)? {
        return Ok((Stored::Replayed, Notice::from_row(row)?));
    }
    let hazards: Vec<HazardRow> = hazard_store::for_inspection(conn, inspection_id)?
        .into_iter()
        .filter(|h| h.status != HazardStatus::Voided)
        .collect();
    let (deadline, spot): (Vec<HazardRow>, Vec<HazardRow>) =
        hazards.into_iter().partition(|h| h.handling_type == HandlingType::Deadline);
    if deadline.is_empty() {
        return Err(ApiError::field(
            "hazards",
            "no_deadline_hazard",
            "the inspection found no hazard with a deadline to rectify, so there is nothing to notify",
        ));
    }
    let inspectors: Vec<String> = serde_json::from_str(&inspection.inspectors)
        .map_err(|e| ApiError::internal(&format!("corrupt inspectors stored for inspection {inspection_id}"), e))?;
    let snapshot = NoticeSnapshot {
        office_name: by.office.name.clone(),
        office_phone: by.office.phone.clone(),
        unit: paper_unit(conn, inspection.unit_id)?,
        inspected_at: inspection.inspected_at,
        inspected_on: inspection.inspected_on,
        inspectors,
        leader_led: inspection.leader_led,
        deadline_hazards: deadline.iter().map(paper_hazard).collect(),
        on_the_spot_hazards: spot.iter().map(paper_hazard).collect(),
    };
    let row = issue(conn, Kind::Notice, inspection_id, inspection.community_id, &snapshot, now, &by)?;
    let details = json!({"number": row.number, "notice_id": row.id});
    hazard_store::note(conn, &deadline, NOTICE_ISSUED, now, by.actor, &details)?;
    Ok((Stored::Created, Notice::from_row(row)?))
}

/// The recheck opinion of a rectification the scope sees; 404 if none was issued.
pub fn recheck_opinion(conn: &mut DbConn, rectification_id: Id, scope: &Scope) -> ApiResult<RecheckOpinion> {
    rectification_store::get_in(conn, rectification_id, scope)?;
    let row = find(conn, Kind::RecheckOpinion, rectification_id)?
        .ok_or_else(|| ApiError::not_found(Kind::RecheckOpinion.name()))?;
    RecheckOpinion::from_row(row)
}

/// Issues a verified rectification's 整改复查意见书 once, with a snapshot of the hazard,
/// the measures, the outcome and comment, the verifier and the date. A rectification not
/// verified yet has no opinion to give: 409. Issued before: that opinion, unchanged.
pub fn issue_recheck(
    conn: &mut DbConn,
    rectification_id: Id,
    now: Moment,
    by: By<'_>,
) -> ApiResult<(Stored, RecheckOpinion)> {
    let rect = rectification_store::get_in(conn, rectification_id, by.scope)?;
    if let Some(row) = find(conn, Kind::RecheckOpinion, rectification_id)? {
        return Ok((Stored::Replayed, RecheckOpinion::from_row(row)?));
    }
    let outcome = match rect.status {
        RectificationStatus::Passed => Verdict::Pass,
        RectificationStatus::Rejected => Verdict::Reject,
        RectificationStatus::Pending => {
            return Err(ApiError::Conflict(
                "the rectification is not verified yet: a recheck opinion follows its verification".into(),
            ))
        }
    };
    let (Some(verified_at), verified_by) = (rect.verified_at, rect.verified_by) else {
        return Err(ApiError::Internal(format!("rectification {rectification_id} is verified without a moment")));
    };
    let verified_by_name = match verified_by {
        Some(id) => user_store::find(conn, id)?.map(|u| u.display_name.unwrap_or(u.username)).unwrap_or_default(),
        None => String::new(),
    };
    let hazard = hazard_store::get(conn, rect.hazard_id)?;
    let notice_number = find(conn, Kind::Notice, hazard.inspection_id)?.map(|d| d.number);
    let snapshot = RecheckSnapshot {
        office_name: by.office.name.clone(),
        office_phone: by.office.phone.clone(),
        unit: paper_unit(conn, hazard.unit_id)?,
        hazard: paper_hazard(&hazard),
        found_at: hazard.found_at,
        notice_number,
        measures: rect.measures.clone(),
        responsible_person: rect.responsible_person.clone(),
        cost: rect.cost_cents.map(|c| c as f64 / 100.0),
        completed_at: rect.completed_at,
        outcome,
        comment: rect.verification_comment.clone(),
        verified_by,
        verified_by_name,
        verified_at,
        verified_on: local_date(verified_at, by.tz),
    };
    let row = issue(conn, Kind::RecheckOpinion, rectification_id, rect.community_id, &snapshot, now, &by)?;
    Ok((Stored::Created, RecheckOpinion::from_row(row)?))
}
