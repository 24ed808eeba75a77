//! Hazard queries and the hazard event log.

use crate::feed::model::FeedKind;
use crate::feed::store::{self as feed, NewEvent};
use chrono::NaiveDate;
use diesel::prelude::*;

use chrono_tz::Tz;
use serde_json::json;

use super::model::{HazardEventRow, HazardRow, NewHazard, Origin};
use crate::attachments::links::{self, RecordKind};
use crate::db::schema::{hazard_events, hazards};
use crate::db::DbConn;
use crate::domain::access::Scope;
use crate::domain::actor::Actor;
use crate::domain::hazard::initial_status;
use crate::domain::lifecycle::{self, Action};
use crate::domain::supervision::blocks_void;
use crate::domain::tally::{self, Facts};
use crate::domain::validate::Problems;
use crate::domain::Id;
use crate::domain::Moment;
use crate::domain::{FoundBy, HazardCategory, PlanState, SupervisionLevel, SupervisionState};
use crate::domain::{HazardSource, HazardStatus};
use crate::error::{ApiError, ApiResult};
use crate::search;
use crate::tallies::model::{ChangeRow, Counted, Presence};
use crate::tallies::store as tally_store;

/// Every reference of new hazards that the database must check, into `p`: photos the
/// recorder may cite from a record of `community_id` (when known), and client ids not yet
/// taken. `path` is where the list sits in the request (`hazards`).
pub fn check_new(
    conn: &mut DbConn,
    new: &[NewHazard],
    path: &str,
    (scope, recorder): (&Scope, &Actor),
    community_id: Option<Id>,
    p: &mut Problems,
) -> ApiResult<()> {
    for (i, h) in new.iter().enumerate() {
        let field = format!("{path}[{i}].photo_ids");
        links::check_citable(conn, scope, recorder, &h.photo_ids, &field, community_id, p)?;
    }
    let ids: Vec<Id> = new.iter().filter_map(|h| h.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let taken: Vec<Id> = hazards::table.filter(hazards::id.eq_any(&ids)).select(hazards::id).load(conn)?;
    for (i, h) in new.iter().enumerate() {
        if h.id.is_some_and(|id| taken.contains(&id)) {
            p.push(format!("{path}[{i}].id"), "already_exists", "a hazard with this id already exists");
        }
    }
    Ok(())
}

/// Makes the hazards one inspection found, in the caller's transaction: each row with its
/// snapshots and defaults (the source is `campaign` within a campaign, else `routine`),
/// its first state (an on-the-spot hazard is created closed, at the moment found), its
/// `created` event, its photos cited, and what it adds to the report counters. Rows and
/// events go in one statement each; `visit` (the inspection, as the counters of distinct
/// units count it) is counted with the hazards, in the same statements.
/// Answers the rows with the photos each cites, in the request's order.
pub fn create_batch(
    conn: &mut DbConn,
    origin: &Origin,
    new: Vec<NewHazard>,
    actor: &Actor,
    tz: Tz,
    visit: Option<Presence>,
) -> ApiResult<Vec<(HazardRow, Vec<Id>)>> {
    if new.is_empty() {
        if let Some(v) = visit {
            tally_store::count_presence(conn, &[v], tz)?;
        }
        return Ok(Vec::new());
    }
    let default_source = if origin.campaign_id.is_some() { HazardSource::Campaign } else { HazardSource::Routine };
    let categories: Vec<HazardCategory> = new.iter().map(|h| h.category).collect();
    let earlier = recurrences(conn, origin, &categories)?;
    let mut rows = Vec::with_capacity(new.len());
    let mut events = Vec::with_capacity(new.len());
    let mut photos = Vec::with_capacity(new.len());
    let mut grams = Vec::new();
    for h in new {
        let status = initial_status(h.handling_type);
        let id = h.id.unwrap_or_else(Id::new_v7);
        rows.push(HazardRow {
            id,
            inspection_id: origin.inspection_id,
            unit_id: origin.unit_id,
            community_id: origin.community_id,
            unit_kind: origin.unit_kind,
            campaign_id: origin.campaign_id,
            leader_led: origin.leader_led,
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
            found_at: origin.found_at,
            found_on: origin.found_on,
            recorded_at: origin.recorded_at,
            closed_at: (status == HazardStatus::Closed).then_some(origin.found_at),
            version: 1,
            created_by: actor.user_id,
            plan_state: None,
            supervision_level: None,
            supervision_state: None,
            recurrence_of: earlier.iter().find(|(c, _)| *c == h.category).map(|(_, id)| *id),
            found_by: h.found_by.unwrap_or(FoundBy::Inspection),
        });
        events.push(HazardEventRow {
            id: Id::new_v7(),
            hazard_id: id,
            at: origin.recorded_at,
            actor: actor.name.clone(),
            actor_user_id: actor.user_id,
            kind: "created".to_string(),
            from_state: None,
            to_state: status,
            reason: None,
            details: Some(json!({"inspection_id": origin.inspection_id, "handling_type": h.handling_type}).to_string()),
            deadline: h.deadline,
            plan_state: None,
            supervision_level: None,
            supervision_state: None,
        });
        photos.push(h.photo_ids);
    }
    for r in &rows {
        grams.extend(search::hazard_grams(r.id, r.found_at, &r.description, (&origin.unit_name, &origin.unit_address)));
    }
    crate::on_engine!(&mut *conn, |c| {
        diesel::insert_into(hazards::table).values(&rows).execute(c)?;
        diesel::insert_into(hazard_events::table).values(&events).execute(c)?;
    });
    search::insert_hazard_grams(conn, &grams)?;
    for (row, cited) in rows.iter().zip(&photos) {
        links::cite(conn, cited, RecordKind::Hazard, row.id, origin.community_id)?;
    }
    let fed: Vec<NewEvent<'_>> = rows
        .iter()
        .zip(&photos)
        .map(|(row, cited)| NewEvent {
            at: row.recorded_at,
            kind: FeedKind::HazardCreated,
            resource_id: row.id,
            community_id: Some(row.community_id),
            actor: Some(actor),
            data: snapshot(row, cited),
        })
        .collect();
    feed::append(conn, &fed)?;
    let counted: Vec<ChangeRow> = rows
        .iter()
        .flat_map(|row| {
            tally_store::change_rows(row.dims(), &tally::changes(None, row.facts(), row.recorded_at, tz), tz)
        })
        .collect();
    tally_store::record(conn, &counted)?;
    let present: Vec<Presence> = visit
        .into_iter()
        .chain(rows.iter().map(|row| Presence {
            counted: Counted::Hazard { category: row.category, level: row.level },
            found_on: row.found_on,
            recorded_at: row.recorded_at,
            community_id: row.community_id,
            unit_kind: row.unit_kind,
            campaign_id: row.campaign_id,
            leader_led: row.leader_led,
            unit_no: origin.unit_no,
        }))
        .collect();
    tally_store::count_presence(conn, &present, tz)?;
    Ok(rows.into_iter().zip(photos).collect())
}

/// The hazards that new ones at `origin`'s unit in these categories recur, one query for
/// the whole batch: per category, the latest hazard of the unit closed (on the spot
/// included) within `recurrence_days` before the new ones were found.
fn recurrences(
    conn: &mut DbConn,
    origin: &Origin,
    categories: &[HazardCategory],
) -> ApiResult<Vec<(HazardCategory, Id)>> {
    let since = Moment::new(origin.found_at.0 - chrono::Duration::days(i64::from(origin.recurrence_days)));
    let closed: Vec<(HazardCategory, Id)> = hazards::table
        .filter(hazards::unit_id.eq(origin.unit_id))
        .filter(hazards::category.eq_any(categories))
        .filter(hazards::status.eq(HazardStatus::Closed))
        .filter(hazards::closed_at.ge(since))
        .filter(hazards::closed_at.le(origin.found_at))
        .order((hazards::closed_at.desc(), hazards::id.desc()))
        .select((hazards::category, hazards::id))
        .load(conn)?;
    let mut latest: Vec<(HazardCategory, Id)> = Vec::new();
    for (category, id) in closed {
        if !latest.iter().any(|(c, _)| *c == category) {
            latest.push((category, id));
        }
    }
    Ok(latest)
}

pub fn get(conn: &mut DbConn, id: Id) -> ApiResult<HazardRow> {
    hazards::table
        .find(id)
        .select(HazardRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("hazard"))
}

/// The hazard if the scope sees it; 404 as if it did not exist otherwise.
pub fn get_in(conn: &mut DbConn, id: Id, scope: &Scope) -> ApiResult<HazardRow> {
    let row = get(conn, id)?;
    if scope.allows(row.community_id) {
        Ok(row)
    } else {
        Err(ApiError::not_found("hazard"))
    }
}

pub fn events(conn: &mut DbConn, hazard_id: Id) -> ApiResult<Vec<HazardEventRow>> {
    Ok(hazard_events::table
        .filter(hazard_events::hazard_id.eq(hazard_id))
        .order((hazard_events::at.asc(), hazard_events::id.asc()))
        .select(HazardEventRow::as_select())
        .load(conn)?)
}

pub fn for_inspection(conn: &mut DbConn, inspection_id: Id) -> ApiResult<Vec<HazardRow>> {
    Ok(hazards::table
        .filter(hazards::inspection_id.eq(inspection_id))
        .order(hazards::id.asc())
        .select(HazardRow::as_select())
        .load(conn)?)
}

/// One change of a hazard's state, as the life cycle allows it.
pub struct Change<'a> {
    pub action: Action,
    pub at: Moment,
    pub actor: &'a Actor,
    pub reason: Option<String>,
    pub details: Option<serde_json::Value>,
    /// The version the client read, when it sent one.
    pub expected_version: Option<i32>,
    /// A new deadline (deadline extension only).
    pub deadline: Option<NaiveDate>,
    /// The office's zone: the counters date the change in it.
    pub tz: Tz,
}

