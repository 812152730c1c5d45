//! The control plane's side of the plane boundary: the client types control-plane store
//! functions (actors, credentials, tokens, tenants) take, made only from the pool here.
//!
//! Tenant-plane store functions take a [`TenantTx`](super::TenantTx) instead, so a query is
//! run on the plane it belongs to or the code does not compile:
//!
//! ```no_run
//! # async fn run(db: &convo::db::Db, schema: &convo::tenancy::SchemaName)
//! #     -> Result<(), convo::error::ApiError> {
//! use convo::{store, tenancy::{ControlConn, TenantTx}};
//!
//! let tx = TenantTx::begin(&db.pool, schema).await?;
//! store::spaces::get(&tx, "sprint-planning").await?;
//! let control = ControlConn::get(&db.pool).await?;
//! store::actors::get(&control, uuid::Uuid::nil()).await?;
//! # Ok(()) }
//! ```
//!
//! A tenant-plane query on a control-plane connection does not compile:
//!
//! ```compile_fail,E0308
//! # async fn run(db: &convo::db::Db) -> Result<(), convo::error::ApiError> {
//! use convo::{store, tenancy::ControlConn};
//!
//! let control = ControlConn::get(&db.pool).await?;
//! store::spaces::get(&control, "sprint-planning").await?;
//! # Ok(()) }
//! ```
//!
//! nor does a control-plane query on a tenant's transaction:
//!
//! ```compile_fail,E0277
//! # async fn run(db: &convo::db::Db, schema: &convo::tenancy::SchemaName)
//! #     -> Result<(), convo::error::ApiError> {
//! use convo::{store, tenancy::TenantTx};
//!
//! let tx = TenantTx::begin(&db.pool, schema).await?;
//! store::actors::get(&tx, uuid::Uuid::nil()).await?;
//! # Ok(()) }
//! ```
//!
//! The `convo_unscoped` search_path of pooled connections stays as the run-time backstop.

use deadpool_postgres::{GenericClient, Object, PoolError, Transaction};

use crate::db::{Conn, Pool};

/// What control-plane store functions run on: a [`ControlConn`] or a [`ControlTx`].
pub trait Control: sealed::Sealed + Sync {
    type Client: GenericClient;
    fn client(&self) -> &Self::Client;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::ControlConn {}
    impl Sealed for super::ControlTx<'_> {}
}

/// A pooled connection for control-plane statements, each its own transaction. It touches
/// no tenant schema, so any pooled connection will do (no tenant affinity).
pub struct ControlConn(Conn);

impl ControlConn {
    pub async fn get(pool: &Pool) -> Result<ControlConn, PoolError> {
        Ok(ControlConn(pool.get().await?))
    }

    pub async fn transaction(&mut self) -> Result<ControlTx<'_>, tokio_postgres::Error> {
        Ok(ControlTx(self.0.transaction().await?))
    }
}

impl Control for ControlConn {
    type Client = Object;
    fn client(&self) -> &Object {
        &self.0
    }
}

/// A control-plane transaction; dropped without [`ControlTx::commit`], it rolls back.
pub struct ControlTx<'a>(Transaction<'a>);

impl ControlTx<'_> {
    pub async fn commit(self) -> Result<(), tokio_postgres::Error> {
        self.0.commit().await
    }

    /// The transaction itself, for provisioning (`crate::tenant_lifecycle`), which creates and
    /// migrates a tenant's schema in the transaction that records the tenant. It cannot make
    /// a [`super::TenantTx`], so it opens no way into the tenant plane.
    pub(crate) fn raw(&self) -> &Transaction<'_> {
        &self.0
    }
}

impl<'a> Control for ControlTx<'a> {
    type Client = Transaction<'a>;
    fn client(&self) -> &Transaction<'a> {
        &self.0
    }
}
