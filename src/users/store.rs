//! User queries, scope rows, the user event log and the first admin.

use diesel::prelude::*;
use serde_json::json;

use super::model::{NewUser, User, UserEventRow, UserFilter, UserPatch, UserRow};
use crate::db::schema::{auth_tokens, communities, login_throttle, user_communities, user_events, users};
use crate::db::{serialize, DbConn, Serial};
use crate::domain::access::Scope;
use crate::domain::actor::Actor;
use crate::domain::validate::Problems;
use crate::domain::Role;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::http::page::PageRequest;
use crate::users::{first_admin, password};

pub fn find(conn: &mut DbConn, id: Id) -> ApiResult<Option<UserRow>> {
    Ok(users::table.find(id).select(UserRow::as_select()).first(conn).optional()?)
}

pub fn find_by_username(conn: &mut DbConn, username: &str) -> ApiResult<Option<UserRow>> {
    Ok(users::table.filter(users::username.eq(username)).select(UserRow::as_select()).first(conn).optional()?)
}

pub fn get(conn: &mut DbConn, id: Id) -> ApiResult<UserRow> {
    find(conn, id)?.ok_or_else(|| ApiError::not_found("user"))
}

/// The communities listed for these users, in one query.
pub fn communities_of(conn: &mut DbConn, user_ids: &[Id]) -> ApiResult<Vec<(Id, Id)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(user_communities::table
        .filter(user_communities::user_id.eq_any(user_ids))
        .select((user_communities::user_id, user_communities::community_id))
        .order((user_communities::user_id, user_communities::community_id))
        .load(conn)?)
}

pub fn scope_of(conn: &mut DbConn, user: &UserRow) -> ApiResult<Scope> {
    if user.all_communities || user.role == Role::Admin {
        return Ok(Scope::All);
    }
    let ids = communities_of(conn, &[user.id])?.into_iter().map(|(_, c)| c).collect();
    Ok(Scope::Communities(ids))
}

pub fn view(conn: &mut DbConn, row: UserRow) -> ApiResult<User> {
    let ids = communities_of(conn, &[row.id])?.into_iter().map(|(_, c)| c).collect();
    Ok(User::from_row(row, ids))
}

fn check_communities_exist(conn: &mut DbConn, ids: &[Id]) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: Vec<Id> = communities::table.filter(communities::id.eq_any(ids)).select(communities::id).load(conn)?;
    let mut p = Problems::new();
    for (i, id) in ids.iter().enumerate() {
        if !found.contains(id) {
            p.push(format!("community_ids[{i}]"), "not_found", "no community has this id");
        }
    }
    Ok(p.into_result()?)
}

fn set_communities(conn: &mut DbConn, user_id: Id, ids: &[Id]) -> ApiResult<()> {
    diesel::delete(user_communities::table.filter(user_communities::user_id.eq(user_id))).execute(conn)?;
    for cid in ids {
        diesel::insert_into(user_communities::table)
            .values((user_communities::user_id.eq(user_id), user_communities::community_id.eq(*cid)))
            .execute(conn)?;
    }
    Ok(())
}

pub fn record_event(
    conn: &mut DbConn,
    user_id: Id,
    at: Moment,
    actor: &Actor,
    kind: &str,
    details: Option<serde_json::Value>,
) -> ApiResult<()> {
    let row = UserEventRow {
        id: Id::new_v7(),
        user_id,
        at,
        actor: actor.name.clone(),
        actor_user_id: actor.user_id,
        kind: kind.to_string(),
        details: details.map(|d| d.to_string()),
    };
    diesel::insert_into(user_events::table).values(&row).execute(conn)?;
    Ok(())
}

/// Refuses a change that would leave the office without an active admin: nobody could
/// manage users any more. Called in the change's transaction; on PostgreSQL it first locks
/// the active admins' rows, so two admins demoting each other at once cannot both win
/// (SQLite's write transaction holds the whole database already).
fn keep_an_active_admin(conn: &mut DbConn, current: &UserRow, stays_active_admin: bool) -> ApiResult<()> {
    if current.role != Role::Admin || !current.active || stays_active_admin {
        return Ok(());
    }
    if let DbConn::Postgresql(pg) = conn {
        diesel::sql_query("SELECT id FROM users WHERE role = 'admin' AND active FOR UPDATE").execute(pg)?;
    }
    let others: i64 = users::table
        .filter(users::role.eq(Role::Admin))
        .filter(users::active.eq(true))
        .filter(users::id.ne(current.id))
        .count()
        .get_result(conn)?;
    if others == 0 {
        return Err(ApiError::Conflict(format!(
            "`{}` is the last active admin: make another user an admin first, so that someone can still manage users",
            current.username
        )));
    }
    Ok(())
}

