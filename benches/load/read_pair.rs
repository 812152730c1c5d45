//! `read-pair` (issue #15, part 2): the cursor read over HTTP at 64 connections against
//! pgbench running the same SQL (`benches/pgbench/read.sql`) at 8 clients, the two
//! alternated for `CONVO_BENCH_PAIRS` pairs (default 5) on the same database, each pair's
//! ratio printed and then the median. Alternating in one sitting keeps what else runs on the
//! machine from favouring either side; the median of the pairs is the figure.
//!
//! `CONVO_BIN` runs another build and `CONVO_BENCH_READ_SQL` another pgbench script (a path),
//! for a before/after comparison with an older release and its SQL.

use super::{Bench, Row, pgbench, read_load, server::setting};

/// HTTP connections: the table compares 64 connections with pgbench at 8 clients
/// (the server's pool holds 16 database connections; pgbench needs few clients to saturate
/// the machine's two cores, and more only queue).
const HTTP_CONNECTIONS: usize = 64;
const PGBENCH_CLIENTS: usize = 8;

impl Bench {
    pub(super) async fn read_pairs(&mut self) {
        let cursor = self.history().await;
        let pairs: usize = setting("CONVO_BENCH_PAIRS", 5);
        let script = std::env::var("CONVO_BENCH_READ_SQL").unwrap_or_else(|_| "read.sql".into());
        let path = format!("/api/spaces/history/events?since={cursor}&limit=50");
        let vars = [
            ("schema", self.schema()),
            ("space", "history".to_string()),
            ("cursor", cursor.clone()),
        ];
        // Untimed warm-up of both: connections, caches, prepared statements.
        let warm = std::time::Duration::from_secs(1);
        let (http, base, key) = (&self.http, &self.server.base, &self.actor.key);
        read_load(
            http,
            base,
            vec![key.clone()],
            path.clone(),
            HTTP_CONNECTIONS,
            warm,
        )
        .await;
        pgbench::run(&self.db, &script, PGBENCH_CLIENTS, warm, &vars);
        let mut ratios = Vec::new();
        for pair in 1..=pairs {
            let (http, base, key) = (&self.http, &self.server.base, &self.actor.key);
            let keys = vec![key.clone()];
            let server = read_load(
                http,
                base,
                keys,
                path.clone(),
                HTTP_CONNECTIONS,
                self.duration,
            )
            .await;
            let raw = pgbench::run(&self.db, &script, PGBENCH_CLIENTS, self.duration, &vars);
            let ratio = server.per_sec / raw.per_sec;
            println!(
                "pair {pair}/{pairs}: server {:.0} req/s @{HTTP_CONNECTIONS} (p99 {:.2} ms), \
                 pgbench {:.0} tps @{PGBENCH_CLIENTS} (p99 {:.2} ms): {:.1}%",
                server.per_sec,
                server.p99_ms,
                raw.per_sec,
                raw.p99_ms,
                100.0 * ratio
            );
            ratios.push(ratio);
            self.rows.push(Row {
                scenario: format!("cursor read, pair {pair} (pgbench @{PGBENCH_CLIENTS})"),
                connections: HTTP_CONNECTIONS,
                server,
                pgbench: Some(raw),
            });
        }
        ratios.sort_by(f64::total_cmp);
        if let (Some(low), Some(high)) = (ratios.first(), ratios.last()) {
            println!(
                "read pair: median {:.1}% of pgbench (range {:.1}–{:.1}%, {pairs} pairs of {} s)",
                100.0 * ratios[ratios.len() / 2],
                100.0 * low,
                100.0 * high,
                self.duration.as_secs()
            );
        }
    }
}
