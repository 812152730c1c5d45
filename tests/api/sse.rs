//! A minimal SSE client for tests: frames are split on blank lines; comments are skipped.

use std::{pin::Pin, time::Duration};

use futures::{Stream, StreamExt};
use serde_json::Value;

pub struct Sse {
    body: Pin<Box<dyn Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buf: String,
}

#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: String,
    pub event: String,
    pub data: Value,
}

impl Sse {
    /// Open a stream; panics unless the server answers 200 with `text/event-stream`.
    pub async fn open(req: reqwest::RequestBuilder) -> Sse {
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200, "stream refused");
        let content_type = resp.headers()["content-type"].to_str().unwrap().to_string();
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        Sse {
            body: Box::pin(resp.bytes_stream()),
            buf: String::new(),
        }
    }

    /// The next event (not comment); fails the test if none comes within 10 s.
    pub async fn next(&mut self) -> SseEvent {
        tokio::time::timeout(Duration::from_secs(10), self.next_inner())
            .await
            .expect("an event within 10 s")
    }

    async fn next_inner(&mut self) -> SseEvent {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let frame: String = self.buf.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (String::new(), String::new(), String::new());
                for line in frame.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // keep-alive comment
                }
                return SseEvent {
                    id,
                    event,
                    data: serde_json::from_str(&data).unwrap(),
                };
            }
            let chunk = self.body.next().await.expect("stream open").unwrap();
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Wait (at most 5 s) for the server to end the stream.
    pub async fn ended(&mut self) {
        let drained = tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(Ok(_)) = self.body.next().await {}
        })
        .await;
        assert!(drained.is_ok(), "the server ends the stream");
    }

    /// Wait (at most `limit`) for the server to end the stream: for ends that take retries.
    pub async fn ended_within(&mut self, limit: Duration) {
        let drained = tokio::time::timeout(limit, async {
            while let Some(Ok(_)) = self.body.next().await {}
        })
        .await;
        assert!(
            drained.is_ok(),
            "the server ends the stream within {limit:?}"
        );
    }

    /// The next `n` events.
    pub async fn take(&mut self, n: usize) -> Vec<SseEvent> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.next().await);
        }
        out
    }
}
