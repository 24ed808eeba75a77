//! The caller's tasks: the hazard list's selection with the task's filter.

use crate::db::DbConn;
use crate::domain::access::{Caller, Permission};
use crate::domain::hazard::Today;
use crate::error::ApiResult;
use crate::hazards::list::{HazardCursor, ListedHazard, Selection};
use crate::hazards::model::HazardFilter;
use crate::http::page::PageRequest;

use super::model::{TaskCounts, TaskKind};

/// Whether the caller has tasks of this kind at all: only supervisors and admins verify.
fn has(caller: &Caller, kind: TaskKind) -> bool {
    kind != TaskKind::Verify || caller.role.may(Permission::Supervise)
}

fn selection<'a>(filter: &'a HazardFilter, caller: &'a Caller, today: Today) -> Selection<'a> {
    Selection { filter, scope: &caller.scope, today, not_submitted_by: Some(caller.user_id) }
}

/// One page of the caller's tasks of `kind`.
pub fn page(
    conn: &mut DbConn,
    caller: &Caller,
    kind: TaskKind,
    today: Today,
    page: &PageRequest<HazardCursor>,
) -> ApiResult<Vec<ListedHazard>> {
    if !has(caller, kind) {
        return Ok(Vec::new());
    }
    let filter = kind.filter();
    selection(&filter, caller, today).page(conn, page)
}

/// How many tasks of `kind` the caller has.
pub fn count(conn: &mut DbConn, caller: &Caller, kind: TaskKind, today: Today) -> ApiResult<i64> {
    if !has(caller, kind) {
        return Ok(0);
    }
    let filter = kind.filter();
    selection(&filter, caller, today).count(conn)
}

/// The badge's counts; `unread` is the caller's unread notifications.
pub fn counts(conn: &mut DbConn, caller: &Caller, today: Today, unread: i64) -> ApiResult<TaskCounts> {
    Ok(TaskCounts {
        verify: count(conn, caller, TaskKind::Verify, today)?,
        due_soon: count(conn, caller, TaskKind::DueSoon, today)?,
        overdue: count(conn, caller, TaskKind::Overdue, today)?,
        unread_notifications: unread,
    })
}
