//! One transaction for a batch of appends to one space.
//!
//! Round trips: `BEGIN`; the Idempotency-Key claims and the parent/thread checks, pipelined
//! (only when some request needs them); the replays, key releases, the space's lock
//! ([`spaces::lock_active`]'s statement) and the append itself, pipelined with the lock and
//! the append last, so the space row is locked only for the append and the `COMMIT`; then
//! `COMMIT`. A plain batch is therefore `BEGIN`, lock and append, `COMMIT`, whatever its
//! size.
//!
//! Precedence per request is that of a lone request: a used key first (replay, or 409 for
//! another request), then an unknown parent or thread (404; the space's own 404 when the
//! space is missing), then the space (404 missing, 409 not active). Keys claimed by requests
//! refused after the claim are released before commit; when the space refuses the append, the
//! whole transaction rolls back, so no refused request consumes its key.

use std::collections::HashMap;

use deadpool_postgres::Pool;
use uuid::Uuid;

use super::Answer;
use crate::{
    api::{
        event_write::{event_not_found, thread_not_found},
        space_not_found,
    },
    db::pipeline,
    error::ApiError,
    realtime::SpaceKey,
    store::{
        events::{self, EventRow, NewEvent, Targets},
        idempotency::{self, Claim, KeyClaim},
        spaces,
    },
    tenancy::TenantTx,
};

/// Expired idempotency keys are purged by about one keyed write in this many, a batch at a
/// time, so no transaction pays for more than a small bounded delete.
const PURGE_ONE_IN: u128 = 64;
const PURGE_BATCH: i64 = 100;

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
    /// About what the append holds in memory: its text, references and metadata (the
    /// metadata is at most 16 KiB, so measuring it costs little).
    pub fn bytes(&self) -> usize {
        let e = &self.event;
        let refs: usize = e.references.iter().map(String::len).sum();
        let metadata = serde_json::to_vec(&e.metadata).map_or(0, |m| m.len());
        e.text.len() + refs + metadata + e.speaker_id.len() + e.speaker_name.len() + 256
    }
}

/// What the batch decided for one append before appending.
enum Plan {
    Insert,
    Replay(Uuid),
    Refuse(ApiError),
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

    let Planned {
        plans,
        released,
        purge,
    } = plan(appends, claims, targets.as_ref());

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
        Some(None) => Some(SpaceRefusal::Missing),
        Some(Some(false)) => Some(SpaceRefusal::Inactive),
        None | Some(Some(true)) => None,
    };
    if space_refusal.is_some() {
        // Dropped, the transaction rolls back: no refused request keeps its key claimed.
        drop(tx);
    } else {
        tx.commit().await?;
    }
    let stored = space_refusal.is_none() && !inserting.is_empty();
    let answers = answer(appends, plans, replayed, inserted, space_refusal);
    Ok((answers, stored))
}

/// Why the space refused a batch's inserts.
#[derive(Clone, Copy)]
enum SpaceRefusal {
    Missing,
    Inactive,
}

/// What [`plan`] decided for a batch.
struct Planned<'a> {
    plans: Vec<Plan>,
    /// Keys claimed by requests then refused, to give back before commit.
    released: Vec<&'a KeyClaim>,
    /// Whether this transaction should purge some expired keys.
    purge: bool,
}

/// Decide for each append, from its key's claim (`claims` in the order of the keyed appends)
/// and the targets known in the space (when any append names one).
fn plan<'a>(appends: &'a [Append], claims: Vec<Claim>, targets: Option<&Targets>) -> Planned<'a> {
    let mut claims = claims.into_iter();
    let mut released = Vec::new();
    let mut purge = false;
    let plans = appends
        .iter()
        .map(|a| {
            let claim = a
                .key
                .as_ref()
                .map(|k| (k, claims.next().expect("one claim per key")));
            if let Some((
                k,
                Claim::Used {
                    request_hash,
                    event_id,
                },
            )) = claim
            {
                return if request_hash == k.request_hash {
                    // Replayed even if the space is no longer active: the write happened.
                    Plan::Replay(event_id)
                } else {
                    Plan::Refuse(ApiError::conflict(
                        "Idempotency-Key was already used for a different request",
                    ))
                };
            }
            match targets.and_then(|t| missing_target(a, t)) {
                Some(missing) => {
                    released.extend(claim.map(|(k, _)| k));
                    Plan::Refuse(missing)
                }
                None => {
                    purge |= claim.is_some() && a.event.event_id.as_u128() % PURGE_ONE_IN == 0;
                    Plan::Insert
                }
            }
        })
        .collect();
    Planned {
        plans,
        released,
        purge,
    }
}

/// Each append's answer, in order.
fn answer(
    appends: &[Append],
    plans: Vec<Plan>,
    replayed: Vec<EventRow>,
    inserted: Vec<EventRow>,
    space_refusal: Option<SpaceRefusal>,
) -> Vec<Answer> {
    let replayed = by_id(replayed);
    let mut inserted = by_id(inserted);
    appends
        .iter()
        .zip(plans)
        .map(|(a, plan)| match plan {
            Plan::Refuse(err) => Err(err),
            Plan::Replay(id) => replayed.get(&id).cloned().ok_or_else(event_not_found),
            Plan::Insert => match space_refusal {
                Some(SpaceRefusal::Inactive) => Err(spaces::not_active()),
                Some(SpaceRefusal::Missing) => Err(space_not_found()),
                None => inserted
                    .remove(&a.event.event_id)
                    .ok_or_else(|| ApiError::internal("an appended event was not returned")),
            },
        })
        .collect()
}

/// The 404 of an append whose parent event or thread is not in the space (the space's own
/// 404 when the space itself does not exist).
fn missing_target(a: &Append, t: &Targets) -> Option<ApiError> {
    let known = |named: Option<Option<Uuid>>, known: &[Uuid]| match named {
        None => true,
        Some(None) => false,
        Some(Some(id)) => known.contains(&id),
    };
    let parent_ok = known(a.parent_event_id, &t.events);
    let thread_ok = known(a.thread_id, &t.threads);
    match (parent_ok, thread_ok) {
        (true, true) => None,
        _ if t.space_status.is_none() => Some(space_not_found()),
        (false, _) => Some(event_not_found()),
        (true, false) => Some(thread_not_found()),
    }
}

fn by_id(rows: Vec<EventRow>) -> HashMap<Uuid, EventRow> {
    rows.into_iter().map(|r| (r.event_id, r)).collect()
}
