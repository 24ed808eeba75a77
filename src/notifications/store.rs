//! All SQL of notifications: what the scheduler reads and writes once, and what a
//! recipient lists and marks read.

use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};

use serde_json::json;

use super::model::{NotificationCursor, NotificationRow};
use crate::db::sql::{Bind, Sql};
use crate::db::types::SqlUuid;
use crate::db::DbConn;
use crate::domain::hazard::Today;
use crate::domain::notice::Audience;
use crate::domain::{HazardStatus, Id, Moment, NotificationKind};
use crate::error::{ApiError, ApiResult};
use crate::feed::model::FeedKind;
use crate::feed::store::{self as feed, NewEvent};
use crate::http::page::PageRequest;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// An unresolved hazard whose deadline is due soon or passed, with the highest rank
/// already written for its current deadline.
#[derive(Debug, Clone, QueryableByName)]
pub struct Candidate {
    #[diesel(sql_type = SqlUuid)]
    pub id: Id,
    #[diesel(sql_type = Text)]
    pub status: HazardStatus,
    #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
    pub deadline: Option<NaiveDate>,
    #[diesel(sql_type = SqlUuid)]
    pub community_id: Id,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub created_by: Option<Id>,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Text)]
    pub unit_name: String,
    /// `due_soon` ranks 0, `overdue` its level; null when none was written.
    #[diesel(sql_type = Nullable<Integer>)]
    pub notified: Option<i32>,
}

const CANDIDATE_COLUMNS: &str = "SELECT hz.id, hz.status, hz.deadline, hz.community_id, hz.created_by, \
     hz.description, u.name AS unit_name, \
     (SELECT MAX(CASE WHEN n.kind = 'overdue' THEN n.level ELSE 0 END) FROM notifications n \
      WHERE n.hazard_id = hz.id AND n.deadline = hz.deadline AND n.kind IN ('due_soon', 'overdue')) AS notified \
     FROM hazards hz JOIN units u ON u.id = hz.unit_id \
     WHERE hz.status IN ('open', 'pending_verification')";

/// The hazards that may be owed a notice on `today`: unresolved, with a deadline no later
/// than the last day that is due soon (the deadline's index serves the range).
pub fn candidates(conn: &mut DbConn, today: Today) -> ApiResult<Vec<Candidate>> {
    let Some(until) = today.ladder.due_soon_until(today.date) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new(conn.engine());
    sql.push(CANDIDATE_COLUMNS).push(" AND hz.deadline <= ").bind(Bind::Date(until));
    sql.push(" ORDER BY hz.deadline, hz.id");
    Ok(sql.build().load(conn)?)
}

/// The same hazard read again inside the writing transaction.
pub fn candidate(conn: &mut DbConn, id: Id) -> ApiResult<Option<Candidate>> {
    let mut sql = Sql::new(conn.engine());
    sql.push(CANDIDATE_COLUMNS).push(" AND hz.id = ").bind(Bind::Id(id));
    Ok(sql.build().load::<Candidate>(conn)?.into_iter().next())
}

/// The active accounts an audience names for a hazard of `community_id` recorded by
/// `recorder`.
pub fn recipients(
    conn: &mut DbConn,
    audience: Audience,
    community_id: Option<Id>,
    recorder: Option<Id>,
) -> ApiResult<Vec<Id>> {
    #[derive(QueryableByName)]
    struct User {
        #[diesel(sql_type = SqlUuid)]
        id: Id,
    }
    let mut sql = Sql::new(conn.engine());
    sql.push("SELECT u.id FROM users u WHERE u.active = ").bind(Bind::Bool(true)).push(" AND (1 = 0");
    if let (true, Some(c)) = (audience.supervisors, community_id) {
        sql.push(" OR (u.role = 'supervisor' AND (u.all_communities = ").bind(Bind::Bool(true));
        sql.push(" OR EXISTS (SELECT 1 FROM user_communities uc WHERE uc.user_id = u.id AND uc.community_id = ");
        sql.bind(Bind::Id(c)).push(")))");
    }
    if audience.admins {
        sql.push(" OR u.role = 'admin'");
    }
    if let (true, Some(r)) = (audience.recorder, recorder) {
        sql.push(" OR u.id = ").bind(Bind::Id(r));
    }
    sql.push(") ORDER BY u.id");
    Ok(sql.build().load::<User>(conn)?.into_iter().map(|u| u.id).collect())
}

/// A notification to write once.
pub struct NewNotification<'a> {
    pub id: Id,
    pub kind: NotificationKind,
    pub level: i32,
    pub hazard_id: Option<Id>,
    pub deadline: Option<NaiveDate>,
    pub community_id: Option<Id>,
    pub message: &'a str,
    pub at: Moment,
}

