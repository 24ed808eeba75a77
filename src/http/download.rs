//! Answering with a file built on the server (a report or an export in a temporary
//! file): built once a permit is free, then read in chunks on the blocking pool and
//! streamed with its length, never held in memory.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use actix_web::body::SizedStream;
use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::HttpResponse;
use futures_util::stream::{self, Stream};

use super::AppState;
use crate::attachments::storage::Storage;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

/// Bytes read from the file per chunk.
const CHUNK: usize = 64 * 1024;

/// The body of `len` bytes read from `file` (positioned at its start).
pub fn body(file: File, len: u64) -> SizedStream<impl Stream<Item = Result<Bytes, io::Error>>> {
    let chunks = stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let read = web::block(move || {
            let mut buf = vec![0u8; CHUNK];
            let n = file.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, io::Error>((file, buf))
        })
        .await;
        match read {
            Ok(Ok((_, buf))) if buf.is_empty() => None,
            Ok(Ok((file, buf))) => Some((Ok(Bytes::from(buf)), Some(file))),
            Ok(Err(e)) => Some((Err(e), None)),
            Err(e) => Some((Err(io::Error::other(e)), None)),
        }
    });
    SizedStream::new(len, chunks)
}

/// Builds a file once a build permit is free (reports and exports share
/// `SAFETRACE_REPORT_CONCURRENCY`, so their memory stays bounded and they never take every
/// pooled connection): `build` gets a connection, a fresh anonymous scratch file and the
/// directory for a workbook's scratch files, and answers the file rewound with its length.
pub async fn build<F>(state: &AppState, build: F) -> ApiResult<(File, u64)>
where
    F: FnOnce(&mut DbConn, File, &Path) -> ApiResult<(File, u64)> + Send + 'static,
{
    let _permit = crate::ops::metrics::report_permit(state).await?;
    let storage = Storage::new(&state.config.data_dir);
    state
        .db(move |conn| {
            let file = storage.scratch_file().map_err(|e| ApiError::internal("cannot create a temporary file", e))?;
            build(conn, file, &storage.tmp_dir())
        })
        .await
}

/// 200 with the file, to be saved under `name`.
pub fn send(content_type: &str, name: &str, file: File, len: u64) -> HttpResponse {
    HttpResponse::Ok().content_type(content_type).insert_header(attachment(name)).body(body(file, len))
}

/// `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987).
pub fn attachment(name: &str) -> (header::HeaderName, String) {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let ascii: String = name.chars().map(|c| if c.is_ascii() { c } else { '_' }).collect();
    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
}
