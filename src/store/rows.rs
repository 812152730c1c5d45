//! Running one cached prepared statement and mapping what it returns: the mechanics every
//! query of the store shares, so each query function holds only its SQL and its parameters.

use tokio_postgres::{Error, Row, types::ToSql};

use crate::db::Conn;

/// The row `sql` returns, if any, mapped by `map`.
pub(super) async fn opt<T>(
    db: &Conn,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    map: impl FnOnce(&Row) -> T,
) -> Result<Option<T>, Error> {
    let stmt = db.prepare_cached(sql).await?;
    Ok(db.query_opt(&stmt, params).await?.as_ref().map(map))
}

/// Every row `sql` returns, mapped by `map`, in the order returned.
pub(super) async fn all<T>(
    db: &Conn,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    map: impl FnMut(&Row) -> T,
) -> Result<Vec<T>, Error> {
    let stmt = db.prepare_cached(sql).await?;
    Ok(db.query(&stmt, params).await?.iter().map(map).collect())
}
