//! The event stream's payload, documented as it travels. poem-openapi documents an
//! `EventStream<T>` as `type: array, format: event-stream` of `T`, but in Open API 3.0 the
//! schema of a `text/event-stream` response describes one message (its `id`, `event` and `data`
//! fields), which is how schemathesis and client generators read it.

use futures::stream::BoxStream;
use poem::{IntoResponse, Response};
use poem_openapi::{
    ApiResponse,
    payload::{EventStream, Payload},
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry},
    types::Type,
};

use super::event::Event;
use crate::realtime::SharedEvent;

const MESSAGE_SCHEMA: &str = "StreamMessage";

/// `GET …/events/stream`'s body: one `context_event` message per event.
pub struct EventMessages(pub EventStream<BoxStream<'static, SharedEvent>>);

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
        self.0.into_response()
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
