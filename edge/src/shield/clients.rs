//! Per-client accounting: connections held now, and token buckets for new connections and
//! requests, keyed by [`ClientKey`]. Shared by every worker thread of the edge.

use super::limits::Limits;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

/// Who a limit counts against: an IPv4 address, or an IPv6 address's /64 (one subscriber's
/// network hands out a whole /64, so the address alone would give one client 2^64 buckets).
/// An IPv4-mapped IPv6 address counts as its IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    pub fn of(address: IpAddr) -> Self {
        match address {
            IpAddr::V4(v4) => ClientKey(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    ClientKey(IpAddr::V6(prefix.into()))
                }
            },
        }
    }
}

/// Why a client was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// It holds `connections_per_client` connections already.
    TooManyConnections,
    /// It opens connections faster than `connection_rate`.
    ConnectionRate,
}

pub struct Clients {
    held: Mutex<HashMap<ClientKey, u32>>,
    per_client: u32,
    in_flight: Mutex<HashMap<ClientKey, u32>>,
    in_flight_per_client: u32,
    connections: DefaultKeyedRateLimiter<ClientKey>,
    requests: DefaultKeyedRateLimiter<ClientKey>,
    clock: DefaultClock,
}

fn quota(rate: u32, burst: u32) -> Quota {
    let rate = NonZeroU32::new(rate).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(rate).allow_burst(NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl Clients {
    pub fn new(limits: &Limits) -> Self {
        Clients {
            held: Mutex::default(),
            per_client: limits.connections_per_client.max(1),
            in_flight: Mutex::default(),
            in_flight_per_client: limits.requests_in_flight_per_client.max(1),
            connections: RateLimiter::keyed(quota(limits.connection_rate, limits.connection_burst)),
            requests: RateLimiter::keyed(quota(limits.request_rate, limits.request_burst)),
            clock: DefaultClock::default(),
        }
    }

    /// Takes a connection for `client`, or says why not. A taken connection must be given
    /// back with [`Clients::release`] once.
    pub fn connect(&self, client: ClientKey) -> Result<(), Refused> {
        let mut held = self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = held.entry(client).or_insert(0);
        if *count >= self.per_client {
            return Err(Refused::TooManyConnections);
        }
        if self.connections.check_key(&client).is_err() {
            if *count == 0 {
                held.remove(&client);
            }
            return Err(Refused::ConnectionRate);
        }
        *count += 1;
        Ok(())
    }

    /// Gives back a connection [`Clients::connect`] took.
    pub fn release(&self, client: ClientKey) {
        let mut held = self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = held.get_mut(&client) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                held.remove(&client);
            }
        }
    }

    /// Takes one request's token for `client`; when there is none, how long until there is
    /// (for `Retry-After`).
    pub fn request(&self, client: ClientKey) -> Result<(), Duration> {
        self.requests.check_key(&client).map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Takes a place for one request of `client` in flight: false when it has
    /// `requests_in_flight_per_client` already. A place taken must be given back with
    /// [`Clients::request_done`] once.
    pub fn request_begins(&self, client: ClientKey) -> bool {
        self.request_begins_within(client, self.in_flight_per_client)
    }

    /// [`Clients::request_begins`] with a lower bound for this request (`at_most`, the
    /// client's own bound when lower).
    pub fn request_begins_within(&self, client: ClientKey, at_most: u32) -> bool {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = in_flight.entry(client).or_insert(0);
        if *count >= at_most.min(self.in_flight_per_client) {
            if *count == 0 {
                in_flight.remove(&client);
            }
            return false;
        }
        *count += 1;
        true
    }

    /// Gives back a place [`Clients::request_begins`] took.
    pub fn request_done(&self, client: ClientKey) {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = in_flight.get_mut(&client) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                in_flight.remove(&client);
            }
        }
    }

    /// Forgets the buckets of clients that have not been seen for as long as a full bucket
    /// takes to refill (a full bucket is what a new client gets anyway): the memory held is
    /// bounded by the clients of the last few seconds.
    pub fn forget_idle(&self) {
        for limiter in [&self.connections, &self.requests] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Clients with connections now, and buckets kept.
    pub fn sizes(&self) -> (usize, usize) {
        let held = self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len();
        (held, self.connections.len() + self.requests.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_is_its_64_and_a_mapped_ipv4_is_the_ipv4() {
        let a = ClientKey::of("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = ClientKey::of("2001:db8:1:2:ffff::9".parse().unwrap());
        let c = ClientKey::of("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(ClientKey::of("::ffff:192.0.2.7".parse().unwrap()), ClientKey::of("192.0.2.7".parse().unwrap()));
    }

    #[test]
    fn connections_are_counted_per_client_and_given_back() {
        let limits =
            Limits { connections_per_client: 2, connection_rate: 1000, connection_burst: 1000, ..Limits::default() };
        let clients = Clients::new(&limits);
        let (one, two) = (ClientKey::of("192.0.2.1".parse().unwrap()), ClientKey::of("192.0.2.2".parse().unwrap()));
        assert_eq!(clients.connect(one), Ok(()));
        assert_eq!(clients.connect(one), Ok(()));
        assert_eq!(clients.connect(one), Err(Refused::TooManyConnections));
        assert_eq!(clients.connect(two), Ok(()), "another client is not affected");
        clients.release(one);
        assert_eq!(clients.connect(one), Ok(()));
        clients.release(one);
        clients.release(one);
        clients.release(two);
        assert_eq!(clients.sizes().0, 0, "no entry kept for a client with no connection");
    }

    #[test]
    fn a_client_past_its_request_rate_is_told_when_to_come_back() {
        let limits = Limits { request_rate: 10, request_burst: 3, ..Limits::default() };
        let clients = Clients::new(&limits);
        let one = ClientKey::of("192.0.2.1".parse().unwrap());
        for _ in 0..3 {
            assert_eq!(clients.request(one), Ok(()));
        }
        let wait = clients.request(one).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(100), "{wait:?}");
        assert_eq!(clients.request(ClientKey::of("192.0.2.2".parse().unwrap())), Ok(()));
    }

    #[test]
    fn requests_in_flight_are_counted_per_client_and_given_back() {
        let limits = Limits { requests_in_flight_per_client: 2, ..Limits::default() };
        let clients = Clients::new(&limits);
        let one = ClientKey::of("192.0.2.1".parse().unwrap());
        assert!(clients.request_begins(one));
        assert!(clients.request_begins(one));
        assert!(!clients.request_begins(one));
        assert!(clients.request_begins(ClientKey::of("192.0.2.2".parse().unwrap())));
        clients.request_done(one);
        assert!(clients.request_begins(one));
    }

    #[test]
    fn new_connections_are_rate_limited() {
        let limits = Limits { connection_rate: 1, connection_burst: 2, ..Limits::default() };
        let clients = Clients::new(&limits);
        let one = ClientKey::of("192.0.2.1".parse().unwrap());
        assert_eq!(clients.connect(one), Ok(()));
        assert_eq!(clients.connect(one), Ok(()));
        assert_eq!(clients.connect(one), Err(Refused::ConnectionRate));
        assert_eq!(clients.sizes().0, 1, "the refused one holds nothing");
    }
}
