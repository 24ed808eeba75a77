//! HTTP surface of hazard phrases.

use actix_web::{get, patch, post, web, HttpResponse};

use super::model::{HazardPhrase, HazardPhraseDetail, HazardPhraseFilter, HazardPhrasePatch, NewHazardPhrase};
use super::store;
use crate::domain::access::{Caller, Permission};
use crate::domain::Id;
use crate::error::{ApiResult, Problem};
use crate::http::body::JsonBody;
use crate::http::page::{Cursor, Page, PageRequest};
use crate::http::query::QueryParams;
use crate::http::State;

#[utoipa::path(
    tag = "hazard-phrases", operation_id = "create_hazard_phrase",
    request_body = NewHazardPhrase,
    responses(
        (status = 201, body = HazardPhrase),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hazard-phrases")]
pub async fn create(state: State, caller: Caller, body: JsonBody<NewHazardPhrase>) -> ApiResult<HttpResponse> {
    caller.require(Permission::ManageCatalog)?;
    let req = body.into_inner();
    req.check()?;
    let now = state.clock.now();
    let row = state.write(move |conn| store::create(conn, req, now, &caller.actor())).await?;
    Ok(HttpResponse::Created().json(row))
}

#[utoipa::path(
    tag = "hazard-phrases", operation_id = "list_hazard_phrases",
    params(HazardPhraseFilter),
    responses(
        (status = 200, body = Page<HazardPhrase>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hazard-phrases")]
pub async fn list(
    state: State,
    _caller: Caller,
    query: QueryParams<HazardPhraseFilter>,
) -> ApiResult<web::Json<Page<HazardPhrase>>> {
    let filter = query.0;
    let page = PageRequest::new(filter.limit, filter.cursor.as_deref())?;
    let rows = state.db(move |conn| store::list(conn, &filter, &page)).await?;
    Ok(web::Json(page.finish(rows, |r| Cursor { at: r.created_at, id: r.id }, |r| r)))
}

#[utoipa::path(
    tag = "hazard-phrases", operation_id = "get_hazard_phrase",
    params(("id" = Id, Path, description = "Hazard phrase id")),
    responses(
        (status = 200, description = "The phrase with its history", body = HazardPhraseDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hazard-phrases/{id}")]
pub async fn get_one(state: State, _caller: Caller, id: web::Path<Id>) -> ApiResult<web::Json<HazardPhraseDetail>> {
    let id = id.into_inner();
    Ok(web::Json(state.db(move |conn| store::detail(conn, id)).await?))
}

#[utoipa::path(
    tag = "hazard-phrases", operation_id = "update_hazard_phrase",
    params(("id" = Id, Path, description = "Hazard phrase id")),
    request_body = HazardPhrasePatch,
    responses(
        (status = 200, body = HazardPhrase),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/hazard-phrases/{id}")]
pub async fn update(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<HazardPhrasePatch>,
) -> ApiResult<web::Json<HazardPhrase>> {
    caller.require(Permission::ManageCatalog)?;
    let (id, patch) = (id.into_inner(), body.into_inner());
    patch.check()?;
    let now = state.clock.now();
    let actor = caller.actor();
    Ok(web::Json(state.write(move |conn| store::update(conn, id, patch, now, &actor)).await?))
}
