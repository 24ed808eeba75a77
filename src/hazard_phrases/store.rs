//! Hazard phrase queries.

use diesel::prelude::*;

use super::model::{
    HazardPhrase, HazardPhraseDetail, HazardPhraseEvent, HazardPhraseFilter, HazardPhrasePatch, NewHazardPhrase,
};
use crate::db::schema::{hazard_phrase_events, hazard_phrases};
use crate::db::DbConn;
use crate::domain::actor::Actor;
use crate::domain::history::Changes;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::http::page::PageRequest;

pub fn get(conn: &mut DbConn, id: Id) -> ApiResult<HazardPhrase> {
    hazard_phrases::table
        .find(id)
        .select(HazardPhrase::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("hazard phrase"))
}

/// The phrase with its history, oldest change first.
pub fn detail(conn: &mut DbConn, id: Id) -> ApiResult<HazardPhraseDetail> {
    let phrase = get(conn, id)?;
    let events = hazard_phrase_events::table
        .filter(hazard_phrase_events::phrase_id.eq(id))
        .order((hazard_phrase_events::at.asc(), hazard_phrase_events::id.asc()))
        .select(HazardPhraseEvent::as_select())
        .load(conn)?;
    Ok(HazardPhraseDetail { phrase, events })
}

fn record_event(
    conn: &mut DbConn,
    phrase_id: Id,
    at: Moment,
    actor: &Actor,
    kind: &str,
    details: Option<serde_json::Value>,
) -> ApiResult<()> {
    let event = HazardPhraseEvent {
        id: Id::new_v7(),
        phrase_id,
        at,
        actor: actor.name.clone(),
        actor_user_id: actor.user_id,
        kind: kind.to_string(),
        details: details.map(|d| d.to_string()),
    };
    diesel::insert_into(hazard_phrase_events::table).values(&event).execute(conn)?;
    Ok(())
}

fn clean(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

pub fn create(conn: &mut DbConn, req: NewHazardPhrase, now: Moment, actor: &Actor) -> ApiResult<HazardPhrase> {
    let row = HazardPhrase {
        id: Id::new_v7(),
        category: req.category,
        text: req.text.trim().to_string(),
        legal_basis: clean(req.legal_basis),
        active: req.active.unwrap_or(true),
        version: 1,
        created_at: now,
        updated_at: now,
        created_by: actor.user_id,
    };
    diesel::insert_into(hazard_phrases::table).values(&row).execute(conn)?;
    record_event(conn, row.id, now, actor, "created", None)?;
    Ok(row)
}

pub fn update(
    conn: &mut DbConn,
    id: Id,
    patch: HazardPhrasePatch,
    now: Moment,
    actor: &Actor,
) -> ApiResult<HazardPhrase> {
    let current = get(conn, id)?;
    if current.version != patch.version {
        return Err(ApiError::StaleVersion(patch.version));
    }
    let mut next = current.clone();
    if let Some(category) = patch.category {
        next.category = category;
    }
    if let Some(text) = patch.text {
        next.text = text.trim().to_string();
    }
    if let Some(basis) = patch.legal_basis {
        next.legal_basis = clean(basis);
    }
    if let Some(active) = patch.active {
        next.active = active;
    }
    let changed = diesel::update(
        hazard_phrases::table.filter(hazard_phrases::id.eq(id)).filter(hazard_phrases::version.eq(patch.version)),
    )
    .set((
        hazard_phrases::category.eq(next.category),
        hazard_phrases::text.eq(&next.text),
        hazard_phrases::legal_basis.eq(&next.legal_basis),
        hazard_phrases::active.eq(next.active),
        hazard_phrases::version.eq(patch.version + 1),
        hazard_phrases::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Err(ApiError::StaleVersion(patch.version));
    }
    let mut changes = Changes::new();
    changes
        .field("category", &current.category, &next.category)
        .field("text", &current.text, &next.text)
        .field("legal_basis", &current.legal_basis, &next.legal_basis)
        .field("active", &current.active, &next.active);
    record_event(conn, id, now, actor, "updated", Some(changes.into_value()))?;
    get(conn, id)
}

/// Oldest first (the order they were written in, within the categories the page groups).
pub fn list(conn: &mut DbConn, f: &HazardPhraseFilter, page: &PageRequest) -> ApiResult<Vec<HazardPhrase>> {
    let mut query = hazard_phrases::table.select(HazardPhrase::as_select()).into_boxed();
    if let Some(category) = f.category {
        query = query.filter(hazard_phrases::category.eq(category));
    }
    if let Some(active) = f.active {
        query = query.filter(hazard_phrases::active.eq(active));
    }
    if let Some(after) = page.after {
        query = query.filter(
            hazard_phrases::created_at
                .gt(after.at)
                .or(hazard_phrases::created_at.eq(after.at).and(hazard_phrases::id.gt(after.id))),
        );
    }
    Ok(query
        .order((hazard_phrases::created_at.asc(), hazard_phrases::id.asc()))
        .limit(page.fetch_limit())
        .load(conn)?)
}
