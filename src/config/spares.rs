//! How many spare tenant schemas are kept ready (`convo serve` keeps the pool full,
//! `convo migrate` migrates and tops it up).

use clap::Args;

/// The most spares a pool may be asked to hold: each is a schema of empty tables.
pub const MAX_SPARE_SCHEMAS: u32 = 1000;

#[derive(Args, Clone, Copy, Debug)]
pub struct SpareConfig {
    /// Spare tenant schemas kept created and migrated ahead of time, so that creating a tenant
    /// renames one instead of running every tenant migration inside the request (at most
    /// 1000); 0 turns the pool off (tenants are then provisioned in the request).
    #[arg(
        long,
        env = "CONVO_SPARE_SCHEMAS",
        default_value_t = 16,
        value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_SPARE_SCHEMAS))
    )]
    pub spare_schemas: u32,
}

impl Default for SpareConfig {
    fn default() -> Self {
        SpareConfig { spare_schemas: 16 }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        spares: SpareConfig,
    }

    #[test]
    fn the_default_matches_the_flag_and_the_pool_is_bounded() {
        let parsed = Cli::parse_from(["convo"]).spares;
        assert_eq!(parsed.spare_schemas, SpareConfig::default().spare_schemas);
        assert!(Cli::try_parse_from(["convo", "--spare-schemas", "1001"]).is_err());
        let off = Cli::parse_from(["convo", "--spare-schemas", "0"]).spares;
        assert_eq!(off.spare_schemas, 0);
    }
}
