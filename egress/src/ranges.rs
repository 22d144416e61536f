//! The special-purpose ranges tenants may not reach, with their names: the IANA IPv4 and IPv6
//! Special-Purpose Address Registries (RFC 6890 and its updates), less the documentation
//! ranges (they route like any public address on some networks) and plus the cloud
//! metadata endpoints, which fall inside link-local and shared space.

use std::net::IpAddr;

/// IPv4 ranges refused, `(network, prefix length, name)`.
pub const DENIED_V4: &[([u8; 4], u8, &str)] = &[
    ([0, 0, 0, 0], 8, "\"this network\" (RFC 791)"),
    ([10, 0, 0, 0], 8, "private (RFC 1918)"),
    ([100, 64, 0, 0], 10, "shared address space (RFC 6598)"),
    ([127, 0, 0, 0], 8, "loopback (RFC 1122)"),
    // 169.254.169.254 is the metadata service of AWS, GCP, Azure and others.
    ([169, 254, 0, 0], 16, "link-local or metadata (RFC 3927)"),
    ([172, 16, 0, 0], 12, "private (RFC 1918)"),
    ([192, 0, 0, 0], 24, "IETF protocol assignment (RFC 6890)"),
    ([192, 168, 0, 0], 16, "private (RFC 1918)"),
    ([198, 18, 0, 0], 15, "benchmarking (RFC 2544)"),
    ([224, 0, 0, 0], 4, "multicast (RFC 5771)"),
    ([240, 0, 0, 0], 4, "reserved (RFC 1112)"),
];

/// IPv6 ranges refused, `(network, prefix length, name)`; IPv4 carried in IPv6 is judged as
/// IPv4 before these are looked at.
pub const DENIED_V6: &[(u128, u8, &str)] = &[
    (0, 128, "unspecified (RFC 4291)"),
    (1, 128, "loopback (RFC 4291)"),
    (0x0100_0000_0000_0000_0000_0000_0000_0000, 64, "discard-only (RFC 6666)"),
    // fd00:ec2::254 (AWS's IPv6 metadata) is unique-local.
    (0xfc00_0000_0000_0000_0000_0000_0000_0000, 7, "unique-local (RFC 4193)"),
    (0xfe80_0000_0000_0000_0000_0000_0000_0000, 10, "link-local (RFC 4291)"),
    (0xfec0_0000_0000_0000_0000_0000_0000_0000, 10, "site-local (RFC 3879)"),
    (0xff00_0000_0000_0000_0000_0000_0000_0000, 8, "multicast (RFC 4291)"),
];

/// The name of the special-purpose range holding `address`, if any.
pub fn special_purpose(address: IpAddr) -> Option<&'static str> {
    match address {
        IpAddr::V4(v4) => {
            let bits = u128::from(u32::from(v4));
            let found =
                DENIED_V4.iter().find(|(net, len, _)| within(bits, u128::from(u32::from_be_bytes(*net)), *len, 32));
            found.map(|(_, _, name)| *name)
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            DENIED_V6.iter().find(|(net, len, _)| within(bits, *net, *len, 128)).map(|(_, _, name)| *name)
        }
    }
}

fn within(address: u128, network: u128, prefix: u8, width: u8) -> bool {
    let host_bits = u32::from(width - prefix);
    if host_bits >= 128 {
        return true;
    }
    (address >> host_bits) == (network >> host_bits)
}
