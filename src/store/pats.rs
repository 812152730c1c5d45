//! Control-plane queries on personal access tokens. Only the non-secret lookup part and an
//! argon2id hash of each token are stored.

use chrono::{DateTime, Utc};

use crate::tenancy::Control;
use uuid::Uuid;

use super::credentials::{CredentialTable, KeyRecord, find_live};

/// A token's metadata, as its owner sees it (never the token).
#[derive(Clone, Debug)]
pub struct PatRow {
    pub pat_id: Uuid,
    pub name: String,
    pub lookup: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub struct NewPatRow<'a> {
    pub pat_id: Uuid,
    pub actor_id: Uuid,
    pub name: &'a str,
    pub lookup: &'a str,
    pub token_hash: &'a str,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(db: &impl Control, pat: &NewPatRow<'_>) -> Result<(), tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(
            "INSERT INTO convo.personal_access_tokens
                 (pat_id, actor_id, name, lookup, token_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .await?;
    db.execute(
        &stmt,
        &[
            &pat.pat_id,
            &pat.actor_id,
            &pat.name,
            &pat.lookup,
            &pat.token_hash,
            &pat.created_at,
        ],
    )
    .await?;
    Ok(())
}

/// The owner's tokens, newest first.
pub async fn list(
    db: &impl Control,
    actor_id: Uuid,
    include_revoked: bool,
) -> Result<Vec<PatRow>, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(
            "SELECT pat_id, name, lookup, created_at, last_used_at, revoked_at
             FROM convo.personal_access_tokens
             WHERE actor_id = $1 AND ($2 OR revoked_at IS NULL)
             ORDER BY created_at DESC, pat_id DESC",
        )
        .await?;
    let rows = db.query(&stmt, &[&actor_id, &include_revoked]).await?;
    Ok(rows
        .iter()
        .map(|row| PatRow {
            pat_id: row.get(0),
            name: row.get(1),
            lookup: row.get(2),
            created_at: row.get(3),
            last_used_at: row.get(4),
            revoked_at: row.get(5),
        })
        .collect())
}

/// How many unrevoked tokens `actor_id` holds (lock the actor first to count and insert
/// safely).
pub async fn count_live(db: &impl Control, actor_id: Uuid) -> Result<i64, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(
            "SELECT count(*) FROM convo.personal_access_tokens
             WHERE actor_id = $1 AND revoked_at IS NULL",
        )
        .await?;
    Ok(db.query_one(&stmt, &[&actor_id]).await?.get(0))
}

/// Revoke the owner's token. `false` when the owner has no such token; revoking a token
/// already revoked succeeds and keeps its first `revoked_at`.
pub async fn revoke(
    db: &impl Control,
    actor_id: Uuid,
    pat_id: Uuid,
) -> Result<bool, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(
            "UPDATE convo.personal_access_tokens
             SET revoked_at = coalesce(revoked_at, $3)
             WHERE pat_id = $1 AND actor_id = $2",
        )
        .await?;
    Ok(db
        .execute(&stmt, &[&pat_id, &actor_id, &crate::domain::now()])
        .await?
        == 1)
}

/// Record a use of a live token.
pub async fn touch(db: &impl Control, pat_id: Uuid) -> Result<(), tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(
            "UPDATE convo.personal_access_tokens SET last_used_at = $2
             WHERE pat_id = $1 AND revoked_at IS NULL",
        )
        .await?;
    db.execute(&stmt, &[&pat_id, &crate::domain::now()]).await?;
    Ok(())
}

const TOKENS: CredentialTable = CredentialTable {
    name: "personal_access_tokens",
    id: "pat_id",
    hash: "token_hash",
};

/// The live token with this lookup part, with its owner and tenant (`key_id` is the PAT id).
pub async fn find_by_lookup(
    db: &impl Control,
    lookup: &str,
) -> Result<Option<KeyRecord>, tokio_postgres::Error> {
    find_live(db, &TOKENS, "lookup", &lookup).await
}

/// The live token with this id (for stream tokens minted with a PAT).
pub async fn find_by_id(
    db: &impl Control,
    pat_id: Uuid,
) -> Result<Option<KeyRecord>, tokio_postgres::Error> {
    find_live(db, &TOKENS, "pat_id", &pat_id).await
}
