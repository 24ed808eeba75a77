//! What a hazard adds to the report's counters, and how each change of the hazard moves
//! them: the rule behind the counters kept beside the events (`tallies/`), so that a
//! report as of any moment sums what happened up to it instead of replaying every hazard.
//!
//! A hazard counts by its state: found once recorded, then closed, voided, open or pending
//! as its events say. Overdue depends on the date as well: an unresolved hazard whose
//! deadline is `d` becomes overdue at the first moment of `d + 1` in the office's zone,
//! with no event then. So every change is a list of [`Change`]s, each a [`Tally`] of
//! deltas that takes effect at a moment: most at the moment of the event, and the start
//! (or the cancellation) of an overdue period at the local midnight it begins. The sum of
//! the changes of a hazard up to any moment is its contribution to the counters then.
//!
//! A new counter is one line in [`tally_measures!`] (with its column in a migration):
//! the write path, the rebuild, the reports' fast path and the property test that
//! compares them with the direct replay all take it from there.

use chrono::{Duration, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;

use super::hazard::is_unresolved;
use super::{HazardStatus, Moment, PlanState, SupervisionLevel, SupervisionState};

/// What of a hazard the counters see at a moment: its state, the deadline in force,
/// whether it is major and a recurrence (both fixed when it is found), and its governance
/// plan's and formal supervision's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub status: HazardStatus,
    pub deadline: Option<NaiveDate>,
    pub major: bool,
    pub recurrent: bool,
    pub plan: Option<PlanState>,
    pub supervision_level: Option<SupervisionLevel>,
    pub supervision_state: Option<SupervisionState>,
}

impl Facts {
    /// A hazard in this state, with no plan, no supervision, not a recurrence.
    pub fn plain(status: HazardStatus, deadline: Option<NaiveDate>, major: bool) -> Self {
        Facts {
            status,
            deadline,
            major,
            recurrent: false,
            plan: None,
            supervision_level: None,
            supervision_state: None,
        }
    }
}

