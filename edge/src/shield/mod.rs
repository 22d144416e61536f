//! The edge's shield on the open internet: timeouts on every connection (a request head, a
//! stalled body, idleness, a client that stops reading, a TLS handshake), limits per client
//! address (connections held, new connections and requests per second), HTTP/2 stream and
//! reset limits (CVE-2023-44487), a global connection cap that closes the connection idle
//! longest first and keeps a reserve for health checks and ACME's challenges, and the
//! client's address from trusted proxies only. What it turns away is counted per window
//! (`blocked.rs`), never logged per request.
//!
//! `serve.rs` is where a connection goes through all of it; the other files are its parts.

mod blocked;
mod clients;
mod connection;
mod forwarded;
mod io;
mod limits;
mod serve;

pub use blocked::{Blocked, BlockedTally, Reason};
pub use clients::{ClientKey, Clients, Refused};
pub use connection::{Admission, Closing, Connection, Full, Registry, now_ms};
pub use forwarded::{ClientOf, Trusted, read_proxy_header};
pub use limits::{Limits, RESERVE, RESET_WINDOW};
pub use serve::{HEALTH_PATH, ReserveOnly, overloaded, serve};

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Shared by every listener and worker thread of one edge.
pub struct Shield {
    pub limits: Limits,
    pub trusted: Trusted,
    clients: Clients,
    registry: Registry,
    /// Requests in flight, all clients together.
    answers: std::sync::atomic::AtomicUsize,
    pub blocked: Blocked,
}

/// Requests in flight a client may hold once three quarters of the edge's places are taken.
pub const FEW_IN_FLIGHT: u32 = 8;

/// A request in flight, counted against its client and the edge until dropped.
pub struct InFlight {
    shield: Arc<Shield>,
    key: Option<ClientKey>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.shield.answers.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
        if let Some(key) = self.key {
            self.shield.clients.request_done(key);
        }
    }
}

/// A connection the shield took: given back (its client's slot, its place in the registry)
/// when dropped.
pub struct Admitted {
    shield: Arc<Shield>,
    id: u64,
    /// Counted against its client (not a trusted proxy's connection).
    counted: bool,
    pub connection: Arc<Connection>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.shield.registry.remove(self.id);
        if self.counted {
            self.shield.clients.release(self.connection.client);
        }
    }
}

impl Shield {
    /// A shield with `limits` (its connection cap fitted to the process's descriptor
    /// limit) that believes `trusted` proxies.
    pub fn new(mut limits: Limits, trusted: Trusted) -> Arc<Self> {
        let cap = limits.fit_to_descriptors();
        Arc::new(Shield {
            clients: Clients::new(&limits),
            registry: Registry::new(cap),
            limits,
            trusted,
            answers: Default::default(),
            blocked: Blocked::default(),
        })
    }

    /// Takes a connection from `client` (its address after any PROXY header), or counts
    /// why not: a trusted proxy's connections count against no client limit (they carry
    /// many clients), only against the cap.
    pub fn admit(self: &Arc<Self>, client: IpAddr) -> Option<Admitted> {
        let key = ClientKey::of(client);
        let counted = !self.trusted.trusts(client);
        if counted && let Err(refused) = self.clients.connect(key) {
            let reason = match refused {
                Refused::TooManyConnections => Reason::ConnectionsPerClient,
                Refused::ConnectionRate => Reason::ConnectionRate,
            };
            self.blocked.count(reason, key);
            return None;
        }
        match self.registry.admit(key) {
            Ok((id, connection, admission)) => {
                if admission == Admission::Evicted {
                    self.blocked.count(Reason::Evicted, key);
                }
                Some(Admitted { shield: self.clone(), id, counted, connection })
            }
            Err(connection::Full) => {
                if counted {
                    self.clients.release(key);
                }
                self.blocked.count(Reason::Overload, key);
                None
            }
        }
    }

    /// Takes a request's token for `client` (a trusted proxy's own request takes none).
    /// Errors: how long until it has one.
    pub fn request(&self, client: ClientOf) -> Result<(), Duration> {
        if client.exempt {
            return Ok(());
        }
        self.clients.request(ClientKey::of(client.address))
    }

    /// Takes a place for a request of `client` in flight, given back when the returned
    /// guard drops (a trusted proxy's own request takes none). None: the client has
    /// `requests_in_flight_per_client` (or [`FEW_IN_FLIGHT`] once three quarters of the
    /// edge's places are taken), or the edge has `max_connections` answers in flight (each
    /// may hold a file: together with the connections, never past the descriptors).
    pub fn in_flight(self: &Arc<Self>, client: ClientOf) -> Option<InFlight> {
        let cap = self.limits.max_connections as usize;
        let held = self.answers.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        if held >= cap {
            self.answers.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
            return None;
        }
        // The last quarter of the places is kept for clients holding few (a fair share): a
        // few addresses holding slow answers cannot take every place from everyone else.
        let at_most = if held >= cap - cap / 4 { FEW_IN_FLIGHT } else { u32::MAX };
        let key = (!client.exempt).then(|| ClientKey::of(client.address));
        if let Some(key) = key
            && !self.clients.request_begins_within(key, at_most)
        {
            self.answers.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
            return None;
        }
        Some(InFlight { shield: self.clone(), key })
    }

    /// Connections held now.
    pub fn connections(&self) -> usize {
        self.registry.len()
    }

    /// Forgets idle clients' buckets every 10 s until `stopped`, and runs `also` (the
    /// sites' own budgets, kept by the router): memory stays bounded by the clients of the
    /// last seconds.
    pub async fn maintain(self: Arc<Self>, also: impl Fn() + Send, mut stopped: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(10)) => {
                    self.clients.forget_idle();
                    also();
                }
                _ = async { let _ = stopped.wait_for(|stop| *stop).await; } => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_three_quarters_of_the_places_a_client_holding_many_gets_no_more() {
        let limits = Limits { max_connections: 100, requests_in_flight_per_client: 1000, ..Limits::default() };
        let shield = Shield::new(limits, Trusted::default());
        let client = |last: u8| ClientOf { address: std::net::IpAddr::from([192, 0, 2, last]), exempt: false };
        let mut held = Vec::new();
        while let Some(place) = shield.in_flight(client(1)) {
            held.push(place);
        }
        assert_eq!(held.len(), 75, "one address takes three quarters, not all");
        for last in 2..=4 {
            for _ in 0..FEW_IN_FLIGHT {
                held.push(shield.in_flight(client(last)).expect("a client holding few is served"));
            }
            assert!(shield.in_flight(client(last)).is_none());
        }
        drop(held);
        assert!(shield.in_flight(client(1)).is_some(), "places come back");
    }
}
