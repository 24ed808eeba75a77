//! Report parameters and the shapes reports answer in.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};

use crate::domain::labels::Lang;
use crate::domain::tally::Tally;
use crate::domain::validate::Problems;
use crate::domain::{HazardCategory, UnitKind};
use crate::domain::{Id, Moment};
use crate::error::ApiResult;

/// How summary rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Community,
    Category,
    Level,
    Campaign,
    UnitKind,
    Month,
    /// Who found the hazards (`inspection`, `self_check`): hazard counters only, like
    /// category and level.
    FoundBy,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// First local date, inclusive.
    pub from: NaiveDate,
    /// Last local date, inclusive.
    pub to: NaiveDate,
    pub community_id: Option<Id>,
    pub unit_kind: Option<UnitKind>,
    /// Restricts the hazard counters (inspection counters are about units, not categories).
    pub category: Option<HazardCategory>,
    pub campaign_id: Option<Id>,
    /// Count only what was recorded by this moment, in the state it had then (default: now).
    #[param(value_type = Option<String>, format = DateTime)]
    pub as_of: Option<Moment>,
    pub group_by: Option<GroupBy>,
}

/// What every report query is restricted to.
#[derive(Debug, Clone)]
pub struct Filter {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: Moment,
    /// The office's date at `as_of`: overdue means a deadline before it.
    pub as_of_date: NaiveDate,
    pub community_id: Option<Id>,
    pub unit_kind: Option<UnitKind>,
    pub category: Option<HazardCategory>,
    pub campaign_id: Option<Id>,
    /// The caller's communities, or `None` for all.
    pub scope: Option<Vec<Id>>,
    pub leader_led_only: bool,
    /// The office's zone, which dates moments.
    pub tz: chrono_tz::Tz,
}

pub fn check_period(from: NaiveDate, to: NaiveDate, as_of: Option<Moment>, now: Moment, skew: i64) -> ApiResult<()> {
    let mut p = Problems::new();
    if to < from {
        p.push("to", "before_from", "`to` must not be before `from`");
    }
    if as_of.is_some_and(|t| t.0 > now.0 + chrono::Duration::seconds(skew)) {
        p.push("as_of", "in_future", "as_of must not be in the future: future figures would still change");
    }
    Ok(p.into_result()?)
}

/// The same counters in totals, in the leader-led block and in every row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Counters {
    /// Distinct units with an inspection in the period (null where rows are hazard groups).
    pub units_inspected: Option<i64>,
    pub units_with_hazards: i64,
    /// Inspections in the period (null where rows are hazard groups).
    pub inspections: Option<i64>,
    pub hazards_found: i64,
    /// Closed (rectified) by `as_of`.
    pub hazards_closed: i64,
    pub hazards_voided: i64,
    pub hazards_open: i64,
    pub hazards_pending_verification: i64,
    /// Open or pending verification with a deadline before the office's date at `as_of`.
    pub hazards_overdue: i64,
    pub major_open: i64,
    /// Found, general (一般) and major (重大).
    pub hazards_found_general: i64,
    pub hazards_found_major: i64,
    /// Closed by `as_of`, general and major.
    pub hazards_closed_general: i64,
    pub hazards_closed_major: i64,
    /// Major hazards with a governance plan (治理方案) by `as_of`, complete or not.
    pub major_with_plan: i64,
    /// … with a complete plan (all five items of 五到位).
    pub major_plan_complete: i64,
    /// Major hazards listed for formal supervision (挂牌督办) by `as_of`, lifted included.
    pub major_supervised: i64,
    /// … by the province.
    pub major_supervised_province: i64,
    /// … and lifted (摘牌销号) by `as_of`.
    pub major_supervised_lifted: i64,
    /// Recurrences: hazards with `recurrence_of`.
    pub hazards_recurrent: i64,
    /// What the rectifications passed by `as_of` cost, in yuan with 2 decimals, counted on
    /// the day of their verification (a day of the period), whenever the hazard was found.
    #[schema(value_type = f64)]
    pub rectification_cost: Box<RawValue>,
    /// closed / (found − voided), 4 decimals; null when nothing counts.
    #[schema(value_type = Option<f64>)]
    pub closure_rate: Option<Box<RawValue>>,
    /// The same as a percentage, e.g. "75.60%".
    pub closure_rate_pct: Option<String>,
}

