//! Plans and supervisions: their rows, and each step written with the hazard's event.

use chrono_tz::Tz;
use diesel::prelude::*;
use serde_json::json;

use super::model::{NewSupervision, PlanRequest, PlanRow, SupervisionPatch, SupervisionRow, SupervisionStep};
use crate::db::schema::{hazard_plans, hazard_supervisions};
use crate::db::DbConn;
use crate::domain::actor::Actor;
use crate::domain::supervision::{self, governable, SupervisionAction, LISTED_EVENT};
use crate::domain::supervision::{PLAN_RECORDED_EVENT, PLAN_REPLACED_EVENT};
use crate::domain::{Id, Moment, PlanState, SupervisionState};
use crate::error::{ApiError, ApiResult};
use crate::hazards::model::HazardRow;
use crate::hazards::store::{self as hazards, Governance};

pub fn plan_of(conn: &mut DbConn, hazard_id: Id) -> ApiResult<Option<PlanRow>> {
    Ok(hazard_plans::table.find(hazard_id).select(PlanRow::as_select()).first(conn).optional()?)
}

pub fn supervision_of(conn: &mut DbConn, hazard_id: Id) -> ApiResult<Option<SupervisionRow>> {
    Ok(hazard_supervisions::table.find(hazard_id).select(SupervisionRow::as_select()).first(conn).optional()?)
}

/// Who acts, when, in which zone (the counters date the step in it).
pub struct By<'a> {
    pub actor: &'a Actor,
    pub at: Moment,
    pub tz: Tz,
}

fn step<'a>(
    by: &By<'a>,
    hazard: &HazardRow,
    kind: &'static str,
    reason: Option<String>,
    details: serde_json::Value,
) -> Governance<'a> {
    Governance {
        kind,
        at: by.at,
        actor: by.actor,
        reason: reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()),
        details: Some(details),
        plan_state: hazard.plan_state,
        supervision_level: hazard.supervision_level,
        supervision_state: hazard.supervision_state,
        tz: by.tz,
    }
}

/// Records the hazard's plan, or replaces it (with the version of the plan it replaces).
pub fn put_plan(conn: &mut DbConn, hazard: &HazardRow, req: PlanRequest, by: By<'_>) -> ApiResult<()> {
    governable(hazard.level, hazard.status)?;
    let existing = plan_of(conn, hazard.id)?;
    let user = by.actor.user_id;
    let (row, kind) = match (&existing, req.version) {
        (None, None) => (req.row(hazard.id, 1, by.at, by.at, user), PLAN_RECORDED_EVENT),
        (None, Some(v)) => return Err(ApiError::StaleVersion(v)),
        (Some(_), None) => {
            return Err(ApiError::Conflict("the hazard has a plan: send its version to replace it".into()))
        }
        (Some(old), Some(v)) if v != old.version => return Err(ApiError::StaleVersion(v)),
        (Some(old), Some(v)) => (req.row(hazard.id, v + 1, old.created_at, by.at, user), PLAN_REPLACED_EVENT),
    };
    match &existing {
        None => {
            diesel::insert_into(hazard_plans::table).values(&row).execute(conn)?;
        }
        Some(old) => {
            let updated = diesel::update(
                hazard_plans::table
                    .filter(hazard_plans::hazard_id.eq(hazard.id))
                    .filter(hazard_plans::version.eq(old.version)),
            )
            .set((
                hazard_plans::measures.eq(&row.measures),
                hazard_plans::funds_cents.eq(row.funds_cents),
                hazard_plans::deadline.eq(row.deadline),
                hazard_plans::responsible_person.eq(&row.responsible_person),
                hazard_plans::emergency_plan.eq(&row.emergency_plan),
                hazard_plans::complete.eq(row.complete),
                hazard_plans::version.eq(row.version),
                hazard_plans::updated_at.eq(row.updated_at),
                hazard_plans::updated_by.eq(row.updated_by),
            ))
            .execute(conn)?;
            if updated != 1 {
                return Err(ApiError::StaleVersion(old.version));
            }
        }
    }
    let state = if row.complete { PlanState::Complete } else { PlanState::Incomplete };
    let details = json!({"plan_state": state, "version": row.version, "funds": req.funds, "deadline": row.deadline});
    let mut s = step(&by, hazard, kind, req.reason, details);
    s.plan_state = Some(state);
    hazards::govern(conn, hazard, s)?;
    Ok(())
}

