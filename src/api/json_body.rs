//! JSON responses documented exactly as poem-openapi's `Json<T>`, but written from JSON the
//! server already has.
//!
//! `Json<T>` first builds a `serde_json::Value` tree (a `BTreeMap` per object), then
//! serialises that: a profile of the cursor read (50 events a page) put that tree and its
//! allocations at about a fifth of the server's CPU. Events are now rendered once, when they
//! are written ([`crate::store::event_json`]), and sent as those bytes; tests check that they
//! carry what `ToJSON` of [`crate::store::event_json::Event`] would give.

use poem::{IntoResponse, Response};

/// Documents `$wrapper<T>` exactly as poem-openapi's `Json<T>`, for the response types that
/// write `T`'s JSON their own way.
macro_rules! documented_as_json {
    ($wrapper:ident) => {
        impl<T: poem_openapi::types::Type> poem_openapi::payload::Payload for $wrapper<T> {
            const CONTENT_TYPE: &'static str = poem_openapi::payload::Json::<T>::CONTENT_TYPE;

            fn check_content_type(content_type: &str) -> bool {
                poem_openapi::payload::Json::<T>::check_content_type(content_type)
            }

            fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
                T::schema_ref()
            }

            fn register(registry: &mut poem_openapi::registry::Registry) {
                T::register(registry);
            }
        }

        impl<T: poem_openapi::types::ToJSON> poem_openapi::ApiResponse for $wrapper<T> {
            fn meta() -> poem_openapi::registry::MetaResponses {
                <poem_openapi::payload::Json<T> as poem_openapi::ApiResponse>::meta()
            }

            fn register(registry: &mut poem_openapi::registry::Registry) {
                T::register(registry);
            }
        }
    };
}
pub(super) use documented_as_json;

/// A JSON response whose body is already rendered (an event's stored JSON, see
/// [`crate::store::event_json`]), documented as poem-openapi's `Json<T>`.
pub struct JsonText<T> {
    body: String,
    document: std::marker::PhantomData<fn() -> T>,
}

impl<T> JsonText<T> {
    /// `body` must be the JSON of a `T`.
    pub fn new(body: String) -> Self {
        JsonText {
            body,
            document: std::marker::PhantomData,
        }
    }
}

documented_as_json!(JsonText);

impl<T> IntoResponse for JsonText<T> {
    fn into_response(self) -> Response {
        Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(self.body)
    }
}
