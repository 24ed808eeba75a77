//! Rectification queries: submission and verification, each one transaction with the
//! hazard's transition and its event.

use crate::feed::model::FeedKind;
use crate::feed::store::{self as feed, NewEvent};
use chrono_tz::Tz;
use diesel::prelude::*;
use serde_json::json;

use super::model::{NewRectification, Rectification, RectificationRow, Verification};
use crate::attachments::links::{self, RecordKind};
use crate::db::schema::rectifications;
use crate::db::DbConn;
use crate::domain::access::Scope;
use crate::domain::actor::Actor;
use crate::domain::lifecycle::Action;
use crate::domain::tally;
use crate::domain::validate::Problems;
use crate::domain::{Id, Moment};
use crate::domain::{RectificationStatus, Verdict};
use crate::error::{ApiError, ApiResult};
use crate::hazards::store::{self as hazard_store, Change};
use crate::http::idempotent::{self, Stored};
use crate::tallies::store as tally_store;

pub fn find(conn: &mut DbConn, id: Id) -> ApiResult<Option<RectificationRow>> {
    Ok(rectifications::table.find(id).select(RectificationRow::as_select()).first(conn).optional()?)
}

/// The rectification if the scope sees it; 404 as if it did not exist otherwise.
pub fn get_in(conn: &mut DbConn, id: Id, scope: &Scope) -> ApiResult<RectificationRow> {
    find(conn, id)?.filter(|r| scope.allows(r.community_id)).ok_or_else(|| ApiError::not_found("rectification"))
}

/// A hazard's rectifications, oldest first, with their evidence.
pub fn for_hazard(conn: &mut DbConn, hazard_id: Id) -> ApiResult<Vec<Rectification>> {
    let rows: Vec<RectificationRow> = rectifications::table
        .filter(rectifications::hazard_id.eq(hazard_id))
        .order((rectifications::submitted_at.asc(), rectifications::id.asc()))
        .select(RectificationRow::as_select())
        .load(conn)?;
    view_all(conn, rows)
}

fn view_all(conn: &mut DbConn, rows: Vec<RectificationRow>) -> ApiResult<Vec<Rectification>> {
    let ids: Vec<Id> = rows.iter().map(|r| r.id).collect();
    let cited = links::cited_by(conn, RecordKind::Rectification, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let evidence = links::of(&cited, r.id);
            Rectification::from_row(r, evidence)
        })
        .collect())
}

pub fn view(conn: &mut DbConn, row: RectificationRow) -> ApiResult<Rectification> {
    Ok(view_all(conn, vec![row])?.remove(0))
}

/// The rectification stored earlier under this client id, if it was the same request
/// (see [`idempotent::earlier`]).
pub fn replay(conn: &mut DbConn, id: Id, hash: &str, scope: &Scope) -> ApiResult<Option<Rectification>> {
    let Some(row) = find(conn, id)? else {
        return Ok(None);
    };
    let visible = scope.allows(row.community_id);
    if !idempotent::earlier(Some((&row.request_hash, visible)), hash, "rectification", id)? {
        return Ok(None);
    }
    Ok(Some(view(conn, row)?))
}

/// Who submits or verifies, and where they may.
pub struct By<'a> {
    pub scope: &'a Scope,
    pub actor: &'a Actor,
}

