//! Failed-verification throttling: a flood of bad secrets on one lookup part stops costing
//! argon2 hashes after the threshold, cannot delay other keys' first use, never locks out a
//! token verified before, and counts per client address (from a trusted header only).

use std::time::{Duration, Instant};

use futures::{StreamExt, stream};
use rand::RngExt;

use crate::helpers::{Actor, Call, TestApp, fresh_database, json_of, serve_config};

/// A well-formed key with `actor`'s lookup part and a random secret.
fn bad_secret_for(actor: &Actor) -> String {
    let lookup = &actor.api_key["convo_".len().."convo_".len() + 12];
    let secret: String = (0..43)
        .map(|_| {
            let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            alphabet[rand::rng().random_range(0..alphabet.len())] as char
        })
        .collect();
    format!("convo_{lookup}{secret}")
}

async fn app_with(per_key: u32, per_address: u32, header: Option<&str>) -> TestApp {
    let mut config = serve_config(&fresh_database().await);
    config.limits.auth_failures_per_key = per_key;
    config.limits.auth_failures_per_address = per_address;
    config.limits.auth_failure_cooldown_secs = 600;
    config.limits.client_address_header = header.map(str::to_string);
    TestApp::spawn_with(config).await
}

async fn me(app: &TestApp, key: &str, client: Option<&str>) -> (u16, Option<String>) {
    let mut req = app.get("/api/actors/me", key);
    if let Some(client) = client {
        req = req.header("x-client-ip", client);
    }
    let resp = req.send().await.unwrap();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let (status, body) = json_of(resp).await;
    assert!(body["detail"].is_string() || status == 200, "{body}");
    (status, retry_after)
}

#[tokio::test]
async fn a_bad_secret_flood_stops_costing_hashes_and_others_verify_promptly() {
    const THRESHOLD: u32 = 3;
    let app = app_with(THRESHOLD, 0, None).await;
    let mallory = app.human("Mallory").await;
    let bob = app.human("Bob").await;
    let flood = {
        let (base, http, mallory) = (app.base.clone(), app.http.clone(), mallory.clone());
        tokio::spawn(async move {
            stream::iter(0..400)
                .map(|_| {
                    let url = format!("{base}/api/actors/me");
                    http.get(url).bearer_auth(bad_secret_for(&mallory)).send()
                })
                .buffer_unordered(32)
                .map(|resp| resp.unwrap().status().as_u16())
                .collect::<Vec<u16>>()
                .await
        })
    };
    // Bob's first use, while the flood runs: it waits for no flood job.
    let started = Instant::now();
    let (status, _) = me(&app, &bob.api_key, None).await;
    let bob_took = started.elapsed();
    assert_eq!(status, 200);
    assert!(
        bob_took < Duration::from_secs(5),
        "first use took {bob_took:?}"
    );

    let statuses = flood.await.unwrap();
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    assert!(statuses.iter().filter(|s| **s == 429).count() > 300);
    // The threshold, plus what was already queued when it was reached (the suspect lane and
    // the hashing threads), plus Bob's own verification.
    let hashed = app.state.auth.verifications();
    let bound = u64::from(THRESHOLD) + 4 + 2 + 1;
    assert!(hashed <= bound, "{hashed} verifications for a flood of 400");
    // From now on the flood costs nothing at all.
    for _ in 0..20 {
        let (status, retry_after) = me(&app, &bad_secret_for(&mallory), None).await;
        assert_eq!(status, 429);
        let secs: u64 = retry_after.unwrap().parse().unwrap();
        assert!((1..=600).contains(&secs));
    }
    assert_eq!(app.state.auth.verifications(), hashed);
}

#[tokio::test]
async fn a_cool_down_does_not_lock_out_a_token_verified_before() {
    let app = app_with(2, 0, None).await;
    let alice = app.human("Alice").await;
    // Verified once: the principal is cached.
    assert_eq!(me(&app, &alice.api_key, None).await.0, 200);
    for _ in 0..2 {
        assert_eq!(me(&app, &bad_secret_for(&alice), None).await.0, 401);
    }
    assert_eq!(me(&app, &bad_secret_for(&alice), None).await.0, 429);
    assert_eq!(me(&app, &alice.api_key, None).await.0, 200);
    // Even once the cached principal is gone (an invalidation), it is revalidated without
    // hashing, as the token was verified against this very hash.
    let hashed = app.state.auth.verifications();
    app.state.auth.cache.invalidate_all();
    assert_eq!(me(&app, &alice.api_key, None).await.0, 200);
    assert_eq!(app.state.auth.verifications(), hashed);
    // A token never verified is what the cool-down holds back: here, a PAT's lookup part is
    // its own, so a PAT of Alice's is unaffected.
    let (status, pat) = app
        .post(
            "/api/personal-access-tokens",
            &alice.api_key,
            serde_json::json!({"name": "cli"}),
        )
        .call()
        .await;
    assert_eq!(status, 200);
    assert_eq!(me(&app, pat["token"].as_str().unwrap(), None).await.0, 200);
}

#[tokio::test]
async fn failures_count_per_address_from_the_trusted_header_only() {
    let app = app_with(100, 3, Some("X-Client-IP")).await;
    let (a, b, c) = (
        app.human("A").await,
        app.human("B").await,
        app.human("C").await,
    );
    let attacker = Some("203.0.113.7");
    // Three failures spread over three lookup parts block the address...
    for victim in [&a, &b, &c] {
        assert_eq!(me(&app, &bad_secret_for(victim), attacker).await.0, 401);
    }
    let hashed = app.state.auth.verifications();
    assert_eq!(me(&app, &bad_secret_for(&a), attacker).await.0, 429);
    // ...even for a valid key never verified (that address gets no more hashing)...
    assert_eq!(me(&app, &c.api_key, attacker).await.0, 429);
    assert_eq!(app.state.auth.verifications(), hashed);
    // ...while other addresses are served.
    assert_eq!(me(&app, &c.api_key, Some("198.51.100.1")).await.0, 200);

    // Without the setting, the header is a client's word and is ignored: every request here
    // comes from 127.0.0.1, whatever it claims.
    let app = app_with(100, 3, None).await;
    let d = app.human("D").await;
    for n in 0..3 {
        let spoofed = format!("198.51.100.{n}");
        assert_eq!(me(&app, &bad_secret_for(&d), Some(&spoofed)).await.0, 401);
    }
    assert_eq!(
        me(&app, &bad_secret_for(&d), Some("198.51.100.200"))
            .await
            .0,
        429
    );
}

#[tokio::test]
async fn concurrent_first_uses_of_one_key_verify_it_once() {
    let app = app_with(1, 1, None).await;
    let alice = app.human("Alice").await;
    let answers = futures::future::join_all((0..12).map(|_| me(&app, &alice.api_key, None))).await;
    assert!(
        answers.iter().all(|(status, _)| *status == 200),
        "{answers:?}"
    );
    assert_eq!(app.state.auth.verifications(), 1);
}
