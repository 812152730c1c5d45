//! Regression tests for what the conformance run (`scripts/schemathesis`) found, and for the
//! bounds the spec now declares: the server enforces each one with a `{"detail"}` 400 that
//! names the field.

use serde_json::{Value, json};

use crate::helpers::{Call, TestApp, json_of};

fn detail(body: &Value) -> &str {
    body["detail"]
        .as_str()
        .unwrap_or_else(|| panic!("no detail: {body}"))
}

/// RFC 9110: a 405 lists the methods the route answers.
#[tokio::test]
async fn method_not_allowed_carries_allow_and_detail() {
    let app = TestApp::spawn().await;
    for (method, path, allow) in [
        (reqwest::Method::DELETE, "/health", "GET, HEAD"),
        (reqwest::Method::PUT, "/api/actors/some-id", "DELETE, PATCH"),
        (
            reqwest::Method::POST,
            "/api/spaces/s/events/stream",
            "GET, HEAD",
        ),
        (reqwest::Method::DELETE, "/api/spaces", "GET, HEAD, POST"),
    ] {
        let resp = app
            .http
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        let header = resp
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_string());
        let (status, body) = json_of(resp).await;
        assert_eq!(status, 405, "{method} {path}");
        assert_eq!(header.as_deref(), Some(allow), "{method} {path}");
        assert!(!detail(&body).is_empty());
    }
}

/// Each bound the spec declares is enforced, and the 400 names the field.
#[tokio::test]
async fn declared_bounds_are_enforced_naming_the_field() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("alice").await;
    app.space(&alice, "room").await;
    let key = &alice.api_key;
    let cases = [
        ("/api/tenants", json!({"name": "a\u{7}b"}), "name"),
        ("/api/tenants", json!({"name": "x".repeat(201)}), "name"),
        (
            "/api/spaces",
            json!({"space_id": "-starts-badly"}),
            "space_id",
        ),
        (
            "/api/spaces",
            json!({"space_id": "many-links", "links": vec!["https://example.com"; 51]}),
            "links",
        ),
        (
            "/api/spaces",
            json!({"space_id": "ftp-link", "links": ["ftp://example.com/x"]}),
            "links",
        ),
        (
            "/api/personal-access-tokens",
            json!({"name": "x".repeat(65)}),
            "name",
        ),
        ("/api/spaces/room/speech", json!({"text": ""}), "text"),
        (
            "/api/spaces/room/events",
            json!({"speaker_id": "s", "speaker_name": "S", "text": "hi", "speaker_type": "Robot"}),
            "speaker_type",
        ),
        (
            "/api/spaces/room/events",
            json!({"speaker_id": "s", "speaker_name": "S", "text": "hi",
                   "references": vec!["urn:x"; 51]}),
            "references",
        ),
        (
            "/api/spaces/room/decisions",
            json!({"text": " \n "}),
            "text",
        ),
    ];
    for (path, body, field) in cases {
        let (status, resp) = app.post(path, key, body.clone()).call().await;
        assert_eq!(status, 400, "{path} {body}: {resp}");
        assert!(detail(&resp).contains(field), "{path}: {resp}");
    }
}

/// Header bounds are declared on the parameters and enforced the same way.
#[tokio::test]
async fn declared_header_bounds_are_enforced() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("alice").await;
    app.space(&alice, "room").await;
    let cases = [
        (
            "/api/spaces/room/speech",
            "Idempotency-Key",
            "k".repeat(256),
        ),
        ("/api/actors", "X-Installation-Id", "i".repeat(129)),
        (
            &*format!("/api/actors/{}/rotate-key", alice.actor_id),
            "X-Force-Rotate",
            "yes".to_string(),
        ),
    ];
    for (path, header, value) in cases {
        let resp = app
            .post(
                path,
                &alice.api_key,
                json!({"text": "hi", "display_name": "x", "email": "x@y.z"}),
            )
            .header(header, value)
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(resp).await;
        assert_eq!(status, 400, "{path} {header}: {body}");
        assert!(detail(&body).contains(header), "{body}");
    }
}

/// Values at the declared bounds are accepted (the spec is not stricter than the server).
#[tokio::test]
async fn values_at_the_declared_bounds_are_accepted() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("alice").await;
    let key = &alice.api_key;
    let (status, body) = app
        .post("/api/tenants", key, json!({"name": "é".repeat(200)}))
        .call()
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .post(
            "/api/spaces",
            key,
            json!({"space_id": "a".repeat(128), "links": vec!["HTTPS://example.com/x"; 1]}),
        )
        .call()
        .await;
    assert_eq!(status, 200, "{body}");
}
