//! HTTP surface of units.

use actix_web::{get, patch, post, web, HttpResponse};

use super::list::Selection;
use super::model::{NewUnit, Reinstatement, Unit, UnitDetail, UnitFilter, UnitPatch};
use super::store;
use crate::domain::access::Caller;
use crate::domain::access::Permission;
use crate::domain::Id;
use crate::error::{ApiResult, Problem};
use crate::http::body::JsonBody;
use crate::http::page::{Cursor, Page, PageRequest, Paging};
use crate::http::query::ListQuery;
use crate::http::State;

#[utoipa::path(
    tag = "units", operation_id = "create_unit",
    request_body = NewUnit,
    responses(
        (status = 201, body = Unit),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/units")]
pub async fn create(state: State, caller: Caller, body: JsonBody<NewUnit>) -> ApiResult<HttpResponse> {
    caller.require(Permission::ManageUnits)?;
    let req = body.into_inner();
    req.check()?;
    let now = state.clock.now();
    let row = state.write(move |conn| store::create(conn, req, now, &caller.scope, &caller.actor())).await?;
    Ok(HttpResponse::Created().json(row))
}

/// The units the filters select, a page at a time, newest first.
#[utoipa::path(
    tag = "units", operation_id = "list_units",
    params(UnitFilter, Paging),
    responses(
        (status = 200, body = Page<Unit>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/units")]
pub async fn list(state: State, caller: Caller, query: ListQuery<UnitFilter>) -> ApiResult<web::Json<Page<Unit>>> {
    let ListQuery { filter, paging } = query;
    let page = PageRequest::of(&paging)?;
    let (rows, total) = state
        .db(move |conn| {
            let selection = Selection { filter: &filter, scope: &caller.scope };
            let rows = selection.page(conn, &page)?;
            Ok((rows, paging.wants_total().then(|| selection.count(conn)).transpose()?))
        })
        .await?;
    let mut listed = page.finish(rows, |r| Cursor { at: r.created_at, id: r.id }, |r| r);
    listed.total = total;
    Ok(web::Json(listed))
}

#[utoipa::path(
    tag = "units", operation_id = "get_unit",
    params(("id" = Id, Path, description = "Unit id")),
    responses(
        (status = 200, body = UnitDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/units/{id}")]
pub async fn get_one(state: State, caller: Caller, id: web::Path<Id>) -> ApiResult<web::Json<UnitDetail>> {
    let id = id.into_inner();
    Ok(web::Json(state.db(move |conn| store::detail(conn, id, &caller.scope)).await?))
}

#[utoipa::path(
    tag = "units", operation_id = "update_unit",
    params(("id" = Id, Path, description = "Unit id")),
    request_body = UnitPatch,
    responses(
        (status = 200, body = Unit),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/units/{id}")]
pub async fn update(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<UnitPatch>,
) -> ApiResult<web::Json<Unit>> {
    caller.require(Permission::ManageUnits)?;
    let (id, patch) = (id.into_inner(), body.into_inner());
    patch.check()?;
    let now = state.clock.now();
    Ok(web::Json(state.write(move |conn| store::update(conn, id, patch, now, &caller.scope, &caller.actor())).await?))
}

/// Lift a suspension: a suspended unit becomes active, with a `reinstated` event.
#[utoipa::path(
    tag = "units", operation_id = "reinstate_unit",
    params(("id" = Id, Path, description = "Unit id")),
    request_body = Reinstatement,
    responses(
        (status = 200, description = "The unit with its history", body = UnitDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The unit is not suspended, or a stale version", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/units/{id}/reinstate")]
pub async fn reinstate(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<Reinstatement>,
) -> ApiResult<web::Json<UnitDetail>> {
    caller.require(Permission::ManageUnits)?;
    let (id, req) = (id.into_inner(), body.into_inner());
    req.check()?;
    let now = state.clock.now();
    let actor = caller.actor();
    Ok(web::Json(state.write(move |conn| store::reinstate(conn, id, req, now, &caller.scope, &actor)).await?))
}
