//! The event stream's payload, documented as it travels. poem-openapi documents an
//! `EventStream<T>` as `type: array, format: event-stream` of `T`, but in Open API 3.0 the
//! schema of a `text/event-stream` response describes one message (its `id`, `event` and `data`
//! fields), which is how schemathesis and client generators read it.

mod direct;

use std::{sync::Arc, task::Poll, time::Duration};

use bytes::Bytes;
use futures::{StreamExt, stream::BoxStream};
use poem::{
    Body, IntoResponse, Request, Response,
    http::{Method, Version},
};
use poem_openapi::{
    ApiResponse,
    payload::Payload,
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry},
    types::Type,
};
use tokio::time::Instant;

use crate::store::event_json::Event;
use crate::{
    connection::{Connection, Connections},
    realtime::SharedEvent,
};

const MESSAGE_SCHEMA: &str = "StreamMessage";

/// `GET …/events/stream`'s body: one `context_event` message per event.
/// The stream's messages, each written as the frame its [`SharedEvent`] carries, with a
/// keep-alive comment (`:`) after each idle `keep_alive`. poem's SSE writer would format every
/// message again per subscriber and copy it through an `AsyncRead` with a buffer per stream.
pub struct EventMessages {
    pub events: BoxStream<'static, SharedEvent>,
    pub keep_alive: Duration,
    /// Set when the stream may take its connection's socket from the HTTP server.
    pub handoff: Option<Handoff>,
}

/// The connection a stream's request arrived on, whose socket the stream may take over (see
/// [`crate::connection`]).
pub struct Handoff {
    connection: Arc<Connection>,
    connections: Arc<Connections>,
}

impl Handoff {
    /// The request's connection, if a stream can continue on its socket: a plain HTTP/1.1
    /// `GET` (a chunked body) read by the connection layer, with the hand-over switched on.
    pub fn of(req: &Request, connections: &Arc<Connections>) -> Option<Handoff> {
        if req.version() != Version::HTTP_11 || req.method() != Method::GET {
            return None;
        }
        Some(Handoff {
            connection: connections.handoff_of(req)?,
            connections: connections.clone(),
        })
    }
}

fn string(description: &'static str) -> MetaSchemaRef {
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        description: Some(description),
        ..MetaSchema::new("string")
    }))
}

impl Payload for EventMessages {
    const CONTENT_TYPE: &'static str = "text/event-stream";

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference(MESSAGE_SCHEMA.to_string())
    }

    fn register(registry: &mut Registry) {
        Event::register(registry);
        registry.create_schema::<Self, _>(MESSAGE_SCHEMA.to_string(), |_| MetaSchema {
            title: Some(MESSAGE_SCHEMA.to_string()),
            description: Some(
                "One Server-Sent Events message. Keep-alive comments (lines starting with `:`) \
                 are sent between messages while the space is idle.",
            ),
            required: vec!["id", "event", "data"],
            properties: vec![
                (
                    "id",
                    string("The event's `event_id`; send it back as `Last-Event-ID` to resume."),
                ),
                (
                    "event",
                    MetaSchemaRef::Inline(Box::new(MetaSchema {
                        description: Some("Always `context_event`."),
                        enum_items: vec!["context_event".into()],
                        ..MetaSchema::new("string")
                    })),
                ),
                (
                    "data",
                    string("The event as one line of JSON: an `Event` object."),
                ),
            ],
            ..MetaSchema::new("object")
        });
    }
}

impl IntoResponse for EventMessages {
    fn into_response(self) -> Response {
        let EventMessages {
            events,
            keep_alive,
            mut handoff,
        } = self;
        let mut events = Some(events);
        let comment = Bytes::from_static(b":\n\n");
        let mut idle = tokio::time::interval_at(Instant::now() + keep_alive, keep_alive);
        let frames = futures::stream::poll_fn(move |cx| {
            // The first poll, before hyper writes the head: hand the stream the socket, and
            // end this body (hyper's part of the response) at once.
            if let Some(Handoff {
                connection,
                connections,
            }) = handoff.take()
                && connection.claimable()
                && let Some(events) = events.take()
            {
                connection.claim(Box::new(move |handed| {
                    let write_timeout = connections.write_timeout();
                    connections.spawn(direct::serve(handed, events, keep_alive, write_timeout));
                }));
                return Poll::Ready(None);
            }
            let Some(stream) = events.as_mut() else {
                return Poll::Ready(None);
            };
            if let Poll::Ready(event) = stream.poll_next_unpin(cx) {
                idle.reset();
                return Poll::Ready(event.map(|e| Ok::<_, std::io::Error>(e.message())));
            }
            idle.poll_tick(cx).map(|_| Some(Ok(comment.clone())))
        });
        Response::builder()
            .content_type(Self::CONTENT_TYPE)
            .header("X-Accel-Buffering", "no")
            .header("Cache-Control", "no-cache")
            .body(Body::from_bytes_stream(frames))
    }
}

impl ApiResponse for EventMessages {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The event stream: the replay, then live events.",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: Self::CONTENT_TYPE,
                    schema: Self::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }
}
