//! The unit life cycle: whether a unit may operate, and what changes it.
//!
//! ```text
//! active ──suspend──▶ suspended ──reinstate──▶ active
//! active / suspended ──close──▶ closed (final)
//! suspended ──suspend──▶ suspended (a new order while one is in force)
//! ```
//! Suspensions and closures come from joint enforcement outcomes; a reinstatement lifts a
//! suspension.

use super::transition::{self, LifeCycle};
use super::{Measure, UnitStatus};

/// What changes a unit's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitAction {
    Suspend,
    Close,
    Reinstate,
}

impl UnitAction {
    pub const ALL: [UnitAction; 3] = [UnitAction::Suspend, UnitAction::Close, UnitAction::Reinstate];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitAction::Suspend => "suspend",
            UnitAction::Close => "close",
            UnitAction::Reinstate => "reinstate",
        }
    }

    /// The `unit_events.kind` this action writes.
    pub fn event_kind(self) -> &'static str {
        match self {
            UnitAction::Suspend => "suspended",
            UnitAction::Close => "closed",
            UnitAction::Reinstate => "reinstated",
        }
    }

    /// The status change an enforcement outcome's measure makes, if any.
    pub fn of_measure(m: Measure) -> Option<UnitAction> {
        match m {
            Measure::SuspensionOrdered => Some(UnitAction::Suspend),
            Measure::Closure => Some(UnitAction::Close),
            Measure::Warning | Measure::CaseTransferred => None,
        }
    }
}

/// The unit's life cycle, for the rules every life cycle shares.
pub struct UnitLifeCycle;

impl LifeCycle for UnitLifeCycle {
    type State = UnitStatus;
    type Action = UnitAction;
    const RECORD: &'static str = "unit";
    const ACTIONS: &'static [UnitAction] = &UnitAction::ALL;

    fn next(from: UnitStatus, action: UnitAction) -> Option<UnitStatus> {
        next(from, action)
    }

    fn action_name(action: UnitAction) -> &'static str {
        action.as_str()
    }
}

/// The status `action` leads to from `from`, or `None` when it is not allowed there.
/// A suspension may be ordered again while one is in force; a closed unit stays closed.
pub fn next(from: UnitStatus, action: UnitAction) -> Option<UnitStatus> {
    use UnitAction::*;
    use UnitStatus::*;
    match (from, action) {
        (Active | Suspended, Suspend) => Some(Suspended),
        (Active | Suspended, Close) => Some(Closed),
        (Suspended, Reinstate) => Some(Active),
        _ => None,
    }
}

/// A refused unit action.
pub type IllegalUnitAction = transition::Illegal<UnitLifeCycle>;

/// The next status, or why the action is refused.
pub fn apply(from: UnitStatus, action: UnitAction) -> Result<UnitStatus, IllegalUnitAction> {
    transition::apply::<UnitLifeCycle>(from, action)
}

#[cfg(test)]
mod tests {
    use super::UnitAction::*;
    use super::*;
    use UnitStatus::*;

    #[test]
    fn unit_status_changes() {
        assert_eq!(next(Active, Suspend), Some(Suspended));
        assert_eq!(next(Suspended, Suspend), Some(Suspended));
        assert_eq!(next(Suspended, Close), Some(Closed));
        assert_eq!(next(Suspended, Reinstate), Some(Active));
        assert_eq!(next(Active, Reinstate), None);
        for a in UnitAction::ALL {
            assert_eq!(next(Closed, a), None, "closed is final");
        }
        let refused = apply(Active, Reinstate).unwrap_err();
        assert_eq!(refused.current, Active);
        assert_eq!(refused.allowed, vec![Suspend, Close]);
    }

    #[test]
    fn measures_that_change_a_unit() {
        assert_eq!(UnitAction::of_measure(Measure::SuspensionOrdered), Some(Suspend));
        assert_eq!(UnitAction::of_measure(Measure::Closure), Some(Close));
        assert_eq!(UnitAction::of_measure(Measure::Warning), None);
        assert_eq!(UnitAction::of_measure(Measure::CaseTransferred), None);
    }
}
