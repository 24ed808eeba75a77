//! The delivery worker inside the service: each active subscription gets its events in
//! feed order, one at a time; a failing receiver holds that subscription's later events
//! (only that one's) and is tried again with exponential backoff
//! (`SAFETRACE_WEBHOOK_RETRY_SECONDS`, doubling up to an hour) for up to 3 days, then the
//! delivery is marked failed and the next event goes. A subscription failing for 3 days is
//! switched off and every admin notified. Everything is in the database: pending
//! deliveries survive a restart.

use std::time::{Duration, Instant};

use chrono::Duration as Span;

use super::allow::{self, AllowList};
use super::model::{DeliveryRow, DeliveryStatus, WebhookRow};
use super::sign;
use super::store::{self, Attempted, NewDelivery};
use crate::domain::notice;
use crate::domain::{Id, Moment, NotificationKind};
use crate::error::ApiResult;
use crate::feed::model::FeedEvent;
use crate::feed::store as feed;
use crate::http::AppState;
use crate::notifications::store as notifications;

/// How long a receiver may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A delivery, or a subscription, gives up after failing this long.
pub fn give_up_after() -> Span {
    Span::days(3)
}

/// The wait before the next try after `attempts` failed ones: `base` doubling, at most an hour.
pub fn backoff(base_seconds: u64, attempts: i32) -> Span {
    let doublings = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(20);
    let seconds = base_seconds.saturating_mul(1u64 << doublings).min(3600);
    Span::seconds(i64::try_from(seconds).unwrap_or(3600))
}

/// Most deliveries one subscription sends in one round.
const PER_ROUND: usize = 100;

/// One round at `now` over every active subscription; answers the tries made.
pub async fn tick(state: &AppState, now: Moment) -> ApiResult<usize> {
    let hooks = state.db(|conn| store::all(conn, true)).await?;
    let mut tries = 0;
    for hook in hooks {
        tries += round(state, hook, now).await?;
    }
    Ok(tries)
}

/// The next delivery of a subscription that is due at `now`: its oldest pending one, or
/// one made for its next event.
async fn next_due(state: &AppState, hook: &WebhookRow, now: Moment) -> ApiResult<Option<DeliveryRow>> {
    let (id, kinds, communities) = (hook.id, hook.kinds(), hook.communities());
    state
        .db(move |conn| {
            for _ in 0..3 {
                if let Some(head) = store::head(conn, id)? {
                    return Ok(Some(head).filter(|h| h.next_try_at.is_none_or(|t| t <= now)));
                }
                feed::sequence(conn)?;
                let cursor = store::get(conn, id)?.cursor;
                let next = feed::read(conn, cursor, 1, None, kinds.as_deref(), communities.as_deref())?;
                let Some(row) = next.into_iter().next() else {
                    return Ok(None);
                };
                let position = row.position;
                let kind = row.kind.clone();
                let body = FeedEvent::from_row(row).map(|e| serde_json::to_string(&e).unwrap_or_default());
                conn.write(|c| -> ApiResult<()> {
                    if !store::advance(c, id, cursor, position)? {
                        return Ok(());
                    }
                    if let Some(body) = &body {
                        let d = NewDelivery {
                            id: Id::new_v7(),
                            webhook_id: id,
                            position,
                            event_kind: &kind,
                            body,
                            at: now,
                        };
                        store::enqueue(c, &d)?;
                    }
                    Ok(())
                })?;
            }
            Ok(None)
        })
        .await
}

