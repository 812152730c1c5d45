//! (e) The same cursor read with traffic on one tenant and spread over many tenant schemas.
//!
//! Tenants are provisioned in bulk through the server's own code, not its HTTP API (10,000
//! through the API would take most of an hour): an actor and an API key per tenant, then
//! [`convo::tenant_lifecycle::provision::create_tenant`] (the schema and every tenant migration, as
//! `POST /api/tenants` does), then a copy of the template tenant's `page` space, so every
//! tenant serves the same page under the same cursor. The keys are real `convo_` keys hashed
//! with argon2id at its minimum cost, so the one verification each key needs on first use
//! does not dominate the set-up; a verified key is not hashed again (the auth cache), so the
//! measured steady state is the same for any argon2 cost.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use convo::{
    config::DbConfig,
    db::Db,
    domain::ActorType,
    store::{actors, actors::ActorRow, credentials},
    tenancy::{Control, ControlConn, migrations},
    tenant_lifecycle::provision,
};
use futures::{StreamExt, stream};
use rand::RngExt;
use uuid::Uuid;

use super::server::Database;

/// Concurrent provisioning workers: enough to keep both cores busy on DDL.
const WORKERS: usize = 4;

/// Create `count` tenants named `Spread <n>` (schema `tenant_spread_<n>`), each with one
/// human actor and key, and copy the `page` space of `template` (a schema) with its events
/// into each; their keys.
pub async fn provision(db: &Database, template: &str, count: usize) -> Vec<String> {
    #[derive(clap::Parser)]
    struct Settings {
        #[command(flatten)]
        db: DbConfig,
    }
    let cfg = <Settings as clap::Parser>::parse_from(["bench"]).db;
    let pool = Db::from_pg_config(db.config.clone(), &cfg).pool;
    let tenant_migrations = migrations::tenant_migrations();
    stream::iter(0..count)
        .map(|n| {
            let (pool, tenant_migrations) = (pool.clone(), &tenant_migrations);
            async move {
                let mut conn = ControlConn::get(&pool).await.expect("pooled connection");
                let key = cheap_key();
                let actor = human(&format!("Spread {n}"));
                actors::insert(&conn, &actor).await.unwrap();
                credentials::insert_api_key(&conn, actor.actor_id, &key.1, &key.2, None)
                    .await
                    .unwrap();
                let tenant = provision::create_tenant(
                    &mut conn,
                    &format!("Spread {n}"),
                    actor.actor_id,
                    tenant_migrations,
                    provision::TenantQuota::UNLIMITED,
                )
                .await
                .unwrap();
                let schema = tenant.schema_name.as_str().to_string();
                assert_eq!(schema, format!("tenant_spread_{n}"), "a fresh database");
                conn.client()
                    .batch_execute(&format!(
                        "INSERT INTO \"{schema}\".spaces SELECT * FROM \"{template}\".spaces
                     WHERE space_id = 'page';
                     INSERT INTO \"{schema}\".events SELECT * FROM \"{template}\".events
                     WHERE space_id = 'page';"
                    ))
                    .await
                    .unwrap();
                key.0
            }
        })
        .buffer_unordered(WORKERS)
        .collect()
        .await
}

fn human(name: &str) -> ActorRow {
    ActorRow {
        actor_id: Uuid::new_v4(),
        display_name: name.to_string(),
        actor_type: ActorType::Human,
        email: None,
        agent_profile: None,
        metadata: serde_json::json!({}),
        sponsor_id: None,
        tenant_id: None,
        default_space_id: None,
        created_at: chrono::Utc::now(),
        installation_id: None,
    }
}

/// A key in the server's format (`convo_` + 12-character lookup + 43-character secret), as
/// (plaintext, lookup, argon2id PHC hash at minimum cost).
fn cheap_key() -> (String, String, String) {
    let mut bytes = [0u8; 9 + 32];
    rand::rng().fill(&mut bytes[..]);
    let body = URL_SAFE_NO_PAD.encode(bytes);
    let plaintext = format!("convo_{body}");
    let params = Params::new(Params::MIN_M_COST, Params::MIN_T_COST, 1, None).unwrap();
    let hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(plaintext.as_bytes())
        .unwrap()
        .to_string();
    (plaintext, body[..12].to_string(), hash)
}
