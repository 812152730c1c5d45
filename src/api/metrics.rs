//! `GET /metrics`: the Prometheus registry of [`crate::metrics`], with the gauges that
//! describe state (pool, append queues, streams, tenants) read from the app at scrape time.

use std::{collections::BTreeMap, sync::Arc};

use poem::{IntoResponse, Response, handler, web::Data};
use prometheus::{Encoder, TextEncoder};

use super::AppState;
use crate::metrics::METRICS;

/// `GET /metrics` (no authentication; expose it only to the scraper, e.g. via the Helm
/// chart's ServiceMonitor, not through the public ingress).
#[handler]
pub async fn endpoint(req: &poem::Request, state: Data<&Arc<AppState>>) -> Response {
    let m = &*METRICS;
    let status = state.db.pool.status();
    m.pool
        .with_label_values(&["max"])
        .set(status.max_size as i64);
    m.pool
        .with_label_values(&["in_use"])
        .set((status.size - status.available) as i64);
    m.pool
        .with_label_values(&["idle"])
        .set(status.available as i64);
    m.pool
        .with_label_values(&["waiting"])
        .set(status.waiting as i64);
    m.pool_checkouts
        .with_label_values(&["home"])
        .set(status.home_checkouts as i64);
    m.pool_checkouts
        .with_label_values(&["overflow"])
        .set(status.overflow_checkouts as i64);
    // Only when asked (`?backend_memory=1`): one query per idle backend, ~0.1 s each with
    // thousands of tenants cached, too dear for every scrape (docs/operations.md).
    if req.uri().query() == Some("backend_memory=1") {
        // Another scrape looking at the same time leaves the gauges as they were.
        if let Some(cache) = crate::db::backend_memory::cache_bytes(&state.db.pool).await {
            m.backend_cache.reset();
            if let (Some(min), Some(max)) = (cache.first(), cache.last()) {
                let median = &cache[cache.len() / 2];
                for (stat, bytes) in [("min", min), ("median", median), ("max", max)] {
                    m.backend_cache.with_label_values(&[stat]).set(*bytes);
                }
            }
        }
    }
    m.append_queues.set(state.appends.busy_spaces() as i64);
    m.direct_streams
        .set(state.connections.direct_streams() as i64);
    m.streams
        .with_label_values(&["this"])
        .set(state.stream_limiter.open() as i64);
    if let Some(latest) = state.tenant_migrations.iter().map(|m| m.version()).max() {
        m.latest_tenant_version.set(latest.into());
    }
    // One small query, however many tenants: versions come from convo.tenants, not from
    // each schema's history.
    if let Ok(Ok(conn)) =
        tokio::time::timeout(std::time::Duration::from_secs(1), state.db.pool.get()).await
        && let Ok(rows) = conn
            .query(
                "SELECT status, schema_version, count(*) FROM convo.tenants
                 GROUP BY status, schema_version",
                &[],
            )
            .await
    {
        // Summed first and then set, so concurrent scrapes cannot add up twice.
        let mut by_status = BTreeMap::<String, i64>::new();
        let mut by_version = BTreeMap::<String, i64>::new();
        for row in rows {
            let count = row.get::<_, i64>(2);
            *by_status.entry(row.get(0)).or_default() += count;
            let version = row.get::<_, Option<i32>>(1);
            *by_version
                .entry(version.map_or("none".to_string(), |v| v.to_string()))
                .or_default() += count;
        }
        for (gauge, counts) in [(&m.tenants, by_status), (&m.tenant_versions, by_version)] {
            gauge.reset();
            for (label, count) in counts {
                gauge.with_label_values(&[label.as_str()]).set(count);
            }
        }
    }
    let encoder = TextEncoder::new();
    let mut body = Vec::new();
    let _ = encoder.encode(&m.registry.gather(), &mut body);
    body.with_content_type(encoder.format_type())
        .into_response()
}
