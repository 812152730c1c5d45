//! Rate limiting per actor: headers on every authenticated response, 429 with `Retry-After`
//! past the burst, one bucket per actor shared by all its credentials.

use serde_json::json;

use crate::helpers::{Call, TestApp, fresh_database, json_of, serve_config};

fn header(resp: &reqwest::Response, name: &str) -> Option<u64> {
    resp.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().parse().unwrap())
}

async fn me(app: &TestApp, key: &str) -> reqwest::Response {
    app.get("/api/actors/me", key).send().await.unwrap()
}

/// A server allowing `burst` requests at once and then `per_sec` a second (0: no limit).
async fn limited_app(per_sec: u32, burst: u32) -> TestApp {
    let mut config = serve_config(&fresh_database().await);
    config.rate_limit_per_sec = per_sec;
    config.rate_limit_burst = burst;
    TestApp::spawn_with(config).await
}

#[tokio::test]
async fn authenticated_responses_carry_the_headers() {
    let app = limited_app(50, 100).await;
    let alice = app.human("Alice").await;
    let resp = me(&app, &alice.api_key).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "x-ratelimit-limit"), Some(100));
    assert_eq!(header(&resp, "x-ratelimit-remaining"), Some(99));
    assert_eq!(header(&resp, "x-ratelimit-reset"), Some(1));
    let second = me(&app, &alice.api_key).await;
    assert!(header(&second, "x-ratelimit-remaining").unwrap() <= 99);
    // By query parameter too.
    let url = app.url(&format!("/api/actors/me?token={}", alice.api_key));
    let resp = app.http.get(url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(header(&resp, "x-ratelimit-remaining").is_some());
    // Handler errors of an authenticated request carry them too.
    let resp = app
        .get("/api/spaces/nope/events", &alice.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert!(header(&resp, "x-ratelimit-limit").is_some());
    assert_eq!(
        resp.json::<serde_json::Value>().await.unwrap(),
        json!({"detail": "Space not found"})
    );
    // Unauthenticated requests are not counted.
    let resp = app.http.get(app.url("/health")).send().await.unwrap();
    assert!(header(&resp, "x-ratelimit-limit").is_none());
}

#[tokio::test]
async fn past_the_burst_429_with_retry_after_per_actor() {
    let app = limited_app(1, 3).await;
    let alice = app.human("Alice").await;
    let bob = app.human("Bob").await;
    let first = me(&app, &alice.api_key).await;
    assert_eq!(first.status(), 200);
    assert_eq!(header(&first, "x-ratelimit-limit"), Some(3));
    assert_eq!(header(&first, "x-ratelimit-remaining"), Some(2));
    // The bucket refills at 1/s: within a few more requests it is empty.
    let mut limited = None;
    for _ in 0..20 {
        let resp = me(&app, &alice.api_key).await;
        if resp.status() == 429 {
            limited = Some(resp);
            break;
        }
        assert_eq!(resp.status(), 200);
    }
    let resp = limited.expect("a 429 after the burst");
    assert_eq!(header(&resp, "retry-after"), Some(1));
    assert_eq!(header(&resp, "x-ratelimit-limit"), Some(3));
    assert_eq!(header(&resp, "x-ratelimit-remaining"), Some(0));
    assert!(header(&resp, "x-ratelimit-reset").is_some_and(|s| (1..=3).contains(&s)));
    let (_, body) = json_of(resp).await;
    assert!(
        body["detail"].as_str().unwrap().contains("Rate limit"),
        "{body}"
    );
    assert_eq!(body.as_object().unwrap().len(), 1);

    // Bob has a bucket of his own.
    let resp = me(&app, &bob.api_key).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "x-ratelimit-remaining"), Some(2));
}

#[tokio::test]
async fn personal_access_tokens_share_their_owners_bucket() {
    let app = limited_app(1, 50).await;
    let bob = app.human("Bob").await;
    let (status, pat) = app
        .post(
            "/api/personal-access-tokens",
            &bob.api_key,
            json!({"name": "cli"}),
        )
        .call()
        .await;
    assert_eq!(status, 200);
    for _ in 0..20 {
        let resp = me(&app, &bob.api_key).await;
        assert_eq!(resp.status(), 200);
    }
    // 21 requests taken from a bucket of 50 refilling at 1/s: a bucket of the token's own
    // would still hold 49; the shared one holds at most 29 + the seconds elapsed.
    let resp = me(&app, pat["token"].as_str().unwrap()).await;
    assert_eq!(resp.status(), 200);
    let remaining = header(&resp, "x-ratelimit-remaining").unwrap();
    assert!(
        remaining < 45,
        "{remaining} left: the token has a bucket of its own"
    );
}

#[tokio::test]
async fn zero_rate_disables_limiting() {
    let app = limited_app(0, 1).await;
    let alice = app.human("Alice").await;
    for _ in 0..5 {
        let resp = me(&app, &alice.api_key).await;
        assert_eq!(resp.status(), 200);
        assert!(header(&resp, "x-ratelimit-limit").is_none());
    }
}
