//! The organization: members and their roles, invitations, API tokens, and the project
//! slugs taken inside it.

use crate::access::{Context, Role};
use crate::aggregate::Aggregate;
use crate::decision::{Decision, History, Request, Write, stream_of};
use crate::error::DomainError;
use crate::name;
use crate::validate;
use clouddeck_events::*;
use std::collections::BTreeMap;

/// Invitations stay open a week.
pub const INVITATION_TTL_MS: i64 = 7 * 24 * 3600 * 1000;

#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    pub email: String,
    pub role: Role,
    pub expires_at: i64,
    pub accepted: bool,
    /// SHA-256 of the secret in the invitation's link; empty for invitations from before
    /// links existed.
    pub secret_sha256: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub role: Role,
    pub expires_at: Option<i64>,
    pub revoked: bool,
    /// The member behind the token: its creator, or for a token made by a token, that
    /// token's member. `None` for tokens the system made. A token acts with at most its
    /// member's current role and dies with their membership.
    pub member: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Organization {
    pub id: Option<String>,
    pub slug: String,
    pub members: BTreeMap<String, Role>,
    pub invitations: BTreeMap<String, Invitation>,
    pub tokens: BTreeMap<String, Token>,
    /// slug → project id.
    pub project_slugs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OrganizationCommand {
    Create {
        organization_id: String,
        slug: String,
        name: String,
    },
    /// `secret_sha256`: the hash of the secret sent with the invitation (its link).
    InviteMember {
        invitation_id: String,
        email: String,
        role: String,
        secret_sha256: String,
    },
    /// Accepted with the invitation's secret (`secret_sha256`, from its link), or by an
    /// account whose verified email the invitation names: an address typed at registration
    /// proves nothing by itself.
    AcceptInvitation {
        invitation_id: String,
        user_id: String,
        email: String,
        email_verified: bool,
        secret_sha256: Option<String>,
    },
    ChangeMemberRole {
        user_id: String,
        role: String,
    },
    RemoveMember {
        user_id: String,
    },
    IssueApiToken {
        token_id: String,
        name: String,
        role: String,
        secret_sha256: String,
        expires_at: Option<i64>,
    },
    RevokeApiToken {
        token_id: String,
    },
    ClaimProjectSlug {
        project_id: String,
        slug: String,
    },
    ReleaseProjectSlug {
        project_id: String,
    },
}

fn parse_role(role: &str) -> Result<Role, DomainError> {
    role.parse()
}

impl Organization {
    /// The actor's standing here: a member's role, or a live token's role.
    pub fn role_of(&self, actor: &Actor, now_ms: i64) -> Option<Role> {
        match actor {
            Actor::User(id) => self.members.get(id).copied(),
            Actor::ApiToken(id) => {
                let token = self.tokens.get(id).filter(|t| !t.revoked && t.expires_at.is_none_or(|at| at > now_ms))?;
                match &token.member {
                    Some(member) => self.members.get(member).map(|held| token.role.min(*held)),
                    None => Some(token.role),
                }
            }
            Actor::System(_) => self.id.as_ref().map(|_| Role::Owner),
        }
    }

    fn owners(&self) -> usize {
        self.members.values().filter(|r| **r == Role::Owner).count()
    }

    /// Only an owner may make or unmake owners.
    fn check_owner_change(ctx: &Context, from: Option<Role>, to: Option<Role>) -> Result<(), DomainError> {
        if from == Some(Role::Owner) || to == Some(Role::Owner) {
            ctx.require(Role::Owner, "granting or taking the owner role")?;
        }
        Ok(())
    }
}

/// Compares two hashes without telling, by its timing, where they differ.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The member behind a token created by `created_by` (`user:<id>`, `token:<id>` or
/// `system:<name>`), given how to find a token's member (`None`: an unknown token, `Some(None)`:
/// a token the system made). `None` means the system made it; a token made by an unknown token
/// gets a member no one is (`""`), so it acts as no one.
pub fn token_member(created_by: &str, member_of_token: impl Fn(&str) -> Option<Option<String>>) -> Option<String> {
    if let Some(user) = created_by.strip_prefix("user:") {
        return Some(user.to_string());
    }
    match created_by.strip_prefix("token:") {
        Some(token) => member_of_token(token).unwrap_or(Some(String::new())),
        None => None,
    }
}

impl Aggregate for Organization {
    type Command = OrganizationCommand;
    const KIND: &'static str = "organization";

    fn evolve(mut self, event: &Event) -> Self {
        match event {
            Event::OrganizationCreated(e) => {
                self.id = Some(e.organization_id.clone());
                self.slug = e.slug.clone();
                self.members.insert(e.owner_user_id.clone(), Role::Owner);
            }
            Event::MemberInvited(e) => {
                let role = parse_role(&e.role).unwrap_or(Role::Viewer);
                let invitation = Invitation {
                    email: e.email.to_lowercase(),
                    role,
                    expires_at: e.expires_at,
                    accepted: false,
                    secret_sha256: e.secret_sha256.clone(),
                };
                self.invitations.insert(e.invitation_id.clone(), invitation);
            }
            Event::MemberJoined(e) => {
                self.members.insert(e.user_id.clone(), parse_role(&e.role).unwrap_or(Role::Viewer));
                if let Some(invitation) = e.invitation_id.as_ref().and_then(|id| self.invitations.get_mut(id)) {
                    invitation.accepted = true;
                }
            }
            Event::MemberRoleChanged(e) => {
                self.members.insert(e.user_id.clone(), parse_role(&e.to_role).unwrap_or(Role::Viewer));
            }
            Event::MemberRemoved(e) => {
                self.members.remove(&e.user_id);
            }
            Event::ApiTokenIssued(e) => {
                let role = parse_role(&e.role).unwrap_or(Role::Viewer);
                let member = token_member(&e.created_by, |token| self.tokens.get(token).map(|t| t.member.clone()));
                self.tokens
                    .insert(e.token_id.clone(), Token { role, expires_at: e.expires_at, revoked: false, member });
            }
            Event::ApiTokenRevoked(e) => {
                if let Some(token) = self.tokens.get_mut(&e.token_id) {
                    token.revoked = true;
                }
            }
            Event::ProjectSlugClaimed(e) => {
                self.project_slugs.insert(e.slug.clone(), e.project_id.clone());
            }
            Event::ProjectSlugReleased(e) => {
                self.project_slugs.remove(&e.slug);
            }
            _ => {}
        }
        self
    }

    fn decide(&self, command: OrganizationCommand, ctx: &Context) -> Result<Vec<Event>, DomainError> {
        match (command, &self.id) {
            (OrganizationCommand::Create { organization_id, slug, name }, None) => {
                let Actor::User(owner) = &ctx.actor else {
                    return Err(DomainError::Forbidden("organizations are created by users".into()));
                };
                validate::slug("slug", &slug)?;
                validate::name("name", &name)?;
                Ok(vec![OrganizationCreated { organization_id, slug, name, owner_user_id: owner.clone() }.into()])
            }
            (_, None) => Err(DomainError::not_found("organization", "")),
            (command, Some(id)) => self.decide_existing(id.clone(), command, ctx),
        }
    }
}

impl Organization {
    fn decide_existing(
        &self,
        organization_id: String,
        command: OrganizationCommand,
        ctx: &Context,
    ) -> Result<Vec<Event>, DomainError> {
        use OrganizationCommand::*;
        match command {
            Create { organization_id, .. } => {
                Err(DomainError::AlreadyExists(format!("organization {organization_id} exists")))
            }
            InviteMember { invitation_id, email, role, secret_sha256 } => {
                ctx.require(Role::Admin, "inviting members")?;
                let role = parse_role(&role)?;
                Self::check_owner_change(ctx, None, Some(role))?;
                validate::email("email", &email)?;
                let email = email.to_lowercase();
                let pending =
                    self.invitations.values().any(|i| i.email == email && !i.accepted && i.expires_at > ctx.now_ms);
                if pending {
                    return Err(DomainError::AlreadyExists(format!("{email} already has an open invitation")));
                }
                Ok(vec![
                    MemberInvited {
                        organization_id,
                        invitation_id,
                        email,
                        role: role.to_string(),
                        invited_by: ctx.actor_id(),
                        expires_at: ctx.now_ms + INVITATION_TTL_MS,
                        secret_sha256,
                    }
                    .into(),
                ])
            }
            AcceptInvitation { invitation_id, user_id, email, email_verified, secret_sha256 } => {
                let invitation = self
                    .invitations
                    .get(&invitation_id)
                    .ok_or_else(|| DomainError::not_found("invitation", &invitation_id))?;
                if invitation.accepted {
                    return Err(DomainError::illegal("invitation", "accept", "accepted"));
                }
                if invitation.expires_at <= ctx.now_ms {
                    return Err(DomainError::illegal("invitation", "accept", "expired"));
                }
                let by_link = !invitation.secret_sha256.is_empty()
                    && secret_sha256.as_deref().is_some_and(|given| constant_time_eq(given, &invitation.secret_sha256));
                let by_address = email_verified && invitation.email == email.to_lowercase();
                if !by_link && !by_address {
                    return Err(DomainError::Forbidden(
                        "accept with the link the invitation sent, or verify the email address it was sent to".into(),
                    ));
                }
                if self.members.contains_key(&user_id) {
                    return Err(DomainError::AlreadyExists("already a member".into()));
                }
                Ok(vec![
                    MemberJoined {
                        organization_id,
                        user_id,
                        role: invitation.role.to_string(),
                        invitation_id: Some(invitation_id),
                    }
                    .into(),
                ])
            }
            ChangeMemberRole { user_id, role } => {
                ctx.require(Role::Admin, "changing roles")?;
                let to = parse_role(&role)?;
                let from = *self.members.get(&user_id).ok_or_else(|| DomainError::not_found("member", &user_id))?;
                Self::check_owner_change(ctx, Some(from), Some(to))?;
                if from == Role::Owner && to != Role::Owner && self.owners() == 1 {
                    return Err(DomainError::illegal(
                        "organization",
                        "demote the last owner of",
                        "left without owners",
                    ));
                }
                if from == to {
                    return Ok(vec![]);
                }
                Ok(vec![
                    MemberRoleChanged {
                        organization_id,
                        user_id,
                        from_role: from.to_string(),
                        to_role: to.to_string(),
                    }
                    .into(),
                ])
            }
            RemoveMember { user_id } => {
                let leaving_self = ctx.actor == Actor::User(user_id.clone());
                if !leaving_self {
                    ctx.require(Role::Admin, "removing members")?;
                }
                let role = *self.members.get(&user_id).ok_or_else(|| DomainError::not_found("member", &user_id))?;
                if !leaving_self {
                    Self::check_owner_change(ctx, Some(role), None)?;
                }
                if role == Role::Owner && self.owners() == 1 {
                    return Err(DomainError::illegal(
                        "organization",
                        "remove the last owner of",
                        "left without owners",
                    ));
                }
                Ok(vec![MemberRemoved { organization_id, user_id }.into()])
            }
            IssueApiToken { token_id, name, role, secret_sha256, expires_at } => {
                let mine = ctx.require(Role::Admin, "issuing API tokens")?;
                let role = parse_role(&role)?;
                if role > mine {
                    return Err(DomainError::Forbidden(format!("a token cannot outrank its issuer ({mine})")));
                }
                validate::name("name", &name)?;
                if expires_at.is_some_and(|at| at <= ctx.now_ms) {
                    return Err(DomainError::invalid("expiresAt", "must be in the future"));
                }
                if self.tokens.contains_key(&token_id) {
                    return Err(DomainError::AlreadyExists(format!("token {token_id} exists")));
                }
                Ok(vec![
                    ApiTokenIssued {
                        organization_id,
                        token_id,
                        name,
                        role: role.to_string(),
                        secret_sha256,
                        created_by: ctx.actor_id(),
                        expires_at,
                    }
                    .into(),
                ])
            }
            RevokeApiToken { token_id } => {
                ctx.require(Role::Admin, "revoking API tokens")?;
                let token = self.tokens.get(&token_id).ok_or_else(|| DomainError::not_found("API token", &token_id))?;
                if token.revoked {
                    return Err(DomainError::illegal("API token", "revoke", "revoked"));
                }
                Ok(vec![ApiTokenRevoked { organization_id, token_id }.into()])
            }
            ClaimProjectSlug { project_id, slug } => {
                ctx.require(Role::Admin, "creating projects")?;
                validate::slug("slug", &slug)?;
                if self.project_slugs.contains_key(&slug) {
                    return Err(DomainError::AlreadyExists(format!("project slug `{slug}` is taken in {}", self.slug)));
                }
                Ok(vec![ProjectSlugClaimed { organization_id, project_id, slug }.into()])
            }
            ReleaseProjectSlug { project_id } => {
                ctx.require(Role::Admin, "deleting projects")?;
                let slug = self
                    .project_slugs
                    .iter()
                    .find(|(_, id)| **id == project_id)
                    .map(|(slug, _)| slug.clone())
                    .ok_or_else(|| DomainError::not_found("project", &project_id))?;
                Ok(vec![ProjectSlugReleased { organization_id, project_id, slug }.into()])
            }
        }
    }
}
/// A command on an organization. Creating one claims its slug server-wide in the same append
/// (`name.rs`): of two creations racing for a slug, one is refused.
#[derive(Debug, Clone)]
pub struct OrganizationDecision {
    pub organization_id: String,
    pub command: OrganizationCommand,
}

impl Decision for OrganizationDecision {
    fn key(&self) -> String {
        self.organization_id.clone()
    }

    fn streams(&self, _read: &History, _request: &Request) -> Vec<String> {
        let mut streams = vec![stream_of::<Organization>(&self.organization_id)];
        if let OrganizationCommand::Create { slug, .. } = &self.command {
            streams.push(name::stream(name::ORGANIZATION, slug));
        }
        streams
    }

    fn decide(&self, read: &History, request: &Request) -> Result<Vec<Write>, DomainError> {
        let organization = read.state::<Organization>(&self.organization_id);
        let ctx = request.context_in(&organization);
        let events = organization.decide(self.command.clone(), &ctx)?;
        let mut writes = vec![Write::checked(stream_of::<Organization>(&self.organization_id), events)];
        if let OrganizationCommand::Create { slug, .. } = &self.command {
            let claimed = (name::ORGANIZATION, slug.as_str(), self.organization_id.as_str());
            writes.push(name::claim(read, claimed, &ctx, (slug, "an organization"))?);
        }
        Ok(writes)
    }
}
