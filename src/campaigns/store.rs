//! Campaign queries.

use diesel::prelude::*;

use super::model::{Campaign, CampaignFilter, CampaignPatch, NewCampaign};
use crate::db::schema::campaigns;
use crate::db::{escape_like, DbConn};
use crate::domain::actor::Actor;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::http::page::PageRequest;

pub fn find(conn: &mut DbConn, id: Id) -> ApiResult<Option<Campaign>> {
    Ok(campaigns::table.find(id).select(Campaign::as_select()).first(conn).optional()?)
}

pub fn get(conn: &mut DbConn, id: Id) -> ApiResult<Campaign> {
    find(conn, id)?.ok_or_else(|| ApiError::not_found("campaign"))
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
    Ok(row)
}

pub fn update(conn: &mut DbConn, id: Id, patch: CampaignPatch, now: Moment) -> ApiResult<Campaign> {
    let current = get(conn, id)?;
    if current.version != patch.version {
        return Err(ApiError::StaleVersion(patch.version));
    }
    patch.check(&current)?;
    let changed =
        diesel::update(campaigns::table.filter(campaigns::id.eq(id)).filter(campaigns::version.eq(patch.version)))
            .set((
                campaigns::name.eq(patch.name.map(|n| n.trim().to_string()).unwrap_or(current.name)),
                campaigns::starts_on.eq(patch.starts_on.unwrap_or(current.starts_on)),
                campaigns::ends_on.eq(patch.ends_on.unwrap_or(current.ends_on)),
                campaigns::description.eq(patch.description.unwrap_or(current.description)),
                campaigns::version.eq(patch.version + 1),
                campaigns::updated_at.eq(now),
            ))
            .execute(conn)?;
    if changed != 1 {
        return Err(ApiError::StaleVersion(patch.version));
    }
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
