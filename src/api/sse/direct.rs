//! A handed-off stream writing on its own socket: the rest of a `chunked` body whose head
//! hyper already sent (see [`crate::connection`]). A client that stops reading is dropped
//! once the socket has taken no bytes for the write timeout, freeing the stream's slot.
//!
//! Written as a plain poll function rather than a `select!` loop: an idle stream is then just
//! this struct, and each wake-up registers no new waiters (the socket keeps one read waker).

use std::{
    future::Future,
    io::{ErrorKind, IoSlice},
    pin::Pin,
    task::{Context, Poll, ready},
    time::Duration,
};

use bytes::Bytes;
use futures::{StreamExt, stream::BoxStream};
use tokio::{
    io::AsyncWrite,
    net::TcpStream,
    time::{Instant, Interval},
};

use crate::{connection::HandedOver, realtime::SharedEvent};

/// A keep-alive comment (`:\n\n`) as one chunk.
const KEEP_ALIVE: &[u8] = b"3\r\n:\n\n\r\n";
/// The body's end.
const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// Messages gathered into one write: a stream that has fallen behind (its events arrive
/// faster than a write per event can go out) catches up in fewer system calls.
const MAX_BATCH: usize = 32;
/// ... and at most this many bytes of them, so a stream whose client stops reading holds
/// little more than one large event besides what the socket took.
const MAX_BATCH_BYTES: usize = 256 * 1024;

/// Write `events` on the handed-over socket as chunks, a keep-alive comment after each idle
/// `keep_alive`, until the events end (the body is then ended properly), the client goes
/// away, or a write makes no progress for `write_timeout`.
pub fn serve(
    handed: HandedOver,
    events: BoxStream<'static, SharedEvent>,
    keep_alive: Duration,
    write_timeout: Duration,
) -> impl Future<Output = ()> + Send + 'static {
    DirectStream {
        handed,
        events: Some(events),
        idle: tokio::time::interval_at(Instant::now() + keep_alive, keep_alive),
        write_timeout,
        stalled: false,
        write_deadline: false,
        out: Vec::new(),
    }
}

struct DirectStream {
    /// The socket, and its connection's place under the connection caps.
    handed: HandedOver,
    /// `None` once the events have ended and the last chunk is being written.
    events: Option<BoxStream<'static, SharedEvent>>,
    /// The keep-alive cadence while idle; the write deadline while a write is stalled.
    idle: Interval,
    write_timeout: Duration,
    /// Whether a write is waiting for the socket since its last progress.
    stalled: bool,
    /// Whether `idle` holds a write deadline rather than the keep-alive cadence.
    write_deadline: bool,
    /// Chunks to write, in order; the first may be partly written already.
    out: Vec<Bytes>,
}

impl DirectStream {
    /// Write what is queued, in as few system calls as the socket allows. `Ready(false)`: the
    /// connection is gone.
    fn poll_flush_out(&mut self, cx: &mut Context<'_>) -> Poll<bool> {
        while !self.out.is_empty() {
            let mut slices = [IoSlice::new(&[]); MAX_BATCH];
            for (slice, chunk) in slices.iter_mut().zip(&self.out) {
                *slice = IoSlice::new(chunk);
            }
            let queued = self.out.len().min(MAX_BATCH);
            let written = match ready!(
                Pin::new(&mut self.handed.socket).poll_write_vectored(cx, &slices[..queued])
            ) {
                Ok(n) if n > 0 => n,
                _ => return Poll::Ready(false),
            };
            self.stalled = false;
            let mut left = written;
            let done = self
                .out
                .iter()
                .take_while(|chunk| {
                    let whole = chunk.len() <= left;
                    if whole {
                        left -= chunk.len();
                    }
                    whole
                })
                .count();
            self.out.drain(..done);
            if let Some(first) = self.out.first_mut() {
                let _ = first.split_to(left);
            }
        }
        // An idle stream keeps no buffer.
        if self.out.capacity() > 4 {
            self.out = Vec::new();
        }
        Poll::Ready(true)
    }
}

