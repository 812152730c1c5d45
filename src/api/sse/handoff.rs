//! Handing an event stream's socket over from the HTTP server.
//!
//! An idle stream served by hyper keeps its whole HTTP connection alive: the read buffer, the
//! connection state, poem's per-connection futures and its task, about 30 KiB. A stream needs
//! none of it once its response head is out, so when a stream is the first response on its
//! connection, the connection's io is *claimed*:
//!
//! 1. the handler's response is served normally (authentication, middleware, logging,
//!    `X-Request-Id`, metrics all run), with a `chunked` body that ends at once;
//! 2. the io passes the response head through and swallows what follows (the body's
//!    terminating chunk), then reports end-of-input, so hyper finishes the connection as if
//!    the client had closed it after the response;
//! 3. when hyper drops the io, the socket goes to the stream instead of being closed, and
//!    [`super::direct`] writes the events on it as the rest of the same chunked body.
//!
//! The client sees one ordinary HTTP/1.1 response. Streams that are not their connection's
//! first response (a keep-alive connection reused by a client), and HTTP/2, stay with hyper.

use std::{
    collections::HashMap,
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll, ready},
};

use poem::{
    http::uri::Scheme,
    listener::{Acceptor, TcpAcceptor},
    web::{LocalAddr, RemoteAddr},
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
};
use tokio_util::task::TaskTracker;

/// What takes the socket once hyper lets go of it.
pub type Claim = Box<dyn FnOnce(TcpStream) + Send>;

/// The live connections of one listener, by peer address (unique among open connections),
/// and the streams serving their own sockets.
#[derive(Default)]
pub struct Connections {
    open: Mutex<HashMap<SocketAddr, Arc<Connection>>>,
    direct: TaskTracker,
}

impl Connections {
    /// The connection a request arrived on, if it came through [`HandoffAcceptor`].
    pub fn get(&self, peer: &RemoteAddr) -> Option<Arc<Connection>> {
        let peer = peer.as_socket_addr()?;
        self.open.lock().unwrap().get(peer).cloned()
    }

    /// Run a handed-off stream, tracked so shutdown can wait for it to end.
    pub fn spawn(&self, stream: impl Future<Output = ()> + Send + 'static) {
        self.direct.spawn(stream);
    }

    /// Streams currently writing on their own socket.
    pub fn direct_streams(&self) -> usize {
        self.direct.len()
    }

    /// Wait (up to `grace`) for handed-off streams to end; they end by themselves on
    /// shutdown, writing their body's last chunk.
    pub async fn drain(&self, grace: std::time::Duration) {
        self.direct.close();
        let _ = tokio::time::timeout(grace, self.direct.wait()).await;
    }
}

/// One accepted connection, as handlers see it.
#[derive(Default)]
pub struct Connection {
    /// Whether any response byte has been written: only a connection's first response can
    /// be claimed, so the io knows the next bytes written are that response's head.
    wrote: AtomicBool,
    armed: AtomicBool,
    claim: Mutex<Option<Claim>>,
}

impl Connection {
    /// Whether the socket can still be claimed: nothing has been written on the connection
    /// yet, so the next bytes written are the current response's head.
    pub fn claimable(&self) -> bool {
        !self.wrote.load(Ordering::Acquire) && !self.armed.load(Ordering::Acquire)
    }

    /// Take the socket once the current response's head is written; the response must have
    /// a `chunked` body that ends at once. Call, after [`Self::claimable`], from the response
    /// body: hyper polls it on the connection's task, before it writes the head.
    pub fn claim(&self, claim: Claim) {
        debug_assert!(self.claimable());
        *self.claim.lock().unwrap() = Some(claim);
        self.armed.store(true, Ordering::Release);
    }
}

/// A TCP acceptor whose connections can be claimed.
pub struct HandoffAcceptor {
    inner: TcpAcceptor,
    connections: Arc<Connections>,
}

impl HandoffAcceptor {
    pub fn new(inner: TcpAcceptor, connections: Arc<Connections>) -> HandoffAcceptor {
        HandoffAcceptor { inner, connections }
    }
}

