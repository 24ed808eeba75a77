//! Community queries.

use crate::domain::{Id, Moment};
use diesel::prelude::*;

use super::model::{Community, CommunityDetail, CommunityEvent, CommunityPatch, NewCommunity};
use crate::db::schema::communities::dsl as c;
use crate::db::schema::community_events;
use crate::db::{escape_like, DbConn};
use crate::domain::actor::Actor;
use crate::domain::history::Changes;
use crate::error::{ApiError, ApiResult};
use crate::http::page::PageRequest;

pub fn find(conn: &mut DbConn, id: Id) -> ApiResult<Option<Community>> {
    Ok(c::communities.find(id).select(Community::as_select()).first(conn).optional()?)
}

pub fn get(conn: &mut DbConn, id: Id) -> ApiResult<Community> {
    find(conn, id)?.ok_or_else(|| ApiError::not_found("community"))
}

/// The community with its history, oldest change first.
pub fn detail(conn: &mut DbConn, id: Id) -> ApiResult<CommunityDetail> {
    let community = get(conn, id)?;
    let events = community_events::table
        .filter(community_events::community_id.eq(id))
        .order((community_events::at.asc(), community_events::id.asc()))
        .select(CommunityEvent::as_select())
        .load(conn)?;
    Ok(CommunityDetail { community, events })
}

/// Appends one event to a community's history.
fn record_event(
    conn: &mut DbConn,
    community_id: Id,
    at: Moment,
    actor: &Actor,
    kind: &str,
    details: Option<serde_json::Value>,
) -> ApiResult<()> {
    let event = CommunityEvent {
        id: Id::new_v7(),
        community_id,
        at,
        actor: actor.name.clone(),
        actor_user_id: actor.user_id,
        kind: kind.to_string(),
        details: details.map(|d| d.to_string()),
    };
    diesel::insert_into(community_events::table).values(&event).execute(conn)?;
    Ok(())
}

fn code_taken(conn: &mut DbConn, code: &str, except: Option<Id>) -> ApiResult<bool> {
    let mut q = c::communities.filter(c::code.eq(code)).select(c::id).into_boxed();
    if let Some(id) = except {
        q = q.filter(c::id.ne(id));
    }
    Ok(q.first::<Id>(conn).optional()?.is_some())
}

fn duplicate_code(code: &str) -> ApiError {
    ApiError::Conflict(format!("a community with code `{code}` already exists"))
}

pub fn create(conn: &mut DbConn, req: NewCommunity, now: Moment, actor: &Actor) -> ApiResult<Community> {
    if code_taken(conn, &req.code, None)? {
        return Err(duplicate_code(&req.code));
    }
    let row = Community {
        id: Id::new_v7(),
        name: req.name.trim().to_string(),
        code: req.code,
        version: 1,
        created_at: now,
        updated_at: now,
        created_by: actor.user_id,
    };
    diesel::insert_into(c::communities).values(&row).execute(conn)?;
    record_event(conn, row.id, now, actor, "created", None)?;
    Ok(row)
}

pub fn update(conn: &mut DbConn, id: Id, patch: CommunityPatch, now: Moment, actor: &Actor) -> ApiResult<Community> {
    let current = get(conn, id)?;
    if current.version != patch.version {
        return Err(ApiError::StaleVersion(patch.version));
    }
    if let Some(code) = &patch.code {
        if code_taken(conn, code, Some(id))? {
            return Err(duplicate_code(code));
        }
    }
    let name = patch.name.map(|n| n.trim().to_string()).unwrap_or_else(|| current.name.clone());
    let code = patch.code.unwrap_or_else(|| current.code.clone());
    let changed = diesel::update(c::communities.filter(c::id.eq(id)).filter(c::version.eq(patch.version)))
        .set((c::name.eq(&name), c::code.eq(&code), c::version.eq(patch.version + 1), c::updated_at.eq(now)))
        .execute(conn)?;
    if changed != 1 {
        return Err(ApiError::StaleVersion(patch.version));
    }
    let mut changes = Changes::new();
    changes.field("name", &current.name, &name).field("code", &current.code, &code);
    record_event(conn, id, now, actor, "updated", Some(changes.into_value()))?;
    get(conn, id)
}

pub fn list(conn: &mut DbConn, q: Option<&str>, page: &PageRequest) -> ApiResult<Vec<Community>> {
    let mut query = c::communities.select(Community::as_select()).into_boxed();
    if let Some(text) = q.map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!("%{}%", escape_like(text));
        query = query.filter(c::name.like(pattern.clone()).escape('\\').or(c::code.like(pattern).escape('\\')));
    }
    if let Some(after) = page.after {
        query = query.filter(c::created_at.lt(after.at).or(c::created_at.eq(after.at).and(c::id.lt(after.id))));
    }
    Ok(query.order((c::created_at.desc(), c::id.desc())).limit(page.fetch_limit()).load(conn)?)
}
