//! What sits between Convo and PostgreSQL, as `CONVO_DB_POOLER` says; see
//! docs/operations.md#behind-a-connection-pooler.

use clap::ValueEnum;

/// The kind of connection pooler between the server's pool and PostgreSQL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Pooler {
    /// PostgreSQL itself, or a pooler in session mode: a pooled connection is one backend for
    /// its whole life, so prepared statements are cached per connection.
    #[default]
    Session,
    /// A pooler in transaction mode (PgBouncer `pool_mode = transaction`): each transaction
    /// may run on another backend, so no named prepared statement outlives a transaction and
    /// no startup option is sent.
    Transaction,
    /// Transaction mode with protocol-level prepared statements tracked by the pooler
    /// (PgBouncer 1.21+ with `max_prepared_statements` > 0): statements are cached as in
    /// session mode; no startup option is sent.
    TransactionPrepared,
}

impl Pooler {
    /// Whether a named prepared statement may be kept on a connection across transactions.
    pub fn keeps_statements(self) -> bool {
        self != Pooler::Transaction
    }

    /// Whether each pooled connection is one PostgreSQL session: startup options
    /// (`-c statement_timeout=…`) reach it and stay set.
    pub fn is_session(self) -> bool {
        self == Pooler::Session
    }
}
