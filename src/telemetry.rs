//! Logging and tracing. Logs: text by default, JSON when asked. Traces: exported over
//! OTLP/HTTP only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, off otherwise. Tokens and query
//! strings are never logged nor exported: requests record the path only (see [`crate::app`]).
//!
//! See docs/operations.md#observability.

use std::{
    io::IsTerminal,
    sync::atomic::{AtomicBool, Ordering},
};

use opentelemetry::{
    propagation::Extractor,
    trace::{TraceContextExt, TracerProvider as _},
};
use opentelemetry_sdk::{Resource, propagation::TraceContextPropagator, trace::SdkTracerProvider};
use tracing::Level;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::{EnvFilter, Layer, filter::Targets, fmt, prelude::*};

use crate::config::LogFormat;

/// Set once traces are exported; until then requests skip the exporter-only work.
static EXPORTING: AtomicBool = AtomicBool::new(false);

/// Owns the tracer provider: [`Telemetry::shutdown`] exports the last batch of spans.
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

/// Install the global subscriber. `RUST_LOG` overrides the default log level: `info`, with
/// PostgreSQL NOTICEs only from `warn`, as `convo migrate` may visit thousands of schemas.
/// Colours only on a terminal.
///
/// Spans go to OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (the exporter reads the other
/// `OTEL_EXPORTER_OTLP_*` variables itself); the service is `OTEL_SERVICE_NAME` or `convo`.
/// Database spans are at `debug`, so they cost nothing and stay out of the logs unless
/// exported (or `RUST_LOG` asks for them).
pub fn init(format: LogFormat) -> Telemetry {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tokio_postgres=warn"));
    let ansi = std::io::stderr().is_terminal();
    let logs = match format {
        LogFormat::Text => fmt::layer()
            .with_ansi(ansi)
            .with_writer(std::io::stderr)
            .boxed(),
        LogFormat::Json => fmt::layer().json().with_writer(std::io::stderr).boxed(),
    };
    let provider = match otlp_provider() {
        Ok(provider) => provider,
        Err(err) => {
            eprintln!("convo: OTLP tracing disabled: {err}");
            None
        }
    };
    let traces = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("convo"))
            .with_threads(false)
            .with_filter(Targets::new().with_target("convo", Level::DEBUG))
    });
    // A second init (tests spawn many apps in one process) is harmless: keep the first.
    let installed = tracing_subscriber::registry()
        .with(logs.with_filter(filter))
        .with(traces)
        .try_init()
        .is_ok();
    if installed && provider.is_some() {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        EXPORTING.store(true, Ordering::Relaxed);
        tracing::info!("exporting traces over OTLP");
    }
    Telemetry { provider }
}

/// A tracer provider with a batch exporter, or `None` when no endpoint is configured.
fn otlp_provider() -> anyhow::Result<Option<SdkTracerProvider>> {
    let configured = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if configured("OTEL_EXPORTER_OTLP_ENDPOINT").is_none() {
        return Ok(None);
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()?;
    let service = configured("OTEL_SERVICE_NAME").unwrap_or_else(|| "convo".to_string());
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().with_service_name(service).build())
        .build();
    Ok(Some(provider))
}

impl Telemetry {
    /// Export what is still buffered and stop the exporter. Blocks: call it off the runtime.
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(err) = provider.shutdown()
        {
            eprintln!("convo: exporting the last traces failed: {err}");
        }
    }
}

/// Whether spans are exported. Fields only the exporter reads (`otel.*`) are recorded only
/// then, so the log lines stay as short as before.
pub fn exporting() -> bool {
    EXPORTING.load(Ordering::Relaxed)
}

/// Make `span` continue the caller's trace, from a W3C `traceparent` header.
pub fn continue_trace(span: &tracing::Span, headers: &poem::http::HeaderMap) {
    let parent =
        opentelemetry::global::get_text_map_propagator(|p| p.extract(&HeaderExtractor(headers)));
    let _ = span.set_parent(parent);
}

/// Rename an exported span once its name is known (a request's route template is, only
/// after routing). Recording `otel.name` then is too late: the span has started.
pub fn rename(span: &tracing::Span, name: String) {
    span.context().span().update_name(name);
}

struct HeaderExtractor<'a>(&'a poem::http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}
