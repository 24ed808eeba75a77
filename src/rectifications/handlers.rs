//! HTTP surface of rectifications and their verification.

use actix_web::{post, web, HttpResponse};

use super::model::{NewRectification, Rectification, Verification};
use super::store::{self, By};
use crate::domain::access::Caller;
use crate::domain::access::Permission;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::body::JsonBody;
use crate::http::idempotent;
use crate::http::State;
use crate::views::hazard_detail::{self, HazardDetail};

/// Record what the unit did; the hazard moves to `pending_verification`. Idempotent on `id`.
#[utoipa::path(
    tag = "rectifications", operation_id = "submit_rectification",
    params(("id" = Id, Path, description = "Hazard id")),
    request_body = NewRectification,
    responses(
        (status = 201, description = "Stored", body = Rectification),
        (status = 200, description = "The same rectification was stored before", body = Rectification),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the hazard's state, or the id was used for another request", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hazards/{id}/rectifications")]
pub async fn submit(
    state: State,
    caller: Caller,
    hazard_id: web::Path<Id>,
    body: JsonBody<NewRectification>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::Record)?;
    let (hazard_id, req) = (hazard_id.into_inner(), body.into_inner());
    let now = state.clock.now();
    let tz = state.config.timezone;
    req.check(now, state.config.clock_skew_seconds, state.config.require_evidence)?;
    let hash = req.canonical_hash(hazard_id);
    let client_id = req.id;
    let submitted = {
        let (hash, scope, actor) = (hash.clone(), caller.scope.clone(), caller.actor());
        state
            .write(move |conn| store::submit(conn, hazard_id, req, hash, now, tz, By { scope: &scope, actor: &actor }))
            .await
    };
    // An identical request that committed first makes this one fail on the id, or on
    // the hazard it has just moved on.
    let lost_race = |e: &ApiError| matches!(e, ApiError::Conflict(_) | ApiError::IllegalTransition { .. });
    let replay = |id| state.db(move |conn| store::replay(conn, id, &hash, &caller.scope));
    Ok(idempotent::respond(idempotent::settle(submitted, client_id, lost_race, replay).await?))
}

/// Pass (the hazard closes) or reject with a comment (the hazard reopens).
#[utoipa::path(
    tag = "rectifications", operation_id = "verify_rectification",
    params(("id" = Id, Path, description = "Rectification id")),
    request_body = Verification,
    responses(
        (status = 200, description = "The hazard with its rectifications and history", body = HazardDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already verified, or the caller submitted it (see SAFETRACE_ALLOW_SELF_VERIFICATION)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/rectifications/{id}/verification")]
pub async fn verify(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<Verification>,
) -> ApiResult<web::Json<HazardDetail>> {
    caller.require(Permission::Supervise)?;
    let (id, req) = (id.into_inner(), body.into_inner());
    req.check()?;
    let now = state.clock.now();
    let tz = state.config.timezone;
    let today = state.today_at(now);
    let self_verification = state.config.allow_self_verification;
    let detail = state
        .write(move |conn| {
            let by = By { scope: &caller.scope, actor: &caller.actor() };
            let hazard_id = store::verify(conn, id, req, now, tz, by, self_verification)?;
            hazard_detail::load(conn, hazard_id, &caller.scope, today)
        })
        .await?;
    Ok(web::Json(detail))
}
