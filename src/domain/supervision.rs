//! The duties that follow a major hazard: its governance plan (治理方案) with the five
//! items of 五到位, and its formal supervision (挂牌督办) with its own life cycle.
//!
//! ```text
//! (a major hazard, open or pending verification)
//!   list ──▶ listed ──request_lift (hazard closed)──▶ lift_requested ──lift (admins)──▶ lifted
//!            listed / lift_requested ──correct──▶ same state
//! ```
//! A hazard under a supervision that is not lifted cannot be voided.

use chrono::NaiveDate;

use super::hazard::is_unresolved;
use super::transition::{self, LifeCycle};
use super::{HazardLevel, HazardStatus, PlanState, SupervisionState};

/// What can be done to a formal supervision once it is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupervisionAction {
    /// Correct its level, authority or date (PATCH).
    Correct,
    RequestLift,
    Lift,
}

impl SupervisionAction {
    pub const ALL: [SupervisionAction; 3] =
        [SupervisionAction::Correct, SupervisionAction::RequestLift, SupervisionAction::Lift];

    pub fn as_str(self) -> &'static str {
        match self {
            SupervisionAction::Correct => "correct",
            SupervisionAction::RequestLift => "request_lift",
            SupervisionAction::Lift => "lift",
        }
    }

    /// The `hazard_events.kind` this action writes.
    pub fn event_kind(self) -> &'static str {
        match self {
            SupervisionAction::Correct => "supervision_corrected",
            SupervisionAction::RequestLift => "supervision_lift_requested",
            SupervisionAction::Lift => "supervision_lifted",
        }
    }
}

/// The `hazard_events.kind` of a listing.
pub const LISTED_EVENT: &str = "supervision_listed";
/// The `hazard_events.kind` of a first plan, and of a plan replacing one.
pub const PLAN_RECORDED_EVENT: &str = "plan_recorded";
pub const PLAN_REPLACED_EVENT: &str = "plan_replaced";

/// The formal supervision's life cycle, for the rules every life cycle shares.
pub struct SupervisionLifeCycle;

impl LifeCycle for SupervisionLifeCycle {
    type State = SupervisionState;
    type Action = SupervisionAction;
    const RECORD: &'static str = "supervision";
    const ACTIONS: &'static [SupervisionAction] = &SupervisionAction::ALL;

    fn next(from: SupervisionState, action: SupervisionAction) -> Option<SupervisionState> {
        next(from, action)
    }

    fn action_name(action: SupervisionAction) -> &'static str {
        action.as_str()
    }
}

/// The state `action` leads to from `from`, or `None` when it is not allowed there.
pub fn next(from: SupervisionState, action: SupervisionAction) -> Option<SupervisionState> {
    use SupervisionAction::*;
    use SupervisionState::*;
    match (from, action) {
        (Listed | LiftRequested, Correct) => Some(from),
        (Listed, RequestLift) => Some(LiftRequested),
        (LiftRequested, Lift) => Some(Lifted),
        _ => None,
    }
}

/// A refused supervision action.
pub type IllegalSupervisionAction = transition::Illegal<SupervisionLifeCycle>;

/// Why a step of a supervision is refused.
#[derive(Debug)]
pub enum SupervisionRefusal {
    /// Not allowed in the supervision's state.
    Illegal(IllegalSupervisionAction),
    /// Its lifting may be requested only once the hazard is closed.
    HazardNotClosed(HazardStatus),
}

/// The next state of a supervision in state `from` of a hazard in `hazard`, or why not.
pub fn apply(
    from: SupervisionState,
    action: SupervisionAction,
    hazard: HazardStatus,
) -> Result<SupervisionState, SupervisionRefusal> {
    let to = transition::apply::<SupervisionLifeCycle>(from, action).map_err(SupervisionRefusal::Illegal)?;
    if action == SupervisionAction::RequestLift && hazard != HazardStatus::Closed {
        return Err(SupervisionRefusal::HazardNotClosed(hazard));
    }
    Ok(to)
}

/// Why a hazard may not get a plan or a supervision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotGovernable {
    /// Only a major hazard has them.
    NotMajor,
    /// The hazard is closed or voided.
    Resolved(HazardStatus),
}

