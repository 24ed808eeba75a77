//! One error type for the whole API, rendered as RFC 9457 problem+json in one place.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::access::Refused;
use crate::domain::actor::NotSignedIn;
use crate::domain::supervision::{NotGovernable, SupervisionRefusal};
use crate::domain::transition::{Illegal, LifeCycle};
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
    #[error("change your password first (POST /api/v1/auth/password)")]
    PasswordChangeRequired,
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the file has more than {0} rows")]
    TooManyRows(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("too many attempts; retry after {0} seconds")]
    RateLimited(u64),
    #[error("the service is unavailable: {0}")]
    Unavailable(String),
    /// Unavailable for now: the client may retry after this many seconds.
    #[error("{detail}")]
    RetryLater { detail: String, retry_after: u64 },
    #[error("today's upload quota of {quota} bytes is used up; retry after {retry_after} seconds (local midnight)")]
    QuotaExceeded { quota: u64, retry_after: u64 },
    #[error("the request body stopped arriving; send it again")]
    RequestTimeout,
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
            ApiError::PasswordChangeRequired => ("password-change-required", "Password change required"),
            ApiError::PayloadTooLarge(_) | ApiError::TooManyRows(_) => ("payload-too-large", "Payload too large"),
            ApiError::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            ApiError::MethodNotAllowed(_) => ("method-not-allowed", "Method not allowed"),
            ApiError::RateLimited(_) => ("rate-limited", "Too many requests"),
            ApiError::Unavailable(_) | ApiError::RetryLater { .. } => ("unavailable", "Service unavailable"),
            ApiError::QuotaExceeded { .. } => ("upload-quota", "Upload quota exceeded"),
            ApiError::RequestTimeout => ("request-timeout", "Request timeout"),
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
            ApiError::Forbidden(_) | ApiError::PasswordChangeRequired => StatusCode::FORBIDDEN,
            ApiError::PayloadTooLarge(_) | ApiError::TooManyRows(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) | ApiError::RetryLater { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::QuotaExceeded { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        builder.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            ApiError::RateLimited(secs)
            | ApiError::RetryLater { retry_after: secs, .. }
            | ApiError::QuotaExceeded { retry_after: secs, .. } => {
                builder.insert_header((header::RETRY_AFTER, secs.to_string()));
            }
            ApiError::RequestTimeout => {
                // The rest of the body is not worth waiting for: close the connection.
                builder.force_close();
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

impl From<crate::db::deadline::TimedOut> for ApiError {
    fn from(crate::db::deadline::TimedOut(limit): crate::db::deadline::TimedOut) -> Self {
        tracing::warn!(limit_ms = limit.as_millis() as u64, "a report ran past its time limit");
        ApiError::RetryLater {
            detail: format!(
                "the report took longer than {} seconds (SAFETRACE_REPORT_TIMEOUT_SECONDS); retry later or narrow it",
                limit.as_secs_f64()
            ),
            retry_after: RETRY_REPORT_AFTER,
        }
    }
}

/// Seconds a client waits before asking again for a report that ran out of time.
const RETRY_REPORT_AFTER: u64 = 30;

impl From<Invalid> for ApiError {
    fn from(Invalid(errors): Invalid) -> Self {
        ApiError::Validation(errors)
    }
}

impl From<Refused> for ApiError {
    fn from(Refused(detail): Refused) -> Self {
        ApiError::Forbidden(detail)
    }
}

impl From<NotSignedIn> for ApiError {
    fn from(_: NotSignedIn) -> Self {
        ApiError::Forbidden("only a signed-in user may do this".to_string())
    }
}

impl<L: LifeCycle> From<Illegal<L>> for ApiError {
    fn from(i: Illegal<L>) -> Self {
        ApiError::IllegalTransition {
            detail: i.to_string(),
            current_state: i.current.to_string(),
            allowed_actions: i.allowed_names().into_iter().map(String::from).collect(),
        }
    }
}

impl From<SupervisionRefusal> for ApiError {
    fn from(r: SupervisionRefusal) -> Self {
        match r {
            SupervisionRefusal::Illegal(i) => i.into(),
            SupervisionRefusal::HazardNotClosed(status) => ApiError::IllegalTransition {
                detail: format!(
                    "`request_lift` is not allowed: the hazard is {status}; lifting may be requested once it is closed"
                ),
                current_state: "listed".to_string(),
                allowed_actions: vec!["correct".to_string()],
            },
        }
    }
}

impl From<NotGovernable> for ApiError {
    fn from(r: NotGovernable) -> Self {
        match r {
            NotGovernable::NotMajor => {
                ApiError::Conflict("only a major hazard has a governance plan and a formal supervision".to_string())
            }
            NotGovernable::Resolved(status) => ApiError::IllegalTransition {
                detail: format!(
                    "the hazard is {status}: a plan or a supervision is recorded only while it is open or pending verification"
                ),
                current_state: status.to_string(),
                allowed_actions: Vec::new(),
            },
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;
    use serde_json::{json, Value};

    use super::*;
    use crate::domain::lifecycle::{self, Action};
    use crate::domain::HazardStatus;

    #[test]
    fn every_problem_type_is_in_the_list() {
        let all = [
            ApiError::Validation(vec![]),
            ApiError::BadRequest(String::new()),
            ApiError::NotFound(String::new()),
            ApiError::Conflict(String::new()),
            ApiError::StaleVersion(1),
            ApiError::IllegalTransition {
                detail: String::new(),
                current_state: String::new(),
                allowed_actions: vec![],
            },
            ApiError::Unauthorized(String::new()),
            ApiError::Forbidden(String::new()),
            ApiError::PasswordChangeRequired,
            ApiError::PayloadTooLarge(1),
            ApiError::TooManyRows(1),
            ApiError::UnsupportedMediaType(String::new()),
            ApiError::MethodNotAllowed(String::new()),
            ApiError::RateLimited(1),
            ApiError::QuotaExceeded { quota: 1, retry_after: 1 },
            ApiError::RequestTimeout,
            ApiError::Unavailable(String::new()),
            ApiError::Internal(String::new()),
        ];
        for err in all {
            let (slug, _) = err.slug_and_title();
            let status = err.status_code().as_u16();
            assert!(
                crate::domain::problems::PROBLEM_TYPES.iter().any(|(s, st, _)| *s == slug && *st == status),
                "{slug} ({status}) is in domain::problems::PROBLEM_TYPES"
            );
        }
    }

    fn body_of(err: &ApiError) -> (StatusCode, Option<String>, Value) {
        let res = err.error_response();
        let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(String::from);
        let status = res.status();
        let bytes = res.into_body().try_into_bytes().unwrap_or_default();
        (status, content_type, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    #[test]
    fn a_validation_problem_names_each_field_and_reason() {
        let err = ApiError::Validation(vec![
            FieldError::new("hazards[2].deadline", "required", "a deadline hazard needs a deadline"),
            FieldError::new("unit_id", "not_found", "no unit has this id"),
        ]);
        let (status, content_type, body) = body_of(&err);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(content_type.as_deref(), Some("application/problem+json"));
        assert_eq!(
            body,
            json!({
                "type": "/problems/validation", "title": "Invalid input", "status": 422,
                "detail": "2 fields are invalid",
                "errors": [
                    {"field": "hazards[2].deadline", "code": "required", "message": "a deadline hazard needs a deadline"},
                    {"field": "unit_id", "code": "not_found", "message": "no unit has this id"},
                ],
            })
        );
        let one = body_of(&ApiError::field("reason", "required", "must not be blank")).2;
        assert_eq!(one["detail"], "reason: must not be blank");
    }

    #[test]
    fn an_illegal_transition_says_the_state_and_what_is_allowed() {
        let err: ApiError = lifecycle::apply(HazardStatus::Closed, Action::Void).unwrap_err().into();
        let (status, _, body) = body_of(&err);
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["type"], "/problems/illegal-transition");
        assert_eq!(body["current_state"], "closed");
        assert_eq!(body["allowed_actions"], json!([]));
        assert!(body.get("errors").is_none());
    }

    #[test]
    fn rate_limits_say_when_to_retry_and_internal_errors_say_nothing_inside() {
        let res = ApiError::RateLimited(42).error_response();
        assert_eq!(res.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("42"));
        let (status, _, body) = body_of(&ApiError::Internal("SELECT secret FROM users".into()));
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["detail"], "the server could not complete the request");
        assert!(!body.to_string().contains("SELECT"));
    }
}
