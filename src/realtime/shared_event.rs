//! An event as every stream writes it, serialised and framed once for all of them.

use bytes::Bytes;

use crate::store::event_json::EventJson;

/// An event serialised once for every subscriber, as the complete Server-Sent Events message
/// every stream writes: subscribers share the bytes instead of formatting their own copy.
/// The message is stored framed as an HTTP/1.1 chunk, which streams that own their socket
/// write as it is; streams served by the HTTP server write the message inside it.
#[derive(Clone, Debug)]
pub struct SharedEvent {
    pub seq: i64,
    chunk: Bytes,
    /// Where the message starts inside `chunk` (after the chunk-size line).
    start: usize,
}

impl SharedEvent {
    /// `id`, `event` and `data` lines, as poem's SSE writer formats them; the JSON is the
    /// event's stored JSON, one line (serde and PostgreSQL escape line breaks inside strings,
    /// and neither puts one between values).
    pub fn new(event: EventJson) -> SharedEvent {
        let message = format!(
            "id: {}\nevent: {EVENT_TYPE}\ndata: {}\n\n",
            event.event_id, event.json
        );
        SharedEvent::framed(event.seq, &message)
    }

    /// `message` framed as a chunk.
    pub(crate) fn framed(seq: i64, message: &str) -> SharedEvent {
        let size_line = format!("{:x}\r\n", message.len());
        let mut chunk = Vec::with_capacity(size_line.len() + message.len() + 2);
        chunk.extend_from_slice(size_line.as_bytes());
        chunk.extend_from_slice(message.as_bytes());
        chunk.extend_from_slice(b"\r\n");
        SharedEvent {
            seq,
            chunk: Bytes::from(chunk),
            start: size_line.len(),
        }
    }

    /// The bytes this event keeps in memory.
    pub fn size(&self) -> usize {
        self.chunk.len()
    }

    /// The Server-Sent Events message.
    pub fn message(&self) -> Bytes {
        self.chunk.slice(self.start..self.chunk.len() - 2)
    }

    /// The message framed as one chunk of a `Transfer-Encoding: chunked` body.
    pub fn chunk(&self) -> &Bytes {
        &self.chunk
    }
}

/// The `event:` field of every message.
pub const EVENT_TYPE: &str = "context_event";

/// New events of one space as broadcast: `events` are consecutive, in sequence order, and
/// the batch covers everything up to `through`. Events that did not fit the shared byte
/// budget are left out (each stream reads them from the database), so the buffer of a space
/// holds at most `BROADCAST_CAPACITY` times that budget, however large its events are and
/// however slow its streams.
#[derive(Debug)]
pub struct Batch {
    pub events: Vec<SharedEvent>,
    pub through: i64,
}
