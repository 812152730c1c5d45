//! Agents and tenant changes: an agent lives in its sponsor's tenant, so a human who creates
//! a new tenant takes its agents along (their streams in the old tenant close), and a sponsor
//! manages an agent (PATCH, DELETE, rotate-key, release) only within the agent's tenant — an
//! agent left behind must not be a way back into a tenant its sponsor has left.

use std::time::Duration;

use serde_json::{Value, json};

use crate::{
    helpers::{Actor, Call, TestApp, json_of},
    sse::Sse,
};

async fn status_of(app: &TestApp, key: &str, path: &str) -> u16 {
    app.get(path, key).send().await.unwrap().status().as_u16()
}

/// Every management operation on `agent` as `caller`: (operation, status, body).
async fn manage_all(
    app: &TestApp,
    caller: &Actor,
    agent: &Actor,
) -> Vec<(&'static str, u16, Value)> {
    let path = format!("/api/actors/{}", agent.actor_id);
    let mut out = Vec::new();
    let requests = [
        (
            "patch",
            app.patch(&path, &caller.api_key, json!({"display_name": "Renamed"})),
        ),
        (
            "rotate",
            app.post(&format!("{path}/rotate-key"), &caller.api_key, json!({})),
        ),
        (
            "release",
            app.post(&format!("{path}/release"), &caller.api_key, json!({})),
        ),
        (
            "delete",
            app.http.delete(app.url(&path)).bearer_auth(&caller.api_key),
        ),
    ];
    for (op, req) in requests {
        let (status, body) = req.call().await;
        out.push((op, status, body));
    }
    out
}

#[tokio::test]
async fn agents_move_with_their_sponsor_and_their_old_streams_close() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    app.tenant(&alice, "Old Org").await;
    let bot = app.agent(&alice, "Bot").await;
    app.space(&alice, "old-room").await;
    assert_eq!(
        status_of(&app, &bot.api_key, "/api/spaces/old-room/status").await,
        200
    );
    let mut stream = Sse::open(app.get("/api/spaces/old-room/events/stream", &bot.api_key)).await;

    let new_tenant = app.tenant(&alice, "New Org").await;

    stream.ended_within(Duration::from_secs(30)).await;
    let (status, me) = app.get("/api/actors/me", &bot.api_key).call().await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        me["tenant_id"], new_tenant["tenant_id"],
        "the agent followed its sponsor"
    );
    assert_eq!(
        status_of(&app, &bot.api_key, "/api/spaces/old-room/status").await,
        404
    );
    // Its sponsor still manages it, in the new tenant; the new key reads the new tenant only.
    let resp = app
        .post(
            &format!("/api/actors/{}/rotate-key", bot.actor_id),
            &alice.api_key,
            json!({}),
        )
        .send()
        .await
        .unwrap();
    let (status, rotated) = json_of(resp).await;
    assert_eq!(status, 200, "{rotated}");
    let new_key = rotated["api_key"].as_str().unwrap();
    assert_eq!(
        status_of(&app, new_key, "/api/spaces/old-room/status").await,
        404
    );
    app.space(&alice, "new-room").await;
    assert_eq!(
        status_of(&app, new_key, "/api/spaces/new-room/status").await,
        200
    );
}

#[tokio::test]
async fn a_sponsor_cannot_manage_an_agent_left_in_a_tenant_it_has_left() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let old_tenant = app.tenant(&alice, "Old Org").await;
    let bot = app.agent(&alice, "Bot").await;
    app.space(&alice, "old-room").await;
    app.tenant(&alice, "New Org").await;
    // An agent left behind, as tenant changes did before agents moved with their sponsor.
    let db = app.db().await;
    let old_id: uuid::Uuid = old_tenant["tenant_id"].as_str().unwrap().parse().unwrap();
    let bot_id: uuid::Uuid = bot.actor_id.parse().unwrap();
    db.execute(
        "UPDATE convo.actors SET tenant_id = $1 WHERE actor_id = $2",
        &[&old_id, &bot_id],
    )
    .await
    .unwrap();
    app.state.auth.cache.invalidate_all();

    for (op, status, body) in manage_all(&app, &alice, &bot).await {
        assert_eq!(status, 403, "{op}: {body}");
        assert!(body["detail"].is_string(), "{op}: {body}");
    }
    // Nothing changed: the agent works on in its tenant with its own key.
    let (status, me) = app.get("/api/actors/me", &bot.api_key).call().await;
    assert_eq!(
        (status, me["display_name"].clone()),
        (200, json!("Bot")),
        "{me}"
    );
    assert_eq!(
        status_of(&app, &bot.api_key, "/api/spaces/old-room/status").await,
        200
    );

    // The migration brings such agents to their sponsor's tenant and tells every replica.
    let mut invalidations = app.state.auth.cache.watch();
    db.batch_execute(include_str!(
        "../../migrations/V6__agents_follow_their_sponsor.sql"
    ))
    .await
    .unwrap();
    tokio::time::timeout(Duration::from_secs(30), invalidations.changed())
        .await
        .expect("the migration's invalidation is heard")
        .unwrap();
    assert_eq!(
        status_of(&app, &bot.api_key, "/api/spaces/old-room/status").await,
        404
    );
    for (op, status, body) in manage_all(&app, &alice, &bot).await {
        assert_eq!(status, 200, "{op}: {body}");
    }
}

/// A registration racing its sponsor's move: the agent lands where the sponsor is when the
/// registration commits, never in the tenant the sponsor's cached credential still names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_registered_while_its_sponsor_moves_follows_it() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    app.tenant(&alice, "Old Org").await;
    let bob = app.human("Bob").await;
    let new_tenant = app.tenant(&bob, "New Org").await;
    // Alice's credential is cached with the old tenant.
    assert_eq!(status_of(&app, &alice.api_key, "/api/actors/me").await, 200);

    // A move of Alice in flight: her row is locked, as tenant creation locks it. The
    // registration waits for it (the agent quota's count locks the sponsor, the insert reads
    // the sponsor's tenant under a lock): whichever statement waits, only it can be waiting.
    let mut mover = app.db().await;
    let moving = mover.transaction().await.unwrap();
    let alice_id: uuid::Uuid = alice.actor_id.parse().unwrap();
    let new_id: uuid::Uuid = new_tenant["tenant_id"].as_str().unwrap().parse().unwrap();
    moving
        .execute(
            "SELECT 1 FROM convo.actors WHERE actor_id = $1 FOR UPDATE",
            &[&alice_id],
        )
        .await
        .unwrap();
    let register = tokio::spawn({
        let req = app.post(
            "/api/actors",
            &alice.api_key,
            json!({"display_name": "Bot", "actor_type": "agent"}),
        );
        async move { req.call().await }
    });
    let observer = app.db().await;
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let waiting: bool = observer
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                     WHERE datname = current_database() AND wait_event_type = 'Lock')",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            if waiting {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the registration waits for the sponsor's row");
    moving
        .execute(
            "UPDATE convo.actors SET tenant_id = $2 WHERE actor_id = $1 OR sponsor_id = $1",
            &[&alice_id, &new_id],
        )
        .await
        .unwrap();
    moving.commit().await.unwrap();

    let (status, bot) = register.await.unwrap();
    assert_eq!(status, 200, "{bot}");
    assert_eq!(bot["tenant_id"], new_tenant["tenant_id"], "{bot}");
    let key = bot["api_key"].as_str().unwrap();
    let (_, me) = app.get("/api/actors/me", key).call().await;
    assert_eq!(me["tenant_id"], new_tenant["tenant_id"], "{me}");
}