/// Stores a user whose password is already hashed (hashing happens outside the transaction).
pub fn create(conn: &mut DbConn, req: NewUser, password_hash: String, now: Moment, actor: &Actor) -> ApiResult<User> {
    if find_by_username(conn, &req.username)?.is_some() {
        return Err(ApiError::Conflict(format!("the username `{}` is taken", req.username)));
    }
    let ids = req.community_ids.clone().unwrap_or_default();
    check_communities_exist(conn, &ids)?;
    let row = UserRow {
        id: Id::new_v7(),
        username: req.username,
        password_hash,
        display_name: req.display_name.map(|n| n.trim().to_string()),
        role: req.role,
        all_communities: req.community_ids.is_none(),
        active: true,
        version: 1,
        created_at: now,
        updated_at: now,
        created_by: actor.user_id,
        must_change_password: req.must_change_password,
    };
    diesel::insert_into(users::table).values(&row).execute(conn)?;
    set_communities(conn, row.id, &ids)?;
    record_event(
        conn,
        row.id,
        now,
        actor,
        "created",
        Some(
            json!({"role": row.role, "community_ids": req.community_ids, "must_change_password": row.must_change_password}),
        ),
    )?;
    Ok(User::from_row(row, ids))
}

/// Applies an admin's change; `password_hash` is the new password's hash, if any. A new
/// password set for someone else must be changed by its user before anything else.
pub fn update(
    conn: &mut DbConn,
    id: Id,
    patch: UserPatch,
    password_hash: Option<String>,
    now: Moment,
    actor: &Actor,
) -> ApiResult<User> {
    let current = get(conn, id)?;
    if current.version != patch.version {
        return Err(ApiError::StaleVersion(patch.version));
    }
    let display_name = match &patch.display_name {
        Some(v) => v.as_ref().map(|n| n.trim().to_string()),
        None => current.display_name.clone(),
    };
    let role = patch.role.unwrap_or(current.role);
    let active = patch.active.unwrap_or(current.active);
    let all_communities = match &patch.community_ids {
        Some(None) => true,
        Some(Some(_)) => false,
        None => current.all_communities,
    };
    if let Some(Some(ids)) = &patch.community_ids {
        check_communities_exist(conn, ids)?;
    }
    keep_an_active_admin(conn, &current, role == Role::Admin && active)?;
    let must_change_password = match password_hash {
        Some(_) => actor.user_id != Some(id),
        None => current.must_change_password,
    };
    let changed = diesel::update(users::table.filter(users::id.eq(id)).filter(users::version.eq(patch.version)))
        .set((
            users::must_change_password.eq(must_change_password),
            users::display_name.eq(&display_name),
            users::role.eq(role),
            users::active.eq(active),
            users::all_communities.eq(all_communities),
            users::password_hash.eq(password_hash.as_ref().unwrap_or(&current.password_hash)),
            users::version.eq(patch.version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed != 1 {
        return Err(ApiError::StaleVersion(patch.version));
    }
    if let Some(ids) = &patch.community_ids {
        set_communities(conn, id, ids.as_deref().unwrap_or(&[]))?;
    }
    // A new password, a narrower role or scope, or a deactivation ends every session.
    let revoke = password_hash.is_some() || patch.role.is_some() || patch.community_ids.is_some() || !active;
    if revoke {
        revoke_tokens(conn, id, now)?;
    }
    let details = json!({
        "role": patch.role, "community_ids": patch.community_ids, "active": patch.active,
        "display_name": patch.display_name, "password_changed": password_hash.is_some(),
        "must_change_password": must_change_password,
    });
    record_event(conn, id, now, actor, "updated", Some(details))?;
    if password_hash.is_some() {
        clear_login_failures(conn, &current.username)?;
    }
    let row = get(conn, id)?;
    view(conn, row)
}

/// A user's change of their own password (already checked and hashed): every other
/// token of theirs ends, the one in use (`keep_token`) goes on, the duty to change it is
/// met, and the username's failed-login counts are cleared.
pub fn change_own_password(
    conn: &mut DbConn,
    id: Id,
    password_hash: String,
    keep_token: Id,
    now: Moment,
    actor: &Actor,
) -> ApiResult<User> {
    let current = get(conn, id)?;
    diesel::update(users::table.filter(users::id.eq(id)))
        .set((
            users::password_hash.eq(&password_hash),
            users::must_change_password.eq(false),
            users::version.eq(current.version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    let revoked = diesel::update(
        auth_tokens::table
            .filter(auth_tokens::user_id.eq(id))
            .filter(auth_tokens::revoked_at.is_null())
            .filter(auth_tokens::id.ne(keep_token)),
    )
    .set(auth_tokens::revoked_at.eq(Some(now)))
    .execute(conn)?;
    record_event(conn, id, now, actor, "password_changed", Some(json!({"other_tokens_revoked": revoked})))?;
    clear_login_failures(conn, &current.username)?;
    let row = get(conn, id)?;
    view(conn, row)
}

pub fn deactivate(conn: &mut DbConn, id: Id, reason: Option<String>, now: Moment, actor: &Actor) -> ApiResult<User> {
    let current = get(conn, id)?;
    keep_an_active_admin(conn, &current, false)?;
    diesel::update(users::table.filter(users::id.eq(id)))
        .set((users::active.eq(false), users::version.eq(current.version + 1), users::updated_at.eq(now)))
        .execute(conn)?;
    let revoked = revoke_tokens(conn, id, now)?;
    record_event(conn, id, now, actor, "deactivated", Some(json!({"reason": reason, "tokens_revoked": revoked})))?;
    let row = get(conn, id)?;
    view(conn, row)
}

/// Forgets the failed-login counts of a username, from every address (an unlock, a new
/// password); the counts of the addresses themselves stay. Answers how many rows went.
/// Takes the throttle's lock: call it after the transaction's other writes.
pub fn clear_login_failures(conn: &mut DbConn, username: &str) -> ApiResult<usize> {
    serialize(conn, Serial::LoginThrottle)?;
    Ok(diesel::delete(login_throttle::table.filter(login_throttle::username.eq(username))).execute(conn)?)
}

/// Revokes every live token of a user; answers how many.
pub fn revoke_tokens(conn: &mut DbConn, user_id: Id, now: Moment) -> ApiResult<usize> {
    Ok(diesel::update(
        auth_tokens::table.filter(auth_tokens::user_id.eq(user_id)).filter(auth_tokens::revoked_at.is_null()),
    )
    .set(auth_tokens::revoked_at.eq(Some(now)))
    .execute(conn)?)
}

pub fn list(conn: &mut DbConn, f: &UserFilter, page: &PageRequest) -> ApiResult<Vec<User>> {
    let mut q = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(r) = f.role {
        q = q.filter(users::role.eq(r));
    }
    if let Some(a) = f.active {
        q = q.filter(users::active.eq(a));
    }
    if let Some(after) = page.after {
        q = q.filter(users::created_at.lt(after.at).or(users::created_at.eq(after.at).and(users::id.lt(after.id))));
    }
    let rows: Vec<UserRow> =
        q.order((users::created_at.desc(), users::id.desc())).limit(page.fetch_limit()).load(conn)?;
    let ids: Vec<Id> = rows.iter().map(|r| r.id).collect();
    let pairs = communities_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine = pairs.iter().filter(|(u, _)| *u == r.id).map(|(_, c)| *c).collect();
            User::from_row(r, mine)
        })
        .collect())
}

/// When nobody can log in — no user is active: a new database, or one that only `generate`
/// has written to (its user is inactive) — and the name `admin` is free, creates `admin`
/// with `given` password. Without one, the password is generated and written to
/// [`first_admin::file`] in `data_dir` (readable by the service's account only), whose path
/// is returned, and the admin must change it at the first login. Run it in a write
/// transaction: if the file cannot be written, no admin is created.
pub fn bootstrap_admin(
    conn: &mut DbConn,
    given: Option<String>,
    data_dir: &std::path::Path,
    now: Moment,
) -> ApiResult<Option<std::path::PathBuf>> {
    let in_the_way: i64 =
        users::table.filter(users::active.eq(true).or(users::username.eq("admin"))).count().get_result(conn)?;
    if in_the_way > 0 {
        return Ok(None);
    }
    let generated = given.is_none();
    let password = given.unwrap_or_else(password::random);
    if let Some(reason) = password::policy_problem("admin", &password) {
        return Err(ApiError::field("SAFETRACE_ADMIN_PASSWORD", "weak_password", reason));
    }
    let hash = password::hash(&password).map_err(|e| ApiError::internal("password hashing failed", e))?;
    let req = NewUser {
        username: "admin".to_string(),
        password: String::new(),
        display_name: Some("Administrator".to_string()),
        role: Role::Admin,
        community_ids: None,
        must_change_password: generated,
    };
    create(conn, req, hash, now, &Actor::named("system"))?;
    if !generated {
        return Ok(None);
    }
    let path = first_admin::write(data_dir, &password).map_err(|e| {
        let file = first_admin::file(data_dir);
        ApiError::field("SAFETRACE_DATA_DIR", "not_writable", format!("cannot write {}: {e}", file.display()))
    })?;
    Ok(Some(path))
}
