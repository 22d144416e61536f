//! Where a tenant may make CloudDeck connect. Every outbound connection a tenant can cause (a
//! build's network, a git fetch, later a proxy rewrite, a webhook, an upstream) is checked
//! against one `EgressPolicy`: loopback, private, link-local, shared, metadata and other
//! special-purpose addresses (the IANA special-purpose registries, RFC 6890) and every address
//! of the host itself are refused, unless the operator allows a range
//! (`CLOUDDECK_EGRESS_ALLOW`). Names are resolved first and every address they resolve to is
//! checked, so DNS cannot smuggle a private address in; callers then connect to the address
//! that was checked (never resolve twice), which defeats DNS rebinding.
//!
//! This crate decides and resolves; it does not connect.

mod ranges;
mod resolve;

pub use ranges::{DENIED_V4, DENIED_V6};
pub use resolve::{Destination, EgressError, resolve_url};

use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is refused: the range it falls in and that range's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{address} is a {reason} address, which tenants may not reach")]
pub struct Denied {
    pub address: IpAddr,
    /// The special-purpose range's name (`loopback`, `private (RFC 1918)`, …), or
    /// `this host's own` for an address of the host.
    pub reason: &'static str,
}

/// The rule: an address is refused when it is special-purpose or the host's own, unless an
/// operator's allowed range holds it.
#[derive(Debug, Clone, Default)]
pub struct EgressPolicy {
    /// Ranges the operator allows although they are special-purpose (for example a private
    /// package mirror, or loopback in tests).
    allowed: Vec<IpNet>,
    /// The host's own addresses (its interfaces): a public one reaches the host's services.
    host: Vec<IpAddr>,
}

impl EgressPolicy {
    /// The policy with `allowed` ranges open and nothing known of the host's addresses.
    pub fn new(allowed: Vec<IpNet>) -> Self {
        EgressPolicy { allowed, host: Vec::new() }
    }

    /// Adds the host's own addresses to what is refused.
    pub fn with_host_addresses(mut self, addresses: impl IntoIterator<Item = IpAddr>) -> Self {
        self.host.extend(addresses);
        self.host.sort();
        self.host.dedup();
        self
    }

    /// Parses `CLOUDDECK_EGRESS_ALLOW`: CIDR ranges or single addresses, comma-separated
    /// (`10.1.0.0/16, 127.0.0.1`). Errors name the entry that does not parse.
    pub fn parse_allowed(list: &str) -> Result<Vec<IpNet>, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{entry}` is not an address or a CIDR range"))
            })
            .collect()
    }

    /// The operator's allowed ranges.
    pub fn allowed(&self) -> &[IpNet] {
        &self.allowed
    }

    /// The host addresses refused besides the special-purpose ranges.
    pub fn host_addresses(&self) -> &[IpAddr] {
        &self.host
    }

    /// Whether a tenant may make CloudDeck connect to `address`.
    pub fn check(&self, address: IpAddr) -> Result<(), Denied> {
        let address = canonical(address);
        if self.allowed.iter().any(|range| range.contains(&address)) {
            return Ok(());
        }
        if let Some(reason) = ranges::special_purpose(address) {
            return Err(Denied { address, reason });
        }
        if self.host.iter().any(|own| canonical(*own) == address) {
            return Err(Denied { address, reason: "this host's own" });
        }
        Ok(())
    }
}

/// An IPv4 address carried in IPv6 (`::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4
/// `2002:aabb:ccdd::`) is judged as the IPv4 address it reaches.
pub fn canonical(address: IpAddr) -> IpAddr {
    let IpAddr::V6(v6) = address else { return address };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return IpAddr::V4(v4);
    }
    let s = v6.segments();
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return IpAddr::V4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
    }
    if s[0] == 0x2002 {
        return IpAddr::V4(Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8));
    }
    IpAddr::V6(v6)
}

/// The addresses of this host's interfaces, from the kernel (`/proc/net/fib_trie` for IPv4,
/// `/proc/net/if_inet6` for IPv6). Unreadable files give what could be read.
pub fn host_addresses() -> Vec<IpAddr> {
    let mut found = Vec::new();
    // fib_trie lists each local address as a line `|-- a.b.c.d` followed by `/32 host LOCAL`.
    if let Ok(trie) = std::fs::read_to_string("/proc/net/fib_trie") {
        let mut previous: Option<Ipv4Addr> = None;
        for line in trie.lines() {
            let line = line.trim();
            if let Some(address) = line.strip_prefix("|-- ") {
                previous = address.parse().ok();
            } else if line.contains("host LOCAL") {
                found.extend(previous.take().map(IpAddr::V4));
            }
        }
    }
    if let Ok(table) = std::fs::read_to_string("/proc/net/if_inet6") {
        for line in table.lines() {
            let Some(hex) = line.split_whitespace().next() else { continue };
            if let Ok(bits) = u128::from_str_radix(hex, 16) {
                found.push(IpAddr::V6(Ipv6Addr::from(bits)));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn special_purpose_addresses_are_refused_public_ones_pass() {
        let policy = EgressPolicy::default();
        for refused in [
            "127.0.0.1",
            "127.9.9.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.100.100.200",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:0001::",
        ] {
            assert!(policy.check(ip(refused)).is_err(), "{refused} should be refused");
        }
        for public in ["93.184.216.34", "104.16.0.35", "203.0.113.80", "2606:4700::6810:1", "172.32.0.1"] {
            assert_eq!(policy.check(ip(public)), Ok(()), "{public} should pass");
        }
    }

    #[test]
    fn the_hosts_own_addresses_are_refused_and_operators_can_open_ranges() {
        let policy = EgressPolicy::new(EgressPolicy::parse_allowed("127.0.0.1, 10.1.0.0/16").unwrap())
            .with_host_addresses([ip("93.184.216.34")]);
        assert_eq!(policy.check(ip("93.184.216.34")).unwrap_err().reason, "this host's own");
        assert_eq!(policy.check(ip("127.0.0.1")), Ok(()));
        assert!(policy.check(ip("127.0.0.2")).is_err());
        assert_eq!(policy.check(ip("10.1.200.3")), Ok(()));
        assert!(policy.check(ip("10.2.0.1")).is_err());
        assert!(EgressPolicy::parse_allowed("10.0.0.0/33").unwrap_err().contains("10.0.0.0/33"));
        assert!(EgressPolicy::parse_allowed("localhost").is_err());
    }

    #[test]
    fn the_host_has_a_loopback_address() {
        assert!(host_addresses().contains(&ip("127.0.0.1")), "{:?}", host_addresses());
    }
}
