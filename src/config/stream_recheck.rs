//! How event streams retry a credential re-check the database could not answer
//! (the policy is [`crate::auth::revocation`]'s).

use clap::Args;

/// How streams retry a credential re-check the database could not answer.
#[derive(Args, Clone, Copy, Debug)]
pub struct StreamRecheckConfig {
    /// Milliseconds before re-asking the database about a stream's credential after it could
    /// not answer; the wait doubles (with jitter) on every further failure.
    #[arg(long, env = "CONVO_STREAM_RECHECK_RETRY_MS", default_value_t = 1000)]
    pub stream_recheck_retry_ms: u64,

    /// The longest wait, in milliseconds, between those re-checks.
    #[arg(
        long,
        env = "CONVO_STREAM_RECHECK_RETRY_MAX_MS",
        default_value_t = 30_000
    )]
    pub stream_recheck_retry_max_ms: u64,
}

impl Default for StreamRecheckConfig {
    fn default() -> Self {
        StreamRecheckConfig {
            stream_recheck_retry_ms: 1000,
            stream_recheck_retry_max_ms: 30_000,
        }
    }
}