/// closed / (found − voided) in ten-thousandths, rounded half up; `None` for 0 / 0.
pub fn rate_e4(closed: i64, found: i64, voided: i64) -> Option<i64> {
    let denominator = found - voided;
    (denominator > 0).then(|| (closed * 20_000 + denominator) / (2 * denominator))
}

/// Cents as yuan with 2 decimals, a JSON number: 123456 -> 1234.56.
pub fn yuan(cents: i64) -> Box<RawValue> {
    let sign = if cents < 0 { "-" } else { "" };
    let text = format!("{sign}{}.{:02}", cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
    RawValue::from_string(text).unwrap_or_default()
}

impl Counters {
    /// The counters of a group: its hazard counters, its distinct units with hazards, and
    /// (where the rows are not hazard groups) its inspections and distinct units inspected.
    pub fn of(t: &Tally, units_with_hazards: i64, visits: Option<(i64, i64)>) -> Self {
        Counters {
            units_inspected: visits.map(|v| v.1),
            units_with_hazards,
            inspections: visits.map(|v| v.0),
            hazards_found: t.found,
            hazards_closed: t.closed,
            hazards_voided: t.voided,
            hazards_open: t.open,
            hazards_pending_verification: t.pending,
            hazards_overdue: t.overdue,
            major_open: t.major_open,
            hazards_found_general: t.found - t.found_major,
            hazards_found_major: t.found_major,
            hazards_closed_general: t.closed - t.closed_major,
            hazards_closed_major: t.closed_major,
            major_with_plan: t.major_with_plan,
            major_plan_complete: t.major_plan_complete,
            major_supervised: t.major_supervised,
            major_supervised_province: t.major_supervised_province,
            major_supervised_lifted: t.major_supervised_lifted,
            hazards_recurrent: t.hazards_recurrent,
            rectification_cost: yuan(t.rectification_cost_cents),
            closure_rate: None,
            closure_rate_pct: None,
        }
        .finish()
    }

    pub fn finish(mut self) -> Self {
        match rate_e4(self.hazards_closed, self.hazards_found, self.hazards_voided) {
            Some(e4) => {
                self.closure_rate = RawValue::from_string(format!("{}.{:04}", e4 / 10_000, e4 % 10_000)).ok();
                self.closure_rate_pct = Some(format!("{}.{:02}%", e4 / 100, e4 % 100));
            }
            None => {
                self.closure_rate = None;
                self.closure_rate_pct = None;
            }
        }
        self
    }

    pub fn rate(&self) -> Option<f64> {
        rate_e4(self.hazards_closed, self.hazards_found, self.hazards_voided).map(|e4| e4 as f64 / 10_000.0)
    }
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct EnforcementTotals {
    pub actions: i64,
    /// Outcomes: one per unit per action.
    pub units_involved: i64,
    pub violations: i64,
    pub cases_transferred: i64,
    pub warnings: i64,
    pub suspensions: i64,
    pub closures: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: Moment,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Row {
    /// The group: a community or campaign id, a category, level or unit kind, a month.
    pub key: Option<String>,
    pub label: String,
    #[serde(flatten)]
    pub counters: Counters,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    pub period: Period,
    pub totals: Counters,
    pub leader_led: Counters,
    pub enforcement: EnforcementTotals,
    pub group_by: Option<GroupBy>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MonthlyQuery {
    /// `YYYY-MM`.
    #[param(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub month: String,
    pub community_id: Option<Id>,
    #[param(value_type = Option<String>, format = DateTime)]
    pub as_of: Option<Moment>,
    /// `zh` (default) or `en`, for the workbook and CSV headers.
    #[param(inline)]
    pub lang: Option<Lang>,
    /// CSV only: which table.
    #[param(inline)]
    pub table: Option<Table>,
}

/// The monthly CSV's query: the monthly report's, with the table required.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MonthlyCsvQuery {
    /// `YYYY-MM`.
    #[param(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub month: String,
    pub community_id: Option<Id>,
    #[param(value_type = Option<String>, format = DateTime)]
    pub as_of: Option<Moment>,
    /// `zh` (default) or `en`, for the headers.
    #[param(inline)]
    pub lang: Option<Lang>,
    /// Which table of the workbook.
    #[param(inline, required = true)]
    pub table: Option<Table>,
}

impl From<MonthlyCsvQuery> for MonthlyQuery {
    fn from(q: MonthlyCsvQuery) -> Self {
        MonthlyQuery { month: q.month, community_id: q.community_id, as_of: q.as_of, lang: q.lang, table: q.table }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    Summary,
    ByCommunity,
    ByCategory,
    ByUnitKind,
    Overdue,
    Major,
    Enforcement,
    LeaderLed,
    Recurrent,
}

/// The first and last day of a `YYYY-MM` month.
pub fn month_range(month: &str) -> ApiResult<(NaiveDate, NaiveDate)> {
    let bad = || crate::error::ApiError::field("month", "invalid", "month is YYYY-MM, e.g. 2026-11");
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").map_err(|_| bad())?;
    if month.len() != 7 {
        return Err(bad());
    }
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .ok_or_else(bad)?;
    Ok((first, next.pred_opt().ok_or_else(bad)?))
}

/// One hazard line of the overdue and major tables.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HazardLine {
    pub hazard_id: Id,
    pub unit_id: Id,
    pub unit_name: String,
    pub community_id: Id,
    pub community_name: String,
    pub category: HazardCategory,
    pub level: crate::domain::HazardLevel,
    pub status: crate::domain::HazardStatus,
    pub found_on: NaiveDate,
    pub deadline: Option<NaiveDate>,
    pub days_overdue: Option<i64>,
    /// 隐患描述.
    pub description: String,
    /// The unit's address (地址).
    pub unit_address: String,
    /// What the unit did (整改措施): its latest rectification by the report's moment.
    pub measures: Option<String>,
    /// 责任人.
    pub responsible_person: Option<String>,
    /// The unit's telephone (联系电话).
    pub contact_phone: Option<String>,
    /// As of the report's moment: its governance plan's completeness (null: no plan) …
    pub plan_state: Option<crate::domain::PlanState>,
    /// … and its formal supervision's level and state (null: not supervised).
    pub supervision_level: Option<crate::domain::SupervisionLevel>,
    pub supervision_state: Option<crate::domain::SupervisionState>,
    /// The earlier hazard it recurs, and the day that one was found.
    pub recurrence_of: Option<Id>,
    pub recurrence_found_on: Option<NaiveDate>,
}

/// One outcome line of the enforcement table.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnforcementLine {
    pub action_id: Id,
    pub held_on: NaiveDate,
    pub lead_department: String,
    pub departments: Vec<String>,
    pub summary: String,
    pub unit_id: Id,
    pub unit_name: String,
    pub community_name: String,
    pub violations_found: i64,
    pub violation_description: Option<String>,
    pub measure: String,
    pub transferred_to: Option<String>,
}

/// One leader-led inspection of the month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeaderLedLine {
    pub inspection_id: Id,
    pub inspected_on: NaiveDate,
    pub unit_id: Id,
    pub unit_name: String,
    pub community_name: String,
    pub inspectors: Vec<String>,
    pub hazards_found: i64,
    pub hazards_closed: i64,
}

/// The monthly report's figures: everything but its line tables, small whatever the
/// size of the year.
#[derive(Debug, Clone, Serialize)]
pub struct MonthlyHead {
    pub month: String,
    pub period: Period,
    pub totals: Counters,
    pub leader_led_totals: Counters,
    pub enforcement_totals: EnforcementTotals,
    pub by_community: Vec<Row>,
    pub by_category: Vec<Row>,
    pub by_unit_kind: Vec<Row>,
    pub year_to_date: YearToDate,
}

/// The figures from 1 January (local) of the month's year to the month's end, as of the
/// same moment (本年累计): totals and rows by community.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearToDate {
    pub period: Period,
    pub totals: Counters,
    /// By community.
    pub rows: Vec<Row>,
}

