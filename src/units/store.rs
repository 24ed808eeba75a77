//! Unit queries and the unit event log.

use crate::feed::model::FeedKind;
use crate::feed::store::{self as feed, NewEvent};
use diesel::prelude::*;
use serde_json::json;

use super::model::{NewUnit, Reinstatement, Unit, UnitDetail, UnitEvent, UnitPatch};
use crate::db::schema::{communities, unit_events, units};
use crate::db::DbConn;
use crate::domain::access::Scope;
use crate::domain::actor::Actor;
use crate::domain::unit_lifecycle::{self, UnitAction};
use crate::domain::UnitStatus;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::search;

pub fn find(conn: &mut DbConn, id: Id) -> ApiResult<Option<Unit>> {
    Ok(units::table.find(id).select(Unit::as_select()).first(conn).optional()?)
}

pub fn get(conn: &mut DbConn, id: Id) -> ApiResult<Unit> {
    find(conn, id)?.ok_or_else(|| ApiError::not_found("unit"))
}

/// The unit if the scope sees it; 404 as if it did not exist otherwise.
pub fn get_in(conn: &mut DbConn, id: Id, scope: &Scope) -> ApiResult<Unit> {
    find(conn, id)?.filter(|u| scope.allows(u.community_id)).ok_or_else(|| ApiError::not_found("unit"))
}

pub fn detail(conn: &mut DbConn, id: Id, scope: &Scope) -> ApiResult<UnitDetail> {
    let unit = get_in(conn, id, scope)?;
    let events = unit_events::table
        .filter(unit_events::unit_id.eq(id))
        .order((unit_events::at.asc(), unit_events::id.asc()))
        .select(UnitEvent::as_select())
        .load(conn)?;
    Ok(UnitDetail { unit, events })
}

fn community_exists(conn: &mut DbConn, id: Id) -> ApiResult<bool> {
    Ok(communities::table.find(id).select(communities::id).first::<Id>(conn).optional()?.is_some())
}

fn missing_community() -> ApiError {
    ApiError::field("community_id", "not_found", "no community has this id")
}

/// `n` new unit numbers: dense, never reused (see [`Unit::unit_no`]). SQLite writes one
/// transaction at a time, so the next free number is safe to take; PostgreSQL draws them
/// from a sequence.
pub fn next_numbers(conn: &mut DbConn, n: usize) -> ApiResult<Vec<i64>> {
    use diesel::sql_types::BigInt;
    #[derive(QueryableByName)]
    struct No {
        #[diesel(sql_type = BigInt)]
        no: i64,
    }
    let count = i64::try_from(n).map_err(|e| ApiError::internal("too many unit numbers", e))?;
    match conn {
        DbConn::Postgresql(c) => {
            let rows: Vec<No> =
                diesel::sql_query("SELECT nextval('units_unit_no_seq') AS no FROM generate_series(1, $1)")
                    .bind::<BigInt, _>(count)
                    .load(c)?;
            Ok(rows.into_iter().map(|r| r.no).collect())
        }
        DbConn::Sqlite(c) => {
            let max: No = diesel::sql_query("SELECT COALESCE(MAX(unit_no), 0) AS no FROM units").get_result(c)?;
            Ok((1..=count).map(|i| max.no + i).collect())
        }
    }
}

/// Appends one event to a unit's history.
#[allow(clippy::too_many_arguments)]
pub fn record_event(
    conn: &mut DbConn,
    unit_id: Id,
    at: Moment,
    actor: &Actor,
    kind: &str,
    from_status: Option<UnitStatus>,
    to_status: Option<UnitStatus>,
    reason: Option<String>,
    details: Option<serde_json::Value>,
) -> ApiResult<()> {
    let event = UnitEvent {
        id: Id::new_v7(),
        unit_id,
        at,
        actor: actor.name.clone(),
        actor_user_id: actor.user_id,
        kind: kind.to_string(),
        from_status,
        to_status,
        reason,
        details: details.map(|d| d.to_string()),
    };
    diesel::insert_into(unit_events::table).values(&event).execute(conn)?;
    if let Some(kind) = FeedKind::of_unit_event(&event.kind) {
        let unit = get(conn, unit_id)?;
        let data = serde_json::to_value(&unit).unwrap_or_default();
        let community_id = Some(unit.community_id);
        feed::append_one(conn, NewEvent { at, kind, resource_id: unit_id, community_id, actor: Some(actor), data })?;
    }
    Ok(())
}

