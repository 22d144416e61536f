//! The API's error contract: every error carries `extensions.code`, mapped once from the
//! domain's errors. Internal failures are logged, never described to the client.

use async_graphql::ErrorExtensions;
use clouddeck_command_handlers::DomainError;
use tracing::error;

pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
pub const FORBIDDEN: &str = "FORBIDDEN";
pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
pub const NOT_FOUND: &str = "NOT_FOUND";
pub const CONFLICT: &str = "CONFLICT";
pub const RATE_LIMITED: &str = "RATE_LIMITED";
pub const QUOTA_EXCEEDED: &str = "QUOTA_EXCEEDED";
pub const INTERNAL: &str = "INTERNAL";
/// The write happened (its events are in the log, at `extensions.position`) but the read
/// models did not show it in time: not a failure, and not to be retried.
pub const ACCEPTED: &str = "ACCEPTED";

/// The whole answer for a failure outside the schema.
pub const INTERNAL_BODY: &str = r#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#;

/// A write that is in the log but not yet in the read models (see [`ACCEPTED`]).
pub fn accepted(position: i64) -> async_graphql::Error {
    async_graphql::Error::new(format!(
        "accepted: the write is recorded (log position {position}) but not visible yet; do not retry it, \
         query again shortly"
    ))
    .extend_with(|_, e| {
        e.set("code", ACCEPTED);
        e.set("position", position);
    })
}

pub fn coded(code: &'static str, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
}

pub fn unauthenticated() -> async_graphql::Error {
    coded(UNAUTHENTICATED, "sign in first: send Authorization: Bearer <session or API token>")
}

pub fn not_found(what: &str) -> async_graphql::Error {
    coded(NOT_FOUND, format!("{what} not found"))
}

pub fn bad_input(field: &'static str, reason: impl std::fmt::Display) -> async_graphql::Error {
    async_graphql::Error::new(format!("{field}: {reason}")).extend_with(|_, e| {
        e.set("code", BAD_USER_INPUT);
        e.set("field", field);
    })
}

/// A failure the client cannot act on: logged with its cause, answered without it.
pub fn internal(cause: impl std::fmt::Display) -> async_graphql::Error {
    error!(%cause, "internal error answering a GraphQL request");
    coded(INTERNAL, "internal error")
}

pub fn domain(e: DomainError) -> async_graphql::Error {
    match e {
        DomainError::Invalid { field, reason } => bad_input(field, reason),
        DomainError::NotFound { .. } => coded(NOT_FOUND, e.to_string()),
        DomainError::AlreadyExists(_) | DomainError::IllegalTransition { .. } | DomainError::Contention(_) => {
            coded(CONFLICT, e.to_string())
        }
        DomainError::Forbidden(_) => coded(FORBIDDEN, e.to_string()),
        DomainError::QuotaExceeded(_) => coded(QUOTA_EXCEEDED, e.to_string()),
        DomainError::Storage => coded(INTERNAL, "internal error"),
    }
}

pub fn db(e: sqlx::Error) -> async_graphql::Error {
    internal(e)
}
