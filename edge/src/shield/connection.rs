//! Each connection's state as the shield watches it (requests in flight, since when it is
//! idle, since when a request head is arriving, cancelled streams) and the registry of all
//! of them, which enforces the global cap by closing the connection idle longest.

use super::clients::ClientKey;
use super::limits::{Limits, RESERVE, RESET_WINDOW};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Milliseconds since the process's first look at the clock (monotonic).
pub fn now_ms() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    u64::try_from(EPOCH.get_or_init(Instant::now).elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Set in an answer's progress stamp while its body waits on its source (the last poll was
/// Pending): the client is not what holds it up.
pub const WAITING_ON_SOURCE: u64 = 1 << 63;

/// Why the shield ends a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Closing {
    /// Idle past `idle_timeout`: closed gracefully (HTTP/2 GOAWAY).
    Idle = 1,
    /// Idle longest when a new connection needed its place: closed gracefully.
    Evicted = 2,
    /// A request head took longer than `head_timeout`: dropped.
    HeadTimeout = 3,
    /// Too many cancelled streams: dropped.
    StreamResets = 4,
    /// An answer being sent made no progress for `send_timeout` (its client stopped
    /// reading, or an HTTP/2 client keeps its flow-control window shut): dropped.
    Stalled = 5,
}

impl Closing {
    fn from_u8(value: u8) -> Option<Closing> {
        match value {
            1 => Some(Closing::Idle),
            2 => Some(Closing::Evicted),
            3 => Some(Closing::HeadTimeout),
            4 => Some(Closing::StreamResets),
            5 => Some(Closing::Stalled),
            _ => None,
        }
    }

    /// Whether the connection may finish what it is doing (HTTP/2: GOAWAY, then close):
    /// only when idle. An evicted connection is dropped at once, so its place is free.
    pub fn graceful(self) -> bool {
        matches!(self, Closing::Idle)
    }
}

/// One connection, shared by its task, its I/O wrapper, its requests and the registry.
pub struct Connection {
    pub client: ClientKey,
    /// Admitted past the cap: serves only ACME's challenges and the edge's health.
    pub reserve: bool,
    in_flight: AtomicU32,
    /// When the last request ended (or the connection opened), in [`now_ms`].
    idle_since: AtomicU64,
    /// When the head being read began (its first byte; a new connection's opening); 0: none.
    head_since: AtomicU64,
    h2: AtomicBool,
    /// Cancelled streams in the current reset window, and when that window began.
    resets: AtomicU32,
    resets_since: AtomicU64,
    closing: AtomicU8,
    close: Notify,
    /// The answers being sent, each with when it last made progress (ms); dead ones are
    /// swept as the watch looks.
    answers: Mutex<Vec<std::sync::Weak<AtomicU64>>>,
}

impl Connection {
    fn new(client: ClientKey, reserve: bool) -> Self {
        let now = now_ms();
        Connection {
            client,
            reserve,
            in_flight: AtomicU32::new(0),
            idle_since: AtomicU64::new(now),
            head_since: AtomicU64::new(now.max(1)),
            h2: AtomicBool::new(false),
            resets: AtomicU32::new(0),
            resets_since: AtomicU64::new(now),
            closing: AtomicU8::new(0),
            close: Notify::new(),
            answers: Mutex::default(),
        }
    }

    /// The connection starts serving (after its TLS handshake, if any): the first head's
    /// clock starts now; HTTP/2 connections have no head clock (their reads are frames).
    pub fn serving(&self, h2: bool) {
        self.h2.store(h2, Ordering::Relaxed);
        let now = now_ms();
        self.idle_since.store(now, Ordering::Relaxed);
        self.head_since.store(if h2 { 0 } else { now.max(1) }, Ordering::Relaxed);
    }

    /// Bytes arrived: with no request in flight on HTTP/1.1 they begin a head.
    pub fn read_progress(&self) {
        if self.in_flight.load(Ordering::Relaxed) == 0
            && !self.h2.load(Ordering::Relaxed)
            && self.head_since.load(Ordering::Relaxed) == 0
        {
            self.head_since.store(now_ms().max(1), Ordering::Relaxed);
        }
    }

