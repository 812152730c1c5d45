//! Wiring: database, migrations, the notification listener, routes, middleware, shutdown.

use std::{
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use poem::{
    Endpoint, EndpointExt, IntoResponse, PathPattern, Request, Response, Route,
    http::{HeaderValue, Method, StatusCode, header::CONTENT_LENGTH},
    middleware::CatchPanic,
};
use poem_openapi::OperationId;
use tracing::Instrument;

use crate::{
    api::{self, AppState},
    auth::{
        self, Authenticator, RateLimits, client_address::ClientAddresses, hasher::Hasher,
        invalidation, operator::OperatorVerifier, registrations::RegistrationQuota,
        stream_token::StreamTokens, throttle::FailureThrottle,
    },
    config::ServeConfig,
    connection::{self, Connections},
    db::{Db, listener},
    error::{ApiError, to_detail},
    group_commit::GroupCommit,
    realtime::{self, Hub, StreamLimiter},
    route_template,
    store::credentials,
    summary,
    tenancy::ControlConn,
    tenancy::{SchemaName, migrations},
    tenant_lifecycle::spare_pool::SparePool,
};

/// A built server, bound to its port, not yet serving.
pub struct App {
    pub state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    port: u16,
    shutdown_tx: tokio::sync::watch::Sender<bool>,
}

impl App {
    /// Connect, migrate the control plane and the default tenant schema, start the
    /// listener, bind the port.
    pub async fn build(config: ServeConfig) -> anyhow::Result<App> {
        // Checked first: a misconfigured provider should fail before anything is touched.
        let summarizer = summary::from_config(&config.summary)?;
        let operator = OperatorVerifier::from_config(
            config.operator_jwt_secret.as_ref(),
            config.operator_jwt_public_key.as_ref(),
            &config.operator_jwt_audience,
        )?;
        match operator.algorithm() {
            Some(alg) => tracing::info!(algorithm = ?alg, "admin API enabled"),
            None => tracing::info!(
                "admin API disabled: set CONVO_OPERATOR_JWT_SECRET or \
                 CONVO_OPERATOR_JWT_PUBLIC_KEY to enable it"
            ),
        }
        let client_addresses =
            ClientAddresses::new(config.limits.client_address_header.as_deref())?;
        let db = Db::connect(&config.db).await?;
        let mut client = db.dedicated().await.context("connecting to PostgreSQL")?;
        let applied = migrations::migrate_control_plane(&mut client).await?;
        let applied_default = migrations::migrate_tenant(
            &mut client,
            &SchemaName::default_tenant(),
            &migrations::tenant_migrations(),
        )
        .await?;
        drop(client);
        tracing::info!(
            control_plane = applied,
            default_tenant = applied_default,
            "migrations applied"
        );

        let secret = match &config.jwt_secret {
            Some(secret) => secret.0.clone().into_bytes(),
            None => {
                let mut fresh = [0u8; 32];
                rand::RngExt::fill(&mut rand::rng(), &mut fresh[..]);
                let conn = ControlConn::get(&db.pool)
                    .await
                    .context("connecting to PostgreSQL")?;
                credentials::signing_secret(&conn, "stream_tokens", &fresh).await?
            }
        };
        let auth = Authenticator::new(
            db.pool.clone(),
            Duration::from_secs(config.auth_cache_ttl_secs),
            Hasher::start(
                config.auth_verify_concurrency,
                config.limits.auth_hash_queue,
                config.limits.auth_suspect_queue,
            ),
            FailureThrottle::new(
                config.limits.auth_failures_per_key,
                config.limits.auth_failures_per_address,
                Duration::from_secs(config.limits.auth_failure_cooldown_secs),
            ),
            StreamTokens::new(
                &secret,
                Duration::from_secs(config.stream_token_ttl_secs.max(1)),
            ),
        );
        let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
        let hub = Hub::start(db.clone(), &config.memory, shutdown_rx.clone());
        let mut listening = listener::spawn(
            db.direct_config().clone(),
            vec![invalidation::CHANNEL, realtime::CHANNEL],
            Arc::new(listener::Fanout(vec![
                Arc::new(invalidation::Invalidator(auth.cache.clone())),
                Arc::new(realtime::HintHandler(hub.clone())),
            ])),
            shutdown_rx.clone(),
        );
        // Serve only once invalidations can be heard, or a revoked key could outlive its TTL.
        tokio::time::timeout(config.db.timeout(), listening.wait_for(|n| *n > 0))
            .await
            .context("the notification listener did not connect in time")?
            .context("the notification listener stopped")?;
        let rate_limits =
            RateLimits::new(config.rate_limit_per_sec, config.rate_limit_burst).map(Arc::new);
        if let Some(limits) = &rate_limits {
            RateLimits::spawn_cleanup(limits, auth::rate_limit::CLEANUP_INTERVAL);
        }
        let spares = SparePool::start(
            db.clone(),
            config.spares.spare_schemas,
            migrations::tenant_migrations(),
            shutdown_rx,
        );
        let state = Arc::new(AppState {
            appends: GroupCommit::new(db.pool.clone(), hub.clone(), &config.memory),
            db,
            auth: Arc::new(auth),
            tenant_migrations: migrations::tenant_migrations(),
            spares,
            max_body_bytes: config.max_body_bytes,
            body_timeout: config.connection.body_timeout(),
            hub,
            sse_keepalive: Duration::from_secs(config.sse_keepalive_secs.max(1)),
            stream_limiter: Arc::new(StreamLimiter::new(config.limits.streams_per_actor())),
            rate_limits,
            registrations: RegistrationQuota::start(
                config.limits.registrations_per_address_per_hour,
            ),
            limits: config.limits,
            client_addresses,
            listener_connections: listening,
            summarizer,
            operator: Arc::new(operator),
            connections: Arc::new(Connections::new(&config.connection)),
            stream_recheck: config.stream_recheck,
            memory: config.memory.clone(),
        });
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("binding {}", config.bind))?;
        let port = listener.local_addr()?.port();
        Ok(App {
            state,
            listener,
            port,
            shutdown_tx,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serve until `signal` resolves, then finish in-flight requests (up to `grace`).
    pub async fn run_until(
        self,
        signal: impl Future<Output = ()> + Send,
        grace: Duration,
    ) -> std::io::Result<()> {
        let app = routes(self.state.clone());
        let shutdown_tx = self.shutdown_tx;
        // Streams never finish by themselves: end them as soon as shutdown begins, so the
        // grace period is spent on ordinary in-flight requests.
        let signal = async move {
            signal.await;
            let _ = shutdown_tx.send(true);
        };
        let result = connection::serve(
            self.listener,
            self.state.connections.clone(),
            app,
            signal,
            grace,
        )
        .await;
        // Streams that took over their sockets are not the HTTP server's to wait for.
        self.state.connections.drain(grace).await;
        self.state.db.pool.close();
        result
    }
}

/// The route table: the OpenAPI service at `/`, its spec and docs, and the middleware.
pub fn routes(state: Arc<AppState>) -> impl Endpoint {
    let service = api::service();
    let spec_json = api::spec::endpoint(api::spec::json(), "application/json; charset=utf-8");
    let spec_yaml = api::spec::endpoint(api::spec::yaml(), "application/x-yaml");
    let docs = service.swagger_ui();
    let (authenticator, addresses) = (state.auth.clone(), state.client_addresses.clone());
    let rate_limits = state.rate_limits.clone();
    Route::new()
        .at("/openapi.json", spec_json)
        .at("/openapi.yaml", spec_yaml)
        .at("/metrics", api::metrics::endpoint)
        .nest("/docs", docs)
        .nest("/", service)
        // Inside resolve_principal: counts only requests whose credential was accepted.
        .around(move |next, req| auth::rate_limit(next, req, rate_limits.clone()))
        .around(move |next, req| {
            auth::middleware::resolve_principal(next, req, authenticator.clone(), addresses.clone())
        })
        .around(limit_body)
        // A bug must not drop the connection: answer 500 {"detail"} and log it.
        .with(CatchPanic::new().with_handler(panic_response))
        .around(route_template::allow_on_405)
        .around(log_request)
        .data(state.operator.clone())
        .data(state)
        .catch_all_error(to_detail)
}

fn panic_response(panic: Box<dyn std::any::Any + Send>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string());
    ApiError::internal(format!("handler panicked: {message}")).into_response()
}

/// Reject bodies over the configured size with 413, whether or not they announce their
/// length, and buffer the rest (JSON bodies are read whole anyway). A body that takes longer
/// than the body timeout to arrive gets 408, and the connection is closed (what is left of
/// the body is not read).
async fn limit_body<E: Endpoint>(next: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let (limit, timeout) = req
        .data::<Arc<AppState>>()
        .map(|s| (s.max_body_bytes, s.body_timeout))
        .unwrap_or((1024 * 1024, Duration::from_secs(10)));
    if matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH) {
        let announced = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if announced.is_some_and(|n| n > limit) {
            return Err(ApiError::payload_too_large(limit).into());
        }
        let body = req.take_body();
        let Ok(read) = tokio::time::timeout(timeout, body.into_bytes_limit(limit)).await else {
            return Ok(body_timed_out(timeout));
        };
        let bytes = read.map_err(|_| poem::Error::from(ApiError::payload_too_large(limit)))?;
        req.set_body(bytes);
    }
    next.call(req).await.map(IntoResponse::into_response)
}

/// `408` with `{"detail"}`: not an `ApiError` variant (which would add it to every
/// operation's spec), as it is this middleware's answer, common to every request body.
fn body_timed_out(timeout: Duration) -> Response {
    let detail = format!(
        "The request body did not arrive within {} s",
        timeout.as_secs()
    );
    Response::builder()
        .status(StatusCode::REQUEST_TIMEOUT)
        .header("connection", "close")
        .content_type("application/json; charset=utf-8")
        .body(serde_json::json!({ "detail": detail }).to_string())
}

/// One log line and one trace span per request, with a request id (`X-Request-Id` honoured
/// or generated, and returned) and the route template. Only the path is recorded, never the
/// query: it may hold a `token`. A caller's W3C `traceparent` is continued when traces are
/// exported.
async fn log_request<E: Endpoint>(next: Arc<E>, req: Request) -> poem::Result<Response> {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    // The authentication middleware records the actor and tenant (OpenTelemetry names, so
    // the exported span carries them as they are).
    let span = tracing::info_span!(
        "request",
        convo.request_id = %request_id,
        http.request.method = %req.method(),
        url.path = %req.uri().path(),
        http.route = tracing::field::Empty,
        convo.actor = tracing::field::Empty,
        convo.tenant = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
        otel.kind = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
    );
    let exporting = crate::telemetry::exporting();
    if exporting {
        span.record("otel.kind", "server");
        crate::telemetry::continue_trace(&span, req.headers());
    }
    let started = Instant::now();
    let method = req.method().to_string();
    let (mut resp, route, operation) = match next.call(req).instrument(span.clone()).await {
        Ok(resp) => {
            let resp = resp.into_response();
            let route = resp.data::<PathPattern>().map(|p| p.0.clone());
            let operation = resp.data::<OperationId>().map(|o| o.0);
            (resp, route, operation)
        }
        Err(err) => {
            let route = err.data::<PathPattern>().map(|p| p.0.clone());
            let operation = err.data::<OperationId>().map(|o| o.0);
            (to_detail(err).await, route, operation)
        }
    };
    // Route templates and operation ids only: raw paths carry ids and would make label
    // values unbounded.
    let route = route_template::resolve(operation, route.as_deref());
    let operation = operation.unwrap_or("none");
    let status = resp.status();
    let m = &*crate::metrics::METRICS;
    m.http_requests
        .with_label_values(&[method.as_str(), route, operation, status.as_str()])
        .inc();
    m.http_duration
        .with_label_values(&[method.as_str(), route, operation])
        .observe(started.elapsed().as_secs_f64());
    span.record("http.route", route);
    if exporting {
        crate::telemetry::rename(&span, format!("{method} {route}"));
        span.record("http.response.status_code", i64::from(status.as_u16()));
        if status.is_server_error() {
            span.record("otel.status_code", "error");
        }
    }
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            latency_ms = started.elapsed().as_secs_f64() * 1000.0,
            "served"
        )
    });
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-request-id", value);
    }
    Ok(resp)
}
