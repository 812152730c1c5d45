//! The tenant-affine connection pool.
//!
//! A PostgreSQL backend keeps the catalog entries (relcache, catcache) of every schema it has
//! touched, and re-plans its cached statements whenever `search_path` changes. With requests
//! for thousands of tenants spread over a plain pool, every backend ends up holding every
//! tenant's catalog. So each tenant has two *home* slots of the pool (a hash of its schema
//! name), and a tenant's transaction:
//!
//! 1. takes an idle connection of one of its home slots, or opens one in an empty home slot;
//! 2. otherwise waits up to the affinity wait (`CONVO_DB_AFFINITY_WAIT_MS`) for a home slot to
//!    be released;
//! 3. otherwise *overflows*: takes any idle connection, opens one in any empty slot, or waits
//!    in arrival order for the next released one, until the pool timeout (then 503).
//!
//! A released connection goes to the oldest waiter for whom its slot is a home, else to the
//! oldest overflowing waiter, else it is parked idle in its slot. So a backend serves mostly
//! the tenants homed on its slot (2/size of all tenants), and one hot tenant can hold at most
//! its home slots plus whatever it wins in arrival order among overflowing waiters: the other
//! tenants' requests still get connections in turn. Control-plane work takes any connection.
//!
//! Each slot holds at most one connection, and a connection is handed to one holder at a time
//! (a [`Lease`] owns it until dropped), so two transactions never share a connection.
//! deadpool makes the connections (timeouts, statement cache, age); the slots are ours, so a
//! connection never goes back to deadpool's own queue: it is parked here or retired
//! ([`Object::take`]) when closed or older than the maximum lifetime.
//!
//! See docs/architecture.md#tenant-affine-connections.

use std::{
    collections::VecDeque,
    hash::{Hash, Hasher},
    ops::{Deref, DerefMut},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use deadpool_postgres::{Object, PoolError, TimeoutType};
use tokio::sync::oneshot;

/// Home slots per tenant: two choices spread a tenant's load without giving it the pool.
const HOMES: usize = 2;

/// The two distinct home slots of `schema` in a pool of `size` (both 0 when `size` is 1).
pub fn home_slots(schema: &str, size: usize) -> [usize; HOMES] {
    // SipHash with fixed keys: the same slots in every process, so replicas agree too.
    let mut hasher = std::hash::DefaultHasher::new();
    schema.hash(&mut hasher);
    let h = hasher.finish() as usize;
    if size < 2 {
        return [0, 0];
    }
    let first = h % size;
    let mut second = (h / size) % (size - 1);
    if second >= first {
        second += 1;
    }
    [first, second]
}

/// How the pool is shaped: built by [`super::Db`] from `DbConfig`.
pub struct Settings {
    pub size: usize,
    /// How long a tenant's transaction waits for a home slot before overflowing.
    pub affinity_wait: Duration,
    /// Whether tenants have home slots at all (`CONVO_DB_AFFINITY`).
    pub affinity: bool,
    /// How long any checkout may wait in all (then 503).
    pub timeout: Duration,
    pub max_lifetime: Duration,
}

/// The pool: cheap to clone, one set of slots.
#[derive(Clone)]
pub struct AffinePool {
    shared: Arc<Shared>,
}

struct Shared {
    /// Makes the connections; its size bound is never reached by waiting, since a connection
    /// is asked of it only for an empty slot.
    maker: deadpool_postgres::Pool,
    settings: Settings,
    state: Mutex<State>,
    home_checkouts: AtomicU64,
    overflow_checkouts: AtomicU64,
}

struct State {
    slots: Vec<Slot>,
    /// In arrival order.
    waiters: VecDeque<Waiter>,
    next_waiter: u64,
    /// Where [`State::take_any`] starts looking.
    next_any: usize,
    closed: bool,
}

#[allow(
    clippy::large_enum_variant,
    reason = "one per pooled connection, never moved in bulk; boxing would allocate per release"
)]
enum Slot {
    /// No connection: the next taker opens one.
    Empty,
    Idle(Object),
    /// Held by a [`Lease`], or being opened.
    Busy,
}

struct Waiter {
    id: u64,
    homes: Option<[usize; HOMES]>,
    /// Past its affinity wait (or without homes): any slot will do.
    overflowing: bool,
    grant: oneshot::Sender<Grant>,
}

/// What a waiter is handed: a connection, or a slot to open one in.
#[allow(
    clippy::large_enum_variant,
    reason = "moved once, from releaser to waiter; boxing would allocate per hand-over"
)]
enum Grant {
    Lease(Lease),
    Open(Reservation),
}

