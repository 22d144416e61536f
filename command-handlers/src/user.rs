//! The user: registration (the email is the stream's identity, so it is unique) and the
//! sessions they sign in with.

use crate::access::Context;
use crate::aggregate::Aggregate;
use crate::decision::{Decision, History, Request, Write, stream_of};
use crate::error::DomainError;
use crate::validate;
use clouddeck_events::*;

/// Sessions last 30 days.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
/// An email verification link works for a day.
pub const VERIFICATION_TTL_MS: i64 = 24 * 3600 * 1000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct User {
    pub id: Option<String>,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    /// The account followed a link sent to its address.
    pub email_verified: bool,
    /// Open verification links: (secret's hash, expiry in unix ms).
    pub verifications: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum UserCommand {
    /// `password_hash` is an argon2 PHC string: the clear password never reaches here.
    Register {
        user_id: String,
        email: String,
        name: String,
        password_hash: Option<String>,
    },
    StartSession {
        session_id: String,
        secret_sha256: String,
    },
    /// Signs the session with this secret's hash out (its own user only).
    EndSession {
        secret_sha256: String,
    },
    /// A link with this secret's hash was sent to the account's address.
    SendEmailVerification {
        secret_sha256: String,
    },
    /// The secret of a link sent to the address came back.
    VerifyEmail {
        secret_sha256: String,
    },
}

/// A user's id follows from their email (UUID v5), so registering an address twice
/// lands on the same stream and is refused by the store's version check.
pub fn user_id_for(email: &str) -> String {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6c6f_7564_6465_636b_2075_7365_7273_0001);
    uuid::Uuid::new_v5(&NAMESPACE, email.trim().to_lowercase().as_bytes()).to_string()
}

impl Aggregate for User {
    type Command = UserCommand;
    const KIND: &'static str = "user";

    fn evolve(mut self, event: &Event) -> Self {
        match event {
            Event::UserRegistered(e) => {
                self.id = Some(e.user_id.clone());
                self.email = e.email.clone();
                self.name = e.name.clone();
                self.password_hash = e.password_hash.clone();
            }
            Event::EmailVerificationSent(e) => self.verifications.push((e.secret_sha256.clone(), e.expires_at)),
            Event::EmailVerified(_) => {
                self.email_verified = true;
                self.verifications.clear();
            }
            _ => {}
        }
        self
    }

    fn decide(&self, command: UserCommand, ctx: &Context) -> Result<Vec<Event>, DomainError> {
        match (command, &self.id) {
            (UserCommand::Register { user_id, email, name, password_hash }, None) => {
                validate::email("email", &email)?;
                validate::name("name", &name)?;
                Ok(vec![UserRegistered { user_id, email: email.trim().to_lowercase(), name, password_hash }.into()])
            }
            (UserCommand::Register { email, .. }, Some(_)) => {
                Err(DomainError::AlreadyExists(format!("{email} is already registered")))
            }
            (UserCommand::StartSession { session_id, secret_sha256 }, Some(user_id)) => {
                if ctx.actor != Actor::User(user_id.clone()) {
                    return Err(DomainError::Forbidden("a session is started by its own user".into()));
                }
                let expires_at = ctx.now_ms + SESSION_TTL_MS;
                Ok(vec![SessionStarted { user_id: user_id.clone(), session_id, secret_sha256, expires_at }.into()])
            }
            (UserCommand::EndSession { secret_sha256 }, Some(user_id)) => {
                if ctx.actor != Actor::User(user_id.clone()) {
                    return Err(DomainError::Forbidden("a session is ended by its own user".into()));
                }
                Ok(vec![SessionEnded { user_id: user_id.clone(), secret_sha256 }.into()])
            }
            (UserCommand::SendEmailVerification { secret_sha256 }, Some(user_id)) => {
                let own = ctx.actor == Actor::User(user_id.clone()) || matches!(ctx.actor, Actor::System(_));
                if !own {
                    return Err(DomainError::Forbidden("verification links are sent by their own user".into()));
                }
                let expires_at = ctx.now_ms + VERIFICATION_TTL_MS;
                Ok(vec![EmailVerificationSent { user_id: user_id.clone(), secret_sha256, expires_at }.into()])
            }
            (UserCommand::VerifyEmail { secret_sha256 }, Some(user_id)) => {
                let open =
                    self.verifications.iter().any(|(hash, expires)| *hash == secret_sha256 && *expires > ctx.now_ms);
                if !open {
                    return Err(DomainError::Forbidden("the verification link is wrong or has expired".into()));
                }
                Ok(vec![EmailVerified { user_id: user_id.clone(), email: self.email.clone() }.into()])
            }
            (_, None) => Err(DomainError::not_found("user", "")),
        }
    }
}

/// Registration and sessions: not scoped to an organization.
#[derive(Debug, Clone)]
pub struct UserDecision {
    pub user_id: String,
    pub command: UserCommand,
}

impl Decision for UserDecision {
    fn key(&self) -> String {
        self.user_id.clone()
    }

    fn streams(&self, _read: &History, _request: &Request) -> Vec<String> {
        vec![stream_of::<User>(&self.user_id)]
    }

    fn decide(&self, read: &History, request: &Request) -> Result<Vec<Write>, DomainError> {
        let events = read.state::<User>(&self.user_id).decide(self.command.clone(), &request.context())?;
        Ok(vec![Write::checked(stream_of::<User>(&self.user_id), events)])
    }
}
