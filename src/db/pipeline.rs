//! Results of statements pipelined in one transaction.
//!
//! Once one statement fails, PostgreSQL fails every later one with 25P02 ("current transaction
//! is aborted"), and the order the futures are written in need not be the order the statements
//! reached the server (a statement not yet prepared on the connection is sent a round trip
//! later). So the error to report is the one that is not 25P02.

use tokio_postgres::{Error, error::SqlState};

/// The error that explains a failed pipeline: the first that is not "transaction aborted".
pub fn root_cause(errors: impl IntoIterator<Item = Error>) -> Option<Error> {
    let mut first = None;
    for err in errors {
        if err.code() != Some(&SqlState::IN_FAILED_SQL_TRANSACTION) {
            return Some(err);
        }
        first.get_or_insert(err);
    }
    first
}

/// Both results, or the error that explains the failure.
pub fn both<A, B>(a: Result<A, Error>, b: Result<B, Error>) -> Result<(A, B), Error> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err(root_cause(a.err().into_iter().chain(b.err())).expect("one failed")),
    }
}
