//! One listener's accept loop and each connection's life through the shield: the PROXY
//! header (from trusted proxies that speak it), admission (client limits, the cap), the TLS
//! handshake within its timeout, then HTTP/1.1 or HTTP/2 through hyper with every request
//! counted (rate, in flight, cancelled) and the connection watched for its deadlines.

use super::io::{Prefixed, Watched};
use super::{Closing, Connection, Reason, Shield, read_proxy_header};
use crate::https::Secure;
use crate::listener::Peer;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Sleep;
use tower::ServiceExt;

/// The edge's own health answer, on every host and listener, before any site's routes and
/// limits (Netlify reserves `/.netlify/` on every site in the same way).
pub const HEALTH_PATH: &str = "/.clouddeck/health";
/// Where ACME's HTTP-01 challenges are asked for (RFC 8555 §8.3): a reserve connection may
/// ask for them (the router answers only a pending one).
const ACME_CHALLENGE_PATH: &str = "/.well-known/acme-challenge/";
/// How long a connection closed gracefully (idle, evicted) may take to finish.
const GRACE: Duration = Duration::from_secs(5);

/// Accepts on `listener` until `stopped`, each connection on its own task through the
/// shield; over TLS when `tls` is given.
///
/// Errors: none: a failed accept (out of descriptors) is retried after 100 ms.
pub async fn serve(
    listener: TcpListener,
    shield: Arc<Shield>,
    router: axum::Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut stopped: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let mut last_warned = None;
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    tokio::spawn(connection(shield.clone(), stream, peer, router.clone(), tls.clone()));
                }
                // Out of file descriptors or the like: wait rather than spin, and say so
                // once in 10 s, not ten times a second.
                Err(e) => {
                    if last_warned.is_none_or(|at: std::time::Instant| at.elapsed() > Duration::from_secs(10)) {
                        tracing::warn!(error = %e, "accepting a connection (said at most once in 10 s)");
                        last_warned = Some(std::time::Instant::now());
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            // (the guard `wait_for` returns is not Send: dropped inside)
            _ = async { let _ = stopped.wait_for(|stop| *stop).await; } => return Ok(()),
        }
    }
}

async fn connection(
    shield: Arc<Shield>,
    mut stream: TcpStream,
    peer: SocketAddr,
    router: axum::Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    // Small answers go out at once rather than waiting on Nagle's algorithm.
    let _ = stream.set_nodelay(true);
    let (client, prefix) = if shield.trusted.proxy_protocol && shield.trusted.trusts(peer.ip()) {
        match tokio::time::timeout(shield.limits.head_timeout, read_proxy_header(&mut stream)).await {
            Ok(Ok((source, rest))) => (source.unwrap_or(peer), rest),
            Ok(Err(reason)) => {
                tracing::debug!(%peer, %reason, "a trusted proxy's connection without a PROXY header");
                shield.blocked.count(Reason::ProxyHeader, super::ClientKey::of(peer.ip()));
                return;
            }
            Err(_) => {
                shield.blocked.count(Reason::HeadTimeout, super::ClientKey::of(peer.ip()));
                return;
            }
        }
    } else {
        (peer, Vec::new())
    };
    let Some(admitted) = shield.admit(client.ip()) else { return };
    let connection = admitted.connection.clone();
    let io = Watched::new(Prefixed::new(prefix, stream), connection.clone(), shield.limits.send_timeout);
    let send_timed_out = io.timed_out.clone();
    match tls {
        None => http(&shield, &connection, TokioIo::new(io), client, None, router).await,
        Some(acceptor) => match tokio::select! {
            handshake = tokio::time::timeout(shield.limits.tls_handshake_timeout, acceptor.accept(io)) => handshake,
            // Evicted (or past its head deadline) while still shaking hands: dropped now.
            _ = connection.watch(&shield.limits) => return,
        } {
            Ok(Ok(tls)) => {
                let session = tls.get_ref().1;
                let sni: Option<Arc<str>> = session.server_name().map(|name| name.to_ascii_lowercase().into());
                let h2 = session.alpn_protocol() == Some(b"h2");
                http(&shield, &connection, TokioIo::new(tls), client, Some((Secure { sni }, h2)), router).await;
            }
            Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
            Err(_) => shield.blocked.count(Reason::TlsHandshakeTimeout, connection.client),
        },
    }
    if send_timed_out.load(std::sync::atomic::Ordering::Relaxed) {
        shield.blocked.count(Reason::SendTimeout, connection.client);
    }
    drop(admitted);
}

