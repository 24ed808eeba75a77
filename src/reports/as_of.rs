//! A hazard "as of" a moment, in SQL, once for every report query: its state and deadline
//! then (read from its row, or replayed from its events), and what closed, open and
//! overdue mean.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::hazard_events;
use crate::db::sql::{Bind, Sql};
use crate::db::DbConn;
use crate::domain::hazard::is_unresolved;
use crate::domain::{HazardStatus, Moment};
use crate::error::ApiResult;

/// Where each hazard's state and deadline as of the report's moment come from. (Not to
/// be confused with the idempotent replay of a repeated request.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateAsOf {
    /// Nothing happened after the moment: each hazard's row holds its state then.
    Stored,
    /// Events came after the moment: each hazard's events are replayed up to it.
    Replayed,
}

impl StateAsOf {
    /// `Replayed` only when some event happened after `as_of`.
    pub fn at(conn: &mut DbConn, as_of: Moment) -> ApiResult<Self> {
        let latest: Option<Moment> =
            hazard_events::table.select(hazard_events::at).order(hazard_events::at.desc()).first(conn).optional()?;
        Ok(if latest.is_none_or(|t| t <= as_of) { StateAsOf::Stored } else { StateAsOf::Replayed })
    }

    /// The state of the hazard `hz` as of `as_of`, as the column `st`.
    pub fn push_state(self, sql: &mut Sql, as_of: Moment) {
        self.push_column(sql, as_of, "status", "to_state");
        sql.push(" AS st");
    }

    /// The state and the deadline of the hazard `hz` as of `as_of`, as the columns `st`
    /// and `dl`.
    pub fn push_state_and_deadline(self, sql: &mut Sql, as_of: Moment) {
        self.push_state(sql, as_of);
        sql.push(", ");
        self.push_column(sql, as_of, "deadline", "deadline");
        sql.push(" AS dl");
    }

    /// The governance plan's state, the supervision's level and its state of the hazard
    /// `hz` as of `as_of`, as the columns `pl`, `svl` and `svs`.
    pub fn push_governance(self, sql: &mut Sql, as_of: Moment) {
        for (column, alias) in [("plan_state", "pl"), ("supervision_level", "svl"), ("supervision_state", "svs")] {
            sql.push(", ");
            self.push_column(sql, as_of, column, column);
            sql.push(&format!(" AS {alias}"));
        }
    }

    /// A column of `hazards hz` as of `as_of`: the row's own, or the one its latest
    /// event by then set.
    fn push_column(self, sql: &mut Sql, as_of: Moment, row_column: &str, event_column: &str) {
        match self {
            StateAsOf::Stored => sql.push(&format!("hz.{row_column}")),
            StateAsOf::Replayed => {
                sql.push(&format!(
                    "(SELECT e.{event_column} FROM hazard_events e WHERE e.hazard_id = hz.id AND e.at <= "
                ));
                sql.bind(Bind::Moment(as_of));
                sql.push(" ORDER BY e.at DESC, e.id DESC LIMIT 1)")
            }
        };
    }
}

/// The state column `st` holds `status`.
pub fn state_is(st: &str, status: HazardStatus) -> String {
    format!("{st} = '{}'", status.as_str())
}

/// Closed: rectified and verified, or rectified on the spot.
pub fn closed(st: &str) -> String {
    state_is(st, HazardStatus::Closed)
}

/// Open: still awaiting closure, i.e. open or pending verification
/// ([`crate::domain::hazard::is_unresolved`]).
pub fn open(st: &str) -> String {
    let states: Vec<String> =
        HazardStatus::ALL.iter().filter(|s| is_unresolved(**s)).map(|s| format!("'{}'", s.as_str())).collect();
    format!("{st} IN ({})", states.join(", "))
}

/// Overdue: open with a deadline `dl` before `today`, the office's date at the moment
/// (the deadline day itself is not overdue).
pub fn push_overdue(sql: &mut Sql, st: &str, dl: &str, today: NaiveDate) {
    sql.push(&format!("{} AND {dl} < ", open(st))).bind(Bind::Date(today));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_states_as_sql() {
        assert_eq!(closed("b.st"), "b.st = 'closed'");
        assert_eq!(open("b.st"), "b.st IN ('open', 'pending_verification')");
        assert_eq!(state_is("hz.status", HazardStatus::Voided), "hz.status = 'voided'");
    }
}
