//! Answering with a file built on the server (a report in a temporary file): read in
//! chunks on the blocking pool and streamed with its length, never held in memory.

use std::fs::File;
use std::io::{self, Read};

use actix_web::body::SizedStream;
use actix_web::web::{self, Bytes};
use futures_util::stream::{self, Stream};

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
