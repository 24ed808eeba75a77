//! Headers every answer carries: `X-Content-Type-Options: nosniff` everywhere,
//! `Cache-Control: no-store` on API answers that set no caching of their own (attachment
//! content says `private, no-cache`; the web pages keep their own revalidation), and
//! `Strict-Transport-Security` when the server serves TLS.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error};

use super::AppState;

/// One year, as browsers expect of a site that serves HTTPS for good.
const HSTS: &str = "max-age=31536000";

/// Whether answers to this path are API answers (which no cache keeps).
fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz" || path == "/readyz"
}

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let api = is_api(req.path());
    let tls = req.app_data::<web::Data<AppState>>().is_some_and(|s| s.config.tls);
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    if !headers.contains_key(header::X_CONTENT_TYPE_OPTIONS) {
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    }
    if api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if tls {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::is_api;

    #[test]
    fn api_paths_are_the_api_and_the_probes() {
        assert!(is_api("/api/v1/hazards"));
        assert!(is_api("/api/openapi.json"));
        assert!(is_api("/readyz"));
        assert!(!is_api("/"));
        assert!(!is_api("/assets/app.css"));
        assert!(!is_api("/apix"));
    }
}
