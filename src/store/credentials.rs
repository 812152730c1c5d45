//! Control-plane queries on API keys. Only the non-secret lookup part and an argon2id hash
//! of each key are stored.

use super::rows;

use crate::tenancy::Control;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

/// What authentication needs to know about a key, read in one query.
#[derive(Clone, Debug)]
pub struct KeyRecord {
    pub key_id: Uuid,
    pub key_hash: String,
    pub actor_id: Uuid,
    pub actor_type: String,
    pub display_name: String,
    pub tenant_id: Option<Uuid>,
    pub schema_name: Option<String>,
    pub tenant_status: Option<String>,
}

pub async fn insert_api_key(
    db: &impl Control,
    actor_id: Uuid,
    lookup: &str,
    key_hash: &str,
    installation_id: Option<&str>,
) -> Result<Uuid, tokio_postgres::Error> {
    let db = db.client();
    let key_id = Uuid::new_v4();
    db.execute(
        "INSERT INTO convo.api_keys (key_id, actor_id, lookup, key_hash, installation_id)
         VALUES ($1, $2, $3, $4, $5)",
        &[&key_id, &actor_id, &lookup, &key_hash, &installation_id],
    )
    .await?;
    Ok(key_id)
}

/// Revoke every live key of the actor; returns how many there were.
pub async fn revoke_actor_keys(
    db: &impl Control,
    actor_id: Uuid,
) -> Result<u64, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(
            "UPDATE convo.api_keys SET revoked_at = $2
             WHERE actor_id = $1 AND revoked_at IS NULL",
        )
        .await?;
    db.execute(&stmt, &[&actor_id, &crate::domain::now()]).await
}

/// The table a kind of credential lives in, with its id and hash columns: API keys and
/// personal access tokens are found by one query and mapped to one [`KeyRecord`].
pub(crate) struct CredentialTable {
    pub name: &'static str,
    pub id: &'static str,
    pub hash: &'static str,
}

const API_KEYS: CredentialTable = CredentialTable {
    name: "api_keys",
    id: "key_id",
    hash: "key_hash",
};

/// The live key with this lookup part, with its actor and tenant.
pub async fn find_by_lookup(
    db: &impl Control,
    lookup: &str,
) -> Result<Option<KeyRecord>, tokio_postgres::Error> {
    find_live(db, &API_KEYS, "lookup", &lookup).await
}

/// The live key with this id (for credentials derived from a key, such as stream tokens).
pub async fn find_by_id(
    db: &impl Control,
    key_id: Uuid,
) -> Result<Option<KeyRecord>, tokio_postgres::Error> {
    find_live(db, &API_KEYS, "key_id", &key_id).await
}

/// The unrevoked credential of `table` whose `column` is `value`, with its actor and tenant.
pub(crate) async fn find_live(
    db: &impl Control,
    table: &CredentialTable,
    column: &str,
    value: &(dyn ToSql + Sync),
) -> Result<Option<KeyRecord>, tokio_postgres::Error> {
    let CredentialTable { name, id, hash } = table;
    let sql = format!(
        "SELECT c.{id}, c.{hash}, a.actor_id, a.actor_type, a.tenant_id,
                t.schema_name, t.status, a.display_name
         FROM convo.{name} c
         JOIN convo.actors a ON a.actor_id = c.actor_id
         LEFT JOIN convo.tenants t ON t.tenant_id = a.tenant_id
         WHERE c.revoked_at IS NULL AND c.{column} = $1"
    );
    rows::opt(db.client(), &sql, &[value], record).await
}

fn record(row: &tokio_postgres::Row) -> KeyRecord {
    KeyRecord {
        key_id: row.get(0),
        key_hash: row.get(1),
        actor_id: row.get(2),
        actor_type: row.get(3),
        tenant_id: row.get(4),
        schema_name: row.get(5),
        tenant_status: row.get(6),
        display_name: row.get(7),
    }
}

/// The secret named `name`, created with `fresh` if there is none yet.
pub async fn signing_secret(
    db: &impl Control,
    name: &str,
    fresh: &[u8],
) -> Result<Vec<u8>, tokio_postgres::Error> {
    let db = db.client();
    db.execute(
        "INSERT INTO convo.signing_keys (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        &[&name, &fresh],
    )
    .await?;
    let row = db
        .query_one(
            "SELECT secret FROM convo.signing_keys WHERE name = $1",
            &[&name],
        )
        .await?;
    Ok(row.get(0))
}