/// Applies a change that must win exactly once: the row is updated only if it is still
/// in the state (and version) it was read in, checked by rows affected, so of two racing
/// changes one wins and the other sees the new state and is refused. Writes the event.
pub fn transition(conn: &mut DbConn, hazard: &HazardRow, change: Change<'_>) -> ApiResult<HazardRow> {
    if let Some(v) = change.expected_version {
        if v != hazard.version {
            return Err(ApiError::StaleVersion(v));
        }
    }
    let from = hazard.status;
    let to = lifecycle::apply(from, change.action)?;
    let voiding = change.action == Action::Void;
    if voiding && blocks_void(hazard.supervision_state) {
        return Err(supervised_void());
    }
    let closed_at = if to == HazardStatus::Closed { Some(change.at) } else { hazard.closed_at };
    let deadline = change.deadline.or(hazard.deadline);
    let target = hazards::table
        .filter(hazards::id.eq(hazard.id))
        .filter(hazards::status.eq(from))
        .filter(hazards::version.eq(hazard.version));
    let values = || {
        (
            hazards::status.eq(to),
            hazards::closed_at.eq(closed_at),
            hazards::deadline.eq(deadline),
            hazards::version.eq(hazard.version + 1),
        )
    };
    let updated = if voiding {
        // A supervision listed meanwhile keeps the hazard from being voided.
        let lifted = SupervisionState::Lifted;
        let unsupervised = hazards::supervision_state.is_null().or(hazards::supervision_state.eq(lifted));
        diesel::update(target.filter(unsupervised)).set(values()).execute(conn)?
    } else {
        diesel::update(target).set(values()).execute(conn)?
    };
    if updated != 1 {
        // Someone else changed it first: refuse against the state it is in now.
        let now = get(conn, hazard.id)?;
        lifecycle::apply(now.status, change.action)?;
        if voiding && blocks_void(now.supervision_state) {
            return Err(supervised_void());
        }
        return Err(ApiError::Conflict("the hazard was changed concurrently; reload it".into()));
    }
    let event = HazardEventRow {
        id: Id::new_v7(),
        hazard_id: hazard.id,
        at: change.at,
        actor: change.actor.name.clone(),
        actor_user_id: change.actor.user_id,
        kind: change.action.event_kind().to_string(),
        from_state: Some(from),
        to_state: to,
        reason: change.reason,
        details: change.details.map(|d| d.to_string()),
        deadline,
        plan_state: hazard.plan_state,
        supervision_level: hazard.supervision_level,
        supervision_state: hazard.supervision_state,
    };
    diesel::insert_into(hazard_events::table).values(&event).execute(conn)?;
    let after = Facts { status: to, deadline, ..hazard.facts() };
    let changes = tally::changes(Some(hazard.facts()), after, change.at, change.tz);
    tally_store::record(conn, &tally_store::change_rows(hazard.dims(), &changes, change.tz))?;
    let row = get(conn, hazard.id)?;
    if let Some(kind) = FeedKind::of_hazard_event(&event.kind) {
        let photos = links::cited_by(conn, RecordKind::Hazard, &[row.id])?;
        let data = snapshot(&row, &links::of(&photos, row.id));
        let at = change.at;
        let new = NewEvent {
            at,
            kind,
            resource_id: row.id,
            community_id: Some(row.community_id),
            actor: Some(change.actor),
            data,
        };
        feed::append_one(conn, new)?;
    }
    Ok(row)
}