pub fn create(conn: &mut DbConn, req: NewUnit, now: Moment, scope: &Scope, actor: &Actor) -> ApiResult<Unit> {
    if !scope.allows(req.community_id) || !community_exists(conn, req.community_id)? {
        return Err(missing_community());
    }
    let row = Unit {
        unit_no: next_numbers(conn, 1)?[0],
        id: Id::new_v7(),
        community_id: req.community_id,
        name: req.name.trim().to_string(),
        kind: req.kind,
        status: UnitStatus::Active,
        address: req.address.trim().to_string(),
        credit_code: req.credit_code,
        contact_name: req.contact_name,
        contact_phone: req.contact_phone,
        latitude: req.latitude,
        longitude: req.longitude,
        version: 1,
        created_at: now,
        updated_at: now,
        created_by: actor.user_id,
    };
    diesel::insert_into(units::table).values(&row).execute(conn)?;
    search::insert_unit_grams(conn, &search::unit_grams(&row))?;
    record_event(conn, row.id, now, actor, "created", None, Some(UnitStatus::Active), None, None)?;
    Ok(row)
}

pub fn update(
    conn: &mut DbConn,
    id: Id,
    patch: UnitPatch,
    now: Moment,
    scope: &Scope,
    actor: &Actor,
) -> ApiResult<Unit> {
    let current = get_in(conn, id, scope)?;
    if current.version != patch.version {
        return Err(ApiError::StaleVersion(patch.version));
    }
    if let Some(cid) = patch.community_id {
        if !scope.allows(cid) || !community_exists(conn, cid)? {
            return Err(missing_community());
        }
    }
    let mut next = current.clone();
    if let Some(v) = patch.community_id {
        next.community_id = v;
    }
    if let Some(v) = patch.name {
        next.name = v.trim().to_string();
    }
    if let Some(v) = patch.kind {
        next.kind = v;
    }
    if let Some(v) = patch.address {
        next.address = v.trim().to_string();
    }
    if let Some(v) = patch.credit_code {
        next.credit_code = v;
    }
    if let Some(v) = patch.contact_name {
        next.contact_name = v;
    }
    if let Some(v) = patch.contact_phone {
        next.contact_phone = v;
    }
    if let Some(v) = patch.latitude {
        next.latitude = v;
    }
    if let Some(v) = patch.longitude {
        next.longitude = v;
    }
    if next.latitude.is_some() != next.longitude.is_some() {
        let missing = if next.latitude.is_none() { "latitude" } else { "longitude" };
        return Err(ApiError::field(missing, "required", "latitude and longitude go together"));
    }
    let changed = diesel::update(units::table.filter(units::id.eq(id)).filter(units::version.eq(patch.version)))
        .set((
            units::community_id.eq(next.community_id),
            units::name.eq(&next.name),
            units::kind.eq(next.kind),
            units::address.eq(&next.address),
            units::credit_code.eq(&next.credit_code),
            units::contact_name.eq(&next.contact_name),
            units::contact_phone.eq(&next.contact_phone),
            units::latitude.eq(next.latitude),
            units::longitude.eq(next.longitude),
            units::version.eq(patch.version + 1),
            units::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed != 1 {
        return Err(ApiError::StaleVersion(patch.version));
    }
    search::reindex_units(conn, &[search::UnitChange { old: &current, new: &next }])?;
    let details = diff(&current, &next);
    record_event(conn, id, now, actor, "updated", None, None, None, Some(details))?;
    get(conn, id)
}

/// What an edit changed, as `{field: [old, new]}`.
pub fn diff(old: &Unit, new: &Unit) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let mut put = |name: &str, a: serde_json::Value, b: serde_json::Value| {
        if a != b {
            out.insert(name.to_string(), json!([a, b]));
        }
    };
    put("community_id", json!(old.community_id), json!(new.community_id));
    put("name", json!(old.name), json!(new.name));
    put("kind", json!(old.kind), json!(new.kind));
    put("address", json!(old.address), json!(new.address));
    put("credit_code", json!(old.credit_code), json!(new.credit_code));
    put("contact_name", json!(old.contact_name), json!(new.contact_name));
    put("contact_phone", json!(old.contact_phone), json!(new.contact_phone));
    put("latitude", json!(old.latitude), json!(new.latitude));
    put("longitude", json!(old.longitude), json!(new.longitude));
    serde_json::Value::Object(out)
}

/// Moves a unit from `from` to the status `action` leads to, if it is still in `from`:
/// checked by rows affected, so a concurrent change is never overwritten. Writes the unit
/// event and bumps the version. False when the unit is no longer in `from`.
fn try_change(conn: &mut DbConn, unit_id: Id, from: UnitStatus, change: &Change<'_>) -> ApiResult<bool> {
    let to = unit_lifecycle::apply(from, change.action)?;
    let updated = diesel::update(units::table.filter(units::id.eq(unit_id)).filter(units::status.eq(from)))
        .set((units::status.eq(to), units::version.eq(units::version + 1), units::updated_at.eq(change.at)))
        .execute(conn)?;
    if updated != 1 {
        return Ok(false);
    }
    let reason = Some(change.reason.to_string());
    let kind = change.action.event_kind();
    record_event(conn, unit_id, change.at, change.actor, kind, Some(from), Some(to), reason, change.details.clone())?;
    Ok(true)
}

/// One change of a unit's status, as the unit life cycle allows it.
pub struct Change<'a> {
    pub action: UnitAction,
    pub at: Moment,
    pub actor: &'a Actor,
    pub reason: &'a str,
    pub details: Option<serde_json::Value>,
}

