//! Which hazards a list selects and in what order, written once in SQL for both engines
//! and read three ways: a page (keyset), its total, and the ledger export. A search with
//! pairs and the default order reads the index in list order (see `crate::search`); the
//! other orders take the searched hazards as a set.

use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Nullable};
use diesel::{QueryableByName, RunQueryDsl};

use super::model::{HazardFilter, HazardRow, HazardSort};
use crate::db::sql::{Bind, Sql};
use crate::db::types::SqlMoment;
use crate::db::{DbConn, Engine};
use crate::domain::access::Scope;
use crate::domain::hazard::{LevelBound, Today};
use crate::domain::search::Search;
use crate::domain::{HandlingType, HazardStatus, Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::http::page::{bad_cursor, micros_moment, opaque, unwrap_opaque, Cursor, PageRequest, Position};
use crate::search::{self, HAZARD_INDEX};

/// The position after a hazard in a list, in the list's sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HazardCursor {
    /// `found_at_desc`: written as every other list's cursor is.
    FoundAt(Cursor),
    DeadlineAsc(Option<NaiveDate>, Id),
    /// The pending rectification's `submitted_at`.
    WaitingLongest(Option<Moment>, Id),
}

impl HazardCursor {
    pub fn sort(&self) -> HazardSort {
        match self {
            HazardCursor::FoundAt(_) => HazardSort::FoundAtDesc,
            HazardCursor::DeadlineAsc(..) => HazardSort::DeadlineAsc,
            HazardCursor::WaitingLongest(..) => HazardSort::WaitingLongest,
        }
    }

    /// The position after `row` in `sort`.
    pub fn after(sort: HazardSort, row: &ListedHazard) -> Self {
        let h = &row.hazard;
        match sort {
            HazardSort::FoundAtDesc => HazardCursor::FoundAt(Cursor { at: h.found_at, id: h.id }),
            HazardSort::DeadlineAsc => HazardCursor::DeadlineAsc(h.deadline, h.id),
            HazardSort::WaitingLongest => HazardCursor::WaitingLongest(row.waiting_since, h.id),
        }
    }
}

impl Position for HazardCursor {
    fn encode(&self) -> String {
        let raw = match self {
            HazardCursor::FoundAt(c) => c.raw(),
            HazardCursor::DeadlineAsc(d, id) => {
                format!("{}|{}|{id}", HazardSort::DeadlineAsc.as_str(), d.map(|d| d.to_string()).unwrap_or_default())
            }
            HazardCursor::WaitingLongest(t, id) => format!(
                "{}|{}|{id}",
                HazardSort::WaitingLongest.as_str(),
                t.map(|t| t.timestamp_micros().to_string()).unwrap_or_default()
            ),
        };
        opaque(&raw)
    }

    fn decode(text: &str) -> Result<Self, ApiError> {
        let raw = unwrap_opaque(text)?;
        let parts: Vec<&str> = raw.splitn(3, '|').collect();
        let id = |s: &str| s.parse::<Id>().map_err(|_| bad_cursor());
        match parts.as_slice() {
            ["deadline_asc", d, i] => {
                let d = (!d.is_empty()).then(|| d.parse::<NaiveDate>().map_err(|_| bad_cursor())).transpose()?;
                Ok(HazardCursor::DeadlineAsc(d, id(i)?))
            }
            ["waiting_longest", t, i] => {
                let t = (!t.is_empty()).then(|| micros_moment(t)).transpose()?;
                Ok(HazardCursor::WaitingLongest(t, id(i)?))
            }
            _ => Cursor::from_raw(&raw).map(HazardCursor::FoundAt),
        }
    }
}

/// A hazard as a list reads it: its row, and since when it waits for verification.
#[derive(Debug, QueryableByName)]
pub struct ListedHazard {
    #[diesel(embed)]
    pub hazard: HazardRow,
    #[diesel(sql_type = Nullable<SqlMoment>)]
    pub waiting_since: Option<Moment>,
}

