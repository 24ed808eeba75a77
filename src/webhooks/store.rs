//! All SQL of webhooks: subscriptions, their cursor in the feed, and deliveries.

use diesel::RunQueryDsl;

use super::model::{DeliveryRow, DeliveryStatus, WebhookRow};
use crate::db::sql::{Bind, Sql};
use crate::db::DbConn;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::feed::model::FeedKind;
use crate::http::page::{Cursor, PageRequest};

const COLUMNS: &str = "SELECT id, url, event_kinds, community_ids, active, secret, version, cursor, failing_since, \
     created_at, updated_at FROM webhooks";

fn json_list<T: serde::Serialize>(v: &Option<Vec<T>>) -> Bind {
    Bind::OptText(v.as_ref().map(|l| serde_json::to_string(l).unwrap_or_default()))
}

/// A new subscription's row; its cursor starts at the feed's end (events from now on).
pub struct NewRow {
    pub id: Id,
    pub url: String,
    pub event_kinds: Option<Vec<FeedKind>>,
    pub community_ids: Option<Vec<Id>>,
    pub active: bool,
    pub secret: String,
    pub cursor: i64,
    pub at: Moment,
    pub created_by: Option<Id>,
}

pub fn create(conn: &mut DbConn, r: &NewRow) -> ApiResult<WebhookRow> {
    let mut sql = Sql::new(conn.engine());
    sql.push("INSERT INTO webhooks (id, url, event_kinds, community_ids, active, secret, version, cursor, created_at, updated_at, created_by) VALUES (");
    sql.bind(Bind::Id(r.id)).push(", ").bind(Bind::Text(r.url.clone())).push(", ").bind(json_list(&r.event_kinds));
    sql.push(", ").bind(json_list(&r.community_ids)).push(", ").bind(Bind::Bool(r.active)).push(", ");
    sql.bind(Bind::Text(r.secret.clone())).push(", 1, ").bind(Bind::BigInt(r.cursor)).push(", ");
    sql.bind(Bind::Moment(r.at)).push(", ").bind(Bind::Moment(r.at)).push(", ");
    match r.created_by {
        Some(u) => sql.bind(Bind::Id(u)),
        None => sql.push(sql.null_id()),
    };
    sql.push(")");
    sql.build().execute(conn)?;
    get(conn, r.id)
}

pub fn find(conn: &mut DbConn, id: Id) -> ApiResult<Option<WebhookRow>> {
    let mut sql = Sql::new(conn.engine());
    sql.push(COLUMNS).push(" WHERE id = ").bind(Bind::Id(id));
    Ok(sql.build().load::<WebhookRow>(conn)?.into_iter().next())
}

pub fn get(conn: &mut DbConn, id: Id) -> ApiResult<WebhookRow> {
    find(conn, id)?.ok_or_else(|| ApiError::NotFound("no such webhook".into()))
}

/// Every subscription (or only the active ones), oldest first.
pub fn all(conn: &mut DbConn, only_active: bool) -> ApiResult<Vec<WebhookRow>> {
    let mut sql = Sql::new(conn.engine());
    sql.push(COLUMNS);
    if only_active {
        sql.push(" WHERE active = ").bind(Bind::Bool(true));
    }
    sql.push(" ORDER BY created_at, id");
    Ok(sql.build().load(conn)?)
}

/// The subscription's new fields, written if `version` is still the stored one.
pub struct Changed {
    pub url: String,
    pub event_kinds: Option<Vec<FeedKind>>,
    pub community_ids: Option<Vec<Id>>,
    pub active: bool,
    /// Reactivated: failures count again from now.
    pub clear_failing: bool,
}

