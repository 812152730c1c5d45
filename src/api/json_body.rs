//! A JSON response documented exactly as poem-openapi's `Json<T>`, but written straight from
//! `T`'s serde serialisation.
//!
//! `Json<T>` first builds a `serde_json::Value` tree (a `BTreeMap` per object), then
//! serialises that: a profile of the cursor read (50 events a page) put that tree and its
//! allocations at about a fifth of the server's CPU. Types sent through here must serialise
//! to what their `ToJSON` would give; a test compares the two for [`crate::store::event_json::Event`].

use poem::{IntoResponse, Response};
use poem_openapi::{
    ApiResponse,
    payload::{Json, Payload},
    registry::{MetaResponses, MetaSchemaRef, Registry},
    types::{ToJSON, Type},
};
use serde::Serialize;

use crate::error::ApiError;

pub struct JsonBody<T>(pub T);

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = Json::<T>::CONTENT_TYPE;

    fn check_content_type(content_type: &str) -> bool {
        Json::<T>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

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

impl<T: ToJSON + Serialize> ApiResponse for JsonBody<T> {
    fn meta() -> MetaResponses {
        Json::<T>::meta()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}
