//! The event stream's payload, documented as it travels. poem-openapi documents an
//! `EventStream<T>` as `type: array, format: event-stream` of `T`, but in Open API 3.0 the
//! schema of a `text/event-stream` response describes one message (its `id`, `event` and `data`
//! fields), which is how schemathesis and client generators read it.

use std::{task::Poll, time::Duration};

use bytes::Bytes;
use futures::{StreamExt, stream::BoxStream};
use poem::{Body, IntoResponse, Response};
use poem_openapi::{
    ApiResponse,
    payload::Payload,
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry},
    types::Type,
};
use tokio::time::Instant;

use super::event::Event;
use crate::realtime::SharedEvent;

const MESSAGE_SCHEMA: &str = "StreamMessage";

/// `GET …/events/stream`'s body: one `context_event` message per event.
/// The stream's messages, each written as the frame its [`SharedEvent`] carries, with a
/// keep-alive comment (`:`) after each idle `keep_alive`. poem's SSE writer would format every
/// message again per subscriber and copy it through an `AsyncRead` with a buffer per stream.
pub struct EventMessages {
    pub events: BoxStream<'static, SharedEvent>,
    pub keep_alive: Duration,
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
        let mut events = self.events;
        let comment = Bytes::from_static(b":\n\n");
        let mut idle = tokio::time::interval_at(Instant::now() + self.keep_alive, self.keep_alive);
        let frames = futures::stream::poll_fn(move |cx| {
            if let Poll::Ready(event) = events.poll_next_unpin(cx) {
                idle.reset();
                return Poll::Ready(event.map(|e| Ok::<_, std::io::Error>(e.frame)));
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
