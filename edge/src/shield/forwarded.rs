//! The client's address behind a load balancer or CDN: taken from `X-Forwarded-For` or a
//! PROXY protocol header (HAProxy's spec, versions 1 and 2:
//! <https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt>) only when the connection
//! comes from an address the operator trusts; from anyone else both are ignored, so a client
//! cannot choose the address its limits count against.

use ipnet::IpNet;
use ppp::{HeaderResult, PartialResult};
use std::net::{IpAddr, SocketAddr};
use tokio::io::{AsyncRead, AsyncReadExt};

/// The operator's trusted proxies (`CLOUDDECK_EDGE_TRUSTED_PROXIES`), and whether they
/// speak the PROXY protocol (`CLOUDDECK_EDGE_PROXY_PROTOCOL`).
#[derive(Debug, Clone, Default)]
pub struct Trusted {
    ranges: Vec<IpNet>,
    pub proxy_protocol: bool,
}

/// The longest PROXY header read: a version 2 header's fixed part and addresses, with room
/// for the TLVs proxies add (AWS and Azure add tens of bytes).
const PROXY_HEADER_AT_MOST: usize = 4096;

impl Trusted {
    /// `list`: addresses or CIDR ranges, comma-separated (`10.0.0.0/8,192.0.2.7`); empty:
    /// none.
    ///
    /// Errors: an entry that is neither, named.
    pub fn parse(list: &str, proxy_protocol: bool) -> Result<Self, String> {
        let mut ranges = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let range = match entry.parse::<IpNet>() {
                Ok(range) => range,
                Err(_) => entry
                    .parse::<IpAddr>()
                    .map(IpNet::from)
                    .map_err(|_| format!("`{entry}` is not an IP address or a CIDR range"))?,
            };
            ranges.push(range);
        }
        if proxy_protocol && ranges.is_empty() {
            return Err("the PROXY protocol is read only from trusted proxies: name them too".into());
        }
        Ok(Trusted { ranges, proxy_protocol })
    }

    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.ranges.iter().any(|range| range.contains(&address))
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The client a request is from. From an untrusted `peer`: the peer. From a trusted
    /// one: `X-Forwarded-For` read right to left (each proxy appends the address it got the
    /// request from, so only entries right of the last untrusted one can be believed), the
    /// first hop that is not a trusted proxy; entries left of it are never read, so a client
    /// cannot spoil the list by sending its own. A hop that cannot be read (`unknown`,
    /// garbage) before an untrusted one is found: the request counts against the proxy
    /// itself (limits fail closed). No header, or only trusted hops: the proxy's own request,
    /// not limited. Hops may carry a port (`192.0.2.7:4711`, `[2001:db8::7]:443`).
    pub fn client<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a [u8]>) -> ClientOf {
        let counted = |address| ClientOf { address, exempt: false };
        if !self.trusts(peer) {
            return counted(peer);
        }
        let lines: Vec<&[u8]> = forwarded_for.collect();
        let mut leftmost = None;
        // Split the raw bytes and decode only the hop looked at: a client's own junk left of
        // what the proxy appended (even bytes that are not UTF-8) is never read.
        for hop in lines.iter().rev().flat_map(|line| line.rsplit(|b| *b == b',')) {
            let hop = std::str::from_utf8(hop).ok().map(str::trim);
            match hop.and_then(hop_address) {
                Some(address) if self.trusts(address) => leftmost = Some(address),
                Some(address) => return counted(address),
                None => return counted(peer),
            }
        }
        ClientOf { address: leftmost.unwrap_or(peer), exempt: true }
    }
}

/// Who a request is counted as: an address, and whether it is exempt from request limits (a
/// trusted proxy's own request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOf {
    pub address: IpAddr,
    pub exempt: bool,
}

/// One `X-Forwarded-For` hop: an address, with or without a port.
fn hop_address(hop: &str) -> Option<IpAddr> {
    if let Ok(address) = hop.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = hop.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    hop.strip_prefix('[').and_then(|h| h.strip_suffix(']')).and_then(|h| h.parse::<IpAddr>().ok())
}

