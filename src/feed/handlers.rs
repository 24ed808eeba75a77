//! HTTP surface of the event feed.

use std::time::{Duration, Instant};

use actix_web::{get, web};

use super::model::{FeedEvent, FeedPage, FeedQuery};
use super::store::{self, Reader};
use crate::domain::access::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::page::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::http::query::QueryParams;
use crate::http::State;

/// Longest `wait`, in seconds.
pub const MAX_WAIT_SECONDS: u32 = 30;

/// How often a waiting request looks again.
const POLL: Duration = Duration::from_millis(200);

/// The event feed, oldest first, as the caller's scope may see it (a `notification.*`
/// event only by its recipients). Keep `next_cursor` and ask again: every event is given
/// once, in order, even one whose transaction committed late.
#[utoipa::path(
    tag = "events", operation_id = "list_events",
    params(FeedQuery),
    responses(
        (status = 200, body = FeedPage),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/events")]
pub async fn list(state: State, caller: Caller, query: QueryParams<FeedQuery>) -> ApiResult<web::Json<FeedPage>> {
    let q = query.0;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("limit", "out_of_range", format!("limit must be between 1 and {MAX_LIMIT}")));
    }
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => c
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 0)
            .ok_or_else(|| ApiError::field("cursor", "invalid", "the cursor is not one this server issued"))?,
    };
    let wait = q.wait.unwrap_or(0);
    if wait > MAX_WAIT_SECONDS {
        return Err(ApiError::field("wait", "out_of_range", format!("wait is at most {MAX_WAIT_SECONDS} seconds")));
    }
    let until = Instant::now() + Duration::from_secs(u64::from(wait));
    let caller = std::sync::Arc::new(caller);
    loop {
        let c = caller.clone();
        let (rows, last) = state
            .db(move |conn| {
                store::sequence(conn)?;
                // The last position first: whatever is read next is at least as new.
                let last = store::last_position(conn)?;
                let reader = Reader { scope: &c.scope, user_id: Some(c.user_id) };
                let rows = store::read(conn, after, limit, Some(&reader), None, None)?;
                Ok((rows, last))
            })
            .await?;
        if !rows.is_empty() || Instant::now() >= until {
            let full = rows.len() as i64 >= limit;
            let read_to = rows.last().map_or(after, |r| r.position);
            // A short page read everything visible up to `last`: skip what the caller may not see.
            let next = if full { read_to } else { read_to.max(last).max(after) };
            let items = rows.into_iter().filter_map(FeedEvent::from_row).collect();
            return Ok(web::Json(FeedPage { items, next_cursor: next.to_string() }));
        }
        actix_web::rt::time::sleep(POLL).await;
    }
}
