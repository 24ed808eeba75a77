//! Who may do what, and where: roles, permissions and community scope.

use super::actor::Actor;
use super::{Id, Role};

/// Things a request may want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read records in scope (units, inspections, hazards, attachments, reports).
    Read,
    /// Create inspections with hazards, uploads and rectifications in scope.
    Record,
    /// Verify rectifications, void hazards, extend deadlines in scope.
    Supervise,
    /// Create and edit units, reinstate them, in scope.
    ManageUnits,
    /// Record joint enforcement actions in scope.
    RecordEnforcement,
    /// Create and edit communities and campaigns (subdistrict-wide).
    ManageCatalog,
    /// Create, change and deactivate users.
    ManageUsers,
    /// Lift a major hazard's formal supervision (摘牌销号): admins only.
    LiftSupervision,
}

impl Role {
    pub fn may(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Supervisor => matches!(p, Read | Record | Supervise | ManageUnits | RecordEnforcement),
            Role::Inspector => matches!(p, Read | Record),
            Role::Viewer => matches!(p, Read),
        }
    }
}

/// The communities a user's records come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Communities(Vec<Id>),
}

impl Scope {
    pub fn allows(&self, community_id: Id) -> bool {
        match self {
            Scope::All => true,
            Scope::Communities(ids) => ids.contains(&community_id),
        }
    }

    /// The communities to restrict a query to, or `None` for all.
    pub fn restriction(&self) -> Option<&[Id]> {
        match self {
            Scope::All => None,
            Scope::Communities(ids) => Some(ids),
        }
    }
}

/// Who is calling: a signed-in user with a role and a scope. (How a request's caller is
/// found from its token is `auth`'s business.)
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: Id,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub scope: Scope,
    /// The session (token) the request came with.
    pub token_id: Id,
}

/// A request the caller's role does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl Caller {
    /// Refused unless the caller's role allows `p`.
    pub fn require(&self, p: Permission) -> Result<(), Refused> {
        if self.role.may(p) {
            Ok(())
        } else {
            Err(Refused(format!("the {} role may not do this", self.role)))
        }
    }

    /// Whether a record of this community is visible to the caller.
    pub fn sees(&self, community_id: Id) -> bool {
        self.scope.allows(community_id)
    }

    pub fn actor(&self) -> Actor {
        Actor { name: self.name.clone(), user_id: Some(self.user_id) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_follow_the_design_table() {
        use Permission::*;
        let all =
            [Read, Record, Supervise, ManageUnits, RecordEnforcement, ManageCatalog, ManageUsers, LiftSupervision];
        assert!(all.iter().all(|p| Role::Admin.may(*p)));
        assert_eq!(all.iter().filter(|p| Role::Supervisor.may(**p)).count(), 5);
        assert!(!Role::Supervisor.may(ManageCatalog) && !Role::Supervisor.may(ManageUsers));
        assert!(Role::Inspector.may(Record) && !Role::Inspector.may(Supervise) && !Role::Inspector.may(ManageUnits));
        assert!(Role::Viewer.may(Read) && !Role::Viewer.may(Record));
    }

    #[test]
    fn scope_allows_only_its_communities() {
        let a = Id::new_v7();
        let b = Id::new_v7();
        assert!(Scope::All.allows(a));
        let s = Scope::Communities(vec![a]);
        assert!(s.allows(a) && !s.allows(b));
        assert_eq!(s.restriction(), Some(&[a][..]));
    }
}
