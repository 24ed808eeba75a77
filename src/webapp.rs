//! The inspector's phone form and the supervisor's dashboard: the static files in `web/`,
//! embedded into the binary (read from disk in debug builds, so edits show on reload) and
//! served at `/`. The pages use only the public REST API.
//!
//! Only these paths are routes, so every other path still reaches the API's default
//! service and answers problem+json: `/`, `/index.html`, `/sw.js` (the service worker,
//! scope `/`), `/manifest.webmanifest` and `/assets/...`.
//!
//! Caching: the file names carry no hash, so every file is sent with `Cache-Control:
//! no-cache` and an `ETag` (a revalidation costs one 304). Offline use does not depend on
//! the HTTP cache: the service worker keeps its own copy of the app shell, and its script
//! carries a version derived from every embedded file, so any change to the pages installs
//! a new worker that fetches the new files.

use std::borrow::Cow;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::{self, Bytes};
use actix_web::{guard, HttpRequest, HttpResponse};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

#[derive(RustEmbed)]
#[folder = "web/"]
#[include = "index.html"]
#[include = "sw.js"]
#[include = "manifest.webmanifest"]
#[include = "assets/**"]
struct Files;

/// Markers in the service worker script, replaced with this build's version and with the
/// list of files it caches for offline use.
const VERSION_MARKER: &str = "__SAFETRACE_VERSION__";
const FILES_MARKER: &str = "/*__SAFETRACE_FILES__*/ ['/']";

/// Kept strict: the pages load nothing from elsewhere, use no inline script or style, and
/// show photos through `blob:` URLs.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; \
                   connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; \
                   base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Registers the page routes (GET and HEAD only; other methods fall through to the API's
/// default service).
pub fn routes(cfg: &mut web::ServiceConfig) {
    let get = || web::route().guard(guard::Any(guard::Get()).or(guard::Head()));
    cfg.route("/", get().to(index))
        .route("/index.html", get().to(index))
        .route("/sw.js", get().to(service_worker))
        .route("/manifest.webmanifest", get().to(manifest))
        .route("/assets/{path:.+}", get().to(asset));
}

async fn index(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    serve(&req, "index.html")
}

async fn manifest(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    serve(&req, "manifest.webmanifest")
}

async fn asset(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let path = path.into_inner();
    if path.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
        return Err(not_found(&req));
    }
    serve(&req, &format!("assets/{path}"))
}

/// The service worker script, with this build's version and file list written into it.
async fn service_worker(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let file = Files::get("sw.js").ok_or_else(|| not_found(&req))?;
    let mut shell: Vec<String> = Files::iter().filter(|n| n != "sw.js").map(|n| format!("/{n}")).collect();
    shell.sort();
    shell.insert(0, "/".to_string());
    let files = serde_json::to_string(&shell).unwrap_or_else(|_| "['/']".to_string());
    let text = String::from_utf8_lossy(&file.data).replace(VERSION_MARKER, &version()).replace(FILES_MARKER, &files);
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(text.as_bytes()))[..32]);
    Ok(respond(&req, "sw.js", etag, Bytes::from(text)))
}

/// A short hash over every embedded file: changes whenever any page, script or style does.
pub fn version() -> String {
    let mut names: Vec<Cow<'static, str>> = Files::iter().collect();
    names.sort();
    let mut hasher = Sha256::new();
    for name in names {
        if let Some(file) = Files::get(&name) {
            hasher.update(name.as_bytes());
            hasher.update(file.metadata.sha256_hash());
        }
    }
    hex::encode(hasher.finalize())[..16].to_string()
}

fn serve(req: &HttpRequest, path: &str) -> Result<HttpResponse, ApiError> {
    let file = Files::get(path).ok_or_else(|| not_found(req))?;
    let etag = format!("\"{}\"", &hex::encode(file.metadata.sha256_hash())[..32]);
    let body = match file.data {
        Cow::Borrowed(bytes) => Bytes::from_static(bytes),
        Cow::Owned(bytes) => Bytes::from(bytes),
    };
    Ok(respond(req, path, etag, body))
}

fn respond(req: &HttpRequest, path: &str, etag: String, body: Bytes) -> HttpResponse {
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    let mut res = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if path.ends_with(".html") {
        res.insert_header((header::CONTENT_SECURITY_POLICY, CSP));
    }
    if path == "sw.js" {
        res.insert_header((header::HeaderName::from_static("service-worker-allowed"), HeaderValue::from_static("/")));
    }
    if fresh {
        return res.finish();
    }
    res.insert_header((header::CONTENT_TYPE, content_type(path))).body(body)
}

fn content_type(path: &str) -> String {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let known = match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "",
    };
    if known.is_empty() {
        Files::get(path)
            .map(|f| f.metadata.mimetype().to_string())
            .unwrap_or_else(|| "application/octet-stream".to_string())
    } else {
        known.to_string()
    }
}

fn not_found(req: &HttpRequest) -> ApiError {
    ApiError::NotFound(format!("no route for {} {}", req.method(), req.path()))
}