/// The hazards a filter selects for a caller, on the office's date `today`.
pub struct Selection<'a> {
    pub filter: &'a HazardFilter,
    pub scope: &'a Scope,
    pub today: Today,
    /// With `waiting_longest` over hazards pending verification only: leave out those whose
    /// rectification this account submitted (what waits for *its* verification).
    pub not_submitted_by: Option<Id>,
}

/// The columns a position is compared on.
struct Keys {
    /// The sort key, and whether it may be NULL in the selection (then it sorts last).
    key: &'static str,
    nullable: bool,
    id: &'static str,
}

impl Selection<'_> {
    fn sort(&self) -> HazardSort {
        self.filter.sort.unwrap_or_default()
    }

    fn search(&self) -> Option<Search> {
        Search::parse(self.filter.q.as_deref())
    }

    /// Whether the search index is read in the list's order: a search with pairs, newest first.
    fn index_drives(&self, search: &Option<Search>) -> bool {
        self.sort() == HazardSort::FoundAtDesc && search.as_ref().is_some_and(|s| !s.grams.is_empty())
    }

    /// Only hazards pending verification, whose rectification is then always there.
    fn only_pending(&self) -> bool {
        self.filter.status.as_deref() == Some(&[HazardStatus::PendingVerification])
    }

    fn keys(&self, drives: bool) -> Keys {
        match self.sort() {
            HazardSort::FoundAtDesc if drives => Keys { key: "s.found_at", nullable: false, id: "s.hazard_id" },
            HazardSort::FoundAtDesc => Keys { key: "hz.found_at", nullable: false, id: "hz.id" },
            HazardSort::DeadlineAsc => {
                // Overdue and deadline hazards all have one: then the index gives the order.
                let has_deadline = self.filter.overdue == Some(true)
                    || self.filter.due_soon == Some(true)
                    || self.filter.escalation.is_some_and(|n| n > 0)
                    || self.filter.handling_type == Some(HandlingType::Deadline);
                Keys { key: "hz.deadline", nullable: !has_deadline, id: "hz.id" }
            }
            HazardSort::WaitingLongest => Keys { key: "r.submitted_at", nullable: !self.only_pending(), id: "hz.id" },
        }
    }

    /// `FROM … WHERE …` of the selection, after `after` when given: the hazard is `hz`,
    /// its unit `u` (joined when searching or when `units`), the pending rectification
    /// `r` (for `waiting_longest`). `joins` are appended to the FROM clause.
    fn push_from_where(&self, sql: &mut Sql, units: bool, joins: &str, after: Option<&HazardCursor>) {
        let search = self.search();
        let drives = self.index_drives(&search);
        let units = units || search.is_some();
        if drives {
            sql.push(" FROM hazard_search s CROSS JOIN hazards hz");
            if units {
                sql.push(" CROSS JOIN units u");
            }
        } else {
            sql.push(" FROM hazards hz");
            if units {
                sql.push(" JOIN units u ON u.id = hz.unit_id");
            }
        }
        if self.sort() == HazardSort::WaitingLongest {
            let join = if self.only_pending() { " JOIN" } else { " LEFT JOIN" };
            sql.push(join).push(" rectifications r ON r.hazard_id = hz.id AND r.status = 'pending'");
            if let (true, Some(user)) = (self.only_pending(), self.not_submitted_by) {
                sql.push(" AND r.submitted_by <> ").bind(Bind::Id(user));
            }
        }
        sql.push(joins);
        sql.push(" WHERE 1 = 1");
        if let Some(search) = &search {
            if drives {
                sql.push(" AND ");
                HAZARD_INDEX.push_pairs(sql, "s", &search.grams);
                sql.push(" AND hz.id = s.hazard_id AND u.id = hz.unit_id");
            } else if !search.grams.is_empty() {
                sql.push(" AND ");
                HAZARD_INDEX.push_in(sql, "hz.id", &search.grams);
            }
            sql.push(" AND ");
            search::push_like(sql, &["hz.description", "u.name", "u.address"], &search.text);
        }
        self.push_filters(sql);
        if let Some(after) = after {
            push_after(sql, &self.keys(drives), after);
        }
    }

    fn push_filters(&self, sql: &mut Sql) {
        let f = self.filter;
        if let Some(ids) = self.scope.restriction() {
            sql.push(" AND ");
            sql.in_ids("hz.community_id", ids);
        }
        if let Some(statuses) = &f.status {
            sql.push(" AND hz.status IN (");
            for (i, s) in statuses.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(Bind::Text(s.as_str().into()));
            }
            sql.push(")");
        }
        let ids = [
            ("hz.community_id", f.community_id),
            ("hz.unit_id", f.unit_id),
            ("hz.campaign_id", f.campaign_id),
            ("hz.inspection_id", f.inspection_id),
        ];
        for (column, value) in ids {
            if let Some(v) = value {
                sql.push(&format!(" AND {column} = ")).bind(Bind::Id(v));
            }
        }
        let texts = [
            ("hz.unit_kind", f.unit_kind.map(|v| v.as_str())),
            ("hz.category", f.category.map(|v| v.as_str())),
            ("hz.level", f.level.map(|v| v.as_str())),
            ("hz.handling_type", f.handling_type.map(|v| v.as_str())),
            ("hz.found_by", f.found_by.map(|v| v.as_str())),
        ];
        for (column, value) in texts {
            if let Some(v) = value {
                sql.push(&format!(" AND {column} = ")).bind(Bind::Text(v.into()));
            }
        }
        if let Some(d) = f.found_from {
            sql.push(" AND hz.found_on >= ").bind(Bind::Date(d));
        }
        if let Some(d) = f.found_to {
            sql.push(" AND hz.found_on <= ").bind(Bind::Date(d));
        }
        let present = [("hz.supervision_state", f.supervised), ("hz.recurrence_of", f.recurrent)];
        for (column, wanted) in present {
            if let Some(wanted) = wanted {
                sql.push(&format!(" AND {column} IS {}NULL", if wanted { "NOT " } else { "" }));
            }
        }
        let today = self.today.date;
        match f.overdue {
            Some(true) => {
                sql.push(" AND hz.status IN ('open', 'pending_verification') AND hz.deadline < ");
                sql.bind(Bind::Date(today));
            }
            Some(false) => {
                sql.push(" AND (hz.status NOT IN ('open', 'pending_verification') OR hz.deadline IS NULL");
                sql.push(" OR hz.deadline >= ").bind(Bind::Date(today));
                sql.push(")");
            }
            None => {}
        }
        // Due soon and the escalation level as ranges of the deadline (its index serves them).
        let until = self.today.ladder.due_soon_until(today);
        match (f.due_soon, until) {
            (Some(true), Some(until)) => {
                sql.push(" AND hz.status IN ('open', 'pending_verification') AND hz.deadline >= ");
                sql.bind(Bind::Date(today)).push(" AND hz.deadline <= ").bind(Bind::Date(until));
            }
            (Some(true), None) => {
                sql.push(" AND 1 = 0");
            }
            (Some(false), Some(until)) => {
                sql.push(" AND (hz.status NOT IN ('open', 'pending_verification') OR hz.deadline IS NULL");
                sql.push(" OR hz.deadline < ").bind(Bind::Date(today));
                sql.push(" OR hz.deadline > ").bind(Bind::Date(until)).push(")");
            }
            (Some(false), None) | (None, _) => {}
        }
        if let Some(level) = f.escalation {
            match self.today.ladder.at_least(i32::from(level), today) {
                LevelBound::Any => {}
                LevelBound::DeadlineOnOrBefore(last) => {
                    sql.push(" AND hz.status IN ('open', 'pending_verification') AND hz.deadline <= ");
                    sql.bind(Bind::Date(last));
                }
                LevelBound::Unreachable => {
                    sql.push(" AND 1 = 0");
                }
            }
        }
    }

    /// ` ORDER BY …` of the sort.
    fn push_order(&self, sql: &mut Sql, drives: bool) {
        let k = self.keys(drives);
        match self.sort() {
            HazardSort::FoundAtDesc => sql.push(&format!(" ORDER BY {} DESC, {} DESC", k.key, k.id)),
            HazardSort::DeadlineAsc | HazardSort::WaitingLongest if k.nullable => {
                sql.push(&format!(" ORDER BY {} ASC NULLS LAST, {} ASC", k.key, k.id))
            }
            HazardSort::DeadlineAsc | HazardSort::WaitingLongest => {
                sql.push(&format!(" ORDER BY {} ASC, {} ASC", k.key, k.id))
            }
        };
    }

    /// One page of the selection, in its sort.
    pub fn page(&self, conn: &mut DbConn, page: &PageRequest<HazardCursor>) -> ApiResult<Vec<ListedHazard>> {
        if let Some(after) = &page.after {
            if after.sort() != self.sort() {
                return Err(ApiError::field("cursor", "invalid", "the cursor belongs to another sort"));
            }
        }
        let drives = self.index_drives(&self.search());
        let mut sql = Sql::new(conn.engine());
        sql.push("SELECT hz.*, ");
        match self.sort() {
            HazardSort::WaitingLongest => sql.push("r.submitted_at AS waiting_since"),
            _ => sql.push(&format!("{} AS waiting_since", sql.null_moment())),
        };
        self.push_from_where(&mut sql, false, "", page.after.as_ref());
        self.push_order(&mut sql, drives);
        sql.push(" LIMIT ").bind(Bind::BigInt(page.fetch_limit()));
        Ok(sql.build().load(conn)?)
    }

    /// How many hazards the selection holds.
    pub fn count(&self, conn: &mut DbConn) -> ApiResult<i64> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut sql = Sql::new(conn.engine());
        sql.push("SELECT CAST(COUNT(*) AS BIGINT) AS n");
        self.push_from_where(&mut sql, false, "", None);
        Ok(sql.build().get_result::<Count>(conn)?.n)
    }

    /// The whole selection in its sort, with `columns` selected and `joins` added (the
    /// unit `u` is joined), for a cursor to read (`Sql::for_each`).
    pub fn all(&self, engine: Engine, columns: &str, joins: &str) -> Sql {
        let mut sql = Sql::new(engine);
        let drives = self.index_drives(&self.search());
        sql.push("SELECT ").push(columns);
        self.push_from_where(&mut sql, true, joins, None);
        self.push_order(&mut sql, drives);
        sql
    }
}

