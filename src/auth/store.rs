//! Token and throttle queries.

use diesel::prelude::*;

use super::throttle::Failures;
use crate::db::schema::{auth_tokens, login_throttle, users};
use crate::db::DbConn;
use crate::domain::{Id, Moment};
use crate::error::ApiResult;
use crate::users::model::UserRow;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = auth_tokens)]
pub struct TokenRow {
    pub id: Id,
    pub user_id: Id,
    pub token_hash: String,
    pub created_at: Moment,
    pub expires_at: Moment,
    pub last_used_at: Moment,
    pub revoked_at: Option<Moment>,
}

pub fn insert_token(conn: &mut DbConn, row: &TokenRow) -> ApiResult<()> {
    diesel::insert_into(auth_tokens::table).values(row).execute(conn)?;
    Ok(())
}

/// The token with this digest and its user.
pub fn lookup(conn: &mut DbConn, digest: &str) -> ApiResult<Option<(TokenRow, UserRow)>> {
    Ok(auth_tokens::table
        .inner_join(users::table)
        .filter(auth_tokens::token_hash.eq(digest))
        .select((TokenRow::as_select(), UserRow::as_select()))
        .first(conn)
        .optional()?)
}

/// Marks the token used now, unless that was recorded less than a minute ago (as the
/// row just read says), so that a read does not become a write, or even a statement,
/// on every request.
pub fn touch(conn: &mut DbConn, token: &TokenRow, now: Moment) -> ApiResult<()> {
    let a_minute_ago = Moment(now.0 - chrono::Duration::seconds(60));
    if token.last_used_at > a_minute_ago {
        return Ok(());
    }
    diesel::update(
        auth_tokens::table.filter(auth_tokens::id.eq(token.id)).filter(auth_tokens::last_used_at.le(a_minute_ago)),
    )
    .set(auth_tokens::last_used_at.eq(now))
    .execute(conn)?;
    Ok(())
}

pub fn revoke(conn: &mut DbConn, token_id: Id, now: Moment) -> ApiResult<()> {
    diesel::update(auth_tokens::table.filter(auth_tokens::id.eq(token_id)).filter(auth_tokens::revoked_at.is_null()))
        .set(auth_tokens::revoked_at.eq(Some(now)))
        .execute(conn)?;
    Ok(())
}

pub fn failures(conn: &mut DbConn, username: &str) -> ApiResult<Option<Failures>> {
    let row: Option<(i32, Moment, Option<Moment>)> = login_throttle::table
        .find(username)
        .select((login_throttle::failures, login_throttle::last_failure_at, login_throttle::locked_until))
        .first(conn)
        .optional()?;
    Ok(row.map(|(count, last_at, locked_until)| Failures { count, last_at, locked_until }))
}

pub fn save_failures(conn: &mut DbConn, username: &str, f: &Failures) -> ApiResult<()> {
    let changed = diesel::update(login_throttle::table.find(username))
        .set((
            login_throttle::failures.eq(f.count),
            login_throttle::last_failure_at.eq(f.last_at),
            login_throttle::locked_until.eq(f.locked_until),
        ))
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::username.eq(username),
                login_throttle::failures.eq(f.count),
                login_throttle::last_failure_at.eq(f.last_at),
                login_throttle::locked_until.eq(f.locked_until),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn clear_failures(conn: &mut DbConn, username: &str) -> ApiResult<()> {
    diesel::delete(login_throttle::table.find(username)).execute(conn)?;
    Ok(())
}
