//! One transaction for a batch of appends to one space.
//!
//! Round trips: `BEGIN`; the Idempotency-Key claims and the parent/thread checks, pipelined
//! (only when some request needs them); the replays, key releases, the space's lock
//! ([`spaces::lock_active`]'s statement) and the append itself, pipelined with the lock and
//! the append last, so the space row is locked only for the append and the `COMMIT`; then
//! `COMMIT`. A plain batch is therefore `BEGIN`, lock and append, `COMMIT`, whatever its
//! size.
//!
//! What each request gets is decided by the rules in [`crate::domain::append`]. Keys claimed
//! by requests refused after the claim are released before commit; when the space refuses the
//! append, the whole transaction rolls back, so no refused request consumes its key.

use std::collections::HashMap;

use crate::db::Pool;
use uuid::Uuid;

use crate::{
    db::pipeline,
    domain::append::{self, Asked, KeyState, Known, Plan, Planned, Refusal},
    error::ApiError,
    store::{
        event_json::EventJson,
        events::{self, NewEvent},
        idempotency::{self, Claim, KeyClaim},
        spaces,
    },
    tenancy::{SpaceKey, TenantTx},
};

/// How many expired idempotency keys one purge deletes at most.
const PURGE_BATCH: i64 = 100;

/// What one append gets back.
pub type Answer = Result<EventJson, ApiError>;

/// A validated event write, with what must still be checked against the space.
pub struct Append {
    pub event: NewEvent,
    /// The parent event named by the request: `Some(None)` when the id is malformed (as
    /// unknown as a missing one).
    pub parent_event_id: Option<Option<Uuid>>,
    /// The thread named by the request, likewise.
    pub thread_id: Option<Option<Uuid>>,
    pub key: Option<KeyClaim>,
}

impl Append {
    fn asked(&self) -> Asked<'_> {
        Asked {
            event_id: self.event.event_id,
            key_hash: self.key.as_ref().map(|k| k.request_hash.as_slice()),
            parent_event_id: self.parent_event_id,
            thread_id: self.thread_id,
        }
    }

    /// The measure of the append for the queue's byte bounds: its rendered JSON, which is
    /// about as long as its fields (what the bounds were calibrated on); the append holds
    /// both, so about twice this.
    pub fn bytes(&self) -> usize {
        self.event.body.len() + 256
    }
}

/// Store the batch; an answer per append, in order, and whether events were committed.
pub async fn run(pool: &Pool, space: &SpaceKey, appends: &[Append]) -> (Vec<Answer>, bool) {
    match transact(pool, space, appends).await {
        Ok(done) => done,
        // A failure that is not about the database's availability may come from one
        // request's content: the transaction rolled back, so try each request alone and let
        // only the culprit fail.
        Err(err) if appends.len() > 1 && !matches!(err, ApiError::Unavailable(_)) => {
            let mut answers = Vec::with_capacity(appends.len());
            let mut stored = false;
            for append in appends {
                match transact(pool, space, std::slice::from_ref(append)).await {
                    Ok((one, committed)) => {
                        answers.extend(one);
                        stored |= committed;
                    }
                    Err(err) => answers.push(Err(err)),
                }
            }
            (answers, stored)
        }
        Err(err) => (appends.iter().map(|_| Err(err.clone())).collect(), false),
    }
}

