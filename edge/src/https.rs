//! The HTTPS listener: TLS by rustls (certificates by SNI, `tls.rs`), then HTTP/2 or
//! HTTP/1.1 as ALPN chose, each by hyper's own connection for it, into the same router as plain
//! HTTP, through the same shield (`shield/`: the handshake's timeout among its limits). Each
//! request carries [`Secure`], so the router knows it came over TLS.

use crate::shield::Shield;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Marks a request that arrived over TLS, with the name its handshake asked for (SNI).
#[derive(Debug, Clone)]
pub struct Secure {
    /// Lowercase; shared by every request of the connection.
    pub sni: Option<Arc<str>>,
}

/// Serves `router` over TLS on `listener` through `shield` until `stopped` turns true.
///
/// Errors: none: a failed handshake or connection ends that connection only.
pub async fn serve(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    shield: Arc<Shield>,
    router: axum::Router,
    stopped: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    crate::shield::serve(listener, shield, router, Some(acceptor), stopped).await
}
