//! The server's background task that keeps the spare schema pool ([`super::spares`]) full:
//! a refill when the server starts, after every tenant creation on this replica
//! ([`SparePool::wake`]), and every minute (takes by other replicas, a refill that failed).
//! It holds one dedicated connection, and stops at shutdown; a refill cut short resumes at
//! the next one.

use std::{sync::Arc, time::Duration};

use refinery::Migration;
use tokio::sync::{Notify, watch};
use tokio_postgres::Client;

use super::spares;
use crate::db::Db;

/// How often the pool is checked without being woken.
const RECHECK: Duration = Duration::from_secs(60);

/// How soon to look again when another replica was refilling.
const BUSY_RETRY: Duration = Duration::from_secs(1);

/// After a wake, the refill waits until no creation has woken it for this long: a burst of
/// creations takes its spares first, and the DDL of new ones does not compete with the
/// burst's requests for the database.
const SETTLE: Duration = Duration::from_millis(250);

/// The longest a steady stream of creations can put the refill off.
const MAX_SETTLE: Duration = Duration::from_secs(2);

/// What the last refill of this replica left.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    /// Refills this replica has completed.
    pub completed: u64,
    /// Spares ready to be taken when the last one ended.
    pub ready: usize,
}

/// A handle on the refill task.
pub struct SparePool {
    wake: Notify,
    rounds: watch::Sender<Round>,
}

impl SparePool {
    /// Start refilling to `target` spares (none with 0: the pool is off).
    pub fn start(
        db: Db,
        target: u32,
        migrations: Vec<Migration>,
        shutdown: watch::Receiver<bool>,
    ) -> Arc<SparePool> {
        let pool = Arc::new(SparePool {
            wake: Notify::new(),
            rounds: watch::channel(Round::default()).0,
        });
        if target > 0 {
            tokio::spawn(run(pool.clone(), db, target, migrations, shutdown));
        }
        pool
    }

    /// A tenant was created here: refill (coalesced while a refill runs).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Observe completed refills (tests wait on this).
    pub fn rounds(&self) -> watch::Receiver<Round> {
        self.rounds.subscribe()
    }
}

async fn run(
    pool: Arc<SparePool>,
    db: Db,
    target: u32,
    migrations: Vec<Migration>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut client: Option<Client> = None;
    loop {
        if *shutdown.borrow() {
            return;
        }
        let round = refill(&db, &mut client, target, &migrations);
        let pause = tokio::select! {
            outcome = round => match outcome {
                Ok(Some(refill)) => {
                    for (spare, err) in &refill.failed {
                        tracing::warn!(%spare, "spare schema: {err:#}");
                    }
                    pool.rounds.send_modify(|r| {
                        r.completed += 1;
                        r.ready = refill.ready;
                    });
                    None
                }
                Ok(None) => Some(BUSY_RETRY),
                Err(err) => {
                    tracing::warn!("refilling spare schemas: {err:#}");
                    client = None;
                    None
                }
            },
            _ = shutdown.changed() => return,
        };
        let wait = pause.unwrap_or(RECHECK);
        tokio::select! {
            _ = pool.wake.notified(), if pause.is_none() => settle(&pool.wake).await,
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Wait until `wake` has been quiet for [`SETTLE`], at most [`MAX_SETTLE`].
async fn settle(wake: &Notify) {
    let deadline = tokio::time::Instant::now() + MAX_SETTLE;
    while tokio::time::timeout_at(
        deadline.min(tokio::time::Instant::now() + SETTLE),
        wake.notified(),
    )
    .await
    .is_ok()
    {}
}

/// One refill on the task's connection, (re)connecting when needed.
async fn refill(
    db: &Db,
    client: &mut Option<Client>,
    target: u32,
    migrations: &[Migration],
) -> anyhow::Result<Option<spares::Refill>> {
    if client.as_ref().is_none_or(Client::is_closed) {
        *client = Some(db.dedicated().await?);
    }
    let client = client.as_mut().expect("connected above");
    spares::refill(client, target, migrations, false).await
}
