//! HTTP surface of plans and supervisions: each answers the hazard as `GET /hazards/{id}`.

use actix_web::{patch, post, put, web};

use super::model::{NewSupervision, PlanRequest, SupervisionPatch, SupervisionStep};
use super::store::{self, By};
use crate::domain::access::{Caller, Permission};
use crate::domain::supervision::SupervisionAction;
use crate::domain::time::local_date;
use crate::domain::validate::Problems;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult, Problem};
use crate::hazards::model::HazardRow;
use crate::hazards::store as hazards;
use crate::http::body::JsonBody;
use crate::http::State;
use crate::views::hazard_detail::{self, HazardDetail};

fn validated<T: validator::Validate>(req: &T) -> ApiResult<()> {
    let mut p = Problems::new();
    p.extend_validator("", req.validate());
    Ok(p.into_result()?)
}

/// Runs one step on the hazard `id` in scope, in one transaction, and answers the hazard.
async fn on_hazard<F>(state: State, caller: Caller, id: Id, f: F) -> ApiResult<web::Json<HazardDetail>>
where
    F: FnOnce(&mut crate::db::DbConn, &HazardRow, By<'_>) -> ApiResult<()> + Send + 'static,
{
    let now = state.clock.now();
    let tz = state.config.timezone;
    let today = state.today_at(now);
    let actor = caller.actor();
    let scope = caller.scope;
    let detail = state
        .write(move |conn| {
            let hazard = hazards::get_in(conn, id, &scope)?;
            f(conn, &hazard, By { actor: &actor, at: now, tz })?;
            hazard_detail::load(conn, id, &scope, today)
        })
        .await?;
    Ok(web::Json(detail))
}

/// Record a major hazard's governance plan (治理方案), or replace it with `version`: the five
/// items of 五到位; a plan missing one is kept but counts as not complete.
#[utoipa::path(
    tag = "supervision", operation_id = "put_hazard_plan",
    params(("id" = Id, Path, description = "Hazard id")),
    request_body = PlanRequest,
    responses(
        (status = 200, body = HazardDetail),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a major hazard, closed or voided, a plan without its version, or a stale version", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/hazards/{id}/plan")]
pub async fn put_plan(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<PlanRequest>,
) -> ApiResult<web::Json<HazardDetail>> {
    caller.require(Permission::Supervise)?;
    let req = body.into_inner();
    req.check()?;
    on_hazard(state, caller, id.into_inner(), move |conn, h, by| store::put_plan(conn, h, req, by)).await
}

/// List a major hazard for formal supervision (挂牌督办): one per hazard.
#[utoipa::path(
    tag = "supervision", operation_id = "create_supervision",
    params(("id" = Id, Path, description = "Hazard id")),
    request_body = NewSupervision,
    responses(
        (status = 200, body = HazardDetail),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a major hazard, closed or voided, or already supervised", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hazards/{id}/supervision")]
pub async fn create(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<NewSupervision>,
) -> ApiResult<web::Json<HazardDetail>> {
    caller.require(Permission::Supervise)?;
    let req = body.into_inner();
    validated(&req)?;
    let today = local_date(state.clock.now(), state.config.timezone);
    if req.listed_on > today {
        return Err(ApiError::field("listed_on", "in_future", "listed_on must not be after today"));
    }
    on_hazard(state, caller, id.into_inner(), move |conn, h, by| store::list(conn, h, req, by)).await
}

/// Correct a supervision's level, authority or date (with its `version`).
#[utoipa::path(
    tag = "supervision", operation_id = "correct_supervision",
    params(("id" = Id, Path, description = "Hazard id")),
    request_body = SupervisionPatch,
    responses(
        (status = 200, body = HazardDetail),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such hazard in scope, or it is not supervised", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Lifted already, or a stale version", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/hazards/{id}/supervision")]
pub async fn correct(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<SupervisionPatch>,
) -> ApiResult<web::Json<HazardDetail>> {
    caller.require(Permission::Supervise)?;
    let req = body.into_inner();
    validated(&req)?;
    let today = local_date(state.clock.now(), state.config.timezone);
    if req.listed_on.is_some_and(|d| d > today) {
        return Err(ApiError::field("listed_on", "in_future", "listed_on must not be after today"));
    }
    on_hazard(state, caller, id.into_inner(), move |conn, h, by| store::correct(conn, h, req, by)).await
}

/// Request the lifting of a supervision (摘牌申请), once the hazard is closed.
#[utoipa::path(
    tag = "supervision", operation_id = "request_supervision_lift",
    params(("id" = Id, Path, description = "Hazard id")),
    request_body = SupervisionStep,
    responses(
        (status = 200, body = HazardDetail),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The hazard is not closed, the supervision is not listed, or a stale version", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hazards/{id}/supervision/lift-request")]
pub async fn request_lift(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<SupervisionStep>,
) -> ApiResult<web::Json<HazardDetail>> {
    caller.require(Permission::Supervise)?;
    let req = body.into_inner();
    validated(&req)?;
    let action = SupervisionAction::RequestLift;
    on_hazard(state, caller, id.into_inner(), move |conn, h, by| store::advance(conn, h, action, req, by)).await
}

/// Lift a supervision (摘牌销号): admins, once its lifting was requested.
#[utoipa::path(
    tag = "supervision", operation_id = "lift_supervision",
    params(("id" = Id, Path, description = "Hazard id")),
    request_body = SupervisionStep,
    responses(
        (status = 200, body = HazardDetail),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Its lifting was not requested, or a stale version", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hazards/{id}/supervision/lift")]
pub async fn lift(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<SupervisionStep>,
) -> ApiResult<web::Json<HazardDetail>> {
    caller.require(Permission::LiftSupervision)?;
    let req = body.into_inner();
    validated(&req)?;
    let action = SupervisionAction::Lift;
    on_hazard(state, caller, id.into_inner(), move |conn, h, by| store::advance(conn, h, action, req, by)).await
}