/// A pooled connection, owned by one holder until dropped; dropping it hands it to a waiter
/// or parks it in its slot. Dereferences to deadpool's [`Object`], so store code is unchanged.
pub struct Lease {
    obj: Option<Object>,
    slot: usize,
    pool: Arc<Shared>,
}

/// The right to open a connection in an empty slot; dropped unused, the slot is passed on.
struct Reservation {
    slot: Option<usize>,
    pool: Arc<Shared>,
}

/// Counts for `/metrics`.
#[derive(Clone, Copy, Debug)]
pub struct Status {
    pub max_size: usize,
    pub size: usize,
    pub available: usize,
    pub waiting: usize,
    /// Tenant checkouts served by a home slot, and by overflow to another slot.
    pub home_checkouts: u64,
    pub overflow_checkouts: u64,
}

impl AffinePool {
    pub fn new(maker: deadpool_postgres::Pool, settings: Settings) -> AffinePool {
        let size = settings.size.max(1);
        AffinePool {
            shared: Arc::new(Shared {
                maker,
                state: Mutex::new(State {
                    slots: (0..size).map(|_| Slot::Empty).collect(),
                    waiters: VecDeque::new(),
                    next_waiter: 0,
                    next_any: 0,
                    closed: false,
                }),
                settings: Settings { size, ..settings },
                home_checkouts: AtomicU64::new(0),
                overflow_checkouts: AtomicU64::new(0),
            }),
        }
    }

    /// Any connection: for control-plane work, which touches no tenant schema.
    pub async fn get(&self) -> Result<Lease, PoolError> {
        self.checkout(None).await
    }

