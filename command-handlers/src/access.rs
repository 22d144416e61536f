//! Roles in an organization and what each may do. Checked inside `decide`, so no path
//! around the resolvers can skip it.

use crate::error::DomainError;
use clouddeck_events::Actor;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Viewer,
    Developer,
    Admin,
    Owner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Developer, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Developer => "developer",
            Role::Viewer => "viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| DomainError::invalid("role", format!("`{s}` must be owner, admin, developer or viewer")))
    }
}

/// Who is acting, and with what standing in the organization concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    pub actor: Actor,
    /// The actor's role in the organization the command touches; none for outsiders.
    pub role: Option<Role>,
    /// Unix milliseconds, passed in so that `decide` stays pure.
    pub now_ms: i64,
}

impl Context {
    /// CloudDeck's own workers: allowed what only the platform does (report builds).
    pub fn system(component: &str, now_ms: i64) -> Self {
        Context { actor: Actor::System(component.into()), role: Some(Role::Owner), now_ms }
    }

    pub fn is_system(&self) -> bool {
        matches!(self.actor, Actor::System(_))
    }

    /// The actor's id as recorded in events (`user:…`, `token:…`, `system:…`).
    pub fn actor_id(&self) -> String {
        self.actor.to_string()
    }

    /// Refuses unless the actor holds at least `needed` in the organization.
    pub fn require(&self, needed: Role, action: &str) -> Result<Role, DomainError> {
        match self.role {
            Some(role) if role >= needed => Ok(role),
            Some(role) => Err(DomainError::Forbidden(format!("{action} needs the {needed} role; you are {role}"))),
            None => Err(DomainError::Forbidden(format!("{action}: not a member of this organization"))),
        }
    }

    /// Refuses unless the command comes from CloudDeck itself.
    pub fn require_system(&self, action: &str) -> Result<(), DomainError> {
        if self.is_system() {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!("{action} is done by CloudDeck's workers only")))
        }
    }
}
