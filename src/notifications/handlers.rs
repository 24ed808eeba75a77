//! HTTP surface of the caller's notifications.

use actix_web::{get, post, web};

use super::model::{MarkedRead, Notification, NotificationCursor};
use super::store;
use crate::domain::access::Caller;
use crate::domain::Id;
use crate::error::{ApiResult, Problem};
use crate::http::page::{Page, PageRequest, Paging};
use crate::http::query::QueryParams;
use crate::http::State;

/// The caller's notifications (通知): unread first, then newest first, a page at a time.
#[utoipa::path(
    tag = "notifications", operation_id = "list_my_notifications",
    params(Paging),
    responses(
        (status = 200, body = Page<Notification>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/notifications")]
pub async fn list(
    state: State,
    caller: Caller,
    query: QueryParams<Paging>,
) -> ApiResult<web::Json<Page<Notification>>> {
    let paging = query.0;
    let page = PageRequest::<NotificationCursor>::of(&paging)?;
    let user = caller.user_id;
    let (rows, total) = state
        .db(move |conn| {
            let rows = store::page(conn, user, &page)?;
            let total = paging.wants_total().then(|| store::total(conn, user)).transpose()?;
            Ok((rows, total))
        })
        .await?;
    let mut listed = page.finish(rows, NotificationCursor::after, Notification::from);
    listed.total = total;
    Ok(web::Json(listed))
}

/// Marks one of the caller's notifications read.
#[utoipa::path(
    tag = "notifications", operation_id = "read_my_notification",
    params(("id" = Id, Path, description = "Notification id")),
    responses(
        (status = 200, body = Notification),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/notifications/{id}/read")]
pub async fn read(state: State, caller: Caller, id: web::Path<Id>) -> ApiResult<web::Json<Notification>> {
    let (id, user, now) = (id.into_inner(), caller.user_id, state.clock.now());
    let row = state.write(move |conn| store::mark_read(conn, user, id, now)).await?;
    Ok(web::Json(row.into()))
}

/// Marks every unread notification of the caller read.
#[utoipa::path(
    tag = "notifications", operation_id = "read_all_my_notifications",
    responses((status = 200, body = MarkedRead))
)]
#[post("/me/notifications/read-all")]
pub async fn read_all(state: State, caller: Caller) -> ApiResult<web::Json<MarkedRead>> {
    let (user, now) = (caller.user_id, state.clock.now());
    let n = state.write(move |conn| store::mark_all_read(conn, user, now)).await?;
    Ok(web::Json(MarkedRead { read: n }))
}
