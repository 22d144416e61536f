//! The domain's error contract: every refusal a command can meet. The API maps each
//! variant once to a GraphQL `extensions.code`.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A field of the command is malformed.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("{what} `{id}` not found")]
    NotFound { what: &'static str, id: String },
    /// The thing exists already, or a unique name is taken.
    #[error("{0}")]
    AlreadyExists(String),
    /// The actor's role does not allow the command.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The aggregate is not in a state where the command makes sense.
    #[error("cannot {action} a {what} that is {state}")]
    IllegalTransition { what: &'static str, action: &'static str, state: String },
    /// The organization's plan does not allow it (this month).
    #[error("{0}")]
    QuotaExceeded(String),
    /// The stream kept changing under the handler's retries.
    #[error("too many concurrent changes to {0}; try again")]
    Contention(String),
    /// The event store failed; the message is safe to show (no internals).
    #[error("storage unavailable")]
    Storage,
}

impl DomainError {
    pub fn invalid(field: &'static str, reason: impl fmt::Display) -> Self {
        DomainError::Invalid { field, reason: reason.to_string() }
    }
    pub fn not_found(what: &'static str, id: impl fmt::Display) -> Self {
        DomainError::NotFound { what, id: id.to_string() }
    }
    pub fn illegal(what: &'static str, action: &'static str, state: impl fmt::Debug) -> Self {
        DomainError::IllegalTransition { what, action, state: format!("{state:?}").to_lowercase() }
    }
}
