//! Control-plane queries on API keys. Only the non-secret lookup part and an argon2id hash
//! of each key are stored.

use deadpool_postgres::GenericClient;
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
    db: &impl GenericClient,
    actor_id: Uuid,
    lookup: &str,
    key_hash: &str,
    installation_id: Option<&str>,
) -> Result<Uuid, tokio_postgres::Error> {
    let key_id = Uuid::new_v4();
    db.execute(
        "INSERT INTO convo.api_keys (key_id, actor_id, lookup, key_hash, installation_id)
         VALUES ($1, $2, $3, $4, $5)",
        &[&key_id, &actor_id, &lookup, &key_hash, &installation_id],
    )
    .await?;
    Ok(key_id)
}

/// The live key with this lookup part, with its actor and tenant.
pub async fn find_by_lookup(
    db: &impl GenericClient,
    lookup: &str,
) -> Result<Option<KeyRecord>, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(
            "SELECT k.key_id, k.key_hash, a.actor_id, a.actor_type, a.tenant_id,
                    t.schema_name, t.status, a.display_name
             FROM convo.api_keys k
             JOIN convo.actors a ON a.actor_id = k.actor_id
             LEFT JOIN convo.tenants t ON t.tenant_id = a.tenant_id
             WHERE k.lookup = $1 AND k.revoked_at IS NULL",
        )
        .await?;
    Ok(db.query_opt(&stmt, &[&lookup]).await?.map(|row| KeyRecord {
        key_id: row.get(0),
        key_hash: row.get(1),
        actor_id: row.get(2),
        actor_type: row.get(3),
        tenant_id: row.get(4),
        schema_name: row.get(5),
        tenant_status: row.get(6),
        display_name: row.get(7),
    }))
}