async fn transact(
    pool: &Pool,
    space: &SpaceKey,
    appends: &[Append],
) -> Result<(Vec<Answer>, bool), ApiError> {
    let space_id = space.space_id.as_str();
    let tx = TenantTx::begin(pool, &space.schema).await?;
    let db = &tx;

    let keyed: Vec<(&KeyClaim, Uuid)> = appends
        .iter()
        .filter_map(|a| a.key.as_ref().map(|k| (k, a.event.event_id)))
        .collect();
    let checks_targets = appends
        .iter()
        .any(|a| a.parent_event_id.is_some() || a.thread_id.is_some());
    let parents: Vec<Uuid> = appends.iter().filter_map(|a| a.parent_event_id?).collect();
    let threads: Vec<Uuid> = appends.iter().filter_map(|a| a.thread_id?).collect();
    // Joined, not try-joined: the error to report is the one that explains the failure
    // (`crate::db::pipeline`).
    let (claims, targets) = tokio::join!(
        async {
            if keyed.is_empty() {
                Ok(Vec::new())
            } else {
                idempotency::claim_all(db, &keyed).await
            }
        },
        async {
            if checks_targets {
                events::known_targets(db, space_id, &parents, &threads)
                    .await
                    .map(Some)
            } else {
                Ok(None)
            }
        },
    );
    let (claims, targets) = pipeline::both(claims, targets)?;

    let asked: Vec<Asked> = appends.iter().map(Append::asked).collect();
    let claims = claims.into_iter().map(key_state).collect();
    let known = targets.as_ref().map(|t| Known {
        space_exists: t.space_status.is_some(),
        events: &t.events,
        threads: &t.threads,
    });
    let Planned {
        plans,
        released,
        purge,
    } = append::plan(&asked, claims, known.as_ref());
    let released: Vec<&KeyClaim> = released
        .into_iter()
        .filter_map(|i| appends[i].key.as_ref())
        .collect();

    let inserting: Vec<&NewEvent> = appends
        .iter()
        .zip(&plans)
        .filter(|(_, p)| matches!(p, Plan::Insert))
        .map(|(a, _)| &a.event)
        .collect();
    let replaying: Vec<Uuid> = plans
        .iter()
        .filter_map(|p| match p {
            Plan::Replay(id) => Some(*id),
            _ => None,
        })
        .collect();
    // Sent together; the space's lock and the append go last so the row is locked as late as
    // possible.
    let (replayed, release, purge_run, (space, inserted)) = tokio::join!(
        async {
            if replaying.is_empty() {
                Ok(Vec::new())
            } else {
                events::get_many(db, space_id, &replaying).await
            }
        },
        async {
            if released.is_empty() {
                Ok(0)
            } else {
                idempotency::release(db, &released).await
            }
        },
        async {
            if purge {
                idempotency::purge_expired(db, PURGE_BATCH).await
            } else {
                Ok(0)
            }
        },
        async {
            if inserting.is_empty() {
                (Ok(None), Ok(Vec::new()))
            } else {
                // The space's rule (`spaces::lock_active`) decides a refusal; the append's own
                // `status = 'active'` keeps the two consistent whichever reaches PostgreSQL
                // first, as both run under the same row lock.
                let (space, inserted) = tokio::join!(
                    spaces::lock(db, space_id),
                    events::append_batch(db, space_id, &inserting)
                );
                (space.map(Some), inserted)
            }
        },
    );
    let (replayed, space, inserted) = match (replayed, release, purge_run, space, inserted) {
        (Ok(replayed), Ok(_), Ok(_), Ok(space), Ok(inserted)) => (replayed, space, inserted),
        (a, b, c, d, e) => {
            let errors = [a.err(), b.err(), c.err(), d.err(), e.err()];
            let errors = errors.into_iter().flatten();
            return Err(pipeline::root_cause(errors).expect("one failed").into());
        }
    };

    let space_refusal = match space {
        Some(None) => Some(Refusal::SpaceMissing),
        Some(Some(false)) => Some(Refusal::SpaceInactive),
        None | Some(Some(true)) => None,
    };
    if space_refusal.is_some() {
        // Dropped, the transaction rolls back: no refused request keeps its key claimed.
        drop(tx);
    } else {
        tx.commit().await?;
    }
    let stored = space_refusal.is_none() && !inserting.is_empty();
    let event_ids = appends.iter().map(|a| a.event.event_id);
    let answers = append::answer(
        plans,
        event_ids,
        by_id(replayed),
        by_id(inserted),
        space_refusal,
    )
    .into_iter()
    .map(|answer| answer.map_err(ApiError::from))
    .collect();
    Ok((answers, stored))
}

fn by_id(rows: Vec<EventJson>) -> HashMap<Uuid, EventJson> {
    rows.into_iter().map(|r| (r.event_id, r)).collect()
}

fn key_state(claim: Claim) -> KeyState {
    match claim {
        Claim::New => KeyState::New,
        Claim::Used {
            request_hash,
            event_id,
        } => KeyState::Used {
            request_hash,
            event_id,
        },
    }
}