    /// A request arrived (its head is complete).
    pub fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.head_since.store(0, Ordering::Relaxed);
    }

    /// A request's answer was sent or abandoned; `cancelled`: before its answer was ready
    /// (an HTTP/2 RST_STREAM, or the client gone). Errors: past `limit` cancellations in
    /// the window the connection is told to close.
    pub fn request_ended(&self, cancelled: bool, limit: u32) {
        let now = now_ms();
        if self.in_flight.fetch_sub(1, Ordering::Relaxed) == 1 {
            self.idle_since.store(now, Ordering::Relaxed);
        }
        if cancelled {
            let window = u64::try_from(RESET_WINDOW.as_millis()).unwrap_or(u64::MAX);
            if now.saturating_sub(self.resets_since.load(Ordering::Relaxed)) > window {
                self.resets_since.store(now, Ordering::Relaxed);
                self.resets.store(0, Ordering::Relaxed);
            }
            if self.resets.fetch_add(1, Ordering::Relaxed) + 1 > limit {
                self.close(Closing::StreamResets);
            }
        }
    }

    /// An answer starts being sent: its progress stamp, which its body moves on each frame.
    pub fn answer_started(&self) -> Arc<AtomicU64> {
        let stamp = Arc::new(AtomicU64::new(now_ms()));
        let mut answers = self.answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        answers.retain(|answer| answer.strong_count() > 0);
        answers.push(Arc::downgrade(&stamp));
        stamp
    }

    /// Whether an answer being sent has made no progress for `limit` ms at `now` while not
    /// waiting on its source ([`WAITING_ON_SOURCE`]).
    fn answer_stalled(&self, now: u64, limit: u64) -> bool {
        let answers = self.answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        answers.iter().filter_map(std::sync::Weak::upgrade).any(|stamp| {
            let stamp = stamp.load(Ordering::Relaxed);
            stamp & WAITING_ON_SOURCE == 0 && now.saturating_sub(stamp) > limit
        })
    }

    pub fn in_flight(&self) -> u32 {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// Tells the connection's task to close it (the first reason given wins).
    pub fn close(&self, why: Closing) {
        if self.closing.compare_exchange(0, why as u8, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
            self.close.notify_one();
        }
    }

    /// Why it was told to close, if it was.
    pub fn closing(&self) -> Option<Closing> {
        Closing::from_u8(self.closing.load(Ordering::Acquire))
    }

    /// Whether a deadline has passed at `now` (ms): the reason to close, if so.
    pub fn overdue(&self, now: u64, limits: &Limits) -> Option<Closing> {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return self.answer_stalled(now, ms(limits.send_timeout)).then_some(Closing::Stalled);
        }
        let head = self.head_since.load(Ordering::Relaxed);
        if head != 0 && now.saturating_sub(head) > ms(limits.head_timeout) {
            return Some(Closing::HeadTimeout);
        }
        let idle = self.idle_since.load(Ordering::Relaxed);
        (now.saturating_sub(idle) > ms(limits.idle_timeout)).then_some(Closing::Idle)
    }

    /// Waits until told to close, or a deadline passes; looks every `tick`.
    pub async fn watch(&self, limits: &Limits) -> Closing {
        let tick = limits.tick();
        loop {
            if let Some(why) = self.closing() {
                return why;
            }
            if let Some(why) = self.overdue(now_ms(), limits) {
                self.close(why);
                continue;
            }
            let _ = tokio::time::timeout(tick, self.close.notified()).await;
        }
    }

    /// Idle now, and since when (ms), unless told to close already.
    fn idle_since(&self) -> Option<u64> {
        let idle = self.in_flight.load(Ordering::Relaxed) == 0 && self.closing().is_none();
        idle.then(|| self.idle_since.load(Ordering::Relaxed))
    }
}

/// Every connection the edge holds, across its listeners and threads.
pub struct Registry {
    connections: Mutex<HashMap<u64, Arc<Connection>>>,
    next: AtomicU64,
    cap: usize,
}

/// The edge holds its cap and its reserve, and nothing is idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// What admitting a connection past the cap did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Within the cap.
    Admitted,
    /// Within the cap once the connection idle longest was closed.
    Evicted,
    /// Past the cap with nothing idle: a reserve connection.
    Reserve,
}

impl Registry {
    pub fn new(cap: u32) -> Self {
        Registry { connections: Mutex::default(), next: AtomicU64::new(1), cap: cap as usize }
    }

    /// Registers a new connection of `client`, closing the connection idle longest when the
    /// edge holds its cap. Errors: [`Full`]: past the cap and the reserve, nothing idle to
    /// close.
    pub fn admit(&self, client: ClientKey) -> Result<(u64, Arc<Connection>, Admission), Full> {
        let mut connections = self.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Closing ones still hold their descriptors: never more than the cap and the reserve.
        if connections.len() >= self.cap + RESERVE as usize {
            return Err(Full);
        }
        let open = connections.values().filter(|c| c.closing().is_none()).count();
        let (admission, reserve) = if open < self.cap {
            (Admission::Admitted, false)
        } else {
            let oldest =
                connections.values().filter_map(|c| Some((c.idle_since()?, c))).min_by_key(|(since, _)| *since);
            match oldest {
                // Taking a reserve connection's place gives only a reserve place.
                Some((_, victim)) => {
                    victim.close(Closing::Evicted);
                    (Admission::Evicted, victim.reserve)
                }
                None => (Admission::Reserve, true),
            }
        };
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let connection = Arc::new(Connection::new(client, reserve));
        connections.insert(id, connection.clone());
        Ok((id, connection, admission))
    }