/// The keyset condition: rows after `after` in the sort whose columns are `k`.
fn push_after(sql: &mut Sql, k: &Keys, after: &HazardCursor) {
    let Keys { key, id, nullable } = k;
    match *after {
        HazardCursor::FoundAt(c) => {
            sql.push(&format!(" AND ({key} < ")).bind(Bind::Moment(c.at));
            sql.push(&format!(" OR ({key} = ")).bind(Bind::Moment(c.at));
            sql.push(&format!(" AND {id} < ")).bind(Bind::Id(c.id));
            sql.push("))");
        }
        HazardCursor::DeadlineAsc(value, after_id) => {
            push_ascending_after(sql, key, id, *nullable, value.map(Bind::Date), after_id)
        }
        HazardCursor::WaitingLongest(value, after_id) => {
            push_ascending_after(sql, key, id, *nullable, value.map(Bind::Moment), after_id)
        }
    }
}

/// After (`value`, `after_id`) in `key ASC NULLS LAST, id ASC`.
fn push_ascending_after(sql: &mut Sql, key: &str, id: &str, nullable: bool, value: Option<Bind>, after_id: Id) {
    match value {
        Some(v) => {
            sql.push(&format!(" AND ({key} > ")).bind(v.clone());
            sql.push(&format!(" OR ({key} = ")).bind(v);
            sql.push(&format!(" AND {id} > ")).bind(Bind::Id(after_id));
            sql.push(")");
            if nullable {
                sql.push(&format!(" OR {key} IS NULL"));
            }
            sql.push(")");
        }
        None => {
            sql.push(&format!(" AND {key} IS NULL AND {id} > ")).bind(Bind::Id(after_id));
        }
    }
}
