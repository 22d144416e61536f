//! The client's address as the edge's handlers see it.

use std::net::SocketAddr;

/// The client's address (`ConnectInfo<Peer>`): the TCP peer's, or the one a trusted proxy
/// gave (`shield::Trusted`). Its port is the TCP peer's.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);
