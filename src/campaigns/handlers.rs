//! HTTP surface of campaigns.

use crate::domain::Id;
use actix_web::{get, patch, post, web, HttpResponse};

use super::model::{Campaign, CampaignDetail, CampaignFilter, CampaignPatch, NewCampaign};
use super::store;
use crate::domain::access::Caller;
use crate::domain::access::Permission;
use crate::error::{ApiResult, Problem};
use crate::http::body::JsonBody;
use crate::http::page::{Cursor, Page, PageRequest};
use crate::http::query::QueryParams;
use crate::http::State;

#[utoipa::path(
    tag = "campaigns", operation_id = "create_campaign",
    request_body = NewCampaign,
    responses(
        (status = 201, body = Campaign),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/campaigns")]
pub async fn create(state: State, caller: Caller, body: JsonBody<NewCampaign>) -> ApiResult<HttpResponse> {
    caller.require(Permission::ManageCatalog)?;
    let req = body.into_inner();
    req.check()?;
    let now = state.clock.now();
    let row = state.write(move |conn| store::create(conn, req, now, &caller.actor())).await?;
    Ok(HttpResponse::Created().json(row))
}

#[utoipa::path(
    tag = "campaigns", operation_id = "list_campaigns",
    params(CampaignFilter),
    responses(
        (status = 200, body = Page<Campaign>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/campaigns")]
pub async fn list(
    state: State,
    _caller: Caller,
    query: QueryParams<CampaignFilter>,
) -> ApiResult<web::Json<Page<Campaign>>> {
    let filter = query.0;
    let page = PageRequest::new(filter.limit, filter.cursor.as_deref())?;
    let rows = state.db(move |conn| store::list(conn, &filter, &page)).await?;
    Ok(web::Json(page.finish(rows, |r| Cursor { at: r.created_at, id: r.id }, |r| r)))
}

#[utoipa::path(
    tag = "campaigns", operation_id = "get_campaign",
    params(("id" = Id, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "The campaign with its history", body = CampaignDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/campaigns/{id}")]
pub async fn get_one(state: State, _caller: Caller, id: web::Path<Id>) -> ApiResult<web::Json<CampaignDetail>> {
    let id = id.into_inner();
    Ok(web::Json(state.db(move |conn| store::detail(conn, id)).await?))
}

#[utoipa::path(
    tag = "campaigns", operation_id = "update_campaign",
    params(("id" = Id, Path, description = "Campaign id")),
    request_body = CampaignPatch,
    responses(
        (status = 200, body = Campaign),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/campaigns/{id}")]
pub async fn update(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<CampaignPatch>,
) -> ApiResult<web::Json<Campaign>> {
    caller.require(Permission::ManageCatalog)?;
    let (id, patch) = (id.into_inner(), body.into_inner());
    let now = state.clock.now();
    let actor = caller.actor();
    Ok(web::Json(state.write(move |conn| store::update(conn, id, patch, now, &actor)).await?))
}
