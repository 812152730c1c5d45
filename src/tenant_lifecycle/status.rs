//! Suspending and reactivating a tenant, shared by the admin API and `convo tenants`. The
//! status change and the `tenant:<id>` NOTIFY commit together, so every replica drops the
//! tenant's cached credentials (and re-checks its open streams) exactly when it takes effect.

use uuid::Uuid;

use crate::{
    auth::invalidation,
    domain::TenantStatus,
    store::tenants::{self, TenantOverview},
    tenancy::ControlConn,
};

/// Set the tenant's status (idempotent) and announce it; `None` for an unknown tenant. The
/// caller should also drop its own replica's cache at once (`invalidate_tenant`) when it
/// serves requests; replicas hear the NOTIFY.
pub async fn set_status(
    conn: &mut ControlConn,
    tenant_id: Uuid,
    status: TenantStatus,
) -> Result<Option<TenantOverview>, tokio_postgres::Error> {
    let tx = conn.transaction().await?;
    if !tenants::set_status(&tx, tenant_id, status).await? {
        return Ok(None);
    }
    invalidation::notify_tenant(&tx, tenant_id).await?;
    let tenant = tenants::get_overview(&tx, tenant_id).await?;
    tx.commit().await?;
    Ok(tenant)
}