/// Applies a status change ordered by enforcement. Another action may have changed the
/// unit since it was read (PostgreSQL then waits for it and finds the new status): this
/// one applies on top, as if the two had run one after the other.
pub fn apply(conn: &mut DbConn, unit: &Unit, change: Change<'_>) -> ApiResult<()> {
    let mut from = unit.status;
    for _ in 0..2 {
        if try_change(conn, unit.id, from, &change)? {
            return Ok(());
        }
        from = get(conn, unit.id)?.status;
    }
    Err(ApiError::Conflict(format!("unit {} was changed concurrently; retry", unit.id)))
}

/// Lifts a unit's suspension: the unit must still be as the client read it.
pub fn reinstate(
    conn: &mut DbConn,
    id: Id,
    req: Reinstatement,
    now: Moment,
    scope: &Scope,
    actor: &Actor,
) -> ApiResult<UnitDetail> {
    let unit = get_in(conn, id, scope)?;
    if let Some(v) = req.version.filter(|v| *v != unit.version) {
        return Err(ApiError::StaleVersion(v));
    }
    let change = Change { action: UnitAction::Reinstate, at: now, actor, reason: req.reason.trim(), details: None };
    if !try_change(conn, id, unit.status, &change)? {
        // Changed since it was read: refuse against the status it is in now.
        let current = get(conn, id)?;
        unit_lifecycle::apply(current.status, UnitAction::Reinstate)?;
        return Err(ApiError::Conflict(format!("unit {id} was changed concurrently; reload it")));
    }
    detail(conn, id, scope)
}
