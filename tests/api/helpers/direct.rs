//! What tests do in the database directly, past the API: reading a tenant's schema,
//! appending through the store, revoking and suspending as an operator's SQL would.

use serde_json::Value;

use super::{Actor, TestApp};

impl TestApp {
    /// The schema of the tenant named `name` (`human_in_new_tenant("Alice")` creates
    /// `Alice Org`).
    pub async fn schema_of(&self, name: &str) -> String {
        self.db()
            .await
            .query_one(
                "SELECT schema_name FROM convo.tenants WHERE name = $1",
                &[&name],
            )
            .await
            .unwrap()
            .get(0)
    }

    /// Revoke every key of the actor and tell every replica, as a revocation outside the API
    /// (an operator's SQL) would.
    pub async fn revoke_keys_directly(&self, actor_id: &str) {
        self.db()
            .await
            .batch_execute(&format!(
                "BEGIN; UPDATE convo.api_keys SET revoked_at = now() WHERE actor_id = '{actor_id}';
                 SELECT pg_notify('convo_auth', 'actor:{actor_id}'); COMMIT;"
            ))
            .await
            .unwrap();
    }

    /// Suspend the tenant and tell every replica, bypassing the admin API.
    pub async fn suspend_tenant_directly(&self, tenant_id: &str) {
        self.db()
            .await
            .batch_execute(&format!(
                "BEGIN; UPDATE convo.tenants SET status = 'suspended' WHERE tenant_id = '{tenant_id}';
                 SELECT pg_notify('convo_auth', 'tenant:{tenant_id}'); COMMIT;"
            ))
            .await
            .unwrap();
    }

    /// Append an event directly through the store (the tenant of `schema_name`; `None` is the
    /// default tenant); returns the stored row.
    pub async fn append_event(
        &self,
        schema_name: Option<&str>,
        space_id: &str,
        speaker: &Actor,
        text: &str,
        metadata: Value,
    ) -> convo::store::event_json::EventJson {
        use convo::tenancy::{SchemaName, TenantTx};
        let schema = schema_name
            .map(|s| SchemaName::parse(s).unwrap())
            .unwrap_or_else(SchemaName::default_tenant);
        let tx = TenantTx::begin(&self.state.db.pool, &schema).await.unwrap();
        let event = convo::store::events::NewEvent {
            event_id: uuid::Uuid::now_v7(),
            space_id: space_id.to_string(),
            speaker_id: speaker.actor_id.clone(),
            speaker_name: speaker.body["display_name"].as_str().unwrap().to_string(),
            speaker_type: speaker.body["actor_type"].as_str().unwrap().to_string(),
            text: text.to_string(),
            parent_event_id: None,
            thread_id: None,
            references: vec![],
            metadata,
            body: String::new(),
        }
        .rendered();
        let row = convo::store::events::append_batch(&tx, space_id, &[&event])
            .await
            .unwrap()
            .pop()
            .expect("the space exists and is active");
        tx.commit().await.unwrap();
        row
    }
}