pub fn update(conn: &mut DbConn, id: Id, version: i32, c: &Changed, at: Moment) -> ApiResult<WebhookRow> {
    let mut sql = Sql::new(conn.engine());
    sql.push("UPDATE webhooks SET url = ").bind(Bind::Text(c.url.clone()));
    sql.push(", event_kinds = ").bind(json_list(&c.event_kinds));
    sql.push(", community_ids = ").bind(json_list(&c.community_ids));
    sql.push(", active = ").bind(Bind::Bool(c.active));
    if c.clear_failing {
        sql.push(", failing_since = ").bind(Bind::OptMoment(None));
    }
    sql.push(", version = version + 1, updated_at = ").bind(Bind::Moment(at));
    sql.push(" WHERE id = ").bind(Bind::Id(id)).push(" AND version = ").bind(Bind::Int(version));
    if sql.build().execute(conn)? != 1 {
        return Err(ApiError::StaleVersion(version));
    }
    get(conn, id)
}

/// Moves the subscription's cursor from `from` to `to`; false when another worker moved it.
pub fn advance(conn: &mut DbConn, id: Id, from: i64, to: i64) -> ApiResult<bool> {
    let mut sql = Sql::new(conn.engine());
    sql.push("UPDATE webhooks SET cursor = ").bind(Bind::BigInt(to));
    sql.push(" WHERE id = ").bind(Bind::Id(id)).push(" AND cursor = ").bind(Bind::BigInt(from));
    Ok(sql.build().execute(conn)? == 1)
}

/// Failing since `at` unless already failing; answers since when.
pub fn mark_failing(conn: &mut DbConn, id: Id, at: Moment) -> ApiResult<Option<Moment>> {
    let mut sql = Sql::new(conn.engine());
    sql.push("UPDATE webhooks SET failing_since = ").bind(Bind::Moment(at));
    sql.push(" WHERE id = ").bind(Bind::Id(id)).push(" AND failing_since IS NULL");
    sql.build().execute(conn)?;
    Ok(get(conn, id)?.failing_since)
}

pub fn clear_failing(conn: &mut DbConn, id: Id) -> ApiResult<()> {
    let mut sql = Sql::new(conn.engine());
    sql.push("UPDATE webhooks SET failing_since = ").bind(Bind::OptMoment(None));
    sql.push(" WHERE id = ").bind(Bind::Id(id));
    sql.build().execute(conn)?;
    Ok(())
}

/// Switches an active subscription off; false when it already was.
pub fn deactivate(conn: &mut DbConn, id: Id, at: Moment) -> ApiResult<bool> {
    let mut sql = Sql::new(conn.engine());
    sql.push("UPDATE webhooks SET active = ").bind(Bind::Bool(false));
    sql.push(", version = version + 1, updated_at = ").bind(Bind::Moment(at));
    sql.push(" WHERE id = ").bind(Bind::Id(id)).push(" AND active = ").bind(Bind::Bool(true));
    Ok(sql.build().execute(conn)? == 1)
}

const DELIVERY_COLUMNS: &str = "SELECT id, webhook_id, position, event_kind, body, status, attempts, next_try_at, \
     last_attempt_at, response_code, duration_ms, error, created_at FROM webhook_deliveries";

/// The subscription's oldest pending delivery: the one that holds the others.
pub fn head(conn: &mut DbConn, webhook_id: Id) -> ApiResult<Option<DeliveryRow>> {
    let mut sql = Sql::new(conn.engine());
    sql.push(DELIVERY_COLUMNS).push(" WHERE webhook_id = ").bind(Bind::Id(webhook_id));
    sql.push(" AND status = 'pending' ORDER BY position, id LIMIT 1");
    Ok(sql.build().load::<DeliveryRow>(conn)?.into_iter().next())
}

pub struct NewDelivery<'a> {
    pub id: Id,
    pub webhook_id: Id,
    pub position: i64,
    pub event_kind: &'a str,
    pub body: &'a str,
    pub at: Moment,
}

