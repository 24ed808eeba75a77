//! Campaign queries.

use diesel::prelude::*;

use super::model::{Campaign, CampaignDetail, CampaignEvent, CampaignFilter, CampaignPatch, NewCampaign};
use crate::db::schema::{campaign_events, campaigns};
use crate::db::{escape_like, DbConn};
use crate::domain::actor::Actor;
use crate::domain::history::Changes;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::http::page::PageRequest;

pub fn find(conn: &mut DbConn, id: Id) -> ApiResult<Option<Campaign>> {
    Ok(campaigns::table.find(id).select(Campaign::as_select()).first(conn).optional()?)
}

pub fn get(conn: &mut DbConn, id: Id) -> ApiResult<Campaign> {
    find(conn, id)?.ok_or_else(|| ApiError::not_found("campaign"))
}

/// The campaign with its history, oldest change first.
pub fn detail(conn: &mut DbConn, id: Id) -> ApiResult<CampaignDetail> {
    let campaign = get(conn, id)?;
    let events = campaign_events::table
        .filter(campaign_events::campaign_id.eq(id))
        .order((campaign_events::at.asc(), campaign_events::id.asc()))
        .select(CampaignEvent::as_select())
        .load(conn)?;
    Ok(CampaignDetail { campaign, events })
}

/// Appends one event to a campaign's history.
fn record_event(
    conn: &mut DbConn,
    campaign_id: Id,
    at: Moment,
    actor: &Actor,
    kind: &str,
    details: Option<serde_json::Value>,
) -> ApiResult<()> {
    let event = CampaignEvent {
        id: Id::new_v7(),
        campaign_id,
        at,
        actor: actor.name.clone(),
        actor_user_id: actor.user_id,
        kind: kind.to_string(),
        details: details.map(|d| d.to_string()),
    };
    diesel::insert_into(campaign_events::table).values(&event).execute(conn)?;
    Ok(())
}

pub fn create(conn: &mut DbConn, req: NewCampaign, now: Moment, actor: &Actor) -> ApiResult<Campaign> {
    let row = Campaign {
        id: Id::new_v7(),
        name: req.name.trim().to_string(),
        starts_on: req.starts_on,
        ends_on: req.ends_on,
        description: req.description,
        version: 1,
        created_at: now,
        updated_at: now,
        created_by: actor.user_id,
    };
    diesel::insert_into(campaigns::table).values(&row).execute(conn)?;
    record_event(conn, row.id, now, actor, "created", None)?;
    Ok(row)
}

pub fn update(conn: &mut DbConn, id: Id, patch: CampaignPatch, now: Moment, actor: &Actor) -> ApiResult<Campaign> {
    let current = get(conn, id)?;
    if current.version != patch.version {
        return Err(ApiError::StaleVersion(patch.version));
    }
    patch.check(&current)?;
    let mut next = current.clone();
    if let Some(name) = patch.name {
        next.name = name.trim().to_string();
    }
    next.starts_on = patch.starts_on.unwrap_or(current.starts_on);
    next.ends_on = patch.ends_on.unwrap_or(current.ends_on);
    if let Some(description) = patch.description {
        next.description = description;
    }
    let changed =
        diesel::update(campaigns::table.filter(campaigns::id.eq(id)).filter(campaigns::version.eq(patch.version)))
            .set((
                campaigns::name.eq(&next.name),
                campaigns::starts_on.eq(next.starts_on),
                campaigns::ends_on.eq(next.ends_on),
                campaigns::description.eq(&next.description),
                campaigns::version.eq(patch.version + 1),
                campaigns::updated_at.eq(now),
            ))
            .execute(conn)?;
    if changed != 1 {
        return Err(ApiError::StaleVersion(patch.version));
    }
    let mut changes = Changes::new();
    changes
        .field("name", &current.name, &next.name)
        .field("starts_on", &current.starts_on, &next.starts_on)
        .field("ends_on", &current.ends_on, &next.ends_on)
        .field("description", &current.description, &next.description);
    record_event(conn, id, now, actor, "updated", Some(changes.into_value()))?;
    get(conn, id)
}

pub fn list(conn: &mut DbConn, f: &CampaignFilter, page: &PageRequest) -> ApiResult<Vec<Campaign>> {
    let mut query = campaigns::table.select(Campaign::as_select()).into_boxed();
    if let Some(day) = f.active_on {
        query = query.filter(campaigns::starts_on.le(day)).filter(campaigns::ends_on.ge(day));
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        query = query.filter(campaigns::name.like(format!("%{}%", escape_like(text))).escape('\\'));
    }
    if let Some(after) = page.after {
        query = query.filter(
            campaigns::created_at.lt(after.at).or(campaigns::created_at.eq(after.at).and(campaigns::id.lt(after.id))),
        );
    }
    Ok(query.order((campaigns::created_at.desc(), campaigns::id.desc())).limit(page.fetch_limit()).load(conn)?)
}