impl Acceptor for HandoffAcceptor {
    type Io = HandoffIo;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(HandoffIo, LocalAddr, RemoteAddr, Scheme)> {
        let (tcp, local, remote, scheme) = self.inner.accept().await?;
        let peer = remote.as_socket_addr().copied();
        let connection = Arc::new(Connection::default());
        if let Some(peer) = peer {
            let mut open = self.connections.open.lock().unwrap();
            open.insert(peer, connection.clone());
        }
        let io = HandoffIo {
            tcp: Some(tcp),
            peer,
            connection,
            connections: self.connections.clone(),
            wrote: false,
            matched: 0,
            head_sent: false,
        };
        Ok((io, local, remote, scheme))
    }
}

/// The end of a response head.
const HEAD_END: &[u8; 4] = b"\r\n\r\n";

/// A connection's socket, as hyper uses it.
pub struct HandoffIo {
    /// Always `Some` until dropped.
    tcp: Option<TcpStream>,
    peer: Option<SocketAddr>,
    connection: Arc<Connection>,
    connections: Arc<Connections>,
    wrote: bool,
    /// How many bytes of [`HEAD_END`] the claimed response's head has ended with so far.
    matched: usize,
    head_sent: bool,
}

impl HandoffIo {
    fn tcp(&mut self) -> Pin<&mut TcpStream> {
        Pin::new(self.tcp.as_mut().expect("the socket is present until drop"))
    }

    fn claimed(&self) -> bool {
        self.connection.armed.load(Ordering::Acquire)
    }

    /// Write the claimed response's head, and nothing after it.
    fn poll_write_head(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.head_sent {
            // The body's terminating chunk: the stream continues the body instead.
            return Poll::Ready(Ok(buf.len()));
        }
        let end = head_end(self.matched, buf).unwrap_or(buf.len());
        let n = ready!(self.tcp().poll_write(cx, &buf[..end]))?;
        match head_end(self.matched, &buf[..n]) {
            Some(_) => {
                self.head_sent = true;
                // hyper waits for input only on the socket, which has none to give: wake it
                // to read the end of input that makes it let go.
                cx.waker().wake_by_ref();
            }
            None => self.matched = head_end_progress(self.matched, &buf[..n]),
        }
        Poll::Ready(Ok(n))
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

impl AsyncRead for HandoffIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.head_sent {
            // End of input: hyper closes the connection, leaving the socket to the stream.
            return Poll::Ready(Ok(()));
        }
        self.tcp().poll_read(cx, buf)
    }
}

impl AsyncWrite for HandoffIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.claimed() {
            return self.poll_write_head(cx, buf);
        }
        let n = ready!(self.tcp().poll_write(cx, buf))?;
        self.note_written(n);
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.claimed() {
            let buf = bufs
                .iter()
                .find(|b| !b.is_empty())
                .map_or(&[][..], |b| &b[..]);
            return self.poll_write_head(cx, buf);
        }
        let n = ready!(self.tcp().poll_write_vectored(cx, bufs))?;
        self.note_written(n);
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.tcp().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.head_sent {
            return Poll::Ready(Ok(()));
        }
        self.tcp().poll_shutdown(cx)
    }
}

impl HandoffIo {
    fn note_written(&mut self, n: usize) {
        if n > 0 && !self.wrote {
            self.wrote = true;
            self.connection.wrote.store(true, Ordering::Release);
        }
    }
}

impl Drop for HandoffIo {
    fn drop(&mut self) {
        if let Some(peer) = self.peer {
            let mut open = self.connections.open.lock().unwrap();
            // Only our own entry: the address may already belong to a new connection.
            if open
                .get(&peer)
                .is_some_and(|c| Arc::ptr_eq(c, &self.connection))
            {
                open.remove(&peer);
            }
        }
        let claim = self.connection.claim.lock().unwrap().take();
        // A claim whose head never fully went out (the client left, or the connection
        // failed) is dropped with its stream.
        if let (true, Some(claim), Some(tcp)) = (self.head_sent, claim, self.tcp.take()) {
            claim(tcp);
        }
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
}