/// Writes the notification and its recipients unless one with the same (hazard,
/// deadline, kind, level) exists: `ON CONFLICT DO NOTHING` on the unique key, so of
/// several writers racing exactly one wins (on PostgreSQL the others wait for its commit,
/// then do nothing). Answers whether this call wrote it.
pub fn insert_once(conn: &mut DbConn, n: &NewNotification<'_>, recipients: &[Id]) -> ApiResult<bool> {
    let mut sql = Sql::new(conn.engine());
    sql.push(
        "INSERT INTO notifications (id, kind, level, hazard_id, deadline, community_id, message, created_at) VALUES (",
    );
    sql.bind(Bind::Id(n.id)).push(", ").bind(Bind::Text(n.kind.as_str().into())).push(", ");
    sql.bind(Bind::Int(n.level)).push(", ");
    match n.hazard_id {
        Some(h) => sql.bind(Bind::Id(h)),
        None => sql.push(sql.null_id()),
    };
    sql.push(", ").bind(Bind::OptDate(n.deadline)).push(", ");
    match n.community_id {
        Some(c) => sql.bind(Bind::Id(c)),
        None => sql.push(sql.null_id()),
    };
    sql.push(", ").bind(Bind::Text(n.message.into())).push(", ").bind(Bind::Moment(n.at));
    sql.push(") ON CONFLICT DO NOTHING");
    if sql.build().execute(conn)? == 0 {
        return Ok(false);
    }
    for user in recipients {
        let mut sql = Sql::new(conn.engine());
        sql.push("INSERT INTO notification_recipients (notification_id, user_id, created_at) VALUES (");
        sql.bind(Bind::Id(n.id)).push(", ").bind(Bind::Id(*user)).push(", ").bind(Bind::Moment(n.at)).push(")");
        sql.build().execute(conn)?;
    }
    let data = json!({
        "id": n.id, "kind": n.kind, "level": n.level, "hazard_id": n.hazard_id, "deadline": n.deadline,
        "message": n.message, "created_at": n.at, "recipient_ids": recipients,
    });
    let event = NewEvent {
        at: n.at,
        kind: FeedKind::NotificationCreated,
        resource_id: n.id,
        community_id: n.community_id,
        actor: None,
        data,
    };
    feed::append_one(conn, event)?;
    Ok(true)
}

const SELECT: &str = "SELECT n.id, n.kind, n.level, n.hazard_id, n.deadline, n.message, nr.created_at, nr.read_at \
     FROM notification_recipients nr JOIN notifications n ON n.id = nr.notification_id";

/// One page of `user`'s notifications: unread first, then newest first.
pub fn page(conn: &mut DbConn, user: Id, page: &PageRequest<NotificationCursor>) -> ApiResult<Vec<NotificationRow>> {
    let mut sql = Sql::new(conn.engine());
    sql.push(SELECT).push(" WHERE nr.user_id = ").bind(Bind::Id(user));
    if let Some(after) = &page.after {
        let (at, id) = (after.at.at, after.at.id);
        let later = |sql: &mut Sql| {
            sql.push("(nr.created_at < ").bind(Bind::Moment(at));
            sql.push(" OR (nr.created_at = ").bind(Bind::Moment(at));
            sql.push(" AND nr.notification_id < ").bind(Bind::Id(id)).push("))");
        };
        if after.unread {
            sql.push(" AND (nr.read_at IS NOT NULL OR ");
            later(&mut sql);
            sql.push(")");
        } else {
            sql.push(" AND nr.read_at IS NOT NULL AND ");
            later(&mut sql);
        }
    }
    sql.push(" ORDER BY CASE WHEN nr.read_at IS NULL THEN 0 ELSE 1 END, nr.created_at DESC, nr.notification_id DESC");
    sql.push(" LIMIT ").bind(Bind::BigInt(page.fetch_limit()));
    Ok(sql.build().load(conn)?)
}

/// How many notifications `user` has not read.
pub fn unread_count(conn: &mut DbConn, user: Id) -> ApiResult<i64> {
    let mut sql = Sql::new(conn.engine());
    sql.push("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM notification_recipients WHERE user_id = ");
    sql.bind(Bind::Id(user)).push(" AND read_at IS NULL");
    Ok(sql.build().get_result::<Count>(conn)?.n)
}

/// Marks one of `user`'s notifications read (again: the first reading stays) and
/// answers it; 404 when it is not theirs.
pub fn mark_read(conn: &mut DbConn, user: Id, id: Id, now: Moment) -> ApiResult<NotificationRow> {
    let mut sql = Sql::new(conn.engine());
    sql.push("UPDATE notification_recipients SET read_at = ").bind(Bind::Moment(now));
    sql.push(" WHERE notification_id = ").bind(Bind::Id(id));
    sql.push(" AND user_id = ").bind(Bind::Id(user)).push(" AND read_at IS NULL");
    sql.build().execute(conn)?;
    let mut sql = Sql::new(conn.engine());
    sql.push(SELECT).push(" WHERE nr.user_id = ").bind(Bind::Id(user));
    sql.push(" AND nr.notification_id = ").bind(Bind::Id(id));
    sql.build()
        .load::<NotificationRow>(conn)?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::NotFound("no such notification".into()))
}

/// Marks every unread notification of `user` read; answers how many.
pub fn mark_all_read(conn: &mut DbConn, user: Id, now: Moment) -> ApiResult<i64> {
    let mut sql = Sql::new(conn.engine());
    sql.push("UPDATE notification_recipients SET read_at = ").bind(Bind::Moment(now));
    sql.push(" WHERE user_id = ").bind(Bind::Id(user)).push(" AND read_at IS NULL");
    Ok(sql.build().execute(conn)? as i64)
}

/// How many notifications `user` has.
pub fn total(conn: &mut DbConn, user: Id) -> ApiResult<i64> {
    let mut sql = Sql::new(conn.engine());
    sql.push("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM notification_recipients WHERE user_id = ");
    sql.bind(Bind::Id(user));
    Ok(sql.build().get_result::<Count>(conn)?.n)
}
