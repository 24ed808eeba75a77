//! The hazard's life-cycle rules that do not need the database.

use std::fmt;
use std::str::FromStr;

use chrono::{Days, NaiveDate};

use super::{HandlingType, HazardStatus};

/// The state a new hazard starts in.
pub fn initial_status(handling: HandlingType) -> HazardStatus {
    match handling {
        HandlingType::Deadline => HazardStatus::Open,
        HandlingType::OnTheSpot => HazardStatus::Closed,
    }
}

/// Whether the hazard still awaits closure.
pub fn is_unresolved(status: HazardStatus) -> bool {
    matches!(status, HazardStatus::Open | HazardStatus::PendingVerification)
}

/// Days past the deadline on `today` (the office's date), if overdue: the deadline day
/// itself is not overdue.
pub fn days_overdue(status: HazardStatus, deadline: Option<NaiveDate>, today: NaiveDate) -> Option<i64> {
    let deadline = deadline?;
    if is_unresolved(status) && deadline < today {
        Some((today - deadline).num_days())
    } else {
        None
    }
}

/// Most escalation steps `SAFETRACE_ESCALATE_DAYS` may list (levels 2 to 9).
pub const MAX_STEPS: usize = 8;

/// Days overdue at which an overdue hazard climbs one escalation level more
/// (`SAFETRACE_ESCALATE_DAYS`, default `3,7`): strictly increasing, each at least 2 (one
/// day overdue is level 1 already). Kept in a small array so the rules stay `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Steps {
    days: [u32; MAX_STEPS],
    len: usize,
}

impl Steps {
    pub fn days(&self) -> &[u32] {
        &self.days[..self.len]
    }
}

impl Default for Steps {
    fn default() -> Self {
        "3,7".parse().unwrap_or(Steps { days: [0; MAX_STEPS], len: 0 })
    }
}

impl FromStr for Steps {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut steps = Steps { days: [0; MAX_STEPS], len: 0 };
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let d: u32 = part.parse().map_err(|_| format!("`{part}` is not a number of days"))?;
            if !(2..=3650).contains(&d) {
                return Err(format!("{d}: each step is 2 to 3650 days overdue"));
            }
            if steps.len > 0 && d <= steps.days[steps.len - 1] {
                return Err("the steps must increase (e.g. 3,7)".into());
            }
            if steps.len == MAX_STEPS {
                return Err(format!("at most {MAX_STEPS} steps"));
            }
            steps.days[steps.len] = d;
            steps.len += 1;
        }
        Ok(steps)
    }
}

impl fmt::Display for Steps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.days().iter().map(u32::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

/// How deadlines are chased: when a hazard is due soon, and its escalation ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ladder {
    /// `SAFETRACE_DUE_SOON_DAYS`: due soon from this many days before the deadline.
    pub due_soon_days: u32,
    pub steps: Steps,
}

impl Default for Ladder {
    fn default() -> Self {
        Ladder { due_soon_days: 3, steps: Steps::default() }
    }
}

/// The office's date and the ladder it is read with: what a hazard's view derives
/// (`days_overdue`, `due_soon`, `escalation`) needs both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Today {
    pub date: NaiveDate,
    pub ladder: Ladder,
}

/// What "filter at least this level" means in dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelBound {
    /// Every hazard qualifies (level 0).
    Any,
    /// Unresolved hazards whose deadline is on or before this date.
    DeadlineOnOrBefore(NaiveDate),
    /// No hazard can reach the level.
    Unreachable,
}

impl Ladder {
    /// The highest level the ladder has.
    pub fn top(&self) -> i32 {
        1 + self.steps.len as i32
    }

    /// Due soon on `today`: unresolved, and today ≤ deadline ≤ today + the days.
    pub fn due_soon(&self, status: HazardStatus, deadline: Option<NaiveDate>, today: NaiveDate) -> bool {
        match (deadline, self.due_soon_until(today)) {
            (Some(d), Some(until)) => is_unresolved(status) && today <= d && d <= until,
            _ => false,
        }
    }

    /// The last deadline that is due soon on `today`.
    pub fn due_soon_until(&self, today: NaiveDate) -> Option<NaiveDate> {
        today.checked_add_days(Days::new(u64::from(self.due_soon_days)))
    }

    /// The escalation level of a hazard `days_overdue` past its deadline (0 when not overdue).
    pub fn level_of(&self, days_overdue: Option<i64>) -> i32 {
        match days_overdue {
            Some(n) if n >= 1 => 1 + self.steps.days().iter().filter(|&&d| n >= i64::from(d)).count() as i32,
            _ => 0,
        }
    }

