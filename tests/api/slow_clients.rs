//! Connections that never finish their request (issue #14, §5b): header and body timeouts,
//! idle keep-alive, connection caps per client address and in total, and `{"detail"}` on the
//! errors hyper answers by itself.

use std::{
    net::{IpAddr, SocketAddr},
    time::Duration,
};

use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
    time::Instant,
};

use crate::helpers::{TestApp, fresh_database, serve_config};

fn server_addr(app: &TestApp) -> SocketAddr {
    app.base.trim_start_matches("http://").parse().unwrap()
}

async fn connect_from(ip: [u8; 4], to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((ip, 0))).unwrap();
    socket.connect(to).await.unwrap()
}

/// Reads until the server closes the connection (end of input or reset); returns what came.
async fn until_closed(conn: &mut TcpStream, within: Duration) -> Vec<u8> {
    let mut received = Vec::new();
    tokio::time::timeout(within, async {
        let mut buf = [0u8; 1024];
        loop {
            match conn.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect("the server closes the connection");
    received
}

/// The server still answers an ordinary request.
async fn still_serves(app: &TestApp) {
    let resp = app.http.get(app.url("/health")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
}

/// 3,000, or fewer where this process may not open twice that many files (client and server
/// ends both live here, beside the other tests' sockets): `.ci/run` raises the limit.
fn half_sent_connections() -> usize {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(usize::MAX);
    let n = 3_000.min(soft.saturating_sub(1_000) / 2);
    if n < 3_000 {
        eprintln!("open-file limit {soft}: {n} half-sent requests instead of 3,000");
    }
    n.max(100)
}

/// Slack for a loaded machine on top of a timeout that should have fired.
const SLACK: Duration = Duration::from_secs(10);

#[tokio::test]
async fn three_thousand_half_sent_requests_are_closed_within_the_header_timeout() {
    let mut config = serve_config(&fresh_database().await);
    config.connection.header_timeout_secs = 1;
    config.connection.max_connections_per_ip = 4_000;
    let app = TestApp::spawn_with(config).await;
    let server = server_addr(&app);
    // Silent, a few bytes, and a head missing its end: each kind a third of the 3,000.
    let partial: [&[u8]; 3] = [b"", b"GE", b"GET /health HTTP/1.1\r\nhost: convo\r\n"];
    let mut conns = Vec::new();
    for i in 0..half_sent_connections() {
        let mut conn = TcpStream::connect(server).await.unwrap();
        conn.write_all(partial[i % 3]).await.unwrap();
        conns.push((Instant::now(), conn));
    }
    let closed =
        futures::future::join_all(conns.into_iter().map(|(opened, mut conn)| async move {
            let received = until_closed(&mut conn, Duration::from_secs(1) + SLACK + SLACK).await;
            (opened.elapsed(), received)
        }))
        .await;
    let slowest = closed.iter().map(|(t, _)| *t).max().unwrap();
    assert!(
        slowest < Duration::from_secs(1) + SLACK,
        "every connection closed within the header timeout (slowest {slowest:?})"
    );
    // hyper gives up on a head silently (no response); nothing else is written.
    assert!(
        closed
            .iter()
            .all(|(_, r)| r.is_empty() || r.starts_with(b"HTTP/1.1 408"))
    );
    let open = tokio::time::timeout(SLACK, async {
        while app.state.connections.open() > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(open.is_ok(), "the server let go of every connection");
    still_serves(&app).await;
}

#[tokio::test]
async fn silent_and_idle_keep_alive_connections_are_closed() {
    let mut config = serve_config(&fresh_database().await);
    config.connection.header_timeout_secs = 1;
    let app = TestApp::spawn_with(config).await;
    let server = server_addr(&app);

    let opened = Instant::now();
    let mut silent = TcpStream::connect(server).await.unwrap();
    assert!(until_closed(&mut silent, SLACK).await.is_empty());
    assert!(
        opened.elapsed() >= Duration::from_millis(900),
        "not before the timeout"
    );

    let mut kept = TcpStream::connect(server).await.unwrap();
    kept.write_all(b"GET /health HTTP/1.1\r\nhost: convo\r\n\r\n")
        .await
        .unwrap();
    let received = until_closed(&mut kept, SLACK).await;
    let text = String::from_utf8(received).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert_eq!(text.matches("HTTP/1.1").count(), 1);
    still_serves(&app).await;
}

#[tokio::test]
async fn connections_per_address_and_in_total_are_capped() {
    let mut config = serve_config(&fresh_database().await);
    config.connection.max_connections_per_ip = 3;
    config.connection.max_connections = 5;
    let app = TestApp::spawn_with(config).await;
    let server = server_addr(&app);
    let crowd: IpAddr = [127, 0, 0, 2].into();

    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from([127, 0, 0, 2], server).await);
    }
    let counted = tokio::time::timeout(SLACK, async {
        while app.state.connections.open_from(crowd) < 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(counted.is_ok(), "the three connections are accepted");
    let mut excess = connect_from([127, 0, 0, 2], server).await;
    excess
        .write_all(b"GET /health HTTP/1.1\r\nhost: convo\r\n\r\n")
        .await
        .unwrap();
    assert!(
        until_closed(&mut excess, SLACK).await.is_empty(),
        "the fourth connection from one address is closed unanswered"
    );
    assert_eq!(app.state.connections.open_from(crowd), 3);

    // Another address still gets in, up to the total.
    let mut other = connect_from([127, 0, 0, 3], server).await;
    other
        .write_all(b"GET /health HTTP/1.1\r\nhost: convo\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let answered = String::from_utf8(until_closed(&mut other, SLACK).await).unwrap();
    assert!(answered.starts_with("HTTP/1.1 200 OK\r\n"), "{answered}");
    held.push(connect_from([127, 0, 0, 4], server).await);
    held.push(connect_from([127, 0, 0, 5], server).await);
    let full = tokio::time::timeout(SLACK, async {
        while app.state.connections.open() < 5 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(full.is_ok(), "five connections open");
    let mut beyond = connect_from([127, 0, 0, 6], server).await;
    assert!(
        until_closed(&mut beyond, SLACK).await.is_empty(),
        "total cap"
    );
    drop(held);
    still_serves(&app).await;
}

#[tokio::test]
async fn a_body_slower_than_the_body_timeout_gets_408_and_the_connection_closes() {
    let mut config = serve_config(&fresh_database().await);
    config.connection.body_timeout_secs = 1;
    let app = TestApp::spawn_with(config).await;
    let mut conn = TcpStream::connect(server_addr(&app)).await.unwrap();
    conn.write_all(
        b"POST /api/actors HTTP/1.1\r\nhost: convo\r\ncontent-type: application/json\r\n\
          content-length: 100\r\n\r\n{\"display_name\":",
    )
    .await
    .unwrap();
    let started = Instant::now();
    let text = String::from_utf8(until_closed(&mut conn, SLACK).await).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900));
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 408 "), "{head}");
    let body: Value = serde_json::from_str(body).unwrap();
    assert!(body["detail"].as_str().unwrap().contains("body"), "{body}");
    still_serves(&app).await;
}

#[tokio::test]
async fn too_many_header_fields_get_431_with_a_detail() {
    let app = TestApp::spawn().await;
    let mut conn = TcpStream::connect(server_addr(&app)).await.unwrap();
    let mut request = String::from("GET /health HTTP/1.1\r\nhost: convo\r\n");
    for i in 0..200 {
        request.push_str(&format!("x-filler-{i}: {i}\r\n"));
    }
    request.push_str("\r\n");
    conn.write_all(request.as_bytes()).await.unwrap();
    let text = String::from_utf8(until_closed(&mut conn, SLACK).await).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{head}"
    );
    assert!(head.contains("content-type: application/json"), "{head}");
    let body: Value = serde_json::from_str(body).unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("header"),
        "{body}"
    );
    still_serves(&app).await;
}
