//! HTTP surface of communities.

use crate::domain::Id;
use actix_web::{get, patch, post, web, HttpResponse};

use super::model::{Community, CommunityDetail, CommunityFilter, CommunityPatch, NewCommunity};
use super::store;
use crate::domain::access::Caller;
use crate::domain::access::Permission;
use crate::error::{ApiResult, Problem};
use crate::http::body::JsonBody;
use crate::http::page::{Cursor, Page, PageRequest};
use crate::http::query::QueryParams;
use crate::http::State;

#[utoipa::path(
    tag = "communities", operation_id = "create_community",
    request_body = NewCommunity,
    responses(
        (status = 201, body = Community),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/communities")]
pub async fn create(state: State, caller: Caller, body: JsonBody<NewCommunity>) -> ApiResult<HttpResponse> {
    caller.require(Permission::ManageCatalog)?;
    let req = body.into_inner();
    req.check()?;
    let now = state.clock.now();
    let row = state.write(move |conn| store::create(conn, req, now, &caller.actor())).await?;
    Ok(HttpResponse::Created().json(row))
}

#[utoipa::path(
    tag = "communities", operation_id = "list_communities",
    params(CommunityFilter),
    responses(
        (status = 200, body = Page<Community>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/communities")]
pub async fn list(
    state: State,
    _caller: Caller,
    query: QueryParams<CommunityFilter>,
) -> ApiResult<web::Json<Page<Community>>> {
    let filter = query.0;
    let page = PageRequest::new(filter.limit, filter.cursor.as_deref())?;
    let rows = state.db(move |conn| store::list(conn, filter.q.as_deref(), &page)).await?;
    Ok(web::Json(page.finish(rows, |r| Cursor { at: r.created_at, id: r.id }, |r| r)))
}

#[utoipa::path(
    tag = "communities", operation_id = "get_community",
    params(("id" = Id, Path, description = "Community id")),
    responses(
        (status = 200, description = "The community with its history", body = CommunityDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/communities/{id}")]
pub async fn get_one(state: State, _caller: Caller, id: web::Path<Id>) -> ApiResult<web::Json<CommunityDetail>> {
    let id = id.into_inner();
    Ok(web::Json(state.db(move |conn| store::detail(conn, id)).await?))
}

#[utoipa::path(
    tag = "communities", operation_id = "update_community",
    params(("id" = Id, Path, description = "Community id")),
    request_body = CommunityPatch,
    responses(
        (status = 200, body = Community),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/communities/{id}")]
pub async fn update(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<CommunityPatch>,
) -> ApiResult<web::Json<Community>> {
    caller.require(Permission::ManageCatalog)?;
    let (id, patch) = (id.into_inner(), body.into_inner());
    patch.check()?;
    let now = state.clock.now();
    let actor = caller.actor();
    Ok(web::Json(state.write(move |conn| store::update(conn, id, patch, now, &actor)).await?))
}
