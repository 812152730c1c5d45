//! The parameter types of a statement, learned without leaving a named prepared statement
//! behind, for running it as an unnamed one (`query_typed`) behind a transaction-mode pooler.
//!
//! A statement's parameter types depend only on its text and the table definitions, and every
//! tenant schema has the same tables, so they are learned once per text and pool. Learning
//! them takes one simple-query message (`PREPARE`, read `pg_prepared_statements`,
//! `DEALLOCATE`): a pooler runs one message on one backend, so nothing outlives it, inside a
//! transaction or not.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio_postgres::{Client, Error, SimpleQueryMessage, types::Type};

/// Texts remembered per pool. Convo's statements are a fixed set (a few hundred), but some
/// texts name a schema (provisioning writes each new tenant's migration history): when the map
/// is full it starts over, and the statements in use are learned again.
const MAX_ENTRIES: usize = 4096;

/// The name the probe prepares under; it exists only inside the probe's one message.
const PROBE: &str = "convo_param_probe";

/// Parameter types by statement text.
#[derive(Default)]
pub struct ParamTypes(Mutex<HashMap<Box<str>, Arc<[Type]>>>);

impl ParamTypes {
    /// The parameter types of `sql`, probed on `client` the first time.
    pub async fn of(&self, client: &Client, sql: &str) -> Result<Arc<[Type]>, Error> {
        if let Some(types) = self.0.lock().expect("never poisoned").get(sql) {
            return Ok(types.clone());
        }
        let types = probe(client, sql).await?;
        let mut map = self.0.lock().expect("never poisoned");
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(sql.into(), types.clone());
        Ok(types)
    }
}

async fn probe(client: &Client, sql: &str) -> Result<Arc<[Type]>, Error> {
    let sql = explained(sql);
    // The text is Convo's own SQL, never user input.
    let batch = format!(
        "PREPARE {PROBE} AS {sql};
         SELECT parameter_types::oid[]::text FROM pg_prepared_statements WHERE name = '{PROBE}';
         DEALLOCATE {PROBE}"
    );
    let oids = client
        .simple_query(&batch)
        .await?
        .into_iter()
        .find_map(|message| match message {
            SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
            _ => None,
        })
        .unwrap_or_default();
    Ok(parse_oids(&oids))
}

/// PREPARE takes only SELECT, INSERT, UPDATE, DELETE, MERGE and VALUES: an `EXPLAIN [(…)]`
/// has the parameters of the statement it explains, so that statement is probed.
fn explained(sql: &str) -> &str {
    let trimmed = sql.trim_start();
    let Some(rest) = trimmed
        .get(..7)
        .filter(|head| head.eq_ignore_ascii_case("explain"))
        .map(|_| trimmed[7..].trim_start())
    else {
        return sql;
    };
    match rest.strip_prefix('(') {
        Some(options) => options.split_once(')').map_or(rest, |(_, tail)| tail),
        None => rest,
    }
}

/// `{25,2950}` → `[TEXT, UUID]`. Convo's schemas use only built-in types; any other comes out
/// as `UNKNOWN`, which binding refuses with a clear error instead of sending wrong bytes.
fn parse_oids(text: &str) -> Arc<[Type]> {
    text.trim_matches(|c| c == '{' || c == '}')
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|oid| {
            oid.trim()
                .parse()
                .ok()
                .and_then(Type::from_oid)
                .unwrap_or(Type::UNKNOWN)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explain_is_probed_as_what_it_explains() {
        assert_eq!(explained("SELECT $1"), "SELECT $1");
        assert_eq!(explained("EXPLAIN SELECT $1"), "SELECT $1");
        assert_eq!(
            explained(" explain (costs off) SELECT $1").trim(),
            "SELECT $1"
        );
    }

    #[test]
    fn oid_arrays_become_types() {
        assert_eq!(
            &*parse_oids("{25,2950,3802}"),
            [Type::TEXT, Type::UUID, Type::JSONB]
        );
        assert!(parse_oids("{}").is_empty());
        assert!(parse_oids("").is_empty());
        assert_eq!(&*parse_oids("{4294967295}"), [Type::UNKNOWN]);
    }
}