pub fn submit(
    conn: &mut DbConn,
    hazard_id: Id,
    req: NewRectification,
    hash: String,
    now: Moment,
    tz: Tz,
    by: By<'_>,
) -> ApiResult<(Stored, Rectification)> {
    if let Some(id) = req.id {
        if let Some(existing) = replay(conn, id, &hash, by.scope)? {
            return Ok((Stored::Replayed, existing));
        }
    }
    let submitted_by = by.actor.user()?;
    let hazard = hazard_store::get_in(conn, hazard_id, by.scope)?;
    let mut p = Problems::new();
    if req.completed_at < hazard.found_at {
        p.push("completed_at", "before_found", "completed_at must not be before the hazard was found");
    }
    let community_id = Some(hazard.community_id);
    links::check_citable(conn, by.scope, by.actor, &req.evidence_ids, "evidence_ids", community_id, &mut p)?;
    p.into_result()?;
    let id = req.id.unwrap_or_else(Id::new_v7);
    hazard_store::transition(
        conn,
        &hazard,
        Change {
            action: Action::SubmitRectification,
            at: now,
            actor: by.actor,
            reason: None,
            details: Some(json!({"rectification_id": id})),
            expected_version: None,
            deadline: None,
            tz,
        },
    )?;
    let row = RectificationRow {
        id,
        hazard_id,
        community_id: hazard.community_id,
        status: RectificationStatus::Pending,
        cost_cents: req.cost_cents(),
        measures: req.measures,
        responsible_person: req.responsible_person,
        completed_at: req.completed_at,
        submitted_at: now,
        submitted_by,
        verified_at: None,
        verified_by: None,
        verification_comment: None,
        request_hash: hash,
        version: 1,
    };
    diesel::insert_into(rectifications::table).values(&row).execute(conn)?;
    links::cite(conn, &req.evidence_ids, RecordKind::Rectification, id, hazard.community_id)?;
    let rect = view(conn, row)?;
    feed_event(conn, FeedKind::RectificationSubmitted, &rect, hazard.community_id, now, by.actor)?;
    Ok((Stored::Created, rect))
}

/// Passes or rejects a pending rectification and moves its hazard, once. Whoever
/// submitted it may not verify it unless `self_verification` allows that.
pub fn verify(
    conn: &mut DbConn,
    id: Id,
    req: Verification,
    now: Moment,
    tz: Tz,
    by: By<'_>,
    self_verification: bool,
) -> ApiResult<Id> {
    let verified_by = by.actor.user()?;
    let rect = get_in(conn, id, by.scope)?;
    if rect.submitted_by == verified_by && !self_verification {
        return Err(ApiError::Conflict(
            "you submitted this rectification, so someone else must verify it (separation of duties)".into(),
        ));
    }
    let hazard = hazard_store::get(conn, rect.hazard_id)?;
    let (action, status) = match req.outcome {
        Verdict::Pass => (Action::VerifyPass, RectificationStatus::Passed),
        Verdict::Reject => (Action::VerifyReject, RectificationStatus::Rejected),
    };
    let comment = req.comment.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    let updated = diesel::update(
        rectifications::table
            .filter(rectifications::id.eq(id))
            .filter(rectifications::status.eq(RectificationStatus::Pending)),
    )
    .set((
        rectifications::status.eq(status),
        rectifications::verified_at.eq(Some(now)),
        rectifications::verified_by.eq(Some(verified_by)),
        rectifications::verification_comment.eq(&comment),
        rectifications::version.eq(rect.version + 1),
    ))
    .execute(conn)?;
    if updated != 1 {
        // Already verified: refuse against the hazard's state now.
        let current = hazard_store::get(conn, rect.hazard_id)?;
        crate::domain::lifecycle::apply(current.status, action)?;
        return Err(ApiError::Conflict(format!("rectification {id} is already {}", rect.status)));
    }
    hazard_store::transition(
        conn,
        &hazard,
        Change {
            action,
            at: now,
            actor: by.actor,
            reason: comment,
            details: Some(json!({"rectification_id": id})),
            expected_version: None,
            deadline: None,
            tz,
        },
    )?;
    if let Some(row) = find(conn, id)? {
        let verified = view(conn, row)?;
        feed_event(conn, FeedKind::RectificationVerified, &verified, rect.community_id, now, by.actor)?;
    }
    if let (Verdict::Pass, Some(cents)) = (req.outcome, rect.cost_cents.filter(|c| *c != 0)) {
        let cost = tally::cost(cents, now, tz);
        tally_store::record(conn, &tally_store::change_rows(hazard.dims(), &[cost], tz))?;
    }
    Ok(rect.hazard_id)
}

/// The rectification right after a change, in the feed.
fn feed_event(
    conn: &mut DbConn,
    kind: FeedKind,
    rect: &Rectification,
    community_id: Id,
    at: Moment,
    actor: &crate::domain::actor::Actor,
) -> ApiResult<()> {
    let data = serde_json::to_value(rect).unwrap_or_default();
    let event = NewEvent { at, kind, resource_id: rect.id, community_id: Some(community_id), actor: Some(actor), data };
    feed::append_one(conn, event)
}
