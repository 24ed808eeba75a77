//! HTTP surface of the office's papers: the 整改通知书 of an inspection and the 复查意见书
//! of a rectification.

use actix_web::{get, post, web, HttpResponse};

use super::model::{Notice, RecheckOpinion};
use super::store::{self, By};
use crate::domain::access::{Caller, Permission};
use crate::domain::Id;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotent::{self, Stored};
use crate::http::State;

/// Issue the inspection's 安全隐患整改通知书 (inspectors and up, in scope): numbered once,
/// with a snapshot of what it says. Issuing again answers the same notice.
#[utoipa::path(
    tag = "documents", operation_id = "issue_notice",
    params(("id" = Id, Path, description = "Inspection id")),
    responses(
        (status = 201, description = "Issued", body = Notice),
        (status = 200, description = "Issued before: the same notice", body = Notice),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The inspection found no hazard with a deadline", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/inspections/{id}/notice")]
pub async fn issue_notice(state: State, caller: Caller, id: web::Path<Id>) -> ApiResult<HttpResponse> {
    caller.require(Permission::Record)?;
    let id = id.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let (scope, actor) = (caller.scope.clone(), caller.actor());
    let issued = state
        .write(move |conn| {
            let by = By { scope: &scope, actor: &actor, office: &config.office, tz: config.timezone };
            store::issue_notice(conn, id, now, by)
        })
        .await;
    // Another request that issued it first makes this one fail on the subject: answer its notice.
    let issued = match issued {
        Err(ApiError::Conflict(_)) => (Stored::Replayed, state.db(move |c| store::notice(c, id, &caller.scope)).await?),
        other => other?,
    };
    Ok(idempotent::respond(issued))
}

/// The inspection's 安全隐患整改通知书 as issued.
#[utoipa::path(
    tag = "documents", operation_id = "get_notice",
    params(("id" = Id, Path, description = "Inspection id")),
    responses(
        (status = 200, body = Notice),
        (status = 404, description = "No such inspection, or no notice issued for it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/inspections/{id}/notice")]
pub async fn get_notice(state: State, caller: Caller, id: web::Path<Id>) -> ApiResult<web::Json<Notice>> {
    let id = id.into_inner();
    Ok(web::Json(state.db(move |conn| store::notice(conn, id, &caller.scope)).await?))
}

/// Issue the 整改复查意见书 of a verified (passed or rejected) rectification (supervisors
/// and up, in scope): numbered once, with a snapshot. Issuing again answers the same one.
#[utoipa::path(
    tag = "documents", operation_id = "issue_recheck_opinion",
    params(("id" = Id, Path, description = "Rectification id")),
    responses(
        (status = 201, description = "Issued", body = RecheckOpinion),
        (status = 200, description = "Issued before: the same opinion", body = RecheckOpinion),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The rectification is not verified yet", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/rectifications/{id}/recheck-opinion")]
pub async fn issue_recheck_opinion(state: State, caller: Caller, id: web::Path<Id>) -> ApiResult<HttpResponse> {
    caller.require(Permission::Supervise)?;
    let id = id.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let (scope, actor) = (caller.scope.clone(), caller.actor());
    let issued = state
        .write(move |conn| {
            let by = By { scope: &scope, actor: &actor, office: &config.office, tz: config.timezone };
            store::issue_recheck(conn, id, now, by)
        })
        .await;
    let issued = match issued {
        Err(ApiError::Conflict(reason)) => {
            match state.db(move |c| store::recheck_opinion(c, id, &caller.scope)).await {
                Ok(found) => (Stored::Replayed, found),
                Err(_) => return Err(ApiError::Conflict(reason)),
            }
        }
        other => other?,
    };
    Ok(idempotent::respond(issued))
}

/// The rectification's 整改复查意见书 as issued.
#[utoipa::path(
    tag = "documents", operation_id = "get_recheck_opinion",
    params(("id" = Id, Path, description = "Rectification id")),
    responses(
        (status = 200, body = RecheckOpinion),
        (status = 404, description = "No such rectification, or no opinion issued for it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rectifications/{id}/recheck-opinion")]
pub async fn get_recheck_opinion(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
) -> ApiResult<web::Json<RecheckOpinion>> {
    let id = id.into_inner();
    Ok(web::Json(state.db(move |conn| store::recheck_opinion(conn, id, &caller.scope)).await?))
}
