//! The database's own limit: a pgbench script (benches/pgbench/*.sql) doing the server's SQL
//! for one request, at the same concurrency, against the same database.

use std::{path::PathBuf, process::Command, time::Duration};

use super::{
    drive::{Figures, percentile},
    server::Database,
};

pub fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("benches/pgbench")
        .join(name)
}

/// pgbench clients at most: PostgreSQL's max_connections (100 by default) also has to hold
/// the server's pool. `CONVO_BENCH_PG_MAX` overrides it.
pub fn max_clients() -> usize {
    super::server::setting("CONVO_BENCH_PG_MAX", 48)
}

/// Run `script` with `clients` connections (capped at [`max_clients`]) for `duration`; `vars`
/// are pgbench `-D` variables. Latency percentiles come from pgbench's per-transaction log.
pub fn run(
    db: &Database,
    script_name: &str,
    clients: usize,
    duration: Duration,
    vars: &[(&str, String)],
) -> Figures {
    let clients = clients.min(max_clients());
    let logs = tempdir();
    let mut cmd = Command::new("pgbench");
    cmd.args(["-n", "-M", "extended", "-l"])
        .arg(format!("--log-prefix={}/tx", logs.display()))
        .args(["-c", &clients.to_string()])
        .args(["-j", &clients.min(2).to_string()])
        .args(["-T", &duration.as_secs().max(1).to_string()])
        .args([
            "-h",
            &db.host(),
            "-p",
            &db.port().to_string(),
            "-U",
            &db.user(),
        ])
        .arg("-f")
        .arg(script(script_name));
    for (name, value) in vars {
        cmd.args(["-D", &format!("{name}={value}")]);
    }
    cmd.arg(&db.name);
    let out = cmd
        .output()
        .expect("pgbench (apt install postgresql-contrib)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pgbench {script_name} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tps = stdout
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .expect("pgbench prints tps");
    let mut latencies = transaction_latencies(&logs);
    latencies.sort();
    let _ = std::fs::remove_dir_all(&logs);
    Figures {
        per_sec: tps,
        p50_ms: super::drive::ms(percentile(&latencies, 0.50)),
        p99_ms: super::drive::ms(percentile(&latencies, 0.99)),
    }
}

/// Lines are `client transaction latency_us script epoch_s epoch_us`.
fn transaction_latencies(dir: &PathBuf) -> Vec<Duration> {
    let mut latencies = Vec::new();
    for entry in std::fs::read_dir(dir).expect("pgbench log dir") {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        latencies.extend(text.lines().filter_map(|l| {
            let us: u64 = l.split_whitespace().nth(2)?.parse().ok()?;
            Some(Duration::from_micros(us))
        }));
    }
    latencies
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("convo-pgbench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
