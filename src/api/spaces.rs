//! Spaces: list, create, status, update, archive; and the caller's own spaces.

use std::{collections::HashMap, sync::Arc};

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, participants::Participant, space_not_found, tenant_tx};
use crate::{
    api::AppState,
    auth::ApiKeyAuth,
    domain::{
        SpaceDescription, SpaceId,
        space::{Link, distinct_links},
    },
    error::ApiError,
    store::{participants, participants::ParticipantRow, spaces, spaces::SpaceRow},
    tenancy::TenantTx,
};

/// The lifecycle state of a space. Only `active` spaces accept new events.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum SpaceState {
    Active,
    Paused,
    Archived,
}

impl SpaceState {
    pub fn as_str(self) -> &'static str {
        match self {
            SpaceState::Active => "active",
            SpaceState::Paused => "paused",
            SpaceState::Archived => "archived",
        }
    }
    fn from_db(s: &str) -> Self {
        match s {
            "paused" => SpaceState::Paused,
            "archived" => SpaceState::Archived,
            _ => SpaceState::Active,
        }
    }
}

#[derive(Object)]
pub struct NewSpace {
    /// Unique within the tenant: 1–128 characters of `A-Z a-z 0-9 . _ -`, starting with a
    /// letter or digit.
    space_id: SpaceId,
    /// What this space is about (at most 2000 characters).
    #[oai(nullable)]
    description: Option<SpaceDescription>,
    /// External http(s) URLs (Jira, GitHub, …): at most 50, each at most 2048 characters,
    /// no duplicates (a duplicate is a 409).
    #[oai(nullable, validator(max_items = 50))]
    links: Option<Vec<Link>>,
}

/// Fields to change; absent or `null` fields are left as they are.
#[derive(Object)]
pub struct SpacePatch {
    /// New description (at most 2000 characters).
    #[oai(nullable)]
    description: Option<SpaceDescription>,
    /// Setting `archived` records `ended_at`; setting `active` or `paused` clears it.
    #[oai(nullable)]
    status: Option<SpaceState>,
    /// Replaces the links (same rules as at creation).
    #[oai(nullable, validator(max_items = 50))]
    links: Option<Vec<Link>>,
}

/// Space metadata with its participants and event counters.
#[derive(Object)]
pub struct SpaceInfo {
    /// The space's id, unique within the tenant.
    space_id: String,
    /// What the space is about; `null` when not set.
    #[oai(nullable)]
    description: Option<String>,
    /// `active`, `paused` or `archived`; only active spaces accept events.
    status: SpaceState,
    /// External http(s) URLs attached to the space.
    links: Vec<String>,
    /// When the space was created.
    started_at: DateTime<Utc>,
    /// When the space was archived; `null` otherwise.
    #[oai(nullable)]
    ended_at: Option<DateTime<Utc>>,
    /// Everyone who joined the space.
    participants: Vec<Participant>,
    /// How many events the space holds.
    event_count: i64,
    /// When the latest event was written; `null` when there is none.
    #[oai(nullable)]
    last_event_at: Option<DateTime<Utc>>,
}

#[derive(Object)]
pub struct SpaceCreated {
    /// The new space.
    space_id: String,
    /// The new space's state.
    status: SpaceInfo,
}

pub struct SpacesApi;

#[OpenApi(tag = "ApiTags::Spaces")]
impl SpacesApi {
    /// List spaces
    ///
    /// All spaces of the caller's tenant, oldest first.
    #[oai(path = "/api/spaces", method = "get", operation_id = "list_spaces")]
    async fn list(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// Only spaces in this state.
        status: Query<Option<SpaceState>>,
    ) -> Result<Json<Vec<SpaceInfo>>, ApiError> {
        let tx = tenant_tx(&state, auth.principal()).await?;
        let rows = spaces::list(&tx, status.map(SpaceState::as_str)).await?;
        let infos = with_participants(&tx, rows).await?;
        tx.end_read();
        Ok(Json(infos))
    }

    /// Create a space
    ///
    /// The creator joins the space as its first participant.
    #[oai(path = "/api/spaces", method = "post", operation_id = "create_space")]
    async fn create(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        body: Json<NewSpace>,
    ) -> Result<Json<SpaceCreated>, ApiError> {
        let caller = auth.principal();
        let body = body.0;
        let space_id = body.space_id.into_string();
        let description = body.description.map(SpaceDescription::into_string);
        let links = links(body.links.unwrap_or_default())?;
        let tx = tenant_tx(&state, caller).await?;
        let row = spaces::insert(
            &tx,
            &space_id,
            description.as_deref(),
            &links,
            caller.actor_id,
        )
        .await?
        .ok_or_else(|| ApiError::conflict(format!("Space {space_id} already exists")))?;
        participants::join(
            &tx,
            &ParticipantRow {
                space_id: space_id.clone(),
                participant_id: caller.actor_id.to_string(),
                name: caller.display_name.clone(),
                participant_type: caller.actor_type.as_str().to_string(),
                agent_adapter: None,
                actor_id: Some(caller.actor_id),
                joined_at: crate::domain::now(),
            },
        )
        .await?;
        let info = with_participant(&tx, row).await?;
        tx.commit().await?;
        Ok(Json(SpaceCreated {
            space_id,
            status: info,
        }))
    }

