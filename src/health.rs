//! Liveness and readiness probes (no authentication).

use actix_web::{get, HttpResponse};
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::error::{ApiError, ApiResult, Problem};
use crate::http::State;

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is up")))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database answers.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "The database answers"),
        (status = 503, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: State) -> ApiResult<HttpResponse> {
    state.db(|conn| conn.batch_execute("SELECT 1").map_err(|e| ApiError::Unavailable(e.to_string()))).await.map_err(
        |e| match e {
            ApiError::Unavailable(m) => ApiError::Unavailable(m),
            other => ApiError::Unavailable(other.to_string()),
        },
    )?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}
