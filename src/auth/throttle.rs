//! Failed verifications, counted per lookup part and per client address, so that nobody can
//! make the server hash on their behalf without limit.
//!
//! The lookup part of a credential is not secret to whoever holds the credential: anyone can
//! register, keep their own lookup part and send `convo_<lookup><random secret>` forever. The
//! rejection cache is keyed by the whole token, so every new secret used to cost a database
//! lookup and an ~18 ms argon2 verification. Now each failure is counted against the lookup
//! part and against the client address. Past a threshold, that lookup part (or address) is
//! *blocked* until the cool-down, counted from its first failure, has passed: a credential
//! check that would need argon2 is refused (429) without hashing. Below the threshold but with
//! failures, it is *suspect*: its verifications wait in the hashing pool's suspect lane
//! ([`super::hasher`]), so a flood cannot delay credentials that never failed.
//!
//! Failures are known only once a verification ends, so a burst of concurrent bad secrets
//! would all start as clean. A lookup part with a verification in flight therefore counts
//! as suspect too: a burst is served one at a time in the normal lane, the rest queue in the
//! (small) suspect lane or are refused.
//!
//! A cool-down never refuses a token that was already verified: cache hits, and tokens whose
//! digest was verified against the stored hash before, pass without hashing. Counters live in
//! memory, per replica, in bounded caches.
//!
//! See docs/architecture.md#failed-verifications-and-the-hashing-threads.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use moka::sync::Cache;

/// How many lookup parts and addresses with recent failures are remembered.
const TRACKED: u64 = 100_000;

/// Where a credential check stands, given recent failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// No recent failure.
    Clean,
    /// Some recent failures: verify in the suspect lane.
    Suspect,
    /// Too many recent failures: do not hash until the cool-down has passed.
    Blocked { retry_after: Duration },
}

/// Failures within one cool-down window.
struct Failures {
    first: Instant,
    count: AtomicU32,
}

pub struct FailureThrottle {
    /// Verifications under way (queued or running) per lookup part; bounded by the hashing
    /// queues, entries removed at zero.
    in_flight: Mutex<HashMap<String, u32>>,
    by_lookup: Cache<String, Arc<Failures>>,
    by_address: Cache<IpAddr, Arc<Failures>>,
    lookup_threshold: u32,
    address_threshold: u32,
    cooldown: Duration,
}

impl FailureThrottle {
    /// A threshold of 0 disables that dimension; so does a zero cool-down.
    pub fn new(lookup_threshold: u32, address_threshold: u32, cooldown: Duration) -> Self {
        FailureThrottle {
            in_flight: Mutex::new(HashMap::new()),
            by_lookup: window(cooldown),
            by_address: window(cooldown),
            lookup_threshold,
            address_threshold,
            cooldown,
        }
    }

    /// The standing of a check of `lookup` from `client`: the worse of the two.
    pub fn standing(&self, lookup: &str, client: Option<IpAddr>) -> Standing {
        let in_flight = self.in_flight.lock().unwrap().contains_key(lookup);
        self.standing_given(lookup, client, in_flight)
    }

    /// The standing of a verification about to start, and its guard: decided and registered
    /// at once, so that of concurrent attempts on one lookup part only the first is clean.
    pub fn attempt(&self, lookup: &str, client: Option<IpAddr>) -> (Standing, Attempt<'_>) {
        let mut in_flight = self.in_flight.lock().unwrap();
        let standing = self.standing_given(lookup, client, in_flight.contains_key(lookup));
        *in_flight.entry(lookup.to_string()).or_default() += 1;
        let attempt = Attempt {
            throttle: self,
            lookup: lookup.to_string(),
        };
        (standing, attempt)
    }

    fn standing_given(&self, lookup: &str, client: Option<IpAddr>, in_flight: bool) -> Standing {
        let of_lookup = standing_of(
            self.by_lookup.get(lookup),
            self.lookup_threshold,
            self.cooldown,
        );
        let of_address = standing_of(
            client.and_then(|c| self.by_address.get(&c)),
            self.address_threshold,
            self.cooldown,
        );
        match (of_lookup, of_address) {
            (Standing::Blocked { retry_after: a }, Standing::Blocked { retry_after: b }) => {
                Standing::Blocked {
                    retry_after: a.max(b),
                }
            }
            (blocked @ Standing::Blocked { .. }, _) | (_, blocked @ Standing::Blocked { .. }) => {
                blocked
            }
            (Standing::Suspect, _) | (_, Standing::Suspect) => Standing::Suspect,
            (Standing::Clean, Standing::Clean) if in_flight => Standing::Suspect,
            (Standing::Clean, Standing::Clean) => Standing::Clean,
        }
    }

