//! Decisions: proposals that emerge during collaboration, `proposed` → `resolved` or
//! `rejected`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{ApiTags, tenant_tx};
use crate::{
    api::AppState,
    auth::{ApiKeyAuth, Principal},
    domain::{DecisionId, DecisionText, ProposedBy, Resolution, ResolvedBy, SpaceId},
    error::ApiError,
    store::{decisions, decisions::DecisionRow, spaces},
};

/// Where a decision is in its lifecycle.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum DecisionStatus {
    Proposed,
    Resolved,
    Rejected,
}

impl DecisionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionStatus::Proposed => "proposed",
            DecisionStatus::Resolved => "resolved",
            DecisionStatus::Rejected => "rejected",
        }
    }
    fn from_db(s: &str) -> Self {
        match s {
            "resolved" => DecisionStatus::Resolved,
            "rejected" => DecisionStatus::Rejected,
            _ => DecisionStatus::Proposed,
        }
    }
}

/// A proposal and, once settled, its outcome.
#[derive(Object, Clone, Debug)]
pub struct Decision {
    /// The decision's id.
    decision_id: Uuid,
    /// The space the decision belongs to.
    space_id: String,
    /// Who proposed it (an actor id unless the proposer named someone else).
    proposed_by: String,
    /// What is proposed, 1–4000 characters.
    text: String,
    /// `proposed`, `resolved` or `rejected`.
    status: DecisionStatus,
    /// Who resolved or rejected it; `null` while proposed.
    #[oai(nullable)]
    resolved_by: Option<String>,
    /// When it was resolved or rejected; `null` while proposed.
    #[oai(nullable)]
    resolved_at: Option<DateTime<Utc>>,
    /// The outcome, if one was given.
    #[oai(nullable)]
    resolution: Option<String>,
    /// When the decision was proposed.
    created_at: DateTime<Utc>,
}

impl From<DecisionRow> for Decision {
    fn from(d: DecisionRow) -> Self {
        Decision {
            decision_id: d.decision_id,
            space_id: d.space_id,
            proposed_by: d.proposed_by,
            text: d.text,
            status: DecisionStatus::from_db(&d.status),
            resolved_by: d.resolved_by,
            resolved_at: d.resolved_at,
            resolution: d.resolution,
            created_at: d.created_at,
        }
    }
}

#[derive(Object)]
pub struct NewDecision {
    /// Defaults to the caller's actor id (at most 256 characters).
    #[oai(nullable)]
    proposed_by: Option<ProposedBy>,
    /// The proposal, 1–4000 characters.
    text: DecisionText,
}

#[derive(Object)]
pub struct ResolveDecision {
    /// Defaults to the caller's actor id (at most 256 characters).
    #[oai(nullable)]
    resolved_by: Option<ResolvedBy>,
    /// The outcome (at most 4000 characters).
    #[oai(nullable)]
    resolution: Option<Resolution>,
    /// `resolved` or `rejected`; `proposed` is a 400 (`status must be resolved or rejected`).
    status: DecisionStatus,
}

/// Number of decisions in each status; every status is present, zeros included.
#[derive(Object)]
pub struct DecisionCounts {
    /// Decisions still open.
    proposed: i64,
    /// Decisions adopted.
    resolved: i64,
    /// Decisions turned down.
    rejected: i64,
}

pub struct DecisionsApi;

