//! The OpenAPI document as clients see it: poem-openapi's output with two rewrites.
//!
//! 1. poem-openapi names the media type of every JSON body `application/json; charset=utf-8`,
//!    the exact `Content-Type` it sends. As a key of a `content` map that is legal but unusual;
//!    the document names the conventional `application/json` (a normalisation: openapi-fetch
//!    and openapi-python-client were checked to handle either). The server still sends
//!    `; charset=utf-8` and accepts either.
//! 2. A described or nullable property of an enum type comes out as
//!    `allOf: [{$ref: Enum}, {description, nullable}]` (OpenAPI 3.0 ignores siblings of a
//!    `$ref`). openapi-python-client rejects `allOf` over a non-object and dropped every model
//!    with such a property (actors, tenants, decisions…), and with them the operations. The
//!    enum is inlined instead, with `null` among its values when the property is nullable.
//!
//! Mappings keep poem-openapi's order (serde_yaml's `Value` preserves insertion order), so the
//! committed document stays readable.
//!
//! See docs/api-decisions.md#the-specification.

use poem::{Endpoint, IntoResponse, Response, endpoint::make_sync, http::header};
use serde_yaml::{Mapping, Value};

const SERVED: &str = "application/json; charset=utf-8";
const DOCUMENTED: &str = "application/json";
const SCHEMA_REF: &str = "#/components/schemas/";

/// The spec as JSON, the way `/openapi.json` serves it and `openapi/openapi.json` commits it.
pub fn json() -> String {
    serde_json::to_string_pretty(&document()).expect("a JSON document serialises")
}

/// The same document as YAML (`/openapi.yaml`).
pub fn yaml() -> String {
    serde_yaml::to_string(&document()).expect("a JSON document serialises")
}

/// An endpoint answering `body` (rendered once, at start-up) with `content_type`.
pub fn endpoint(body: String, content_type: &'static str) -> impl Endpoint {
    make_sync(move |_| {
        Response::builder()
            .header(header::CONTENT_TYPE, content_type)
            .body(body.clone())
            .into_response()
    })
}

fn document() -> Value {
    let mut doc: Value =
        serde_json::from_str(&super::service().spec()).expect("poem-openapi writes JSON");
    let enums: Mapping = doc["components"]["schemas"]
        .as_mapping()
        .into_iter()
        .flatten()
        .filter(|(_, schema)| schema.get("enum").is_some())
        .map(|(name, schema)| (name.clone(), schema.clone()))
        .collect();
    rewrite(&mut doc, &enums);
    doc
}

fn rewrite(node: &mut Value, enums: &Mapping) {
    match node {
        Value::Mapping(map) => {
            if let Some(inlined) = inline_enum(map, enums) {
                *node = inlined;
                return;
            }
            if let Some(body) = map.remove(SERVED) {
                map.insert(DOCUMENTED.into(), body);
            }
            for (_, child) in map.iter_mut() {
                rewrite(child, enums);
            }
        }
        Value::Sequence(items) => items.iter_mut().for_each(|item| rewrite(item, enums)),
        _ => {}
    }
}

/// `{description, nullable, allOf: [{$ref: Enum}, …]}` → the enum's own schema, described.
fn inline_enum(property: &Mapping, enums: &Mapping) -> Option<Value> {
    let target = property.get("allOf")?.get(0)?.get("$ref")?.as_str()?;
    let mut schema = enums
        .get(target.strip_prefix(SCHEMA_REF)?)?
        .as_mapping()?
        .clone();
    schema.remove("title");
    if let Some(description) = property.get("description") {
        schema.insert("description".into(), description.clone());
    }
    if property.get("nullable") == Some(&Value::Bool(true)) {
        schema.insert("nullable".into(), true.into());
        if let Some(Value::Sequence(values)) = schema.get_mut("enum") {
            values.push(Value::Null);
        }
    }
    Some(Value::Mapping(schema))
}
