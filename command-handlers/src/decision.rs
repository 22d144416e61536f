//! Decisions as data (disintegrate's idea, on streams): a decision names the streams it reads,
//! and from their history returns the events to append to each. It is pure: a test gives it a
//! history and checks the events (given / when / then), and one generic `execute` in
//! `handler.rs` does the I/O for all of them: load the named streams, decide, append every
//! write with the version its stream was read at, and decide again on a conflict.
//!
//! A decision's streams may depend on what it has read (a deployment request reads its
//! project first, then the project's organization and the month's build counter): `execute`
//! asks for streams until the decision names none it has not read.

use crate::access::Context;
use crate::aggregate::Aggregate;
use crate::error::DomainError;
use crate::organization::Organization;
use clouddeck_events::{Actor, Event, stream_id};
use std::collections::HashMap;

/// The streams a decision read: each one's events and the version they end at (0: no stream).
#[derive(Debug, Clone, Default)]
pub struct History {
    streams: HashMap<String, (i64, Vec<Event>)>,
}

impl History {
    /// Records `stream` as read at `version` with `events`.
    pub fn insert(&mut self, stream: String, version: i64, events: Vec<Event>) {
        self.streams.insert(stream, (version, events));
    }

    /// A history for tests: each stream as the given events, its version their count.
    pub fn given<'a>(streams: impl IntoIterator<Item = (&'a str, Vec<Event>)>) -> Self {
        let mut history = History::default();
        for (stream, events) in streams {
            history.insert(stream.to_string(), events.len() as i64, events);
        }
        history
    }

    pub fn has(&self, stream: &str) -> bool {
        self.streams.contains_key(stream)
    }

    /// The version `stream` was read at; 0 when it has no events (or was not read).
    pub fn version(&self, stream: &str) -> i64 {
        self.streams.get(stream).map_or(0, |(version, _)| *version)
    }

    /// Aggregate `A` with id `id` if its stream was read: a decision whose other streams
    /// depend on it names that stream alone until then.
    pub fn loaded<A: Aggregate>(&self, id: &str) -> Option<A> {
        self.has(&stream_id(A::KIND, id)).then(|| self.state::<A>(id))
    }

    /// Aggregate `A` with id `id`, folded from its stream (the default state when unread).
    pub fn state<A: Aggregate>(&self, id: &str) -> A {
        self.streams.get(&stream_id(A::KIND, id)).map(|(_, events)| A::replay(events)).unwrap_or_default()
    }
}

/// The stream of aggregate `A` with id `id`.
pub fn stream_of<A: Aggregate>(id: &str) -> String {
    stream_id(A::KIND, id)
}

/// Events a decision appends to one stream. `checked`: appended only if the stream is still at
/// the version it was read at (every write but a counter nobody races for).
#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    pub stream: String,
    pub events: Vec<Event>,
    pub checked: bool,
}

impl Write {
    /// A write checked against the version the stream was read at.
    pub fn checked(stream: String, events: Vec<Event>) -> Self {
        Write { stream, events, checked: true }
    }
}

/// Who asks, and when: what a decision needs besides the history.
#[derive(Debug, Clone)]
pub struct Request {
    pub actor: Actor,
    pub now_ms: i64,
}

impl Request {
    /// The request's context in `organization`: its role there now (None outside).
    pub fn context_in(&self, organization: &Organization) -> Context {
        Context { actor: self.actor.clone(), role: organization.role_of(&self.actor, self.now_ms), now_ms: self.now_ms }
    }

    /// The request's context outside any organization.
    pub fn context(&self) -> Context {
        Context { actor: self.actor.clone(), role: None, now_ms: self.now_ms }
    }
}

/// A decision over one or more streams.
pub trait Decision: Clone + Send + Sync {
    /// What concurrent commands in this process queue on (an aggregate id): one turn at a time.
    fn key(&self) -> String;

    /// The streams to read, given what has been read so far.
    fn streams(&self, read: &History, request: &Request) -> Vec<String>;

    /// Streams of which only the version is read (their events stay unread, and their state
    /// in the history is the default): a counter whose version is its count.
    fn versions(&self, _read: &History, _request: &Request) -> Vec<String> {
        Vec::new()
    }

    /// The writes, from the history of the streams named. Pure.
    ///
    /// Errors: the [`DomainError`] that refuses the command.
    fn decide(&self, read: &History, request: &Request) -> Result<Vec<Write>, DomainError>;
}
