//! The edge serves the way nginx's workers do: one single-threaded runtime per core, each
//! accepting on its own socket bound to the same address (SO_REUSEPORT, the kernel spreads
//! connections). A request never crosses threads, so there is no work stealing and no
//! cross-thread wake-up per request; measured with scripts/bench-edge, see the README.

use crate::shield::Shield;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpSocket;
use tokio::sync::{oneshot, watch};

/// The edge's sockets, bound but not yet listening: the first to `address` (port 0 picks
/// one), the others to the address the first got.
pub struct EdgeSockets {
    pub address: SocketAddr,
    sockets: Vec<TcpSocket>,
}

/// Binds `workers` sockets (at least one) to `address` (`ip:port`).
///
/// Errors: `InvalidInput` for an address that is not `ip:port`; the bind's own error (in use,
/// not permitted) with the address in its message.
pub fn bind(address: &str, workers: usize) -> std::io::Result<EdgeSockets> {
    let context = |what: String| move |e: std::io::Error| std::io::Error::new(e.kind(), format!("{what}: {e}"));
    let wanted: SocketAddr = address.parse().map_err(|e| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("the edge address `{address}`: {e}"))
    })?;
    let first = reusable(wanted).map_err(context(format!("binding the edge to {address}")))?;
    let address = first.local_addr()?;
    let mut sockets = vec![first];
    for _ in 1..workers.max(1) {
        sockets.push(reusable(address).map_err(context(format!("binding another edge worker to {address}")))?);
    }
    Ok(EdgeSockets { address, sockets })
}

fn reusable(address: SocketAddr) -> std::io::Result<TcpSocket> {
    let socket = if address.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.set_nodelay(true)?;
    socket.bind(address)?;
    Ok(socket)
}

/// Serves `router` on every socket through `shield`, each on its own thread, until
/// `stopped` turns true. Resolves when all have stopped; the first error wins.
pub async fn serve(
    edge: EdgeSockets,
    shield: Arc<Shield>,
    router: axum::Router,
    stopped: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let mut finished = Vec::new();
    for (n, socket) in edge.sockets.into_iter().enumerate() {
        let (done, finish) = oneshot::channel();
        let (router, shield, stopped) = (router.clone(), shield.clone(), stopped.clone());
        std::thread::Builder::new().name(format!("edge-{n}")).spawn(move || {
            let served = tokio::runtime::Builder::new_current_thread().enable_all().build().map(|runtime| {
                runtime.block_on(async move {
                    let listener = socket.listen(1024)?;
                    crate::shield::serve(listener, shield, router, None, stopped).await
                })
            });
            let _ = done.send(served.and_then(|served| served));
        })?;
        finished.push(finish);
    }
    for finish in finished {
        finish.await.map_err(|_| std::io::Error::other("an edge worker thread died"))??;
    }
    Ok(())
}
