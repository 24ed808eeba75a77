//! HTTP surface of attachments: upload, metadata, content.

use actix_multipart::{Field, Multipart};
use actix_web::http::header::{self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::model::{clean_file_name, detect_type, request_hash, Attachment, AttachmentRow, Content, UploadForm};
use super::storage::{self, Storage, TempFile, Upload};
use super::store;
use crate::domain::access::Caller;
use crate::domain::access::Permission;
use crate::domain::time::local_day;
use crate::domain::validate::Problems;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotent::{self, Stored};
use crate::http::multipart::{self, declared_length, is_form_data, unreadable};
use crate::http::paced::Paced;
use crate::http::State;

/// Room for the multipart framing and the `id` part beyond the file itself.
const MULTIPART_OVERHEAD: usize = 16 * 1024;

/// The longest `id` part read (a UUID is 36 characters).
const MAX_ID_PART: usize = 128;

/// Only the user's own browser keeps the bytes, and asks again each time (a 304 while
/// they are current), so a photo is no longer shown once its user may not see it.
const CACHE_CONTROL: &str = "private, no-cache";

/// Upload a photo or document (multipart/form-data: `file`, optional `id`). Idempotent on `id`.
///
/// The type is detected from the bytes: JPEG, PNG, WebP, HEIC and PDF are accepted.
/// The same bytes are stored once however often they are uploaded.
#[utoipa::path(
    tag = "attachments", operation_id = "upload_attachment",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = Attachment),
        (status = 200, description = "The same upload was stored before under this id", body = Attachment),
        (status = 400, description = "The multipart body is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id was used for a different upload", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than the upload limit", body = Problem, content_type = "application/problem+json"),
        (status = 408, description = "The body stopped arriving (or trickled)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart/form-data, or the file is not a JPEG, PNG, WebP, HEIC or PDF", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No file, an empty file, or a malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The user's uploads today would pass the daily quota; `Retry-After` gives the seconds until local midnight", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/attachments")]
pub async fn create(state: State, caller: Caller, req: HttpRequest, payload: web::Payload) -> ApiResult<HttpResponse> {
    caller.require(Permission::Record)?;
    let limit = state.config.max_upload_bytes;
    if declared_length(&req).is_some_and(|n| n > limit.saturating_add(MULTIPART_OVERHEAD)) {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    let storage = Storage::new(&state.config.data_dir);
    let received = receive(&req, multipart::paced(payload, &state), &storage, limit).await?;
    let hash = request_hash(&received.sha256, received.file_name.as_deref());

    // A replay needs no second copy of the bytes.
    let actor = caller.actor();
    if let Some(id) = received.id {
        let (h, scope, actor) = (hash.clone(), caller.scope.clone(), actor.clone());
        match state.db(move |conn| store::replay(conn, id, &h, &scope, &actor)).await {
            Ok(None) => {}
            Ok(Some(earlier)) => {
                storage::discard(received.temp).await;
                return Ok(idempotent::respond((Stored::Replayed, earlier)));
            }
            Err(e) => {
                storage::discard(received.temp).await;
                return Err(e);
            }
        }
    }

    // Beyond the day's quota (a replay above costs nothing): 429 until local midnight.
    if let Err(e) = within_quota(&state, caller.user_id, received.size).await {
        storage::discard(received.temp).await;
        return Err(e);
    }

    // The file is durable before its row exists: a crash leaves no row without a file.
    let Received { id: client_id, temp, sha256, size, content_type, file_name } = received;
    let stored = web::block(move || temp.persist(&storage)).await?;
    let sha256 = match stored {
        Ok(digest) if digest == sha256 => digest,
        Ok(digest) => return Err(ApiError::internal("the stored upload changed", digest)),
        Err(e) => return Err(ApiError::internal("cannot store the upload", e)),
    };
    let row = AttachmentRow {
        id: client_id.unwrap_or_else(Id::new_v7),
        sha256,
        content_type: content_type.to_string(),
        size,
        file_name,
        uploaded_by: caller.user_id,
        uploaded_at: state.clock.now(),
        request_hash: hash.clone(),
        removed_at: None,
    };
    let inserted = {
        let (scope, actor) = (caller.scope.clone(), actor.clone());
        state.write(move |conn| store::insert(conn, row, &scope, &actor)).await
    };
    // Two identical uploads raced and the other one committed first.
    let lost_race = |e: &ApiError| matches!(e, ApiError::Conflict(_));
    let replay = |id| state.db(move |conn| store::replay(conn, id, &hash, &caller.scope, &actor));
    let settled = idempotent::settle(inserted, client_id, lost_race, replay).await?;
    if settled.0 == Stored::Created {
        state.metrics.upload_stored(size.unsigned_abs());
    }
    Ok(idempotent::respond(settled))
}

/// An attachment's metadata.
#[utoipa::path(
    tag = "attachments", operation_id = "get_attachment",
    params(("id" = Id, Path, description = "Attachment id")),
    responses(
        (status = 200, body = Attachment),
        (status = 404, description = "No such attachment, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/attachments/{id}")]
pub async fn get_one(state: State, caller: Caller, id: web::Path<Id>) -> ApiResult<web::Json<Attachment>> {
    caller.require(Permission::Read)?;
    let id = id.into_inner();
    let row = state.db(move |conn| store::visible(conn, id, &caller.scope, &caller.actor())).await?;
    Ok(web::Json(row.into()))
}

/// An attachment's bytes, with its stored type and `ETag: "<sha256>"`; `If-None-Match` gives 304.
#[utoipa::path(
    tag = "attachments", operation_id = "get_attachment_content",
    params(
        ("id" = Id, Path, description = "Attachment id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of a copy the client has"),
    ),
    responses(
        (status = 200, description = "The bytes", content(
            (Content = "image/jpeg"), (Content = "image/png"), (Content = "image/webp"),
            (Content = "image/heic"), (Content = "image/heif"), (Content = "application/pdf"),
        ), headers(
            ("ETag" = String, description = "The SHA-256 of the bytes, quoted"),
            ("Cache-Control" = String, description = "private, no-cache"),
        )),
        (status = 304, description = "The client's copy is current (If-None-Match)"),
        (status = 404, description = "No such attachment, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/attachments/{id}/content")]
pub async fn content(state: State, caller: Caller, id: web::Path<Id>, req: HttpRequest) -> ApiResult<HttpResponse> {
    caller.require(Permission::Read)?;
    let id = id.into_inner();
    let row = state.db(move |conn| store::visible(conn, id, &caller.scope, &caller.actor())).await?;
    if row.removed_at.is_some() {
        return Err(ApiError::NotFound("the attachment was removed: no record cited it in time".into()));
    }
    let etag = format!("\"{}\"", row.sha256);
    if matches_etag(&req, &row.sha256) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
            .finish());
    }
    let storage = Storage::new(&state.config.data_dir);
    let sha256 = row.sha256.clone();
    // Streamed from the file in chunks: memory per download stays constant however
    // large the file and however slow the reader.
    let (file, len) = web::block(move || storage.open(&sha256))
        .await?
        .map_err(|e| ApiError::internal("cannot read a stored attachment", e))?;
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CONTENT_TYPE, row.content_type.as_str()))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if let Some(name) = row.file_name {
        res.insert_header(ContentDisposition {
            disposition: DispositionType::Inline,
            parameters: vec![DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_string()),
                language_tag: None,
                value: name.into_bytes(),
            })],
        });
    }
    Ok(res.body(crate::http::download::body(file, len)))
}

