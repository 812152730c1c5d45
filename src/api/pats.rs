//! `POST/GET /api/personal-access-tokens` and `DELETE /api/personal-access-tokens/{pat_id}`:
//! long-lived tokens a human creates for the CLI. Agents get 403 on all three.

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
    auth::{ApiKeyAuth, Principal, invalidation, pat},
    domain::PatName,
    error::ApiError,
    store::{
        actors,
        pats::{self, NewPatRow, PatRow},
    },
    tenancy::ControlConn,
};

#[derive(Object)]
pub struct NewPat {
    /// Label for this token, 1–64 characters.
    name: PatName,
}

/// A personal access token's metadata (never the token itself).
#[derive(Object)]
pub struct PatInfo {
    /// `pat_` followed by 32 hex characters.
    pat_id: String,
    /// The token's label.
    name: String,
    /// The first 8 hex characters after `mootup_pat_`, to tell tokens apart.
    token_prefix: String,
    /// When the token was created.
    created_at: DateTime<Utc>,
    /// Last time the token authenticated a request (updated at most once a minute).
    #[oai(nullable)]
    last_used_at: Option<DateTime<Utc>>,
    /// When the token was revoked; `null` while it is valid.
    #[oai(nullable)]
    revoked_at: Option<DateTime<Utc>>,
}

impl From<PatRow> for PatInfo {
    fn from(row: PatRow) -> Self {
        PatInfo {
            pat_id: pat::public_id(row.pat_id),
            name: row.name,
            token_prefix: pat::display_prefix(&row.lookup).to_string(),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
        }
    }
}

/// A newly created token. `token` is shown only here, once.
#[derive(Object)]
pub struct CreatedPat {
    /// `pat_` followed by 32 hex characters.
    pat_id: String,
    /// The token's label.
    name: String,
    /// The token: `mootup_pat_` followed by 60 lowercase hex characters. Store it: it cannot
    /// be retrieved again.
    token: String,
    /// The first 8 hex characters after `mootup_pat_`.
    token_prefix: String,
    /// When the token was created.
    created_at: DateTime<Utc>,
    /// Always `null` for a new token.
    #[oai(nullable)]
    last_used_at: Option<DateTime<Utc>>,
    /// Always `null` for a new token.
    #[oai(nullable)]
    revoked_at: Option<DateTime<Utc>>,
}

/// Acknowledges a request that has nothing else to return.
#[derive(Object)]
pub struct Ack {
    /// Always `true`.
    ok: bool,
}

fn human(auth: &ApiKeyAuth) -> Result<&Principal, ApiError> {
    let caller = auth.principal();
    if !caller.is_human() {
        return Err(ApiError::forbidden(
            "Agents cannot manage personal access tokens",
        ));
    }
    Ok(caller)
}

fn pat_not_found() -> ApiError {
    ApiError::not_found("Personal access token not found")
}

pub struct PatsApi;

#[OpenApi(tag = "ApiTags::PersonalAccessTokens")]
impl PatsApi {
    /// Create a personal access token
    ///
    /// Returns the plaintext `token` (`mootup_pat_` + 60 hex characters) once; only its hash
    /// is stored. The token authenticates like the owner's API key (`Authorization: Bearer`
    /// or `?token=`). Humans only: agents get 403. A human may hold a limited number of
    /// unrevoked tokens (403 beyond).
    #[oai(
        path = "/api/personal-access-tokens",
        method = "post",
        operation_id = "create_personal_access_token"
    )]
    async fn create(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        body: Json<NewPat>,
    ) -> Result<Json<CreatedPat>, ApiError> {
        let caller = human(&auth)?;
        let name = body.0.name.into_string();
        let token = state.auth.mint(pat::generate).await?;
        let row = NewPatRow {
            pat_id: Uuid::now_v7(),
            actor_id: caller.actor_id,
            name: &name,
            lookup: &token.lookup,
            token_hash: &token.hash,
            created_at: crate::domain::now(),
        };
        let mut conn = ControlConn::get(&state.db.pool).await?;
        let tx = conn.transaction().await?;
        // Locked, so concurrent creations count each other.
        actors::lock(&tx, caller.actor_id)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        let limit = state.limits.pats_per_human;
        if limit > 0 && pats::count_live(&tx, caller.actor_id).await? >= i64::from(limit) {
            return Err(ApiError::forbidden(format!(
                "Personal access token quota reached: at most {limit} unrevoked tokens; \
                 revoke one first"
            )));
        }
        pats::insert(&tx, &row).await?;
        tx.commit().await?;
        Ok(Json(CreatedPat {
            pat_id: pat::public_id(row.pat_id),
            token_prefix: token.token_prefix().to_string(),
            created_at: row.created_at,
            name,
            last_used_at: None,
            revoked_at: None,
            token: token.plaintext,
        }))
    }

    /// List personal access tokens
    ///
    /// The caller's tokens, newest first, without the tokens themselves. Revoked tokens are
    /// left out unless `include_revoked=true`. Humans only: agents get 403.
    #[oai(
        path = "/api/personal-access-tokens",
        method = "get",
        operation_id = "list_personal_access_tokens"
    )]
    async fn list(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// `true` to include revoked tokens (default `false`).
        include_revoked: Query<Option<bool>>,
    ) -> Result<Json<Vec<PatInfo>>, ApiError> {
        let caller = human(&auth)?;
        let conn = ControlConn::get(&state.db.pool).await?;
        let rows = pats::list(&conn, caller.actor_id, include_revoked.0.unwrap_or(false)).await?;
        Ok(Json(rows.into_iter().map(PatInfo::from).collect()))
    }

    /// Revoke a personal access token
    ///
    /// Takes effect at once on every replica. 404 if the token does not exist or belongs to
    /// another user (its existence is not disclosed). Revoking a token already revoked
    /// succeeds and keeps its `revoked_at`. Humans only: agents get 403.
    #[oai(
        path = "/api/personal-access-tokens/:pat_id",
        method = "delete",
        operation_id = "revoke_personal_access_token"
    )]
    async fn revoke(
        &self,
        state: Data<&Arc<AppState>>,
        auth: ApiKeyAuth,
        /// `pat_…`
        pat_id: Path<String>,
    ) -> Result<Json<Ack>, ApiError> {
        let caller = human(&auth)?;
        let pat_id = pat::parse_id(&pat_id.0).ok_or_else(pat_not_found)?;
        let mut conn = ControlConn::get(&state.db.pool).await?;
        let tx = conn.transaction().await?;
        if !pats::revoke(&tx, caller.actor_id, pat_id).await? {
            return Err(pat_not_found());
        }
        invalidation::notify_actor(&tx, caller.actor_id).await?;
        tx.commit().await?;
        // This replica forgets at once, without waiting for its own notification.
        state.auth.cache.invalidate_actor(caller.actor_id);
        Ok(Json(Ack { ok: true }))
    }
}
