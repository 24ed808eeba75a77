//! HTTP surface of hazards.

use actix_web::{get, post, web, HttpResponse};
use serde_json::json;

use super::export as ledger;
use super::list::{HazardCursor, Selection};
use super::model::{DeadlineExtension, Hazard, HazardFilter, VoidRequest};
use super::store;
use crate::attachments::links::{self, RecordKind};
use crate::db::deadline::read_snapshot_within;
use crate::domain::access::Caller;
use crate::domain::access::Permission;
use crate::domain::lifecycle::{self, Action};
use crate::domain::validate::Problems;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult, Problem};
use crate::export::{self, FileFormat};
use crate::hazards::store::Change;
use crate::http::body::JsonBody;
use crate::http::download;
use crate::http::page::{Page, PageRequest, Paging};
use crate::http::query::{ListQuery, QueryParams};
use crate::http::State;
use crate::views::hazard_detail::{self, HazardDetail};

/// The hazards the filters select, a page at a time, in the order `sort` asks for.
#[utoipa::path(
    tag = "hazards", operation_id = "list_hazards",
    params(HazardFilter, Paging),
    responses(
        (status = 200, body = Page<Hazard>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hazards")]
pub async fn list(state: State, caller: Caller, query: ListQuery<HazardFilter>) -> ApiResult<web::Json<Page<Hazard>>> {
    let ListQuery { filter, paging } = query;
    let page = PageRequest::<HazardCursor>::of(&paging)?;
    let today = state.today();
    let sort = filter.sort.unwrap_or_default();
    let (rows, photos, total) = state
        .db(move |conn| {
            let selection = Selection { filter: &filter, scope: &caller.scope, today, not_submitted_by: None };
            let rows = selection.page(conn, &page)?;
            let total = paging.wants_total().then(|| selection.count(conn)).transpose()?;
            let ids: Vec<Id> = rows.iter().map(|r| r.hazard.id).collect();
            let photos = links::cited_by(conn, RecordKind::Hazard, &ids)?;
            Ok((rows, photos, total))
        })
        .await?;
    let mut listed = page.finish(
        rows,
        |r| HazardCursor::after(sort, r),
        |r| {
            let photo_ids = links::of(&photos, r.hazard.id);
            Hazard::from_row(r.hazard, today, photo_ids)
        },
    );
    listed.total = total;
    Ok(web::Json(listed))
}

/// The ledger (隐患台账) as a file: every hazard the filters select, in the list's order.
async fn export_ledger(
    state: State,
    caller: Caller,
    filter: HazardFilter,
    format: FileFormat,
) -> ApiResult<HttpResponse> {
    let tz = state.config.timezone;
    let today = state.today();
    let limit = state.config.report_timeout;
    let (file, len) = download::build(&state, move |conn, file, tmp_dir| {
        let selection = Selection { filter: &filter, scope: &caller.scope, today, not_submitted_by: None };
        let file = read_snapshot_within(conn, limit, |conn| {
            export::write_into(format, file, tmp_dir, |sink| ledger::write(conn, &selection, tz, sink))
        })?;
        export::rewound(file)
    })
    .await?;
    let name = format!("{}-{}.{}", ledger::NAME, today.date, format.extension());
    Ok(download::send(format.content_type(), &name, file, len))
}

/// The ledger (隐患台账) as an Excel workbook: every hazard the list's filters select, in
/// its order (no pages), with its unit, rectification and verification; Chinese headers.
#[utoipa::path(
    tag = "hazards", operation_id = "export_hazards_xlsx",
    params(HazardFilter),
    responses(
        (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 422, description = "A bad filter, or more rows than a worksheet holds (1,048,575): narrow the filters or export CSV", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hazards.xlsx")]
pub async fn export_xlsx(state: State, caller: Caller, query: QueryParams<HazardFilter>) -> ApiResult<HttpResponse> {
    export_ledger(state, caller, query.0, FileFormat::Xlsx).await
}

/// The ledger (隐患台账) as CSV (UTF-8 with BOM, CRLF, formula-safe): every hazard the
/// list's filters select, in its order, with no limit.
#[utoipa::path(
    tag = "hazards", operation_id = "export_hazards_csv",
    params(HazardFilter),
    responses(
        (status = 200, description = "The table", content_type = "text/csv", body = String),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hazards.csv")]
pub async fn export_csv(state: State, caller: Caller, query: QueryParams<HazardFilter>) -> ApiResult<HttpResponse> {
    export_ledger(state, caller, query.0, FileFormat::Csv).await
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
    let today = state.today();
    Ok(web::Json(state.db(move |conn| hazard_detail::load(conn, id, &caller.scope, today)).await?))
}

fn validated<T: validator::Validate>(req: &T) -> ApiResult<()> {
    let mut p = Problems::new();
    p.extend_validator("", req.validate());
    Ok(p.into_result()?)
}

/// Void a hazard recorded in error; nothing is deleted.
#[utoipa::path(
    tag = "hazards", operation_id = "void_hazard",
    params(("id" = Id, Path, description = "Hazard id")),
    request_body = VoidRequest,
    responses(
        (status = 200, body = HazardDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the hazard's state, or a stale version", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hazards/{id}/void")]
pub async fn void(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<VoidRequest>,
) -> ApiResult<web::Json<HazardDetail>> {
    caller.require(Permission::Supervise)?;
    let (id, req) = (id.into_inner(), body.into_inner());
    validated(&req)?;
    let now = state.clock.now();
    let tz = state.config.timezone;
    let today = state.today_at(now);
    let actor = caller.actor();
    let scope = caller.scope;
    let detail = state
        .write(move |conn| {
            let hazard = store::get_in(conn, id, &scope)?;
            let change = Change {
                action: Action::Void,
                at: now,
                actor: &actor,
                reason: Some(req.reason.trim().to_string()),
                details: None,
                expected_version: req.version,
                deadline: None,
                tz,
            };
            store::transition(conn, &hazard, change)?;
            hazard_detail::load(conn, id, &scope, today)
        })
        .await?;
    Ok(web::Json(detail))
}

/// Extend a hazard's deadline, with a reason; the old deadline stays in the history.
#[utoipa::path(
    tag = "hazards", operation_id = "extend_deadline",
    params(("id" = Id, Path, description = "Hazard id")),
    request_body = DeadlineExtension,
    responses(
        (status = 200, body = HazardDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the hazard's state, or a stale version", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hazards/{id}/deadline")]
pub async fn extend_deadline(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<DeadlineExtension>,
) -> ApiResult<web::Json<HazardDetail>> {
    caller.require(Permission::Supervise)?;
    let (id, req) = (id.into_inner(), body.into_inner());
    validated(&req)?;
    let now = state.clock.now();
    let tz = state.config.timezone;
    let today = state.today_at(now);
    let actor = caller.actor();
    let scope = caller.scope;
    let detail = state
        .write(move |conn| {
            let hazard = store::get_in(conn, id, &scope)?;
            let allowed = lifecycle::next(hazard.status, Action::ExtendDeadline).is_some();
            if let (true, Some(current)) = (allowed, hazard.deadline) {
                if req.deadline <= current {
                    let msg = format!("the new deadline must be after {current}");
                    return Err(ApiError::field("deadline", "not_later", msg));
                }
            }
            let change = Change {
                action: Action::ExtendDeadline,
                at: now,
                actor: &actor,
                reason: Some(req.reason.trim().to_string()),
                details: Some(json!({"from": hazard.deadline, "to": req.deadline})),
                expected_version: req.version,
                deadline: Some(req.deadline),
                tz,
            };
            store::transition(conn, &hazard, change)?;
            hazard_detail::load(conn, id, &scope, today)
        })
        .await?;
    Ok(web::Json(detail))
}
