//! HTTP plumbing shared by every resource: state, body and query extractors, pagination.

pub mod body;
pub mod download;
pub mod headers;
pub mod idempotent;
pub mod multipart;
pub mod paced;
pub mod page;
pub mod query;

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use actix_web::web;

use crate::clock::Clock;
use crate::config::AppConfig;
use crate::db::{DbConn, DbPool};
use crate::error::{ApiError, ApiResult};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<AppConfig>,
    pub clock: Arc<dyn Clock>,
    /// Permits to build a monthly report or an export, or to read and check an import.
    pub report_builds: Arc<tokio::sync::Semaphore>,
    /// Permits to compute a summary.
    pub summaries: Arc<tokio::sync::Semaphore>,
    /// Permits to hash or verify a password: one per core.
    pub password_hashing: Arc<tokio::sync::Semaphore>,
    /// This app's Prometheus metrics (served on `SAFETRACE_METRICS_BIND`).
    pub metrics: crate::ops::metrics::Metrics,
    /// Password verifications run so far (real or against the dummy hash), so tests can
    /// see that every login attempt costs exactly one, whatever the account's state.
    pub password_checks: Arc<AtomicU64>,
}

impl AppState {
    pub fn new(pool: DbPool, config: AppConfig, clock: Arc<dyn Clock>) -> Self {
        let report_builds = Arc::new(tokio::sync::Semaphore::new(config.report_concurrency.max(1)));
        let summaries = Arc::new(tokio::sync::Semaphore::new(config.summary_concurrency.max(1)));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let password_hashing = Arc::new(tokio::sync::Semaphore::new(cores));
        let metrics = crate::ops::metrics::Metrics::new();
        let password_checks = Arc::new(AtomicU64::new(0));
        AppState {
            pool,
            config: Arc::new(config),
            clock,
            report_builds,
            summaries,
            password_hashing,
            metrics,
            password_checks,
        }
    }

    /// The office's date now, with the deadline ladder.
    pub fn today(&self) -> crate::domain::hazard::Today {
        self.today_at(self.clock.now())
    }

    /// The office's date at `now`, with the deadline ladder.
    pub fn today_at(&self, now: crate::domain::Moment) -> crate::domain::hazard::Today {
        let date = crate::domain::time::local_date(now, self.config.timezone);
        crate::domain::hazard::Today { date, ladder: self.config.ladder }
    }

    /// Runs `f` with a pooled connection on the blocking pool, never on an async worker.
    ///
    /// Connections are not pinged when taken from the pool (that would be one more round
    /// trip per request); a connection found lost (503) is marked broken here, so the
    /// pool drops it instead of handing it out again.
    pub async fn db<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConn) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let metrics = self.metrics.clone();
        // The request's log span (its id) follows the work onto the blocking thread.
        let span = tracing::Span::current();
        web::block(move || {
            let _entered = span.enter();
            let queued = pool.state().idle_connections == 0;
            let asked = std::time::Instant::now();
            let mut conn = pool.get()?;
            metrics.pool_checkout(asked.elapsed(), queued);
            let result = f(&mut conn);
            if matches!(result, Err(ApiError::Unavailable(_))) {
                crate::db::discard(&mut conn);
            }
            result
        })
        .await?
    }

    /// Runs password hashing or verification on the blocking pool, at most one per core
    /// at a time: argon2 takes 19 MiB and tens of milliseconds each, on purpose, so a
    /// burst of logins must queue rather than take memory in proportion to its size.
    pub async fn hashing<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let _permit =
            self.password_hashing.acquire().await.map_err(|e| ApiError::internal("the hashing queue is closed", e))?;
        let span = tracing::Span::current();
        Ok(web::block(move || span.in_scope(f)).await?)
    }

    /// Like [`AppState::db`], inside one write transaction.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConn) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.db(move |conn| conn.write(f)).await
    }
}

pub type State = web::Data<AppState>;

/// Maps a failed path extraction (an id that is not a UUID) to a 404.
pub fn path_error(err: actix_web::error::PathError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    tracing::debug!(error = %err, "unreadable path");
    ApiError::NotFound("no such record".to_string()).into()
}

/// Any request no route matches.
/// A path the API serves with another method answers 405 with `Allow`; others 404.
pub async fn no_route(req: actix_web::HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    let allowed = req
        .app_data::<web::Data<utoipa::openapi::OpenApi>>()
        .map(|doc| crate::openapi::methods_for(doc, req.path()))
        .unwrap_or_default();
    if allowed.is_empty() {
        return Err(ApiError::NotFound(format!("no route for {} {}", req.method(), req.path())));
    }
    let err = ApiError::MethodNotAllowed(format!("{} is not allowed on {}", req.method(), req.path()));
    let mut res = actix_web::ResponseError::error_response(&err);
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allowed.join(", ")) {
        res.headers_mut().insert(actix_web::http::header::ALLOW, v);
    }
    Ok(res)
}

/// Turns error responses that actix produced itself (405, 404 without a body, a failed
/// extractor we did not wrap) into problem+json, so no client sees a plain-text error.
pub fn problem_for_plain_errors<B: actix_web::body::MessageBody + 'static>(
    res: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    use actix_web::http::{header, StatusCode};
    use actix_web::middleware::ErrorHandlerResponse;
    use actix_web::ResponseError;

    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let err = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            ApiError::MethodNotAllowed(format!("{} is not allowed on {}", res.request().method(), res.request().path()))
        }
        StatusCode::NOT_FOUND => ApiError::NotFound(format!("no route for {}", res.request().path())),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(0),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType("unsupported content type".into()),
        s if s.is_server_error() => ApiError::Internal("unexpected error".into()),
        _ => ApiError::BadRequest(status.canonical_reason().unwrap_or("bad request").to_string()),
    };
    let (req, _) = res.into_parts();
    let mut response = err.error_response();
    *response.status_mut() = status;
    Ok(ErrorHandlerResponse::Response(actix_web::dev::ServiceResponse::new(req, response).map_into_right_body()))
}
