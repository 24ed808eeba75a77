//! How a request's [`Caller`] is found: its bearer token, looked up with its user and
//! that user's scope.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::{header, Method};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use super::{store, token};
use crate::domain::access::Caller;
use crate::error::ApiError;
use crate::http::AppState;
use crate::users::store as user_store;

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string()).filter(|t| !t.is_empty())
}

/// What a user who must change their password may still do: see who they are, change
/// it, log out.
const WHILE_PASSWORD_CHANGE_REQUIRED: [(Method, &str); 3] =
    [(Method::GET, "/api/v1/auth/me"), (Method::POST, "/api/v1/auth/password"), (Method::POST, "/api/v1/auth/logout")];

fn allowed_before_password_change(req: &HttpRequest) -> bool {
    WHILE_PASSWORD_CHANGE_REQUIRED.iter().any(|(method, path)| req.method() == method && req.path() == *path)
}

impl FromRequest for Caller {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let presented = bearer(req);
        let change_first = !allowed_before_password_change(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("no application state".into()))?;
            let presented = presented.ok_or_else(|| ApiError::Unauthorized("a bearer token is required".into()))?;
            let now = state.clock.now();
            let digest = token::digest(&presented);
            let caller = state
                .db(move |conn| {
                    let invalid = || ApiError::Unauthorized("the token is invalid, expired or revoked".into());
                    let (tok, user) = store::lookup(conn, &digest)?.ok_or_else(invalid)?;
                    if tok.revoked_at.is_some() || tok.expires_at <= now || !user.active {
                        return Err(invalid());
                    }
                    if user.must_change_password && change_first {
                        return Err(ApiError::PasswordChangeRequired);
                    }
                    store::touch(conn, &tok, now)?;
                    let scope = user_store::scope_of(conn, &user)?;
                    Ok(Caller {
                        user_id: user.id,
                        name: user.shown_name(),
                        username: user.username,
                        role: user.role,
                        scope,
                        token_id: tok.id,
                    })
                })
                .await?;
            Ok(caller)
        })
    }
}
