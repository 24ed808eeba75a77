//! Log in, log out, and who am I.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{store, token};
use crate::domain::access::Caller;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::body::JsonBody;
use crate::http::State;
use crate::users::model::User;
use crate::users::password;
use crate::users::store as user_store;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Session {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: Moment,
    pub user: User,
}

fn bad_credentials() -> ApiError {
    ApiError::Unauthorized("the username or password is wrong".into())
}

/// Exchange a username and password for a bearer token.
#[utoipa::path(
    tag = "auth", operation_id = "login",
    request_body = Login,
    security(()),
    responses(
        (status = 200, body = Session),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts: see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/login")]
pub async fn login(state: State, body: JsonBody<Login>) -> ApiResult<web::Json<Session>> {
    let req = body.into_inner();
    let username = req.username.trim().to_lowercase();
    if username.is_empty() || username.chars().count() > 64 || req.password.chars().count() > 1024 {
        return Err(bad_credentials());
    }
    let now = state.clock.now();
    let policy = state.config.throttle;
    let name = username.clone();
    let (failures, user) =
        state.db(move |conn| Ok((store::failures(conn, &name)?, user_store::find_by_username(conn, &name)?))).await?;
    if let Err(secs) = policy.check(failures.as_ref(), now) {
        state.metrics.login_throttled();
        return Err(ApiError::RateLimited(secs));
    }
    // Verify on the blocking pool, outside any transaction: argon2 is slow on purpose.
    let pw = req.password;
    let user = state
        .hashing(move || match user {
            Some(u) if u.active && password::verify(&pw, &u.password_hash) => Some(u),
            Some(u) => {
                let _ = u;
                None
            }
            None => {
                password::verify_dummy(&pw);
                None
            }
        })
        .await?;
    let Some(user) = user else {
        let name = username.clone();
        state
            .write(move |conn| {
                let current = store::failures(conn, &name)?;
                store::save_failures(conn, &name, &policy.after_failure(current.as_ref(), now))
            })
            .await?;
        return Err(bad_credentials());
    };
    let ttl = chrono::Duration::hours(state.config.token_ttl_hours);
    let secret = token::generate();
    let row = store::TokenRow {
        id: Id::new_v7(),
        user_id: user.id,
        token_hash: token::digest(&secret),
        created_at: now,
        expires_at: Moment(now.0 + ttl),
        last_used_at: now,
        revoked_at: None,
    };
    let expires_at = row.expires_at;
    let view = state
        .write(move |conn| {
            store::clear_failures(conn, &username)?;
            store::insert_token(conn, &row)?;
            user_store::view(conn, user)
        })
        .await?;
    Ok(web::Json(Session { token: secret, expires_at, user: view }))
}

/// Revoke the token this request carries.
#[utoipa::path(
    tag = "auth", operation_id = "logout",
    responses((status = 204, description = "The token is revoked"))
)]
#[post("/auth/logout")]
pub async fn logout(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    state.write(move |conn| store::revoke(conn, caller.token_id, now)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's own account.
#[utoipa::path(
    tag = "auth", operation_id = "me",
    responses((status = 200, body = User))
)]
#[get("/auth/me")]
pub async fn me(state: State, caller: Caller) -> ApiResult<web::Json<User>> {
    let id = caller.user_id;
    Ok(web::Json(
        state
            .db(move |conn| {
                let row = user_store::get(conn, id)?;
                user_store::view(conn, row)
            })
            .await?,
    ))
}