/// Whether `user` may upload `size` more bytes today (the office's local day): 429 with
/// the seconds until local midnight when the day's uploads would pass
/// `SAFETRACE_UPLOAD_QUOTA_BYTES`.
async fn within_quota(state: &State, user: Id, size: i64) -> ApiResult<()> {
    let now = state.clock.now();
    let (start, end) = local_day(now, state.config.timezone);
    let used = state.db(move |conn| store::uploaded_between(conn, user, start, end)).await?;
    let quota = state.config.upload_quota_bytes;
    if used.saturating_add(size).unsigned_abs() > quota || used < 0 {
        let retry_after = (end.0 - now.0).num_seconds().max(1).unsigned_abs();
        return Err(ApiError::QuotaExceeded { quota, retry_after });
    }
    Ok(())
}

/// An upload read off the wire: the file in the temporary directory, checked.
struct Received {
    id: Option<Id>,
    temp: TempFile,
    sha256: String,
    size: i64,
    content_type: &'static str,
    file_name: Option<String>,
}

/// The parts of the form as they arrive.
#[derive(Default)]
struct Parts {
    id: Option<Result<Id, ()>>,
    upload: Option<Upload>,
    file_name: Option<String>,
}

/// Reads the multipart body. On any failure, the temporary file is gone before the error returns.
async fn receive(
    req: &HttpRequest,
    payload: Paced<web::Payload>,
    storage: &Storage,
    limit: usize,
) -> ApiResult<Received> {
    if !is_form_data(req) {
        return Err(ApiError::UnsupportedMediaType("the request body must be multipart/form-data".into()));
    }
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut parts = Parts::default();
    if let Err(e) = read_parts(&mut multipart, &mut parts, storage, limit).await {
        if let Some(upload) = parts.upload.take() {
            upload.discard().await;
        }
        return Err(e);
    }
    let temp = match parts.upload.take() {
        Some(upload) => Some(upload.finish().await?),
        None => None,
    };
    let mut p = Problems::new();
    match &temp {
        None => p.push("file", "required", "a `file` part is required"),
        Some(t) if t.size() == 0 => p.push("file", "empty", "the file is empty"),
        Some(_) => {}
    }
    if let Some(Err(())) = parts.id {
        p.push("id", "invalid", "the id must be a UUID");
    }
    if let Err(e) = p.into_result() {
        if let Some(t) = temp {
            storage::discard(t).await;
        }
        return Err(e.into());
    }
    let Some(temp) = temp else {
        return Err(ApiError::field("file", "required", "a `file` part is required"));
    };
    let Some(content_type) = detect_type(temp.head()) else {
        storage::discard(temp).await;
        return Err(ApiError::UnsupportedMediaType(
            "the file must be a JPEG, PNG, WebP or HEIC image or a PDF document".into(),
        ));
    };
    let size = i64::try_from(temp.size()).map_err(|e| ApiError::internal("upload size", e))?;
    Ok(Received {
        id: parts.id.and_then(Result::ok),
        sha256: temp.sha256(),
        size,
        content_type,
        file_name: parts.file_name,
        temp,
    })
}

