//! Storing an enforcement action (outcomes and unit status changes in one transaction),
//! reading actions back within the caller's scope, and reinstating units.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;

use super::model::{
    ActionRow, EnforcementAction, EnforcementFilter, EnforcementOutcome, NewEnforcementAction, OutcomeRow,
};
use crate::db::schema::{communities, enforcement_actions as ea, enforcement_outcomes as eo, units};
use crate::db::{escape_like, DbConn};
use crate::domain::access::Scope;
use crate::domain::actor::Actor;
use crate::domain::unit_lifecycle::{self, UnitAction};
use crate::domain::validate::Problems;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::http::idempotent::{self, Stored};
use crate::http::page::{Cursor, PageRequest};
use crate::units::model::Unit;
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
    rows.into_iter()
        .map(|r| {
            let outcomes = by_action.remove(&r.id).unwrap_or_default();
            EnforcementAction::from_row(r, outcomes)
        })
        .collect()
}

/// The action stored earlier under this client id, if it was the same request (see
/// [`idempotent::earlier`]).
pub fn replay(conn: &mut DbConn, id: Id, hash: &str, scope: &Scope) -> ApiResult<Option<EnforcementAction>> {
    let Some(row) = find(conn, id)? else {
        return Ok(None);
    };
    let visible = visible(conn, &row, scope)?;
    if !idempotent::earlier(Some((&row.request_hash, visible)), hash, "enforcement action", id)? {
        return Ok(None);
    }
    Ok(Some(with_outcomes(conn, vec![row], scope)?.remove(0)))
}

/// Who records an action, and where they may.
pub struct By<'a> {
    pub scope: &'a Scope,
    pub actor: &'a Actor,
}

/// Stores one action in the caller's transaction: the action, its outcomes, and the
/// status change (with its unit event) each suspension or closure makes.
pub fn submit(
    conn: &mut DbConn,
    req: NewEnforcementAction,
    hash: String,
    now: Moment,
    by: By<'_>,
) -> ApiResult<(Stored, EnforcementAction)> {
    if let Some(id) = req.id {
        if let Some(existing) = replay(conn, id, &hash, by.scope)? {
            return Ok((Stored::Replayed, existing));
        }
    }
    let created_by = by.actor.user()?;
    let units = check_references(conn, &req, by.scope)?;
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
        created_by,
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
    let mut changes: Vec<(&Unit, UnitAction)> =
        outcomes.iter().zip(&units).filter_map(|(o, u)| UnitAction::of_measure(o.measure).map(|a| (u, a))).collect();
    // Units in id order, so two actions changing the same units lock them in the same order.
    changes.sort_by_key(|(u, _)| u.id);
    for (unit, action) in changes {
        let details = Some(json!({"enforcement_action_id": id}));
        unit_store::apply(
            conn,
            unit,
            unit_store::Change { action, at: now, actor: by.actor, reason: &summary, details },
        )?;
    }
    let outcomes = outcomes.into_iter().map(Into::into).collect();
    let community_id = row.community_id;
    let action = EnforcementAction::from_row(row, outcomes)?;
    let data = serde_json::to_value(&action).unwrap_or_default();
    let kind = crate::feed::model::FeedKind::EnforcementActionCreated;
    let event =
        crate::feed::store::NewEvent { at: now, kind, resource_id: id, community_id, actor: Some(by.actor), data };
    crate::feed::store::append_one(conn, event)?;
    Ok((Stored::Created, action))
}

/// The outcomes' units in order, or every reference that names a missing record, an
/// out-of-scope one, or a closed unit a suspension or closure cannot change, as one 422.
fn check_references(conn: &mut DbConn, req: &NewEnforcementAction, scope: &Scope) -> ApiResult<Vec<Unit>> {
    let mut p = Problems::new();
    if let Some(cid) = req.community_id {
        let found = communities::table.find(cid).select(communities::id).first::<Id>(conn).optional()?;
        if found.is_none() || !scope.allows(cid) {
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
        let Some(unit) = found.get(&o.unit_id).filter(|u| scope.allows(u.community_id)) else {
            p.push(format!("outcomes[{i}].unit_id"), "not_found", "no unit has this id");
            continue;
        };
        let refused = UnitAction::of_measure(o.measure).is_some_and(|a| unit_lifecycle::next(unit.status, a).is_none());
        if refused {
            let msg = format!("the unit is {}: a closed unit stays closed", unit.status);
            p.push(format!("outcomes[{i}].measure"), "unit_closed", msg);
        }
        units.push(unit.clone());
    }
    p.into_result()?;
    Ok(units)
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
