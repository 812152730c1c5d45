//! What the three event-creating operations share: bounds on the body, the Idempotency-Key,
//! and handing the append to the space's group commit.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::space_not_found;
use crate::{
    api::AppState,
    auth::Principal,
    domain::{
        Str, bounded_text, check_metadata,
        uri::{self, UriError},
    },
    error::ApiError,
    group_commit::Append,
    store::event_json::Event,
    store::{events::NewEvent, idempotency::KeyClaim, spaces},
    tenancy::{SpaceKey, TenantTx},
};

pub const MAX_TEXT_CHARS: usize = 32768;
pub const MAX_SPEAKER_ID_CHARS: usize = 128;
pub const MAX_SPEAKER_NAME_CHARS: usize = 200;
pub const MAX_REFERENCES: usize = 50;
pub const MAX_REFERENCE_CHARS: usize = 2048;
pub const MAX_MENTIONS: usize = 50;
const MAX_KEY_CHARS: usize = 255;

/// An event body before validation, whichever operation it came through.
pub struct Draft {
    pub speaker_id: Str,
    pub speaker_name: Str,
    pub speaker_type: String,
    pub text: Str,
    pub parent_event_id: Option<Str>,
    pub thread_id: Option<Str>,
    pub references: Vec<Str>,
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
    idempotency_key: IdempotencyKey<'_>,
    draft: Draft,
) -> Result<Event, ApiError> {
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
    Ok(state.appends.append(space, append).await?.into())
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

/// Why a write to `space_id` was refused: the space is missing (404) or not active (409).
pub async fn inactive_or_missing(tx: &TenantTx, space_id: &str) -> Result<ApiError, ApiError> {
    Ok(match spaces::state(tx.client(), space_id).await? {
        None => space_not_found(),
        Some(_) => ApiError::conflict("Space is not active"),
    })
}

/// The 404 for something `missing` from a space, or the space's own 404 when the space itself
/// does not exist.
pub async fn missing_from_space(
    tx: &TenantTx,
    space_id: &str,
    missing: ApiError,
) -> Result<ApiError, ApiError> {
    Ok(match spaces::state(tx.client(), space_id).await? {
        None => space_not_found(),
        Some(_) => missing,
    })
}

/// The Idempotency-Key header as the typed parameter read it, and the raw request: poem
/// reads a value that is not visible ASCII as no header at all, which would silently turn
/// a retry into a second write.
pub struct IdempotencyKey<'a>(pub Option<String>, pub &'a poem::Request);

impl IdempotencyKey<'_> {
    fn check(self) -> Result<Option<String>, ApiError> {
        match self.0 {
            Some(key) => check_key(key).map(Some),
            None if self.1.headers().contains_key("Idempotency-Key") => Err(key_error()),
            None => Ok(None),
        }
    }
}

fn check_key(key: String) -> Result<String, ApiError> {
    let valid =
        !key.is_empty() && key.len() <= MAX_KEY_CHARS && key.bytes().all(|b| b.is_ascii_graphic());
    if valid { Ok(key) } else { Err(key_error()) }
}

fn key_error() -> ApiError {
    ApiError::bad_request(format!(
        "Idempotency-Key must be 1-{MAX_KEY_CHARS} visible ASCII characters"
    ))
}

fn check(space_id: &str, d: Draft) -> Result<Checked, ApiError> {
    let bad = ApiError::bad_request;
    let speaker_id =
        bounded_text("speaker_id", &d.speaker_id, MAX_SPEAKER_ID_CHARS).map_err(bad)?;
    let speaker_name =
        bounded_text("speaker_name", &d.speaker_name, MAX_SPEAKER_NAME_CHARS).map_err(bad)?;
    check_speaker_type(&d.speaker_type)?;
    let text = check_text(&d.text)?;
    let references = check_references(d.references)?;
    let metadata = check_metadata(d.metadata).map_err(bad)?;
    check_mentions(&metadata)?;
    let uuid = |s: &Option<Str>| s.as_ref().map(|s| Uuid::parse_str(s.trim()).ok());
    let parent_event_id = uuid(&d.parent_event_id);
    let thread_id = uuid(&d.thread_id);
    let canonical = json!({
        "speaker_id": speaker_id,
        "speaker_name": speaker_name,
        "speaker_type": d.speaker_type,
        "text": text,
        "parent_event_id": d.parent_event_id.as_deref(),
        "thread_id": d.thread_id.as_deref(),
        "references": references,
        "metadata": metadata,
    });
    Ok(Checked {
        event: NewEvent {
            event_id: Uuid::now_v7(),
            space_id: space_id.to_string(),
            speaker_id,
            speaker_name,
            speaker_type: d.speaker_type,
            text,
            parent_event_id: parent_event_id.flatten(),
            thread_id: thread_id.flatten(),
            references,
            metadata,
        },
        parent_event_id,
        thread_id,
        canonical,
    })
}

