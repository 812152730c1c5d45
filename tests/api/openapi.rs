//! The committed spec must equal what the code generates, and the server must serve it.

use crate::helpers::TestApp;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn committed_spec_matches_the_code() {
    let generated: serde_json::Value = serde_json::from_str(&convo::api::service().spec()).unwrap();
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
    let docs = app.http.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
}

/// Optional fields are sent as `null` (the contract shows `"parent_event_id": null`), so the
/// spec must say they are nullable, or strict generated clients reject real responses.
#[test]
fn every_optional_property_is_nullable() {
    let spec: serde_json::Value = serde_json::from_str(&convo::api::service().spec()).unwrap();
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
