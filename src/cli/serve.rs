//! `convo serve`.

use std::time::Duration;

use crate::{app::App, config::ServeConfig};

pub async fn run(config: ServeConfig) -> anyhow::Result<()> {
    tracing::debug!(?config, "configuration");
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    let app = App::build(config).await?;
    tracing::info!(
        port = app.port(),
        "listening on http://127.0.0.1:{}/ (docs at /docs)",
        app.port()
    );
    app.run_until(shutdown_signal(), grace).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down: finishing in-flight requests");
}