/// An IPv4-mapped IPv6 address as IPv4 (a dual-stack socket reports IPv4 peers so).
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// Reads a PROXY protocol header (v1 or v2) from the start of `stream`: the client's
/// address it carries (none for `UNKNOWN` / `LOCAL`: the proxy's own connection, e.g. a
/// health check) and the bytes read past it.
///
/// Errors: the stream ended or failed, or its first bytes are not a PROXY header (a
/// trusted proxy that should speak it does not; the connection is dropped).
pub async fn read_proxy_header<S: AsyncRead + Unpin>(stream: &mut S) -> Result<(Option<SocketAddr>, Vec<u8>), String> {
    let mut buffer = Vec::with_capacity(256);
    let mut chunk = [0u8; 512];
    loop {
        let n = stream.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("the connection ended inside its PROXY header".into());
        }
        buffer.extend_from_slice(&chunk[..n]);
        let parsed = HeaderResult::parse(&buffer);
        if parsed.is_incomplete() {
            if buffer.len() > PROXY_HEADER_AT_MOST {
                return Err("a PROXY header longer than 4 KiB".into());
            }
            continue;
        }
        let (source, length) = match parsed {
            HeaderResult::V1(Ok(header)) => {
                let source = match header.addresses {
                    ppp::v1::Addresses::Tcp4(a) => Some(SocketAddr::new(a.source_address.into(), a.source_port)),
                    ppp::v1::Addresses::Tcp6(a) => Some(SocketAddr::new(a.source_address.into(), a.source_port)),
                    ppp::v1::Addresses::Unknown => None,
                };
                (source, header.header.len())
            }
            HeaderResult::V2(Ok(header)) => {
                let source = match (header.command, header.addresses) {
                    (ppp::v2::Command::Local, _) => None,
                    (_, ppp::v2::Addresses::IPv4(a)) => Some(SocketAddr::new(a.source_address.into(), a.source_port)),
                    (_, ppp::v2::Addresses::IPv6(a)) => Some(SocketAddr::new(a.source_address.into(), a.source_port)),
                    _ => None,
                };
                (source, header.len())
            }
            HeaderResult::V1(Err(e)) => return Err(format!("not a PROXY header: {e:?}")),
            HeaderResult::V2(Err(e)) => return Err(format!("not a PROXY header: {e:?}")),
        };
        return Ok((source, buffer.split_off(length)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies_and_read_right_to_left() {
        let trusted = Trusted::parse("10.0.0.0/8, 192.0.2.7", false).unwrap();
        let xff = |v: &'static str| std::iter::once(v.as_bytes());
        let counted = |a: &str| ClientOf { address: ip(a), exempt: false };
        // an untrusted peer's header is ignored
        assert_eq!(trusted.client(ip("198.51.100.1"), xff("203.0.113.9")), counted("198.51.100.1"));
        // a trusted peer: the right-most untrusted hop, not a forged left-most one
        assert_eq!(trusted.client(ip("10.1.2.3"), xff("1.1.1.1, 203.0.113.9")), counted("203.0.113.9"));
        assert_eq!(trusted.client(ip("10.1.2.3"), xff("203.0.113.9, 10.9.9.9, 192.0.2.7")), counted("203.0.113.9"));
        // garbage left of the client is never read; ports are allowed
        assert_eq!(trusted.client(ip("10.1.2.3"), xff("bogus, 203.0.113.8")), counted("203.0.113.8"));
        assert_eq!(trusted.client(ip("10.1.2.3"), xff("203.0.113.9:4444")), counted("203.0.113.9"));
        assert_eq!(trusted.client(ip("10.1.2.3"), xff("[2001:db8::1]:443")), counted("2001:db8::1"));
        // unreadable before any client: counted against the proxy itself, never exempt
        assert_eq!(trusted.client(ip("10.1.2.3"), xff("unknown")), counted("10.1.2.3"));
        assert_eq!(trusted.client(ip("10.1.2.3"), xff("203.0.113.10, nonsense")), counted("10.1.2.3"));
        assert_eq!(trusted.client(ip("10.1.2.3"), std::iter::once(&[0xff_u8][..])), counted("10.1.2.3"));
        let junk_then_client = b"\xff, 203.0.113.70";
        assert_eq!(trusted.client(ip("10.1.2.3"), std::iter::once(&junk_then_client[..])), counted("203.0.113.70"));
        // only proxies, or no header: the proxy's own request
        let exempt = |a: &str| ClientOf { address: ip(a), exempt: true };
        assert_eq!(trusted.client(ip("10.1.2.3"), xff("10.0.0.5, 10.0.0.6")), exempt("10.0.0.5"));
        assert_eq!(trusted.client(ip("10.1.2.3"), std::iter::empty()), exempt("10.1.2.3"));
        // two header lines are one list, the last line right-most
        let lines = [b"203.0.113.9".as_slice(), b"10.0.0.5".as_slice()];
        assert_eq!(trusted.client(ip("10.1.2.3"), lines.into_iter()), counted("203.0.113.9"));
        assert!(trusted.trusts(ip("::ffff:10.0.0.1")), "an IPv4-mapped peer is its IPv4 address");
    }

    #[test]
    fn settings_are_checked() {
        assert!(Trusted::parse("", false).unwrap().is_empty());
        assert!(Trusted::parse("10.0.0.0/33", false).unwrap_err().contains("10.0.0.0/33"));
        assert!(Trusted::parse("", true).is_err(), "the PROXY protocol from anyone would let anyone say who they are");
    }

    #[tokio::test]
    async fn proxy_headers_of_both_versions_give_the_client_and_keep_what_follows() {
        let mut v1: &[u8] = b"PROXY TCP4 203.0.113.9 192.0.2.1 51000 80\r\nGET / HTTP/1.1\r\n";
        let (source, rest) = read_proxy_header(&mut v1).await.unwrap();
        assert_eq!(source, Some("203.0.113.9:51000".parse().unwrap()));
        assert_eq!(rest, b"GET / HTTP/1.1\r\n");

        let mut v2 = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
        v2.extend([0x21, 0x11, 0, 12, 203, 0, 113, 9, 192, 0, 2, 1, 0xC7, 0x38, 0, 80]);
        v2.extend(b"\x16\x03\x01");
        let (source, rest) = read_proxy_header(&mut v2.as_slice()).await.unwrap();
        assert_eq!(source, Some("203.0.113.9:51000".parse().unwrap()));
        assert_eq!(rest, b"\x16\x03\x01");

        let mut unknown: &[u8] = b"PROXY UNKNOWN\r\n";
        assert_eq!(read_proxy_header(&mut unknown).await.unwrap(), (None, Vec::new()));
        let mut http: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        assert!(read_proxy_header(&mut http).await.is_err());
    }
}
