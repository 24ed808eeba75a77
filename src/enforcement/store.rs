//! Storing an enforcement action (outcomes and unit status changes in one transaction),
//! reading actions back within the caller's scope, and reinstating units.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;

use super::model::{
    illegal, next_status, ActionRow, EnforcementAction, EnforcementFilter, EnforcementOutcome, NewEnforcementAction,
    OutcomeRow, Reinstatement, UnitAction,
};
use crate::communities::store::escape_like;
use crate::db::schema::{communities, enforcement_actions as ea, enforcement_outcomes as eo, units};
use crate::db::DbConn;
use crate::domain::access::Caller;
use crate::domain::access::Scope;
use crate::domain::actor::Actor;
use crate::domain::validate::Problems;
use crate::domain::UnitStatus;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::http::idempotent::Stored;
use crate::http::page::{Cursor, PageRequest};
use crate::units::model::{Unit, UnitDetail};
use crate::units::store as unit_store;

pub fn find(conn: &mut DbConn, id: Id) -> ApiResult<Option<ActionRow>> {
    Ok(ea::table.find(id).select(ActionRow::as_select()).first(conn).optional()?)
}

/// Whether the scope sees an action: held in one of its communities, or with an outcome
/// for a unit that was in one of them.
fn visible(conn: &mut DbConn, row: &ActionRow, scope: &Scope) -> ApiResult<bool> {
    let Some(ids) = scope.restriction() else {
        return Ok(true);
    };
    if row.community_id.is_some_and(|c| ids.contains(&c)) {
        return Ok(true);
    }
    let hit = eo::table
        .filter(eo::action_id.eq(row.id))
        .filter(eo::community_id.eq_any(ids))
        .select(eo::id)
        .first::<Id>(conn)
        .optional()?;
    Ok(hit.is_some())
}

/// The action if the scope sees it; 404 as if it did not exist otherwise.
pub fn get_in(conn: &mut DbConn, id: Id, scope: &Scope) -> ApiResult<EnforcementAction> {
    let missing = || ApiError::not_found("enforcement action");
    let row = find(conn, id)?.ok_or_else(missing)?;
    if !visible(conn, &row, scope)? {
        return Err(missing());
    }
    Ok(with_outcomes(conn, vec![row], scope)?.remove(0))
}

/// The actions with their outcomes in scope, loaded in one query for all of them.
fn with_outcomes(conn: &mut DbConn, rows: Vec<ActionRow>, scope: &Scope) -> ApiResult<Vec<EnforcementAction>> {
    let ids: Vec<Id> = rows.iter().map(|r| r.id).collect();
    let mut q = eo::table.filter(eo::action_id.eq_any(&ids)).select(OutcomeRow::as_select()).into_boxed();
    if let Some(communities) = scope.restriction() {
        q = q.filter(eo::community_id.eq_any(communities));
    }
    let outcomes: Vec<OutcomeRow> = q.order((eo::action_id.asc(), eo::position.asc())).load(conn)?;
    let mut by_action: HashMap<Id, Vec<EnforcementOutcome>> = HashMap::new();
    for o in outcomes {
        by_action.entry(o.action_id).or_default().push(o.into());
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let outcomes = by_action.remove(&r.id).unwrap_or_default();
            EnforcementAction::from_row(r, outcomes)
        })
        .collect())
}

/// An earlier action under the same client id: the same request replays, another one
/// under that id is a conflict. Someone who cannot see the stored action is refused like
/// any other reuse of the id, without revealing it.
pub fn replay(conn: &mut DbConn, id: Id, hash: &str, scope: &Scope) -> ApiResult<Option<EnforcementAction>> {
    match find(conn, id)? {
        None => Ok(None),
        Some(row) if row.request_hash == hash && visible(conn, &row, scope)? => {
            Ok(Some(with_outcomes(conn, vec![row], scope)?.remove(0)))
        }
        Some(_) => {
            Err(ApiError::Conflict(format!("enforcement action {id} was already recorded with different content")))
        }
    }
}