macro_rules! tally_measures {
    (
        states { $($(#[$doc:meta])* $name:ident => $indicator:expr;)+ }
        amounts { $($(#[$adoc:meta])* $amount:ident;)+ }
    ) => {
        /// Counter deltas (or sums): one field per counter kept in `hazard_tallies_*`.
        /// A state counter counts a hazard while its indicator holds; an amount is moved
        /// by explicit deltas.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct Tally {
            $($(#[$doc])* pub $name: i64,)+
            $($(#[$adoc])* pub $amount: i64,)+
        }

        impl Tally {
            /// The column names, in the order of [`Tally::values`].
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($name),)+ $(stringify!($amount),)+];

            pub fn values(&self) -> Vec<i64> {
                vec![$(self.$name,)+ $(self.$amount,)+]
            }

            pub fn from_values(v: &[i64]) -> Self {
                let mut it = v.iter().copied();
                let mut next = || it.next().unwrap_or(0);
                Tally { $($name: next(),)+ $($amount: next(),)+ }
            }

            /// What a hazard in this state counts (the amounts move by their own deltas).
            pub fn of_state(facts: &Facts) -> Self {
                Tally { $($name: i64::from(($indicator)(facts)),)+ ..Tally::default() }
            }

            pub fn add(&mut self, other: &Tally) {
                $(self.$name += other.$name;)+
                $(self.$amount += other.$amount;)+
            }

            pub fn minus(&self, other: &Tally) -> Tally {
                Tally { $($name: self.$name - other.$name,)+ $($amount: self.$amount - other.$amount,)+ }
            }

            pub fn is_zero(&self) -> bool {
                *self == Tally::default()
            }
        }
    };
}

tally_measures! {
    states {
        /// Recorded (whatever its state).
        found => |_: &Facts| true;
        closed => |f: &Facts| f.status == HazardStatus::Closed;
        voided => |f: &Facts| f.status == HazardStatus::Voided;
        open => |f: &Facts| f.status == HazardStatus::Open;
        pending => |f: &Facts| f.status == HazardStatus::PendingVerification;
        /// Open or pending verification, and major.
        major_open => |f: &Facts| f.major && is_unresolved(f.status);
        found_major => |f: &Facts| f.major;
        closed_major => |f: &Facts| f.major && f.status == HazardStatus::Closed;
        /// Major with a governance plan (治理方案), complete or not.
        major_with_plan => |f: &Facts| f.major && f.plan.is_some();
        /// Major with a complete plan (五到位).
        major_plan_complete => |f: &Facts| f.major && f.plan == Some(PlanState::Complete);
        /// Major and listed for formal supervision (挂牌督办), whatever the supervision's state.
        major_supervised => |f: &Facts| f.major && f.supervision_state.is_some();
        /// … by the province.
        major_supervised_province => |f: &Facts| f.major && f.supervision_level == Some(SupervisionLevel::Province);
        /// … and lifted (摘牌销号).
        major_supervised_lifted => |f: &Facts| f.major && f.supervision_state == Some(SupervisionState::Lifted);
        /// A recurrence (`recurrence_of`).
        hazards_recurrent => |f: &Facts| f.recurrent;
    }
    amounts {
        /// Open or pending verification past the deadline (by the office's date): moved at
        /// the local midnight a deadline passes, see [`changes`].
        overdue;
        /// What the rectifications passed cost, in cents, dated by the day of their
        /// verification: see [`cost`].
        rectification_cost_cents;
    }
}

/// Deltas that take effect at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub at: Moment,
    pub tally: Tally,
    /// The date the deltas belong to in a report's period: `None` for the date the hazard
    /// was found (every state counter), a date of its own for an amount dated otherwise
    /// (a rectification's cost, by the day it was verified).
    pub dated: Option<NaiveDate>,
}

/// A passed rectification's cost, counted on the office's date of its verification.
pub fn cost(cents: i64, verified_at: Moment, tz: Tz) -> Change {
    let day = crate::domain::time::local_date(verified_at, tz);
    Change { at: verified_at, tally: Tally { rectification_cost_cents: cents, ..Tally::default() }, dated: Some(day) }
}

/// The first moment of a local date in the office's zone (the earliest, where a clock
/// change makes midnight ambiguous; the first moment after the gap, where it skips it).
pub fn start_of_day(day: NaiveDate, tz: Tz) -> Moment {
    let mut t = day.and_time(NaiveTime::MIN);
    for _ in 0..48 {
        if let Some(at) = tz.from_local_datetime(&t).earliest() {
            return Moment::new(at.with_timezone(&chrono::Utc));
        }
        t += Duration::minutes(30);
    }
    Moment::new(day.and_time(NaiveTime::MIN).and_utc())
}

/// When an unresolved hazard with this deadline is overdue from: the start of the day
/// after the deadline (the deadline day itself is not overdue).
fn overdue_from(deadline: NaiveDate, tz: Tz) -> Moment {
    start_of_day(deadline + Duration::days(1), tz)
}

/// The changes one event makes: the hazard goes from `before` (`None` when the event
/// creates it) to `after` at `at`. Changes that take effect at the same moment are merged;
/// none is all zero.
pub fn changes(before: Option<Facts>, after: Facts, at: Moment, tz: Tz) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::with_capacity(3);
    let mut push = |at: Moment, tally: Tally| match out.iter_mut().find(|c| c.at == at) {
        Some(c) => c.tally.add(&tally),
        None => out.push(Change { at, tally, dated: None }),
    };
    let old = before.map(|b| Tally::of_state(&b)).unwrap_or_default();
    push(at, Tally::of_state(&after).minus(&old));
    // The overdue period the hazard was heading for (or was in) ends here: if it had
    // begun, it ends now; if not, its start is cancelled.
    if let Some(Facts { status, deadline: Some(d), .. }) = before {
        if is_unresolved(status) {
            let from = overdue_from(d, tz);
            push(if from <= at { at } else { from }, Tally { overdue: -1, ..Tally::default() });
        }
    }
    // And the one it is heading for now begins at its deadline's end, or now if past.
    if let Facts { status, deadline: Some(d), .. } = after {
        if is_unresolved(status) {
            let from = overdue_from(d, tz);
            push(if from <= at { at } else { from }, Tally { overdue: 1, ..Tally::default() });
        }
    }
    out.retain(|c| !c.tally.is_zero());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use HazardStatus::*;

    const TZ: Tz = chrono_tz::Asia::Shanghai;

    fn at(s: &str) -> Moment {
        Moment::parse(s).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts(status: HazardStatus, deadline: Option<&str>) -> Facts {
        Facts::plain(status, deadline.map(d), false)
    }

    /// What the changes add up to at `t`.
    fn sum_at(changes: &[Change], t: Moment) -> Tally {
        let mut total = Tally::default();
        for c in changes.iter().filter(|c| c.at <= t) {
            total.add(&c.tally);
        }
        total
    }

    #[test]
    fn a_deadline_hazard_becomes_overdue_at_the_local_midnight_after_its_deadline() {
        let created = changes(None, facts(Open, Some("2026-11-30")), at("2026-11-20T10:00:00+08:00"), TZ);
        let before = sum_at(&created, at("2026-11-30T23:59:59.999999+08:00"));
        assert_eq!((before.found, before.open, before.overdue), (1, 1, 0));
        let after = sum_at(&created, at("2026-12-01T00:00:00+08:00"));
        assert_eq!((after.found, after.open, after.overdue), (1, 1, 1));
        // 16:00 UTC on 30 November is midnight in the office's zone.
        assert_eq!(created[1].at, at("2026-11-30T16:00:00Z"));
    }

    #[test]
    fn closing_before_the_deadline_cancels_the_overdue_start() {
        let mut all = changes(None, facts(Open, Some("2026-11-30")), at("2026-11-20T10:00:00+08:00"), TZ);
        all.extend(changes(
            Some(facts(Open, Some("2026-11-30"))),
            facts(PendingVerification, Some("2026-11-30")),
            at("2026-11-25T10:00:00+08:00"),
            TZ,
        ));
        all.extend(changes(
            Some(facts(PendingVerification, Some("2026-11-30"))),
            facts(Closed, Some("2026-11-30")),
            at("2026-11-26T10:00:00+08:00"),
            TZ,
        ));
        let later = sum_at(&all, at("2027-01-01T00:00:00Z"));
        assert_eq!(later, Tally { found: 1, closed: 1, ..Tally::default() });
        let pending = sum_at(&all, at("2026-11-25T12:00:00+08:00"));
        assert_eq!((pending.open, pending.pending, pending.overdue), (0, 1, 0));
    }

    #[test]
    fn closing_an_overdue_hazard_ends_its_overdue_period_then() {
        let mut all = changes(None, facts(Open, Some("2026-11-01")), at("2026-10-20T10:00:00+08:00"), TZ);
        let closing = at("2026-11-10T09:00:00+08:00");
        all.extend(changes(
            Some(facts(PendingVerification, Some("2026-11-01"))),
            facts(Closed, Some("2026-11-01")),
            closing,
            TZ,
        ));
        assert_eq!(sum_at(&all, at("2026-11-10T08:59:59+08:00")).overdue, 1);
        assert_eq!(sum_at(&all, closing).overdue, 0);
    }

    #[test]
    fn extending_a_deadline_moves_the_overdue_start() {
        let mut all = changes(None, facts(Open, Some("2026-11-01")), at("2026-10-20T10:00:00+08:00"), TZ);
        // Extended after it was overdue: overdue ends at the extension, starts again later.
        all.extend(changes(
            Some(facts(Open, Some("2026-11-01"))),
            facts(Open, Some("2026-11-20")),
            at("2026-11-05T10:00:00+08:00"),
            TZ,
        ));
        assert_eq!(sum_at(&all, at("2026-11-05T09:00:00+08:00")).overdue, 1);
        assert_eq!(sum_at(&all, at("2026-11-05T10:00:00+08:00")).overdue, 0);
        assert_eq!(sum_at(&all, at("2026-11-20T23:00:00+08:00")).overdue, 0);
        assert_eq!(sum_at(&all, at("2026-11-21T00:00:00+08:00")).overdue, 1);
        assert_eq!(sum_at(&all, at("2026-11-21T00:00:00+08:00")).found, 1);
    }

    #[test]
    fn a_late_submission_past_its_deadline_is_overdue_from_its_recording() {
        let recorded = at("2026-11-25T10:00:00+08:00");
        let created = changes(None, facts(Open, Some("2026-11-10")), recorded, TZ);
        assert_eq!(created.len(), 1, "one change, at the recording");
        assert_eq!(created[0].tally, Tally { found: 1, open: 1, overdue: 1, ..Tally::default() });
    }

    #[test]
    fn on_the_spot_hazards_count_found_and_closed_and_never_overdue() {
        let created = changes(None, facts(Closed, None), at("2026-11-20T10:00:00+08:00"), TZ);
        assert_eq!(
            created,
            vec![Change {
                at: at("2026-11-20T10:00:00+08:00"),
                tally: Tally { found: 1, closed: 1, ..Tally::default() },
                dated: None,
            }]
        );
    }

    #[test]
    fn a_major_hazard_counts_as_major_open_until_it_is_resolved() {
        let found = at("2026-11-20T10:00:00+08:00");
        let open = Facts::plain(Open, Some(d("2026-12-20")), true);
        let created = changes(None, open, found, TZ);
        assert_eq!(created[0].tally.major_open, 1);
        let voided = changes(Some(open), Facts { status: Voided, ..open }, at("2026-11-21T10:00:00+08:00"), TZ);
        assert_eq!(voided[0].tally.major_open, -1);
    }

    #[test]
    fn a_plan_and_a_supervision_move_the_major_counters() {
        let at = at("2026-11-20T10:00:00+08:00");
        let open = Facts::plain(Open, Some(d("2026-12-20")), true);
        let planned = Facts { plan: Some(PlanState::Incomplete), ..open };
        let step = changes(Some(open), planned, at, TZ);
        assert_eq!((step[0].tally.major_with_plan, step[0].tally.major_plan_complete), (1, 0));
        let complete = Facts { plan: Some(PlanState::Complete), ..planned };
        assert_eq!(changes(Some(planned), complete, at, TZ)[0].tally.major_plan_complete, 1);
        let listed = Facts {
            supervision_level: Some(SupervisionLevel::Province),
            supervision_state: Some(SupervisionState::Listed),
            ..complete
        };
        let t = changes(Some(complete), listed, at, TZ)[0].tally;
        assert_eq!((t.major_supervised, t.major_supervised_province, t.major_supervised_lifted), (1, 1, 0));
        let lifted = Facts { status: Closed, supervision_state: Some(SupervisionState::Lifted), ..listed };
        let t = Tally::of_state(&lifted);
        assert_eq!((t.major_supervised, t.major_supervised_lifted, t.closed_major), (1, 1, 1));
        let recurrent = Facts { recurrent: true, ..Facts::plain(Open, None, false) };
        assert_eq!(changes(None, recurrent, at, TZ)[0].tally.hazards_recurrent, 1);
    }

    #[test]
    fn the_columns_follow_the_values() {
        let t = Tally {
            found: 1,
            closed: 2,
            voided: 3,
            open: 4,
            pending: 5,
            major_open: 6,
            found_major: 7,
            closed_major: 8,
            major_with_plan: 11,
            major_plan_complete: 12,
            major_supervised: 13,
            major_supervised_province: 14,
            major_supervised_lifted: 15,
            hazards_recurrent: 16,
            overdue: 9,
            rectification_cost_cents: 10,
        };
        let columns = ["found", "closed", "voided", "open", "pending", "major_open", "found_major", "closed_major"];
        assert_eq!(Tally::COLUMNS[..8], columns);
        assert_eq!(Tally::COLUMNS[14..], ["overdue", "rectification_cost_cents"]);
        assert_eq!(Tally::from_values(&t.values()), t);
    }
}