pub fn enqueue(conn: &mut DbConn, d: &NewDelivery<'_>) -> ApiResult<()> {
    let mut sql = Sql::new(conn.engine());
    sql.push("INSERT INTO webhook_deliveries (id, webhook_id, position, event_kind, body, status, attempts, next_try_at, created_at) VALUES (");
    sql.bind(Bind::Id(d.id)).push(", ").bind(Bind::Id(d.webhook_id)).push(", ").bind(Bind::BigInt(d.position));
    sql.push(", ").bind(Bind::Text(d.event_kind.into())).push(", ").bind(Bind::Text(d.body.into()));
    sql.push(", 'pending', 0, ").bind(Bind::Moment(d.at)).push(", ").bind(Bind::Moment(d.at)).push(")");
    sql.build().execute(conn)?;
    Ok(())
}

/// What one try gave.
pub struct Attempted {
    pub status: DeliveryStatus,
    pub at: Moment,
    pub next_try_at: Option<Moment>,
    pub response_code: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<String>,
}

/// Records a try of a delivery still at `attempts` tries; false when another worker
/// recorded one meanwhile.
pub fn record(conn: &mut DbConn, id: Id, attempts: i32, a: &Attempted) -> ApiResult<bool> {
    let mut sql = Sql::new(conn.engine());
    sql.push("UPDATE webhook_deliveries SET status = ").bind(Bind::Text(a.status.as_str().into()));
    sql.push(", attempts = attempts + 1, last_attempt_at = ").bind(Bind::Moment(a.at));
    sql.push(", next_try_at = ").bind(Bind::OptMoment(a.next_try_at));
    sql.push(", response_code = ");
    match a.response_code {
        Some(c) => sql.bind(Bind::Int(c)),
        None => sql.push("NULL"),
    };
    sql.push(", duration_ms = ").bind(Bind::BigInt(a.duration_ms));
    sql.push(", error = ").bind(Bind::OptText(a.error.clone()));
    sql.push(" WHERE id = ").bind(Bind::Id(id)).push(" AND attempts = ").bind(Bind::Int(attempts));
    sql.push(" AND status = 'pending'");
    Ok(sql.build().execute(conn)? == 1)
}

/// A page of a subscription's deliveries, newest first.
pub fn deliveries(conn: &mut DbConn, webhook_id: Id, page: &PageRequest) -> ApiResult<Vec<DeliveryRow>> {
    let mut sql = Sql::new(conn.engine());
    sql.push(DELIVERY_COLUMNS).push(" WHERE webhook_id = ").bind(Bind::Id(webhook_id));
    if let Some(Cursor { at, id }) = page.after {
        sql.push(" AND (created_at < ").bind(Bind::Moment(at));
        sql.push(" OR (created_at = ").bind(Bind::Moment(at)).push(" AND id < ").bind(Bind::Id(id)).push("))");
    }
    sql.push(" ORDER BY created_at DESC, id DESC LIMIT ").bind(Bind::BigInt(page.fetch_limit()));
    Ok(sql.build().load(conn)?)
}

pub fn delivery(conn: &mut DbConn, webhook_id: Id, id: Id) -> ApiResult<DeliveryRow> {
    let mut sql = Sql::new(conn.engine());
    sql.push(DELIVERY_COLUMNS).push(" WHERE webhook_id = ").bind(Bind::Id(webhook_id));
    sql.push(" AND id = ").bind(Bind::Id(id));
    sql.build()
        .load::<DeliveryRow>(conn)?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::NotFound("no such delivery".into()))
}

/// Sends a delivery again: pending, due now.
pub fn retry(conn: &mut DbConn, webhook_id: Id, id: Id, at: Moment) -> ApiResult<DeliveryRow> {
    let mut sql = Sql::new(conn.engine());
    sql.push("UPDATE webhook_deliveries SET status = 'pending', next_try_at = ").bind(Bind::Moment(at));
    sql.push(", created_at = ").bind(Bind::Moment(at));
    sql.push(" WHERE webhook_id = ").bind(Bind::Id(webhook_id)).push(" AND id = ").bind(Bind::Id(id));
    if sql.build().execute(conn)? != 1 {
        return Err(ApiError::NotFound("no such delivery".into()));
    }
    delivery(conn, webhook_id, id)
}