async fn round(state: &AppState, hook: WebhookRow, now: Moment) -> ApiResult<usize> {
    let mut tries = 0;
    while tries < PER_ROUND {
        let Some(d) = next_due(state, &hook, now).await? else {
            break;
        };
        let outcome = send(&state.config.webhook_allow, &hook, &d, now).await;
        tries += 1;
        let ok = outcome.ok;
        let base = state.config.webhook_retry_seconds;
        let (hook_id, delivery_id, attempts, queued) = (hook.id, d.id, d.attempts, d.created_at);
        state
            .write(move |conn| {
                let gave_up = now.0 - queued.0 >= give_up_after();
                let status = match (ok, gave_up) {
                    (true, _) => DeliveryStatus::Delivered,
                    (false, true) => DeliveryStatus::Failed,
                    (false, false) => DeliveryStatus::Pending,
                };
                let next_try_at =
                    (status == DeliveryStatus::Pending).then(|| Moment(now.0 + backoff(base, attempts + 1)));
                let a = Attempted {
                    status,
                    at: now,
                    next_try_at,
                    response_code: outcome.code,
                    duration_ms: outcome.duration_ms,
                    error: outcome.error.clone(),
                };
                if !store::record(conn, delivery_id, attempts, &a)? {
                    return Ok(());
                }
                if ok {
                    return store::clear_failing(conn, hook_id);
                }
                let since = store::mark_failing(conn, hook_id, now)?.unwrap_or(now);
                if now.0 - since.0 >= give_up_after() && store::deactivate(conn, hook_id, now)? {
                    let hook = store::get(conn, hook_id)?;
                    disabled(conn, &hook, now)?;
                }
                Ok(())
            })
            .await?;
        if !ok {
            break;
        }
    }
    Ok(tries)
}

/// Tells every active admin that a subscription was switched off.
fn disabled(conn: &mut crate::db::DbConn, hook: &WebhookRow, now: Moment) -> ApiResult<()> {
    let kind = NotificationKind::WebhookDisabled;
    let audience = notice::audience(kind, 0);
    let recipients = notifications::recipients(conn, audience, None, None)?;
    let message = notice::webhook_disabled_message(&hook.url);
    let new = notifications::NewNotification {
        id: Id::new_v7(),
        kind,
        level: 0,
        hazard_id: None,
        deadline: None,
        community_id: None,
        message: &message,
        at: now,
    };
    notifications::insert_once(conn, &new, &recipients)?;
    tracing::warn!(webhook = %hook.id, url = %hook.url, "webhook switched off after failing for 3 days");
    Ok(())
}

/// What a try gave.
pub struct Outcome {
    pub ok: bool,
    pub code: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<String>,
}

/// Posts a delivery, signed, to the subscription's URL, at an address the allow list
/// admits; no redirect is followed.
pub async fn send(allowed: &AllowList, hook: &WebhookRow, d: &DeliveryRow, now: Moment) -> Outcome {
    let started = Instant::now();
    let fail = |error: String, code: Option<i32>, started: Instant| Outcome {
        ok: false,
        code,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        error: Some(error),
    };
    let Some((host, port)) = allow::host_port(&hook.url) else {
        return fail("not an http or https URL".into(), None, started);
    };
    let addrs = allow::resolve(allowed, &host, port).await;
    let Some(addr) = addrs.first().copied() else {
        return fail("the host is not allowed by SAFETRACE_WEBHOOK_ALLOW (or does not resolve)".into(), None, started);
    };
    let timestamp = now.0.timestamp();
    let msg_id = d.id.to_string();
    let Some(signature) = sign::signature(&hook.secret, &msg_id, timestamp, d.body.as_bytes()) else {
        return fail("the subscription's secret is unreadable".into(), None, started);
    };
    let client = awc::Client::builder().disable_redirects().timeout(TIMEOUT).finish();
    let sent = client
        .post(&hook.url)
        .address(addr)
        .insert_header(("content-type", "application/json"))
        .insert_header(("user-agent", "safetrace-webhooks"))
        .insert_header(("webhook-id", msg_id))
        .insert_header(("webhook-timestamp", timestamp.to_string()))
        .insert_header(("webhook-signature", signature))
        .send_body(d.body.clone())
        .await;
    match sent {
        Ok(res) => {
            let code = i32::from(res.status().as_u16());
            if res.status().is_success() {
                Outcome {
                    ok: true,
                    code: Some(code),
                    duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
                    error: None,
                }
            } else {
                fail(format!("the receiver answered {code}"), Some(code), started)
            }
        }
        Err(e) => fail(format!("{e}"), None, started),
    }
}

/// Runs [`tick`] every second on the actix runtime.
pub fn spawn(state: AppState) {
    actix_web::rt::spawn(async move {
        let mut interval = actix_web::rt::time::interval(Duration::from_secs(1));
        loop {
            interval.tick().await;
            if let Err(e) = tick(&state, state.clock.now()).await {
                tracing::warn!(error = %e, "the webhook worker's round failed");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let s: Vec<i64> = (1..=12).map(|n| backoff(5, n).num_seconds()).collect();
        assert_eq!(s, [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]);
    }
}
