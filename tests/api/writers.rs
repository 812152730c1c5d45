//! Concurrent writers into one space, shared by the ordering and group-commit tests.

use serde_json::{Value, json};

use crate::{
    events::get,
    helpers::{Actor, Call, TestApp},
};

/// `tasks` concurrent clients each POST `per_task` speeches to `path` one after another;
/// every answer, grouped by client, in the order each client got them.
pub async fn burst(
    app: &TestApp,
    who: &Actor,
    path: &str,
    tasks: usize,
    per_task: usize,
) -> Vec<Vec<(u16, Value)>> {
    let clients = (0..tasks).map(|t| {
        let (http, url, key) = (app.http.clone(), app.url(path), who.api_key.clone());
        tokio::spawn(async move {
            let mut answers = Vec::new();
            for i in 0..per_task {
                let request = http
                    .post(&url)
                    .bearer_auth(&key)
                    .json(&json!({"text": format!("t{t} m{i}")}));
                answers.push(request.call().await);
            }
            answers
        })
    });
    futures::future::join_all(clients)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect()
}

/// `writers` clients post speeches into `who`'s space `room` without pause; once it holds
/// `min_events` events it is archived. A write sent after the archive answered must be
/// refused, and every stored event must be no later than the archive's `ended_at`. With
/// `keyed`, every other writer sends an `Idempotency-Key`. Returns the events acknowledged
/// and the transcript.
pub async fn writes_racing_an_archive(
    app: &TestApp,
    who: &Actor,
    writers: usize,
    min_events: i64,
    keyed: bool,
) -> (Vec<Value>, Vec<Value>) {
    let (archived_tx, archived_rx) = tokio::sync::watch::channel(false);
    let writers: Vec<_> = (0..writers)
        .map(|w| {
            let (http, url, key) = (
                app.http.clone(),
                app.url("/api/spaces/room/speech"),
                who.api_key.clone(),
            );
            let archived = archived_rx.clone();
            tokio::spawn(async move {
                let mut accepted = Vec::new();
                for i in 0.. {
                    // Whether the archive had answered before this write was sent.
                    let after_archive = *archived.borrow();
                    let mut req = http
                        .post(&url)
                        .bearer_auth(&key)
                        .json(&json!({"text": format!("w{w} m{i}")}));
                    if keyed && w % 2 == 0 {
                        req = req.header("Idempotency-Key", format!("w{w}-{i}"));
                    }
                    let (s, e) = req.call().await;
                    match s {
                        200 => {
                            assert!(
                                !after_archive,
                                "a write sent after the archive was accepted"
                            );
                            accepted.push(e);
                        }
                        409 => {
                            assert_eq!(e, json!({"detail": "Space is not active"}));
                            if after_archive {
                                break;
                            }
                        }
                        _ => panic!("{s} {e}"),
                    }
                }
                accepted
            })
        })
        .collect();
    // Let some writes through first: wait until the space has events.
    loop {
        let (_, s) = get(app, who, "/api/spaces/room/status").await;
        if s["event_count"].as_i64().unwrap() >= min_events {
            break;
        }
        tokio::task::yield_now().await;
    }
    let (s, archived) = app
        .post("/api/spaces/room/archive", &who.api_key, json!({}))
        .call()
        .await;
    assert_eq!(s, 200, "{archived}");
    archived_tx.send(true).unwrap();
    let mut accepted = Vec::new();
    for w in writers {
        accepted.extend(w.await.unwrap());
    }
    let ended_at: chrono::DateTime<chrono::Utc> =
        archived["ended_at"].as_str().unwrap().parse().unwrap();
    let (_, stored) = get(app, who, "/api/spaces/room/transcript").await;
    let stored = stored.as_array().unwrap().clone();
    for e in &stored {
        let t: chrono::DateTime<chrono::Utc> = e["timestamp"].as_str().unwrap().parse().unwrap();
        assert!(t <= ended_at, "event at {t} after ended_at {ended_at}");
    }
    (accepted, stored)
}
