//! The edge shield's settings (`clouddeck_edge::shield::Limits`), each a flag and an
//! environment variable; unset, the shield's default (listed in the README).

use clouddeck_edge::shield::{Limits, Trusted};
use std::time::Duration;

#[derive(clap::Args, Debug, Clone, Default)]
pub struct ShieldArgs {
    /// Seconds a request head may take from its first byte (a new connection: from its
    /// opening). Default 20.
    #[arg(long, env = "CLOUDDECK_EDGE_HEAD_TIMEOUT_SECS")]
    pub edge_head_timeout_secs: Option<u64>,
    /// Seconds a request body may pause between two reads. Default 30.
    #[arg(long, env = "CLOUDDECK_EDGE_BODY_TIMEOUT_SECS")]
    pub edge_body_timeout_secs: Option<u64>,
    /// Seconds a connection with no request in flight is kept. Default 60.
    #[arg(long, env = "CLOUDDECK_EDGE_IDLE_TIMEOUT_SECS")]
    pub edge_idle_timeout_secs: Option<u64>,
    /// Seconds a write may wait for the client to read. Default 30.
    #[arg(long, env = "CLOUDDECK_EDGE_SEND_TIMEOUT_SECS")]
    pub edge_send_timeout_secs: Option<u64>,
    /// Seconds a TLS handshake may take. Default 10.
    #[arg(long, env = "CLOUDDECK_EDGE_TLS_HANDSHAKE_TIMEOUT_SECS")]
    pub edge_tls_handshake_timeout_secs: Option<u64>,
    /// Connections one client address (IPv6: its /64) may hold. Default 256.
    #[arg(long, env = "CLOUDDECK_EDGE_CONNECTIONS_PER_CLIENT")]
    pub edge_connections_per_client: Option<u32>,
    /// New connections per second per client, and their burst. Defaults 100 and 200.
    #[arg(long, env = "CLOUDDECK_EDGE_CONNECTION_RATE")]
    pub edge_connection_rate: Option<u32>,
    #[arg(long, env = "CLOUDDECK_EDGE_CONNECTION_BURST")]
    pub edge_connection_burst: Option<u32>,
    /// Requests per second per client (then 429 with Retry-After), and their burst.
    /// Defaults 200 and 400.
    #[arg(long, env = "CLOUDDECK_EDGE_REQUEST_RATE")]
    pub edge_request_rate: Option<u32>,
    #[arg(long, env = "CLOUDDECK_EDGE_REQUEST_BURST")]
    pub edge_request_burst: Option<u32>,
    /// Requests one address may have in flight at once. Default 256.
    #[arg(long, env = "CLOUDDECK_EDGE_REQUESTS_IN_FLIGHT_PER_CLIENT")]
    pub edge_requests_in_flight_per_client: Option<u32>,
    /// Concurrent streams per HTTP/2 connection. Default 100.
    #[arg(long, env = "CLOUDDECK_EDGE_H2_MAX_STREAMS")]
    pub edge_h2_max_streams: Option<u32>,
    /// Streams an HTTP/2 connection may cancel in 10 s before it is closed. Default 200.
    #[arg(long, env = "CLOUDDECK_EDGE_H2_RESETS")]
    pub edge_h2_resets: Option<u32>,
    /// Connections the edge holds at once (at most half the descriptor limit). Default
    /// 10,000.
    #[arg(long, env = "CLOUDDECK_EDGE_MAX_CONNECTIONS")]
    pub edge_max_connections: Option<u32>,
    /// Proxies whose `X-Forwarded-For` (or PROXY header) names the client: addresses or
    /// CIDR ranges, comma-separated. Default: none.
    #[arg(long, env = "CLOUDDECK_EDGE_TRUSTED_PROXIES", default_value = "")]
    pub edge_trusted_proxies: String,
    /// Trusted proxies open every connection with a PROXY protocol header (v1 or v2).
    #[arg(long, env = "CLOUDDECK_EDGE_PROXY_PROTOCOL", default_value_t = false)]
    pub edge_proxy_protocol: bool,
}

impl ShieldArgs {
    /// The limits: each setting given, the default for the rest.
    pub fn limits(&self) -> Limits {
        let d = Limits::default();
        let secs = |given: Option<u64>, default: Duration| given.map_or(default, Duration::from_secs);
        Limits {
            head_timeout: secs(self.edge_head_timeout_secs, d.head_timeout),
            body_timeout: secs(self.edge_body_timeout_secs, d.body_timeout),
            idle_timeout: secs(self.edge_idle_timeout_secs, d.idle_timeout),
            send_timeout: secs(self.edge_send_timeout_secs, d.send_timeout),
            tls_handshake_timeout: secs(self.edge_tls_handshake_timeout_secs, d.tls_handshake_timeout),
            connections_per_client: self.edge_connections_per_client.unwrap_or(d.connections_per_client),
            connection_rate: self.edge_connection_rate.unwrap_or(d.connection_rate),
            connection_burst: self.edge_connection_burst.unwrap_or(d.connection_burst),
            request_rate: self.edge_request_rate.unwrap_or(d.request_rate),
            request_burst: self.edge_request_burst.unwrap_or(d.request_burst),
            requests_in_flight_per_client: self
                .edge_requests_in_flight_per_client
                .unwrap_or(d.requests_in_flight_per_client),
            h2_max_streams: self.edge_h2_max_streams.unwrap_or(d.h2_max_streams),
            h2_resets: self.edge_h2_resets.unwrap_or(d.h2_resets),
            max_connections: self.edge_max_connections.unwrap_or(d.max_connections),
        }
    }

    /// The trusted proxies. Errors: an entry that is not an address or range, or the PROXY
    /// protocol with no proxy named; the variable's name in the message.
    pub fn trusted(&self) -> anyhow::Result<Trusted> {
        Trusted::parse(&self.edge_trusted_proxies, self.edge_proxy_protocol)
            .map_err(|e| anyhow::anyhow!("CLOUDDECK_EDGE_TRUSTED_PROXIES: {e}"))
    }
}