/// Serves HTTP on `io` until the client or a deadline ends it.
async fn http<I>(
    shield: &Arc<Shield>,
    connection: &Arc<Connection>,
    io: TokioIo<I>,
    client: SocketAddr,
    secure: Option<(Secure, bool)>,
    router: axum::Router,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let h2 = secure.as_ref().is_some_and(|(_, h2)| *h2);
    connection.serving(h2);
    let secure = secure.map(|(secure, _)| secure);
    let service = {
        let (shield, connection) = (shield.clone(), connection.clone());
        hyper::service::service_fn(move |request: Request<Incoming>| {
            let answer = answer(shield.clone(), connection.clone(), router.clone(), request, client, secure.clone());
            async move { Ok::<_, Infallible>(answer.await) }
        })
    };
    // The protocol ALPN chose, and only it (an h2 connection that speaks HTTP/1.1 would
    // escape the head clock); plain HTTP stays HTTP/1.1 (no h2c). Each protocol's own
    // connection, without upgrades: the edge proxies none (proxy.rs drops `Upgrade` as
    // hop-by-hop), and hyper-util's auto connection would sniff the first bytes again.
    if h2 {
        let mut builder = http2::Builder::new(TokioExecutor::new());
        builder
            .timer(TokioTimer::new())
            .max_concurrent_streams(shield.limits.h2_max_streams)
            // Resets before the server has accepted a stream (h2's own rapid-reset guard);
            // cancellations after are counted per connection by `Started`.
            .max_pending_accept_reset_streams(Some(20))
            .keep_alive_interval(Some(Duration::from_secs(20)))
            .keep_alive_timeout(Duration::from_secs(20));
        watched(shield, connection, builder.serve_connection(io, service)).await;
    } else {
        let mut builder = http1::Builder::new();
        // hyper's own header timeout also runs while a keep-alive connection waits: the
        // connection's watch times heads and idleness apart instead.
        builder.timer(TokioTimer::new()).header_read_timeout(None);
        watched(shield, connection, builder.serve_connection(io, service)).await;
    }
}

/// A connection hyper serves, which can be asked to finish what it has begun and close.
trait Graceful: std::future::Future<Output = hyper::Result<()>> {
    fn graceful_shutdown(self: Pin<&mut Self>);
}

impl<I, S, B> Graceful for http1::Connection<I, S>
where
    S: hyper::service::HttpService<Incoming, ResBody = B>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
    B: Body + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        http1::Connection::graceful_shutdown(self)
    }
}

impl<I, S, B, E> Graceful for http2::Connection<I, S, E>
where
    S: hyper::service::HttpService<Incoming, ResBody = B>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
    B: Body + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    E: hyper::rt::bounds::Http2ServerConnExec<S::Future, B>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        http2::Connection::graceful_shutdown(self)
    }
}

/// Drives `served` until the client or one of the connection's deadlines ends it, counting
/// what the shield blocked.
async fn watched(shield: &Shield, connection: &Connection, served: impl Graceful) {
    tokio::pin!(served);
    tokio::select! {
        served = served.as_mut() => {
            if let Err(e) = served && calmed(&e) {
                shield.blocked.count(Reason::StreamResets, connection.client);
            }
        }
        why = connection.watch(&shield.limits) => {
            match why {
                Closing::HeadTimeout => shield.blocked.count(Reason::HeadTimeout, connection.client),
                Closing::StreamResets => shield.blocked.count(Reason::StreamResets, connection.client),
                Closing::Stalled => shield.blocked.count(Reason::SendTimeout, connection.client),
                Closing::Idle | Closing::Evicted => {}
            }
            if why.graceful() {
                served.as_mut().graceful_shutdown();
                let _ = tokio::time::timeout(GRACE, served).await;
            }
        }
    }
}

