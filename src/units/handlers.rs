//! HTTP surface of units.

use actix_web::{get, patch, post, web, HttpResponse};

use super::list::Selection;
use super::model::{NewUnit, Reinstatement, Unit, UnitDetail, UnitFilter, UnitPatch};
use super::registry;
use super::store;
use crate::db::deadline::read_snapshot_within;
use crate::domain::access::Caller;
use crate::domain::access::Permission;
use crate::domain::time::local_date;
use crate::domain::Id;
use crate::error::{ApiResult, Problem};
use crate::export::{self, FileFormat};
use crate::http::body::JsonBody;
use crate::http::download;
use crate::http::page::{Cursor, Page, PageRequest, Paging};
use crate::http::query::{ListQuery, QueryParams};
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

/// The registry (单位名册) as a file: every unit the filters select, newest first.
async fn export_registry(
    state: State,
    caller: Caller,
    filter: UnitFilter,
    format: FileFormat,
) -> ApiResult<HttpResponse> {
    let today = local_date(state.clock.now(), state.config.timezone);
    let limit = state.config.report_timeout;
    let (file, len) = download::build(&state, move |conn, file, tmp_dir| {
        let selection = Selection { filter: &filter, scope: &caller.scope };
        let file = read_snapshot_within(conn, limit, |conn| {
            export::write_into(format, file, tmp_dir, |sink| registry::write(conn, &selection, sink))
        })?;
        export::rewound(file)
    })
    .await?;
    let name = format!("{}-{today}.{}", registry::NAME, format.extension());
    Ok(download::send(format.content_type(), &name, file, len))
}

/// The registry (单位名册) as an Excel workbook: every unit the list's filters select,
/// with exactly the import template's columns, so that the file edited in Excel imports
/// back.
#[utoipa::path(
    tag = "units", operation_id = "export_units_xlsx",
    params(UnitFilter),
    responses(
        (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 422, description = "A bad filter, or more rows than a worksheet holds (1,048,575): narrow the filters or export CSV", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/units.xlsx")]
pub async fn export_xlsx(state: State, caller: Caller, query: QueryParams<UnitFilter>) -> ApiResult<HttpResponse> {
    export_registry(state, caller, query.0, FileFormat::Xlsx).await
}

/// The registry (单位名册) as CSV (UTF-8 with BOM, CRLF, formula-safe), with the import
/// template's columns.
#[utoipa::path(
    tag = "units", operation_id = "export_units_csv",
    params(UnitFilter),
    responses(
        (status = 200, description = "The table", content_type = "text/csv", body = String),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/units.csv")]
pub async fn export_csv(state: State, caller: Caller, query: QueryParams<UnitFilter>) -> ApiResult<HttpResponse> {
    export_registry(state, caller, query.0, FileFormat::Csv).await
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
