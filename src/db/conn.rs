//! A pooled connection as the rest of Convo sees it: the statements of the store run through
//! here, so how they are prepared follows `CONVO_DB_POOLER` without the store knowing.
//!
//! In session mode (and `transaction-prepared`) a statement is prepared once per connection
//! and cached (deadpool's cache), as it always was. Behind a transaction-mode pooler the
//! next transaction may run on another backend, where a cached name does not exist or names
//! another statement, and even one statement outside a transaction is two protocol exchanges
//! (prepare, then bind) that the pooler may send to different backends. So in that mode every
//! statement is sent unnamed, parse, bind and execute in one message (`query_typed`), with
//! parameter types learned once per text ([`ParamTypes`]): nothing named is ever left on a
//! backend. See docs/operations.md#behind-a-connection-pooler.

use std::sync::Arc;

use deadpool_postgres::PoolError;
use futures::TryStreamExt;
use tokio_postgres::{
    Client, Error, Row, RowStream, SimpleQueryMessage, Statement,
    types::{ToSql, Type},
};

use super::{
    param_types::ParamTypes,
    pool::{AffinePool, Lease, Status},
};
use crate::config::Pooler;

/// What every connection of one pool shares.
struct Shared {
    pooler: Pooler,
    /// Appended to a tenant transaction's `BEGIN`: settings that a session-mode pool sets
    /// once per connection at startup, which a transaction-mode pooler does not pass on.
    local_settings: String,
    param_types: ParamTypes,
    /// Statements kept per connection for each tenant (0: one per SQL text for all tenants).
    tenant_statements: usize,
}

/// The pool of request connections.
#[derive(Clone)]
pub struct Pool {
    inner: AffinePool,
    shared: Arc<Shared>,
}

impl Pool {
    pub fn new(
        inner: AffinePool,
        pooler: Pooler,
        statement_timeout_secs: u64,
        tenant_statements: usize,
    ) -> Pool {
        let tenant_statements = if pooler.keeps_statements() {
            tenant_statements
        } else {
            0
        };
        let mut local_settings = if pooler.is_session() {
            String::new()
        } else {
            format!("; SET LOCAL statement_timeout = '{statement_timeout_secs}s'")
        };
        if tenant_statements > 0 {
            // A tenant's statement runs a few times per connection at most before it is
            // evicted: without this PostgreSQL would plan each of its first five runs anew.
            local_settings.push_str("; SET LOCAL plan_cache_mode = force_generic_plan");
        }
        Pool {
            inner,
            shared: Arc::new(Shared {
                pooler,
                local_settings,
                param_types: ParamTypes::default(),
                tenant_statements,
            }),
        }
    }

    /// Any connection (control-plane work).
    pub async fn get(&self) -> Result<Conn, PoolError> {
        Ok(self.wrap(self.inner.get().await?))
    }

    /// A connection for `schema`'s transaction, preferring the tenant's home slots.
    pub async fn get_for(&self, schema: &str) -> Result<Conn, PoolError> {
        Ok(self.wrap(self.inner.get_for(schema).await?))
    }

    /// The connections idle right now, taken out of the pool until dropped.
    pub fn try_idle(&self) -> Vec<Conn> {
        self.inner
            .try_idle()
            .into_iter()
            .map(|lease| self.wrap(lease))
            .collect()
    }

    fn wrap(&self, obj: Lease) -> Conn {
        Conn {
            obj,
            shared: self.shared.clone(),
            tenant: None,
        }
    }

    pub fn status(&self) -> Status {
        self.inner.status()
    }

    pub fn close(&self) {
        self.inner.close()
    }
}

/// A pooled connection; back to the pool when dropped.
pub struct Conn {
    obj: Lease,
    shared: Arc<Shared>,
    /// The tenant schema of the transaction this connection serves, if any.
    tenant: Option<Arc<str>>,
}

/// A statement from [`Conn::prepare_cached`]: a named statement of this connection, or (in
/// transaction mode) the text with its parameter types, sent unnamed each time.
#[derive(Clone)]
pub struct Stmt(Prepared);

