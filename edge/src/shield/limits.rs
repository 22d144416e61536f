//! What the edge allows a connection and a client: every timeout and limit of the shield, with
//! its default. The defaults are at least as strict as nginx's (`client_header_timeout` 60 s,
//! `client_body_timeout` 60 s, `keepalive_timeout` 75 s, `send_timeout` 60 s; see
//! <https://nginx.org/en/docs/http/ngx_http_core_module.html>).

use std::time::Duration;

/// The shield's settings. Rates are per second; a burst is how many may come at once on top
/// of a full bucket (a token bucket's depth, GCRA as `governor` implements it).
#[derive(Debug, Clone)]
pub struct Limits {
    /// From the first byte of a request head (or the connection's opening, for its first) to
    /// its last: a head that takes longer closes the connection (slowloris). HTTP/1.1.
    pub head_timeout: Duration,
    /// The longest a request body may pause between two reads; then the request fails and
    /// the connection closes.
    pub body_timeout: Duration,
    /// How long a connection with no request in flight is kept (HTTP/1.1 keep-alive, an
    /// HTTP/2 connection with no open stream); then it is closed (HTTP/2: GOAWAY).
    pub idle_timeout: Duration,
    /// The longest a write to a client may wait for the client to read; then the connection
    /// closes.
    pub send_timeout: Duration,
    /// From TCP accept to a finished TLS handshake.
    pub tls_handshake_timeout: Duration,
    /// Connections one client address (an IPv6 client: its /64) may hold at once; past it a
    /// new one is closed as soon as it is accepted.
    pub connections_per_client: u32,
    /// New connections a client may open per second, and their burst.
    pub connection_rate: u32,
    pub connection_burst: u32,
    /// Requests a client may make per second (HTTP/2 streams count one each), and their
    /// burst; past it: 429 with `Retry-After`.
    pub request_rate: u32,
    pub request_burst: u32,
    /// Requests one client may have in flight at once, all its connections and HTTP/2
    /// streams together (each answer being sent may hold a file open); past it: 429.
    pub requests_in_flight_per_client: u32,
    /// Concurrent streams per HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS, RFC 9113
    /// §6.5.2).
    pub h2_max_streams: u32,
    /// Streams an HTTP/2 client may cancel (RST_STREAM before its answer, the rapid-reset
    /// attack, CVE-2023-44487) per connection in [`RESET_WINDOW`]; past it the connection is
    /// closed.
    pub h2_resets: u32,
    /// Connections the edge holds at once, all clients together. Past it the connection idle
    /// longest is closed to make room; when none is idle the new one gets only ACME's
    /// challenges and the edge's health answer (503 for the rest), up to [`RESERVE`] more.
    pub max_connections: u32,
}

/// The window `h2_resets` counts in.
pub const RESET_WINDOW: Duration = Duration::from_secs(10);
/// Connections past `max_connections` still taken for health checks and ACME's challenges.
pub const RESERVE: u32 = 64;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            head_timeout: Duration::from_secs(20),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            send_timeout: Duration::from_secs(30),
            tls_handshake_timeout: Duration::from_secs(10),
            connections_per_client: 256,
            connection_rate: 100,
            connection_burst: 200,
            request_rate: 200,
            request_burst: 400,
            requests_in_flight_per_client: 256,
            h2_max_streams: 100,
            h2_resets: 200,
            max_connections: 10_000,
        }
    }
}

impl Limits {
    /// `max_connections` lowered, when the process may open fewer descriptors (its soft limit
    /// raised to its hard one first), to half of what it may (the rest is for upstreams,
    /// files, the database); the value used.
    pub fn fit_to_descriptors(&mut self) -> u32 {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        // The soft limit first goes up to the hard one (as nginx's `worker_rlimit_nofile`
        // lets an operator): a shell's 1,024 would otherwise cap the edge at 512 connections.
        let limits = getrlimit(Resource::Nofile);
        if let (Some(current), Some(maximum)) = (limits.current, limits.maximum)
            && current < maximum
            && let Err(e) = setrlimit(Resource::Nofile, Rlimit { current: Some(maximum), maximum: Some(maximum) })
        {
            tracing::warn!(error = %e, "the descriptor limit could not be raised to its hard limit");
        }
        if let Some(limit) = getrlimit(Resource::Nofile).current {
            let half = u32::try_from(limit / 2).unwrap_or(u32::MAX).max(RESERVE);
            if self.max_connections > half {
                tracing::warn!(
                    wanted = self.max_connections,
                    used = half,
                    descriptors = limit,
                    "the edge's connection cap is lowered to half the process's descriptor limit"
                );
                self.max_connections = half;
            }
        }
        self.max_connections
    }

    /// How often a connection's deadlines are looked at: a quarter of the shortest timeout,
    /// between 50 ms and 1 s.
    pub fn tick(&self) -> Duration {
        let shortest = self.head_timeout.min(self.idle_timeout);
        (shortest / 4).clamp(Duration::from_millis(50), Duration::from_secs(1))
    }
}
