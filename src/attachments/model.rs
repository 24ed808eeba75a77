//! Attachment rows and what the API shows of them.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::attachments;
use crate::domain::{Id, Moment};

/// The content types an upload may have, as detected from its first bytes.
pub const ACCEPTED_TYPES: &[&str] =
    &["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif", "application/pdf"];

/// An attachment as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    pub id: Id,
    pub sha256: String,
    pub content_type: String,
    pub size: i64,
    pub file_name: Option<String>,
    pub uploaded_by: Id,
    pub uploaded_at: Moment,
    /// Hash of the canonical upload request, for idempotent replays under the same id.
    pub request_hash: String,
    /// When the sweep removed it (no record cited it in time); its content is gone.
    pub removed_at: Option<Moment>,
}

/// An attachment's metadata.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attachment {
    pub id: Id,
    /// SHA-256 of the bytes, lowercase hex; also the download's `ETag`.
    pub sha256: String,
    /// The type detected from the bytes: image/jpeg, image/png, image/webp, image/heic,
    /// image/heif or application/pdf.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// The file name the client gave, without any directory part.
    pub file_name: Option<String>,
    /// The user who uploaded it.
    pub uploaded_by: Id,
    pub uploaded_at: Moment,
    /// When it was removed because no record cited it within `SAFETRACE_ORPHAN_UPLOAD_DAYS`
    /// (its content then answers 404); absent while it is kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_at: Option<Moment>,
}

impl From<AttachmentRow> for Attachment {
    fn from(r: AttachmentRow) -> Self {
        Attachment {
            id: r.id,
            sha256: r.sha256,
            content_type: r.content_type,
            size: r.size,
            file_name: r.file_name,
            uploaded_by: r.uploaded_by,
            uploaded_at: r.uploaded_at,
            removed_at: r.removed_at,
        }
    }
}

/// An upload: a multipart/form-data body with these parts.
// For the OpenAPI document only: the handler reads the parts as they stream in.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file: a JPEG, PNG, WebP or HEIC photo, or a PDF. Its type is detected from its
    /// bytes; the declared part type and the file name are not trusted.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// A UUID the client makes, so that a retried upload is stored once.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub id: Option<Id>,
}

/// The bytes of an attachment.
// For the OpenAPI document only.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct Content(Vec<u8>);

/// The hash kept under a client id: the same bytes under the same name are the same request.
pub fn request_hash(sha256: &str, file_name: Option<&str>) -> String {
    crate::http::idempotent::canonical_hash(&serde_json::json!({"sha256": sha256, "file_name": file_name}))
}

/// The type of a file from its first bytes, if it is one we accept.
pub fn detect_type(head: &[u8]) -> Option<&'static str> {
    let kind = infer::get(head)?;
    let mime = match kind.mime_type() {
        // infer names every HEIF image image/heif: photos whose major brand is a HEVC
        // one are HEIC, the type phones send.
        "image/heif" | "image/heic" => match head.get(8..12) {
            Some(b"heic" | b"heix" | b"hevc" | b"hevx") => "image/heic",
            _ => "image/heif",
        },
        other => other,
    };
    ACCEPTED_TYPES.iter().copied().find(|t| *t == mime)
}

/// The file name to keep: no directory part, no control characters, at most 200 characters.
pub fn clean_file_name(raw: &str) -> Option<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let trimmed = cleaned.trim();
    (!trimmed.is_empty() && trimmed != "." && trimmed != "..").then(|| trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(detect_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(detect_type(b"\xff\xd8\xff\xe0\0\x10JFIF\0"), Some("image/jpeg"));
        assert_eq!(detect_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(detect_type(b"RIFF\x24\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(detect_type(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"), Some("image/heic"));
        assert_eq!(detect_type(b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic"), Some("image/heif"));
        assert_eq!(detect_type(b"#!/bin/sh\nrm -rf /\n"), None);
        assert_eq!(detect_type(b"GIF89a"), None);
        assert_eq!(detect_type(b""), None);
    }

    #[test]
    fn file_names_lose_directories_and_control_characters() {
        assert_eq!(clean_file_name("C:\\Users\\a\\照片.jpg").as_deref(), Some("照片.jpg"));
        assert_eq!(clean_file_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(clean_file_name("a\0b\n.png").as_deref(), Some("ab.png"));
        assert_eq!(clean_file_name("dir/"), None);
        assert_eq!(clean_file_name(".."), None);
        assert_eq!(clean_file_name(&"x".repeat(300)).map(|n| n.chars().count()), Some(200));
    }

    #[test]
    fn the_request_hash_covers_bytes_and_name() {
        let a = request_hash("ab", Some("x.png"));
        assert_eq!(a, request_hash("ab", Some("x.png")));
        assert_ne!(a, request_hash("ab", None));
        assert_ne!(a, request_hash("cd", Some("x.png")));
    }
}