/// A plan is recorded, and a supervision listed, only for a major hazard that is open or
/// pending verification.
pub fn governable(level: HazardLevel, status: HazardStatus) -> Result<(), NotGovernable> {
    if level != HazardLevel::Major {
        Err(NotGovernable::NotMajor)
    } else if !is_unresolved(status) {
        Err(NotGovernable::Resolved(status))
    } else {
        Ok(())
    }
}

/// Whether a supervision in this state keeps its hazard from being voided: until lifted.
pub fn blocks_void(state: Option<SupervisionState>) -> bool {
    matches!(state, Some(SupervisionState::Listed | SupervisionState::LiftRequested))
}

/// The five items of 五到位 as a plan gives them (each may be missing).
#[derive(Debug, Clone, Copy)]
pub struct PlanItems<'a> {
    pub measures: Option<&'a str>,
    pub funds_cents: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub responsible_person: Option<&'a str>,
    pub emergency_plan: Option<&'a str>,
}

/// Complete when all five items are given (texts not blank); a plan missing one is kept
/// but counts as not complete.
pub fn plan_state(items: PlanItems<'_>) -> PlanState {
    let given = |t: Option<&str>| t.is_some_and(|t| !t.trim().is_empty());
    let all = given(items.measures)
        && items.funds_cents.is_some()
        && items.deadline.is_some()
        && given(items.responsible_person)
        && given(items.emergency_plan);
    if all {
        PlanState::Complete
    } else {
        PlanState::Incomplete
    }
}

#[cfg(test)]
mod tests {
    use super::SupervisionAction::*;
    use super::*;
    use SupervisionState::*;

    #[test]
    fn the_supervision_life_cycle() {
        assert_eq!(apply(Listed, RequestLift, HazardStatus::Closed).ok(), Some(LiftRequested));
        assert!(matches!(
            apply(Listed, RequestLift, HazardStatus::Open),
            Err(SupervisionRefusal::HazardNotClosed(HazardStatus::Open))
        ));
        assert_eq!(apply(LiftRequested, Lift, HazardStatus::Closed).ok(), Some(Lifted));
        assert_eq!(next(Listed, Lift), None, "lifting is requested first");
        assert_eq!(next(Listed, Correct), Some(Listed));
        assert_eq!(next(LiftRequested, Correct), Some(LiftRequested));
        for a in SupervisionAction::ALL {
            assert_eq!(next(Lifted, a), None, "lifted is final");
        }
        match apply(Lifted, Correct, HazardStatus::Closed) {
            Err(SupervisionRefusal::Illegal(i)) => assert!(i.allowed.is_empty()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_an_unresolved_major_hazard_is_governed() {
        assert_eq!(governable(HazardLevel::Major, HazardStatus::Open), Ok(()));
        assert_eq!(governable(HazardLevel::Major, HazardStatus::PendingVerification), Ok(()));
        assert_eq!(governable(HazardLevel::General, HazardStatus::Open), Err(NotGovernable::NotMajor));
        assert_eq!(
            governable(HazardLevel::Major, HazardStatus::Closed),
            Err(NotGovernable::Resolved(HazardStatus::Closed))
        );
    }

    #[test]
    fn a_supervision_blocks_voiding_until_lifted() {
        assert!(blocks_void(Some(Listed)) && blocks_void(Some(LiftRequested)));
        assert!(!blocks_void(Some(Lifted)) && !blocks_void(None));
    }

    #[test]
    fn a_plan_is_complete_with_all_five_items() {
        let full = PlanItems {
            measures: Some("更换燃气管道"),
            funds_cents: Some(0),
            deadline: Some(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default()),
            responsible_person: Some("王经理"),
            emergency_plan: Some("疏散预案"),
        };
        assert_eq!(plan_state(full), PlanState::Complete);
        assert_eq!(plan_state(PlanItems { funds_cents: None, ..full }), PlanState::Incomplete);
        assert_eq!(plan_state(PlanItems { emergency_plan: Some("  "), ..full }), PlanState::Incomplete);
    }
}
