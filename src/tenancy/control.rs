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

use deadpool_postgres::PoolError;
use futures::FutureExt;

use crate::db::{Conn, Pool};

/// What control-plane store functions run on: a [`ControlConn`] or a [`ControlTx`].
pub trait Control: sealed::Sealed + Sync {
    fn client(&self) -> &Conn;
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
        // Made before BEGIN is sent: if this future is dropped with BEGIN in flight, its drop
        // still rolls back before the connection is reused.
        let tx = ControlTx {
            conn: &self.0,
            done: false,
        };
        tx.conn.batch_execute("BEGIN").await?;
        Ok(tx)
    }
}

impl Control for ControlConn {
    fn client(&self) -> &Conn {
        &self.0
    }
}

/// A control-plane transaction; dropped without [`ControlTx::commit`], it rolls back.
pub struct ControlTx<'a> {
    conn: &'a Conn,
    done: bool,
}

impl ControlTx<'_> {
    pub async fn commit(mut self) -> Result<(), tokio_postgres::Error> {
        self.done = true;
        self.conn.batch_execute("COMMIT").await
    }

    /// The transaction itself, for provisioning (`crate::tenant_lifecycle`), which creates and
    /// migrates a tenant's schema in the transaction that records the tenant. It cannot make
    /// a [`super::TenantTx`], so it opens no way into the tenant plane.
    pub(crate) fn raw(&self) -> &Conn {
        self.conn
    }
}

impl Control for ControlTx<'_> {
    fn client(&self) -> &Conn {
        self.conn
    }
}

impl Drop for ControlTx<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Queued, not awaited (sent when first polled): the connection's next statement,
            // whoever runs it, comes after the ROLLBACK.
            let _ = self.conn.batch_execute("ROLLBACK").now_or_never();
        }
    }
}
