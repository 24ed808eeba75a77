//! All SQL of the feed: appending in the event's transaction, giving committed events
//! their positions, and reading a caller's events after a position.

use diesel::sql_types::BigInt;
use diesel::{QueryableByName, RunQueryDsl};

use super::model::{FeedKind, FeedRow};
use crate::db::sql::{Bind, Sql};
use crate::db::{DbConn, Engine};
use crate::domain::access::Scope;
use crate::domain::actor::Actor;
use crate::domain::{Id, Moment};
use crate::error::ApiResult;

/// An event to append.
pub struct NewEvent<'a> {
    pub at: Moment,
    pub kind: FeedKind,
    pub resource_id: Id,
    /// The community whose readers see it (none: only `Scope::All`, or a notification's
    /// recipients).
    pub community_id: Option<Id>,
    pub actor: Option<&'a Actor>,
    /// The record right after the event.
    pub data: serde_json::Value,
}

/// Rows per multi-row INSERT (9 binds each).
const ROWS_PER_INSERT: usize = 100;

/// Appends events in the caller's transaction, without a position yet: it is given once
/// they are committed (see [`sequence`]).
pub fn append(conn: &mut DbConn, events: &[NewEvent<'_>]) -> ApiResult<()> {
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let mut sql = Sql::new(conn.engine());
        sql.push("INSERT INTO feed_events (at, kind, resource, resource_id, community_id, actor, actor_user_id, data) VALUES ");
        for (i, e) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(").bind(Bind::Moment(e.at)).push(", ").bind(Bind::Text(e.kind.as_str().into()));
            sql.push(", ").bind(Bind::Text(e.kind.resource().into())).push(", ").bind(Bind::Id(e.resource_id));
            sql.push(", ");
            match e.community_id {
                Some(c) => sql.bind(Bind::Id(c)),
                None => sql.push(sql.null_id()),
            };
            sql.push(", ").bind(Bind::OptText(e.actor.map(|a| a.name.clone()))).push(", ");
            match e.actor.and_then(|a| a.user_id) {
                Some(u) => sql.bind(Bind::Id(u)),
                None => sql.push(sql.null_id()),
            };
            sql.push(", ").bind(Bind::Text(e.data.to_string())).push(")");
        }
        sql.build().execute(conn)?;
    }
    Ok(())
}

/// One event, in the caller's transaction.
pub fn append_one(conn: &mut DbConn, event: NewEvent<'_>) -> ApiResult<()> {
    append(conn, std::slice::from_ref(&event))
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The lock the sequencers take, one at a time, on PostgreSQL.
const SEQUENCER_LOCK: i64 = 0x5afe_7ace_0016;

/// Gives every committed event without a position the next positions, in the order they
/// were appended, in a transaction of its own. One sequencer runs at a time (an advisory
/// lock on PostgreSQL; SQLite has one writer), and each sees what the one before it
/// committed, so positions only grow and whatever a reader sees is a prefix of the feed: an
/// event that commits late gets a position after every one already read, never behind a
/// consumer's cursor.
pub fn sequence(conn: &mut DbConn) -> ApiResult<()> {
    let waiting = diesel::sql_query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM (SELECT 1 AS x FROM feed_events WHERE position IS NULL LIMIT 1) w",
    )
    .get_result::<N>(conn)?
    .n;
    if waiting == 0 {
        return Ok(());
    }
    let engine = conn.engine();
    conn.write(|c| {
        if engine == Engine::Postgresql {
            let mut lock = Sql::new(engine);
            lock.push("SELECT CAST(1 AS BIGINT) AS n FROM (SELECT pg_advisory_xact_lock(")
                .bind(Bind::BigInt(SEQUENCER_LOCK));
            lock.push(")) l");
            lock.build().get_result::<N>(c)?;
        }
        diesel::sql_query(
            "UPDATE feed_events SET position = s.base + s.rn FROM (\
               SELECT id, row_number() OVER (ORDER BY id) AS rn, \
                      (SELECT COALESCE(MAX(position), 0) FROM feed_events) AS base \
               FROM feed_events WHERE position IS NULL) AS s \
             WHERE feed_events.id = s.id",
        )
        .execute(c)?;
        Ok(())
    })
}

/// Who reads: their scope, and the account whose notifications they may see.
pub struct Reader<'a> {
    pub scope: &'a Scope,
    pub user_id: Option<Id>,
}

/// The last position given so far.
pub fn last_position(conn: &mut DbConn) -> ApiResult<i64> {
    Ok(diesel::sql_query("SELECT CAST(COALESCE(MAX(position), 0) AS BIGINT) AS n FROM feed_events")
        .get_result::<N>(conn)?
        .n)
}

/// Up to `limit` events after `after` that `reader` may see (none: every event, for
/// webhooks), oldest first; `communities` narrows to those communities (webhooks).
pub fn read(
    conn: &mut DbConn,
    after: i64,
    limit: i64,
    reader: Option<&Reader<'_>>,
    kinds: Option<&[FeedKind]>,
    communities: Option<&[Id]>,
) -> ApiResult<Vec<FeedRow>> {
    let mut sql = Sql::new(conn.engine());
    sql.push(
        "SELECT position, at, kind, resource, resource_id, community_id, actor, actor_user_id, data \
         FROM feed_events fe WHERE position > ",
    )
    .bind(Bind::BigInt(after));
    if let Some(r) = reader {
        sql.push(
            " AND ((fe.resource = 'notification' AND EXISTS (SELECT 1 FROM notification_recipients nr \
                  WHERE nr.notification_id = fe.resource_id AND nr.user_id = ",
        );
        match r.user_id {
            Some(u) => sql.bind(Bind::Id(u)),
            None => sql.push(sql.null_id()),
        };
        sql.push(")) OR (fe.resource <> 'notification'");
        if let Some(ids) = r.scope.restriction() {
            sql.push(" AND ");
            sql.in_ids("fe.community_id", ids);
        }
        sql.push("))");
    }
    if let Some(kinds) = kinds {
        sql.push(" AND fe.kind IN (");
        for (i, k) in kinds.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(Bind::Text(k.as_str().into()));
        }
        if kinds.is_empty() {
            sql.push("''");
        }
        sql.push(")");
    }
    if let Some(ids) = communities {
        sql.push(" AND ");
        sql.in_ids("fe.community_id", ids);
    }
    sql.push(" ORDER BY position LIMIT ").bind(Bind::BigInt(limit));
    Ok(sql.build().load(conn)?)
}
