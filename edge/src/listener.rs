//! The edge's TCP listener for axum: sets TCP_NODELAY on each connection and hands hyper the
//! bare stream. (axum's `tap_io` wrapper hides the stream's vectored writes, so hyper would
//! copy every body into its header buffer.) Without TCP_NODELAY a response's head and body
//! go out as separate writes and Nagle's algorithm holds the body for the delayed ACK.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

pub struct NoDelay(pub TcpListener);

impl axum::serve::Listener for NoDelay {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            match self.0.accept().await {
                Ok((stream, peer)) => {
                    // Small answers go out at once rather than waiting on Nagle's algorithm.
                    if let Err(e) = stream.set_nodelay(true) {
                        tracing::warn!(error = %e, "TCP_NODELAY");
                    }
                    return (stream, peer);
                }
                // Out of file descriptors or the like: wait rather than spin.
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// The client's address, as the edge's handlers see it (`ConnectInfo<Peer>`).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, NoDelay>> for Peer {
    fn connect_info(stream: axum::serve::IncomingStream<'_, NoDelay>) -> Self {
        Peer(*stream.remote_addr())
    }
}