async fn read_parts(multipart: &mut Multipart, parts: &mut Parts, storage: &Storage, limit: usize) -> ApiResult<()> {
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                if parts.upload.is_some() {
                    return Err(ApiError::field("file", "duplicate", "send one `file` part"));
                }
                parts.file_name = file_name_of(&field);
                let upload = parts.upload.insert(Upload::start(storage.clone(), limit).await?);
                while let Some(chunk) = field.next().await {
                    upload.push(&chunk.map_err(unreadable)?).await?;
                }
            }
            "id" => {
                if parts.id.is_some() {
                    return Err(ApiError::field("id", "duplicate", "send one `id` part"));
                }
                parts.id = Some(read_id(&mut field).await?);
            }
            other => {
                return Err(ApiError::field(other, "unknown_field", "only `file` and `id` parts are accepted"));
            }
        }
    }
    Ok(())
}

async fn read_id(field: &mut Field) -> ApiResult<Result<Id, ()>> {
    Ok(multipart::read_text(field, MAX_ID_PART).await?.and_then(|s| s.parse::<Id>().ok()).ok_or(()))
}

/// The file name the client gave, cleaned; never used to decide the type.
fn file_name_of(field: &Field) -> Option<String> {
    clean_file_name(&multipart::file_name(field)?)
}

/// Whether `If-None-Match` names this content (weak comparison, `*` matches any).
fn matches_etag(req: &HttpRequest, sha256: &str) -> bool {
    req.headers().get_all(header::IF_NONE_MATCH).filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|tag| {
        let tag = tag.trim();
        tag == "*" || tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"') == sha256
    })
}
