//! The actor lifecycle: sponsored agents, update, deletion (with the sponsor's agents), key
//! rotation reaching every replica, installations (the structured 409, forced take-over) and
//! release.

use serde_json::{Value, json};

use crate::{
    helpers::{Actor, Call, TestApp, invalidated},
    sse::Sse,
};

const NOBODY: &str = "00000000-0000-4000-8000-000000000000";

async fn send(req: reqwest::RequestBuilder) -> (u16, Value) {
    req.call().await
}

async fn me(app: &TestApp, key: &str) -> u16 {
    send(app.get("/api/actors/me", key)).await.0
}

fn delete(app: &TestApp, key: &str, id: &str) -> reqwest::RequestBuilder {
    app.http
        .delete(app.url(&format!("/api/actors/{id}")))
        .bearer_auth(key)
}

/// `POST …/rotate-key` with optional installation and force headers.
fn rotate(
    app: &TestApp,
    key: &str,
    id: &str,
    installation: Option<&str>,
    force: Option<&str>,
) -> reqwest::RequestBuilder {
    let mut req = app
        .http
        .post(app.url(&format!("/api/actors/{id}/rotate-key")))
        .bearer_auth(key);
    if let Some(installation) = installation {
        req = req.header("X-Installation-Id", installation);
    }
    if let Some(force) = force {
        req = req.header("X-Force-Rotate", force);
    }
    req
}

fn release(app: &TestApp, key: &str, id: &str) -> reqwest::RequestBuilder {
    app.http
        .post(app.url(&format!("/api/actors/{id}/release")))
        .bearer_auth(key)
}

/// An agent of `sponsor` registered from `installation`.
async fn agent_on(app: &TestApp, sponsor: &Actor, name: &str, installation: &str) -> Actor {
    let (status, body) = send(
        app.post(
            "/api/actors",
            &sponsor.api_key,
            json!({"display_name": name, "actor_type": "agent"}),
        )
        .header("X-Installation-Id", installation),
    )
    .await;
    assert_eq!(status, 200, "register agent: {body}");
    Actor {
        actor_id: body["actor_id"].as_str().unwrap().to_string(),
        api_key: body["api_key"].as_str().unwrap().to_string(),
        body,
    }
}

fn assert_detail(status: u16, body: &Value, expected: u16) {
    assert_eq!(status, expected, "{body}");
    assert!(body["detail"].is_string(), "{body}");
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
}

