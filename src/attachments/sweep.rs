//! The orphan sweep: uploads that no record cited within `SAFETRACE_ORPHAN_UPLOAD_DAYS`
//! (a phone may send its photos days before the record that cites them) are removed.
//! The row stays, marked `removed_at` (its content then answers 404); the file goes when
//! no kept row has the same bytes. A cited upload is never removed. The sweep holds the
//! data directory's maintenance lock, which a backup holds too, so a backup never copies
//! a half-swept directory.

use std::time::Duration;

use diesel::prelude::*;

use super::storage::Storage;
use crate::db::schema::{attachment_links, attachments};
use crate::db::DbConn;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::http::AppState;
use crate::ops::lock::MaintenanceLock;

/// How often the service sweeps.
pub const EVERY: Duration = Duration::from_secs(3600);

/// Ids per statement (well under SQLite's bound variables).
const BATCH: usize = 500;

/// What one sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Rows marked removed.
    pub uploads: usize,
    /// Files deleted (bytes no kept row has).
    pub files: usize,
}

/// Marks the uncited uploads older than `days` before `now` as removed, in one
/// transaction, and answers their digests.
fn mark(conn: &mut DbConn, now: Moment, days: u32) -> ApiResult<(usize, Vec<String>)> {
    let cutoff = Moment(now.0 - chrono::Duration::days(i64::from(days)));
    conn.write(|conn| {
        let uncited = || attachments::id.ne_all(attachment_links::table.select(attachment_links::attachment_id));
        let orphans: Vec<Id> = attachments::table
            .filter(attachments::removed_at.is_null())
            .filter(attachments::uploaded_at.lt(cutoff))
            .filter(uncited())
            .select(attachments::id)
            .load(conn)?;
        let mut marked = 0;
        let mut digests = Vec::new();
        for ids in orphans.chunks(BATCH) {
            // The condition again in the update: an upload cited meanwhile stays.
            marked += diesel::update(
                attachments::table
                    .filter(attachments::id.eq_any(ids))
                    .filter(attachments::removed_at.is_null())
                    .filter(uncited()),
            )
            .set(attachments::removed_at.eq(Some(now)))
            .execute(conn)?;
            let swept: Vec<String> = attachments::table
                .filter(attachments::id.eq_any(ids))
                .filter(attachments::removed_at.eq(Some(now)))
                .select(attachments::sha256)
                .load(conn)?;
            digests.extend(swept);
        }
        digests.sort();
        digests.dedup();
        Ok((marked, digests))
    })
}

/// Of these digests, those no kept row has: their files may go.
fn unused(conn: &mut DbConn, digests: &[String]) -> ApiResult<Vec<String>> {
    let mut out = Vec::new();
    for batch in digests.chunks(BATCH) {
        let kept: Vec<String> = attachments::table
            .filter(attachments::sha256.eq_any(batch))
            .filter(attachments::removed_at.is_null())
            .select(attachments::sha256)
            .distinct()
            .load(conn)?;
        out.extend(batch.iter().filter(|d| !kept.contains(d)).cloned());
    }
    Ok(out)
}

/// One sweep at `now`, on the blocking pool; `None` when another process (a backup)
/// holds the maintenance lock: the next sweep does it.
pub async fn run(state: &AppState) -> ApiResult<Option<Swept>> {
    let data_dir = state.config.data_dir.clone();
    let days = state.config.orphan_upload_days;
    let now = state.clock.now();
    state
        .db(move |conn| {
            let lock = MaintenanceLock::try_acquire(&data_dir)
                .map_err(|e| ApiError::internal("cannot take the maintenance lock", e))?;
            let Some(_lock) = lock else {
                return Ok(None);
            };
            let (uploads, digests) = mark(conn, now, days)?;
            let storage = Storage::new(&data_dir);
            let mut files = 0;
            for digest in unused(conn, &digests)? {
                match storage.remove(&digest) {
                    Ok(true) => files += 1,
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, sha256 = %digest, "cannot delete a swept upload's file"),
                }
            }
            Ok(Some(Swept { uploads, files }))
        })
        .await
}

/// Sweeps at start-up and then every [`EVERY`], until the runtime stops.
pub fn spawn(state: AppState) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(EVERY);
        loop {
            tick.tick().await;
            match run(&state).await {
                Ok(Some(s)) if s.uploads > 0 => {
                    tracing::info!(uploads = s.uploads, files = s.files, "removed uploads no record cited in time")
                }
                Ok(Some(_)) => {}
                Ok(None) => {
                    tracing::info!("the maintenance lock is held (a backup?): the sweep waits for the next round")
                }
                Err(e) => tracing::warn!(error = %e, "the upload sweep failed"),
            }
        }
    });
}