/// Lists the hazard for formal supervision: one per hazard.
pub fn list(conn: &mut DbConn, hazard: &HazardRow, req: NewSupervision, by: By<'_>) -> ApiResult<()> {
    governable(hazard.level, hazard.status)?;
    if supervision_of(conn, hazard.id)?.is_some() {
        return Err(ApiError::Conflict("the hazard is already under a formal supervision; correct it instead".into()));
    }
    let row = SupervisionRow {
        hazard_id: hazard.id,
        level: req.level,
        authority: req.authority.trim().to_string(),
        listed_on: req.listed_on,
        state: SupervisionState::Listed,
        version: 1,
        created_at: by.at,
        created_by: by.actor.user_id,
        lift_requested_at: None,
        lifted_at: None,
    };
    diesel::insert_into(hazard_supervisions::table).values(&row).execute(conn)?;
    let details = json!({"level": row.level, "authority": row.authority, "listed_on": row.listed_on});
    let mut s = step(&by, hazard, LISTED_EVENT, req.reason, details);
    s.supervision_level = Some(row.level);
    s.supervision_state = Some(SupervisionState::Listed);
    hazards::govern(conn, hazard, s)?;
    Ok(())
}

fn current(conn: &mut DbConn, hazard: &HazardRow, version: Option<i32>) -> ApiResult<SupervisionRow> {
    let row = supervision_of(conn, hazard.id)?.ok_or_else(|| ApiError::not_found("supervision"))?;
    match version {
        Some(v) if v != row.version => Err(ApiError::StaleVersion(v)),
        _ => Ok(row),
    }
}

/// Updates the supervision row read as `old` (by its version), or refuses a stale one.
fn updated(n: usize, old: &SupervisionRow) -> ApiResult<()> {
    if n == 1 {
        Ok(())
    } else {
        Err(ApiError::StaleVersion(old.version))
    }
}

/// Corrects the supervision's level, authority or date.
pub fn correct(conn: &mut DbConn, hazard: &HazardRow, req: SupervisionPatch, by: By<'_>) -> ApiResult<()> {
    let old = current(conn, hazard, Some(req.version))?;
    supervision::apply(old.state, SupervisionAction::Correct, hazard.status)?;
    let level = req.level.unwrap_or(old.level);
    let authority = req.authority.as_deref().map(str::trim).map(String::from).unwrap_or_else(|| old.authority.clone());
    let listed_on = req.listed_on.unwrap_or(old.listed_on);
    let n = diesel::update(
        hazard_supervisions::table
            .filter(hazard_supervisions::hazard_id.eq(hazard.id))
            .filter(hazard_supervisions::version.eq(old.version)),
    )
    .set((
        hazard_supervisions::level.eq(level),
        hazard_supervisions::authority.eq(&authority),
        hazard_supervisions::listed_on.eq(listed_on),
        hazard_supervisions::version.eq(old.version + 1),
    ))
    .execute(conn)?;
    updated(n, &old)?;
    let details = json!({
        "from": {"level": old.level, "authority": old.authority, "listed_on": old.listed_on},
        "to": {"level": level, "authority": authority, "listed_on": listed_on},
    });
    let mut s = step(&by, hazard, SupervisionAction::Correct.event_kind(), Some(req.reason), details);
    s.supervision_level = Some(level);
    hazards::govern(conn, hazard, s)?;
    Ok(())
}

/// Requests the supervision's lifting (once the hazard is closed), or lifts it.
pub fn advance(
    conn: &mut DbConn,
    hazard: &HazardRow,
    action: SupervisionAction,
    req: SupervisionStep,
    by: By<'_>,
) -> ApiResult<()> {
    let old = current(conn, hazard, req.version)?;
    let to = supervision::apply(old.state, action, hazard.status)?;
    let target = hazard_supervisions::table
        .filter(hazard_supervisions::hazard_id.eq(hazard.id))
        .filter(hazard_supervisions::version.eq(old.version));
    let bumped = (hazard_supervisions::state.eq(to), hazard_supervisions::version.eq(old.version + 1));
    let n = match action {
        SupervisionAction::Lift => {
            diesel::update(target).set((bumped, hazard_supervisions::lifted_at.eq(Some(by.at)))).execute(conn)?
        }
        _ => diesel::update(target)
            .set((bumped, hazard_supervisions::lift_requested_at.eq(Some(by.at))))
            .execute(conn)?,
    };
    updated(n, &old)?;
    let details = json!({"from": old.state, "to": to});
    let mut s = step(&by, hazard, action.event_kind(), Some(req.reason), details);
    s.supervision_state = Some(to);
    hazards::govern(conn, hazard, s)?;
    Ok(())
}
