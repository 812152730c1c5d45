//! Every error is `{"detail": ...}` with the right status, the framework's own included.

use serde_json::json;

use crate::helpers::{Call, TestApp, json_of};

fn assert_detail(body: &serde_json::Value) {
    let obj = body.as_object().expect("JSON object body");
    assert!(
        obj["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn malformed_bodies_are_400_with_detail() {
    let app = TestApp::spawn().await;
    let url = app.url("/api/actors");
    let cases: Vec<reqwest::RequestBuilder> = vec![
        app.http
            .post(&url)
            .header("content-type", "application/json")
            .body("{bad"),
        app.http
            .post(&url)
            .header("content-type", "application/json")
            .body(""),
        app.http.post(&url).json(&json!({"email": "a@b.c"})),
        app.http
            .post(&url)
            .json(&json!({"display_name": 42, "email": "a@b.c"})),
        app.http.post(&url).json(&json!([1, 2])),
        app.http
            .post(&url)
            .body(r#"{"display_name":"x","email":"a@b.c"}"#),
        app.http
            .post(&url)
            .header("content-type", "text/plain")
            .body("hello"),
    ];
    for case in cases {
        let (status, body) = case.call().await;
        assert_eq!(status, 400, "{body}");
        assert_detail(&body);
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let app = TestApp::spawn().await;
    let (status, body) = app.http.get(app.url("/api/nothing-here")).call().await;
    assert_eq!(status, 404);
    assert_detail(&body);
    let (status, body) = app.http.delete(app.url("/health")).call().await;
    assert_eq!(status, 405);
    assert_detail(&body);
}

#[tokio::test]
async fn oversized_bodies_are_413_with_or_without_length() {
    let app = TestApp::spawn().await;
    let big = format!(
        r#"{{"display_name":"{}","email":"a@b.c"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let resp = app
        .http
        .post(app.url("/api/actors"))
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_eq!(status, 413);
    assert_detail(&body);

    // Chunked: no Content-Length to trust.
    let stream = futures::stream::iter(
        big.into_bytes()
            .chunks(64 * 1024)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let resp = app
        .http
        .post(app.url("/api/actors"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_eq!(status, 413);
    assert_detail(&body);
}

#[tokio::test]
async fn field_bounds_are_400_naming_the_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({"display_name": "", "email": "a@b.c"}),
            "display_name",
        ),
        (
            json!({"display_name": "x".repeat(201), "email": "a@b.c"}),
            "display_name",
        ),
        (
            json!({"display_name": "x", "email": "not-an-email"}),
            "email",
        ),
        (
            json!({"display_name": "x", "email": "a@b.c", "metadata": [1]}),
            "metadata",
        ),
        (
            json!({"display_name": "x", "email": "a@b.c", "actor_type": "robot"}),
            "ActorType",
        ),
    ];
    for (body, field) in cases {
        let (status, resp) = app
            .http
            .post(app.url("/api/actors"))
            .json(&body)
            .call()
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(resp["detail"].as_str().unwrap().contains(field), "{resp}");
    }
}
