//! What every aggregate is: a state folded from its stream's events (`evolve`) and a pure
//! decision from state and command to new events (`decide`). No I/O here or below.

use crate::access::Context;
use crate::error::DomainError;
use clouddeck_events::Event;

pub trait Aggregate: Default + Clone + Send + Sync + 'static {
    type Command: Send;
    /// The stream prefix: `<KIND>-<id>`.
    const KIND: &'static str;

    fn evolve(self, event: &Event) -> Self;

    fn decide(&self, command: Self::Command, ctx: &Context) -> Result<Vec<Event>, DomainError>;

    /// Folds a whole history: what the handler does after loading a stream.
    fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        events.into_iter().fold(Self::default(), |state, event| state.evolve(event))
    }
}
