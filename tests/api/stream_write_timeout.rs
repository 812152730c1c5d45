//! A subscriber that stops reading is dropped after the write timeout and its stream slot
//! freed (issue #14, §2), whether the stream took its socket over or stayed with hyper.

use std::{net::SocketAddr, time::Duration};

use convo::config::Switch;
use serde_json::json;
use tokio::{io::AsyncWriteExt, net::TcpSocket};

use crate::helpers::{TestApp, fresh_database, serve_config};

async fn a_client_that_never_reads_is_dropped(handoff: Switch) {
    let mut config = serve_config(&fresh_database().await);
    config.connection.write_timeout_secs = 1;
    config.connection.sse_handoff = handoff;
    let app = TestApp::spawn_with(config).await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    // About 8 MB of events: more than the socket buffers on both sides hold.
    let text = "x".repeat(32_000);
    for _ in 0..16 {
        let batch = (0..16).map(|_| {
            app.post(
                "/api/spaces/room/events",
                &alice.api_key,
                json!({"speaker_id": "w", "speaker_name": "W", "text": text}),
            )
            .send()
        });
        for resp in futures::future::join_all(batch).await {
            assert_eq!(resp.unwrap().status(), 200);
        }
    }

    let server: SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut conn = socket.connect(server).await.unwrap();
    let request = format!(
        "GET /api/spaces/room/events/stream HTTP/1.1\r\nhost: convo\r\n\
         authorization: Bearer {}\r\n\r\n",
        alice.api_key
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    // The replay fills the buffers; the client reads nothing, ever.
    let dropped = tokio::time::timeout(Duration::from_secs(60), async {
        let mut seen_open = false;
        loop {
            let open = app.state.stream_limiter.open();
            seen_open |= open == 1;
            if seen_open && open == 0 && app.state.connections.open() == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        dropped.is_ok(),
        "the stream and its connection are dropped (streams {}, connections {})",
        app.state.stream_limiter.open(),
        app.state.connections.open()
    );
    assert_eq!(app.state.connections.direct_streams(), 0);
    drop(conn);
}

#[tokio::test]
async fn a_stream_client_that_never_reads_is_dropped_on_the_direct_path() {
    a_client_that_never_reads_is_dropped(Switch::On).await;
}

#[tokio::test]
async fn a_stream_client_that_never_reads_is_dropped_on_hypers_path() {
    a_client_that_never_reads_is_dropped(Switch::Off).await;
}