    pub fn remove(&self, id: u64) {
        self.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&id);
    }

    /// Connections held now.
    pub fn len(&self) -> usize {
        self.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A head timeout of 100 ms and an idle timeout of 300 ms.
    fn quick() -> Limits {
        Limits {
            head_timeout: Duration::from_millis(100),
            idle_timeout: Duration::from_millis(300),
            ..Limits::default()
        }
    }

    fn client() -> ClientKey {
        ClientKey::of("192.0.2.1".parse().unwrap())
    }

    #[test]
    fn a_slow_head_an_idle_connection_and_a_busy_one() {
        let limits = quick();
        let c = Connection::new(client(), false);
        c.serving(false);
        let t0 = now_ms();
        assert_eq!(c.overdue(t0 + 50, &limits), None);
        assert_eq!(
            c.overdue(t0 + 150, &limits),
            Some(Closing::HeadTimeout),
            "the first head is timed from the opening"
        );
        c.request_started();
        assert_eq!(c.overdue(t0 + 10_000, &limits), None, "a request in flight is never idle");
        c.request_ended(false, 10);
        let t1 = now_ms();
        assert_eq!(c.overdue(t1 + 200, &limits), None, "keep-alive: no head is arriving");
        assert_eq!(c.overdue(t1 + 400, &limits), Some(Closing::Idle));
        c.read_progress();
        assert_eq!(
            c.overdue(now_ms() + 150, &limits),
            Some(Closing::HeadTimeout),
            "a byte starts the next head's clock"
        );
    }

    #[test]
    fn http2_has_no_head_clock_only_idleness() {
        let limits = quick();
        let c = Connection::new(client(), false);
        c.serving(true);
        c.read_progress();
        let t0 = now_ms();
        assert_eq!(c.overdue(t0 + 200, &limits), None, "PINGs and SETTINGS are not a slow head");
        assert_eq!(c.overdue(t0 + 400, &limits), Some(Closing::Idle));
    }

    #[test]
    fn an_answer_that_makes_no_progress_past_the_send_timeout_closes_the_connection() {
        let limits = Limits { send_timeout: Duration::from_millis(100), ..Limits::default() };
        let c = Connection::new(client(), false);
        c.serving(true);
        c.request_started();
        let stamp = c.answer_started();
        let t0 = now_ms();
        assert_eq!(c.overdue(t0 + 50, &limits), None);
        stamp.store(t0 + 150, Ordering::Relaxed);
        assert_eq!(c.overdue(t0 + 200, &limits), None, "a frame went out at +150");
        assert_eq!(c.overdue(t0 + 300, &limits), Some(Closing::Stalled));
        stamp.store((t0 + 150) | WAITING_ON_SOURCE, Ordering::Relaxed);
        assert_eq!(
            c.overdue(t0 + 10_000, &limits),
            None,
            "an answer waiting on its upstream is not the client's stall"
        );
        drop(stamp);
        assert_eq!(c.overdue(t0 + 300, &limits), None, "a finished answer is not stalled");
    }

    #[test]
    fn too_many_cancelled_streams_close_the_connection() {
        let c = Connection::new(client(), false);
        for _ in 0..3 {
            c.request_started();
            c.request_ended(true, 3);
        }
        assert_eq!(c.closing(), None);
        c.request_started();
        c.request_ended(true, 3);
        assert_eq!(c.closing(), Some(Closing::StreamResets));
    }

    #[test]
    fn past_the_cap_the_connection_idle_longest_goes_then_the_reserve_then_nothing() {
        let registry = Registry::new(2);
        let (_, busy, _) = registry.admit(client()).unwrap();
        busy.request_started();
        let (_, idle, _) = registry.admit(client()).unwrap();
        let (_, third, admission) = registry.admit(client()).unwrap();
        assert_eq!(admission, Admission::Evicted);
        assert!(!third.reserve, "an ordinary connection's place is an ordinary place");
        assert_eq!(idle.closing(), Some(Closing::Evicted));
        assert_eq!(busy.closing(), None, "a connection with a request in flight is not evicted");
        third.request_started();
        // nothing idle is left (the evicted one is still registered until its task ends)
        let mut reserve = 0;
        while let Ok((_, connection, admission)) = registry.admit(client()) {
            assert!(connection.reserve, "past the cap every newcomer is a reserve one ({admission:?})");
            // busy, or its place goes to the next newcomer
            connection.request_started();
            reserve += 1;
        }
        assert_eq!(reserve, RESERVE as usize - 1, "the reserve, less the evicted one still registered");
        assert_eq!(registry.len(), 2 + RESERVE as usize);
        // a reserve connection gone idle is replaced by a reserve one
        let registry = Registry::new(1);
        let (_, busy, _) = registry.admit(client()).unwrap();
        busy.request_started();
        let (_, first, _) = registry.admit(client()).unwrap();
        assert!(first.reserve);
        let (_, second, admission) = registry.admit(client()).unwrap();
        assert_eq!((admission, second.reserve), (Admission::Evicted, true));
    }
}
