//! The hazard life cycle: every state, every action, and which action leads where.
//!
//! ```text
//! (deadline)    open ──submit_rectification──▶ pending_verification ──verify_pass──▶ closed
//!                 ▲                                     │
//!                 └──────────── verify_reject ──────────┘
//! (on_the_spot) created closed
//! open / pending_verification ──void──▶ voided
//! open / pending_verification ──extend_deadline──▶ same state
//! ```

use serde::Serialize;

use super::transition::{self, LifeCycle};
use super::HazardStatus;

/// What can be done to a hazard after it is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    SubmitRectification,
    VerifyPass,
    VerifyReject,
    Void,
    ExtendDeadline,
}

impl Action {
    pub const ALL: [Action; 5] =
        [Action::SubmitRectification, Action::VerifyPass, Action::VerifyReject, Action::Void, Action::ExtendDeadline];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::SubmitRectification => "submit_rectification",
            Action::VerifyPass => "verify_pass",
            Action::VerifyReject => "verify_reject",
            Action::Void => "void",
            Action::ExtendDeadline => "extend_deadline",
        }
    }

    /// The `hazard_events.kind` this action writes.
    pub fn event_kind(self) -> &'static str {
        match self {
            Action::SubmitRectification => "rectification_submitted",
            Action::VerifyPass => "rectification_passed",
            Action::VerifyReject => "rectification_rejected",
            Action::Void => "voided",
            Action::ExtendDeadline => "deadline_extended",
        }
    }
}

/// The hazard's life cycle, for the rules every life cycle shares.
pub struct HazardLifeCycle;

impl LifeCycle for HazardLifeCycle {
    type State = HazardStatus;
    type Action = Action;
    const RECORD: &'static str = "hazard";
    const ACTIONS: &'static [Action] = &Action::ALL;

    fn next(from: HazardStatus, action: Action) -> Option<HazardStatus> {
        next(from, action)
    }

    fn action_name(action: Action) -> &'static str {
        action.as_str()
    }
}

/// The state `action` leads to from `from`, or `None` when it is not allowed there.
pub fn next(from: HazardStatus, action: Action) -> Option<HazardStatus> {
    use Action::*;
    use HazardStatus::*;
    match (from, action) {
        (Open, SubmitRectification) => Some(PendingVerification),
        (PendingVerification, VerifyPass) => Some(Closed),
        (PendingVerification, VerifyReject) => Some(Open),
        (Open | PendingVerification, Void) => Some(Voided),
        (Open | PendingVerification, ExtendDeadline) => Some(from),
        _ => None,
    }
}

/// The actions allowed from a state.
pub fn allowed(from: HazardStatus) -> Vec<Action> {
    transition::allowed::<HazardLifeCycle>(from)
}

/// A refused hazard action.
pub type Illegal = transition::Illegal<HazardLifeCycle>;

/// The next state, or why the action is refused.
pub fn apply(from: HazardStatus, action: Action) -> Result<HazardStatus, Illegal> {
    transition::apply::<HazardLifeCycle>(from, action)
}

#[cfg(test)]
mod tests {
    use super::Action::*;
    use super::*;
    use HazardStatus::*;

    #[test]
    fn every_transition_of_the_design() {
        let table = [
            (Open, SubmitRectification, Some(PendingVerification)),
            (Open, VerifyPass, None),
            (Open, VerifyReject, None),
            (Open, Void, Some(Voided)),
            (Open, ExtendDeadline, Some(Open)),
            (PendingVerification, SubmitRectification, None),
            (PendingVerification, VerifyPass, Some(Closed)),
            (PendingVerification, VerifyReject, Some(Open)),
            (PendingVerification, Void, Some(Voided)),
            (PendingVerification, ExtendDeadline, Some(PendingVerification)),
        ];
        for (from, action, to) in table {
            assert_eq!(next(from, action), to, "{from} --{}-->", action.as_str());
        }
        for from in [Closed, Voided] {
            for action in Action::ALL {
                assert_eq!(next(from, action), None, "{from} is final");
            }
        }
    }

    #[test]
    fn refusals_name_the_state_and_what_is_allowed() {
        let err = apply(PendingVerification, SubmitRectification).unwrap_err();
        assert_eq!(err.current, PendingVerification);
        assert_eq!(err.allowed, vec![VerifyPass, VerifyReject, Void, ExtendDeadline]);
        assert_eq!(apply(Closed, Void).unwrap_err().allowed, vec![]);
        assert_eq!(allowed(Open), vec![SubmitRectification, Void, ExtendDeadline]);
    }
}
