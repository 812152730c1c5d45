//! Handing an event stream's socket over from the HTTP server.
//!
//! An idle stream served by hyper keeps its whole HTTP connection alive: the read buffer, the
//! connection state, poem's per-connection futures and its task, about 30 KiB. A stream needs
//! none of it once its response head is out, so an HTTP/1.1 stream's connection is *claimed*:
//!
//! 1. the handler's response is served normally (authentication, middleware, logging,
//!    `X-Request-Id`, metrics all run), with a `chunked` body that ends at once;
//! 2. the io passes the response head through and swallows what follows (the body's
//!    terminating chunk), then reports end-of-input, so hyper finishes the connection as if
//!    the client had closed it after the response;
//! 3. when hyper drops the io, the socket goes to the stream instead of being closed, and
//!    [`super::direct`] writes the events on it as the rest of the same chunked body.
//!
//! The client sees one ordinary HTTP/1.1 response. The io must know that the next bytes hyper
//! writes are the stream's head, not the rest of an earlier response on a reused keep-alive
//! connection: a connection is claimed only if the client's request was read after everything
//! written before it (a client sends its next request once it has the previous response; one
//! that pipelines requests is left to hyper), and the claim is dropped, the stream then ending
//! at once for the client to resume, should the next write not start with the stream's status
//! line after all. HTTP/2 streams stay with hyper.

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
    /// The connection a request arrived on, if it came through [`HandoffAcceptor`]. Keyed by
    /// the socket's peer, which poem puts in every request: nothing in the server rewrites a
    /// request's remote address (a forwarded-for middleware doing so would let one connection's
    /// request claim another's socket).
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
    /// Whether the last bytes through the connection were read (a request) rather than
    /// written (a response): then nothing of an earlier response is still to be written.
    read_last: AtomicBool,
    armed: AtomicBool,
    claim: Mutex<Option<Claim>>,
}

impl Connection {
    /// Whether the socket can be claimed: the request being answered arrived after every
    /// earlier response had been written, so the next bytes written are its response's head.
    pub fn claimable(&self) -> bool {
        self.read_last.load(Ordering::Acquire) && !self.armed.load(Ordering::Acquire)
    }

    /// Take the socket once the current response's head is written; the response must have
    /// a `chunked` body that ends at once and the status line [`STATUS_LINE`]. Call, after
    /// [`Self::claimable`], from the response body: hyper polls it on the connection's task,
    /// before it writes the head.
    pub fn claim(&self, claim: Claim) {
        debug_assert!(self.claimable());
        *self.claim.lock().unwrap() = Some(claim);
        self.armed.store(true, Ordering::Release);
    }

    /// Give up a claim: the stream's events are dropped and the response ends empty.
    fn disarm(&self) {
        self.armed.store(false, Ordering::Release);
        self.claim.lock().unwrap().take();
    }
}

