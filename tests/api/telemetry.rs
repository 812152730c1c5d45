//! OTLP traces reach a collector: the real `convo serve` binary (the tracing subscriber is
//! per process, so not an in-process app) exports to a receiver started by the test. The
//! HTTP server span continues the caller's `traceparent` and names the route template; the
//! database span carries the tenant; the `?token=` key is nowhere in the export; the last
//! batch is flushed on SIGTERM.

use crate::helpers::Call;
use std::{process::Stdio, time::Duration};

use opentelemetry_proto::tonic::{
    collector::trace::v1::ExportTraceServiceRequest,
    common::v1::{AnyValue, KeyValue, any_value::Value as Any},
    trace::v1::{Span, span::SpanKind},
};
use poem::{
    EndpointExt, Route, Server, handler,
    listener::{Acceptor, Listener, TcpListener},
    post,
    web::Data,
};
use prost::Message;
use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Command,
    sync::mpsc,
};

use crate::helpers::fresh_database;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID: &str = "00f067aa0ba902b7";
const SERVICE: &str = "convo-telemetry-test";

type Exports = mpsc::UnboundedSender<Vec<u8>>;

#[handler]
async fn receive_traces(body: Vec<u8>, exports: Data<&Exports>) -> &'static str {
    let _ = exports.send(body);
    ""
}

/// An OTLP/HTTP receiver on a free port: its base URL and the raw export bodies.
async fn otlp_receiver() -> (String, mpsc::UnboundedReceiver<Vec<u8>>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let port = acceptor.local_addr()[0].as_socket_addr().unwrap().port();
    let app = Route::new().at("/v1/traces", post(receive_traces)).data(tx);
    tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
    (format!("http://127.0.0.1:{port}"), rx)
}

fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a Any> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|AnyValue { value }| value.as_ref())
}

