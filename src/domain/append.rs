//! The rules of appending events to a space, decided for a batch at once
//! ([`crate::group_commit`] queues, batches and commits; it asks these functions what to do).
//!
//! Precedence per request is that of a lone request: a used Idempotency-Key first (replay, or
//! 409 for another request), then an unknown parent or thread (404; the space's own 404 when
//! the space is missing), then the space itself (404 missing, 409 not active). A replay is
//! answered even when the space is no longer active: the write happened.

use std::collections::HashMap;

use uuid::Uuid;

/// Expired idempotency keys are purged by about one keyed write in this many, so no
/// transaction pays for more than a small bounded delete.
const PURGE_ONE_IN: u128 = 64;

/// One append as the rules see it.
pub struct Asked<'a> {
    pub event_id: Uuid,
    /// The hash of what the request asks for, when it carries an Idempotency-Key.
    pub key_hash: Option<&'a [u8]>,
    /// The parent event named by the request: `Some(None)` when the id is malformed (as
    /// unknown as a missing one).
    pub parent_event_id: Option<Option<Uuid>>,
    /// The thread named by the request, likewise.
    pub thread_id: Option<Option<Uuid>>,
}

/// What claiming a request's Idempotency-Key found.
pub enum KeyState {
    /// The key is the request's now.
    New,
    /// The key was used before for a request with this hash, which stored this event.
    Used {
        request_hash: Vec<u8>,
        event_id: Uuid,
    },
}

/// What exists in the space, for the appends that name a parent event or a thread.
pub struct Known<'a> {
    pub space_exists: bool,
    pub events: &'a [Uuid],
    pub threads: &'a [Uuid],
}

/// Why an append is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The Idempotency-Key was used for a different request (409).
    KeyReused,
    /// 404 for the space, its parent event or its thread.
    SpaceMissing,
    EventMissing,
    ThreadMissing,
    /// The space is archived (409).
    SpaceInactive,
    /// The store did not return an event it was asked to insert (a bug: 500).
    NotReturned,
}

/// What to do with one append before appending.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    Insert,
    Replay(Uuid),
    Refuse(Refusal),
}

/// What [`plan`] decided for a batch.
pub struct Planned {
    pub plans: Vec<Plan>,
    /// The appends whose key was claimed and then refused: give their keys back.
    pub released: Vec<usize>,
    /// Whether this transaction should purge some expired keys.
    pub purge: bool,
}

