//! What the three event-creating operations share: bounds on the body, the Idempotency-Key,
//! and handing the append to the space's group commit.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::space_not_found;
use crate::{
    api::AppState,
    auth::Principal,
    domain::{IdempotencyKey, Str, check_metadata},
    error::ApiError,
    group_commit::Append,
    store::event_json::EventJson,
    store::{events::NewEvent, idempotency::KeyClaim, spaces},
    tenancy::{SpaceKey, TenantTx},
};

pub const MAX_MENTIONS: usize = 50;

/// An event body whose fields have been parsed by their types, whichever operation it came
/// through; the metadata object and its mentions are still to check.
pub struct Draft {
    pub speaker_id: String,
    pub speaker_name: String,
    pub speaker_type: String,
    pub text: String,
    pub parent_event_id: Option<Str>,
    pub thread_id: Option<Str>,
    pub references: Vec<String>,
    pub metadata: Option<Value>,
}

/// A validated event with the ids it points at still to be checked against the space.
struct Checked {
    event: NewEvent,
    parent_event_id: Option<Option<Uuid>>,
    thread_id: Option<Option<Uuid>>,
    /// What an idempotent retry must repeat: everything the caller chose, normalised.
    canonical: Value,
}

/// Validate `draft`, then store it in `space_id` (or replay the event stored earlier under the
/// same Idempotency-Key). `operation` names the endpoint, so one key cannot be replayed
/// through another. The write joins the space's next batch ([`crate::group_commit`]).
pub async fn post_event(
    state: &AppState,
    caller: &Principal,
    space_id: &str,
    operation: &str,
    idempotency_key: KeyHeader<'_>,
    draft: Draft,
) -> Result<EventJson, ApiError> {
    let key = idempotency_key.check()?;
    let checked = check(space_id, draft)?;
    let key = key.map(|key| KeyClaim {
        actor_id: caller.actor_id,
        key,
        request_hash: request_hash(space_id, operation, &checked.canonical),
    });
    let space = SpaceKey {
        schema: caller.schema.clone(),
        space_id: space_id.to_string(),
    };
    let append = Append {
        event: checked.event,
        parent_event_id: checked.parent_event_id,
        thread_id: checked.thread_id,
        key,
    };
    state.appends.append(space, append).await
}

/// What a retry under the same key must repeat: the endpoint and the normalised body.
fn request_hash(space_id: &str, operation: &str, canonical: &Value) -> Vec<u8> {
    let path = format!("/api/spaces/{space_id}/{operation}");
    let body = serde_json::to_vec(canonical).expect("JSON serialises");
    Sha256::new()
        .chain_update(path.as_bytes())
        .chain_update([0])
        .chain_update(&body)
        .finalize()
        .to_vec()
}

pub use crate::error::{event_not_found, thread_not_found};

/// The 404 for something `missing` from a space, or the space's own 404 when the space itself
/// does not exist.
pub async fn missing_from_space(
    tx: &TenantTx,
    space_id: &str,
    missing: ApiError,
) -> Result<ApiError, ApiError> {
    Ok(match spaces::state(tx, space_id).await? {
        None => space_not_found(),
        Some(_) => missing,
    })
}

/// The Idempotency-Key header as the typed parameter read it, and the raw request: poem
/// reads a value that is not visible ASCII as no header at all, which would silently turn
/// a retry into a second write.
pub struct KeyHeader<'a>(pub Option<IdempotencyKey>, pub &'a poem::Request);

impl KeyHeader<'_> {
    fn check(self) -> Result<Option<String>, ApiError> {
        match self.0 {
            Some(key) => Ok(Some(key.into_string())),
            None if self.1.headers().contains_key(IdempotencyKey::HEADER) => {
                Err(ApiError::bad_request(IdempotencyKey::invalid()))
            }
            None => Ok(None),
        }
    }
}

fn check(space_id: &str, d: Draft) -> Result<Checked, ApiError> {
    let metadata = check_metadata(d.metadata).map_err(ApiError::bad_request)?;
    check_mentions(&metadata)?;
    let uuid = |s: &Option<Str>| s.as_ref().map(|s| Uuid::parse_str(s.trim()).ok());
    let parent_event_id = uuid(&d.parent_event_id);
    let thread_id = uuid(&d.thread_id);
    let canonical = json!({
        "speaker_id": d.speaker_id,
        "speaker_name": d.speaker_name,
        "speaker_type": d.speaker_type,
        "text": d.text,
        "parent_event_id": d.parent_event_id.as_deref(),
        "thread_id": d.thread_id.as_deref(),
        "references": d.references,
        "metadata": metadata,
    });
    Ok(Checked {
        event: NewEvent {
            event_id: Uuid::now_v7(),
            space_id: space_id.to_string(),
            speaker_id: d.speaker_id,
            speaker_name: d.speaker_name,
            speaker_type: d.speaker_type,
            text: d.text,
            parent_event_id: parent_event_id.flatten(),
            thread_id: thread_id.flatten(),
            references: d.references,
            metadata,
            body: String::new(),
        }
        .rendered(),
        parent_event_id,
        thread_id,
        canonical,
    })
}

fn check_mentions(metadata: &Value) -> Result<(), ApiError> {
    let Some(mentions) = metadata.get("mentions") else {
        return Ok(());
    };
    let valid = mentions.as_array().is_some_and(|m| {
        m.len() <= MAX_MENTIONS
            && m.iter()
                .all(|p| p.as_str().is_some_and(|s| s.chars().count() <= 128))
    });
    if valid {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "metadata.mentions must be an array of at most {MAX_MENTIONS} participant ids \
             (strings of at most 128 characters)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions() {
        assert!(check_mentions(&json!({})).is_ok());
        assert!(check_mentions(&json!({"mentions": ["a", "b"]})).is_ok());
        assert!(check_mentions(&json!({"mentions": "a"})).is_err());
        assert!(check_mentions(&json!({"mentions": [1]})).is_err());
        assert!(check_mentions(&json!({"mentions": vec!["a"; 51]})).is_err());
    }
}
