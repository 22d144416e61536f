//! Proof of ownership over DNS: the owner publishes the domain's token in a TXT record at
//! `_clouddeck-challenge.<hostname>` (as Vercel's `_vercel` and Netlify's `netlify-challenge`
//! records), looked up with hickory-resolver, uncached, so a record just created is seen.

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::rr::RData;
use std::net::SocketAddr;
use std::time::Duration;

/// Why a check did not prove ownership: shown to the owner as the domain's `lastError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("no TXT record at {record}: create it with the value shown, then verify again")]
    Missing { record: String },
    /// (The values found are not repeated: they may be anything the name's DNS, or a zone
    /// it points into, holds.)
    #[error("the TXT record at {record} holds {found} other value(s), not the value shown")]
    Mismatch { record: String, found: usize },
    #[error("{hostname} has no A or AAAA record: point it at this server as shown")]
    NoAddress { hostname: String },
    #[error("looking up {record} failed: {reason}")]
    Lookup { record: String, reason: String },
}

/// What a failed lookup is called where the tenant sees it: its kind, never the resolver's
/// own words (they may name internal servers; the log has them).
fn lookup_reason(error: &NetError) -> String {
    match error {
        NetError::Timeout => "the name's DNS servers did not answer in time".into(),
        NetError::Dns(DnsError::ResponseCode(code)) => format!("the name's DNS servers answered {code}"),
        _ => "the DNS lookup failed".into(),
    }
}

/// Looks names up: TXT records that prove ownership, addresses that show a name points
/// somewhere before a CA is asked to connect to it. Clones share one resolver.
#[derive(Clone)]
pub struct DnsChecker {
    resolver: TokioResolver,
}

impl DnsChecker {
    /// Asks `server` (`ip:port`, UDP then TCP) or, with none, the system's resolvers
    /// (`/etc/resolv.conf`). Nothing is cached: each check asks again.
    ///
    /// Errors: the system's configuration cannot be read.
    pub fn new(server: Option<SocketAddr>) -> Result<Self, String> {
        let mut options = ResolverOpts::default();
        options.cache_size = 0;
        options.timeout = Duration::from_secs(5);
        options.attempts = 2;
        let builder = match server {
            Some(server) => {
                let connections = [ConnectionConfig::udp(), ConnectionConfig::tcp()]
                    .into_iter()
                    .map(|mut c| {
                        c.port = server.port();
                        c
                    })
                    .collect();
                let name_server = NameServerConfig::new(server.ip(), true, connections);
                TokioResolver::builder_with_config(
                    ResolverConfig::from_parts(None, vec![], vec![name_server]),
                    TokioRuntimeProvider::default(),
                )
            }
            None => TokioResolver::builder_tokio().map_err(|e| format!("reading the system's DNS settings: {e}"))?,
        };
        let resolver = builder.with_options(options).build().map_err(|e| e.to_string())?;
        Ok(DnsChecker { resolver })
    }

    /// Whether `hostname` has an address (A or AAAA, through CNAMEs) for a CA to connect to.
    ///
    /// Errors: `Missing` naming the host when it has none; `Lookup` when the lookup failed.
    pub async fn resolves(&self, hostname: &str) -> Result<(), CheckError> {
        let fqdn = format!("{}.", hostname.trim_end_matches('.'));
        match self.resolver.lookup_ip(fqdn.as_str()).await {
            Ok(found) if found.iter().next().is_some() => Ok(()),
            Ok(_) => Err(CheckError::NoAddress { hostname: hostname.to_string() }),
            Err(e) if e.is_no_records_found() || e.is_nx_domain() => {
                Err(CheckError::NoAddress { hostname: hostname.to_string() })
            }
            Err(e) => Err(CheckError::Lookup { record: hostname.to_string(), reason: lookup_reason(&e) }),
        }
    }

    /// Whether a TXT record at `record` holds `expected` (one record's strings joined, as
    /// RFC 7208 §3.3 reads split TXT values).
    ///
    /// Errors: [`CheckError`] saying what was found instead.
    pub async fn check(&self, record: &str, expected: &str) -> Result<(), CheckError> {
        let fqdn = format!("{}.", record.trim_end_matches('.'));
        let lookup = match self.resolver.txt_lookup(fqdn.as_str()).await {
            Ok(lookup) => lookup,
            Err(e) if e.is_no_records_found() || e.is_nx_domain() => {
                return Err(CheckError::Missing { record: record.to_string() });
            }
            Err(e) => {
                // The resolver's own words may name internal servers: they go to the log only.
                tracing::info!(%record, error = %e, "a TXT lookup failed");
                return Err(CheckError::Lookup { record: record.to_string(), reason: lookup_reason(&e) });
            }
        };
        let found: Vec<String> = lookup
            .answers()
            .iter()
            .filter_map(|answer| match &answer.data {
                RData::TXT(txt) => {
                    Some(txt.txt_data.iter().map(|part| String::from_utf8_lossy(part).into_owned()).collect())
                }
                _ => None,
            })
            .collect();
        if found.iter().any(|value| value == expected) {
            Ok(())
        } else if found.is_empty() {
            Err(CheckError::Missing { record: record.to_string() })
        } else {
            Err(CheckError::Mismatch { record: record.to_string(), found: found.len() })
        }
    }
}
