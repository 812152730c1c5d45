//! A JSON response written while it is read from the database, page by page.
//!
//! The transcript, a thread and the activity digest are each one JSON document whose size
//! depends on what a tenant stored (hundreds of megabytes are easy). Built in memory, a few
//! concurrent requests could take the server down; written incrementally, each request holds
//! one page (bounded in bytes, see [`crate::store::event_pages`]) plus what the socket has not
//! taken yet, and the next page is read only once the previous one is written. Each page is
//! read in a short transaction of its own, so a slow reader holds no pooled connection
//! between pages.
//!
//! The first page is read before the response starts, so a missing space or an unavailable
//! database still gets its status and `{"detail"}`. A failure after the head is out can no
//! longer change the status: the body is then cut off (the chunked encoding is not
//! terminated), so a client sees a failed response, never a short document.

use std::marker::PhantomData;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use poem::{Body, IntoResponse, Response};

use super::json_body::documented_as_json;
use crate::{error::ApiError, store::event_json::EventJson};

/// A response documented exactly as poem-openapi's `Json<T>`, whose body is the
/// concatenation of `parts`.
pub struct JsonStream<T> {
    parts: futures::stream::BoxStream<'static, Result<Bytes, ApiError>>,
    document: PhantomData<fn() -> T>,
}

impl<T> JsonStream<T> {
    pub fn new(parts: impl Stream<Item = Result<Bytes, ApiError>> + Send + 'static) -> Self {
        JsonStream {
            parts: parts.boxed(),
            document: PhantomData,
        }
    }
}

documented_as_json!(JsonStream);

impl<T> IntoResponse for JsonStream<T> {
    fn into_response(self) -> Response {
        let body = self.parts.map(|part| {
            part.map_err(|err| {
                // Already logged with its id when it is a bug; the client sees a cut body.
                std::io::Error::other(format!("response aborted: {err:?}"))
            })
        });
        Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(Body::from_bytes_stream(body))
    }
}

/// Events as consecutive elements of a JSON array, one part per page: `first` says whether
/// the array has no element yet (no comma before the first). The events' JSON is copied as
/// it is.
pub fn event_elements(events: Vec<EventJson>, first: &mut bool) -> Bytes {
    let len = events.iter().map(|e| e.json.len() + 1).sum();
    let mut out = Vec::with_capacity(len);
    for event in events {
        if !std::mem::take(first) {
            out.push(b',');
        }
        out.extend_from_slice(event.json.as_bytes());
    }
    Bytes::from(out)
}

/// `value` as JSON, for the fixed parts of a document.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("response parts serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_join_into_one_array() {
        let row = |seq| EventJson {
            event_id: uuid::Uuid::now_v7(),
            seq,
            json: crate::store::event_json::assemble(
                seq,
                &chrono::Utc::now(),
                &format!(r#"{{"text":"event {seq}"}}"#),
            ),
        };
        let mut first = true;
        let mut doc = b"[".to_vec();
        for page in [vec![row(1), row(2)], vec![], vec![row(3)]] {
            doc.extend_from_slice(&event_elements(page, &mut first));
        }
        doc.push(b']');
        let parsed: Vec<serde_json::Value> = serde_json::from_slice(&doc).unwrap();
        let seqs: Vec<i64> = parsed
            .iter()
            .map(|e| e["sequence"].as_i64().unwrap())
            .collect();
        assert_eq!(seqs, [1, 2, 3]);
    }
}
