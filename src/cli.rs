//! The `safetrace user …` commands: user management on the configured database.

use std::io::BufRead;

use diesel::prelude::*;

use crate::clock::{Clock, SystemClock};
use crate::config::UserCommand;
use crate::db::schema::communities;
use crate::db::DbPool;
use crate::domain::actor::Actor;
use crate::domain::Id;
use crate::error::ApiError;
use crate::users::model::{NewUser, UserFilter, UserPatch};
use crate::users::store;
use crate::users::{first_admin, password};

fn describe(err: ApiError) -> String {
    match err {
        ApiError::Validation(errors) => {
            errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}

fn read_password(given: Option<String>) -> Result<String, String> {
    if let Some(p) = given {
        return Ok(p);
    }
    eprintln!("password (one line on standard input):");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn community_ids(conn: &mut crate::db::DbConn, given: &[String]) -> Result<Option<Vec<Id>>, String> {
    if given.is_empty() {
        return Ok(None);
    }
    let mut ids = Vec::new();
    for g in given {
        let id = match g.parse::<Id>() {
            Ok(id) => id,
            Err(_) => communities::table
                .filter(communities::code.eq(g))
                .select(communities::id)
                .first::<Id>(conn)
                .optional()
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no community with code `{g}`"))?,
        };
        ids.push(id);
    }
    Ok(Some(ids))
}

/// Runs a user command; `data_dir` holds the first admin's password file, which a new
/// password for `admin` removes.
pub fn run(pool: &DbPool, data_dir: &std::path::Path, cmd: UserCommand) -> Result<(), String> {
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let now = SystemClock.now();
    let actor = Actor::named("cli");
    match cmd {
        UserCommand::Add { username, role, display_name, communities, password, must_change_password } => {
            let password = read_password(password)?;
            let ids = community_ids(&mut conn, &communities)?;
            let req = NewUser { username, password, display_name, role, community_ids: ids, must_change_password };
            req.check().map_err(describe)?;
            let hash = password::hash(&req.password)?;
            let user = conn.write(|c| store::create(c, req, hash, now, &actor)).map_err(describe)?;
            println!("added {} ({}) {}", user.username, user.role, user.id);
        }
        UserCommand::Passwd { username, password } => {
            let user = store::find_by_username(&mut conn, &username).map_err(describe)?.ok_or("no such user")?;
            let password = read_password(password)?;
            let patch = UserPatch {
                version: user.version,
                display_name: None,
                role: None,
                community_ids: None,
                password: Some(password.clone()),
                active: None,
            };
            patch.check(&user.username).map_err(describe)?;
            let hash = password::hash(&password)?;
            conn.write(|c| store::update(c, user.id, patch, Some(hash), now, &actor)).map_err(describe)?;
            if user.username == "admin" {
                first_admin::forget(data_dir);
            }
            println!(
                "password changed for {username}; their tokens are revoked and they must change it at their next login"
            );
        }
        UserCommand::Deactivate { username, reason } => {
            let user = store::find_by_username(&mut conn, &username).map_err(describe)?.ok_or("no such user")?;
            conn.write(|c| store::deactivate(c, user.id, reason, now, &actor)).map_err(describe)?;
            println!("deactivated {username}");
        }
        UserCommand::Unlock { username } => {
            let name = username.trim().to_lowercase();
            if name.is_empty() {
                return Err("a username is needed".into());
            }
            let user = store::find_by_username(&mut conn, &name).map_err(describe)?;
            conn.write(|c| {
                if let Some(u) = &user {
                    store::record_event(c, u.id, now, &actor, "unlocked", None)?;
                }
                store::clear_login_failures(c, &name).map(|_| ())
            })
            .map_err(describe)?;
            println!("cleared the failed-login counts of {name}");
        }
        UserCommand::List => {
            let page = crate::http::page::PageRequest::new(Some(500), None).map_err(describe)?;
            for u in store::list(&mut conn, &UserFilter::default(), &page).map_err(describe)? {
                let scope = match &u.community_ids {
                    None => "all communities".to_string(),
                    Some(ids) => format!("{} communities", ids.len()),
                };
                let state = if u.active { "active" } else { "inactive" };
                println!("{}\t{}\t{}\t{}\t{}", u.username, u.role, state, scope, u.id);
            }
        }
    }
    Ok(())
}