    /// Get space status
    ///
    /// Metadata, participants, event count and the time of the last event.
    #[oai(
        path = "/api/spaces/:space_id/status",
        method = "get",
        operation_id = "get_space_status"
    )]
    async fn status(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
    ) -> Result<Json<SpaceInfo>, ApiError> {
        let tx = tenant_tx(&state, auth.principal()).await?;
        let row = spaces::get(&tx, &space_id)
            .await?
            .ok_or_else(space_not_found)?;
        let info = with_participant(&tx, row).await?;
        tx.end_read();
        Ok(Json(info))
    }

    /// Update a space
    ///
    /// Changes the description, the status or the links; absent or `null` fields are kept.
    /// Setting `archived` records `ended_at`; `active` or `paused` clears it. Links follow
    /// the rules of creation (a duplicate is a 409).
    #[oai(
        path = "/api/spaces/:space_id",
        method = "patch",
        operation_id = "update_space"
    )]
    async fn update(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
        body: Json<SpacePatch>,
    ) -> Result<Json<SpaceInfo>, ApiError> {
        let body = body.0;
        let description = body.description.map(SpaceDescription::into_string);
        let links = body.links.map(links).transpose()?;
        let tx = tenant_tx(&state, auth.principal()).await?;
        let row = spaces::update(
            &tx,
            &space_id,
            description.as_deref(),
            body.status.map(SpaceState::as_str),
            links.as_deref(),
        )
        .await?
        .ok_or_else(space_not_found)?;
        let info = with_participant(&tx, row).await?;
        tx.commit().await?;
        Ok(Json(info))
    }

    /// Archive a space
    ///
    /// Sets the status to `archived` and records `ended_at`. Archived spaces reject new
    /// events with 409; archiving twice is a 409.
    #[oai(
        path = "/api/spaces/:space_id/archive",
        method = "post",
        operation_id = "archive_space"
    )]
    async fn archive(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
    ) -> Result<Json<SpaceInfo>, ApiError> {
        let tx = tenant_tx(&state, auth.principal()).await?;
        let Some(row) = spaces::archive(&tx, &space_id).await? else {
            spaces::require(&tx, &space_id).await?;
            return Err(ApiError::conflict("Space is already archived"));
        };
        let info = with_participant(&tx, row).await?;
        tx.commit().await?;
        Ok(Json(info))
    }

    /// List my spaces
    ///
    /// Spaces the authenticated actor participates in.
    #[oai(
        path = "/api/actors/me/spaces",
        method = "get",
        operation_id = "list_my_spaces",
        tag = "ApiTags::Actors"
    )]
    async fn mine(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// Only spaces in this state.
        status: Query<Option<SpaceState>>,
    ) -> Result<Json<Vec<SpaceInfo>>, ApiError> {
        let caller = auth.principal();
        let tx = tenant_tx(&state, caller).await?;
        let rows =
            spaces::list_for_actor(&tx, caller.actor_id, status.map(SpaceState::as_str)).await?;
        let infos = with_participants(&tx, rows).await?;
        tx.end_read();
        Ok(Json(infos))
    }
}

fn links(value: Vec<Link>) -> Result<Vec<String>, ApiError> {
    distinct_links(value).map_err(ApiError::conflict)
}

async fn with_participant(tx: &TenantTx, row: SpaceRow) -> Result<SpaceInfo, ApiError> {
    Ok(with_participants(tx, vec![row]).await?.remove(0))
}

/// Attach participants to spaces with one query for all of them.
async fn with_participants(tx: &TenantTx, rows: Vec<SpaceRow>) -> Result<Vec<SpaceInfo>, ApiError> {
    let ids: Vec<&str> = rows.iter().map(|r| r.space_id.as_str()).collect();
    let mut by_space: HashMap<String, Vec<Participant>> = HashMap::new();
    for p in participants::list(tx, &ids).await? {
        by_space
            .entry(p.space_id.clone())
            .or_default()
            .push(p.into());
    }
    Ok(rows
        .into_iter()
        .map(|r| SpaceInfo {
            participants: by_space.remove(&r.space_id).unwrap_or_default(),
            space_id: r.space_id,
            description: r.description,
            status: SpaceState::from_db(&r.status),
            links: r.links,
            started_at: r.started_at,
            ended_at: r.ended_at,
            event_count: r.event_count,
            last_event_at: r.last_event_at,
        })
        .collect())
}
