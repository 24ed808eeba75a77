//! HTTP surface of hazards.

use actix_web::{get, web};

use super::model::{Hazard, HazardDetail, HazardFilter};
use super::store;
use crate::auth::Caller;
use crate::db::types::Id;
use crate::domain::time::local_date;
use crate::error::{ApiResult, Problem};
use crate::http::page::{Cursor, Page, PageRequest};
use crate::http::query::QueryParams;
use crate::http::State;

#[utoipa::path(
    tag = "hazards", operation_id = "list_hazards",
    params(HazardFilter),
    responses(
        (status = 200, body = Page<Hazard>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hazards")]
pub async fn list(
    state: State,
    caller: Caller,
    query: QueryParams<HazardFilter>,
) -> ApiResult<web::Json<Page<Hazard>>> {
    let filter = query.0;
    let page = PageRequest::new(filter.limit, filter.cursor.as_deref())?;
    let today = local_date(state.clock.now(), state.config.timezone);
    let rows = state.db(move |conn| store::list(conn, &filter, &caller.scope, today, &page)).await?;
    Ok(web::Json(page.finish(
        rows,
        |r| Cursor { at: r.found_at, id: r.id },
        |r| Hazard::from_row(r, today, Vec::new()),
    )))
}

#[utoipa::path(
    tag = "hazards", operation_id = "get_hazard",
    params(("id" = Id, Path, description = "Hazard id")),
    responses(
        (status = 200, body = HazardDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hazards/{id}")]
pub async fn get_one(state: State, caller: Caller, id: web::Path<Id>) -> ApiResult<web::Json<HazardDetail>> {
    let id = id.into_inner();
    let today = local_date(state.clock.now(), state.config.timezone);
    let (row, events) =
        state.db(move |conn| Ok((store::get_in(conn, id, &caller.scope)?, store::events(conn, id)?))).await?;
    Ok(web::Json(HazardDetail {
        hazard: Hazard::from_row(row, today, Vec::new()),
        events: events.into_iter().map(Into::into).collect(),
    }))
}