    /// The escalation level on `today`.
    pub fn escalation(&self, status: HazardStatus, deadline: Option<NaiveDate>, today: NaiveDate) -> i32 {
        self.level_of(days_overdue(status, deadline, today))
    }

    /// The deadlines of unresolved hazards at `level` or above on `today`.
    pub fn at_least(&self, level: i32, today: NaiveDate) -> LevelBound {
        let overdue_by = match level {
            i32::MIN..=0 => return LevelBound::Any,
            1 => 1,
            n if n > self.top() => return LevelBound::Unreachable,
            n => self.steps.days()[(n - 2) as usize],
        };
        match today.checked_sub_days(Days::new(u64::from(overdue_by))) {
            Some(d) => LevelBound::DeadlineOnOrBefore(d),
            None => LevelBound::Unreachable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn deadline_day_is_not_overdue() {
        assert_eq!(days_overdue(HazardStatus::Open, Some(d("2026-11-25")), d("2026-11-25")), None);
        assert_eq!(days_overdue(HazardStatus::Open, Some(d("2026-11-25")), d("2026-11-26")), Some(1));
    }

    #[test]
    fn closed_and_voided_are_never_overdue() {
        for s in [HazardStatus::Closed, HazardStatus::Voided] {
            assert_eq!(days_overdue(s, Some(d("2020-01-01")), d("2026-11-26")), None);
        }
        assert_eq!(days_overdue(HazardStatus::PendingVerification, Some(d("2026-11-01")), d("2026-11-26")), Some(25));
    }

    #[test]
    fn on_the_spot_starts_closed() {
        assert_eq!(initial_status(HandlingType::OnTheSpot), HazardStatus::Closed);
        assert_eq!(initial_status(HandlingType::Deadline), HazardStatus::Open);
    }

    #[test]
    fn due_soon_is_today_to_three_days_ahead_while_unresolved() {
        let l = Ladder::default();
        let today = d("2026-11-25");
        assert!(l.due_soon(HazardStatus::Open, Some(d("2026-11-25")), today));
        assert!(l.due_soon(HazardStatus::PendingVerification, Some(d("2026-11-28")), today));
        assert!(!l.due_soon(HazardStatus::Open, Some(d("2026-11-29")), today));
        assert!(!l.due_soon(HazardStatus::Open, Some(d("2026-11-24")), today));
        assert!(!l.due_soon(HazardStatus::Closed, Some(d("2026-11-26")), today));
        assert!(!l.due_soon(HazardStatus::Open, None, today));
    }

    #[test]
    fn escalation_climbs_at_each_step() {
        let l = Ladder::default();
        let today = d("2026-11-25");
        let level = |deadline: &str| l.escalation(HazardStatus::Open, Some(d(deadline)), today);
        assert_eq!(level("2026-11-25"), 0);
        assert_eq!(level("2026-11-24"), 1);
        assert_eq!(level("2026-11-23"), 1);
        assert_eq!(level("2026-11-22"), 2);
        assert_eq!(level("2026-11-19"), 2);
        assert_eq!(level("2026-11-18"), 3);
        assert_eq!(level("2020-01-01"), 3);
        assert_eq!(l.escalation(HazardStatus::Voided, Some(d("2020-01-01")), today), 0);
        assert_eq!(l.top(), 3);
    }

    #[test]
    fn at_least_agrees_with_the_level() {
        let l = Ladder::default();
        let today = d("2026-11-25");
        for back in 0..12u64 {
            let deadline = today.checked_sub_days(Days::new(back)).unwrap();
            let level = l.escalation(HazardStatus::Open, Some(deadline), today);
            for n in 0..=5 {
                let selected = match l.at_least(n, today) {
                    LevelBound::Any => true,
                    LevelBound::DeadlineOnOrBefore(last) => deadline <= last,
                    LevelBound::Unreachable => false,
                };
                assert_eq!(selected, level >= n, "{back} days back, at least {n}");
            }
        }
    }

    #[test]
    fn steps_parse_and_refuse() {
        assert_eq!("3,7".parse::<Steps>().unwrap().days(), &[3, 7]);
        assert_eq!(" 2, 5 ,30".parse::<Steps>().unwrap().to_string(), "2,5,30");
        assert_eq!("".parse::<Steps>().unwrap().days(), &[] as &[u32]);
        for bad in ["7,3", "1", "x", "3,3", "2,3,4,5,6,7,8,9,10"] {
            assert!(bad.parse::<Steps>().is_err(), "{bad}");
        }
    }
}