#[tokio::test]
async fn my_agents_lists_only_my_agents_and_refuses_agents() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bob = app.human("Bob").await;
    let a1 = app.agent(&alice, "A1").await;
    let a2 = agent_on(&app, &alice, "A2", "laptop").await;
    let b1 = app.agent(&bob, "B1").await;

    let (status, list) = send(app.get("/api/actors/me/agents", &alice.api_key)).await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    let ids: Vec<&str> = list
        .iter()
        .map(|a| a["actor_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [a1.actor_id.as_str(), a2.actor_id.as_str()]);
    assert_eq!(list[0]["sponsor_id"], alice.actor_id.as_str());
    assert_eq!(list[0]["actor_type"], "agent");
    assert_eq!(list[0]["connection_state"], "available");
    assert_eq!(list[1]["connection_state"], "connected");
    assert_eq!(list[1]["installation_id"], "laptop");
    assert!(list[0].get("api_key").is_none());

    let (_, list) = send(app.get("/api/actors/me/agents", &bob.api_key)).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["actor_id"], b1.actor_id.as_str());

    let carol = app.human("Carol").await;
    let (status, list) = send(app.get("/api/actors/me/agents", &carol.api_key)).await;
    assert_eq!((status, list), (200, json!([])));

    let (status, body) = send(app.get("/api/actors/me/agents", &a1.api_key)).await;
    assert_detail(status, &body, 403);
    let (status, _) = send(app.http.get(app.url("/api/actors/me/agents"))).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn update_is_for_a_human_itself_or_the_sponsor() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bot = app.agent(&alice, "Bot").await;
    let mallory = app.human("Mallory").await;

    let path = |id: &str| format!("/api/actors/{id}");
    let (status, body) = send(app.patch(
        &path(&alice.actor_id),
        &alice.api_key,
        json!({"display_name": "  Alice B. ", "metadata": {"team": "core"}}),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["display_name"], "Alice B.");
    assert_eq!(body["metadata"], json!({"team": "core"}));
    assert_eq!(body["email"], "alice@example.com");
    let (_, mine) = send(app.get("/api/actors/me", &alice.api_key)).await;
    assert_eq!(mine["display_name"], "Alice B.");
    assert_eq!(mine["metadata"], json!({"team": "core"}));

    // Absent fields are kept; metadata is replaced as a whole.
    let (status, body) = send(app.patch(
        &path(&alice.actor_id),
        &alice.api_key,
        json!({"metadata": {"x": 1}}),
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["display_name"], "Alice B.");
    assert_eq!(body["metadata"], json!({"x": 1}));
    let (status, body) = send(app.patch(&path(&alice.actor_id), &alice.api_key, json!({}))).await;
    assert_eq!(status, 200);
    assert_eq!(body["metadata"], json!({"x": 1}));

    // The sponsor updates its agent.
    let (status, body) = send(app.patch(
        &path(&bot.actor_id),
        &alice.api_key,
        json!({"display_name": "Bot 2"}),
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["display_name"], "Bot 2");
    assert_eq!(body["actor_type"], "agent");

    // Nobody else: not the agent itself, not its sponsor's neighbour, not an agent on its
    // sponsor.
    for (key, target) in [
        (&bot.api_key, &bot.actor_id),
        (&bot.api_key, &alice.actor_id),
        (&mallory.api_key, &alice.actor_id),
        (&mallory.api_key, &bot.actor_id),
    ] {
        let (status, body) =
            send(app.patch(&path(target), key, json!({"display_name": "Pwned"}))).await;
        assert_detail(status, &body, 403);
    }
    for target in [NOBODY, "not-a-uuid"] {
        let (status, body) =
            send(app.patch(&path(target), &alice.api_key, json!({"display_name": "X"}))).await;
        assert_detail(status, &body, 404);
    }
    let (status, _) = send(
        app.http
            .patch(app.url(&path(&alice.actor_id)))
            .json(&json!({"display_name": "X"})),
    )
    .await;
    assert_eq!(status, 401);

    // The bounds of registration.
    for bad in [
        json!({"display_name": ""}),
        json!({"display_name": "   "}),
        json!({"display_name": "x".repeat(201)}),
        json!({"display_name": 42}),
        json!({"metadata": [1, 2]}),
        json!({"metadata": "text"}),
        json!({"metadata": {"blob": "x".repeat(17 * 1024)}}),
    ] {
        let (status, body) = send(app.patch(&path(&alice.actor_id), &alice.api_key, bad)).await;
        assert_detail(status, &body, 400);
    }
    let (_, mine) = send(app.get("/api/actors/me", &alice.api_key)).await;
    assert_eq!(mine["display_name"], "Alice B.");
    let (status, _) = send(app.patch(
        &path(&alice.actor_id),
        &alice.api_key,
        json!({"display_name": "x".repeat(200)}),
    ))
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_new_display_name_reaches_cached_principals_on_every_replica() {
    let a = TestApp::spawn().await;
    let b = a.replica().await;
    let alice = a.human("Alice").await;
    a.space(&alice, "room").await;
    // B has Alice's principal (with her name) cached.
    let say = |app: &TestApp, text: &str| {
        app.post(
            "/api/spaces/room/speech",
            &alice.api_key,
            json!({"text": text}),
        )
    };
    let (status, event) = send(say(&b, "one")).await;
    assert_eq!(status, 200, "{event}");
    assert_eq!(event["speaker_name"], "Alice");

    let mut heard_b = b.state.auth.cache.watch();
    let (status, _) = send(a.patch(
        &format!("/api/actors/{}", alice.actor_id),
        &alice.api_key,
        json!({"display_name": "Alicia"}),
    ))
    .await;
    assert_eq!(status, 200);
    invalidated(&mut heard_b).await;
    for app in [&a, &b] {
        let (status, event) = send(say(app, "two")).await;
        assert_eq!(status, 200);
        assert_eq!(event["speaker_name"], "Alicia");
    }
}

#[tokio::test]
async fn deleting_an_agent_is_for_its_sponsor_and_kills_its_key() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bot = app.agent(&alice, "Bot").await;
    let other = app.agent(&alice, "Other").await;
    let mallory = app.human("Mallory").await;
    assert_eq!(me(&app, &bot.api_key).await, 200);

    for (key, target) in [
        (&bot.api_key, &bot.actor_id),
        (&bot.api_key, &alice.actor_id),
        (&other.api_key, &bot.actor_id),
        (&mallory.api_key, &bot.actor_id),
        (&mallory.api_key, &alice.actor_id),
    ] {
        let (status, body) = send(delete(&app, key, target)).await;
        assert_detail(status, &body, 403);
    }
    for target in [NOBODY, "nope"] {
        let (status, body) = send(delete(&app, &alice.api_key, target)).await;
        assert_detail(status, &body, 404);
    }

    let (status, body) = send(delete(&app, &alice.api_key, &bot.actor_id)).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"ok": true, "actor_id": bot.actor_id, "deleted_agents": []})
    );
    assert_eq!(me(&app, &bot.api_key).await, 401);
    assert_eq!(me(&app, &alice.api_key).await, 200);
    assert_eq!(me(&app, &other.api_key).await, 200);
    let (_, list) = send(app.get("/api/actors/me/agents", &alice.api_key)).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (status, body) = send(delete(&app, &alice.api_key, &bot.actor_id)).await;
    assert_detail(status, &body, 404);
}

