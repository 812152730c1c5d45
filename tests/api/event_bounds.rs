//! Bounds on event input: every violation is a 400 with a detail naming the field, and no
//! input reaches the database as something it cannot store.

use serde_json::{Value, json};

use crate::{
    events::{detail, get, post},
    helpers::TestApp,
};

#[tokio::test]
async fn bounds_are_400_naming_the_field() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let generic = |extra: Value| {
        let mut body = json!({"speaker_id": "s", "speaker_name": "S", "text": "t"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let cases = [
        ("speech", json!({"text": ""}), "text"),
        ("speech", json!({"text": "   \n"}), "text"),
        ("speech", json!({"text": "x".repeat(32769)}), "text"),
        ("speech", json!({"text": "a\u{0}b"}), "text"),
        ("speech", json!({"text": 42}), ""),
        ("speech", json!({}), ""),
        (
            "speech",
            json!({"text": "t", "speaker_id": "x".repeat(129)}),
            "speaker_id",
        ),
        (
            "speech",
            json!({"text": "t", "speaker_name": "x".repeat(201)}),
            "speaker_name",
        ),
        ("speech", json!({"text": "t", "metadata": [1]}), "metadata"),
        (
            "speech",
            json!({"text": "t", "metadata": {"a": "x".repeat(17000)}}),
            "metadata",
        ),
        (
            "speech",
            json!({"text": "t", "metadata": {"mentions": "bob"}}),
            "mentions",
        ),
        (
            "speech",
            json!({"text": "t", "metadata": {"mentions": [1]}}),
            "mentions",
        ),
        (
            "speech",
            json!({"text": "t", "metadata": {"mentions": vec!["b"; 51]}}),
            "mentions",
        ),
        ("response", json!({"text": ""}), "text"),
        ("events", json!({"text": "t", "speaker_name": "S"}), ""),
        (
            "events",
            generic(json!({"speaker_type": "Robot"})),
            "speaker_type",
        ),
        (
            "events",
            generic(json!({"speaker_type": "x".repeat(33)})),
            "speaker_type",
        ),
        (
            "events",
            generic(json!({"references": ["not a uri"]})),
            "references",
        ),
        (
            "events",
            generic(json!({"references": [format!("https://a.example/{}", "x".repeat(2048))]})),
            "references",
        ),
        (
            "events",
            generic(json!({"references": vec!["https://a.example"; 51]})),
            "references",
        ),
    ];
    for (op, body, field) in cases {
        let (status, resp) = post(
            &app,
            &alice,
            &format!("/api/spaces/room/{op}"),
            None,
            body.clone(),
        )
        .await;
        detail(status, &resp, 400);
        assert!(
            resp["detail"].as_str().unwrap().contains(field),
            "{op} {body}: {resp}"
        );
    }
    for (key, ok) in [
        ("", false),
        ("a b", false),
        ("é", false),
        (&*"k".repeat(256), false),
        (&*"k".repeat(255), true),
    ] {
        let (status, resp) = post(
            &app,
            &alice,
            "/api/spaces/room/speech",
            Some(key),
            json!({"text": "t"}),
        )
        .await;
        if ok {
            assert_eq!(status, 200, "{resp}");
        } else {
            assert_eq!(status, 400, "{key:?}: {resp}");
        }
    }
    for bad in ["limit=0", "limit=201", "limit=x", "since=not-a-uuid"] {
        let (s, b) = get(&app, &alice, &format!("/api/spaces/room/events?{bad}")).await;
        detail(s, &b, 400);
    }
    // Nothing was stored by the refused requests.
    let (_, all) = get(&app, &alice, "/api/spaces/room/events").await;
    assert_eq!(all.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn nul_characters_are_400_not_500() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    for (op, body) in [
        ("speech", json!({"text": "t", "metadata": {"k": "a\u{0}b"}})),
        ("speech", json!({"text": "t", "metadata": {"a\u{0}": 1}})),
        (
            "speech",
            json!({"text": "t", "metadata": {"mentions": ["a\u{0}"]}}),
        ),
        ("speech", json!({"text": "t", "speaker_name": "a\u{0}b"})),
        (
            "events",
            json!({"speaker_id": "s", "speaker_name": "S", "text": "t", "references": ["https://a.example/\u{0}"]}),
        ),
    ] {
        let (s, b) = post(
            &app,
            &alice,
            &format!("/api/spaces/room/{op}"),
            None,
            body.clone(),
        )
        .await;
        detail(s, &b, 400);
    }
    let cursor = format!("/api/spaces/ro%00om/events?since={}", uuid::Uuid::now_v7());
    // Repeated: the statements of one request are pipelined, and whichever of their errors
    // is reported must be the first statement's (400), never a later "transaction aborted".
    for _ in 0..30 {
        for path in [
            "/api/spaces/room/mentions/a%00b",
            "/api/spaces/ro%00om/events",
            cursor.as_str(),
            "/api/spaces/ro%00om/status",
        ] {
            let (s, b) = get(&app, &alice, path).await;
            assert!(s == 400 || s == 404, "{path}: {s} {b}");
        }
    }
}

/// A refused value is answered with its rule's own message, not with the parser's wording
/// around it.
#[tokio::test]
async fn a_refused_value_gets_its_rules_message() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    for (key, body, expected) in [
        (None, json!({"text": " \n"}), "text must not be empty"),
        (
            None,
            json!({"text": "t", "speaker_name": "x".repeat(201)}),
            "speaker_name must be at most 200 characters",
        ),
        (
            Some("a b"),
            json!({"text": "t"}),
            "Idempotency-Key must be 1-255 visible ASCII characters",
        ),
        (
            Some("é"),
            json!({"text": "t"}),
            "Idempotency-Key must be 1-255 visible ASCII characters",
        ),
    ] {
        let (status, resp) = post(&app, &alice, "/api/spaces/room/speech", key, body).await;
        assert_eq!((status, resp["detail"].as_str()), (400, Some(expected)));
    }
}
