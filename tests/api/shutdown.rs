//! Graceful shutdown: no acknowledged write is lost, and open streams end cleanly.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use serde_json::{Value, json};

use crate::{helpers::TestApp, sse::Sse};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_during_writes_loses_no_acknowledged_event() {
    let app = TestApp::spawn().await;
    let alice = app.human("Alice").await;
    let tenant = app.tenant(&alice, "Acme").await;
    app.space(&alice, "room").await;
    let mut stream = Sse::open(app.get("/api/spaces/room/events/stream", &alice.api_key)).await;

    let acked_count = Arc::new(AtomicUsize::new(0));
    let progress = Arc::new(tokio::sync::Notify::new());
    let writers: Vec<_> = (0..8)
        .map(|_| {
            let (http, url, key) = (
                app.http.clone(),
                app.url("/api/spaces/room/speech"),
                alice.api_key.clone(),
            );
            let (acked_count, progress) = (acked_count.clone(), progress.clone());
            tokio::spawn(async move {
                let mut acked = Vec::new();
                loop {
                    let sent = http
                        .post(&url)
                        .bearer_auth(&key)
                        .json(&json!({"text": "w"}))
                        .send()
                        .await;
                    let Ok(resp) = sent else { break };
                    if resp.status() != 200 {
                        break;
                    }
                    let Ok(body) = resp.json::<Value>().await else {
                        break;
                    };
                    acked.push(body["event_id"].as_str().unwrap().to_string());
                    acked_count.fetch_add(1, Ordering::SeqCst);
                    progress.notify_waiters();
                }
                acked
            })
        })
        .collect();
    // Shut down once writes are flowing.
    while acked_count.load(Ordering::SeqCst) < 100 {
        progress.notified().await;
    }
    let db_url = app.database_url.clone();
    app.stop().await;

    let mut acked = Vec::new();
    for writer in writers {
        acked.extend(writer.await.unwrap());
    }
    assert!(acked.len() >= 100);
    let config: tokio_postgres::Config = db_url.parse().unwrap();
    let (db, conn) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    let schema = tenant["schema_name"].as_str().unwrap();
    let stored: Vec<String> = db
        .query(&format!("SELECT event_id::text FROM {schema}.events"), &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for id in &acked {
        assert!(stored.contains(id), "acknowledged event {id} was lost");
    }
    // The open stream was ended by the server, not left hanging.
    stream.ended().await;
}
