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
    // What the driver says (addresses, user names) goes to the log, not to the prober.
    let checked = state
        .db(|conn| {
            conn.batch_execute("SELECT 1").map_err(|e| {
                tracing::error!(error = %e, "readiness: the database does not answer");
                ApiError::Unavailable(UNREACHABLE.to_string())
            })
        })
        .await;
    if let Err(e) = checked {
        if !matches!(&e, ApiError::Unavailable(m) if m == UNREACHABLE) {
            tracing::error!(error = %e, "readiness: the database does not answer");
        }
        return Err(ApiError::RetryLater { detail: UNREACHABLE.to_string(), retry_after: 5 });
    }
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}

/// The whole detail of a failed readiness probe.
const UNREACHABLE: &str = "database unreachable";