/// Stores one action in the caller's transaction: the action, its outcomes, and the
/// status change (with its unit event) each suspension or closure makes.
pub fn submit(
    conn: &mut DbConn,
    req: NewEnforcementAction,
    hash: String,
    now: Moment,
    caller: &Caller,
) -> ApiResult<(Stored, EnforcementAction)> {
    if let Some(id) = req.id {
        if let Some(existing) = replay(conn, id, &hash, &caller.scope)? {
            return Ok((Stored::Replayed, existing));
        }
    }
    let units = check_references(conn, &req, caller)?;
    let id = req.id.unwrap_or_else(Id::new_v7);
    let summary = req.summary.trim().to_string();
    let row = ActionRow {
        id,
        held_on: req.held_on,
        lead_department: req.lead_department,
        departments: json!(req.all_departments()).to_string(),
        community_id: req.community_id,
        summary: summary.clone(),
        request_hash: hash,
        recorded_at: now,
        created_by: caller.user_id,
    };
    // The action first: an identical request racing this one waits on its id here and
    // then fails, before either touches a unit.
    diesel::insert_into(ea::table).values(&row).execute(conn)?;
    let outcomes: Vec<OutcomeRow> = req
        .outcomes
        .into_iter()
        .zip(&units)
        .enumerate()
        .map(|(i, (o, unit))| OutcomeRow {
            id: Id::new_v7(),
            action_id: id,
            position: i as i32,
            unit_id: unit.id,
            community_id: unit.community_id,
            unit_kind: unit.kind,
            // Checked to be within 0..=10000.
            violations_found: o.violations_found as i32,
            violation_description: o.violation_description,
            measure: o.measure,
            transferred_to: o.transferred_to,
        })
        .collect();
    crate::on_engine!(conn, |c| {
        diesel::insert_into(eo::table).values(&outcomes).execute(c)?;
    });
    let actor = caller.actor();
    let mut changes: Vec<(&Unit, UnitAction)> =
        outcomes.iter().zip(&units).filter_map(|(o, u)| UnitAction::of_measure(o.measure).map(|a| (u, a))).collect();
    // Units in id order, so two actions changing the same units lock them in the same order.
    changes.sort_by_key(|(u, _)| u.id);
    for (unit, action) in changes {
        apply_outcome(conn, unit, action, now, &actor, &summary, json!({"enforcement_action_id": id}))?;
    }
    let outcomes = outcomes.into_iter().map(Into::into).collect();
    Ok((Stored::Created, EnforcementAction::from_row(row, outcomes)))
}

/// The outcomes' units in order, or every reference that names a missing record, an
/// out-of-scope one, or a closed unit a suspension or closure cannot change, as one 422.
fn check_references(conn: &mut DbConn, req: &NewEnforcementAction, caller: &Caller) -> ApiResult<Vec<Unit>> {
    let mut p = Problems::new();
    if let Some(cid) = req.community_id {
        let found = communities::table.find(cid).select(communities::id).first::<Id>(conn).optional()?;
        if found.is_none() || !caller.sees(cid) {
            p.push("community_id", "not_found", "no community has this id");
        }
    }
    let ids: Vec<Id> = req.outcomes.iter().map(|o| o.unit_id).collect();
    let found: HashMap<Id, Unit> = units::table
        .filter(units::id.eq_any(&ids))
        .select(Unit::as_select())
        .load::<Unit>(conn)?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut units = Vec::with_capacity(ids.len());
    for (i, o) in req.outcomes.iter().enumerate() {
        let Some(unit) = found.get(&o.unit_id).filter(|u| caller.sees(u.community_id)) else {
            p.push(format!("outcomes[{i}].unit_id"), "not_found", "no unit has this id");
            continue;
        };
        let refused = UnitAction::of_measure(o.measure).is_some_and(|a| next_status(unit.status, a).is_none());
        if refused {
            let msg = format!("the unit is {}: a closed unit stays closed", unit.status);
            p.push(format!("outcomes[{i}].measure"), "unit_closed", msg);
        }
        units.push(unit.clone());
    }
    p.into_result()?;
    Ok(units)
}

/// Moves a unit from `from` to the status `action` leads to, if it is still in `from`:
/// checked by rows affected, so a concurrent change is never overwritten. Writes the unit
/// event and bumps the version. False when the unit is no longer in `from`.
#[allow(clippy::too_many_arguments)]
fn try_change(
    conn: &mut DbConn,
    unit_id: Id,
    from: UnitStatus,
    action: UnitAction,
    now: Moment,
    actor: &Actor,
    reason: &str,
    details: Option<serde_json::Value>,
) -> ApiResult<bool> {
    let to = next_status(from, action).ok_or_else(|| illegal(from, action))?;
    let updated = diesel::update(units::table.filter(units::id.eq(unit_id)).filter(units::status.eq(from)))
        .set((units::status.eq(to), units::version.eq(units::version + 1), units::updated_at.eq(now)))
        .execute(conn)?;
    if updated != 1 {
        return Ok(false);
    }
    let reason = Some(reason.to_string());
    unit_store::record_event(conn, unit_id, now, actor, action.event_kind(), Some(from), Some(to), reason, details)?;
    Ok(true)
}

