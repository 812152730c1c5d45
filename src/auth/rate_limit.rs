//! Rate limiting per actor: a token bucket (GCRA, the `governor` crate) per
//! [`Principal::actor_id`], shared by all of the actor's credentials (API key, personal access
//! tokens, stream tokens), so minting tokens does not multiply the limit. The middleware runs
//! right after [`super::middleware::resolve_principal`], so only authenticated requests are counted and
//! an unknown token cannot create a bucket.
//!
//! Every authenticated response carries `X-RateLimit-Limit` (the burst), `X-RateLimit-Remaining`
//! (requests left in the bucket) and `X-RateLimit-Reset` (seconds until the bucket is full
//! again); past the limit the answer is 429 with `Retry-After` (seconds). Buckets live in
//! memory, so limits apply per replica.
//!
//! See docs/operations.md#limits-and-quotas.

use std::{
    num::NonZeroU32,
    sync::{Arc, Weak},
    time::Duration,
};

use governor::{
    Quota, RateLimiter,
    clock::{Clock, DefaultClock},
    middleware::StateInformationMiddleware,
    state::keyed::DefaultKeyedStateStore,
};
use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{HeaderName, HeaderValue, header::RETRY_AFTER},
};
use uuid::Uuid;

use super::Principal;
use crate::error::{ApiError, to_detail};

type Limiter =
    RateLimiter<Uuid, DefaultKeyedStateStore<Uuid>, DefaultClock, StateInformationMiddleware>;

/// How often buckets that have refilled completely are forgotten.
pub const CLEANUP_INTERVAL: Duration = Duration::from_secs(60);

pub struct RateLimits {
    limiter: Limiter,
    per_sec: u32,
    burst: u32,
}

/// The outcome of one request's check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// The burst size.
    pub limit: u32,
    pub remaining: u32,
    /// Seconds (rounded up) until the bucket is full again.
    pub reset_secs: u64,
    /// Seconds (rounded up, at least 1) until a request would be allowed; set when refused.
    pub retry_after_secs: Option<u64>,
}

impl RateLimits {
    /// `None` when `per_sec` is 0 (rate limiting disabled). A `burst` of 0 counts as 1.
    pub fn new(per_sec: u32, burst: u32) -> Option<RateLimits> {
        let rate = NonZeroU32::new(per_sec)?;
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        Some(RateLimits {
            limiter: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
                .with_middleware::<StateInformationMiddleware>(),
            per_sec,
            burst: burst.get(),
        })
    }

    /// Take one request from `key`'s bucket if there is one left.
    pub fn check(&self, key: Uuid) -> Decision {
        let per_sec = f64::from(self.per_sec);
        match self.limiter.check_key(&key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let missing = f64::from(self.burst.saturating_sub(remaining));
                Decision {
                    allowed: true,
                    limit: self.burst,
                    remaining,
                    reset_secs: (missing / per_sec).ceil() as u64,
                    retry_after_secs: None,
                }
            }
            Err(not_until) => {
                let wait = not_until
                    .wait_time_from(self.limiter.clock().now())
                    .as_secs_f64();
                // After `wait` one request is back; the rest of the burst follows at the rate.
                let full = wait + f64::from(self.burst - 1) / per_sec;
                Decision {
                    allowed: false,
                    limit: self.burst,
                    remaining: 0,
                    reset_secs: full.ceil() as u64,
                    retry_after_secs: Some((wait.ceil() as u64).max(1)),
                }
            }
        }
    }

    /// Forget buckets that are full again (they are indistinguishable from new ones).
    pub fn cleanup(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// How many actors have a bucket.
    pub fn tracked(&self) -> usize {
        self.limiter.len()
    }

    /// Clean up every `every` for as long as `limits` is alive elsewhere.
    pub fn spawn_cleanup(limits: &Arc<RateLimits>, every: Duration) {
        let weak: Weak<RateLimits> = Arc::downgrade(limits);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                match weak.upgrade() {
                    Some(limits) => limits.cleanup(),
                    None => return,
                }
            }
        });
    }
}

/// The middleware: counts authenticated requests per actor and sets the headers.
pub async fn rate_limit<E: Endpoint>(
    next: Arc<E>,
    req: Request,
    limits: Option<Arc<RateLimits>>,
) -> poem::Result<Response> {
    let key = req.data::<Principal>().map(|p| p.actor_id);
    let (Some(limits), Some(key)) = (limits, key) else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    let decision = limits.check(key);
    let mut resp = if decision.allowed {
        match next.call(req).await {
            Ok(resp) => resp.into_response(),
            Err(err) => to_detail(err).await,
        }
    } else {
        let secs = decision.retry_after_secs.unwrap_or(1);
        let mut resp = ApiError::too_many_requests(format!(
            "Rate limit exceeded for this actor; retry in {secs} s"
        ))
        .into_response();
        resp.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
        resp
    };
    let headers = resp.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", u64::from(decision.limit)),
        ("x-ratelimit-remaining", u64::from(decision.remaining)),
        ("x-ratelimit-reset", decision.reset_secs),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_rate_disables() {
        assert!(RateLimits::new(0, 100).is_none());
        assert_eq!(RateLimits::new(5, 0).unwrap().burst, 1);
    }

    #[test]
    fn a_burst_then_refusals_per_key() {
        let limits = RateLimits::new(1, 3).unwrap();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let first = limits.check(a);
        assert!(first.allowed);
        assert_eq!((first.limit, first.remaining), (3, 2));
        assert_eq!(first.reset_secs, 1);
        assert_eq!(limits.check(a).remaining, 1);
        assert_eq!(limits.check(a).remaining, 0);
        let refused = limits.check(a);
        assert!(!refused.allowed);
        assert_eq!(refused.remaining, 0);
        assert_eq!(refused.retry_after_secs, Some(1));
        assert_eq!(refused.reset_secs, 3);
        // Another actor has its own bucket.
        assert!(limits.check(b).allowed);
        assert_eq!(limits.tracked(), 2);
    }

    #[test]
    fn full_buckets_are_forgotten() {
        let limits = RateLimits::new(1000, 1).unwrap();
        limits.check(Uuid::new_v4());
        assert_eq!(limits.tracked(), 1);
        std::thread::sleep(Duration::from_millis(5));
        limits.cleanup();
        assert_eq!(limits.tracked(), 0);
    }
}
