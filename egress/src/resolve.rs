//! Resolving a tenant's URL to the one address CloudDeck will connect to.

use crate::{Denied, EgressPolicy};
use std::net::{IpAddr, SocketAddr};

/// A URL's host, resolved and checked: connect to `address`, and to nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub scheme: String,
    /// The host as written in the URL (without brackets for IPv6).
    pub host: String,
    pub port: u16,
    /// The checked address to connect to.
    pub address: SocketAddr,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EgressError {
    #[error("`{0}` is not a URL")]
    NotAUrl(String),
    #[error("only {allowed} URLs are accepted here, not `{scheme}:`")]
    Scheme { scheme: String, allowed: &'static str },
    #[error("the URL names no host")]
    NoHost,
    #[error("the URL must not carry a user name or password; use the project's secrets")]
    Credentials,
    #[error("`{host}` does not resolve: {reason}")]
    Resolve { host: String, reason: String },
    #[error("`{host}` resolves to {denied}")]
    Denied { host: String, denied: Denied },
}

/// Checks `url` (http or https only), resolves its host, and refuses it if any address it
/// resolves to is refused by `policy` (a name with one private address among public ones is
/// refused whole: which one a client picks is not ours to know). Returns the first address.
pub async fn resolve_url(policy: &EgressPolicy, url: &str) -> Result<Destination, EgressError> {
    let parsed = url::Url::parse(url).map_err(|_| EgressError::NotAUrl(url.chars().take(200).collect()))?;
    let scheme = parsed.scheme().to_string();
    if scheme != "https" && scheme != "http" {
        return Err(EgressError::Scheme { scheme, allowed: "https:// and http://" });
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(EgressError::Credentials);
    }
    let host = match parsed.host() {
        Some(url::Host::Domain(name)) => name.to_string(),
        Some(url::Host::Ipv4(v4)) => v4.to_string(),
        Some(url::Host::Ipv6(v6)) => v6.to_string(),
        None => return Err(EgressError::NoHost),
    };
    let port = parsed.port_or_known_default().ok_or(EgressError::NoHost)?;
    let addresses: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| EgressError::Resolve { host: host.clone(), reason: e.to_string() })?
            .collect(),
    };
    let Some(first) = addresses.first().copied() else {
        return Err(EgressError::Resolve { host, reason: "no addresses".into() });
    };
    for address in &addresses {
        policy.check(address.ip()).map_err(|denied| EgressError::Denied { host: host.clone(), denied })?;
    }
    Ok(Destination { scheme, host, port, address: first })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn urls_to_internal_addresses_are_refused() {
        let policy = EgressPolicy::default();
        for (url, expected) in [
            ("http://127.0.0.1:5432/x", "loopback"),
            ("http://localhost:4000/graphql", "loopback"),
            ("https://169.254.169.254/latest/meta-data/", "metadata"),
            ("http://[::1]:80/", "loopback"),
            ("http://10.0.0.8/repo.git", "private"),
        ] {
            let error = resolve_url(&policy, url).await.unwrap_err();
            assert!(error.to_string().contains(expected), "{url}: {error}");
        }
        assert!(matches!(resolve_url(&policy, "file:///etc/passwd").await, Err(EgressError::Scheme { .. })));
        assert!(matches!(resolve_url(&policy, "ssh://git@example.com/x").await, Err(EgressError::Scheme { .. })));
        assert!(matches!(resolve_url(&policy, "https://u:p@example.com/x").await, Err(EgressError::Credentials)));
        assert!(matches!(resolve_url(&policy, "not a url").await, Err(EgressError::NotAUrl(_))));
    }

    #[tokio::test]
    async fn an_allowed_range_opens_loopback() {
        let policy = EgressPolicy::new(EgressPolicy::parse_allowed("127.0.0.0/8").unwrap());
        let found = resolve_url(&policy, "http://127.0.0.1:9418/repo").await.unwrap();
        assert_eq!(found.address, "127.0.0.1:9418".parse().unwrap());
        assert_eq!(found.host, "127.0.0.1");
    }
}
