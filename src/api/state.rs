//! What every handler can reach: built by [`crate::app`], attached to every request.

use std::{sync::Arc, time::Duration};

use refinery::Migration;

use crate::{
    auth::Principal,
    auth::{
        Authenticator, RateLimits, client_address::ClientAddresses, operator::OperatorVerifier,
        registrations::RegistrationQuota,
    },
    config::{LimitsConfig, StreamRecheckConfig},
    connection::Connections,
    db::Db,
    error::ApiError,
    group_commit::GroupCommit,
    memory_bounds::MemoryBounds,
    realtime::{Hub, StreamLimiter},
    summary::Summarizer,
    tenancy::TenantTx,
    tenant_lifecycle::spare_pool::SparePool,
};

/// What every handler can reach.
pub struct AppState {
    pub db: Db,
    pub auth: Arc<Authenticator>,
    pub tenant_migrations: Vec<Migration>,
    /// Spare tenant schemas made ahead of time; woken after each tenant creation.
    pub spares: Arc<SparePool>,
    pub max_body_bytes: usize,
    /// How long a request body may take to arrive once its handler reads it.
    pub body_timeout: Duration,
    pub hub: Arc<Hub>,
    /// Event appends, batched per space.
    pub appends: Arc<GroupCommit>,
    pub sse_keepalive: Duration,
    /// Open event streams per actor.
    pub stream_limiter: Arc<StreamLimiter>,
    /// Requests per actor; `None` when disabled.
    pub rate_limits: Option<Arc<RateLimits>>,
    /// Quotas and per-address limits as configured.
    pub limits: LimitsConfig,
    /// The address per-address limits count against.
    pub client_addresses: ClientAddresses,
    /// Registrations per client address per hour.
    pub registrations: Arc<RegistrationQuota>,
    /// How many times the notification listener has connected (it reconnects by itself).
    pub listener_connections: tokio::sync::watch::Receiver<u64>,
    /// Writes space summaries: the configured provider, or the built-in extractive one.
    pub summarizer: Arc<dyn Summarizer>,
    /// Verifies platform-operator tokens for the admin API.
    pub operator: Arc<OperatorVerifier>,
    /// Open connections, whose sockets event streams can take over.
    pub connections: Arc<Connections>,
    /// How streams retry a credential re-check the database could not answer.
    pub stream_recheck: StreamRecheckConfig,
    /// Bounds on what one request, stream or append queue may hold in memory.
    pub memory: MemoryBounds,
}

/// The caller's tenant-scoped session: the one way handlers reach tenant data.
pub(crate) async fn tenant_tx(state: &AppState, caller: &Principal) -> Result<TenantTx, ApiError> {
    TenantTx::begin(&state.db.pool, &caller.schema).await
}
