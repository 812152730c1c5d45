//! The platform operator's admin API under `/api/admin`: list and inspect tenants, suspend
//! and reactivate them. Authenticated by platform-operator JWTs ([`OperatorAuth`]), never by
//! API keys.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::ApiTags;
use crate::{
    api::AppState,
    auth::operator::OperatorAuth,
    domain::{TenantId, TenantStatus},
    error::ApiError,
    store::tenants::{self, TenantOverview},
    tenancy::ControlConn,
    tenant_lifecycle::status,
};

#[derive(Object)]
pub struct AdminTenant {
    /// The tenant's id.
    tenant_id: Uuid,
    /// The tenant's name.
    name: String,
    /// The PostgreSQL schema holding the tenant's data.
    schema_name: String,
    /// `suspended`: every request of the tenant's actors gets 403.
    status: TenantStatus,
    /// When the tenant was created.
    created_at: DateTime<Utc>,
    /// Actors (humans and agents) assigned to the tenant.
    member_count: i64,
}

impl From<TenantOverview> for AdminTenant {
    fn from(t: TenantOverview) -> Self {
        AdminTenant {
            tenant_id: t.tenant.tenant_id,
            name: t.tenant.name,
            schema_name: t.tenant.schema_name.as_str().to_string(),
            status: t.tenant.status,
            created_at: t.tenant.created_at,
            member_count: t.member_count,
        }
    }
}

#[derive(Object)]
pub struct AdminTenantList {
    /// Oldest first.
    tenants: Vec<AdminTenant>,
}

fn not_found() -> ApiError {
    ApiError::not_found(TenantId::NOT_FOUND)
}

pub struct AdminApi;

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminApi {
    /// List tenants
    ///
    /// Platform operators only. Every tenant, oldest first, with its member count.
    #[oai(
        path = "/api/admin/tenants",
        method = "get",
        operation_id = "admin_list_tenants"
    )]
    async fn list(
        &self,
        state: Data<&Arc<AppState>>,
        _auth: OperatorAuth,
        /// Only tenants with this status.
        status: Query<Option<TenantStatus>>,
    ) -> Result<Json<AdminTenantList>, ApiError> {
        let conn = ControlConn::get(&state.db.pool).await?;
        let tenants = tenants::list_overview(&conn, status.0).await?;
        Ok(Json(AdminTenantList {
            tenants: tenants.into_iter().map(Into::into).collect(),
        }))
    }

    /// Get a tenant
    ///
    /// Platform operators only.
    #[oai(
        path = "/api/admin/tenants/:tenant_id",
        method = "get",
        operation_id = "admin_get_tenant"
    )]
    async fn get(
        &self,
        state: Data<&Arc<AppState>>,
        _auth: OperatorAuth,
        /// The tenant's id (a UUID).
        tenant_id: Path<TenantId>,
    ) -> Result<Json<AdminTenant>, ApiError> {
        let conn = ControlConn::get(&state.db.pool).await?;
        let tenant = tenants::get_overview(&conn, tenant_id.get())
            .await?
            .ok_or_else(not_found)?;
        Ok(Json(tenant.into()))
    }

    /// Suspend a tenant
    ///
    /// Platform operators only. From the moment this returns, every request of the tenant's
    /// actors gets 403 `Tenant is suspended` on every replica, and their open event streams
    /// close. Suspending a suspended tenant changes nothing.
    #[oai(
        path = "/api/admin/tenants/:tenant_id/suspend",
        method = "post",
        operation_id = "admin_suspend_tenant"
    )]
    async fn suspend(
        &self,
        state: Data<&Arc<AppState>>,
        auth: OperatorAuth,
        /// The tenant's id (a UUID).
        tenant_id: Path<TenantId>,
    ) -> Result<Json<AdminTenant>, ApiError> {
        set_status(&state, &auth, tenant_id.get(), TenantStatus::Suspended).await
    }

    /// Reactivate a tenant
    ///
    /// Platform operators only. Restores access for the tenant's actors on every replica.
    /// Reactivating an active tenant changes nothing.
    #[oai(
        path = "/api/admin/tenants/:tenant_id/reactivate",
        method = "post",
        operation_id = "admin_reactivate_tenant"
    )]
    async fn reactivate(
        &self,
        state: Data<&Arc<AppState>>,
        auth: OperatorAuth,
        /// The tenant's id (a UUID).
        tenant_id: Path<TenantId>,
    ) -> Result<Json<AdminTenant>, ApiError> {
        set_status(&state, &auth, tenant_id.get(), TenantStatus::Active).await
    }
}

async fn set_status(
    state: &AppState,
    auth: &OperatorAuth,
    tenant_id: Uuid,
    to: TenantStatus,
) -> Result<Json<AdminTenant>, ApiError> {
    let mut conn = ControlConn::get(&state.db.pool).await?;
    let tenant = status::set_status(&mut conn, tenant_id, to)
        .await?
        .ok_or_else(not_found)?;
    // Other replicas hear the NOTIFY; this one need not wait for its own listener.
    state.auth.cache.invalidate_tenant(tenant_id);
    tracing::info!(
        %tenant_id,
        status = ?to,
        operator = auth.0.sub.as_deref().unwrap_or("-"),
        "tenant status set by operator"
    );
    Ok(Json(tenant.into()))
}
