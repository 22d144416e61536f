//! The user: registration (the email is the stream's identity, so it is unique) and the
//! sessions they sign in with.

use crate::access::Context;
use crate::aggregate::Aggregate;
use crate::error::DomainError;
use crate::validate;
use clouddeck_events::*;

/// Sessions last 30 days.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct User {
    pub id: Option<String>,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
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
        if let Event::UserRegistered(e) = event {
            self.id = Some(e.user_id.clone());
            self.email = e.email.clone();
            self.name = e.name.clone();
            self.password_hash = e.password_hash.clone();
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
            (UserCommand::StartSession { .. }, None) => Err(DomainError::not_found("user", "")),
        }
    }
}
