//! A JSON response documented exactly as poem-openapi's `Json<T>`, but written straight from
//! `T`'s serde serialisation.
//!
//! `Json<T>` first builds a `serde_json::Value` tree (a `BTreeMap` per object), then
//! serialises that: a profile of the cursor read (50 events a page) put that tree and its
//! allocations at about a fifth of the server's CPU. Types sent through here must serialise
//! to what their `ToJSON` would give; a test compares the two for [`crate::store::event_json::Event`].

use poem::{IntoResponse, Response};
use serde::Serialize;

use crate::error::ApiError;

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

pub struct JsonBody<T>(pub T);

documented_as_json!(JsonBody);

impl<T: Serialize + Send> IntoResponse for JsonBody<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => Response::builder()
                .content_type("application/json; charset=utf-8")
                .body(body),
            // Only a map with non-string keys fails; none of the API's types has one.
            Err(err) => {
                ApiError::internal(format!("response not serialisable: {err}")).into_response()
            }
        }
    }
}
