//! Who acts: recorded on every event and every created record.

use crate::domain::Id;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The name shown in histories.
    pub name: String,
    /// The authenticated user, once requests carry one.
    pub user_id: Option<Id>,
}

impl Actor {
    pub fn named(name: impl Into<String>) -> Self {
        Actor { name: name.into(), user_id: None }
    }
}
