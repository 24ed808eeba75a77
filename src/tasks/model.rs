//! The kinds of task and the counts of the badge.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::HazardStatus;
use crate::hazards::model::{HazardFilter, HazardSort};

// What a task list holds. No doc comment: utoipa would make it the parameter's description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    Verify,
    DueSoon,
    Overdue,
}

/// Which tasks; the page is [`crate::http::page::Paging`].
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// `verify`: hazards whose rectification waits for the caller's verification
    /// (supervisors and admins; not those the caller submitted), longest waiting first;
    /// `due_soon`: hazards due soon, earliest deadline first; `overdue`: overdue hazards,
    /// most overdue first.
    #[param(inline)]
    pub kind: TaskKind,
}

impl TaskKind {
    /// The hazard list's filter that selects these tasks, in their order.
    pub fn filter(self) -> HazardFilter {
        match self {
            TaskKind::Verify => HazardFilter {
                status: Some(vec![HazardStatus::PendingVerification]),
                sort: Some(HazardSort::WaitingLongest),
                ..HazardFilter::default()
            },
            TaskKind::DueSoon => {
                HazardFilter { due_soon: Some(true), sort: Some(HazardSort::DeadlineAsc), ..HazardFilter::default() }
            }
            TaskKind::Overdue => {
                HazardFilter { overdue: Some(true), sort: Some(HazardSort::DeadlineAsc), ..HazardFilter::default() }
            }
        }
    }
}

/// How many tasks of each kind wait, and the unread notifications: for a badge.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TaskCounts {
    pub verify: i64,
    pub due_soon: i64,
    pub overdue: i64,
    pub unread_notifications: i64,
}
