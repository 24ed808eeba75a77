//! Who acts: recorded on every event and every created record.

use crate::domain::Id;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The name shown in histories.
    pub name: String,
    /// The signed-in user; `None` for the command line and the service itself.
    pub user_id: Option<Id>,
}

/// An action that records its user in the record itself was tried by an actor with none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotSignedIn;

impl Actor {
    pub fn named(name: impl Into<String>) -> Self {
        Actor { name: name.into(), user_id: None }
    }

    /// The signed-in user acting: every API request has one; the command line and the
    /// service's own start-up act without.
    pub fn user(&self) -> Result<Id, NotSignedIn> {
        self.user_id.ok_or(NotSignedIn)
    }
}
