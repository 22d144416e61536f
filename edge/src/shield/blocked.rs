//! What the shield turned away, counted per window: reported as one event per window and
//! edge (`report.rs`), never one per request.

use super::clients::ClientKey;
use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a connection or a request was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The client held its `connections_per_client` already: the connection was closed.
    ConnectionsPerClient,
    /// The client opened connections faster than `connection_rate`: closed.
    ConnectionRate,
    /// Over `request_rate`: 429.
    RequestRate,
    /// Over `requests_in_flight_per_client` (or the edge's answers in flight): 429.
    RequestsInFlight,
    /// Past `max_connections` with nothing idle to close and the reserve full: closed; or
    /// a reserve connection asked for something else than a challenge or health: 503.
    Overload,
    /// Closed, idle, to make room for a new connection past `max_connections`.
    Evicted,
    /// The request head did not arrive within `head_timeout`.
    HeadTimeout,
    /// A request body paused longer than `body_timeout`.
    BodyTimeout,
    /// The client did not read what it was sent within `send_timeout`.
    SendTimeout,
    /// The TLS handshake did not finish within `tls_handshake_timeout`.
    TlsHandshakeTimeout,
    /// An HTTP/2 connection cancelled more than `h2_resets` streams in the window.
    StreamResets,
    /// A trusted proxy's connection did not start with a valid PROXY protocol header.
    ProxyHeader,
}

impl Reason {
    pub const ALL: [Reason; 12] = [
        Reason::ConnectionsPerClient,
        Reason::ConnectionRate,
        Reason::RequestRate,
        Reason::RequestsInFlight,
        Reason::Overload,
        Reason::Evicted,
        Reason::HeadTimeout,
        Reason::BodyTimeout,
        Reason::SendTimeout,
        Reason::TlsHandshakeTimeout,
        Reason::StreamResets,
        Reason::ProxyHeader,
    ];

    /// The name the window's event gives the count.
    pub fn name(self) -> &'static str {
        match self {
            Reason::ConnectionsPerClient => "connections_per_client",
            Reason::ConnectionRate => "connection_rate",
            Reason::RequestRate => "request_rate",
            Reason::RequestsInFlight => "requests_in_flight",
            Reason::Overload => "overload",
            Reason::Evicted => "evicted_idle",
            Reason::HeadTimeout => "head_timeout",
            Reason::BodyTimeout => "body_timeout",
            Reason::SendTimeout => "send_timeout",
            Reason::TlsHandshakeTimeout => "tls_handshake_timeout",
            Reason::StreamResets => "stream_resets",
            Reason::ProxyHeader => "proxy_header",
        }
    }
}

/// Distinct clients remembered per window at most (past it they are counted as one more).
const CLIENTS_AT_MOST: usize = 10_000;

#[derive(Default)]
pub struct Blocked {
    counts: [AtomicU64; Reason::ALL.len()],
    clients: Mutex<HashSet<ClientKey>>,
}

/// One window's counts: `(reason name, count)` for each reason seen, and how many distinct
/// clients were turned away.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BlockedTally {
    pub counts: Vec<(&'static str, u64)>,
    pub clients: u64,
}

impl Blocked {
    pub fn count(&self, reason: Reason, client: ClientKey) {
        self.counts[reason as usize].fetch_add(1, Ordering::Relaxed);
        let mut clients = self.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if clients.len() < CLIENTS_AT_MOST {
            clients.insert(client);
        }
    }

    /// What was counted since the last take, and starts a new window.
    pub fn take(&self) -> BlockedTally {
        let counts = Reason::ALL
            .iter()
            .map(|reason| (reason.name(), self.counts[*reason as usize].swap(0, Ordering::Relaxed)))
            .filter(|(_, n)| *n > 0)
            .collect();
        let clients = std::mem::take(&mut *self.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        BlockedTally { counts, clients: clients.len() as u64 }
    }

    /// The count of `reason` so far in this window.
    pub fn get(&self, reason: Reason) -> u64 {
        self.counts[reason as usize].load(Ordering::Relaxed)
    }
}
