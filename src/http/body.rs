//! The JSON body extractor: size limit (413), content type (415), syntax (400),
//! and field-level shape errors (422 naming the field path).

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ApiError, FieldError};
use crate::http::AppState;

/// A JSON body deserialized into `T`: 415 unless the body is JSON, 413 past the size
/// limit, 400 when unreadable, 422 with the field path when a field is wrong or unknown.
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>();
        let limit = state.map(|s| s.config.max_json_bytes).unwrap_or(2 * 1024 * 1024);
        let idle = state.map(|s| s.config.body_idle).unwrap_or(std::time::Duration::from_secs(30));
        let content_type_ok = is_json(req);
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = super::paced::Paced::new(payload.take(), idle);
        Box::pin(async move {
            if !content_type_ok {
                return Err(
                    ApiError::UnsupportedMediaType("the request body must be application/json".to_string()).into()
                );
            }
            if declared_len.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge(limit).into());
            }
            let mut buf = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| match super::paced::is_timeout(&e) {
                    true => ApiError::RequestTimeout,
                    false => ApiError::BadRequest(e.to_string()),
                })?;
                if buf.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge(limit).into());
                }
                buf.extend_from_slice(&chunk);
            }
            parse_json(&buf).map(JsonBody).map_err(Into::into)
        })
    }
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

/// Parses bytes as JSON into `T`: 400 for bad syntax, 422 with the field path otherwise.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let mut nul_errors = Vec::new();
    find_nul(&value, &mut String::new(), &mut nul_errors);
    if !nul_errors.is_empty() {
        return Err(ApiError::Validation(nul_errors));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let mut field = field_path(err.path());
        let inner = err.into_inner().to_string();
        let (code, message) = classify(&inner);
        // serde reports a missing field at the object that lacks it: name the field itself.
        if let Some(name) = missing_field(&message) {
            if !field.is_empty() {
                field.push('.');
            }
            field.push_str(name);
        }
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    })
}

fn field_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {}
        }
    }
    out
}

/// The name in serde's "missing field `name`" message.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next().filter(|n| !n.is_empty())
}

/// Gives serde's message a stable code.
fn classify(message: &str) -> (&'static str, String) {
    let message = message.split(" at line ").next().unwrap_or(message).to_string();
    let code = if message.starts_with("unknown field") {
        "unknown_field"
    } else if message.starts_with("missing field") {
        "required"
    } else if message.starts_with("unknown variant") {
        "invalid_choice"
    } else if message.starts_with("invalid type") {
        "invalid_type"
    } else {
        "invalid"
    };
    (code, message)
}

/// Text with a NUL character cannot be stored (PostgreSQL refuses it): find every one.
fn find_nul(value: &Value, path: &mut String, out: &mut Vec<FieldError>) {
    match value {
        Value::String(s) if s.contains('\0') => {
            out.push(FieldError::new(path.clone(), "nul_character", "text must not contain a NUL character"))
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                find_nul(item, path, out);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if key.contains('\0') {
                    out.push(FieldError::new(path.clone(), "nul_character", "names must not contain a NUL character"));
                }
                find_nul(item, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}
