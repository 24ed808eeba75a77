//! The hazard's life-cycle rules that do not need the database.

use chrono::NaiveDate;

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
}