#[tokio::test]
async fn deleting_a_human_deletes_its_agents_and_their_keys_on_every_replica() {
    let a = TestApp::spawn().await;
    let b = a.replica().await;
    let alice = a.human("Alice").await;
    let bot1 = a.agent(&alice, "Bot1").await;
    let bot2 = agent_on(&a, &alice, "Bot2", "laptop").await;
    let bob = a.human("Bob").await;
    let bobs = a.agent(&bob, "BobBot").await;
    // Every key is cached on both replicas.
    for app in [&a, &b] {
        for who in [&alice, &bot1, &bot2, &bob, &bobs] {
            assert_eq!(me(app, &who.api_key).await, 200);
        }
    }
    let mut heard_b = b.state.auth.cache.watch();
    let (status, body) = send(delete(&a, &alice.api_key, &alice.actor_id)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ok"], true);
    assert_eq!(body["actor_id"], alice.actor_id.as_str());
    let mut agents: Vec<&str> = body["deleted_agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    agents.sort();
    let mut expected = vec![bot1.actor_id.as_str(), bot2.actor_id.as_str()];
    expected.sort();
    assert_eq!(agents, expected);

    invalidated(&mut heard_b).await;
    for app in [&a, &b] {
        for gone in [&alice, &bot1, &bot2] {
            assert_eq!(me(app, &gone.api_key).await, 401);
        }
        for kept in [&bob, &bobs] {
            assert_eq!(me(app, &kept.api_key).await, 200);
        }
    }
    let db = a.db().await;
    let left: i64 = db
        .query_one(
            "SELECT count(*) FROM convo.api_keys WHERE actor_id::text = ANY($1)",
            &[&vec![
                alice.actor_id.clone(),
                bot1.actor_id.clone(),
                bot2.actor_id.clone(),
            ]],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
}

#[tokio::test]
async fn rotation_on_one_replica_refuses_the_old_key_on_another_at_once() {
    let a = TestApp::spawn().await;
    let b = a.replica().await;
    let alice = a.human("Alice").await;
    assert_eq!(me(&b, &alice.api_key).await, 200);
    let mut heard_b = b.state.auth.cache.watch();

    let (status, body) = send(rotate(&a, &alice.api_key, &alice.actor_id, None, None)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["actor_id"], alice.actor_id.as_str());
    assert_eq!(body["actor_type"], "human");
    assert!(body["connection_state"].is_null());
    let new_key = body["api_key"].as_str().unwrap();
    assert!(new_key.starts_with("convo_") && new_key != alice.api_key);

    invalidated(&mut heard_b).await;
    for app in [&a, &b] {
        assert_eq!(me(app, &alice.api_key).await, 401);
        assert_eq!(me(app, new_key).await, 200);
    }
}

#[tokio::test]
async fn rotation_is_for_the_actor_itself_or_its_sponsor() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bot = app.agent(&alice, "Bot").await;
    let mallory = app.human("Mallory").await;
    let mallorys = app.agent(&mallory, "Evil").await;

    for (key, target) in [
        (&bot.api_key, &alice.actor_id),
        (&mallory.api_key, &alice.actor_id),
        (&mallory.api_key, &bot.actor_id),
        (&mallorys.api_key, &bot.actor_id),
    ] {
        let (status, body) = send(rotate(&app, key, target, None, None)).await;
        assert_detail(status, &body, 403);
    }
    for target in [NOBODY, "nope"] {
        let (status, body) = send(rotate(&app, &alice.api_key, target, None, None)).await;
        assert_detail(status, &body, 404);
    }
    let (status, _) = send(
        app.http
            .post(app.url(&format!("/api/actors/{}/rotate-key", alice.actor_id))),
    )
    .await;
    assert_eq!(status, 401);

    // The sponsor rotates its (available) agent's key.
    let (status, body) = send(rotate(&app, &alice.api_key, &bot.actor_id, None, None)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["connection_state"], "available");
    let sponsor_made = body["api_key"].as_str().unwrap().to_string();
    assert_eq!(me(&app, &bot.api_key).await, 401);
    // The agent rotates its own key.
    let (status, body) = send(rotate(&app, &sponsor_made, &bot.actor_id, None, None)).await;
    assert_eq!(status, 200, "{body}");
    let own = body["api_key"].as_str().unwrap();
    assert_eq!(me(&app, &sponsor_made).await, 401);
    assert_eq!(me(&app, own).await, 200);
    // Humans have no installations: the header changes nothing for them.
    let (status, body) = send(rotate(
        &app,
        &alice.api_key,
        &alice.actor_id,
        Some("laptop"),
        None,
    ))
    .await;
    assert_eq!(status, 200);
    assert!(body["connection_state"].is_null() && body["installation_id"].is_null());
}

#[tokio::test]
async fn rotating_an_agent_connected_elsewhere_is_the_structured_409() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bot = agent_on(&app, &alice, "Bot", "laptop-1").await;
    assert_eq!(bot.body["connection_state"], "connected");
    assert_eq!(bot.body["installation_id"], "laptop-1");

    let expected = json!({
        "error": "agent_connected",
        "message": format!(
            "Agent {} is currently connected to another installation. Release it first or retry with X-Force-Rotate: true.",
            bot.actor_id
        ),
        "agent_id": bot.actor_id,
    });
    // Another installation, or none, whoever asks (sponsor or agent), unforced.
    for (key, installation, force) in [
        (&alice.api_key, Some("laptop-2"), None),
        (&alice.api_key, None, None),
        (&bot.api_key, Some("laptop-2"), Some("false")),
        (&bot.api_key, None, None),
    ] {
        let (status, body) = send(rotate(&app, key, &bot.actor_id, installation, force)).await;
        assert_eq!(status, 409);
        assert_eq!(body, expected, "exactly error, message and agent_id");
    }
    // Nothing changed.
    assert_eq!(me(&app, &bot.api_key).await, 200);

    // From the installation it is connected to, rotation just works.
    let (status, body) = send(rotate(
        &app,
        &bot.api_key,
        &bot.actor_id,
        Some("laptop-1"),
        None,
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["connection_state"], "connected");
    assert_eq!(body["installation_id"], "laptop-1");
    assert_eq!(me(&app, &bot.api_key).await, 401);
}

#[tokio::test]
async fn forced_rotation_takes_the_agent_over_on_every_replica() {
    let a = TestApp::spawn().await;
    let b = a.replica().await;
    let alice = a.human("Alice").await;
    let bot = agent_on(&a, &alice, "Bot", "laptop-1").await;
    // laptop-1 is using its key on replica B.
    assert_eq!(me(&b, &bot.api_key).await, 200);
    let mut heard_b = b.state.auth.cache.watch();

    let (status, body) = send(rotate(
        &a,
        &alice.api_key,
        &bot.actor_id,
        Some("desktop"),
        Some("true"),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["connection_state"], "connected");
    assert_eq!(body["installation_id"], "desktop");
    let desktop_key = body["api_key"].as_str().unwrap().to_string();

    invalidated(&mut heard_b).await;
    for app in [&a, &b] {
        assert_eq!(me(app, &bot.api_key).await, 401);
        assert_eq!(me(app, &desktop_key).await, 200);
    }
    let (_, info) = send(a.get("/api/actors/me", &desktop_key)).await;
    assert_eq!(info["installation_id"], "desktop");
    // Now laptop-1 is the other installation.
    let (status, body) = send(rotate(
        &a,
        &alice.api_key,
        &bot.actor_id,
        Some("laptop-1"),
        None,
    ))
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"], "agent_connected");
}

#[tokio::test]
async fn release_is_idempotent_keeps_the_key_and_frees_the_agent() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bot = agent_on(&app, &alice, "Bot", "laptop-1").await;
    let mallory = app.human("Mallory").await;

    for (key, target) in [
        (&mallory.api_key, &bot.actor_id),
        (&bot.api_key, &bot.actor_id),
        (&alice.api_key, &alice.actor_id),
    ] {
        let (status, body) = send(release(&app, key, target)).await;
        assert_detail(status, &body, 403);
    }
    for target in [NOBODY, "nope"] {
        let (status, body) = send(release(&app, &alice.api_key, target)).await;
        assert_detail(status, &body, 404);
    }

    let (status, body) = send(release(&app, &alice.api_key, &bot.actor_id)).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"agent_id": bot.actor_id, "status": "released"})
    );
    let (status, body) = send(release(&app, &alice.api_key, &bot.actor_id)).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"agent_id": bot.actor_id, "status": "already_released"})
    );
    // The key still works; the agent is available.
    let (status, info) = send(app.get("/api/actors/me", &bot.api_key)).await;
    assert_eq!(status, 200);
    assert_eq!(info["connection_state"], "available");
    assert!(info["installation_id"].is_null());

    // Any installation can now claim it without forcing.
    let (status, body) = send(rotate(
        &app,
        &bot.api_key,
        &bot.actor_id,
        Some("laptop-2"),
        None,
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["installation_id"], "laptop-2");
    assert_eq!(me(&app, &bot.api_key).await, 401);

    // An agent registered without an installation was never connected.
    let free = app.agent(&alice, "Free").await;
    assert_eq!(free.body["connection_state"], "available");
    let (_, body) = send(release(&app, &alice.api_key, &free.actor_id)).await;
    assert_eq!(body["status"], "already_released");
}