/// The hazard as the feed shows it right after an event: its stored fields and photos
/// (what is derived from today's date is left out: it is not part of the record).
pub fn snapshot(row: &HazardRow, photo_ids: &[Id]) -> serde_json::Value {
    let mut v = serde_json::to_value(row).unwrap_or_default();
    if let Some(map) = v.as_object_mut() {
        map.insert("photo_ids".into(), json!(photo_ids));
    }
    v
}

/// Records something done about hazards that leaves their state as it is (a notice
/// issued): one event each, with the state and deadline they have, in one statement.
pub fn note(
    conn: &mut DbConn,
    hazards: &[HazardRow],
    kind: &str,
    at: Moment,
    actor: &Actor,
    details: &serde_json::Value,
) -> ApiResult<()> {
    if hazards.is_empty() {
        return Ok(());
    }
    let events: Vec<HazardEventRow> = hazards
        .iter()
        .map(|h| HazardEventRow {
            id: Id::new_v7(),
            hazard_id: h.id,
            at,
            actor: actor.name.clone(),
            actor_user_id: actor.user_id,
            kind: kind.to_string(),
            from_state: Some(h.status),
            to_state: h.status,
            reason: None,
            details: Some(details.to_string()),
            deadline: h.deadline,
            plan_state: h.plan_state,
            supervision_level: h.supervision_level,
            supervision_state: h.supervision_state,
        })
        .collect();
    crate::on_engine!(&mut *conn, |c| {
        diesel::insert_into(hazard_events::table).values(&events).execute(c)?;
    });
    Ok(())
}

