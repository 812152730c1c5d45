//! Event references and space links are rendered as links by clients: a URI that runs script
//! when followed (`javascript:`, `vbscript:`, `data:`, however a browser would still read it
//! as one) is a 400 `{"detail"}` naming the field, and nothing is stored; so is a link holding a
//! control character.

use serde_json::{Value, json};

use crate::helpers::{Call, TestApp, json_of};

/// Script-capable URIs as an attacker would disguise them; browsers strip leading controls
/// and spaces, drop tabs and line breaks, and ignore case before reading the scheme.
const SCRIPT_URIS: [&str; 8] = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "\u{1}\u{8}javascript:alert(1)",
    "java\tscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
];

fn refused(status: u16, body: &Value, field: &str, uri: &str) {
    assert_eq!(status, 400, "{uri:?}: {body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(field), "{uri:?}: {body}");
}

#[tokio::test]
async fn event_references_refuse_script_capable_schemes() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    for uri in SCRIPT_URIS {
        let body = json!({"speaker_id": "s", "speaker_name": "S", "text": "see",
                          "references": ["https://ok.example/x", uri]});
        let resp = app
            .post("/api/spaces/room/events", &alice.api_key, body)
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(resp).await;
        refused(status, &body, "references", uri);
    }
    let (status, events) = app
        .get("/api/spaces/room/events", &alice.api_key)
        .call()
        .await;
    assert_eq!((status, events), (200, json!([])), "nothing was stored");
    // Other schemes are still artifact URIs.
    let refs = json!([
        "urn:isbn:0451450523",
        "s3://bucket/key",
        "https://a.example/x"
    ]);
    let resp = app
        .post(
            "/api/spaces/room/events",
            &alice.api_key,
            json!({"speaker_id": "s", "speaker_name": "S", "text": "ok", "references": refs}),
        )
        .send()
        .await
        .unwrap();
    let (status, event) = json_of(resp).await;
    assert_eq!(status, 200, "{event}");
    assert_eq!(event["references"], refs);
}

#[tokio::test]
async fn space_links_refuse_script_capable_schemes() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    // A URL holds no control character; U+0000 could not even be stored.
    let controls = ["https://a.example/\u{0}x", "https://a.example/\u{1}"];
    for uri in SCRIPT_URIS.into_iter().chain(controls) {
        let resp = app
            .post(
                "/api/spaces",
                &alice.api_key,
                json!({"space_id": "other", "links": [uri]}),
            )
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(resp).await;
        refused(status, &body, "links", uri);
        let resp = app
            .patch("/api/spaces/room", &alice.api_key, json!({"links": [uri]}))
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(resp).await;
        refused(status, &body, "links", uri);
    }
    let (_, space) = app
        .get("/api/spaces/room/status", &alice.api_key)
        .call()
        .await;
    assert_eq!(space["links"], json!([]), "{space}");
}
