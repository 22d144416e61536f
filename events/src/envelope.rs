//! The envelope every recorded event carries, beside its payload.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    User(String),
    ApiToken(String),
    /// A CloudDeck component acting on its own (a worker, the relay, a migration).
    System(String),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(id) => write!(f, "user:{id}"),
            Actor::ApiToken(id) => write!(f, "token:{id}"),
            Actor::System(name) => write!(f, "system:{name}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not an actor (expected user:ID, token:ID or system:NAME)")]
pub struct BadActor(String);

impl FromStr for Actor {
    type Err = BadActor;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            Some(("user", id)) if !id.is_empty() => Ok(Actor::User(id.to_string())),
            Some(("token", id)) if !id.is_empty() => Ok(Actor::ApiToken(id.to_string())),
            Some(("system", name)) if !name.is_empty() => Ok(Actor::System(name.to_string())),
            _ => Err(BadActor(s.to_string())),
        }
    }
}

/// `<aggregate>-<id>`, e.g. `deployment-0193…`.
pub fn stream_id(aggregate: &str, id: &str) -> String {
    format!("{aggregate}-{id}")
}

/// Everything about a recorded event but its payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventMeta {
    /// UUID v7: time-ordered, and the key consumers drop duplicates by.
    pub event_id: Uuid,
    pub stream_id: String,
    /// 1 for a stream's first event, contiguous after.
    pub stream_version: i64,
    /// 1 for the log's first event, gap-free and in commit order.
    pub position: i64,
    pub event_type: String,
    pub schema_version: i32,
    /// Microseconds since the Unix epoch.
    pub recorded_at: i64,
    pub actor: Actor,
    pub causation_id: Option<Uuid>,
    pub correlation_id: Uuid,
}

/// What a writer supplies with each event; the store assigns version, position and time.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    pub actor: Actor,
    pub causation_id: Option<Uuid>,
    pub correlation_id: Uuid,
}

impl Provenance {
    /// The first event of a new chain of cause and effect.
    pub fn new(actor: Actor) -> Self {
        Provenance { actor, causation_id: None, correlation_id: Uuid::now_v7() }
    }

    /// An event caused by `cause`: same correlation, causation = the cause's id.
    pub fn caused_by(actor: Actor, cause: &EventMeta) -> Self {
        Provenance { actor, causation_id: Some(cause.event_id), correlation_id: cause.correlation_id }
    }
}
