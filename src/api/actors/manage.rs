//! Listing, updating and deleting actors.

use poem_openapi::Object;
use serde_json::Value;
use uuid::Uuid;

use super::{ActorInfo, actor_not_found};
use crate::{
    api::AppState,
    auth::{Principal, invalidation},
    domain::{ActorType, DisplayName, check_metadata},
    error::ApiError,
    store::{actors, actors::ActorRow},
    tenancy::ControlConn,
};

/// Whether the caller sponsors `target` *within the caller's current tenant*. Sponsorship
/// alone is not enough: an agent left in a tenant its sponsor has since left (data from before
/// agents moved with their sponsor) must not give the sponsor a way back into that tenant —
/// rotating its key would hand over a credential that reads it.
pub(super) fn sponsors_here(caller: &Principal, target: &ActorRow) -> bool {
    target.sponsor_id == Some(caller.actor_id) && target.tenant_id == caller.tenant_id
}

/// Who may update or delete `target`: a human itself, or the sponsor of an agent in its tenant.
fn may_manage(caller: &Principal, target: &ActorRow) -> bool {
    (target.actor_id == caller.actor_id && target.actor_type == ActorType::Human)
        || sponsors_here(caller, target)
}

/// The actor `id` if the caller may manage it: 404 for an unknown id, 403 for an actor the
/// caller does not own.
async fn owned(state: &AppState, caller: &Principal, id: Uuid) -> Result<Uuid, ApiError> {
    let conn = ControlConn::get(&state.db.pool).await?;
    let target = actors::get(&conn, id).await?.ok_or_else(actor_not_found)?;
    if !may_manage(caller, &target) {
        return Err(ApiError::forbidden(
            "Only a human itself or an agent's sponsor, in the agent's tenant, can change or delete an actor",
        ));
    }
    Ok(id)
}

pub async fn agents(state: &AppState, caller: &Principal) -> Result<Vec<ActorInfo>, ApiError> {
    if !caller.is_human() {
        return Err(ApiError::forbidden("Only human actors sponsor agents"));
    }
    let conn = ControlConn::get(&state.db.pool).await?;
    let rows = actors::list_sponsored(&conn, caller.actor_id).await?;
    Ok(rows.into_iter().map(ActorInfo::from).collect())
}

#[derive(Object)]
pub struct ActorUpdate {
    /// New display name, 1–200 characters.
    #[oai(nullable)]
    display_name: Option<DisplayName>,
    /// Replaces the whole metadata object (at most 16 KiB); `{}` clears it, `null` or absent
    /// leaves it unchanged.
    #[oai(nullable)]
    metadata: Option<Value>,
}

pub async fn update(
    state: &AppState,
    caller: &Principal,
    actor_id: Uuid,
    body: ActorUpdate,
) -> Result<ActorInfo, ApiError> {
    let bad = ApiError::bad_request;
    let display_name = body.display_name.map(DisplayName::into_string);
    let metadata = match body.metadata {
        None | Some(Value::Null) => None,
        Some(m) => Some(check_metadata(Some(m)).map_err(bad)?),
    };
    let id = owned(state, caller, actor_id).await?;
    let mut conn = ControlConn::get(&state.db.pool).await?;
    let tx = conn.transaction().await?;
    let row = actors::update(&tx, id, display_name.as_deref(), metadata.as_ref())
        .await?
        .ok_or_else(actor_not_found)?;
    // Cached principals carry the display name (events are attributed with it).
    if display_name.is_some() {
        invalidation::notify_actor(&tx, id).await?;
    }
    tx.commit().await?;
    if display_name.is_some() {
        state.auth.cache.invalidate_actor(id);
    }
    Ok(row.into())
}

/// What a deletion removed.
#[derive(Object)]
pub struct Deleted {
    /// Always `true`.
    ok: bool,
    /// The deleted actor.
    actor_id: Uuid,
    /// The agents deleted with it (a deleted human's sponsored agents); empty for an agent.
    deleted_agents: Vec<Uuid>,
}

pub async fn delete(
    state: &AppState,
    caller: &Principal,
    actor_id: Uuid,
) -> Result<Deleted, ApiError> {
    let id = owned(state, caller, actor_id).await?;
    let mut conn = ControlConn::get(&state.db.pool).await?;
    let tx = conn.transaction().await?;
    let deleted = actors::delete_with_agents(&tx, id).await?;
    if deleted.is_empty() {
        return Err(actor_not_found());
    }
    for gone in &deleted {
        invalidation::notify_actor(&tx, *gone).await?;
    }
    tx.commit().await?;
    for gone in &deleted {
        state.auth.cache.invalidate_actor(*gone);
    }
    Ok(Deleted {
        ok: true,
        actor_id: id,
        deleted_agents: deleted.into_iter().filter(|d| *d != id).collect(),
    })
}
