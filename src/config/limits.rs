//! Settings of the limits that keep one caller from costing everyone else: the throttle on
//! failed verifications, the hashing queues, quotas per actor and per client address, the
//! stream cap per actor, and where the client address comes from. Quotas set to 0 are off.

use clap::Args;

/// Event streams one actor may hold open when neither setting is given.
pub const DEFAULT_MAX_STREAMS_PER_ACTOR: usize = 20;

#[derive(Args, Clone, Debug)]
pub struct LimitsConfig {
    /// Header holding the client's address, set by a trusted reverse proxy (e.g.
    /// `X-Forwarded-For`, last entry used). Unset: the socket peer; client-sent headers are
    /// then ignored.
    #[arg(long, env = "CONVO_CLIENT_ADDRESS_HEADER")]
    pub client_address_header: Option<String>,

    /// Failed verifications of one credential lookup part after which it is refused (429)
    /// without hashing until the cool-down has passed; 0 disables.
    #[arg(long, env = "CONVO_AUTH_FAILURES_PER_KEY", default_value_t = 5)]
    pub auth_failures_per_key: u32,

    /// Failed verifications from one client address after which its credential checks that
    /// need hashing are refused (429) until the cool-down has passed; 0 disables.
    #[arg(long, env = "CONVO_AUTH_FAILURES_PER_ADDRESS", default_value_t = 20)]
    pub auth_failures_per_address: u32,

    /// Seconds a lookup part or address stays counted, from its first failure.
    #[arg(long, env = "CONVO_AUTH_FAILURE_COOLDOWN_SECS", default_value_t = 60)]
    pub auth_failure_cooldown_secs: u64,

    /// Hashing jobs (verifications, new keys) that may wait for a hashing thread; more get 503.
    #[arg(long, env = "CONVO_AUTH_HASH_QUEUE", default_value_t = 256)]
    pub auth_hash_queue: usize,

    /// Verifications of credentials with recent failures that may wait; more get 429.
    #[arg(long, env = "CONVO_AUTH_SUSPECT_QUEUE", default_value_t = 4)]
    pub auth_suspect_queue: usize,

    /// Tenants one actor may create per hour (429 beyond).
    #[arg(long, env = "CONVO_TENANTS_PER_ACTOR_PER_HOUR", default_value_t = 5)]
    pub tenants_per_actor_per_hour: u32,

    /// Tenants one actor may create in total (403 beyond).
    #[arg(long, env = "CONVO_TENANTS_PER_ACTOR", default_value_t = 20)]
    pub tenants_per_actor: u32,

    /// Personal access tokens a human may hold unrevoked (403 beyond).
    #[arg(long, env = "CONVO_PATS_PER_HUMAN", default_value_t = 25)]
    pub pats_per_human: u32,

    /// Agents a human may sponsor (403 beyond).
    #[arg(long, env = "CONVO_AGENTS_PER_HUMAN", default_value_t = 100)]
    pub agents_per_human: u32,

    /// Registrations (`POST /api/actors`) per client address per hour, per replica (429
    /// beyond).
    #[arg(
        long,
        env = "CONVO_REGISTRATIONS_PER_ADDRESS_PER_HOUR",
        default_value_t = 30
    )]
    pub registrations_per_address_per_hour: u32,

    /// Event streams one actor may hold open at once, all its credentials together (429
    /// beyond) [default: 20].
    #[arg(long, env = "CONVO_MAX_STREAMS_PER_ACTOR")]
    pub max_streams_per_actor: Option<usize>,

    /// Former name of `--max-streams-per-actor`, still honoured when the new one is unset.
    #[arg(long, env = "CONVO_MAX_STREAMS_PER_KEY", hide = true)]
    pub max_streams_per_key: Option<usize>,
}

impl LimitsConfig {
    /// The stream cap per actor, from the new setting, else the old name, else the default.
    pub fn streams_per_actor(&self) -> usize {
        self.max_streams_per_actor
            .or(self.max_streams_per_key)
            .unwrap_or(DEFAULT_MAX_STREAMS_PER_ACTOR)
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            client_address_header: None,
            auth_failures_per_key: 5,
            auth_failures_per_address: 20,
            auth_failure_cooldown_secs: 60,
            auth_hash_queue: 256,
            auth_suspect_queue: 4,
            tenants_per_actor_per_hour: 5,
            tenants_per_actor: 20,
            pats_per_human: 25,
            agents_per_human: 100,
            registrations_per_address_per_hour: 30,
            max_streams_per_actor: None,
            max_streams_per_key: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        limits: LimitsConfig,
    }

    #[test]
    fn defaults_match_the_flags() {
        let parsed = Cli::parse_from(["convo"]).limits;
        let default = LimitsConfig::default();
        assert_eq!(format!("{parsed:?}"), format!("{default:?}"));
        assert_eq!(parsed.streams_per_actor(), DEFAULT_MAX_STREAMS_PER_ACTOR);
    }

    #[test]
    fn the_old_stream_setting_is_an_alias() {
        let old = Cli::parse_from(["convo", "--max-streams-per-key", "7"]).limits;
        assert_eq!(old.streams_per_actor(), 7);
        let both = Cli::parse_from([
            "convo",
            "--max-streams-per-key",
            "7",
            "--max-streams-per-actor",
            "3",
        ])
        .limits;
        assert_eq!(both.streams_per_actor(), 3);
    }
}
