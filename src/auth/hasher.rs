//! Argon2 work (minting and verifying credentials) runs on a fixed, small set of dedicated
//! threads fed by two bounded queues, never on tokio's blocking pool.
//!
//! Why dedicated threads: argon2id needs 19 MiB of working memory per call. glibc keeps freed
//! memory in the arena of the thread that used it, and tokio's blocking pool grows to hundreds
//! of threads spread over up to 8 arenas per core, so after a burst of hashing the server kept
//! ~570 MB it no longer used. With `threads` workers, at most `threads` arenas ever hold argon2
//! memory, so what hashing can retain is bounded by `threads × 19 MiB` whatever the load.
//!
//! Why two lanes: credentials that failed recently (see [`super::throttle`]) queue in the
//! *suspect* lane, which a worker serves only when the *normal* lane is empty and which holds
//! few jobs (more are refused at once). A flood of bad secrets therefore delays a legitimate
//! verification by at most one job already running, never by a queue of the flood's jobs.
//! A job whose caller went away (client disconnected) is skipped, not hashed.

use std::{
    collections::VecDeque,
    panic::AssertUnwindSafe,
    sync::{Arc, Condvar, Mutex},
};

use tokio::sync::oneshot;

/// Which queue a job waits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// Registrations, and credentials with no recent failures.
    Normal,
    /// Credentials (lookup parts or client addresses) that failed recently.
    Suspect,
}

/// Why a job did not run.
#[derive(Debug, PartialEq, Eq)]
pub enum HashError {
    /// Its lane's queue is full.
    Busy,
    /// The job panicked (the worker survives).
    Panicked,
}

type Job = Box<dyn FnOnce() + Send>;

struct Queues {
    normal: VecDeque<Job>,
    suspect: VecDeque<Job>,
    closed: bool,
}

struct Shared {
    queues: Mutex<Queues>,
    ready: Condvar,
    normal_capacity: usize,
    suspect_capacity: usize,
}

/// The hashing threads. Dropping it lets them finish their current job and exit.
pub struct Hasher {
    shared: Arc<Shared>,
}

impl Hasher {
    /// `threads` workers (at least one); at most `normal_capacity` and `suspect_capacity` jobs
    /// waiting in each lane (at least one each).
    pub fn start(threads: usize, normal_capacity: usize, suspect_capacity: usize) -> Hasher {
        let shared = Arc::new(Shared {
            queues: Mutex::new(Queues {
                normal: VecDeque::new(),
                suspect: VecDeque::new(),
                closed: false,
            }),
            ready: Condvar::new(),
            normal_capacity: normal_capacity.max(1),
            suspect_capacity: suspect_capacity.max(1),
        });
        for n in 0..threads.max(1) {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("convo-argon2-{n}"))
                .spawn(move || work(&shared))
                .expect("spawning a hashing thread");
        }
        Hasher { shared }
    }

    /// Run `job` on a hashing thread and await its result.
    pub async fn run<T: Send + 'static>(
        &self,
        lane: Lane,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            if !tx.is_closed() {
                let _ = tx.send(job());
            }
        });
        {
            let mut queues = self.shared.queues.lock().unwrap();
            let (queue, capacity) = match lane {
                Lane::Normal => (&mut queues.normal, self.shared.normal_capacity),
                Lane::Suspect => (&mut queues.suspect, self.shared.suspect_capacity),
            };
            if queue.len() >= capacity {
                return Err(HashError::Busy);
            }
            queue.push_back(job);
        }
        self.shared.ready.notify_one();
        rx.await.map_err(|_| HashError::Panicked)
    }
}

impl Drop for Hasher {
    fn drop(&mut self) {
        self.shared.queues.lock().unwrap().closed = true;
        self.shared.ready.notify_all();
    }
}

/// A worker: the normal lane first, the suspect lane only when the normal one is empty.
fn work(shared: &Shared) {
    loop {
        let job = {
            let mut queues = shared.queues.lock().unwrap();
            loop {
                if let Some(job) = queues.normal.pop_front() {
                    break job;
                }
                if let Some(job) = queues.suspect.pop_front() {
                    break job;
                }
                if queues.closed {
                    return;
                }
                queues = shared.ready.wait(queues).unwrap();
            }
        };
        // A panicking job drops its sender (its caller sees `Panicked`); the thread lives on.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A job that blocks its worker until `release` is sent.
    async fn blocker(
        hasher: &Arc<Hasher>,
    ) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<()>) {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started_tx, started) = oneshot::channel::<()>();
        let h = hasher.clone();
        let task = tokio::spawn(async move {
            h.run(Lane::Normal, move || {
                started_tx.send(()).unwrap();
                wait.recv().unwrap();
            })
            .await
            .unwrap();
        });
        tokio::time::timeout(Duration::from_secs(30), started)
            .await
            .unwrap()
            .unwrap();
        (release, task)
    }

    fn queued(hasher: &Hasher) -> usize {
        let queues = hasher.shared.queues.lock().unwrap();
        queues.normal.len() + queues.suspect.len()
    }

    #[tokio::test]
    async fn the_normal_lane_overtakes_waiting_suspects() {
        let hasher = Arc::new(Hasher::start(1, 16, 16));
        let (release, blocked) = blocker(&hasher).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut waiting = Vec::new();
        for name in ["suspect 1", "suspect 2", "normal"] {
            let (h, order) = (hasher.clone(), order.clone());
            let lane = if name == "normal" {
                Lane::Normal
            } else {
                Lane::Suspect
            };
            waiting.push(tokio::spawn(async move {
                h.run(lane, move || order.lock().unwrap().push(name)).await
            }));
            // Queued in this order before the worker is free.
            while queued(&hasher) < waiting.len() {
                tokio::task::yield_now().await;
            }
        }
        release.send(()).unwrap();
        blocked.await.unwrap();
        for w in waiting {
            w.await.unwrap().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), ["normal", "suspect 1", "suspect 2"]);
    }

    #[tokio::test]
    async fn a_full_lane_refuses_at_once_and_a_panic_is_survived() {
        let hasher = Arc::new(Hasher::start(1, 1, 1));
        let (release, blocked) = blocker(&hasher).await;
        let h = hasher.clone();
        let waiting = tokio::spawn(async move { h.run(Lane::Suspect, || 1).await });
        while queued(&hasher) == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(hasher.run(Lane::Suspect, || 2).await, Err(HashError::Busy));
        release.send(()).unwrap();
        blocked.await.unwrap();
        assert_eq!(waiting.await.unwrap(), Ok(1));
        assert_eq!(
            hasher.run(Lane::Normal, || panic!("boom")).await,
            Err::<(), _>(HashError::Panicked)
        );
        assert_eq!(hasher.run(Lane::Normal, || 3).await, Ok(3));
    }
}