/// Text is kept as sent (line breaks and indentation matter); only blank text and control
/// characters other than tab and line breaks are refused.
fn check_text(text: &str) -> Result<String, ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::bad_request("text must not be empty"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::bad_request(format!(
            "text must be at most {MAX_TEXT_CHARS} characters"
        )));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ApiError::bad_request(
            "text must not contain control characters other than tab and line breaks",
        ));
    }
    Ok(text.to_string())
}

/// `human`, `agent`, `transcript`, `system`, or a custom `^[a-z][a-z0-9_-]{0,31}$`; the four
/// named types match the pattern too.
fn check_speaker_type(t: &str) -> Result<(), ApiError> {
    let valid = t.len() <= 32
        && t.starts_with(|c: char| c.is_ascii_lowercase())
        && t.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "speaker_type must be human, agent, transcript, system, or a custom type of 1-32 \
             characters matching ^[a-z][a-z0-9_-]{0,31}$",
        ))
    }
}

fn check_references(refs: Vec<Str>) -> Result<Vec<String>, ApiError> {
    if refs.len() > MAX_REFERENCES {
        return Err(ApiError::bad_request(format!(
            "references must have at most {MAX_REFERENCES} entries"
        )));
    }
    refs.into_iter()
        .map(|Str(r)| {
            let r = r.trim().to_string();
            let shown = || r.chars().take(100).collect::<String>();
            let well_formed = r.len() <= MAX_REFERENCE_CHARS && !r.chars().any(char::is_control);
            match well_formed.then(|| uri::check_linkable(&r)) {
                Some(Ok(_)) => Ok(r),
                Some(Err(UriError::ScriptCapable)) => Err(ApiError::bad_request(format!(
                    "references must not use the javascript:, vbscript: or data: scheme: {:?}",
                    shown()
                ))),
                _ => Err(ApiError::bad_request(format!(
                    "references must be absolute URIs of at most {MAX_REFERENCE_CHARS} characters: {:?} is not",
                    shown()
                ))),
            }
        })
        .collect()
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
    fn speaker_types() {
        for ok in [
            "human",
            "agent",
            "transcript",
            "system",
            "bot_2",
            "a",
            &"x".repeat(32),
        ] {
            assert!(check_speaker_type(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Human", "1bot", "-x", "a b", &"x".repeat(33), "ü"] {
            assert!(check_speaker_type(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts_keep_their_layout() {
        assert_eq!(check_text("  a\n\tb ").unwrap(), "  a\n\tb ");
        assert!(check_text(" \n ").is_err());
        assert!(check_text("a\u{0}b").is_err());
        assert!(check_text(&"x".repeat(MAX_TEXT_CHARS)).is_ok());
        assert!(check_text(&"x".repeat(MAX_TEXT_CHARS + 1)).is_err());
    }

    #[test]
    fn references_and_mentions() {
        let s = |v: &[&str]| v.iter().map(|x| Str(x.to_string())).collect::<Vec<_>>();
        assert!(check_references(s(&["urn:isbn:123", "https://a.example/x"])).is_ok());
        assert!(check_references(s(&["relative/path"])).is_err());
        assert!(check_references(s(&["https://a.example", " JavaScript:alert(1)"])).is_err());
        assert!(check_references(s(&vec!["https://a.example"; 51])).is_err());
        assert!(check_mentions(&json!({})).is_ok());
        assert!(check_mentions(&json!({"mentions": ["a", "b"]})).is_ok());
        assert!(check_mentions(&json!({"mentions": "a"})).is_err());
        assert!(check_mentions(&json!({"mentions": [1]})).is_err());
        assert!(check_mentions(&json!({"mentions": vec!["a"; 51]})).is_err());
        assert!(check_key("abc-123".into()).is_ok());
        assert!(check_key(String::new()).is_err());
        assert!(check_key("a b".into()).is_err());
        assert!(check_key("x".repeat(256)).is_err());
    }
}
