//! Log in, log out, and who am I.

use std::sync::atomic::Ordering;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{client, store, token};
use crate::domain::access::Caller;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::body::JsonBody;
use crate::http::{AppState, State};
use crate::users::first_admin;
use crate::users::model::{PasswordChange, User};
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
    /// The user must change their password (`POST /auth/password`) before anything else:
    /// until then every other call but `GET /auth/me` and `POST /auth/logout` answers 403
    /// `/problems/password-change-required`.
    pub must_change_password: bool,
    pub user: User,
}

fn bad_credentials() -> ApiError {
    ApiError::Unauthorized("the username or password is wrong".into())
}

/// Checks `password` against the stored hash, or against a dummy hash when there is none
/// to check (an unknown or inactive user), so that every attempt costs one verification
/// whatever the account's state; each is counted in [`AppState::password_checks`].
pub async fn verify_password(state: &AppState, password: String, stored: Option<String>) -> ApiResult<bool> {
    state.password_checks.fetch_add(1, Ordering::Relaxed);
    state
        .hashing(move || match stored {
            Some(hash) => password::verify(&password, &hash),
            None => {
                password::verify_dummy(&password);
                false
            }
        })
        .await
}

/// Counts an attempt for `username` from the request's client before its password is
/// checked (429 when the throttle refuses it), holds the answer as long as the throttle
/// says, and answers the client's address for [`store::give_back`].
pub async fn reserve_attempt(state: &AppState, req: &HttpRequest, username: &str) -> ApiResult<String> {
    let address = client::address_of(req, &state.config.trusted_proxies);
    let policy = state.config.throttle;
    let now = state.clock.now();
    let (name, addr) = (username.to_string(), address.clone());
    match state.write(move |conn| store::reserve(conn, &policy, &name, &addr, now)).await? {
        store::Attempt::Refused(seconds) => {
            state.metrics.login_throttled();
            Err(ApiError::RateLimited(seconds))
        }
        store::Attempt::Reserved(hold) => {
            if !hold.is_zero() {
                actix_web::rt::time::sleep(hold).await;
            }
            Ok(address)
        }
    }
}

/// Exchange a username and password for a bearer token.
///
/// Failed attempts are throttled per (username, client address), per client address and
/// per username; see the README.
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
pub async fn login(state: State, req: HttpRequest, body: JsonBody<Login>) -> ApiResult<web::Json<Session>> {
    let login = body.into_inner();
    let username = login.username.trim().to_lowercase();
    if username.is_empty() || username.chars().count() > 64 || login.password.chars().count() > 1024 {
        return Err(bad_credentials());
    }
    let address = reserve_attempt(&state, &req, &username).await?;
    let name = username.clone();
    let user = state.db(move |conn| user_store::find_by_username(conn, &name)).await?;
    // Verify on the blocking pool, outside any transaction: argon2 is slow on purpose.
    let stored = user.as_ref().filter(|u| u.active).map(|u| u.password_hash.clone());
    let user = match (verify_password(&state, login.password, stored).await?, user) {
        (true, Some(user)) => user,
        // A failure stays counted: the attempt was reserved as one.
        _ => return Err(bad_credentials()),
    };
    let now = state.clock.now();
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
    let policy = state.config.throttle;
    let view = state
        .write(move |conn| {
            // Rows first, the throttle's lock last, as everywhere (no lock-order cycles).
            store::insert_token(conn, &row)?;
            store::give_back(conn, &policy, &username, &address)?;
            user_store::view(conn, user)
        })
        .await?;
    Ok(web::Json(Session { token: secret, expires_at, must_change_password: view.must_change_password, user: view }))
}

/// Change one's own password. Every other token of the user ends; the one this request
/// carries goes on. A wrong `current_password` counts as a failed login.
#[utoipa::path(
    tag = "auth", operation_id = "change_password",
    request_body = PasswordChange,
    responses(
        (status = 200, description = "The account, its password changed", body = User),
        (status = 422, description = "`current_password` is wrong (`wrong_password`), or `new_password` is refused", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts: see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/password")]
pub async fn change_password(
    state: State,
    req: HttpRequest,
    caller: Caller,
    body: JsonBody<PasswordChange>,
) -> ApiResult<web::Json<User>> {
    let change = body.into_inner();
    change.check(&caller.username)?;
    let wrong = || ApiError::field("current_password", "wrong_password", "the current password is wrong");
    if change.current_password.chars().count() > 1024 {
        return Err(wrong());
    }
    let address = reserve_attempt(&state, &req, &caller.username).await?;
    let id = caller.user_id;
    let user = state.db(move |conn| user_store::get(conn, id)).await?;
    if !verify_password(&state, change.current_password, Some(user.password_hash)).await? {
        // The attempt stays counted as a failed login.
        return Err(wrong());
    }
    let new_password = change.new_password;
    let hash = state
        .hashing(move || password::hash(&new_password))
        .await?
        .map_err(|e| ApiError::internal("password hashing failed", e))?;
    let now = state.clock.now();
    let policy = state.config.throttle;
    let (username, token_id, actor) = (caller.username.clone(), caller.token_id, caller.actor());
    let view = state
        .write(move |conn| {
            let view = user_store::change_own_password(conn, id, hash, token_id, now, &actor)?;
            store::give_back(conn, &policy, &username, &address)?;
            Ok(view)
        })
        .await?;
    if view.username == "admin" {
        first_admin::forget(&state.config.data_dir);
    }
    Ok(web::Json(view))
}

/// Revoke the token this request carries.
#[utoipa::path(
    tag = "auth", operation_id = "logout",
    responses((status = 204, description = "The token is revoked; the browser's cache of this site is cleared", headers(
        ("Clear-Site-Data" = String, description = "\"cache\""),
    )))
)]
#[post("/auth/logout")]
pub async fn logout(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    state.write(move |conn| store::revoke(conn, caller.token_id, now)).await?;
    // A shared phone keeps no photos or answers of the one who signed out.
    Ok(HttpResponse::NoContent().insert_header(("Clear-Site-Data", "\"cache\"")).finish())
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
