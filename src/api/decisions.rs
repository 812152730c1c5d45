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

use super::{ApiTags, space_not_found, tenant_tx};
use crate::{
    api::AppState,
    auth::ApiKeyAuth,
    domain::{Str, bounded_text},
    error::ApiError,
    store::{decisions, decisions::DecisionRow, spaces},
    tenancy::TenantTx,
};

/// Longest decision text and resolution, in characters.
pub const MAX_DECISION_CHARS: usize = 4000;
/// Longest `proposed_by` / `resolved_by`, in characters.
const MAX_ACTOR_REF_CHARS: usize = 256;

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
    #[oai(
        nullable,
        validator(
            min_length = 1,
            max_length = 256,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
        )
    )]
    proposed_by: Option<Str>,
    /// The proposal, 1–4000 characters.
    #[oai(validator(
        min_length = 1,
        max_length = 4000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    ))]
    text: Str,
}

#[derive(Object)]
pub struct ResolveDecision {
    /// Defaults to the caller's actor id (at most 256 characters).
    #[oai(
        nullable,
        validator(
            min_length = 1,
            max_length = 256,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
        )
    )]
    resolved_by: Option<Str>,
    /// The outcome (at most 4000 characters).
    #[oai(
        nullable,
        validator(
            min_length = 1,
            max_length = 4000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
        )
    )]
    resolution: Option<Str>,
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
        space_id: Path<String>,
        /// Only decisions in this status.
        status: Query<Option<DecisionStatus>>,
    ) -> Result<Json<Vec<Decision>>, ApiError> {
        let tx = tenant_tx(&state, auth.principal()).await?;
        require_space(&tx, &space_id).await?;
        let rows =
            decisions::list(tx.client(), &space_id, status.map(DecisionStatus::as_str)).await?;
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
        space_id: Path<String>,
        body: Json<NewDecision>,
    ) -> Result<Json<Decision>, ApiError> {
        let caller = auth.principal();
        let body = body.0;
        let text = multiline_text("text", &body.text)?;
        let proposed_by = actor_ref("proposed_by", body.proposed_by, caller.actor_id)?;
        let tx = tenant_tx(&state, caller).await?;
        // The share lock holds the status until commit: no pause can land in between.
        let status = decisions::lock_space_state(tx.client(), &space_id)
            .await?
            .ok_or_else(space_not_found)?;
        if status != "active" {
            return Err(ApiError::conflict("Space is not active"));
        }
        let row = decisions::insert(tx.client(), &space_id, &proposed_by, &text).await?;
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
        space_id: Path<String>,
    ) -> Result<Json<DecisionCounts>, ApiError> {
        let tx = tenant_tx(&state, auth.principal()).await?;
        require_space(&tx, &space_id).await?;
        let mut counts = DecisionCounts {
            proposed: 0,
            resolved: 0,
            rejected: 0,
        };
        for (status, n) in decisions::counts(tx.client(), &space_id).await? {
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
        space_id: Path<String>,
        /// The decision's id (a UUID; anything else is a 404).
        decision_id: Path<String>,
    ) -> Result<Json<Decision>, ApiError> {
        let decision_id = parse_decision_id(&decision_id)?;
        let tx = tenant_tx(&state, auth.principal()).await?;
        require_space(&tx, &space_id).await?;
        let row = decisions::get(tx.client(), &space_id, decision_id)
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
        space_id: Path<String>,
        /// The decision's id (a UUID; anything else is a 404).
        decision_id: Path<String>,
        body: Json<ResolveDecision>,
    ) -> Result<Json<Decision>, ApiError> {
        let caller = auth.principal();
        let decision_id = parse_decision_id(&decision_id)?;
        let body = body.0;
        if body.status == DecisionStatus::Proposed {
            return Err(ApiError::bad_request("status must be resolved or rejected"));
        }
        let resolved_by = actor_ref("resolved_by", body.resolved_by, caller.actor_id)?;
        let resolution = body
            .resolution
            .map(|r| multiline_text("resolution", &r))
            .transpose()?;
        let tx = tenant_tx(&state, caller).await?;
        require_space(&tx, &space_id).await?;
        let updated = decisions::resolve(
            tx.client(),
            &space_id,
            decision_id,
            body.status.as_str(),
            &resolved_by,
            resolution.as_deref(),
        )
        .await?;
        let Some(row) = updated else {
            let current = decisions::get(tx.client(), &space_id, decision_id)
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

async fn require_space(tx: &TenantTx, space_id: &str) -> Result<(), ApiError> {
    spaces::state(tx.client(), space_id)
        .await?
        .ok_or_else(space_not_found)?;
    Ok(())
}

fn decision_not_found() -> ApiError {
    ApiError::not_found("Decision not found")
}

/// A malformed id cannot name a decision: 404, like an unknown one.
fn parse_decision_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| decision_not_found())
}

/// Decision text and resolutions are prose: like [`bounded_text`] (trimmed, 1–4000
/// characters) but line breaks and tabs are allowed.
fn multiline_text(field: &str, value: &str) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ApiError::bad_request(format!("{field} must not be empty")));
    }
    if trimmed.chars().count() > MAX_DECISION_CHARS {
        return Err(ApiError::bad_request(format!(
            "{field} must be at most {MAX_DECISION_CHARS} characters"
        )));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ApiError::bad_request(format!(
            "{field} must not contain control characters other than line breaks and tabs"
        )));
    }
    Ok(trimmed.to_string())
}

/// Who proposed or resolved: the given name, or the caller's actor id.
fn actor_ref(field: &str, value: Option<Str>, caller: Uuid) -> Result<String, ApiError> {
    match value {
        Some(v) => bounded_text(field, &v, MAX_ACTOR_REF_CHARS).map_err(ApiError::bad_request),
        None => Ok(caller.to_string()),
    }
}
