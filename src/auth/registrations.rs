//! Registrations per client address per hour. Registration needs no credential, so without
//! this one machine could mint actors (and argon2 hashes) without end. A token bucket (GCRA)
//! per address: `per_hour` at once, then one more every `3600 / per_hour` seconds. Buckets live
//! in memory, per replica; full ones are forgotten every [`CLEANUP_INTERVAL`].

use std::{
    net::IpAddr,
    num::NonZeroU32,
    sync::{Arc, Weak},
    time::Duration,
};

use governor::{
    Quota, RateLimiter,
    clock::{Clock, DefaultClock},
    state::keyed::DefaultKeyedStateStore,
};

const CLEANUP_INTERVAL: Duration = Duration::from_secs(300);

type Limiter = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;

pub struct RegistrationQuota {
    /// `None` when the quota is off.
    limiter: Option<Limiter>,
}

impl RegistrationQuota {
    /// `per_hour` of 0 turns the quota off. Cleans up in the background while alive.
    pub fn start(per_hour: u32) -> Arc<RegistrationQuota> {
        let quota = Arc::new(RegistrationQuota {
            limiter: NonZeroU32::new(per_hour).map(|n| RateLimiter::keyed(Quota::per_hour(n))),
        });
        if quota.limiter.is_some() {
            let weak: Weak<RegistrationQuota> = Arc::downgrade(&quota);
            tokio::spawn(async move {
                let mut ticks = tokio::time::interval(CLEANUP_INTERVAL);
                ticks.tick().await;
                loop {
                    ticks.tick().await;
                    let Some(quota) = weak.upgrade() else { return };
                    if let Some(limiter) = &quota.limiter {
                        limiter.retain_recent();
                        limiter.shrink_to_fit();
                    }
                }
            });
        }
        quota
    }

    /// Take one registration from `client`'s allowance; `Err(wait)` when it is used up. A
    /// request without an address (not over TCP) is not counted.
    pub fn take(&self, client: Option<IpAddr>) -> Result<(), Duration> {
        let (Some(limiter), Some(client)) = (&self.limiter, client) else {
            return Ok(());
        };
        limiter
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(limiter.clock().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_address_gets_its_allowance_then_waits() {
        let quota = RegistrationQuota::start(2);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!(quota.take(Some(a)).is_ok());
        assert!(quota.take(Some(a)).is_ok());
        let wait = quota.take(Some(a)).unwrap_err();
        assert!(wait > Duration::from_secs(1700) && wait <= Duration::from_secs(1800));
        assert!(quota.take(Some(b)).is_ok());
        assert!(quota.take(None).is_ok());
        let off = RegistrationQuota::start(0);
        assert!((0..100).all(|_| off.take(Some(a)).is_ok()));
    }
}