fn text<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    match attribute(attributes, key) {
        Some(Any::StringValue(s)) => Some(s),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_reach_an_otlp_receiver() {
    let (endpoint, mut exports) = otlp_receiver().await;
    let mut server = Command::new(env!("CARGO_BIN_EXE_convo"))
        .arg("serve")
        .env("DATABASE_URL", fresh_database().await)
        .env("CONVO_BIND", "127.0.0.1:0")
        .env("CONVO_SHUTDOWN_GRACE_SECS", "1")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)
        .env("OTEL_SERVICE_NAME", SERVICE)
        .env_remove("RUST_LOG")
        .env_remove("CONVO_LOG_FORMAT")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();

    // Read the log as it comes (a full pipe would block the server); the port is in it.
    let (port_tx, port_rx) = tokio::sync::oneshot::channel();
    let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
    let log = tokio::spawn(async move {
        let listening = regex::Regex::new(r"listening on http://127\.0\.0\.1:(\d+)/").unwrap();
        let (mut port_tx, mut log) = (Some(port_tx), String::new());
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(port) = listening.captures(&line).map(|c| c[1].to_string())
                && let Some(tx) = port_tx.take()
            {
                let _ = tx.send(port);
            }
            log.push_str(&line);
            log.push('\n');
        }
        log
    });
    let port = tokio::time::timeout(Duration::from_secs(60), port_rx)
        .await
        .expect("the server starts")
        .expect("the server logs its port");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();

    let (status, alice) = http
        .post(format!("{base}/api/actors"))
        .json(&json!({"display_name": "Alice", "email": "alice@example.com"}))
        .call()
        .await;
    assert_eq!(status, 200, "{alice}");
    let key = alice["api_key"].as_str().unwrap().to_string();
    let actor_id = alice["actor_id"].as_str().unwrap().to_string();
    let post = |path: &str, body: Value| {
        http.post(format!("{base}{path}"))
            .bearer_auth(&key)
            .json(&body)
    };
    let (status, tenant) = post("/api/tenants", json!({"name": "Acme"})).call().await;
    assert_eq!(status, 200, "{tenant}");
    let schema = tenant["schema_name"].as_str().unwrap().to_string();
    let (status, body) = post("/api/spaces", json!({"space_id": "room"}))
        .call()
        .await;
    assert_eq!(status, 200, "{body}");
    let resp = post("/api/spaces/room/speech", json!({"text": "hello"}))
        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01"))
        .header("x-request-id", "req-speech-1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // The key in the query string, as SSE clients send it.
    let resp = http
        .get(format!("{base}/api/spaces/room/status?token={key}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let kill = std::process::Command::new("kill")
        .args(["-TERM", &server.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let exit = tokio::time::timeout(Duration::from_secs(30), server.wait())
        .await
        .expect("the server stops on SIGTERM")
        .unwrap();
    assert!(exit.success(), "exit status {exit}");
    let log = log.await.unwrap();

    // The exporter waits for the receiver's answer, and the receiver queues each export
    // before answering: once the server has exited, every export is in the channel.
    let first = tokio::time::timeout(Duration::from_secs(5), exports.recv())
        .await
        .ok()
        .flatten();
    let mut raw: Vec<Vec<u8>> = first.into_iter().collect();
    while let Ok(body) = exports.try_recv() {
        raw.push(body);
    }
    assert!(!raw.is_empty(), "nothing was exported; server log:\n{log}");
    let mut spans: Vec<Span> = Vec::new();
    for body in &raw {
        let request = ExportTraceServiceRequest::decode(body.as_slice()).expect("OTLP protobuf");
        for resource in request.resource_spans {
            let attributes = resource.resource.unwrap_or_default().attributes;
            assert_eq!(text(&attributes, "service.name"), Some(SERVICE));
            spans.extend(resource.scope_spans.into_iter().flat_map(|s| s.spans));
        }
    }

    let speech = spans
        .iter()
        .find(|s| text(&s.attributes, "url.path") == Some("/api/spaces/room/speech"))
        .unwrap_or_else(|| panic!("no span for the speech request in {spans:#?}"));
    assert_eq!(speech.name, "POST /api/spaces/{space_id}/speech");
    assert_eq!(speech.kind, SpanKind::Server as i32);
    assert_eq!(
        hex(&speech.trace_id),
        TRACE_ID,
        "the caller's trace continues"
    );
    assert_eq!(hex(&speech.parent_span_id), PARENT_SPAN_ID);
    let attrs = &speech.attributes;
    assert_eq!(
        text(attrs, "http.route"),
        Some("/api/spaces/{space_id}/speech")
    );
    assert_eq!(text(attrs, "http.request.method"), Some("POST"));
    assert_eq!(
        attribute(attrs, "http.response.status_code"),
        Some(&Any::IntValue(200))
    );
    assert_eq!(text(attrs, "convo.request_id"), Some("req-speech-1"));
    assert_eq!(text(attrs, "convo.tenant"), Some(schema.as_str()));
    assert_eq!(text(attrs, "convo.actor"), Some(actor_id.as_str()));

    let db = spans
        .iter()
        .find(|s| s.parent_span_id == speech.span_id)
        .unwrap_or_else(|| panic!("no database span under the speech request in {spans:#?}"));
    assert_eq!(db.trace_id, speech.trace_id);
    assert_eq!(db.kind, SpanKind::Client as i32);
    assert_eq!(text(&db.attributes, "db.system.name"), Some("postgresql"));
    assert_eq!(text(&db.attributes, "convo.tenant"), Some(schema.as_str()));

    let status = spans
        .iter()
        .find(|s| text(&s.attributes, "http.route") == Some("/api/spaces/{space_id}/status"))
        .expect("the request authenticated by ?token= is traced too");
    assert_eq!(
        text(&status.attributes, "url.path"),
        Some("/api/spaces/room/status")
    );
    assert!(
        !raw.iter()
            .any(|body| body.windows(key.len()).any(|w| w == key.as_bytes())),
        "the API key was exported"
    );
    assert!(!log.contains(&key), "the API key was logged");
    assert!(
        log.contains("http.route=\"/api/spaces/{space_id}/speech\""),
        "the log line names the route template:\n{log}"
    );
}