    /// A connection for a transaction on `schema`'s tables, from its home slots if it can.
    pub async fn get_for(&self, schema: &str) -> Result<Lease, PoolError> {
        let s = &self.shared.settings;
        let homes = s.affinity.then(|| home_slots(schema, s.size));
        let conn = self.checkout(homes).await?;
        if let Some(homes) = homes {
            let counter = if homes.contains(&conn.slot) {
                &self.shared.home_checkouts
            } else {
                &self.shared.overflow_checkouts
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
        Ok(conn)
    }

    async fn checkout(&self, homes: Option<[usize; HOMES]>) -> Result<Lease, PoolError> {
        let shared = &self.shared;
        let deadline = tokio::time::Instant::now() + shared.settings.timeout;
        let prefer_home = homes.is_some() && !shared.settings.affinity_wait.is_zero();
        let (id, mut rx) = match self.take_or_wait(homes, prefer_home)? {
            Ok(grant) => return self.redeem(grant).await,
            Err(waiting) => waiting,
        };
        if prefer_home {
            match tokio::time::timeout(shared.settings.affinity_wait, &mut rx).await {
                Ok(Ok(grant)) => return self.redeem(grant).await,
                Ok(Err(_)) => return Err(PoolError::Closed),
                Err(_) => {
                    if let Some(grant) = self.overflow(id, &mut rx) {
                        return self.redeem(grant).await;
                    }
                }
            }
        }
        match tokio::time::timeout_at(deadline, &mut rx).await {
            Ok(Ok(grant)) => self.redeem(grant).await,
            Ok(Err(_)) => Err(PoolError::Closed),
            Err(_) => {
                shared.lock().forget(id);
                // Granted at the last moment: use it rather than answer 503.
                match rx.try_recv() {
                    Ok(grant) => self.redeem(grant).await,
                    Err(_) => Err(PoolError::Timeout(TimeoutType::Wait)),
                }
            }
        }
    }

    /// A slot at once (a home one first when `homes` are given, any other only unless
    /// `prefer_home`), or a place in the queue of waiters.
    #[allow(clippy::type_complexity, reason = "one private call site")]
    fn take_or_wait(
        &self,
        homes: Option<[usize; HOMES]>,
        prefer_home: bool,
    ) -> Result<Result<Grant, (u64, oneshot::Receiver<Grant>)>, PoolError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        if state.closed {
            return Err(PoolError::Closed);
        }
        let now = match homes {
            Some(homes) => state.take_among(&homes, shared),
            None => None,
        };
        let now = match now {
            None if !prefer_home => state.take_any(shared),
            now => now,
        };
        Ok(now.ok_or_else(|| state.enqueue(homes, !prefer_home)))
    }

    /// The affinity wait is over: any slot now, keeping the waiter's place in the queue.
    fn overflow(&self, id: u64, rx: &mut oneshot::Receiver<Grant>) -> Option<Grant> {
        let mut state = self.shared.lock();
        // A grant sent before the lock was taken is ours.
        if let Ok(grant) = rx.try_recv() {
            return Some(grant);
        }
        let now = state.take_any(&self.shared);
        match now {
            Some(_) => state.forget(id),
            None => state.overflow(id),
        }
        now
    }

    /// A granted connection, or one opened in a granted slot.
    async fn redeem(&self, grant: Grant) -> Result<Lease, PoolError> {
        match grant {
            Grant::Lease(conn) => Ok(conn),
            Grant::Open(mut reservation) => {
                let obj = self.shared.maker.get().await?;
                let slot = reservation.slot.take().expect("an unused reservation");
                Ok(Lease {
                    obj: Some(obj),
                    slot,
                    pool: self.shared.clone(),
                })
            }
        }
    }

    /// Idle connections taken out one at a time, for a look at each backend; busy ones are
    /// skipped, so this never waits behind a request.
    pub fn try_idle(&self) -> Vec<Lease> {
        let mut state = self.shared.lock();
        let mut taken = Vec::new();
        for slot in 0..state.slots.len() {
            if matches!(state.slots[slot], Slot::Idle(_)) {
                let Slot::Idle(obj) = std::mem::replace(&mut state.slots[slot], Slot::Busy) else {
                    unreachable!()
                };
                taken.push(self.shared.conn(slot, obj));
            }
        }
        taken
    }

    pub fn status(&self) -> Status {
        let state = self.shared.lock();
        let size = state
            .slots
            .iter()
            .filter(|s| !matches!(s, Slot::Empty))
            .count();
        let available = state
            .slots
            .iter()
            .filter(|s| matches!(s, Slot::Idle(_)))
            .count();
        Status {
            max_size: state.slots.len(),
            size,
            available,
            waiting: state.waiters.len(),
            home_checkouts: self.shared.home_checkouts.load(Ordering::Relaxed),
            overflow_checkouts: self.shared.overflow_checkouts.load(Ordering::Relaxed),
        }
    }

    /// Close every idle connection now and each busy one when it is released; waiters and
    /// later checkouts fail.
    pub fn close(&self) {
        let (idle, waiters) = {
            let mut state = self.shared.lock();
            state.closed = true;
            let idle: Vec<Object> = state
                .slots
                .iter_mut()
                .filter_map(|s| match std::mem::replace(s, Slot::Empty) {
                    Slot::Idle(obj) => Some(obj),
                    Slot::Busy => {
                        *s = Slot::Busy;
                        None
                    }
                    Slot::Empty => None,
                })
                .collect();
            (idle, std::mem::take(&mut state.waiters))
        };
        // Outside the lock: dropping them runs no code of ours.
        drop(waiters);
        idle.into_iter().for_each(|obj| drop(Object::take(obj)));
        self.shared.maker.close();
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Nothing panics while holding it; if something did, the state is still consistent
        // slot by slot.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn conn(self: &Arc<Self>, slot: usize, obj: Object) -> Lease {
        Lease {
            obj: Some(obj),
            slot,
            pool: self.clone(),
        }
    }

    /// `obj` (or, when `None`, the emptied `slot`) back from its holder.
    fn release(self: &Arc<Self>, slot: usize, obj: Option<Object>) {
        // Not `Option::filter`: a dropped `Object` would go back to deadpool's own queue
        // instead of being closed.
        let max_lifetime = self.settings.max_lifetime;
        let (obj, mut retired) = match obj {
            Some(o) if o.is_closed() || Object::metrics(&o).age() > max_lifetime => (None, Some(o)),
            obj => (obj, None),
        };
        let mut state = self.lock();
        let mut grant = match obj {
            Some(obj) if !state.closed => Grant::Lease(self.conn(slot, obj)),
            obj => {
                retired = retired.or(obj);
                Grant::Open(Reservation {
                    slot: Some(slot),
                    pool: self.clone(),
                })
            }
        };
        while !state.closed {
            let Some(at) = state.next_taker(slot) else {
                break;
            };
            let waiter = state.waiters.remove(at).expect("an index in range");
            match waiter.grant.send(grant) {
                Ok(()) => {
                    drop(state);
                    retire(retired);
                    return;
                }
                // The waiter gave up: try the next one.
                Err(back) => grant = back,
            }
        }
        state.slots[slot] = match grant.defuse() {
            Some(obj) => Slot::Idle(obj),
            None => Slot::Empty,
        };
        drop(state);
        retire(retired);
    }
}

/// Close a connection for good (deadpool forgets it, so its size bound frees a place).
fn retire(obj: Option<Object>) {
    if let Some(obj) = obj {
        drop(Object::take(obj));
    }
}

impl State {
    fn enqueue(
        &mut self,
        homes: Option<[usize; HOMES]>,
        overflowing: bool,
    ) -> (u64, oneshot::Receiver<Grant>) {
        let (tx, rx) = oneshot::channel();
        let id = self.next_waiter;
        self.next_waiter += 1;
        self.waiters.push_back(Waiter {
            id,
            homes,
            overflowing,
            grant: tx,
        });
        (id, rx)
    }

