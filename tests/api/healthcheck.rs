//! `convo healthcheck`, the container HEALTHCHECK: run as the real binary, it exits 0 only
//! when the server answers 2xx.

use tokio::process::Command;

use crate::helpers::TestApp;

/// Runs `convo healthcheck` with `args` and `CONVO_BIND` set to `bind`; true on exit 0.
async fn healthcheck(bind: &str, args: &[&str]) -> bool {
    let output = Command::new(env!("CARGO_BIN_EXE_convo"))
        .arg("healthcheck")
        .args(args)
        .env("CONVO_BIND", bind)
        .output()
        .await
        .expect("the convo binary runs");
    output.status.success()
}

fn port_of(app: &TestApp) -> u16 {
    app.base.rsplit(':').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_healthy_server_passes() {
    let app = TestApp::spawn().await;
    let url = app.url("/health");
    assert!(healthcheck("127.0.0.1:1", &["--url", &url]).await);
    // Without --url it asks /health on CONVO_BIND's port, the wildcard over loopback.
    let bind = format!("0.0.0.0:{}", port_of(&app));
    assert!(healthcheck(&bind, &[]).await);
}

#[tokio::test]
async fn a_non_2xx_answer_fails() {
    let app = TestApp::spawn().await;
    assert!(!healthcheck("127.0.0.1:1", &["--url", &app.url("/no-such-path")]).await);
}

#[tokio::test]
async fn no_server_fails() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    assert!(!healthcheck(&format!("127.0.0.1:{port}"), &["--timeout-secs", "2"]).await);
}
