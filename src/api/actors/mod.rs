//! Actors: registration, the caller's own record and agents, updates and deletion, key
//! rotation and installations. The handlers here are thin; the rules live in the submodules.

mod info;
mod installation;
mod manage;
mod register;

use std::sync::Arc;

use poem::{Request, web::Data};
use poem_openapi::{
    OpenApi,
    param::{Header, Path},
    payload::Json,
};

use super::ApiTags;
use crate::{
    api::AppState,
    auth::{ApiKeyAuth, OptionalApiKeyAuth},
    domain::{ActorId, InstallationId},
    error::ApiError,
    store::actors,
    tenancy::ControlConn,
};
use info::{ActorInfo, ConnectionState, actor_not_found};
use installation::{Released, RotateResponse};
use manage::{ActorUpdate, Deleted};
use register::{CreatedActor, NewActor};

pub struct ActorsApi;

#[OpenApi(tag = "ApiTags::Actors")]
impl ActorsApi {
    /// Register an actor
    ///
    /// A human registers without authentication (`email` required); called with a human's
    /// key, the new human joins that caller's tenant. An agent is registered by its human
    /// sponsor, whose key is required: the agent is placed in the sponsor's tenant. The
    /// response carries the plaintext `api_key`, returned only once.
    ///
    /// An agent registered with an `X-Installation-Id` header is connected to that
    /// installation (see rotate-key); without one it starts `available`. Humans have no
    /// installations: the header is only checked.
    ///
    /// Registrations per client address per hour are limited (429 beyond), and so are the
    /// agents one human may sponsor (403 beyond).
    #[oai(path = "/api/actors", method = "post", operation_id = "create_actor")]
    async fn create(
        &self,
        state: Data<&Arc<AppState>>,
        auth: OptionalApiKeyAuth,
        req: &Request,
        /// The installation (machine) the key is issued to: 1–128 visible ASCII characters.
        #[oai(name = "X-Installation-Id")]
        installation_id: Header<Option<InstallationId>>,
        body: Json<NewActor>,
    ) -> Result<Json<CreatedActor>, ApiError> {
        let installation = installation::installation_id(installation_id.0, req)?;
        let client = state.client_addresses.of(req);
        register::create(&state, auth.principal(), client, installation, body.0)
            .await
            .map(Json)
    }

    /// Get the authenticated actor
    ///
    /// The actor the presented key or personal access token belongs to.
    #[oai(
        path = "/api/actors/me",
        method = "get",
        operation_id = "get_current_actor"
    )]
    async fn me(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
    ) -> Result<Json<ActorInfo>, ApiError> {
        let conn = ControlConn::get(&state.db.pool).await?;
        let actor = actors::get(&conn, auth.principal().actor_id)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        Ok(Json(actor.into()))
    }

    /// List my agents
    ///
    /// The agents sponsored by the authenticated human, oldest first, with their connection
    /// state. 403 when the caller is an agent.
    #[oai(
        path = "/api/actors/me/agents",
        method = "get",
        operation_id = "list_my_agents"
    )]
    async fn my_agents(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
    ) -> Result<Json<Vec<ActorInfo>>, ApiError> {
        manage::agents(&state, auth.principal()).await.map(Json)
    }

    /// Update an actor
    ///
    /// Allowed to a human for itself and to an agent's sponsor (an agent cannot update
    /// itself); 403 for anyone else, 404 for an unknown or malformed id. `display_name`
    /// (1–200 characters) and `metadata` (a JSON object of at most 16 KiB, replaced as a
    /// whole) are optional; absent fields are kept. A new display name applies at once to
    /// every request made with the actor's keys, on every replica.
    #[oai(
        path = "/api/actors/:actor_id",
        method = "patch",
        operation_id = "update_actor"
    )]
    async fn update(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The actor's id (a UUID).
        actor_id: Path<ActorId>,
        body: Json<ActorUpdate>,
    ) -> Result<Json<ActorInfo>, ApiError> {
        manage::update(&state, auth.principal(), actor_id.get(), body.0)
            .await
            .map(Json)
    }

    /// Delete an actor
    ///
    /// Allowed to a human for itself and to an agent's sponsor; 403 for anyone else, 404 for
    /// an unknown or malformed id. Deleting a human also deletes every agent it sponsors: an
    /// agent cannot exist without its sponsor. The deleted actors' keys stop working at once
    /// on every replica. What they said in spaces stays, attributed by id and name.
    /// Answers `{"ok": true, "actor_id": …, "deleted_agents": […]}`.
    #[oai(
        path = "/api/actors/:actor_id",
        method = "delete",
        operation_id = "delete_actor"
    )]
    async fn delete(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The actor's id (a UUID).
        actor_id: Path<ActorId>,
    ) -> Result<Json<Deleted>, ApiError> {
        manage::delete(&state, auth.principal(), actor_id.get())
            .await
            .map(Json)
    }

    /// Rotate an actor's API key
    ///
    /// Allowed to the actor itself (a human, or an agent rotating its own key) and to an
    /// agent's sponsor; 403 for anyone else, 404 for an unknown or malformed id. Returns a
    /// new plaintext key; every earlier key of the actor stops working at once, on every
    /// replica.
    ///
    /// Installations: the key is issued to the installation named by `X-Installation-Id`,
    /// and the agent becomes connected to it (or available, when the request names none).
    /// While the agent is connected to another installation — or to any, when the request
    /// names none — the answer is 409 `{"error": "agent_connected", "message": …,
    /// "agent_id": …}` and nothing changes. Release the agent first, or send
    /// `X-Force-Rotate: true` to take it over: the other installation's key is then refused.
    /// Rotating from the installation the agent is connected to, or while it is available,
    /// just works. Humans have no installations: their rotation always works.
    #[oai(
        path = "/api/actors/:actor_id/rotate-key",
        method = "post",
        operation_id = "rotate_actor_key"
    )]
    async fn rotate_key(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        req: &Request,
        /// The actor's id (a UUID).
        actor_id: Path<ActorId>,
        /// The installation (machine) the new key is issued to: 1–128 visible ASCII
        /// characters.
        #[oai(name = "X-Installation-Id")]
        installation_id: Header<Option<InstallationId>>,
        /// `true` takes the agent over from the installation it is connected to.
        #[oai(
            name = "X-Force-Rotate",
            validator(pattern = "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$")
        )]
        force_rotate: Header<Option<String>>,
    ) -> RotateResponse {
        let rotated = async {
            let installation = installation::installation_id(installation_id.0, req)?;
            let force = installation::force_rotate(force_rotate.0, req)?;
            installation::rotate(
                &state,
                auth.principal(),
                actor_id.get(),
                installation,
                force,
            )
            .await
        };
        rotated.await.unwrap_or_else(RotateResponse::from)
    }

    /// Release an agent
    ///
    /// Makes the agent available without revoking its key: the installation holding it can
    /// finish what it is doing, and any installation can then claim it by rotating its key.
    /// Only the agent's sponsor may release it (403 otherwise, also for humans, who have no
    /// installations); 404 for an unknown or malformed id. Idempotent: answers
    /// `{"agent_id": …, "status": "released"}`, or `"already_released"` when the agent was
    /// not connected.
    #[oai(
        path = "/api/actors/:actor_id/release",
        method = "post",
        operation_id = "release_agent"
    )]
    async fn release(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The agent's id (a UUID).
        actor_id: Path<ActorId>,
    ) -> Result<Json<Released>, ApiError> {
        installation::release(&state, auth.principal(), actor_id.get())
            .await
            .map(Json)
    }
}
