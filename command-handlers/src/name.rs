//! Public names: a project's host name and an organization's slug belong to the whole server
//! (`<slug>.<base domain>` serves one site), so each is a stream of its own
//! (`name-<kind>:<name>`), claimed in the same append that creates what holds it: of two
//! creations racing for a name, one conflicts, reloads, and is refused.

use crate::access::Context;
use crate::aggregate::Aggregate;
use crate::decision::{History, Write, stream_of};
use crate::error::DomainError;
use clouddeck_events::{Event, NameClaimed, NameReleased};

/// A project's `<slug>.<base domain>`.
pub const HOST: &str = "host";
/// An organization's slug.
pub const ORGANIZATION: &str = "organization";

/// The id of a name's stream.
pub fn name_id(kind: &str, name: &str) -> String {
    format!("{kind}:{}", name.to_lowercase())
}

/// The stream of public name `name` of `kind`.
pub fn stream(kind: &str, name: &str) -> String {
    stream_of::<Name>(&name_id(kind, name))
}

/// The write that claims public name `name` of `kind` for `owner_id` (read in `read`).
///
/// Errors: `AlreadyExists` when another holds it, saying what to try instead (`suggestion`)
/// and that `what`'s name is public.
pub fn claim(
    read: &History,
    (kind, name, owner_id): (&str, &str, &str),
    ctx: &Context,
    (suggestion, what): (&str, &str),
) -> Result<Write, DomainError> {
    let command = NameCommand::Claim { kind: kind.into(), name: name.to_lowercase(), owner_id: owner_id.into() };
    let held = read.state::<Name>(&name_id(kind, name));
    match held.decide(command, ctx) {
        Ok(events) => Ok(Write::checked(stream(kind, name), events)),
        Err(DomainError::AlreadyExists(reason)) => Err(DomainError::AlreadyExists(format!(
            "{reason} on this server ({what}'s name is public): try `{suggestion}`"
        ))),
        Err(e) => Err(e),
    }
}

/// The write that gives public name `name` of `kind` back, if `owner_id` holds it.
pub fn release(read: &History, kind: &str, name: &str, owner_id: &str, ctx: &Context) -> Result<Write, DomainError> {
    let command = NameCommand::Release { kind: kind.into(), name: name.to_lowercase(), owner_id: owner_id.into() };
    let events = read.state::<Name>(&name_id(kind, name)).decide(command, ctx)?;
    Ok(Write::checked(stream(kind, name), events))
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Name {
    /// Who holds it now.
    pub holder: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NameCommand {
    Claim { kind: String, name: String, owner_id: String },
    Release { kind: String, name: String, owner_id: String },
}

impl Aggregate for Name {
    type Command = NameCommand;
    const KIND: &'static str = "name";

    fn evolve(mut self, event: &Event) -> Self {
        match event {
            Event::NameClaimed(e) => self.holder = Some(e.owner_id.clone()),
            Event::NameReleased(e) if self.holder.as_deref() == Some(e.owner_id.as_str()) => self.holder = None,
            _ => {}
        }
        self
    }

    /// Claiming a name someone else holds is `AlreadyExists` (the caller adds a suggestion);
    /// claiming it again for its holder changes nothing; only the holder releases it.
    fn decide(&self, command: NameCommand, _ctx: &Context) -> Result<Vec<Event>, DomainError> {
        match command {
            NameCommand::Claim { kind, name, owner_id } => match &self.holder {
                Some(holder) if *holder == owner_id => Ok(vec![]),
                Some(_) => Err(DomainError::AlreadyExists(format!("the {kind} name `{name}` is taken"))),
                None => Ok(vec![NameClaimed { kind, name, owner_id }.into()]),
            },
            NameCommand::Release { kind, name, owner_id } => match &self.holder {
                Some(holder) if *holder == owner_id => Ok(vec![NameReleased { kind, name, owner_id }.into()]),
                _ => Ok(vec![]),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use clouddeck_events::Actor;

    #[test]
    fn a_name_has_one_holder_until_released() {
        let ctx = Context { actor: Actor::System("t".into()), role: None, now_ms: 0 };
        let claim = |owner: &str| NameCommand::Claim { kind: HOST.into(), name: "blog".into(), owner_id: owner.into() };
        let claimed = Name::default().decide(claim("p1"), &ctx).unwrap();
        let name = Name::replay(&claimed);
        assert!(matches!(name.decide(claim("p2"), &ctx), Err(DomainError::AlreadyExists(_))));
        assert_eq!(name.decide(claim("p1"), &ctx).unwrap().len(), 0);
        let release =
            |owner: &str| NameCommand::Release { kind: HOST.into(), name: "blog".into(), owner_id: owner.into() };
        assert_eq!(name.decide(release("p2"), &ctx).unwrap().len(), 0, "only the holder releases it");
        let released = name.decide(release("p1"), &ctx).unwrap();
        let name = name.evolve(&released[0]);
        assert_eq!(name.decide(claim("p2"), &ctx).unwrap().len(), 1);
        assert_eq!(name_id(HOST, "Blog"), "host:blog");
    }
}