    fn forget(&mut self, id: u64) {
        self.waiters.retain(|w| w.id != id);
    }

    fn overflow(&mut self, id: u64) {
        if let Some(w) = self.waiters.iter_mut().find(|w| w.id == id) {
            w.overflowing = true;
        }
    }

    /// Who gets `slot`: the oldest waiter it is a home of, else the oldest overflowing one.
    fn next_taker(&self, slot: usize) -> Option<usize> {
        let home = |w: &Waiter| w.homes.is_some_and(|h| h.contains(&slot));
        self.waiters
            .iter()
            .position(home)
            .or_else(|| self.waiters.iter().position(|w| w.overflowing))
    }

    /// An idle connection in one of `slots`, else the right to open one in an empty one.
    fn take_among(&mut self, slots: &[usize], shared: &Arc<Shared>) -> Option<Grant> {
        self.take_where(slots.iter().copied(), shared)
    }

    /// Any slot, searched from a rotating start, so that overflow and control-plane work
    /// spread over the backends instead of piling onto the first slots.
    fn take_any(&mut self, shared: &Arc<Shared>) -> Option<Grant> {
        let n = self.slots.len();
        let start = self.next_any % n;
        self.next_any = self.next_any.wrapping_add(1);
        self.take_where((start..n).chain(0..start), shared)
    }

    fn take_where(
        &mut self,
        slots: impl Iterator<Item = usize> + Clone,
        shared: &Arc<Shared>,
    ) -> Option<Grant> {
        if let Some(slot) = slots
            .clone()
            .find(|&s| matches!(self.slots[s], Slot::Idle(_)))
        {
            let Slot::Idle(obj) = std::mem::replace(&mut self.slots[slot], Slot::Busy) else {
                unreachable!()
            };
            return Some(Grant::Lease(shared.conn(slot, obj)));
        }
        let slot = slots
            .clone()
            .find(|&s| matches!(self.slots[s], Slot::Empty))?;
        self.slots[slot] = Slot::Busy;
        Some(Grant::Open(Reservation {
            slot: Some(slot),
            pool: shared.clone(),
        }))
    }
}

impl Grant {
    /// The connection inside, with the guards emptied so that dropping them does nothing
    /// (used under the pool's lock, where their `Drop` would deadlock).
    fn defuse(self) -> Option<Object> {
        match self {
            Grant::Lease(mut conn) => conn.obj.take(),
            Grant::Open(mut reservation) => {
                reservation.slot = None;
                None
            }
        }
    }
}

impl Lease {
    /// The slot this connection lives in (tests check which slot served a tenant).
    pub fn slot(&self) -> usize {
        self.slot
    }

    /// Close this connection instead of reusing it (its state is unknown).
    pub fn discard(mut self) {
        let obj = self.obj.take();
        retire(obj);
        self.pool.release(self.slot, None);
    }
}

impl Deref for Lease {
    type Target = Object;
    fn deref(&self) -> &Object {
        self.obj.as_ref().expect("present until dropped")
    }
}

impl DerefMut for Lease {
    fn deref_mut(&mut self) -> &mut Object {
        self.obj.as_mut().expect("present until dropped")
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(obj) = self.obj.take() {
            self.pool.release(self.slot, Some(obj));
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        // Unused (the opener failed or gave up): the slot is empty again, maybe for a waiter.
        if let Some(slot) = self.slot.take() {
            self.pool.release(slot, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_has_two_distinct_homes_in_range() {
        for size in 2..40 {
            for n in 0..200 {
                let [a, b] = home_slots(&format!("tenant_{n}"), size);
                assert!(a < size && b < size && a != b, "{size} {n}: {a} {b}");
            }
        }
        assert_eq!(home_slots("tenant_x", 1), [0, 0]);
    }

    #[test]
    fn homes_spread_evenly_over_slots() {
        let size = 16;
        let mut load = vec![0usize; size];
        for n in 0..16_000 {
            for slot in home_slots(&format!("tenant_spread_{n}"), size) {
                load[slot] += 1;
            }
        }
        // 2,000 each on average; a skewed hash would give some slot far more tenants.
        assert!(
            load.iter().all(|&l| (1_800..2_200).contains(&l)),
            "{load:?}"
        );
    }

    #[test]
    fn homes_are_stable() {
        assert_eq!(home_slots("tenant_acme", 16), home_slots("tenant_acme", 16));
    }
}
