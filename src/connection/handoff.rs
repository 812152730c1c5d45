//! Handing an HTTP/1.1 event stream's socket over from hyper (see the module doc of
//! [`super`] for why it is sound): the state a connection shares with the request being
//! served on it, and the rules for writing the claimed response's head.

use std::sync::{
    Mutex,
    atomic::{AtomicBool, Ordering},
};

use tokio::net::TcpStream;

use super::slots::Slot;

/// What takes the socket once hyper lets go of it.
pub type Claim = Box<dyn FnOnce(HandedOver) + Send>;

/// A socket taken over from hyper, with its connection's place under the caps: the
/// connection stays counted while the stream writes on it.
pub struct HandedOver {
    pub socket: TcpStream,
    _slot: Option<Slot>,
}

impl HandedOver {
    pub(crate) fn new(socket: TcpStream, slot: Option<Slot>) -> HandedOver {
        HandedOver {
            socket,
            _slot: slot,
        }
    }
}

/// One accepted connection, as the requests served on it see it. Reachable only through
/// [`super::Connections::of`], from the request hyper read on this very connection.
#[derive(Default)]
pub struct Connection {
    /// Whether the last bytes through the connection were read (a request) rather than
    /// written (a response): then nothing of an earlier response is still to be written.
    pub(super) read_last: AtomicBool,
    pub(super) armed: AtomicBool,
    pub(super) claim: Mutex<Option<Claim>>,
    /// Whether a request has reached the application: the deadline for the first request
    /// head no longer applies (hyper's own header timeout covers the later ones).
    pub(super) served: AtomicBool,
}

impl Connection {
    /// Whether the socket can be claimed: the request being answered arrived after every
    /// earlier response had been written, so the next bytes written are its response's head.
    pub fn claimable(&self) -> bool {
        self.read_last.load(Ordering::Acquire) && !self.armed.load(Ordering::Acquire)
    }

    /// Take the socket once the current response's head is written; the response must have
    /// a `chunked` body that ends at once and the status line [`STATUS_LINE`]. Call, after
    /// [`Self::claimable`], from the response body: hyper polls it before it writes the head.
    pub fn claim(&self, claim: Claim) {
        debug_assert!(self.claimable());
        *self.claim.lock().unwrap() = Some(claim);
        self.armed.store(true, Ordering::Release);
    }

    pub(super) fn claimed(&self) -> bool {
        self.armed.load(Ordering::Acquire)
    }

    /// Give up a claim: the stream's events are dropped and the response ends empty.
    pub(super) fn disarm(&self) {
        self.armed.store(false, Ordering::Release);
        self.claim.lock().unwrap().take();
    }
}

/// How a claimed response's head starts.
pub const STATUS_LINE: &[u8] = b"HTTP/1.1 200 OK\r\n";

/// What to do with bytes hyper writes on a claimed connection.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum HeadStep {
    /// Not the stream's head after all (the claim is to be dropped): write as asked.
    Through,
    /// After the head (the body's terminating chunk): report written, write nothing.
    Swallow,
    /// Write this many bytes of the buffer: the head, and nothing after it.
    Write(usize),
}

/// Where the claimed response's head is in what hyper writes.
#[derive(Default)]
pub(super) struct HeadWriter {
    started: bool,
    /// How many bytes of [`HEAD_END`] the head has ended with so far.
    matched: usize,
    pub(super) sent: bool,
}

/// The end of a response head.
const HEAD_END: &[u8; 4] = b"\r\n\r\n";

impl HeadWriter {
    pub(super) fn plan(&mut self, buf: &[u8]) -> HeadStep {
        if self.sent {
            return HeadStep::Swallow;
        }
        if !self.started && !buf.is_empty() {
            if !buf.starts_with(STATUS_LINE) {
                return HeadStep::Through;
            }
            self.started = true;
        }
        HeadStep::Write(head_end(self.matched, buf).unwrap_or(buf.len()))
    }

    /// `written` went out; returns whether the head is now complete.
    pub(super) fn wrote(&mut self, written: &[u8]) -> bool {
        match head_end(self.matched, written) {
            Some(_) => self.sent = true,
            None => self.matched = head_end_progress(self.matched, written),
        }
        self.sent
    }
}

/// Where [`HEAD_END`] completes in `buf`, given `matched` bytes of it already seen.
fn head_end(matched: usize, buf: &[u8]) -> Option<usize> {
    let mut m = matched;
    for (i, &b) in buf.iter().enumerate() {
        m = step(m, b);
        if m == HEAD_END.len() {
            return Some(i + 1);
        }
    }
    None
}

fn head_end_progress(matched: usize, buf: &[u8]) -> usize {
    buf.iter().fold(matched, |m, &b| step(m, b))
}

/// One byte of matching `\r\n\r\n` (a mismatch restarts at a `\r`, the only prefix that can
/// overlap).
fn step(matched: usize, b: u8) -> usize {
    if b == HEAD_END[matched] {
        matched + 1
    } else if b == b'\r' {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_end_of_a_head_split_anywhere() {
        let head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n0\r\n\r\n";
        let end = head.len() - 5;
        assert_eq!(head_end(0, head), Some(end));
        for split in 0..end {
            let matched = head_end_progress(0, &head[..split]);
            assert_eq!(head_end(0, &head[..split]), None, "split {split}");
            assert_eq!(
                head_end(matched, &head[split..]).map(|e| split + e),
                Some(end),
                "split {split}"
            );
        }
        assert_eq!(head_end(0, b"a\r\r\n\r\n"), Some(6));
        assert_eq!(head_end(0, b"a\r\n\r\r\n"), None);
    }

    #[test]
    fn writes_the_head_then_swallows_the_rest() {
        let mut writer = HeadWriter::default();
        let head = b"HTTP/1.1 200 OK\r\nx: y\r\n\r\n0\r\n\r\n";
        assert_eq!(writer.plan(head), HeadStep::Write(head.len() - 5));
        assert!(!writer.wrote(&head[..10]));
        assert_eq!(writer.plan(&head[10..]), HeadStep::Write(head.len() - 15));
        assert!(writer.wrote(&head[10..head.len() - 5]));
        assert_eq!(writer.plan(b"0\r\n\r\n"), HeadStep::Swallow);
        let mut other = HeadWriter::default();
        assert_eq!(other.plan(b"tail of a body"), HeadStep::Through);
    }
}
