//! Quotas: tenants per actor (per hour and in total), personal access tokens and agents per
//! human (counted in the inserting transaction, so concurrent requests cannot overshoot), and
//! registrations per client address per hour (from a trusted header only).

use futures::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{Call, TestApp, fresh_database, serve_config};

async fn app_with(configure: impl FnOnce(&mut convo::config::LimitsConfig)) -> TestApp {
    let mut config = serve_config(&fresh_database().await);
    configure(&mut config.limits);
    TestApp::spawn_with(config).await
}

/// The statuses of `requests` sent all at once, sorted, and one body per status.
async fn concurrently(requests: Vec<reqwest::RequestBuilder>) -> (Vec<u16>, Vec<Value>) {
    let answers = join_all(requests.into_iter().map(|r| async { r.call().await })).await;
    let mut statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    statuses.sort();
    (statuses, answers.into_iter().map(|(_, b)| b).collect())
}

fn detail_of(bodies: &[Value], needle: &str) -> bool {
    bodies.iter().any(|b| {
        b.as_object().unwrap().len() == 1 && b["detail"].as_str().unwrap().contains(needle)
    })
}

#[tokio::test]
async fn tenants_per_actor_per_hour_and_in_total() {
    let app = app_with(|l| {
        l.tenants_per_actor_per_hour = 2;
        l.tenants_per_actor = 3;
    })
    .await;
    let alice = app.human("Alice").await;
    // Six at once: the hourly quota lets exactly two through.
    let requests = (0..6)
        .map(|n| {
            app.post(
                "/api/tenants",
                &alice.api_key,
                json!({"name": format!("Org {n}")}),
            )
        })
        .collect();
    let (statuses, bodies) = concurrently(requests).await;
    assert_eq!(statuses, [200, 200, 429, 429, 429, 429]);
    assert!(detail_of(&bodies, "2 tenants per hour; retry in"));
    // An hour later (the creations moved back in time), one more fits the total of three.
    let db = app.db().await;
    db.execute(
        "UPDATE convo.tenants SET created_at = created_at - interval '61 minutes'",
        &[],
    )
    .await
    .unwrap();
    app.tenant(&alice, "Org 7").await;
    db.execute(
        "UPDATE convo.tenants SET created_at = created_at - interval '61 minutes'",
        &[],
    )
    .await
    .unwrap();
    let (status, body) = app
        .post("/api/tenants", &alice.api_key, json!({"name": "Org 8"}))
        .call()
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body,
        json!({"detail": "Tenant quota reached: an actor may create 3 tenants"})
    );
    let count: i64 = db
        .query_one("SELECT count(*) FROM convo.tenants", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 3);
    // Another actor has quotas of their own.
    let bob = app.human("Bob").await;
    app.tenant(&bob, "Bob Org").await;
}

#[tokio::test]
async fn personal_access_tokens_per_human_even_when_created_at_once() {
    let app = app_with(|l| l.pats_per_human = 3).await;
    let alice = app.human("Alice").await;
    let create = || {
        app.post(
            "/api/personal-access-tokens",
            &alice.api_key,
            json!({"name": "cli"}),
        )
    };
    let (statuses, bodies) = concurrently((0..8).map(|_| create()).collect()).await;
    assert_eq!(statuses, [200, 200, 200, 403, 403, 403, 403, 403]);
    assert!(detail_of(&bodies, "at most 3 unrevoked tokens"));
    // Revoking one frees its place.
    let pat_id = bodies.iter().find_map(|b| b["pat_id"].as_str()).unwrap();
    let resp = app
        .http
        .delete(app.url(&format!("/api/personal-access-tokens/{pat_id}")))
        .bearer_auth(&alice.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(create().send().await.unwrap().status(), 200);
    assert_eq!(create().send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn agents_per_human_even_when_registered_at_once() {
    let app = app_with(|l| l.agents_per_human = 3).await;
    let alice = app.human("Alice").await;
    let register = |n: usize| {
        app.post(
            "/api/actors",
            &alice.api_key,
            json!({"display_name": format!("Bot {n}"), "actor_type": "agent"}),
        )
    };
    let (statuses, bodies) = concurrently((0..8).map(register).collect()).await;
    assert_eq!(statuses, [200, 200, 200, 403, 403, 403, 403, 403]);
    assert!(detail_of(&bodies, "at most 3 agents"));
    let db = app.db().await;
    let agents: i64 = db
        .query_one(
            "SELECT count(*) FROM convo.actors WHERE actor_type = 'agent'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(agents, 3);
    // Bob sponsors agents of his own.
    let bob = app.human("Bob").await;
    app.agent(&bob, "Bob's Bot").await;
}

#[tokio::test]
async fn registrations_per_address_per_hour_from_the_trusted_header_only() {
    let register = |app: &TestApp, n: usize, client: &str| {
        app.http
            .post(app.url("/api/actors"))
            .header("x-forwarded-for", format!("192.0.2.1, {client}"))
            .json(&json!({"display_name": format!("U{n}"), "email": format!("u{n}@example.com")}))
    };
    let app = app_with(|l| {
        l.registrations_per_address_per_hour = 3;
        l.client_address_header = Some("X-Forwarded-For".to_string());
    })
    .await;
    let requests = (0..5).map(|n| register(&app, n, "203.0.113.5")).collect();
    let (statuses, bodies) = concurrently(requests).await;
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    assert!(detail_of(&bodies, "3 per hour; retry in"));
    // Another client behind the same proxy is not affected; the client-written first entry
    // of the list counts for nothing.
    assert_eq!(
        register(&app, 9, "203.0.113.6")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Without the setting, a client cannot pick its address: all of these come from
    // 127.0.0.1.
    let app = app_with(|l| l.registrations_per_address_per_hour = 2).await;
    let requests = (0..3)
        .map(|n| register(&app, n, &format!("198.51.100.{n}")))
        .collect();
    let (statuses, _) = concurrently(requests).await;
    assert_eq!(statuses, [200, 200, 429]);
}