/// Whether h2 ended the connection for a flood of resets or errors it answered with
/// GOAWAY(ENHANCE_YOUR_CALM) (its guard against CVE-2023-44487 and CVE-2019-9514).
fn calmed(error: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(error), |e| e.source())
        .filter_map(|e| e.downcast_ref::<h2::Error>())
        .any(|e| e.reason() == Some(h2::Reason::ENHANCE_YOUR_CALM))
}

/// Marks a request that came on a reserve connection (past the connection cap): the router
/// answers it only with a pending ACME challenge's key authorization, else 503.
#[derive(Debug, Clone, Copy)]
pub struct ReserveOnly;

/// 503 for what a reserve connection may not ask, with `Retry-After` and `Connection: close`.
pub fn overloaded<B: From<&'static str>>() -> Response<B> {
    let mut response = Response::new(B::from("503: the edge is at its connection limit\n"));
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// One request through the shield's per-request checks, then the router. Every request,
/// answered here or by the router, is in flight until its answer is sent (so a keep-alive
/// health check is not a slow head).
async fn answer(
    shield: Arc<Shield>,
    connection: Arc<Connection>,
    router: axum::Router,
    mut request: Request<Incoming>,
    peer: SocketAddr,
    secure: Option<Secure>,
) -> Response<Tracked> {
    let started = Started::new(connection.clone(), shield.limits.h2_resets);
    let path = request.uri().path();
    if path == HEALTH_PATH {
        return plain(StatusCode::OK, "ok\n", &connection, started);
    }
    let forwarded = request.headers().get_all("x-forwarded-for").iter().map(HeaderValue::as_bytes);
    let client = shield.trusted.client(peer.ip(), forwarded);
    if connection.reserve {
        if !path.starts_with(ACME_CHALLENGE_PATH) {
            shield.blocked.count(Reason::Overload, connection.client);
            return overloaded::<axum::body::Body>().map(|body| tracked(body, &connection, started));
        }
        request.extensions_mut().insert(ReserveOnly);
    } else if let Err(wait) = shield.request(client) {
        shield.blocked.count(Reason::RequestRate, super::ClientKey::of(client.address));
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut response =
            plain(StatusCode::TOO_MANY_REQUESTS, "429: too many requests from your address\n", &connection, started);
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        return response;
    }
    // (a reserve connection's request is answered from memory: it holds no file)
    let (started, place) = if connection.reserve {
        (started, None)
    } else {
        let Some(in_flight) = shield.in_flight(client) else {
            shield.blocked.count(Reason::RequestsInFlight, super::ClientKey::of(client.address));
            let too_many = "429: too many requests in flight\n";
            let mut response = plain(StatusCode::TOO_MANY_REQUESTS, too_many, &connection, started);
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return response;
        };
        // Held by the answer and by the request's body alike: a proxy rule may still stream
        // the body upstream after the answer is sent.
        let place = Arc::new(in_flight);
        (started.holding(place.clone()), Some(place))
    };
    let client = client.address;
    request.extensions_mut().insert(ConnectInfo(Peer(SocketAddr::new(client, peer.port()))));
    if let Some(secure) = secure {
        request.extensions_mut().insert(secure);
    }
    let body_timeout = shield.limits.body_timeout;
    let request = request.map(|body| {
        axum::body::Body::new(TimedBody {
            inner: body,
            timeout: body_timeout,
            stalled: None,
            shield,
            client,
            _place: place,
        })
    });
    let response = match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    response.map(|body| tracked(body, &connection, started))
}

/// An answer's body, in flight on `connection` until sent, its progress watched.
fn tracked(body: axum::body::Body, connection: &Connection, started: Started) -> Tracked {
    Tracked { inner: Some(body), progress: Some(connection.answer_started()), _started: Some(started.answered()) }
}

