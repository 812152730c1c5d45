//! Prometheus metrics, served at `/metrics`. Request metrics are labelled by route template
//! (`/api/spaces/:space_id/events`), never by raw path: no ids or tokens in labels, and
//! bounded cardinality. Gauges that describe state (pool, append queues, streams, tenants)
//! are read at scrape time.
//!
//! See docs/operations.md#observability.

use std::sync::LazyLock;

use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry,
};

pub struct Metrics {
    pub registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    pub auth_cache: IntCounterVec,
    pub auth_failures: IntCounter,
    pub append_batch_size: Histogram,
    pub pool: IntGaugeVec,
    pub pool_checkouts: IntGaugeVec,
    pub backend_cache: IntGaugeVec,
    pub append_queues: IntGauge,
    pub direct_streams: IntGauge,
    pub streams: IntGaugeVec,
    pub tenants: IntGaugeVec,
    pub tenant_versions: IntGaugeVec,
    pub latest_tenant_version: IntGauge,
}

/// One set per process: several app instances in one test process share it.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

impl Metrics {
    fn new() -> Metrics {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new(
                "convo_http_requests_total",
                "HTTP requests by route template, operation id and status",
            ),
            &["method", "route", "operation", "status"],
        )
        .expect("valid metric");
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "convo_http_request_duration_seconds",
                "HTTP request latency",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method", "route", "operation"],
        )
        .expect("valid metric");
        let auth_cache = IntCounterVec::new(
            Opts::new(
                "convo_auth_cache_total",
                "Credential checks by cache outcome",
            ),
            &["result"],
        )
        .expect("valid metric");
        let auth_failures = IntCounter::new("convo_auth_failures_total", "Rejected credentials")
            .expect("valid metric");
        let append_batch_size = Histogram::with_opts(
            HistogramOpts::new(
                "convo_append_batch_size",
                "Events appended to one space per transaction (group commit)",
            )
            .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]),
        )
        .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new(
                "convo_db_pool_connections",
                "Pooled database connections by state",
            ),
            &["state"],
        )
        .expect("valid metric");
        let pool_checkouts = IntGaugeVec::new(
            Opts::new(
                "convo_db_pool_tenant_checkouts",
                "Tenant transactions since start by the connection they got: one of the \
                 tenant's home connections, or another (overflow)",
            ),
            &["slot"],
        )
        .expect("valid metric");
        let backend_cache = IntGaugeVec::new(
            Opts::new(
                "convo_db_backend_cache_bytes",
                "Catalog and plan cache memory of the idle pooled backends at scrape time \
                 (CacheMemoryContext), smallest, median and largest",
            ),
            &["stat"],
        )
        .expect("valid metric");
        let append_queues = IntGauge::new(
            "convo_append_queues",
            "Spaces with event appends queued or in flight on this replica",
        )
        .expect("valid metric");
        let direct_streams = IntGauge::new(
            "convo_sse_streams_direct",
            "Open event streams writing on their own socket, handed over by the HTTP server",
        )
        .expect("valid metric");
        let streams = IntGaugeVec::new(
            Opts::new("convo_sse_streams_open", "Open event streams"),
            &["replica"],
        )
        .expect("valid metric");
        let tenants =
            IntGaugeVec::new(Opts::new("convo_tenants", "Tenants by status"), &["status"])
                .expect("valid metric");
        let tenant_versions = IntGaugeVec::new(
            Opts::new(
                "convo_tenant_schema_version",
                "Tenants by the newest tenant migration applied to their schema",
            ),
            &["version"],
        )
        .expect("valid metric");
        let latest_tenant_version = IntGauge::new(
            "convo_tenant_schema_version_latest",
            "The newest tenant migration this binary ships",
        )
        .expect("valid metric");
        for collector in [
            Box::new(http_requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(http_duration.clone()),
            Box::new(auth_cache.clone()),
            Box::new(auth_failures.clone()),
            Box::new(append_batch_size.clone()),
            Box::new(pool.clone()),
            Box::new(pool_checkouts.clone()),
            Box::new(backend_cache.clone()),
            Box::new(append_queues.clone()),
            Box::new(direct_streams.clone()),
            Box::new(streams.clone()),
            Box::new(tenants.clone()),
            Box::new(tenant_versions.clone()),
            Box::new(latest_tenant_version.clone()),
        ] {
            registry.register(collector).expect("unique metric names");
        }
        Metrics {
            registry,
            http_requests,
            http_duration,
            auth_cache,
            auth_failures,
            append_batch_size,
            pool,
            pool_checkouts,
            backend_cache,
            append_queues,
            direct_streams,
            streams,
            tenants,
            tenant_versions,
            latest_tenant_version,
        }
    }
}
