//! Every request's id, log span, access line and metrics.
//!
//! The id is the client's `X-Request-Id` when it is 1–64 of `A-Z a-z 0-9 . _ -`, otherwise
//! a new one; it is returned as `X-Request-Id`, is a field of the request's log span (so
//! of every line logged while the request is handled, on the blocking pool too: see
//! `AppState::db`), and problem+json answers carry it as
//! `instance: "urn:safetrace:request:<id>"`, so a user's screenshot leads to the log.

use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

use crate::http::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The `instance` of a problem answered to the request with this id.
pub fn instance(id: &str) -> String {
    format!("urn:safetrace:request:{id}")
}

/// The id of the request being handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// The client's id when it is one we may log and echo.
    pub fn from_client(value: &str) -> Option<Self> {
        let ok = (1..=64).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        ok.then(|| RequestId(value.to_string()))
    }

    pub fn generate() -> Self {
        RequestId(uuid::Uuid::now_v7().simple().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// When the request arrived.
#[derive(Debug, Clone, Copy)]
struct Started(Instant);

/// Problem bodies larger than this are left as they are (ours are a few hundred bytes).
const PROBLEM_LIMIT: usize = 64 * 1024;

/// The outermost middleware: gives the request its id (before the log span is made),
/// and on the way out counts the answer, echoes the id and writes it into problem bodies.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static, BoxBody>>, Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .and_then(RequestId::from_client)
        .unwrap_or_else(RequestId::generate);
    req.extensions_mut().insert(id.clone());
    req.extensions_mut().insert(Started(started));
    let metrics = req.app_data::<web::Data<AppState>>().map(|s| s.metrics.clone());
    let method = req.method().clone();
    // Handlers and extractors answer their errors as responses; an `Err` here would come
    // from a middleware and is answered by the server as it is.
    let mut res = next.call(req).await?.map_into_left_body();
    if let Some(metrics) = metrics {
        let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_string());
        metrics.http_request(&route, &method, res.status().as_u16(), started.elapsed());
    }
    if let Ok(v) = HeaderValue::from_str(id.as_str()) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    if !is_problem {
        return Ok(res);
    }
    let (http_req, res) = res.into_parts();
    let (res, body) = res.into_parts();
    let bytes = match actix_web::body::to_bytes_limited(body, PROBLEM_LIMIT).await {
        Ok(Ok(bytes)) => bytes,
        _ => {
            tracing::warn!("a problem body could not be read to add its instance");
            return Ok(ServiceResponse::new(http_req, res.set_body(BoxBody::new(())).map_into_right_body()));
        }
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut problem)) => {
            problem.insert("instance".into(), serde_json::Value::String(instance(id.as_str())));
            serde_json::to_vec(&problem).map(actix_web::web::Bytes::from).unwrap_or(bytes)
        }
        _ => bytes,
    };
    Ok(ServiceResponse::new(http_req, res.set_body(BoxBody::new(body)).map_into_right_body()))
}

/// The log span of a request: its id, method, route template and path; the status and
/// time are written in one access line (target `safetrace::access`) when it is answered.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let id = request.extensions().get::<RequestId>().cloned().unwrap_or_else(RequestId::generate);
        let route = request.match_pattern().unwrap_or_else(|| "unmatched".to_string());
        tracing::info_span!(
            "request",
            request_id = %id.as_str(),
            method = %request.method(),
            route = %route,
            path = %request.path(),
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let (status, elapsed) = match outcome {
            Ok(res) => {
                let started = res.request().extensions().get::<Started>().copied();
                (res.status(), started.map(|s| s.0.elapsed()).unwrap_or_default())
            }
            Err(e) => (e.as_response_error().status_code(), Duration::ZERO),
        };
        let ms = elapsed.as_secs_f64() * 1000.0;
        if status.is_server_error() {
            tracing::warn!(target: "safetrace::access", parent: &span, status = status.as_u16(), ms, "answered");
        } else {
            tracing::info!(target: "safetrace::access", parent: &span, status = status.as_u16(), ms, "answered");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RequestId;

    #[test]
    fn client_ids_are_kept_only_when_safe() {
        assert!(RequestId::from_client("abc.DEF_12-3").is_some());
        assert!(RequestId::from_client(&"a".repeat(64)).is_some());
        assert!(RequestId::from_client(&"a".repeat(65)).is_none());
        for bad in ["", "a b", "a\"b", "é", "a/b", "a\nb"] {
            assert!(RequestId::from_client(bad).is_none(), "{bad:?}");
        }
        let made = RequestId::generate();
        assert!(RequestId::from_client(made.as_str()).is_some(), "a made id passes its own rule");
    }
}
