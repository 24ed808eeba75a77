//! The scheduler inside the service: every `SAFETRACE_SCHEDULER_SECONDS` it writes the
//! deadline notices hazards are owed. Any number of schedulers may run on one database:
//! each notice is written once (see [`store::insert_once`]). A scheduler stopped for days
//! writes, for each deadline, only the highest step reached.

use std::time::Duration;

use crate::db::DbConn;
use crate::domain::hazard::Today;
use crate::domain::notice;
use crate::domain::{Id, Moment};
use crate::error::ApiResult;
use crate::http::AppState;

use super::store::{self, NewNotification};

/// One round at `now`: answers how many notifications this round wrote.
pub async fn tick(state: &AppState, now: Moment) -> ApiResult<usize> {
    let today = state.today_at(now);
    state.db(move |conn| run(conn, today, now)).await
}

/// One round on a connection (each notice in its own short transaction).
pub fn run(conn: &mut DbConn, today: Today, now: Moment) -> ApiResult<usize> {
    let mut written = 0;
    for c in store::candidates(conn, today)? {
        if owed_now(&c, today).is_none() {
            continue;
        }
        let id = c.id;
        let wrote = conn.write(|conn| {
            // Read again under the transaction: closed, voided or extended meanwhile?
            let Some(c) = store::candidate(conn, id)? else {
                return Ok(false);
            };
            let Some((kind, level)) = owed_now(&c, today) else {
                return Ok(false);
            };
            let message = notice::message(kind, level, &c.unit_name, &c.description, c.deadline);
            let audience = notice::audience(kind, level);
            let recipients = store::recipients(conn, audience, Some(c.community_id), c.created_by)?;
            let new = NewNotification {
                id: Id::new_v7(),
                kind,
                level,
                hazard_id: Some(c.id),
                deadline: c.deadline,
                community_id: Some(c.community_id),
                message: &message,
                at: now,
            };
            store::insert_once(conn, &new, &recipients)
        })?;
        if wrote {
            written += 1;
        }
    }
    Ok(written)
}

/// The notice owed and not yet written for the hazard's current deadline.
fn owed_now(c: &store::Candidate, today: Today) -> Option<(crate::domain::NotificationKind, i32)> {
    let (kind, level) = notice::owed(&today.ladder, c.status, c.deadline, today.date)?;
    match c.notified {
        Some(done) if done >= notice::rank(kind, level) => None,
        _ => Some((kind, level)),
    }
}

/// Runs [`tick`] every `every` on the actix runtime, from the wall clock the app reads.
pub fn spawn(state: AppState, every: Duration) {
    actix_web::rt::spawn(async move {
        let mut interval = actix_web::rt::time::interval(every);
        loop {
            interval.tick().await;
            let now = state.clock.now();
            match tick(&state, now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(written = n, "deadline notifications written"),
                Err(e) => tracing::warn!(error = %e, "the deadline scheduler's round failed"),
            }
        }
    });
}
