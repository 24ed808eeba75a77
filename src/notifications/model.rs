//! Notification rows, the view and the list's position.

use chrono::NaiveDate;
use diesel::sql_types::{Integer, Nullable, Text};
use diesel::QueryableByName;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::types::{SqlMoment, SqlUuid};
use crate::domain::{Id, Moment, NotificationKind};
use crate::error::ApiError;
use crate::http::page::{bad_cursor, opaque, unwrap_opaque, Cursor, Position};

/// A notification as one recipient reads it.
#[derive(Debug, Clone, QueryableByName)]
pub struct NotificationRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Id,
    #[diesel(sql_type = Text)]
    pub kind: NotificationKind,
    #[diesel(sql_type = Integer)]
    pub level: i32,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub hazard_id: Option<Id>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
    pub deadline: Option<NaiveDate>,
    #[diesel(sql_type = Text)]
    pub message: String,
    #[diesel(sql_type = SqlMoment)]
    pub created_at: Moment,
    #[diesel(sql_type = Nullable<SqlMoment>)]
    pub read_at: Option<Moment>,
}

/// A notification for the caller.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    pub id: Id,
    pub kind: NotificationKind,
    /// 0 for `due_soon`; the escalation level (1–3 by default) for `overdue`.
    #[schema(minimum = 0)]
    pub level: i32,
    pub hazard_id: Option<Id>,
    /// The deadline the notice is about.
    pub deadline: Option<NaiveDate>,
    pub created_at: Moment,
    /// When the caller marked it read; null while unread.
    pub read_at: Option<Moment>,
    /// What happened, in Chinese.
    pub message: String,
}

impl From<NotificationRow> for Notification {
    fn from(r: NotificationRow) -> Self {
        Notification {
            id: r.id,
            kind: r.kind,
            level: r.level,
            hazard_id: r.hazard_id,
            deadline: r.deadline,
            created_at: r.created_at,
            read_at: r.read_at,
            message: r.message,
        }
    }
}

/// How many were marked read.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MarkedRead {
    pub read: i64,
}

/// The position after a notification in the list: unread first, then newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotificationCursor {
    pub unread: bool,
    pub at: Cursor,
}

impl NotificationCursor {
    pub fn after(row: &NotificationRow) -> Self {
        NotificationCursor { unread: row.read_at.is_none(), at: Cursor { at: row.created_at, id: row.id } }
    }
}

impl Position for NotificationCursor {
    fn encode(&self) -> String {
        opaque(&format!("{}|{}", if self.unread { "u" } else { "r" }, self.at.raw()))
    }

    fn decode(text: &str) -> Result<Self, ApiError> {
        let raw = unwrap_opaque(text)?;
        let (section, rest) = raw.split_once('|').ok_or_else(bad_cursor)?;
        let unread = match section {
            "u" => true,
            "r" => false,
            _ => return Err(bad_cursor()),
        };
        Ok(NotificationCursor { unread, at: Cursor::from_raw(rest)? })
    }
}