#[derive(Clone)]
enum Prepared {
    Named(Statement),
    Unnamed { sql: Arc<str>, types: Arc<[Type]> },
}

/// What a query runs: SQL text or a [`Stmt`].
pub trait ToStmt: Sync + sealed::Sealed {
    #[doc(hidden)]
    fn to_stmt(&self) -> Target<'_>;
}

#[doc(hidden)]
pub enum Target<'a> {
    Text(&'a str),
    Stmt(&'a Stmt),
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for str {}
    impl Sealed for String {}
    impl Sealed for super::Stmt {}
}

impl ToStmt for str {
    fn to_stmt(&self) -> Target<'_> {
        Target::Text(self)
    }
}

impl ToStmt for String {
    fn to_stmt(&self) -> Target<'_> {
        Target::Text(self)
    }
}

impl ToStmt for Stmt {
    fn to_stmt(&self) -> Target<'_> {
        Target::Stmt(self)
    }
}

/// How one statement is sent.
enum Plan<'a> {
    /// Prepared by tokio-postgres for this one call, or already prepared (session mode).
    Text(&'a str),
    Named(&'a Statement),
    Unnamed(&'a str, Arc<[Type]>),
}

type Param<'a> = &'a (dyn ToSql + Sync);

impl Conn {
    fn client(&self) -> &Client {
        &self.obj
    }

    /// SQL to append to `BEGIN` of a tenant transaction (see [`Shared::local_settings`]).
    pub fn local_settings(&self) -> &str {
        &self.shared.local_settings
    }

    /// Mark this connection as serving `schema`'s transaction (see [`Self::prepare_cached`]).
    pub fn scope_to(&mut self, schema: &str) {
        self.tenant = Some(schema.into());
    }

    /// A statement of its own for each tenant: PostgreSQL keeps a statement's plan only while
    /// the `search_path` it was planned under is current, so one statement shared by the
    /// tenants of a connection is re-analysed and re-planned at nearly every run when
    /// transactions alternate between tenants. The tenant's name in a trailing comment makes
    /// the text, and so the cache entry, the tenant's own. The cache is bounded: when it
    /// holds `tenant_statements`, it is emptied (each statement closed on the backend).
    async fn prepare_for_tenant(&self, schema: &str, sql: &str) -> Result<Statement, Error> {
        let cache = &self.obj.statement_cache;
        if cache.size() >= self.shared.tenant_statements {
            cache.clear();
        }
        self.obj
            .prepare_cached(&format!("{sql}\n/* {schema} */"))
            .await
    }

    /// Close this connection instead of reusing it (its state is unknown).
    pub fn discard(self) {
        self.obj.discard()
    }

    /// The pool slot this connection lives in (tests check which slot served a tenant).
    pub fn slot(&self) -> usize {
        self.obj.slot()
    }

    /// A statement for `sql`: cached on the connection, or in transaction mode its text and
    /// parameter types (nothing is left on the backend).
    pub async fn prepare_cached(&self, sql: &str) -> Result<Stmt, Error> {
        if self.shared.pooler.keeps_statements() {
            let named = match &self.tenant {
                Some(schema) if self.shared.tenant_statements > 0 => {
                    self.prepare_for_tenant(schema, sql).await?
                }
                _ => self.obj.prepare_cached(sql).await?,
            };
            return Ok(Stmt(Prepared::Named(named)));
        }
        let types = self.shared.param_types.of(self.client(), sql).await?;
        Ok(Stmt(Prepared::Unnamed {
            sql: sql.into(),
            types,
        }))
    }

    async fn plan<'a, Q: ToStmt + ?Sized>(
        &self,
        query: &'a Q,
        params: usize,
    ) -> Result<Plan<'a>, Error> {
        Ok(match query.to_stmt() {
            Target::Stmt(Stmt(Prepared::Named(stmt))) => Plan::Named(stmt),
            Target::Stmt(Stmt(Prepared::Unnamed { sql, types })) => {
                Plan::Unnamed(sql, types.clone())
            }
            Target::Text(sql) if self.shared.pooler.keeps_statements() => Plan::Text(sql),
            Target::Text(sql) if params == 0 => Plan::Unnamed(sql, Arc::from([])),
            Target::Text(sql) => {
                Plan::Unnamed(sql, self.shared.param_types.of(self.client(), sql).await?)
            }
        })
    }

    pub async fn query_raw<'p, Q: ToStmt + ?Sized>(
        &self,
        query: &Q,
        params: impl IntoIterator<Item = Param<'p>>,
    ) -> Result<RowStream, Error> {
        let params: Vec<Param<'p>> = params.into_iter().collect();
        match self.plan(query, params.len()).await? {
            Plan::Text(sql) => self.client().query_raw(sql, params).await,
            Plan::Named(stmt) => self.client().query_raw(stmt, params).await,
            Plan::Unnamed(sql, types) => {
                let typed = typed(&params, &types);
                self.client().query_typed_raw(sql, typed).await
            }
        }
    }

    pub async fn query<Q: ToStmt + ?Sized>(
        &self,
        query: &Q,
        params: &[Param<'_>],
    ) -> Result<Vec<Row>, Error> {
        self.query_raw(query, params.iter().copied())
            .await?
            .try_collect()
            .await
    }

    /// The one row the statement returns, if any; an error if it returns more.
    pub async fn query_opt<Q: ToStmt + ?Sized>(
        &self,
        query: &Q,
        params: &[Param<'_>],
    ) -> Result<Option<Row>, Error> {
        match self.plan(query, params.len()).await? {
            Plan::Text(sql) => self.client().query_opt(sql, params).await,
            Plan::Named(stmt) => self.client().query_opt(stmt, params).await,
            Plan::Unnamed(sql, types) => {
                let typed = typed(params, &types);
                self.client().query_typed_opt(sql, &typed).await
            }
        }
    }

    /// The one row the statement returns; an error if it returns none or more.
    pub async fn query_one<Q: ToStmt + ?Sized>(
        &self,
        query: &Q,
        params: &[Param<'_>],
    ) -> Result<Row, Error> {
        match self.plan(query, params.len()).await? {
            Plan::Text(sql) => self.client().query_one(sql, params).await,
            Plan::Named(stmt) => self.client().query_one(stmt, params).await,
            Plan::Unnamed(sql, types) => {
                let typed = typed(params, &types);
                self.client().query_typed_one(sql, &typed).await
            }
        }
    }

    /// The number of rows the statement affected.
    pub async fn execute<Q: ToStmt + ?Sized>(
        &self,
        query: &Q,
        params: &[Param<'_>],
    ) -> Result<u64, Error> {
        match self.plan(query, params.len()).await? {
            Plan::Text(sql) => self.client().execute(sql, params).await,
            Plan::Named(stmt) => self.client().execute(stmt, params).await,
            Plan::Unnamed(sql, types) => {
                let typed = typed(params, &types);
                self.client().execute_typed(sql, &typed).await
            }
        }
    }

    /// Statements without parameters, in the simple-query protocol (no prepared statement).
    pub async fn batch_execute(&self, sql: &str) -> Result<(), Error> {
        self.client().batch_execute(sql).await
    }

    pub async fn simple_query(&self, sql: &str) -> Result<Vec<SimpleQueryMessage>, Error> {
        self.client().simple_query(sql).await
    }
}

/// Each parameter with its type. A parameter the statement does not have gets `UNKNOWN`, which
/// binding refuses, so a wrong count fails as it does with a named statement.
fn typed<'p>(params: &[Param<'p>], types: &[Type]) -> Vec<(Param<'p>, Type)> {
    let types = types
        .iter()
        .cloned()
        .chain(std::iter::repeat(Type::UNKNOWN));
    params.iter().copied().zip(types).collect()
}
