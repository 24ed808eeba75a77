//! HTTP surface of the caller's tasks.

use actix_web::{get, web};

use super::model::{TaskCounts, TaskKind, TaskQuery};
use super::store;
use crate::attachments::links::{self, RecordKind};
use crate::domain::access::Caller;
use crate::domain::Id;
use crate::error::{ApiResult, Problem};
use crate::hazards::list::HazardCursor;
use crate::hazards::model::Hazard;
use crate::http::page::{Page, PageRequest, Paging};
use crate::http::query::ListQuery;
use crate::http::State;
use crate::notifications::store as notifications;

/// The caller's tasks of one kind (待办), in the caller's scope, a page at a time.
#[utoipa::path(
    tag = "tasks", operation_id = "list_my_tasks",
    params(TaskQuery, Paging),
    responses(
        (status = 200, body = Page<Hazard>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/tasks")]
pub async fn list(state: State, caller: Caller, query: ListQuery<TaskQuery>) -> ApiResult<web::Json<Page<Hazard>>> {
    let ListQuery { filter, paging } = query;
    let page = PageRequest::<HazardCursor>::of(&paging)?;
    let today = state.today();
    let kind: TaskKind = filter.kind;
    let sort = kind.filter().sort.unwrap_or_default();
    let (rows, photos, total) = state
        .db(move |conn| {
            let rows = store::page(conn, &caller, kind, today, &page)?;
            let total = paging.wants_total().then(|| store::count(conn, &caller, kind, today)).transpose()?;
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

/// How many tasks of each kind wait for the caller, and the unread notifications.
#[utoipa::path(
    tag = "tasks", operation_id = "count_my_tasks",
    responses((status = 200, body = TaskCounts))
)]
#[get("/me/tasks/counts")]
pub async fn counts(state: State, caller: Caller) -> ApiResult<web::Json<TaskCounts>> {
    let today = state.today();
    let counts = state
        .db(move |conn| {
            let unread = notifications::unread_count(conn, caller.user_id)?;
            store::counts(conn, &caller, today, unread)
        })
        .await?;
    Ok(web::Json(counts))
}