fn plain(status: StatusCode, text: &'static str, connection: &Connection, started: Started) -> Response<Tracked> {
    let mut response = Response::new(tracked(axum::body::Body::from(text), connection, started));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A request in flight on its connection until its answer's body is sent or dropped;
/// dropped before it is answered, it counts as cancelled.
struct Started {
    connection: Arc<Connection>,
    reset_limit: u32,
    answered: bool,
    /// Its place among the client's and the edge's requests in flight.
    _in_flight: Option<Arc<super::InFlight>>,
}

impl Started {
    fn new(connection: Arc<Connection>, reset_limit: u32) -> Self {
        connection.request_started();
        Started { connection, reset_limit, answered: false, _in_flight: None }
    }

    fn holding(mut self, in_flight: Arc<super::InFlight>) -> Self {
        self._in_flight = Some(in_flight);
        self
    }

    fn answered(mut self) -> Self {
        self.answered = true;
        self
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        self.connection.request_ended(!self.answered, self.reset_limit);
    }
}

/// An answer's body, holding its request in flight until it is sent; each frame it gives
/// moves its progress stamp (the connection's watch closes it when that stalls).
pub struct Tracked {
    inner: Option<axum::body::Body>,
    progress: Option<Arc<std::sync::atomic::AtomicU64>>,
    _started: Option<Started>,
}

impl Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = match self.inner.as_mut() {
            Some(inner) => Pin::new(inner).poll_frame(cx),
            None => Poll::Ready(None),
        };
        if let Some(progress) = &self.progress {
            // Polled at all: the client took what came before. Pending: the answer waits on
            // its source (a slow upstream, a long poll), not on the client, so it is marked
            // as waiting and not counted as stalled until its next frame.
            let now = super::connection::now_ms();
            let stamp = if polled.is_pending() { now | super::connection::WAITING_ON_SOURCE } else { now };
            progress.store(stamp, std::sync::atomic::Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.as_ref().map_or_else(|| SizeHint::with_exact(0), Body::size_hint)
    }
}

/// A request body that fails when it pauses longer than `timeout` between two frames.
struct TimedBody<B = Incoming> {
    inner: B,
    timeout: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
    shield: Arc<Shield>,
    client: std::net::IpAddr,
    /// The request's place among those in flight, kept while the body is read.
    _place: Option<Arc<super::InFlight>>,
}

impl<B> Body for TimedBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Pending => {
                let timeout = self.timeout;
                let sleep = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                if sleep.as_mut().poll(cx).is_ready() {
                    self.shield.blocked.count(Reason::BodyTimeout, super::ClientKey::of(self.client));
                    return Poll::Ready(Some(Err("the request body stalled past the body timeout".into())));
                }
                Poll::Pending
            }
            Poll::Ready(frame) => {
                self.stalled = None;
                Poll::Ready(frame.map(|frame| frame.map_err(Into::into)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shield::{Limits, Trusted};
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn a_body_that_pauses_past_its_timeout_fails_and_is_counted() {
        let shield = Shield::new(Limits::default(), Trusted::default());
        let (mut sender, body) = http_body_util::channel::Channel::<Bytes, Infallible>::new(4);
        let client: std::net::IpAddr = "192.0.2.1".parse().unwrap();
        let mut timed = TimedBody {
            inner: body,
            timeout: Duration::from_millis(200),
            stalled: None,
            shield: shield.clone(),
            client,
            _place: None,
        };
        // frames within the timeout go through, however long the body takes in all
        let feeding = tokio::spawn(async move {
            for _ in 0..3 {
                sender.send_data(Bytes::from_static(b"part")).await.unwrap();
                tokio::time::sleep(Duration::from_millis(120)).await;
            }
            // then the client stalls, holding the body open
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(sender);
        });
        for _ in 0..3 {
            let frame = timed.frame().await.unwrap().unwrap();
            assert_eq!(frame.into_data().unwrap(), Bytes::from_static(b"part"));
        }
        let stalled = timed.frame().await.unwrap().unwrap_err();
        assert!(stalled.to_string().contains("body timeout"), "{stalled}");
        assert_eq!(shield.blocked.get(Reason::BodyTimeout), 1);
        feeding.abort();
    }
}