/// Decide for each append, from its key's claim (`claims` in the order of the keyed appends)
/// and what the space holds (when any append names a parent or a thread).
pub fn plan(asked: &[Asked], claims: Vec<KeyState>, known: Option<&Known>) -> Planned {
    let mut claims = claims.into_iter();
    let mut released = Vec::new();
    let mut purge = false;
    let plans = asked
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let claim = a
                .key_hash
                .map(|hash| (hash, claims.next().expect("one claim per key")));
            if let Some((
                hash,
                KeyState::Used {
                    request_hash,
                    event_id,
                },
            )) = &claim
            {
                return if request_hash.as_slice() == *hash {
                    Plan::Replay(*event_id)
                } else {
                    Plan::Refuse(Refusal::KeyReused)
                };
            }
            match known.and_then(|k| missing_target(a, k)) {
                Some(missing) => {
                    if claim.is_some() {
                        released.push(i);
                    }
                    Plan::Refuse(missing)
                }
                None => {
                    purge |= claim.is_some() && a.event_id.as_u128() % PURGE_ONE_IN == 0;
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

/// The 404 of an append whose parent event or thread is not in the space (the space's own
/// 404 when the space itself does not exist).
pub fn missing_target(a: &Asked, known: &Known) -> Option<Refusal> {
    let found = |named: Option<Option<Uuid>>, ids: &[Uuid]| match named {
        None => true,
        Some(None) => false,
        Some(Some(id)) => ids.contains(&id),
    };
    let parent_ok = found(a.parent_event_id, known.events);
    let thread_ok = found(a.thread_id, known.threads);
    match (parent_ok, thread_ok) {
        (true, true) => None,
        _ if !known.space_exists => Some(Refusal::SpaceMissing),
        (false, _) => Some(Refusal::EventMissing),
        (true, false) => Some(Refusal::ThreadMissing),
    }
}

/// Each append's answer, in the order of `plans`: `event_ids` are the appends' own ids,
/// `replayed` and `inserted` the rows the store returned (in any order), `space` why the
/// space refused the inserts, if it did.
pub fn answer<T: Clone>(
    plans: Vec<Plan>,
    event_ids: impl IntoIterator<Item = Uuid>,
    replayed: HashMap<Uuid, T>,
    mut inserted: HashMap<Uuid, T>,
    space: Option<Refusal>,
) -> Vec<Result<T, Refusal>> {
    plans
        .into_iter()
        .zip(event_ids)
        .map(|(plan, event_id)| match plan {
            Plan::Refuse(refusal) => Err(refusal),
            Plan::Replay(id) => replayed.get(&id).cloned().ok_or(Refusal::EventMissing),
            Plan::Insert => match space {
                Some(refusal) => Err(refusal),
                None => inserted.remove(&event_id).ok_or(Refusal::NotReturned),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(key_hash: Option<&[u8]>) -> Asked<'_> {
        Asked {
            event_id: Uuid::now_v7(),
            key_hash,
            parent_event_id: None,
            thread_id: None,
        }
    }

    #[test]
    fn a_used_key_replays_the_same_request_and_refuses_another() {
        let stored = Uuid::now_v7();
        let appends = [asked(Some(b"same")), asked(Some(b"other"))];
        let used = || KeyState::Used {
            request_hash: b"same".to_vec(),
            event_id: stored,
        };
        let planned = plan(&appends, vec![used(), used()], None);
        assert_eq!(
            planned.plans,
            [Plan::Replay(stored), Plan::Refuse(Refusal::KeyReused)]
        );
        assert!(planned.released.is_empty());
    }

    #[test]
    fn a_replay_wins_over_a_missing_target_and_an_archived_space() {
        let stored = Uuid::now_v7();
        let mut a = asked(Some(b"h"));
        a.parent_event_id = Some(Some(Uuid::now_v7()));
        let known = Known {
            space_exists: true,
            events: &[],
            threads: &[],
        };
        let claim = KeyState::Used {
            request_hash: b"h".to_vec(),
            event_id: stored,
        };
        let planned = plan(&[a], vec![claim], Some(&known));
        assert_eq!(planned.plans, [Plan::Replay(stored)]);
        let answers = answer(
            planned.plans,
            [Uuid::now_v7()],
            HashMap::from([(stored, "row")]),
            HashMap::new(),
            Some(Refusal::SpaceInactive),
        );
        assert_eq!(answers, [Ok("row")]);
    }

    #[test]
    fn a_missing_target_is_a_404_of_what_is_missing() {
        let (event, thread) = (Uuid::now_v7(), Uuid::now_v7());
        let known = Known {
            space_exists: true,
            events: &[event],
            threads: &[thread],
        };
        let with = |parent, thread_id| Asked {
            parent_event_id: parent,
            thread_id,
            ..asked(None)
        };
        let absent = Some(Some(Uuid::now_v7()));
        assert_eq!(
            missing_target(&with(Some(Some(event)), Some(Some(thread))), &known),
            None
        );
        assert_eq!(
            missing_target(&with(absent, None), &known),
            Some(Refusal::EventMissing)
        );
        // A malformed id is as unknown as a missing one.
        assert_eq!(
            missing_target(&with(Some(None), None), &known),
            Some(Refusal::EventMissing)
        );
        assert_eq!(
            missing_target(&with(None, absent), &known),
            Some(Refusal::ThreadMissing)
        );
        assert_eq!(
            missing_target(&with(absent, absent), &known),
            Some(Refusal::EventMissing)
        );
        let no_space = Known {
            space_exists: false,
            ..known
        };
        assert_eq!(
            missing_target(&with(absent, None), &no_space),
            Some(Refusal::SpaceMissing)
        );
    }

    #[test]
    fn keys_of_refused_requests_are_released_and_others_kept() {
        let mut refused = asked(Some(b"a"));
        refused.thread_id = Some(Some(Uuid::now_v7()));
        let appends = [asked(Some(b"b")), refused, asked(None)];
        let known = Known {
            space_exists: true,
            events: &[],
            threads: &[],
        };
        let planned = plan(&appends, vec![KeyState::New, KeyState::New], Some(&known));
        assert_eq!(
            planned.plans,
            [
                Plan::Insert,
                Plan::Refuse(Refusal::ThreadMissing),
                Plan::Insert
            ]
        );
        assert_eq!(planned.released, [1]);
    }

    #[test]
    fn answers_keep_the_order_of_the_batch_whatever_order_rows_come_back_in() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let plans = vec![Plan::Insert, Plan::Refuse(Refusal::KeyReused), Plan::Insert];
        let inserted = HashMap::from([(ids[2], 2), (ids[0], 0)]);
        let answers = answer(plans, ids.clone(), HashMap::new(), inserted, None);
        assert_eq!(answers, [Ok(0), Err(Refusal::KeyReused), Ok(2)]);
    }

    #[test]
    fn a_space_that_refuses_the_append_refuses_every_insert() {
        for refusal in [Refusal::SpaceMissing, Refusal::SpaceInactive] {
            let ids = [Uuid::now_v7(), Uuid::now_v7()];
            let plans = vec![Plan::Insert, Plan::Insert];
            let answers = answer::<u8>(plans, ids, HashMap::new(), HashMap::new(), Some(refusal));
            assert_eq!(answers, [Err(refusal), Err(refusal)]);
        }
    }

    #[test]
    fn an_insert_the_store_did_not_return_is_a_bug_not_a_404() {
        let answers = answer::<u8>(
            vec![Plan::Insert],
            [Uuid::now_v7()],
            HashMap::new(),
            HashMap::new(),
            None,
        );
        assert_eq!(answers, [Err(Refusal::NotReturned)]);
    }
}