/// The status change of one outcome. Another action may have changed the unit since it
/// was read (PostgreSQL then waits for it and finds the new status): this one applies on
/// top, as if the two had run one after the other.
fn apply_outcome(
    conn: &mut DbConn,
    unit: &Unit,
    action: UnitAction,
    now: Moment,
    actor: &Actor,
    reason: &str,
    details: serde_json::Value,
) -> ApiResult<()> {
    let mut from = unit.status;
    for _ in 0..2 {
        if try_change(conn, unit.id, from, action, now, actor, reason, Some(details.clone()))? {
            return Ok(());
        }
        from = unit_store::get(conn, unit.id)?.status;
    }
    Err(ApiError::Conflict(format!("unit {} was changed concurrently; retry", unit.id)))
}

/// Lifts a unit's suspension.
pub fn reinstate(conn: &mut DbConn, id: Id, req: Reinstatement, now: Moment, caller: &Caller) -> ApiResult<UnitDetail> {
    let unit = unit_store::get_in(conn, id, &caller.scope)?;
    if let Some(v) = req.version.filter(|v| *v != unit.version) {
        return Err(ApiError::StaleVersion(v));
    }
    let reason = req.reason.trim();
    let action = UnitAction::Reinstate;
    if !try_change(conn, id, unit.status, action, now, &caller.actor(), reason, None)? {
        // Changed since it was read: refuse against the status it is in now.
        let current = unit_store::get(conn, id)?;
        return Err(if next_status(current.status, action).is_none() {
            illegal(current.status, action)
        } else {
            ApiError::Conflict(format!("unit {id} was changed concurrently; reload it"))
        });
    }
    unit_store::detail(conn, id, &caller.scope)
}

/// The start of a day, as the moment a list cursor carries for `held_on`.
pub fn day_cursor(action: &EnforcementAction) -> Cursor {
    Cursor { at: Moment(action.held_on.and_time(chrono::NaiveTime::MIN).and_utc()), id: action.id }
}

/// One page of actions in scope, newest `held_on` first, with their outcomes.
pub fn list(
    conn: &mut DbConn,
    f: &EnforcementFilter,
    scope: &Scope,
    page: &PageRequest,
) -> ApiResult<Vec<EnforcementAction>> {
    let restriction = scope.restriction();
    let mut q = ea::table.select(ActionRow::as_select()).into_boxed();
    if let Some(ids) = restriction {
        let via_outcomes = eo::table.filter(eo::community_id.eq_any(ids)).select(eo::action_id);
        q = q.filter(ea::community_id.eq_any(ids).or(ea::id.eq_any(via_outcomes)));
    }
    if let Some(c) = f.community_id {
        // An outcome out of scope is not shown, so it does not match either.
        if restriction.is_none_or(|ids| ids.contains(&c)) {
            let via_outcomes = eo::table.filter(eo::community_id.eq(c)).select(eo::action_id);
            q = q.filter(ea::community_id.eq(c).or(ea::id.eq_any(via_outcomes)));
        } else {
            q = q.filter(ea::community_id.eq(c));
        }
    }
    if let Some(d) = f.department {
        // `departments` always holds the lead; match the quoted name inside the JSON array.
        let pattern = format!("%\"{}\"%", escape_like(d.as_str()));
        q = q.filter(ea::departments.like(pattern).escape('\\'));
    }
    if let Some(m) = f.measure {
        q = match restriction {
            Some(ids) => q.filter(ea::id.eq_any(
                eo::table.filter(eo::measure.eq(m)).filter(eo::community_id.eq_any(ids)).select(eo::action_id),
            )),
            None => q.filter(ea::id.eq_any(eo::table.filter(eo::measure.eq(m)).select(eo::action_id))),
        };
    }
    if let Some(v) = f.from {
        q = q.filter(ea::held_on.ge(v));
    }
    if let Some(v) = f.to {
        q = q.filter(ea::held_on.le(v));
    }
    if let Some(after) = page.after {
        let day: NaiveDate = after.at.date_naive();
        q = q.filter(ea::held_on.lt(day).or(ea::held_on.eq(day).and(ea::id.lt(after.id))));
    }
    let rows: Vec<ActionRow> = q.order((ea::held_on.desc(), ea::id.desc())).limit(page.fetch_limit()).load(conn)?;
    with_outcomes(conn, rows, scope)
}
