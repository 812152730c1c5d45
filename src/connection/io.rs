//! A connection's socket as hyper uses it: the deadline for the first request, the write
//! progress timeout, the hand-over of a claimed socket, and JSON bodies for the error
//! responses hyper writes by itself.

use std::{
    future::Future,
    io,
    pin::Pin,
    sync::{Arc, atomic::Ordering},
    task::{Context, Poll, ready},
    time::Duration,
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
    time::{Instant, Sleep},
};

use super::{
    handoff::{Connection, HandedOver, HeadStep, HeadWriter},
    slots::Slot,
    too_large,
};

/// A connection's socket, as hyper uses it.
pub struct ConnIo {
    /// Always `Some` until dropped.
    tcp: Option<TcpStream>,
    slot: Option<Slot>,
    connection: Arc<Connection>,
    /// This io's copy of [`Connection::read_last`], to store it only when it changes.
    read_last: bool,
    head: HeadWriter,
    /// Until a request reaches the application: the connection closes at this deadline.
    first_request: Option<Pin<Box<Sleep>>>,
    write_timeout: Duration,
    /// Armed while a write is waiting for the socket; reset by any progress.
    write_stall: Option<Pin<Box<Sleep>>>,
    stalled: bool,
    /// An automatic error response of hyper's being replaced: how much of the replacement
    /// is written. Everything hyper writes after it is dropped (hyper closes the connection).
    replacement: Option<(&'static [u8], usize)>,
}

impl ConnIo {
    pub fn new(
        tcp: TcpStream,
        slot: Option<Slot>,
        connection: Arc<Connection>,
        header_timeout: Duration,
        write_timeout: Duration,
    ) -> ConnIo {
        ConnIo {
            tcp: Some(tcp),
            slot,
            connection,
            read_last: false,
            head: HeadWriter::default(),
            first_request: Some(Box::pin(tokio::time::sleep(header_timeout))),
            write_timeout,
            write_stall: None,
            stalled: false,
            replacement: None,
        }
    }

    fn tcp(&mut self) -> Pin<&mut TcpStream> {
        Pin::new(self.tcp.as_mut().expect("the socket is present until drop"))
    }

    /// Record whether the latest bytes through the connection were read or written.
    fn note(&mut self, read: bool) {
        if self.read_last != read {
            self.read_last = read;
            self.connection.read_last.store(read, Ordering::Release);
        }
    }

