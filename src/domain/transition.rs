//! What every life cycle shares (the hazard's, the unit's): a table of which action leads
//! from which state to which, the actions a state allows, and the refusal of one it does
//! not allow, which names the state and what is allowed instead.

use std::fmt::{self, Debug, Display};

/// One record's life cycle.
pub trait LifeCycle {
    type State: Copy + PartialEq + Debug + Display;
    type Action: Copy + PartialEq + Debug + 'static;
    /// The record's name in a refusal: "hazard", "unit".
    const RECORD: &'static str;
    /// Every action, in the order refusals list them.
    const ACTIONS: &'static [Self::Action];

    /// The state `action` leads to from `from`, or `None` when it is not allowed there.
    fn next(from: Self::State, action: Self::Action) -> Option<Self::State>;
    fn action_name(action: Self::Action) -> &'static str;
}

/// The actions allowed from a state.
pub fn allowed<L: LifeCycle>(from: L::State) -> Vec<L::Action> {
    L::ACTIONS.iter().copied().filter(|a| L::next(from, *a).is_some()).collect()
}

/// The next state, or why the action is refused.
pub fn apply<L: LifeCycle>(from: L::State, action: L::Action) -> Result<L::State, Illegal<L>> {
    L::next(from, action).ok_or_else(|| Illegal { current: from, action, allowed: allowed::<L>(from) })
}

/// A refused action: the record's current state and what is allowed from it.
pub struct Illegal<L: LifeCycle> {
    pub current: L::State,
    pub action: L::Action,
    pub allowed: Vec<L::Action>,
}

impl<L: LifeCycle> Illegal<L> {
    pub fn allowed_names(&self) -> Vec<&'static str> {
        self.allowed.iter().map(|a| L::action_name(*a)).collect()
    }
}

impl<L: LifeCycle> Display for Illegal<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (action, record, current) = (L::action_name(self.action), L::RECORD, self.current);
        let allowed = self.allowed_names();
        if allowed.is_empty() {
            write!(f, "`{action}` is not allowed: the {record} is {current} and allows no further action")
        } else {
            write!(f, "`{action}` is not allowed: the {record} is {current}; allowed: {}", allowed.join(", "))
        }
    }
}

impl<L: LifeCycle> Debug for Illegal<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Illegal")
            .field("current", &self.current)
            .field("action", &self.action)
            .field("allowed", &self.allowed)
            .finish()
    }
}