impl Future for DirectStream {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            match this.poll_flush_out(cx) {
                Poll::Ready(true) => {
                    if this.write_deadline {
                        // Back to the keep-alive cadence.
                        this.write_deadline = false;
                        this.idle.reset();
                    }
                }
                Poll::Ready(false) => return Poll::Ready(()),
                Poll::Pending => {
                    if !this.stalled {
                        this.stalled = true;
                        this.write_deadline = true;
                        this.idle.reset_at(Instant::now() + this.write_timeout);
                    }
                    if this.idle.poll_tick(cx).is_ready() {
                        // No progress for the write timeout: the client is not reading.
                        return Poll::Ready(());
                    }
                    return Poll::Pending;
                }
            }
            let Some(events) = this.events.as_mut() else {
                // The last chunk is written: the response is complete.
                return Poll::Ready(());
            };
            while this.out.len() < MAX_BATCH
                && this.out.iter().map(Bytes::len).sum::<usize>() < MAX_BATCH_BYTES
            {
                match events.poll_next_unpin(cx) {
                    Poll::Ready(Some(event)) => this.out.push(event.chunk().clone()),
                    Poll::Ready(None) => {
                        this.events = None;
                        this.out.push(Bytes::from_static(LAST_CHUNK));
                        break;
                    }
                    Poll::Pending => break,
                }
            }
            if !this.out.is_empty() {
                this.idle.reset();
                continue;
            }
            if this.idle.poll_tick(cx).is_ready() {
                this.out.push(Bytes::from_static(KEEP_ALIVE));
                continue;
            }
            // A client sends nothing after its request: watching for input is how its
            // leaving is noticed while the space is quiet.
            match this.handed.socket.poll_read_ready(cx) {
                Poll::Ready(Ok(())) if still_open(&this.handed.socket) => continue,
                Poll::Ready(_) => return Poll::Ready(()),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Whether a readable socket is still open: readiness can be spurious, and bytes a client
/// sends anyway are discarded.
fn still_open(socket: &TcpStream) -> bool {
    let mut scratch = [0u8; 64];
    match socket.try_read(&mut scratch) {
        Ok(0) => false,
        Ok(_) => true,
        Err(e) => e.kind() == ErrorKind::WouldBlock,
    }
}

#[cfg(test)]
mod tests {
    use tokio::{io::AsyncReadExt, net::TcpListener};

    use super::*;

    /// A client that reads nothing for a while makes the writes partial (the socket buffers
    /// fill up) and the events pile up into batches; what arrives must still be exactly the
    /// chunks in order, then the last chunk.
    #[tokio::test]
    async fn partial_and_batched_writes_keep_every_byte_in_order() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap());
        let (client, accepted) = tokio::join!(client, listener.accept());
        let (mut client, (server, _)) = (client.unwrap(), accepted.unwrap());
        // About 7 MB: more than the socket buffers can take, so the writer must stop part-way.
        let events: Vec<SharedEvent> = (0..20_000)
            .map(|i| {
                SharedEvent::framed(
                    i,
                    &format!("data: {i} {}\n\n", "x".repeat(i as usize % 700)),
                )
            })
            .collect();
        let mut expected = Vec::new();
        for event in &events {
            expected.extend_from_slice(event.chunk());
        }
        expected.extend_from_slice(LAST_CHUNK);
        let writer = tokio::spawn(serve(
            HandedOver::new(server, None),
            futures::stream::iter(events).boxed(),
            Duration::from_secs(60),
            Duration::from_secs(60),
        ));
        let mut received = Vec::new();
        client.read_to_end(&mut received).await.unwrap();
        writer.await.unwrap();
        assert_eq!(received.len(), expected.len());
        assert!(received == expected, "the bytes differ");
    }
}
