//! Token and throttle queries.

use std::time::Duration;

use diesel::prelude::*;

use super::throttle::{Counter, Counters, ThrottlePolicy};
use crate::db::schema::{auth_tokens, login_throttle, users};
use crate::db::{serialize, DbConn, Serial};
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

/// The three rows of login_throttle an attempt touches: the (username, address) pair, the
/// address alone (username ''), the username alone (address '').
struct Keys<'a> {
    pair: (&'a str, &'a str),
    address: (&'a str, &'a str),
    username: (&'a str, &'a str),
}

impl<'a> Keys<'a> {
    fn new(username: &'a str, address: &'a str) -> Self {
        Keys { pair: (username, address), address: ("", address), username: (username, "") }
    }

    fn all(&self) -> [(&'a str, &'a str); 3] {
        [self.pair, self.address, self.username]
    }
}

fn load(conn: &mut DbConn, (username, address): (&str, &str)) -> ApiResult<Option<Counter>> {
    let row: Option<(i32, Moment, Moment, Option<Moment>)> = login_throttle::table
        .find((username, address))
        .select((
            login_throttle::failures,
            login_throttle::window_started_at,
            login_throttle::last_failure_at,
            login_throttle::locked_until,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(failures, window_started_at, last_failure_at, locked_until)| Counter {
        failures,
        window_started_at,
        last_failure_at,
        locked_until,
    }))
}

/// Writes a row (the caller holds the throttle's lock, so update-or-insert cannot race).
fn save(conn: &mut DbConn, (username, address): (&str, &str), c: &Counter, expires_at: Moment) -> ApiResult<()> {
    let changed = diesel::update(login_throttle::table.find((username, address)))
        .set((
            login_throttle::failures.eq(c.failures),
            login_throttle::window_started_at.eq(c.window_started_at),
            login_throttle::last_failure_at.eq(c.last_failure_at),
            login_throttle::locked_until.eq(c.locked_until),
            login_throttle::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::username.eq(username),
                login_throttle::address.eq(address),
                login_throttle::failures.eq(c.failures),
                login_throttle::window_started_at.eq(c.window_started_at),
                login_throttle::last_failure_at.eq(c.last_failure_at),
                login_throttle::locked_until.eq(c.locked_until),
                login_throttle::expires_at.eq(expires_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes the rows whose time has passed, then, if `adding` more rows would pass
/// `max_rows`, the rows that would expire soonest (but not those in `keep`).
fn make_room(conn: &mut DbConn, now: Moment, max_rows: i64, adding: i64, keep: &[(&str, &str)]) -> ApiResult<()> {
    diesel::delete(login_throttle::table.filter(login_throttle::expires_at.le(now))).execute(conn)?;
    if adding == 0 {
        return Ok(());
    }
    let rows: i64 = login_throttle::table.count().get_result(conn)?;
    let excess = rows + adding - max_rows;
    if excess <= 0 {
        return Ok(());
    }
    let oldest: Vec<(String, String)> = login_throttle::table
        .order((login_throttle::expires_at.asc(), login_throttle::username.asc(), login_throttle::address.asc()))
        .select((login_throttle::username, login_throttle::address))
        .limit(excess + keep.len() as i64)
        .load(conn)?;
    let evict = oldest.iter().filter(|(u, a)| !keep.contains(&(u.as_str(), a.as_str()))).take(excess as usize);
    for (u, a) in evict {
        diesel::delete(login_throttle::table.find((u, a))).execute(conn)?;
    }
    Ok(())
}

/// What became of a login attempt's reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Refused: too many failures; retry after this many seconds.
    Refused(u64),
    /// Counted as a failure until the password proves right; answer after this hold.
    Reserved(Duration),
}

/// Counts an attempt by `username` from `address` as a failure before its password is
/// checked, or refuses it: read, decide and write under the throttle's lock, so that
/// parallel attempts are counted one after another and never pass the limits together.
/// Run inside a write transaction.
pub fn reserve(
    conn: &mut DbConn,
    policy: &ThrottlePolicy,
    username: &str,
    address: &str,
    now: Moment,
) -> ApiResult<Attempt> {
    serialize(conn, Serial::LoginThrottle)?;
    let keys = Keys::new(username, address);
    let counters = Counters {
        pair: load(conn, keys.pair)?,
        address: load(conn, keys.address)?,
        username: load(conn, keys.username)?,
    };
    let r = match policy.reserve(&counters, now) {
        Err(seconds) => return Ok(Attempt::Refused(seconds)),
        Ok(r) => r,
    };
    let adding = [counters.pair, counters.address, counters.username].iter().filter(|c| c.is_none()).count() as i64;
    make_room(conn, now, policy.max_rows, adding, &keys.all())?;
    save(conn, keys.pair, &r.pair, policy.pair_expires(&r.pair))?;
    save(conn, keys.address, &r.address, policy.window_expires(&r.address))?;
    save(conn, keys.username, &r.username, policy.window_expires(&r.username))?;
    Ok(Attempt::Reserved(r.hold))
}

/// The password proved right: the pair's count is cleared, and the address and the
/// username get the reserved failure back. Run inside a write transaction.
pub fn give_back(conn: &mut DbConn, policy: &ThrottlePolicy, username: &str, address: &str) -> ApiResult<()> {
    serialize(conn, Serial::LoginThrottle)?;
    let keys = Keys::new(username, address);
    diesel::delete(login_throttle::table.find(keys.pair)).execute(conn)?;
    for key in [keys.address, keys.username] {
        if let Some(c) = load(conn, key)? {
            let back = policy.give_back(c);
            if back.failures == 0 && back.locked_until.is_none() {
                diesel::delete(login_throttle::table.find(key)).execute(conn)?;
            } else {
                save(conn, key, &back, policy.window_expires(&back))?;
            }
        }
    }
    Ok(())
}