#[OpenApi(tag = "ApiTags::Decisions")]
impl DecisionsApi {
    /// List decisions
    ///
    /// Decisions of the space, oldest first.
    #[oai(
        path = "/api/spaces/:space_id/decisions",
        method = "get",
        operation_id = "list_decisions"
    )]
    async fn list(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
        /// Only decisions in this status.
        status: Query<Option<DecisionStatus>>,
    ) -> Result<Json<Vec<Decision>>, ApiError> {
        let tx = tenant_tx(&state, auth.principal()).await?;
        spaces::require(&tx, &space_id).await?;
        let rows = decisions::list(&tx, &space_id, status.map(DecisionStatus::as_str)).await?;
        tx.end_read();
        Ok(Json(rows.into_iter().map(Decision::from).collect()))
    }

    /// Propose a decision
    ///
    /// The space must be active (409 `Space is not active` otherwise).
    #[oai(
        path = "/api/spaces/:space_id/decisions",
        method = "post",
        operation_id = "propose_decision"
    )]
    async fn propose(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
        body: Json<NewDecision>,
    ) -> Result<Json<Decision>, ApiError> {
        let caller = auth.principal();
        let body = body.0;
        let text = body.text.into_string();
        let proposed_by = actor_ref(body.proposed_by.map(ProposedBy::into_string), caller);
        let tx = tenant_tx(&state, caller).await?;
        spaces::lock_active(&tx, &space_id).await?;
        let row = decisions::insert(&tx, &space_id, &proposed_by, &text).await?;
        tx.commit().await?;
        Ok(Json(row.into()))
    }

    /// Count decisions by status
    ///
    /// `{"proposed": n, "resolved": n, "rejected": n}`, zeros included.
    #[oai(
        path = "/api/spaces/:space_id/decisions/summary",
        method = "get",
        operation_id = "get_decision_summary"
    )]
    async fn summary(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
    ) -> Result<Json<DecisionCounts>, ApiError> {
        let tx = tenant_tx(&state, auth.principal()).await?;
        spaces::require(&tx, &space_id).await?;
        let mut counts = DecisionCounts {
            proposed: 0,
            resolved: 0,
            rejected: 0,
        };
        for (status, n) in decisions::counts(&tx, &space_id).await? {
            match DecisionStatus::from_db(&status) {
                DecisionStatus::Proposed => counts.proposed = n,
                DecisionStatus::Resolved => counts.resolved = n,
                DecisionStatus::Rejected => counts.rejected = n,
            }
        }
        tx.end_read();
        Ok(Json(counts))
    }

    /// Get a decision
    ///
    /// One decision of the space. 404 when the space or the decision is unknown, or the id
    /// is not a UUID.
    #[oai(
        path = "/api/spaces/:space_id/decisions/:decision_id",
        method = "get",
        operation_id = "get_decision"
    )]
    async fn get(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
        /// The decision's id (a UUID; anything else is a 404).
        decision_id: Path<DecisionId>,
    ) -> Result<Json<Decision>, ApiError> {
        let decision_id = decision_id.get();
        let tx = tenant_tx(&state, auth.principal()).await?;
        spaces::require(&tx, &space_id).await?;
        let row = decisions::get(&tx, &space_id, decision_id)
            .await?
            .ok_or_else(decision_not_found)?;
        tx.end_read();
        Ok(Json(row.into()))
    }

    /// Resolve or reject a decision
    ///
    /// Settles a `proposed` decision and records `resolved_at`. A decision is settled once:
    /// resolving an already resolved or rejected decision is a 409.
    #[oai(
        path = "/api/spaces/:space_id/decisions/:decision_id/resolve",
        method = "put",
        operation_id = "resolve_decision"
    )]
    async fn resolve(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// The space's id.
        space_id: Path<SpaceId>,
        /// The decision's id (a UUID; anything else is a 404).
        decision_id: Path<DecisionId>,
        body: Json<ResolveDecision>,
    ) -> Result<Json<Decision>, ApiError> {
        let caller = auth.principal();
        let decision_id = decision_id.get();
        let body = body.0;
        if body.status == DecisionStatus::Proposed {
            return Err(ApiError::bad_request("status must be resolved or rejected"));
        }
        let resolved_by = actor_ref(body.resolved_by.map(ResolvedBy::into_string), caller);
        let resolution = body.resolution.map(Resolution::into_string);
        let tx = tenant_tx(&state, caller).await?;
        spaces::require(&tx, &space_id).await?;
        let updated = decisions::resolve(
            &tx,
            &space_id,
            decision_id,
            body.status.as_str(),
            &resolved_by,
            resolution.as_deref(),
        )
        .await?;
        let Some(row) = updated else {
            let current = decisions::get(&tx, &space_id, decision_id)
                .await?
                .ok_or_else(decision_not_found)?;
            return Err(ApiError::conflict(format!(
                "Decision is already {}",
                current.status
            )));
        };
        tx.commit().await?;
        Ok(Json(row.into()))
    }
}

fn decision_not_found() -> ApiError {
    ApiError::not_found(DecisionId::NOT_FOUND)
}

/// Who proposed or resolved: the given name, or the caller's actor id.
fn actor_ref(given: Option<String>, caller: &Principal) -> String {
    given.unwrap_or_else(|| caller.actor_id.to_string())
}