#[tokio::test]
async fn invalid_installation_and_force_headers_are_400() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bot = app.agent(&alice, "Bot").await;
    let too_long = "x".repeat(129);
    for installation in ["", "two words", too_long.as_str()] {
        let (status, body) = send(rotate(
            &app,
            &alice.api_key,
            &bot.actor_id,
            Some(installation),
            None,
        ))
        .await;
        assert_detail(status, &body, 400);
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("X-Installation-Id")
        );
        let (status, body) = send(
            app.post(
                "/api/actors",
                &alice.api_key,
                json!({"display_name": "B2", "actor_type": "agent"}),
            )
            .header("X-Installation-Id", installation),
        )
        .await;
        assert_detail(status, &body, 400);
    }
    // Bytes that are not ASCII at all.
    let latin = reqwest::header::HeaderValue::from_bytes(b"caf\xe9").unwrap();
    let (status, body) = send(
        app.http
            .post(app.url(&format!("/api/actors/{}/rotate-key", bot.actor_id)))
            .bearer_auth(&alice.api_key)
            .header("X-Installation-Id", latin),
    )
    .await;
    assert_detail(status, &body, 400);
    let (status, body) = send(rotate(
        &app,
        &alice.api_key,
        &bot.actor_id,
        Some("laptop"),
        Some("yes"),
    ))
    .await;
    assert_detail(status, &body, 400);
    assert!(body["detail"].as_str().unwrap().contains("X-Force-Rotate"));
    // Nothing was rotated.
    assert_eq!(me(&app, &bot.api_key).await, 200);
    // The longest valid id is fine, and `TRUE` is true.
    let longest = "y".repeat(128);
    let (status, body) = send(rotate(
        &app,
        &alice.api_key,
        &bot.actor_id,
        Some(&longest),
        Some("TRUE"),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["installation_id"], longest.as_str());
}

