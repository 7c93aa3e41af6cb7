//! How many connections the server holds: in all, and from one address. Each open
//! connection costs a file descriptor and a task, and one that sends nothing is held until
//! the header-read timeout: without a cap, one client opening thousands of them would use
//! up the process's descriptors and nobody else could connect. Past a cap a new connection
//! is answered at once (503 when the server is full, 429 when that address holds its share)
//! and closed, before anything of it is read.
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// The caps; `per_address` 0 turns the per-address cap off (behind a proxy every client has
/// the proxy's address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionCaps {
    pub total: usize,
    pub per_address: usize,
}

/// Why a connection was not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The server holds `total` connections.
    Full,
    /// This address holds `per_address` of them.
    AddressFull,
}

impl Refusal {
    /// The whole answer sent before the connection closes.
    pub fn response(self) -> &'static [u8] {
        match self {
            Refusal::Full => {
                b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Type: text/plain; charset=utf-8\r\n\
                  Content-Length: 43\r\nConnection: close\r\n\r\nThe server is busy; try again in a moment.\n"
            }
            Refusal::AddressFull => {
                b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Type: text/plain; charset=utf-8\r\n\
                  Content-Length: 51\r\nConnection: close\r\n\r\nToo many connections from your address; try again.\n"
            }
        }
    }
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// The connections open now, shared by the accept loop and the connections' tasks.
#[derive(Clone)]
pub struct Connections {
    caps: ConnectionCaps,
    counts: Arc<Mutex<Counts>>,
}

/// One open connection, counted until it is dropped.
pub struct Slot {
    address: IpAddr,
    counts: Arc<Mutex<Counts>>,
}

impl Connections {
    pub fn new(caps: ConnectionCaps) -> Self {
        Connections { caps, counts: Arc::default() }
    }

    /// Counts a new connection from `address`, or says why it may not open.
    pub fn admit(&self, address: IpAddr) -> Result<Slot, Refusal> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if counts.total >= self.caps.total {
            return Err(Refusal::Full);
        }
        let held = counts.by_address.get(&address).copied().unwrap_or(0);
        if self.caps.per_address > 0 && held >= self.caps.per_address {
            return Err(Refusal::AddressFull);
        }
        counts.total += 1;
        counts.by_address.insert(address, held + 1);
        Ok(Slot { address, counts: self.counts.clone() })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.total -= 1;
        // An address with nothing open is forgotten: the map holds open connections only.
        if let Some(held) = counts.by_address.get_mut(&self.address) {
            *held -= 1;
            if *held == 0 {
                counts.by_address.remove(&self.address);
            }
        }
    }
}

/// How often refusals are written to the log: once per address per [`REFUSALS_LOGGED_EVERY`],
/// with the number refused since. A client hammering the caps would otherwise write a log
/// line per connection refused, thousands a second, and fill the disk for the attacker.
pub const REFUSALS_LOGGED_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// The addresses whose refusals were logged lately (the accept loop's own, never shared).
#[derive(Default)]
pub struct RefusalLog {
    /// When each address was last logged, and how many of its refusals were not logged since.
    last: HashMap<IpAddr, (std::time::Instant, u64)>,
}

impl RefusalLog {
    /// At most this many addresses are remembered; past it the oldest memory is dropped
    /// (a spoofed flood of addresses then costs a line each, at the loop's own pace).
    const ADDRESSES: usize = 4096;

    /// Counts a refusal of `address` at `now`: `Some(n)` when it is to be logged, with the
    /// `n` refusals of that address left out of the log since its last line.
    pub fn refused(&mut self, address: IpAddr, now: std::time::Instant) -> Option<u64> {
        if let Some((at, quiet)) = self.last.get_mut(&address) {
            if now.duration_since(*at) < REFUSALS_LOGGED_EVERY {
                *quiet += 1;
                return None;
            }
            let left_out = *quiet;
            *at = now;
            *quiet = 0;
            return Some(left_out);
        }
        if self.last.len() >= Self::ADDRESSES {
            self.last.retain(|_, (at, _)| now.duration_since(*at) < REFUSALS_LOGGED_EVERY);
            if self.last.len() >= Self::ADDRESSES {
                self.last.clear();
            }
        }
        self.last.insert(address, (now, 0));
        Some(0)
    }
}

/// Answers a connection that was not taken and closes it, without waiting on the client:
/// the answer fits the socket's send buffer, and what cannot be sent at once is dropped.
pub fn refuse(tcp: tokio::net::TcpStream, why: Refusal) {
    let _ = tcp.try_write(why.response());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_logged_once_a_minute_per_address_with_the_count_left_out() {
        let mut log = RefusalLog::default();
        let start = std::time::Instant::now();
        let at = |secs: u64| start + std::time::Duration::from_secs(secs);
        assert_eq!(log.refused(addr(1), at(0)), Some(0), "the first is logged");
        for s in 1..30 {
            assert_eq!(log.refused(addr(1), at(s)), None);
        }
        assert_eq!(log.refused(addr(2), at(5)), Some(0), "another address has its own minute");
        assert_eq!(log.refused(addr(1), at(60)), Some(29), "a minute on: logged, with the 29 left out");
        assert_eq!(log.refused(addr(1), at(61)), None);
        // Bounded: a flood of addresses forgets the old ones rather than grow.
        for i in 0..RefusalLog::ADDRESSES as u32 * 2 {
            log.refused(IpAddr::from(i.to_be_bytes()), at(200));
            assert!(log.last.len() <= RefusalLog::ADDRESSES);
        }
    }

    fn addr(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    #[test]
    fn an_address_holds_its_share_and_the_server_its_total() {
        let connections = Connections::new(ConnectionCaps { total: 3, per_address: 2 });
        let a1 = connections.admit(addr(1)).unwrap();
        let _a2 = connections.admit(addr(1)).unwrap();
        assert_eq!(connections.admit(addr(1)).err(), Some(Refusal::AddressFull));
        let b1 = connections.admit(addr(2)).unwrap();
        assert_eq!(connections.admit(addr(3)).err(), Some(Refusal::Full));
        // A closed connection gives its place back, to its address and to the total.
        drop(a1);
        let _a3 = connections.admit(addr(1)).unwrap();
        drop(b1);
        let _c1 = connections.admit(addr(3)).unwrap();
        assert_eq!(connections.counts.lock().unwrap().by_address.len(), 2, "only addresses with connections open");
    }

    #[test]
    fn no_cap_per_address_when_it_is_zero() {
        let connections = Connections::new(ConnectionCaps { total: 3, per_address: 0 });
        let held: Vec<Slot> = (0..3).map(|_| connections.admit(addr(1)).unwrap()).collect();
        assert_eq!(connections.admit(addr(1)).err(), Some(Refusal::Full));
        drop(held);
        assert!(connections.counts.lock().unwrap().by_address.is_empty());
    }

    #[test]
    fn each_refusal_is_a_whole_http_answer() {
        for why in [Refusal::Full, Refusal::AddressFull] {
            let text = std::str::from_utf8(why.response()).unwrap();
            let (head, body) = text.split_once("\r\n\r\n").unwrap();
            let length: usize = head.lines().find_map(|l| l.strip_prefix("Content-Length: ")).unwrap().parse().unwrap();
            assert_eq!(body.len(), length, "{head}");
        }
    }
}
