//! HTTP surface of users (admins only).

use actix_web::{get, patch, post, web, HttpResponse};

use super::model::{Deactivation, NewUser, User, UserFilter, UserPatch};
use super::store;
use crate::domain::access::Caller;
use crate::domain::access::Permission;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::body::JsonBody;
use crate::http::page::{Cursor, Page, PageRequest};
use crate::http::query::QueryParams;
use crate::http::State;
use crate::users::{first_admin, password};

async fn hash(state: &State, password: String) -> ApiResult<String> {
    state
        .hashing(move || password::hash(&password))
        .await?
        .map_err(|e| ApiError::internal("password hashing failed", e))
}

#[utoipa::path(
    tag = "users", operation_id = "create_user",
    request_body = NewUser,
    responses(
        (status = 201, body = User),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create(state: State, caller: Caller, body: JsonBody<NewUser>) -> ApiResult<HttpResponse> {
    caller.require(Permission::ManageUsers)?;
    let req = body.into_inner();
    req.check()?;
    let hashed = hash(&state, req.password.clone()).await?;
    let now = state.clock.now();
    let actor = caller.actor();
    let user = state.write(move |conn| store::create(conn, req, hashed, now, &actor)).await?;
    Ok(HttpResponse::Created().json(user))
}

#[utoipa::path(
    tag = "users", operation_id = "list_users",
    params(UserFilter),
    responses(
        (status = 200, body = Page<User>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list(state: State, caller: Caller, query: QueryParams<UserFilter>) -> ApiResult<web::Json<Page<User>>> {
    caller.require(Permission::ManageUsers)?;
    let filter = query.0;
    let page = PageRequest::new(filter.limit, filter.cursor.as_deref())?;
    let rows = state.db(move |conn| store::list(conn, &filter, &page)).await?;
    Ok(web::Json(page.finish(rows, |r| Cursor { at: r.created_at, id: r.id }, |r| r)))
}

#[utoipa::path(
    tag = "users", operation_id = "get_user",
    params(("id" = Id, Path, description = "User id")),
    responses(
        (status = 200, body = User),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}")]
pub async fn get_one(state: State, caller: Caller, id: web::Path<Id>) -> ApiResult<web::Json<User>> {
    caller.require(Permission::ManageUsers)?;
    let id = id.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| {
                let row = store::get(conn, id)?;
                store::view(conn, row)
            })
            .await?,
    ))
}

#[utoipa::path(
    tag = "users", operation_id = "update_user",
    params(("id" = Id, Path, description = "User id")),
    request_body = UserPatch,
    responses(
        (status = 200, body = User),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A stale version, or the change would leave no active admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<UserPatch>,
) -> ApiResult<web::Json<User>> {
    caller.require(Permission::ManageUsers)?;
    let (id, patch) = (id.into_inner(), body.into_inner());
    let current = state.db(move |conn| store::get(conn, id)).await?;
    patch.check(&current.username)?;
    let hashed = match &patch.password {
        Some(pw) => Some(hash(&state, pw.clone()).await?),
        None => None,
    };
    let now = state.clock.now();
    let actor = caller.actor();
    let new_password = hashed.is_some();
    let user = state.write(move |conn| store::update(conn, id, patch, hashed, now, &actor)).await?;
    if new_password && user.username == "admin" {
        first_admin::forget(&state.config.data_dir);
    }
    Ok(web::Json(user))
}

/// Deactivate a user: they can no longer log in and their tokens stop working at once.
#[utoipa::path(
    tag = "users", operation_id = "deactivate_user",
    params(("id" = Id, Path, description = "User id")),
    request_body = Deactivation,
    responses(
        (status = 200, body = User),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The user is the last active admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/deactivate")]
pub async fn deactivate(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<Deactivation>,
) -> ApiResult<web::Json<User>> {
    caller.require(Permission::ManageUsers)?;
    let (id, req) = (id.into_inner(), body.into_inner());
    validator::Validate::validate(&req).map_err(|e| {
        let mut p = crate::domain::validate::Problems::new();
        p.extend_validator("", Err(e));
        p.into_result().err().map_or(ApiError::BadRequest("invalid".into()), ApiError::from)
    })?;
    let now = state.clock.now();
    let actor = caller.actor();
    Ok(web::Json(state.write(move |conn| store::deactivate(conn, id, req.reason, now, &actor)).await?))
}

/// Revoke every token of a user (a lost phone), without deactivating them.
#[utoipa::path(
    tag = "users", operation_id = "revoke_user_tokens",
    params(("id" = Id, Path, description = "User id")),
    responses(
        (status = 204, description = "Every token of the user is revoked"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/revoke-tokens")]
pub async fn revoke_tokens(state: State, caller: Caller, id: web::Path<Id>) -> ApiResult<HttpResponse> {
    caller.require(Permission::ManageUsers)?;
    let id = id.into_inner();
    let now = state.clock.now();
    let actor = caller.actor();
    state
        .write(move |conn| {
            store::get(conn, id)?;
            let n = store::revoke_tokens(conn, id, now)?;
            store::record_event(conn, id, now, &actor, "tokens_revoked", Some(serde_json::json!({"count": n})))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Clear the failed-login counts of a user's username from every address, so that a
/// locked-out user can log in at once.
#[utoipa::path(
    tag = "users", operation_id = "unlock_user",
    params(("id" = Id, Path, description = "User id")),
    responses(
        (status = 204, description = "The username's failed-login counts are cleared"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/unlock")]
pub async fn unlock(state: State, caller: Caller, id: web::Path<Id>) -> ApiResult<HttpResponse> {
    caller.require(Permission::ManageUsers)?;
    let id = id.into_inner();
    let now = state.clock.now();
    let actor = caller.actor();
    state
        .write(move |conn| {
            let user = store::get(conn, id)?;
            store::record_event(conn, id, now, &actor, "unlocked", None)?;
            store::clear_login_failures(conn, &user.username).map(|_| ())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
