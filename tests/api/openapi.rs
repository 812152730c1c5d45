//! The committed spec must equal what the code generates, and the server must serve it.

use crate::helpers::TestApp;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn committed_spec_matches_the_code() {
    let generated: serde_json::Value = serde_json::from_str(&convo::api::spec::json()).unwrap();
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert!(
        generated == committed,
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[tokio::test]
async fn the_server_serves_the_spec_and_docs() {
    let app = TestApp::spawn().await;
    let served: serde_json::Value = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(served, committed);
    assert!(served["openapi"].as_str().unwrap().starts_with("3."));
    let yaml = app.http.get(app.url("/openapi.yaml")).send().await.unwrap();
    assert_eq!(yaml.status(), 200);
    let yaml = yaml.text().await.unwrap();
    assert!(yaml.contains("openapi: 3.") && yaml.contains("application/json:"));
    let docs = app.http.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
}

/// Optional fields are sent as `null` (the contract shows `"parent_event_id": null`), so the
/// spec must say they are nullable, or strict generated clients reject real responses.
#[test]
fn every_optional_property_is_nullable() {
    let spec: serde_json::Value = serde_json::from_str(&convo::api::spec::json()).unwrap();
    let mut offenders = Vec::new();
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        for (field, property) in schema["properties"].as_object().into_iter().flatten() {
            let nullable = property["nullable"].as_bool().unwrap_or(false);
            if !required.contains(&field.as_str()) && !nullable {
                offenders.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "optional but not nullable: {offenders:?}"
    );
}

fn generated_spec() -> serde_json::Value {
    serde_json::from_str(&convo::api::spec::json()).unwrap()
}

fn operations(spec: &serde_json::Value) -> Vec<(String, &serde_json::Value)> {
    let mut out = Vec::new();
    for (path, methods) in spec["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            out.push((format!("{} {path}", method.to_uppercase()), operation));
        }
    }
    out
}

/// The contract as a product: every operation is named, tagged and explained.
#[test]
fn every_operation_has_an_id_a_tag_a_summary_and_a_description() {
    let spec = generated_spec();
    let mut offenders = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for (name, operation) in operations(&spec) {
        for field in ["operationId", "summary", "description"] {
            if operation[field]
                .as_str()
                .is_none_or(|s| s.trim().is_empty())
            {
                offenders.push(format!("{name}: no {field}"));
            }
        }
        if operation["tags"].as_array().is_none_or(|t| t.is_empty()) {
            offenders.push(format!("{name}: no tag"));
        }
        if !ids.insert(operation["operationId"].to_string()) {
            offenders.push(format!("{name}: duplicate operationId"));
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// Every 4xx and 5xx is `{"detail"}`, except rotate-key's structured 409.
#[test]
fn every_error_response_uses_the_error_schema() {
    let spec = generated_spec();
    let mut offenders = Vec::new();
    for (name, operation) in operations(&spec) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            if !(status.starts_with('4') || status.starts_with('5')) {
                continue;
            }
            let content = response["content"].as_object();
            let schemas: Vec<&str> = content
                .into_iter()
                .flatten()
                .map(|(_, media)| media["schema"]["$ref"].as_str().unwrap_or("inline"))
                .collect();
            let expected = if name == "POST /api/actors/{actor_id}/rotate-key" && status == "409" {
                "#/components/schemas/AgentConnected"
            } else {
                "#/components/schemas/ErrorBody"
            };
            if schemas.is_empty() || schemas.iter().any(|s| *s != expected) {
                offenders.push(format!("{name} {status}: {schemas:?}"));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
    let error = &spec["components"]["schemas"]["ErrorBody"];
    assert_eq!(error["required"], serde_json::json!(["detail"]));
}

/// Every parameter and every schema property says what it is.
#[test]
fn every_parameter_and_property_is_described() {
    let spec = generated_spec();
    let mut offenders = Vec::new();
    for (name, operation) in operations(&spec) {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            if parameter["description"]
                .as_str()
                .is_none_or(|d| d.is_empty())
            {
                offenders.push(format!("{name}: parameter {}", parameter["name"]));
            }
        }
    }
    for (schema_name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        for (field, property) in schema["properties"].as_object().into_iter().flatten() {
            if property["description"]
                .as_str()
                .is_none_or(|d| d.is_empty())
            {
                offenders.push(format!("{schema_name}.{field}"));
            }
        }
    }
    assert!(offenders.is_empty(), "undescribed: {offenders:#?}");
}

/// The stream is documented as `text/event-stream` whose schema is one message, as Open API
/// 3.0 tools read it (schemathesis validated each message against an array schema before).
#[test]
fn the_stream_is_documented_as_server_sent_events() {
    let spec = generated_spec();
    let ok = &spec["paths"]["/api/spaces/{space_id}/events/stream"]["get"]["responses"]["200"];
    let content = ok["content"].as_object().unwrap();
    assert_eq!(content.keys().collect::<Vec<_>>(), ["text/event-stream"]);
    assert_eq!(
        content["text/event-stream"]["schema"]["$ref"],
        "#/components/schemas/StreamMessage"
    );
    let message = &spec["components"]["schemas"]["StreamMessage"];
    assert_eq!(message["type"], "object");
    assert_eq!(
        message["properties"]["event"]["enum"],
        serde_json::json!(["context_event"])
    );
}

/// Keys go in the `Authorization` header or, where headers cannot be set, `?token=`.
#[test]
fn both_key_schemes_are_declared_on_every_key_operation() {
    let spec = generated_spec();
    let schemes = &spec["components"]["securitySchemes"];
    assert_eq!(schemes["BearerKey"]["type"], "http");
    assert_eq!(schemes["BearerKey"]["scheme"], "bearer");
    assert_eq!(schemes["QueryKey"]["type"], "apiKey");
    assert_eq!(schemes["QueryKey"]["in"], "query");
    assert_eq!(schemes["QueryKey"]["name"], "token");
    for (name, operation) in operations(&spec) {
        let Some(security) = operation["security"].as_array() else {
            assert!(
                name.ends_with("/health") || name.ends_with("/ready"),
                "{name}"
            );
            continue;
        };
        let names: Vec<String> = security
            .iter()
            .flat_map(|s| s.as_object().unwrap().keys().cloned())
            .collect();
        if name.contains("/api/admin/") {
            assert_eq!(names, ["OperatorAuth"], "{name}");
        } else {
            assert!(names.contains(&"BearerKey".to_string()), "{name}");
            assert!(names.contains(&"QueryKey".to_string()), "{name}");
        }
    }
}

/// Identifiers and timestamps carry their formats, so generated clients type them.
#[test]
fn ids_and_timestamps_declare_their_formats() {
    let spec = generated_spec();
    let schemas = &spec["components"]["schemas"];
    for (schema, field, format) in [
        ("Event", "event_id", "uuid"),
        ("Event", "timestamp", "date-time"),
        ("ActorInfo", "actor_id", "uuid"),
        ("TenantInfo", "tenant_id", "uuid"),
        ("Decision", "decision_id", "uuid"),
        ("SpaceInfo", "started_at", "date-time"),
    ] {
        assert_eq!(
            schemas[schema]["properties"][field]["format"], format,
            "{schema}.{field}"
        );
    }
}

/// JSON bodies are documented under the conventional bare media type (see `api::spec`).
#[test]
fn json_bodies_are_documented_as_application_json() {
    let spec = convo::api::spec::json();
    assert!(
        !spec.contains("charset"),
        "a media type with parameters in the spec"
    );
    assert!(spec.contains("\"application/json\""));
}

/// openapi-python-client rejects `allOf` over an enum and drops every model using one (and
/// the operations with them), so enum properties are inlined.
#[test]
fn no_property_reaches_an_enum_through_all_of() {
    let spec = generated_spec();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let mut offenders = Vec::new();
    for (name, schema) in schemas {
        for (field, property) in schema["properties"].as_object().into_iter().flatten() {
            let target = property["allOf"][0]["$ref"].as_str().unwrap_or_default();
            let target = target.trim_start_matches("#/components/schemas/");
            if schemas.get(target).is_some_and(|s| s.get("enum").is_some()) {
                offenders.push(format!("{name}.{field}"));
            }
            if property["nullable"] == true && property.get("enum").is_some() {
                assert!(
                    property["enum"]
                        .as_array()
                        .unwrap()
                        .contains(&serde_json::Value::Null),
                    "{name}.{field}: a nullable enum must list null"
                );
            }
        }
    }
    assert!(offenders.is_empty(), "enum through allOf: {offenders:?}");
}
