use crate::helpers::Call;
use crate::helpers::TestApp;

#[tokio::test]
async fn health_needs_no_auth_and_says_ok() {
    let app = TestApp::spawn().await;
    let (status, body) = app.http.get(app.url("/health")).call().await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"status": "ok"}));
    let (status, _) = app.http.get(app.url("/ready")).call().await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn request_id_is_returned_and_honoured() {
    let app = TestApp::spawn().await;
    let resp = app
        .http
        .get(app.url("/health"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "abc-123");
    let resp = app.http.get(app.url("/nope")).send().await.unwrap();
    assert!(!resp.headers()["x-request-id"].is_empty());
}
