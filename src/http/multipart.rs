//! Reading multipart/form-data bodies (uploads, imports): the checks before the body is
//! read, small text parts, the file name a part gives, and a malformed body as a 400.

use actix_multipart::{Field, MultipartError};
use actix_web::http::header;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;

use super::paced::Paced;
use super::AppState;
use crate::error::{ApiError, ApiResult};

/// Whether the request says its body is multipart/form-data.
pub fn is_form_data(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// The request's body, failing with a timeout when it trickles (see [`super::paced`]).
pub fn paced(payload: web::Payload, state: &AppState) -> Paced<web::Payload> {
    Paced::new(payload, state.config.body_idle)
}

/// The body's length, when the request declares it.
pub fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers().get(header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

/// A body that cannot be read: cut off, malformed, or trickling (408).
pub fn unreadable(err: MultipartError) -> ApiError {
    match err {
        MultipartError::Payload(e) if super::paced::is_timeout(&e) => ApiError::RequestTimeout,
        MultipartError::Payload(_) | MultipartError::Incomplete => {
            tracing::debug!(error = %err, "upload cut off");
            ApiError::BadRequest("the multipart body ended before its closing boundary".into())
        }
        other => ApiError::BadRequest(format!("the multipart body is malformed ({other})")),
    }
}

/// The file name a part gives, as given (clean it before keeping it).
pub fn file_name(field: &Field) -> Option<String> {
    let cd = field.content_disposition()?;
    match cd.get_filename_ext() {
        Some(ext) => Some(String::from_utf8_lossy(&ext.value).into_owned()),
        None => cd.get_filename().map(str::to_string),
    }
}

/// A small text part, trimmed: `None` when longer than `max` bytes or not UTF-8.
pub async fn read_text(field: &mut Field, max: usize) -> ApiResult<Option<String>> {
    let mut raw = Vec::new();
    let mut too_long = false;
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(unreadable)?;
        if raw.len() + chunk.len() > max {
            too_long = true;
        } else {
            raw.extend_from_slice(&chunk);
        }
    }
    Ok((!too_long).then(|| String::from_utf8(raw).ok().map(|s| s.trim().to_string())).flatten())
}
