//! The HTTPS listener: TLS by rustls (certificates by SNI, `tls.rs`), then HTTP/2 or
//! HTTP/1.1 as ALPN chose, through hyper-util's auto builder, into the same router as plain
//! HTTP. Each request carries [`Secure`], so the router knows it came over TLS. A handshake
//! that does not finish in 10 s is dropped.

use crate::listener::Peer;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

/// Marks a request that arrived over TLS, with the name its handshake asked for (SNI).
#[derive(Debug, Clone)]
pub struct Secure {
    /// Lowercase; shared by every request of the connection.
    pub sni: Option<Arc<str>>,
}

/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `router` over TLS on `listener` until `stopped` turns true.
///
/// Errors: none: a failed handshake or connection ends that connection only.
pub async fn serve(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    router: axum::Router,
    mut stopped: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "accepting an HTTPS connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = async { let _ = stopped.wait_for(|stop| *stop).await; } => return Ok(()),
        };
        let _ = stream.set_nodelay(true);
        let (acceptor, router) = (acceptor.clone(), router.clone());
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => return,
            };
            let sni: Option<Arc<str>> = tls.get_ref().1.server_name().map(|name| name.to_ascii_lowercase().into());
            let service = router.map_request(move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(Peer(peer)));
                request.extensions_mut().insert(Secure { sni: sni.clone() });
                request
            });
            let served = auto::Builder::new(TokioExecutor::new())
                .serve_connection_with_upgrades(TokioIo::new(tls), TowerToHyperService::new(service))
                .await;
            if let Err(e) = served {
                tracing::debug!(%peer, error = %e, "HTTPS connection ended");
            }
        });
    }
}