fn supervised_void() -> ApiError {
    ApiError::Conflict(
        "the hazard is under a formal supervision (挂牌督办): it cannot be voided before the supervision is lifted"
            .into(),
    )
}

/// A step of a major hazard's governance: its plan recorded or replaced, its supervision
/// listed, corrected, its lifting requested, lifted. It leaves the hazard's state alone.
pub struct Governance<'a> {
    /// The `hazard_events.kind`.
    pub kind: &'static str,
    pub at: Moment,
    pub actor: &'a Actor,
    pub reason: Option<String>,
    pub details: Option<serde_json::Value>,
    /// The plan's and the supervision's state after the step.
    pub plan_state: Option<PlanState>,
    pub supervision_level: Option<SupervisionLevel>,
    pub supervision_state: Option<SupervisionState>,
    pub tz: Tz,
}

/// Records a governance step on the hazard: what the lists and the counters read of the
/// plan and the supervision, the event (its state unchanged) and the counters' deltas.
/// The hazard must still be in the state it was read in (a void or a verification racing
/// the step wins, and the step is refused against the state it finds).
pub fn govern(conn: &mut DbConn, hazard: &HazardRow, step: Governance<'_>) -> ApiResult<HazardRow> {
    let updated =
        diesel::update(hazards::table.filter(hazards::id.eq(hazard.id)).filter(hazards::status.eq(hazard.status)))
            .set((
                hazards::plan_state.eq(step.plan_state),
                hazards::supervision_level.eq(step.supervision_level),
                hazards::supervision_state.eq(step.supervision_state),
            ))
            .execute(conn)?;
    if updated != 1 {
        return Err(ApiError::Conflict("the hazard was changed concurrently; reload it".into()));
    }
    let event = HazardEventRow {
        id: Id::new_v7(),
        hazard_id: hazard.id,
        at: step.at,
        actor: step.actor.name.clone(),
        actor_user_id: step.actor.user_id,
        kind: step.kind.to_string(),
        from_state: Some(hazard.status),
        to_state: hazard.status,
        reason: step.reason,
        details: step.details.map(|d| d.to_string()),
        deadline: hazard.deadline,
        plan_state: step.plan_state,
        supervision_level: step.supervision_level,
        supervision_state: step.supervision_state,
    };
    diesel::insert_into(hazard_events::table).values(&event).execute(conn)?;
    let after = get(conn, hazard.id)?;
    let changes = tally::changes(Some(hazard.facts()), after.facts(), step.at, step.tz);
    tally_store::record(conn, &tally_store::change_rows(hazard.dims(), &changes, step.tz))?;
    Ok(after)
}