#[tokio::test]
async fn concurrent_claims_of_an_available_agent_let_exactly_one_installation_win() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bot = app.agent(&alice, "Bot").await;
    let (one, two) = tokio::join!(
        send(rotate(
            &app,
            &alice.api_key,
            &bot.actor_id,
            Some("laptop-1"),
            None
        )),
        send(rotate(
            &app,
            &alice.api_key,
            &bot.actor_id,
            Some("laptop-2"),
            None
        )),
    );
    let mut statuses = [one.0, two.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{one:?} {two:?}");
    let (winner, winner_installation) = if one.0 == 200 {
        (&one.1, "laptop-1")
    } else {
        (&two.1, "laptop-2")
    };
    assert_eq!(winner["installation_id"], winner_installation);
    let key = winner["api_key"].as_str().unwrap();
    let (status, info) = send(app.get("/api/actors/me", key)).await;
    assert_eq!(status, 200);
    assert_eq!(info["installation_id"], winner_installation);
    assert_eq!(me(&app, &bot.api_key).await, 401);
}

#[tokio::test]
async fn rotation_and_deletion_close_streams_opened_with_the_old_keys() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let bot = app.agent(&alice, "Bot").await;
    app.space(&alice, "room").await;
    let stream = "/api/spaces/room/events/stream";
    let mut bots = Sse::open(app.get(stream, &bot.api_key)).await;

    let (status, body) = send(rotate(&app, &alice.api_key, &bot.actor_id, None, None)).await;
    assert_eq!(status, 200);
    bots.ended().await;
    let new_key = body["api_key"].as_str().unwrap();

    let mut bots = Sse::open(app.get(stream, new_key)).await;
    let mut alices = Sse::open(app.get(stream, &alice.api_key)).await;
    let (status, _) = send(delete(&app, &alice.api_key, &alice.actor_id)).await;
    assert_eq!(status, 200);
    bots.ended().await;
    alices.ended().await;
}
