//! The tenant-scoped session: a pooled connection inside a transaction whose search_path is
//! the caller's tenant schema and nothing else.
//!
//! Scoping is transaction-local (`SET LOCAL`), sent with `BEGIN` in the round trip of the
//! request's first statement, so a recycled connection never carries a tenant's path into the
//! next request and the scheme stays correct behind a transaction-mode pooler (where
//! `CONVO_DB_POOLER=transaction` also keeps statements from outliving the transaction, see
//! [`crate::db::Conn`]). Queries use unqualified table names and cached prepared statements:
//! PostgreSQL re-resolves them whenever search_path changes, and every tenant schema has
//! identical tables because all run the same migrations.
//!
//! See docs/architecture.md#request-scoping.

use futures::FutureExt;
use tracing::Instrument;

use crate::{
    db::{Conn, Pool},
    error::ApiError,
    tenancy::SchemaName,
};

/// A transaction bound to one tenant schema. Dropped without [`TenantTx::commit`], it rolls
/// back before the connection goes back to the pool.
pub struct TenantTx {
    conn: Option<Conn>,
    /// From checkout to commit or rollback, carrying the tenant: the database span of the
    /// request's trace. At `debug`, so it costs nothing unless traces are exported.
    span: tracing::Span,
}

impl TenantTx {
    pub async fn begin(pool: &Pool, schema: &SchemaName) -> Result<TenantTx, ApiError> {
        let span = tracing::debug_span!(
            "tenant transaction",
            otel.kind = "client",
            db.system.name = "postgresql",
            convo.tenant = schema.as_str(),
            otel.status_code = tracing::field::Empty,
        );
        let tx = TenantTx {
            // Preferably a connection that served this tenant last: docs/architecture.md
            // #tenant-affine-connections.
            conn: Some({
                let mut conn = pool
                    .get_for(schema.as_str())
                    .instrument(span.clone())
                    .await?;
                conn.scope_to(schema.as_str());
                conn
            }),
            span,
        };
        // Queued, not awaited: it travels in the same round trip as the request's first
        // statement. tokio-postgres sends a request when its future is first polled and, when
        // that future is dropped, still reads and discards the responses, so the connection
        // stays in step. A failure cannot pass unnoticed: it leaves the transaction aborted,
        // or the connection on its unscoped search_path, and the next statement fails.
        let scope = format!(
            "BEGIN; SET LOCAL search_path TO {}{}",
            schema.quoted(),
            tx.client().local_settings()
        );
        if let Some(Err(err)) = tx.client().batch_execute(&scope).now_or_never() {
            return Err(err.into());
        }
        Ok(tx)
    }

    /// The scoped connection: what the tenant-plane store functions run their statements on.
    pub fn client(&self) -> &Conn {
        self.conn
            .as_ref()
            .expect("connection present until commit or drop")
    }

    /// The pool slot of the connection (tests check where a tenant's transaction ran).
    pub fn slot(&self) -> usize {
        self.conn
            .as_ref()
            .expect("connection present until commit or drop")
            .slot()
    }

    pub async fn commit(mut self) -> Result<(), ApiError> {
        let conn = self.conn.take().expect("connection present until commit");
        if let Err(err) = conn.batch_execute("COMMIT").await {
            self.span.record("otel.status_code", "error");
            return Err(err.into());
        }
        Ok(())
    }
}

impl TenantTx {
    /// End a transaction that wrote nothing (every read-only handler does): `COMMIT` is
    /// queued, not awaited, and the connection goes back to the pool at once; the next
    /// request's statements on it run after the `COMMIT`, in order. Nothing waits for an
    /// answer that cannot change what the caller read, so a read costs one round trip less.
    pub fn end_read(mut self) {
        let conn = self.conn.take().expect("connection present until commit");
        if conn.batch_execute("COMMIT").now_or_never().is_some() {
            // Answered at once only when the connection is closed: do not reuse it.
            conn.discard();
        }
    }
}

impl Drop for TenantTx {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        match tokio::runtime::Handle::try_current() {
            // The connection returns to the pool only after ROLLBACK has run.
            Ok(handle) => {
                let span = std::mem::replace(&mut self.span, tracing::Span::none());
                handle.spawn(
                    async move {
                        if conn.batch_execute("ROLLBACK").await.is_err() {
                            conn.discard();
                        }
                    }
                    // The span ends once the rollback has run.
                    .instrument(span),
                );
            }
            // No runtime to roll back on: close the connection instead of reusing it.
            Err(_) => conn.discard(),
        }
    }
}