    /// A write is waiting for the socket: fail it once it has waited the write timeout.
    fn stall(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let deadline = Instant::now() + self.write_timeout;
        let sleep = self
            .write_stall
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if !self.stalled {
            self.stalled = true;
            sleep.as_mut().reset(deadline);
        }
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client made no write progress within the write timeout",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    /// The outcome of a write on the socket, with the write timeout applied.
    fn written(
        &mut self,
        cx: &mut Context<'_>,
        result: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        match result {
            Poll::Pending => self.stall(cx),
            Poll::Ready(Ok(n)) => {
                self.stalled = false;
                if n > 0 {
                    self.note(false);
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        }
    }

    fn poll_write_through(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let result = self.tcp().poll_write(cx, buf);
        self.written(cx, result)
    }

    /// Write the claimed response's head, and nothing after it.
    fn poll_write_head(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.head.plan(buf) {
            HeadStep::Swallow => Poll::Ready(Ok(buf.len())),
            HeadStep::Through => {
                self.connection.disarm();
                self.poll_write_through(cx, buf)
            }
            HeadStep::Write(end) => {
                let result = self.tcp().poll_write(cx, &buf[..end]);
                let n = ready!(self.written(cx, result))?;
                if self.head.wrote(&buf[..n]) {
                    // hyper waits for input only on the socket, which has none to give: wake
                    // it to read the end of input that makes it let go.
                    cx.waker().wake_by_ref();
                }
                Poll::Ready(Ok(n))
            }
        }
    }

    /// Write `hyper_buf`'s replacement, if it starts one of hyper's automatic error
    /// responses (or one is being replaced): `None` when it is an ordinary write.
    fn poll_replace(
        &mut self,
        cx: &mut Context<'_>,
        hyper_buf: &[u8],
        hyper_len: usize,
    ) -> Option<Poll<io::Result<usize>>> {
        if self.replacement.is_none() && self.read_last {
            self.replacement = too_large::replacement(hyper_buf).map(|r| (r, 0));
        }
        let (replacement, done) = self.replacement?;
        let mut done = done;
        while done < replacement.len() {
            let result = self.tcp().poll_write(cx, &replacement[done..]);
            match self.written(cx, result) {
                Poll::Ready(Ok(n)) if n > 0 => done += n,
                Poll::Ready(Ok(_)) => {
                    return Some(Poll::Ready(Err(io::ErrorKind::WriteZero.into())));
                }
                Poll::Ready(Err(e)) => return Some(Poll::Ready(Err(e))),
                Poll::Pending => {
                    self.replacement = Some((replacement, done));
                    return Some(Poll::Pending);
                }
            }
        }
        self.replacement = Some((replacement, done));
        Some(Poll::Ready(Ok(hyper_len)))
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.head.sent {
            // End of input: hyper closes the connection, leaving the socket to the stream.
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        match self.tcp().poll_read(cx, buf) {
            Poll::Ready(result) => {
                result?;
                if buf.filled().len() > before {
                    self.note(true);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => {
                if self.connection.served.load(Ordering::Acquire) {
                    self.first_request = None;
                }
                if let Some(deadline) = self.first_request.as_mut()
                    && deadline.as_mut().poll(cx).is_ready()
                {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "no complete request head within the header timeout",
                    )));
                }
                Poll::Pending
            }
        }
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.connection.claimed() {
            return self.poll_write_head(cx, buf);
        }
        if let Some(replaced) = self.poll_replace(cx, buf, buf.len()) {
            return replaced;
        }
        self.poll_write_through(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        if self.connection.claimed() {
            return self.poll_write_head(cx, first);
        }
        let total = bufs.iter().map(|b| b.len()).sum();
        if let Some(replaced) = self.poll_replace(cx, first, total) {
            return replaced;
        }
        let result = self.tcp().poll_write_vectored(cx, bufs);
        self.written(cx, result)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.tcp().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.head.sent {
            return Poll::Ready(Ok(()));
        }
        self.tcp().poll_shutdown(cx)
    }
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        let claim = self.connection.claim.lock().unwrap().take();
        // A claim whose head never fully went out (the client left, or the connection
        // failed) is dropped with its stream.
        if let (true, Some(claim), Some(tcp)) = (self.head.sent, claim, self.tcp.take()) {
            claim(HandedOver::new(tcp, self.slot.take()));
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::{
        io::{AsyncReadExt, AsyncWriteExt},
        net::TcpListener,
    };

    use super::*;

    /// A connection's io, its client end, and its handle.
    async fn accepted(write_timeout: Duration) -> (ConnIo, TcpStream, Arc<Connection>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
        let connection = Arc::new(Connection::default());
        let io = ConnIo::new(
            accepted.unwrap().0,
            None,
            connection.clone(),
            Duration::from_secs(60),
            write_timeout,
        );
        (io, client.unwrap(), connection)
    }

    const REQUEST: &[u8] = b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n";
    const HEAD: &[u8] = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";

    async fn read_request(io: &mut ConnIo, client: &mut TcpStream) {
        client.write_all(REQUEST).await.unwrap();
        let mut buf = vec![0; REQUEST.len()];
        io.read_exact(&mut buf).await.unwrap();
    }

    #[tokio::test]
    async fn a_claimed_connection_sends_the_head_then_hands_over_its_socket() {
        let (mut io, mut client, connection) = accepted(Duration::from_secs(60)).await;
        assert!(!connection.claimable(), "nothing read yet");
        read_request(&mut io, &mut client).await;
        assert!(connection.claimable());
        let (tx, rx) = tokio::sync::oneshot::channel();
        connection.claim(Box::new(move |handed: HandedOver| {
            let _ = tx.send(handed.socket);
        }));
        // The head and the body's terminating chunk, as hyper writes them.
        io.write_all(&[HEAD, b"0\r\n\r\n"].concat()).await.unwrap();
        io.flush().await.unwrap();
        let mut rest = Vec::new();
        assert_eq!(io.read_to_end(&mut rest).await.unwrap(), 0, "end of input");
        io.shutdown().await.unwrap();
        drop(io);
        let mut socket = rx.await.expect("the socket is handed over");
        socket.write_all(b"5\r\nhello\r\n").await.unwrap();
        drop(socket);
        let mut received = Vec::new();
        client.read_to_end(&mut received).await.unwrap();
        assert_eq!(received, [HEAD, b"5\r\nhello\r\n"].concat());
    }

    #[tokio::test]
    async fn a_connection_with_a_response_still_being_written_is_not_claimed() {
        let (mut io, mut client, connection) = accepted(Duration::from_secs(60)).await;
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
        let (mut io, mut client, connection) = accepted(Duration::from_secs(60)).await;
        read_request(&mut io, &mut client).await;
        let (tx, mut rx) = tokio::sync::oneshot::channel::<TcpStream>();
        connection.claim(Box::new(move |handed: HandedOver| {
            let _ = tx.send(handed.socket);
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

    /// A client that reads nothing stalls the writes; the write fails once it has made no
    /// progress for the write timeout.
    #[tokio::test]
    async fn a_write_with_no_progress_fails_after_the_write_timeout() {
        let (mut io, _client, _) = accepted(Duration::from_millis(300)).await;
        let chunk = vec![b'x'; 64 * 1024];
        let started = Instant::now();
        let error = loop {
            if let Err(e) = io.write_all(&chunk).await {
                break e;
            }
        };
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(300));
    }

    /// hyper answers a request head over its limits with an empty `431`; the client gets
    /// the same status with a `{"detail"}` body.
    #[tokio::test]
    async fn hypers_empty_error_responses_get_a_detail_body() {
        let (mut io, mut client, _) = accepted(Duration::from_secs(60)).await;
        read_request(&mut io, &mut client).await;
        io.write_all(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\
              date: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n",
        )
        .await
        .unwrap();
        io.shutdown().await.unwrap();
        drop(io);
        let mut received = Vec::new();
        client.read_to_end(&mut received).await.unwrap();
        let received = String::from_utf8(received).unwrap();
        let (head, body) = received.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
        let detail: serde_json::Value = serde_json::from_str(body).unwrap();
        assert!(detail["detail"].as_str().unwrap().contains("header"));
    }
}
