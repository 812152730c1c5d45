//! `POST /api/tenants`, `GET /api/tenants/{tenant_id}`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::ApiTags;
use crate::{
    api::AppState,
    auth::ApiKeyAuth,
    domain::{TenantId, TenantName, TenantStatus},
    error::ApiError,
    store::{
        actors,
        tenants::{self, TenantRow},
    },
    tenancy::ControlConn,
    tenant_lifecycle::provision::{self, ProvisionError, TenantQuota},
};

#[derive(Object)]
pub struct NewTenant {
    /// Tenant name, 1–200 characters. The schema name is derived from it.
    name: TenantName,
}

#[derive(Object)]
pub struct TenantInfo {
    /// The tenant's id.
    tenant_id: Uuid,
    /// The tenant's name.
    name: String,
    /// The PostgreSQL schema holding the tenant's data: `tenant_` + a slug of the name,
    /// with a numeric suffix when another tenant already has it.
    schema_name: String,
    /// `active`, or `suspended` (every request of its actors gets 403).
    status: TenantStatus,
    /// When the tenant was created.
    created_at: DateTime<Utc>,
}

impl From<TenantRow> for TenantInfo {
    fn from(t: TenantRow) -> Self {
        TenantInfo {
            tenant_id: t.tenant_id,
            name: t.name,
            schema_name: t.schema_name.as_str().to_string(),
            status: t.status,
            created_at: t.created_at,
        }
    }
}

/// A quota used up in total is 403 (retrying will not help); per hour, 429 (it will).
fn refusal(err: ProvisionError) -> ApiError {
    match err {
        ProvisionError::Db(err) => err.into(),
        ProvisionError::TotalReached { limit } => ApiError::forbidden(format!(
            "Tenant quota reached: an actor may create {limit} tenants"
        )),
        ProvisionError::HourlyReached { limit, retry_after } => {
            ApiError::too_many_requests(format!(
                "Tenant quota reached: an actor may create {limit} tenants per hour; \
                 retry in {} s",
                retry_after.as_secs().max(1)
            ))
        }
        // The caller was deleted while this request was in flight: its key is gone.
        ProvisionError::NoCreator => ApiError::unauthorized(),
    }
}

pub struct TenantsApi;

#[OpenApi(tag = "ApiTags::Tenants")]
impl TenantsApi {
    /// Create a tenant
    ///
    /// Humans only. Creates the tenant's schema and runs every tenant migration in one
    /// transaction, then assigns the caller to the new tenant. The agents the caller sponsors
    /// move with it (an agent always lives in its sponsor's tenant): their keys then read the
    /// new tenant, and their open streams close. An actor may create a limited number of
    /// tenants per hour (429 beyond) and in total (403 beyond).
    #[oai(path = "/api/tenants", method = "post", operation_id = "create_tenant")]
    async fn create(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        body: Json<NewTenant>,
    ) -> Result<Json<TenantInfo>, ApiError> {
        let caller = auth.principal();
        if !caller.is_human() {
            return Err(ApiError::forbidden("Only human actors can create tenants"));
        }
        let name = body.0.name.into_string();
        let quota = TenantQuota {
            per_hour: state.limits.tenants_per_actor_per_hour,
            total: state.limits.tenants_per_actor,
        };
        let mut conn = ControlConn::get(&state.db.pool).await?;
        let tenant = provision::create_tenant(
            &mut conn,
            &name,
            caller.actor_id,
            &state.tenant_migrations,
            quota,
        )
        .await
        .map_err(refusal);
        // Taken or not, a creation is when the pool may have run low.
        state.spares.wake();
        let tenant = tenant?;
        // Drop the moved actors' cached credentials here at once; other replicas hear the
        // NOTIFY.
        state.auth.cache.invalidate_actor(caller.actor_id);
        for agent in actors::list_sponsored(&conn, caller.actor_id).await? {
            state.auth.cache.invalidate_actor(agent.actor_id);
        }
        Ok(Json(tenant.into()))
    }

    /// Get a tenant
    ///
    /// The caller must belong to the tenant.
    #[oai(
        path = "/api/tenants/:tenant_id",
        method = "get",
        operation_id = "get_tenant"
    )]
    async fn get(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The tenant's id (a UUID).
        tenant_id: Path<TenantId>,
    ) -> Result<Json<TenantInfo>, ApiError> {
        let conn = ControlConn::get(&state.db.pool).await?;
        let tenant = tenants::get(&conn, tenant_id.get())
            .await?
            .ok_or_else(|| ApiError::not_found(TenantId::NOT_FOUND))?;
        if auth.principal().tenant_id != Some(tenant.tenant_id) {
            return Err(ApiError::forbidden("Not a member of this tenant"));
        }
        Ok(Json(tenant.into()))
    }
}
