//! One error type for the whole API, rendered as RFC 9457 problem+json in one place.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::lifecycle::Illegal;
pub use crate::domain::validate::FieldError;
use crate::domain::validate::Invalid;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `/problems/<slug>`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// For an illegal transition: the record's current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// For an illegal transition: the actions allowed from the current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
    /// `urn:safetrace:request:<id>`: the request's id, as in its `X-Request-Id` answer
    /// header and in every log line of the request. Set on every problem the API answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "urn:safetrace:request:0192f0c1d2e37a4b8c9d0e1f2a3b4c5d")]
    pub instance: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request is invalid")]
    Validation(Vec<FieldError>),
    #[error("the request is not readable: {0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the record was changed since version {0} was read")]
    StaleVersion(i32),
    #[error("{detail}")]
    IllegalTransition { detail: String, current_state: String, allowed_actions: Vec<String> },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("too many attempts; retry after {0} seconds")]
    RateLimited(u64),
    #[error("the service is unavailable: {0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn field(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!("{what} not found"))
    }

    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "{context}");
        ApiError::Internal(context.to_string())
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::Validation(_) => ("validation", "Invalid input"),
            ApiError::BadRequest(_) => ("bad-request", "Unreadable request"),
            ApiError::NotFound(_) => ("not-found", "Not found"),
            ApiError::Conflict(_) => ("conflict", "Conflict"),
            ApiError::StaleVersion(_) => ("stale-version", "Stale version"),
            ApiError::IllegalTransition { .. } => ("illegal-transition", "Illegal transition"),
            ApiError::Unauthorized(_) => ("unauthorized", "Unauthorized"),
            ApiError::Forbidden(_) => ("forbidden", "Forbidden"),
            ApiError::PayloadTooLarge(_) => ("payload-too-large", "Payload too large"),
            ApiError::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            ApiError::MethodNotAllowed(_) => ("method-not-allowed", "Method not allowed"),
            ApiError::RateLimited(_) => ("rate-limited", "Too many requests"),
            ApiError::Unavailable(_) => ("unavailable", "Service unavailable"),
            ApiError::Internal(_) => ("internal", "Internal error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (slug, title) = self.slug_and_title();
        let detail = match self {
            ApiError::Validation(errors) => match errors.as_slice() {
                [one] => format!("{}: {}", one.field, one.message),
                many => format!("{} fields are invalid", many.len()),
            },
            ApiError::Internal(_) => "the server could not complete the request".to_string(),
            other => other.to_string(),
        };
        let (current_state, allowed_actions) = match self {
            ApiError::IllegalTransition { current_state, allowed_actions, .. } => {
                (Some(current_state.clone()), Some(allowed_actions.clone()))
            }
            _ => (None, None),
        };
        Problem {
            type_: format!("/problems/{slug}"),
            title: title.to_string(),
            status: self.status_code().as_u16(),
            detail,
            errors: match self {
                ApiError::Validation(errors) => Some(errors.clone()),
                _ => None,
            },
            current_state,
            allowed_actions,
            instance: None,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) | ApiError::StaleVersion(_) | ApiError::IllegalTransition { .. } => {
                StatusCode::CONFLICT
            }
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        builder.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            ApiError::RateLimited(secs) => {
                builder.insert_header((header::RETRY_AFTER, secs.to_string()));
            }
            ApiError::Unauthorized(_) => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        let body = serde_json::to_string(&self.problem()).unwrap_or_else(|_| "{}".to_string());
        builder.body(body)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            Error::NotFound => ApiError::NotFound("record not found".to_string()),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::debug!(message = info.message(), "unique violation");
                ApiError::Conflict("a record with this identity already exists".to_string())
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                tracing::debug!(message = info.message(), "foreign key violation");
                ApiError::field("", "not_found", "a referenced record does not exist")
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::Conflict("the record was changed concurrently; retry".to_string())
            }
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => {
                // The database restarted or the network dropped: the pool discards this
                // connection (see `AppState::db`) and the client may simply retry.
                tracing::warn!(message = info.message(), "database connection lost");
                ApiError::Unavailable("the database connection was lost; retry the request".to_string())
            }
            other => ApiError::internal("database error", other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        tracing::error!(error = %err, "no database connection");
        ApiError::Unavailable("no database connection available".to_string())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        ApiError::internal("blocking task failed", err)
    }
}

impl From<Invalid> for ApiError {
    fn from(Invalid(errors): Invalid) -> Self {
        ApiError::Validation(errors)
    }
}

impl From<Illegal> for ApiError {
    fn from(i: Illegal) -> Self {
        let allowed: Vec<String> = i.allowed.iter().map(|a| a.as_str().to_string()).collect();
        let detail = if allowed.is_empty() {
            format!("`{}` is not allowed: the hazard is {} and allows no further action", i.action.as_str(), i.current)
        } else {
            format!(
                "`{}` is not allowed: the hazard is {}; allowed: {}",
                i.action.as_str(),
                i.current,
                allowed.join(", ")
            )
        };
        ApiError::IllegalTransition { detail, current_state: i.current.to_string(), allowed_actions: allowed }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
