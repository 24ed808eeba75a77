//! HTTP surface of enforcement actions.

use actix_web::{get, post, web, HttpResponse};

use super::model::{EnforcementAction, EnforcementFilter, NewEnforcementAction};
use super::store::{self, By};
use crate::domain::access::Caller;
use crate::domain::access::Permission;
use crate::domain::time::local_date;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::body::JsonBody;
use crate::http::idempotent;
use crate::http::page::{Page, PageRequest};
use crate::http::query::QueryParams;
use crate::http::State;

/// Record a joint enforcement action with its outcomes, in one transaction: a suspension
/// or closure changes the unit's status. Idempotent on `id`.
#[utoipa::path(
    tag = "enforcement", operation_id = "create_enforcement_action",
    request_body = NewEnforcementAction,
    responses(
        (status = 201, description = "Stored", body = EnforcementAction),
        (status = 200, description = "The same action was stored before", body = EnforcementAction),
        (status = 409, description = "The id was used for a different action, or a unit changed concurrently", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/enforcement-actions")]
pub async fn create(state: State, caller: Caller, body: JsonBody<NewEnforcementAction>) -> ApiResult<HttpResponse> {
    caller.require(Permission::RecordEnforcement)?;
    let req = body.into_inner();
    let now = state.clock.now();
    req.check(local_date(now, state.config.timezone))?;
    let hash = req.canonical_hash();
    let client_id = req.id;
    let submitted = {
        let (hash, scope, actor) = (hash.clone(), caller.scope.clone(), caller.actor());
        state.write(move |conn| store::submit(conn, req, hash, now, By { scope: &scope, actor: &actor })).await
    };
    // An identical request that committed first makes this one fail on the id, or on a
    // unit the other one has just closed.
    let lost_race = |e: &ApiError| {
        matches!(e, ApiError::Conflict(_) | ApiError::Validation(_) | ApiError::IllegalTransition { .. })
    };
    let replay = |id| state.db(move |conn| store::replay(conn, id, &hash, &caller.scope));
    Ok(idempotent::respond(idempotent::settle(submitted, client_id, lost_race, replay).await?))
}

/// Actions in scope, newest `held_on` first, each with its outcomes in scope.
#[utoipa::path(
    tag = "enforcement", operation_id = "list_enforcement_actions",
    params(EnforcementFilter),
    responses(
        (status = 200, body = Page<EnforcementAction>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/enforcement-actions")]
pub async fn list(
    state: State,
    caller: Caller,
    query: QueryParams<EnforcementFilter>,
) -> ApiResult<web::Json<Page<EnforcementAction>>> {
    let filter = query.0;
    let page = PageRequest::new(filter.limit, filter.cursor.as_deref())?;
    let rows = state.db(move |conn| store::list(conn, &filter, &caller.scope, &page)).await?;
    Ok(web::Json(page.finish(rows, store::day_cursor, |a| a)))
}

#[utoipa::path(
    tag = "enforcement", operation_id = "get_enforcement_action",
    params(("id" = Id, Path, description = "Enforcement action id")),
    responses(
        (status = 200, body = EnforcementAction),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/enforcement-actions/{id}")]
pub async fn get_one(state: State, caller: Caller, id: web::Path<Id>) -> ApiResult<web::Json<EnforcementAction>> {
    let id = id.into_inner();
    Ok(web::Json(state.db(move |conn| store::get_in(conn, id, &caller.scope)).await?))
}