/// The monthly report as JSON. The server never builds this value: it writes the
/// [`MonthlyHead`] and then each line table row by row from a database cursor, so a
/// county's year of overdue hazards never sits in memory; this type is its schema.
#[allow(dead_code)]
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Monthly {
    pub month: String,
    pub period: Period,
    pub totals: Counters,
    pub leader_led_totals: Counters,
    pub enforcement_totals: EnforcementTotals,
    pub by_community: Vec<Row>,
    pub by_category: Vec<Row>,
    /// By unit kind (按行业).
    pub by_unit_kind: Vec<Row>,
    pub year_to_date: YearToDate,
    /// Overdue as of `as_of`, whenever found.
    pub overdue: Vec<HazardLine>,
    /// Major and open (or pending verification) as of `as_of`, whenever found.
    pub major: Vec<HazardLine>,
    pub enforcement: Vec<EnforcementLine>,
    pub leader_led: Vec<LeaderLedLine>,
    /// The month's recurrences: hazards found in it that recur an earlier one.
    pub recurrent: Vec<HazardLine>,
}

impl Table {
    /// The table's key in the JSON report (and its `table=` value).
    pub fn as_str(self) -> &'static str {
        match self {
            Table::Summary => "summary",
            Table::ByCommunity => "by_community",
            Table::ByCategory => "by_category",
            Table::ByUnitKind => "by_unit_kind",
            Table::Overdue => "overdue",
            Table::Major => "major",
            Table::Enforcement => "enforcement",
            Table::LeaderLed => "leader_led",
            Table::Recurrent => "recurrent",
        }
    }

    /// Every table, in the order the workbook gives them (and the JSON its line tables).
    pub const ALL: [Table; 9] = [
        Table::Summary,
        Table::ByCommunity,
        Table::ByCategory,
        Table::ByUnitKind,
        Table::Overdue,
        Table::Major,
        Table::Enforcement,
        Table::LeaderLed,
        Table::Recurrent,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_half_up_to_four_places() {
        assert_eq!(rate_e4(5334, 7056, 0), Some(7560));
        assert_eq!(rate_e4(202, 237, 0), Some(8523));
        assert_eq!(rate_e4(1, 3, 0), Some(3333));
        assert_eq!(rate_e4(2, 3, 0), Some(6667));
        assert_eq!(rate_e4(0, 0, 0), None);
        assert_eq!(rate_e4(0, 2, 2), None);
        let c = Counters::of(&Tally { found: 7056, closed: 5334, ..Tally::default() }, 0, None);
        assert_eq!(c.closure_rate.as_ref().map(|r| r.get()), Some("0.7560"));
        assert_eq!(c.closure_rate_pct.as_deref(), Some("75.60%"));
        let full = Counters::of(&Tally { found: 4, closed: 4, ..Tally::default() }, 0, None);
        assert_eq!(yuan(123_456).get(), "1234.56");
        assert_eq!(yuan(5).get(), "0.05");
        assert_eq!(yuan(-150).get(), "-1.50");
        assert_eq!(full.closure_rate.as_ref().map(|r| r.get()), Some("1.0000"));
        assert_eq!(full.closure_rate_pct.as_deref(), Some("100.00%"));
    }

    #[test]
    fn months() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(month_range("2026-02").unwrap(), (d("2026-02-01"), d("2026-02-28")));
        assert_eq!(month_range("2024-12").unwrap(), (d("2024-12-01"), d("2024-12-31")));
        assert!(month_range("2026-13").is_err());
        assert!(month_range("2026-1").is_err());
    }

    #[test]
    fn table_names_are_their_serde_names() {
        for t in Table::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), serde_json::Value::from(t.as_str()));
        }
    }
}