    /// Count a failed verification of `lookup` from `client`.
    pub fn record_failure(&self, lookup: &str, client: Option<IpAddr>) {
        if self.cooldown.is_zero() {
            return;
        }
        let fresh = || {
            Arc::new(Failures {
                first: Instant::now(),
                count: AtomicU32::new(0),
            })
        };
        if self.lookup_threshold > 0 {
            let failures = self.by_lookup.get_with(lookup.to_string(), fresh);
            failures.count.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(client) = client.filter(|_| self.address_threshold > 0) {
            let failures = self.by_address.get_with(client, fresh);
            failures.count.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Counters that are forgotten one cool-down after their first failure.
fn window<K>(cooldown: Duration) -> Cache<K, Arc<Failures>>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
{
    Cache::builder()
        .max_capacity(TRACKED)
        .time_to_live(cooldown.max(Duration::from_millis(1)))
        .build()
}

/// A verification under way, until dropped (see [`FailureThrottle::attempt`]).
pub struct Attempt<'a> {
    throttle: &'a FailureThrottle,
    lookup: String,
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        let mut in_flight = self.throttle.in_flight.lock().unwrap();
        if let Some(n) = in_flight.get_mut(&self.lookup) {
            *n -= 1;
            if *n == 0 {
                in_flight.remove(&self.lookup);
            }
        }
    }
}

fn standing_of(failures: Option<Arc<Failures>>, threshold: u32, cooldown: Duration) -> Standing {
    let Some(failures) = failures.filter(|_| threshold > 0) else {
        return Standing::Clean;
    };
    let count = failures.count.load(Ordering::Relaxed);
    let left = cooldown.saturating_sub(failures.first.elapsed());
    if left.is_zero() || count == 0 {
        Standing::Clean
    } else if count >= threshold {
        Standing::Blocked { retry_after: left }
    } else {
        Standing::Suspect
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)));
    const B: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2)));

    #[test]
    fn failures_make_a_lookup_suspect_then_blocked() {
        let throttle = FailureThrottle::new(3, 100, Duration::from_secs(60));
        assert_eq!(throttle.standing("key1", A), Standing::Clean);
        throttle.record_failure("key1", A);
        assert_eq!(throttle.standing("key1", B), Standing::Suspect);
        throttle.record_failure("key1", A);
        throttle.record_failure("key1", B);
        let Standing::Blocked { retry_after } = throttle.standing("key1", None) else {
            panic!("blocked after three failures");
        };
        assert!(retry_after > Duration::from_secs(59) && retry_after <= Duration::from_secs(60));
        // Other lookup parts are untouched; the addresses are only suspect.
        assert_eq!(throttle.standing("key2", None), Standing::Clean);
        assert_eq!(throttle.standing("key2", A), Standing::Suspect);
    }

    #[test]
    fn a_verification_under_way_makes_its_lookup_suspect() {
        let throttle = FailureThrottle::new(3, 3, Duration::from_secs(60));
        let (standing, first) = throttle.attempt("key1", A);
        assert_eq!(standing, Standing::Clean);
        let (standing, second) = throttle.attempt("key1", B);
        assert_eq!(standing, Standing::Suspect);
        assert_eq!(throttle.standing("key1", A), Standing::Suspect);
        assert_eq!(throttle.standing("key2", A), Standing::Clean);
        drop(first);
        assert_eq!(throttle.standing("key1", A), Standing::Suspect);
        drop(second);
        assert_eq!(throttle.standing("key1", A), Standing::Clean);
    }

    #[test]
    fn an_address_is_blocked_across_lookup_parts() {
        let throttle = FailureThrottle::new(100, 2, Duration::from_secs(60));
        throttle.record_failure("key1", A);
        throttle.record_failure("key2", A);
        assert!(matches!(
            throttle.standing("key3", A),
            Standing::Blocked { .. }
        ));
        assert_eq!(throttle.standing("key3", B), Standing::Clean);
        assert_eq!(throttle.standing("key1", B), Standing::Suspect);
    }

    #[test]
    fn the_cool_down_ends_and_zero_disables() {
        let throttle = FailureThrottle::new(1, 1, Duration::from_millis(20));
        throttle.record_failure("key1", A);
        assert!(matches!(
            throttle.standing("key1", A),
            Standing::Blocked { .. }
        ));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(throttle.standing("key1", A), Standing::Clean);

        let off = FailureThrottle::new(0, 0, Duration::from_secs(60));
        off.record_failure("key1", A);
        assert_eq!(off.standing("key1", A), Standing::Clean);
    }
}
