//! HTTP surface of inspections.

use actix_web::{get, post, web, HttpResponse};

use super::model::{Inspection, InspectionDetail, InspectionFilter, NewInspection};
use super::store::{self, By};
use crate::domain::access::Caller;
use crate::domain::access::Permission;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::body::JsonBody;
use crate::http::idempotent;
use crate::http::page::{Cursor, Page, PageRequest, Paging};
use crate::http::query::ListQuery;
use crate::http::State;

/// Submit an inspection with the hazards it found, in one transaction. Idempotent on `id`.
#[utoipa::path(
    tag = "inspections", operation_id = "create_inspection",
    request_body = NewInspection,
    responses(
        (status = 201, description = "Stored", body = InspectionDetail),
        (status = 200, description = "The same submission was stored before", body = InspectionDetail),
        (status = 409, description = "The id was used for a different submission", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/inspections")]
pub async fn create(state: State, caller: Caller, body: JsonBody<NewInspection>) -> ApiResult<HttpResponse> {
    caller.require(Permission::Record)?;
    let req = body.into_inner();
    let now = state.clock.now();
    let tz = state.config.timezone;
    let recurrence_days = state.config.recurrence_days;
    req.check(now, tz, state.config.clock_skew_seconds)?;
    let hash = req.canonical_hash();
    let client_id = req.id;
    let submitted = {
        let (hash, scope, actor) = (hash.clone(), caller.scope.clone(), caller.actor());
        let ladder = state.config.ladder;
        state
            .write(move |conn| {
                store::submit(conn, req, hash, now, tz, ladder, By { scope: &scope, actor: &actor, recurrence_days })
            })
            .await
    };
    // An identical submission that committed first makes this one fail on the id.
    let lost_race = |e: &ApiError| matches!(e, ApiError::Conflict(_));
    let today = state.today_at(now);
    let replay = |id| state.db(move |conn| store::replay(conn, id, &hash, today, &caller.scope));
    Ok(idempotent::respond(idempotent::settle(submitted, client_id, lost_race, replay).await?))
}

#[utoipa::path(
    tag = "inspections", operation_id = "list_inspections",
    params(InspectionFilter, Paging),
    responses(
        (status = 200, body = Page<Inspection>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/inspections")]
pub async fn list(
    state: State,
    caller: Caller,
    query: ListQuery<InspectionFilter>,
) -> ApiResult<web::Json<Page<Inspection>>> {
    let ListQuery { filter, paging } = query;
    let page = PageRequest::of(&paging)?;
    let (rows, total) = state
        .db(move |conn| {
            let rows = store::list(conn, &filter, &caller.scope, &page)?;
            Ok((rows, paging.wants_total().then(|| store::count(conn, &filter, &caller.scope)).transpose()?))
        })
        .await?;
    let mut listed = page.finish(rows, |r| Cursor { at: r.inspected_at, id: r.id }, |r| r);
    listed.total = total;
    Ok(web::Json(listed))
}

#[utoipa::path(
    tag = "inspections", operation_id = "get_inspection",
    params(("id" = Id, Path, description = "Inspection id")),
    responses(
        (status = 200, body = InspectionDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/inspections/{id}")]
pub async fn get_one(state: State, caller: Caller, id: web::Path<Id>) -> ApiResult<web::Json<InspectionDetail>> {
    let id = id.into_inner();
    let today = state.today();
    Ok(web::Json(state.db(move |conn| store::detail(conn, id, today, &caller.scope)).await?))
}
