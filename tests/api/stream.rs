//! The SSE event stream: replay, resume, live fan-out across replicas, exactly-once delivery.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Actor, Call, TestApp, fresh_database, json_of, serve_config},
    sse::Sse,
};

/// A human with a tenant and a space in it.
async fn setup(app: &TestApp, space: &str) -> Actor {
    let human = app.human("Alice").await;
    app.tenant(&human, "Acme").await;
    app.space(&human, space).await;
    human
}

/// Post an event through `app`'s HTTP API; returns its id.
async fn append(app: &TestApp, key: &str, space: &str, text: &str) -> Uuid {
    let resp = app
        .post(
            &format!("/api/spaces/{space}/events"),
            key,
            json!({"speaker_id": "writer", "speaker_name": "Writer", "text": text}),
        )
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_eq!(status, 200, "{body}");
    body["event_id"].as_str().unwrap().parse().unwrap()
}

fn stream_req(app: &TestApp, key: &str, space: &str) -> reqwest::RequestBuilder {
    app.get(&format!("/api/spaces/{space}/events/stream"), key)
}

fn seqs(events: &[crate::sse::SseEvent]) -> Vec<i64> {
    events
        .iter()
        .map(|e| e.data["sequence"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn replays_from_the_start_then_follows_live() {
    let app = TestApp::spawn().await;
    let alice = setup(&app, "room").await;
    let first = append(&app, &alice.api_key, "room", "one").await;
    append(&app, &alice.api_key, "room", "two").await;
    let mut sse = Sse::open(stream_req(&app, &alice.api_key, "room")).await;
    let replayed = sse.take(2).await;
    assert_eq!(replayed[0].event, "context_event");
    assert_eq!(replayed[0].id, first.to_string());
    assert_eq!(replayed[0].data["event_id"], first.to_string());
    assert_eq!(replayed[0].data["text"], "one");
    assert_eq!(replayed[0].data["space_id"], "room");
    for field in [
        "speaker_id",
        "speaker_name",
        "speaker_type",
        "timestamp",
        "references",
        "metadata",
    ] {
        assert!(replayed[0].data.get(field).is_some(), "{field}");
    }
    append(&app, &alice.api_key, "room", "three").await;
    let live = sse.next().await;
    assert_eq!(live.data["text"], "three");
    assert_eq!(
        seqs(&[replayed[0].clone(), replayed[1].clone(), live]),
        vec![1, 2, 3]
    );
}

#[tokio::test]
async fn token_query_parameter_authenticates_the_stream() {
    let app = TestApp::spawn().await;
    let alice = setup(&app, "room").await;
    append(&app, &alice.api_key, "room", "hello").await;
    let url = app.url(&format!(
        "/api/spaces/room/events/stream?token={}",
        alice.api_key
    ));
    let mut sse = Sse::open(app.http.get(url)).await;
    assert_eq!(sse.next().await.data["text"], "hello");
}

#[tokio::test]
async fn refusals() {
    let app = TestApp::spawn().await;
    let alice = setup(&app, "room").await;
    let bob = app.human_in_new_tenant("Bob").await;
    let cases = [
        (app.http.get(app.url("/api/spaces/room/events/stream")), 401),
        (stream_req(&app, &bob.api_key, "room"), 404),
        (stream_req(&app, &alice.api_key, "nope"), 404),
        (
            stream_req(&app, &alice.api_key, "room").header("Last-Event-ID", "garbage"),
            400,
        ),
        (
            stream_req(&app, &alice.api_key, "room")
                .header("Last-Event-ID", Uuid::new_v4().to_string()),
            404,
        ),
        (
            app.get(
                &format!("/api/spaces/room/events/stream?since={}", Uuid::new_v4()),
                &alice.api_key,
            ),
            404,
        ),
    ];
    for (req, expected) in cases {
        let (status, body) = req.call().await;
        assert_eq!(status, expected, "{body}");
        assert!(body["detail"].is_string());
    }
}

#[tokio::test]
async fn resume_after_missing_100_events_gets_exactly_those() {
    let app = TestApp::spawn().await;
    let alice = setup(&app, "room").await;
    for i in 0..10 {
        append(&app, &alice.api_key, "room", &format!("early {i}")).await;
    }
    let mut sse = Sse::open(stream_req(&app, &alice.api_key, "room")).await;
    let seen = sse.take(10).await;
    drop(sse);
    for i in 0..100 {
        append(&app, &alice.api_key, "room", &format!("missed {i}")).await;
    }
    let mut resumed =
        Sse::open(stream_req(&app, &alice.api_key, "room").header("Last-Event-ID", &seen[9].id))
            .await;
    let missed = resumed.take(100).await;
    assert_eq!(seqs(&missed), (11..=110).collect::<Vec<_>>());
    assert_eq!(missed[0].data["text"], "missed 0");
    // The same with ?since=, then live with no duplicate.
    let mut since = Sse::open(app.get(
        &format!("/api/spaces/room/events/stream?since={}", missed[98].id),
        &alice.api_key,
    ))
    .await;
    assert_eq!(seqs(&[since.next().await]), vec![110]);
    append(&app, &alice.api_key, "room", "live").await;
    assert_eq!(seqs(&[resumed.next().await]), vec![111]);
    assert_eq!(seqs(&[since.next().await]), vec![111]);
}

#[tokio::test]
async fn a_subscriber_on_one_replica_receives_events_written_through_another() {
    let a = TestApp::spawn().await;
    let b = a.replica().await;
    let alice = setup(&a, "room").await;
    let mut on_a = Sse::open(stream_req(&a, &alice.api_key, "room")).await;
    let mut on_b = Sse::open(stream_req(&b, &alice.api_key, "room")).await;
    let id = append(&b, &alice.api_key, "room", "from b").await;
    assert_eq!(on_a.next().await.id, id.to_string());
    assert_eq!(on_b.next().await.id, id.to_string());
    let id = append(&a, &alice.api_key, "room", "from a").await;
    assert_eq!(on_b.next().await.id, id.to_string());
    assert_eq!(on_a.next().await.id, id.to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_subscribers_get_all_events_of_four_writers_in_order() {
    let mut config = serve_config(&fresh_database().await);
    config.limits.max_streams_per_actor = Some(100);
    let app = TestApp::spawn_with(config).await;
    let alice = setup(&app, "hot").await;
    let mut subscribers = Vec::new();
    for _ in 0..100 {
        subscribers.push(Sse::open(stream_req(&app, &alice.api_key, "hot")).await);
    }
    let writers = (0..4).map(|w| {
        let (pool_app, key) = (&app, alice.api_key.clone());
        async move {
            for i in 0..250 {
                append(pool_app, &key, "hot", &format!("w{w} e{i}")).await;
            }
        }
    });
    let readers = subscribers
        .iter_mut()
        .map(|sse| async move { seqs(&sse.take(1000).await) });
    let (_, received) = tokio::join!(
        futures::future::join_all(writers),
        futures::future::join_all(readers)
    );
    let expected: Vec<i64> = (1..=1000).collect();
    for got in received {
        assert_eq!(got, expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_listener_loses_no_event() {
    let a = TestApp::spawn().await;
    let b = a.replica().await;
    let alice = setup(&a, "room").await;
    let mut subscribers = Vec::new();
    for _ in 0..5 {
        subscribers.push(Sse::open(stream_req(&a, &alice.api_key, "room")).await);
    }
    let db = a.db().await;
    let writer = async {
        for i in 0..200 {
            append(&b, &alice.api_key, "room", &format!("e{i}")).await;
            if i == 50 || i == 120 {
                // Kill only listeners that are up, and wait for both to come back.
                let (mut conn_a, mut conn_b) = (
                    a.state.listener_connections.clone(),
                    b.state.listener_connections.clone(),
                );
                let (before_a, before_b) = (*conn_a.borrow(), *conn_b.borrow());
                let killed: Vec<Value> = db
                    .query(
                        "SELECT to_jsonb(pg_terminate_backend(pid)) FROM pg_stat_activity
                         WHERE application_name = 'convo-listener' AND datname = current_database()",
                        &[],
                    )
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                assert_eq!(killed.len(), 2, "both replicas' listeners");
                let reconnected = async {
                    conn_a.wait_for(|n| *n > before_a).await.unwrap();
                    conn_b.wait_for(|n| *n > before_b).await.unwrap();
                };
                tokio::time::timeout(std::time::Duration::from_secs(10), reconnected)
                    .await
                    .expect("listeners reconnect");
            }
        }
    };
    let readers = subscribers
        .iter_mut()
        .map(|sse| async move { seqs(&sse.take(200).await) });
    let (_, received) = tokio::join!(writer, futures::future::join_all(readers));
    for got in received {
        assert_eq!(got, (1..=200).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn shutdown_closes_streams() {
    let app = TestApp::spawn().await;
    let alice = setup(&app, "room").await;
    let resp = stream_req(&app, &alice.api_key, "room")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = resp.bytes_stream();
    drop(app);
    let ended = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        use futures::StreamExt;
        while let Some(chunk) = body.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream ends when the server shuts down");
}

/// Regression: a space's first subscriber creates its feed; an event committed while that
/// happens must reach it (it once started past such an event and never sent it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_subscriber_never_misses_a_concurrent_append() {
    // A closed stream is noticed at its next write, so the per-key limit is raised here.
    let mut config = serve_config(&fresh_database().await);
    config.limits.max_streams_per_actor = Some(100);
    let app = TestApp::spawn_with(config).await;
    let alice = app.human("Alice").await;
    app.tenant(&alice, "Acme").await;
    for i in 0..30 {
        let space = format!("space-{i}");
        app.space(&alice, &space).await;
        let subscriber = async {
            let mut sse = Sse::open(stream_req(&app, &alice.api_key, &space)).await;
            sse.next().await
        };
        let writer = async {
            tokio::task::yield_now().await;
            append(&app, &alice.api_key, &space, "racing").await
        };
        let (received, written) = tokio::join!(subscriber, writer);
        assert_eq!(received.id, written.to_string(), "space {i}");
    }
}

/// The bytes on the wire: a keep-alive comment while the space is idle, then each event as
/// exactly `id`, `event` and one `data` line holding the event's JSON (line breaks in the
/// text escaped), as the REST API returns it; the same whether the stream took over its
/// socket or stayed with the HTTP server.
#[tokio::test]
async fn wire_format_and_keep_alive() {
    wire_format(Connection::Fresh).await;
}

#[tokio::test]
async fn wire_format_and_keep_alive_on_a_reused_connection() {
    wire_format(Connection::Reused).await;
}

#[tokio::test]
async fn wire_format_and_keep_alive_over_http2() {
    wire_format(Connection::Http2).await;
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Connection {
    /// HTTP/1.1, the stream the connection's first request.
    Fresh,
    /// HTTP/1.1, on a connection that has already served a response.
    Reused,
    /// HTTP/2 (cleartext, prior knowledge): the stream stays with the HTTP server.
    Http2,
}

impl Connection {
    /// A request builder for the stream, on a connection of this kind.
    async fn stream(self, app: &TestApp, key: &str, space: &str) -> reqwest::RequestBuilder {
        let url = app.url(&format!("/api/spaces/{space}/events/stream"));
        let client = match self {
            Connection::Fresh => return app.http.get(url).bearer_auth(key),
            Connection::Reused => reqwest::Client::builder().pool_max_idle_per_host(1),
            Connection::Http2 => reqwest::Client::builder().http2_prior_knowledge(),
        }
        .build()
        .unwrap();
        // A first request, whose connection the stream then reuses.
        let me = client
            .get(app.url("/api/actors/me"))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200);
        me.bytes().await.unwrap();
        client.get(url).bearer_auth(key)
    }

    /// How many streams the server should be writing on their own sockets.
    fn direct_streams(self, app: &TestApp, open: usize) -> usize {
        match self {
            Connection::Fresh | Connection::Reused => direct(app, open),
            Connection::Http2 => 0,
        }
    }
}

async fn wire_format(connection: Connection) {
    use futures::StreamExt;

    let mut config = serve_config(&fresh_database().await);
    config.sse_keepalive_secs = 1;
    let app = TestApp::spawn_with(config).await;
    let alice = setup(&app, "room").await;
    let resp = connection
        .stream(&app, &alice.api_key, "room")
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-cache");
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    if connection != Connection::Http2 {
        assert_eq!(resp.headers()["transfer-encoding"], "chunked");
    }
    assert!(resp.headers().contains_key("x-request-id"));
    let mut body = resp.bytes_stream();
    let mut wire = String::new();
    let mut read_until = async |wire: &mut String, pattern: &str| {
        tokio::time::timeout(std::time::Duration::from_secs(5), async {
            while !wire.contains(pattern) {
                let chunk = body.next().await.expect("stream open").unwrap();
                wire.push_str(std::str::from_utf8(&chunk).unwrap());
            }
        })
        .await
        .expect("within 5 s");
    };
    read_until(&mut wire, ":\n\n").await;
    assert_eq!(wire, ":\n\n", "only keep-alive comments while idle");

    let posted = app
        .post(
            "/api/spaces/room/speech",
            &alice.api_key,
            json!({"text": "two\nlines \"quoted\""}),
        )
        .send()
        .await
        .unwrap();
    let (status, event) = json_of(posted).await;
    assert_eq!(status, 200);
    wire.clear();
    read_until(&mut wire, "\n\n").await;
    let wire = wire.trim_start_matches(":\n\n");
    let id = event["event_id"].as_str().unwrap();
    let prefix = format!("id: {id}\nevent: context_event\ndata: ");
    assert!(wire.starts_with(&prefix), "{wire:?}");
    let data = wire[prefix.len()..].strip_suffix("\n\n").unwrap();
    assert!(!data.contains('\n'));
    assert_eq!(serde_json::from_str::<Value>(data).unwrap(), event);
    assert_eq!(
        app.state.connections.direct_streams(),
        connection.direct_streams(&app, 1),
        "{connection:?}"
    );
    assert_eq!(app.state.stream_limiter.open(), 1);
}

/// How many of `open` HTTP/1.1 streams take their sockets over: all of them, unless the
/// hand-over is switched off (`CONVO_SSE_HANDOFF=off`).
fn direct(app: &TestApp, open: usize) -> usize {
    if app.state.connections.handoff_enabled() {
        open
    } else {
        0
    }
}

/// Waits (up to 5 s) for a condition the server reaches on its own, such as noticing that a
/// client went away.
async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !condition() {
        assert!(tokio::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// A stream that took over its socket notices its client leaving while the space is quiet
/// (no write needed) and frees its slot. (One served by the HTTP server notices at its next
/// write, the keep-alive comment at the latest: one second here.)
#[tokio::test]
async fn a_direct_stream_ends_when_its_client_leaves() {
    let mut config = serve_config(&fresh_database().await);
    config.sse_keepalive_secs = 1;
    let app = TestApp::spawn_with(config).await;
    let alice = setup(&app, "room").await;
    let written = append(&app, &alice.api_key, "room", "hello").await;
    let mut sse = Sse::open(stream_req(&app, &alice.api_key, "room")).await;
    assert_eq!(sse.next().await.id, written.to_string());
    assert_eq!(app.state.connections.direct_streams(), direct(&app, 1));
    assert_eq!(app.state.stream_limiter.open(), 1);
    drop(sse);
    eventually("the stream ends with its client", || {
        app.state.connections.direct_streams() == 0 && app.state.stream_limiter.open() == 0
    })
    .await;
    assert_eq!(app.state.stream_limiter.open(), 0, "its slot is released");
}

/// On shutdown a stream that took over its socket ends its body properly (the last chunk),
/// so the client sees a clean end, not a broken connection.
#[tokio::test]
async fn a_direct_stream_ends_cleanly_on_shutdown() {
    use futures::StreamExt;

    let app = TestApp::spawn().await;
    let alice = setup(&app, "room").await;
    let written = append(&app, &alice.api_key, "room", "hello").await;
    let resp = stream_req(&app, &alice.api_key, "room")
        .send()
        .await
        .unwrap();
    let mut body = resp.bytes_stream();
    let mut wire = Vec::new();
    while !wire.ends_with(b"\n\n") {
        wire.extend_from_slice(&body.next().await.unwrap().unwrap());
    }
    assert!(
        String::from_utf8(wire)
            .unwrap()
            .contains(&written.to_string())
    );
    assert_eq!(app.state.connections.direct_streams(), direct(&app, 1));
    let stopping = tokio::spawn(app.stop());
    let rest = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        let mut rest = Vec::new();
        while let Some(chunk) = body.next().await {
            rest.push(chunk.map_err(|e| e.to_string()));
        }
        rest
    })
    .await
    .expect("the stream ends within 5 s of shutdown");
    assert!(rest.iter().all(Result::is_ok), "{rest:?}");
    stopping.await.unwrap();
}