/// How a claimed response's head starts.
pub const STATUS_LINE: &[u8] = b"HTTP/1.1 200 OK\r\n";

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
            read_last: false,
            head_started: false,
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
    /// This io's copy of [`Connection::read_last`], to store it only when it changes.
    read_last: bool,
    /// Whether the claimed response's head has begun to be written.
    head_started: bool,
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
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if !self.head_started {
            if !buf.starts_with(STATUS_LINE) {
                // Not the stream's head after all: write it as hyper asks.
                self.connection.disarm();
                return self.poll_write_through(cx, buf);
            }
            self.head_started = true;
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
        let before = buf.filled().len();
        ready!(self.tcp().poll_read(cx, buf))?;
        if buf.filled().len() > before {
            self.note(true);
        }
        Poll::Ready(Ok(()))
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
        self.poll_write_through(cx, buf)
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
        if n > 0 {
            self.note(false);
        }
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
    fn poll_write_through(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let n = ready!(self.tcp().poll_write(cx, buf))?;
        if n > 0 {
            self.note(false);
        }
        Poll::Ready(Ok(n))
    }

    /// Record whether the latest bytes through the connection were read or written.
    fn note(&mut self, read: bool) {
        if self.read_last != read {
            self.read_last = read;
            self.connection.read_last.store(read, Ordering::Release);
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
    use poem::listener::{Listener, TcpListener};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A connection accepted through [`HandoffAcceptor`], its client end, and its handle.
    async fn accepted() -> (HandoffIo, TcpStream, Arc<Connection>, Arc<Connections>) {
        let connections = Arc::new(Connections::default());
        let inner = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .unwrap();
        let addr = *inner.local_addr()[0].as_socket_addr().unwrap();
        let mut acceptor = HandoffAcceptor::new(inner, connections.clone());
        let (client, accepted) = tokio::join!(TcpStream::connect(addr), acceptor.accept());
        let (io, _, remote, _) = accepted.unwrap();
        let connection = connections.get(&remote).expect("registered");
        (io, client.unwrap(), connection, connections)
    }

    const REQUEST: &[u8] = b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n";
    const HEAD: &[u8] = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";

    async fn read_request(io: &mut HandoffIo, client: &mut TcpStream) {
        client.write_all(REQUEST).await.unwrap();
        let mut buf = vec![0; REQUEST.len()];
        io.read_exact(&mut buf).await.unwrap();
    }

    #[tokio::test]
    async fn a_claimed_connection_sends_the_head_then_hands_over_its_socket() {
        let (mut io, mut client, connection, connections) = accepted().await;
        assert!(!connection.claimable(), "nothing read yet");
        read_request(&mut io, &mut client).await;
        assert!(connection.claimable());
        let (tx, rx) = tokio::sync::oneshot::channel();
        connection.claim(Box::new(move |socket| {
            let _ = tx.send(socket);
        }));
        // The head and the body's terminating chunk, as hyper writes them.
        io.write_all(&[HEAD, b"0\r\n\r\n"].concat()).await.unwrap();
        io.flush().await.unwrap();
        let mut rest = Vec::new();
        assert_eq!(io.read_to_end(&mut rest).await.unwrap(), 0, "end of input");
        io.shutdown().await.unwrap();
        drop(io);
        assert!(
            connections
                .get(&RemoteAddr(client.local_addr().unwrap().into()))
                .is_none()
        );
        let mut socket = rx.await.expect("the socket is handed over");
        socket.write_all(b"5\r\nhello\r\n").await.unwrap();
        drop(socket);
        let mut received = Vec::new();
        client.read_to_end(&mut received).await.unwrap();
        assert_eq!(received, [HEAD, b"5\r\nhello\r\n"].concat());
    }

    #[tokio::test]
    async fn a_connection_with_a_response_still_being_written_is_not_claimed() {
        let (mut io, mut client, connection, _) = accepted().await;
        read_request(&mut io, &mut client).await;
        io.write_all(b"HTTP/1.1 204 No Content\r\n\r\n")
            .await
            .unwrap();
        assert!(!connection.claimable(), "written since the last request");
        read_request(&mut io, &mut client).await;
        assert!(connection.claimable(), "the next request came after it");
    }

    /// Should the next bytes written not be the stream's head (the rest of an earlier
    /// response), the claim is dropped and everything is written as asked.
    #[tokio::test]
    async fn a_claim_whose_head_is_not_next_is_given_up() {
        let (mut io, mut client, connection, _) = accepted().await;
        read_request(&mut io, &mut client).await;
        let (tx, mut rx) = tokio::sync::oneshot::channel::<TcpStream>();
        connection.claim(Box::new(move |socket| {
            let _ = tx.send(socket);
        }));
        let earlier = b"tail of an earlier body";
        let written = [&earlier[..], HEAD, b"0\r\n\r\n"].concat();
        io.write_all(&written).await.unwrap();
        io.shutdown().await.unwrap();
        drop(io);
        assert!(rx.try_recv().is_err(), "the claim was dropped");
        let mut received = Vec::new();
        client.read_to_end(&mut received).await.unwrap();
        assert_eq!(received, written);
    }

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
