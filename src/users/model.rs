//! User rows, views, requests and checks.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::schema::{user_events, users};
use crate::domain::patch::nullable;
use crate::domain::validate::{not_blank, Problems};
use crate::domain::Role;
use crate::domain::{Id, Moment};
use crate::error::ApiResult;
use crate::users::password;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: Id,
    pub username: String,
    pub password_hash: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub all_communities: bool,
    pub active: bool,
    pub version: i32,
    pub created_at: Moment,
    pub updated_at: Moment,
    pub created_by: Option<Id>,
    pub must_change_password: bool,
}

impl UserRow {
    /// The name shown in histories.
    pub fn shown_name(&self) -> String {
        self.display_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| self.username.clone())
    }
}

/// A user as admins see it (never the password hash).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: Id,
    pub username: String,
    pub display_name: Option<String>,
    pub role: Role,
    /// The communities in scope; null means all communities.
    pub community_ids: Option<Vec<Id>>,
    pub active: bool,
    pub version: i32,
    pub created_at: Moment,
    pub updated_at: Moment,
    pub created_by: Option<Id>,
    /// The user must change their password before anything else (`POST /auth/password`).
    pub must_change_password: bool,
}

impl User {
    pub fn from_row(r: UserRow, community_ids: Vec<Id>) -> Self {
        User {
            community_ids: if r.all_communities { None } else { Some(community_ids) },
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            role: r.role,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
            created_by: r.created_by,
            must_change_password: r.must_change_password,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_events)]
pub struct UserEventRow {
    pub id: Id,
    pub user_id: Id,
    pub at: Moment,
    pub actor: String,
    pub actor_user_id: Option<Id>,
    pub kind: String,
    pub details: Option<String>,
}

fn username_chars(name: &str) -> Result<(), validator::ValidationError> {
    if name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.')) {
        Ok(())
    } else {
        let mut e = validator::ValidationError::new("invalid_username");
        e.message = Some("a username uses lower-case letters, digits, _, - and .".into());
        Err(e)
    }
}

fn check_password(p: &mut Problems, username: &str, password: &str) {
    if let Some(reason) = password::policy_problem(username, password) {
        p.push("password", "weak_password", reason);
    }
}

fn check_scope_ids(p: &mut Problems, ids: &[Id]) {
    let mut seen = std::collections::HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        if !seen.insert(*id) {
            p.push(format!("community_ids[{i}]"), "duplicate", "this community is listed twice");
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Lower-case letters, digits, `_`, `-` and `.`.
    #[validate(length(min = 2, max = 64), custom(function = "username_chars"))]
    #[schema(pattern = "^[a-z0-9_.-]{2,64}$")]
    pub username: String,
    /// 10–200 characters, not containing the username, not one repeated character, not
    /// one of the 10,000 most common passwords (nor one with digits or symbols added).
    #[schema(min_length = 10, max_length = 200)]
    pub password: String,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub display_name: Option<String>,
    pub role: Role,
    /// Communities in scope; absent or null: all communities.
    pub community_ids: Option<Vec<Id>>,
    /// The user must change this password before anything else (default `false`).
    #[serde(default)]
    pub must_change_password: bool,
}

impl NewUser {
    pub fn check(&self) -> ApiResult<()> {
        let mut p = Problems::new();
        p.extend_validator("", self.validate());
        check_password(&mut p, &self.username, &self.password);
        if let Some(ids) = &self.community_ids {
            check_scope_ids(&mut p, ids);
        }
        Ok(p.into_result()?)
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub version: i32,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub display_name: Option<Option<String>>,
    pub role: Option<Role>,
    /// A list of communities, or null for all communities.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<Id>>)]
    pub community_ids: Option<Option<Vec<Id>>>,
    /// A new password (the user's tokens are revoked), by the same rules as at creation.
    /// Set for someone else, it must be changed by its user at their next login.
    #[schema(min_length = 10, max_length = 200)]
    pub password: Option<String>,
    /// `true` reactivates a deactivated user.
    pub active: Option<bool>,
}

impl UserPatch {
    pub fn check(&self, username: &str) -> ApiResult<()> {
        let mut p = Problems::new();
        p.extend_validator("", self.validate());
        if let Some(Some(name)) = &self.display_name {
            let len = name.trim().chars().count();
            if len == 0 || name.chars().count() > 200 {
                p.push("display_name", "length", "length must be between 1 and 200");
            }
        }
        if let Some(pw) = &self.password {
            check_password(&mut p, username, pw);
        }
        if let Some(Some(ids)) = &self.community_ids {
            check_scope_ids(&mut p, ids);
        }
        Ok(p.into_result()?)
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Deactivation {
    #[validate(length(max = 2000))]
    pub reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A user's change of their own password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password now.
    #[schema(min_length = 1, max_length = 1024)]
    pub current_password: String,
    /// The new one, by the rules of every password.
    #[schema(min_length = 10, max_length = 200)]
    pub new_password: String,
}

impl PasswordChange {
    /// The checks that need no database: the new password's rules, and that it is new.
    pub fn check(&self, username: &str) -> ApiResult<()> {
        let mut p = Problems::new();
        if let Some(reason) = password::policy_problem(username, &self.new_password) {
            p.push("new_password", "weak_password", reason);
        } else if self.new_password == self.current_password {
            p.push("new_password", "same_password", "the new password must differ from the current one");
        }
        Ok(p.into_result()?)
    }
}
