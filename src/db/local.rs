//! Zero-configuration database: use a PostgreSQL running on this machine, or start a private
//! one from the installed PostgreSQL binaries under the data folder.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use anyhow::{Context, bail};
use tokio_postgres::{Config, NoTls};

/// The database Convo creates and uses on a local server.
pub const DATABASE: &str = "convo";

const INSTALL_HINT: &str = "no PostgreSQL found: install the `postgresql` package \
     (e.g. `apt-get install postgresql`) or set DATABASE_URL";

/// Find or start a local server and return a config for the `convo` database on it.
pub async fn locate(data_dir: &Path) -> anyhow::Result<Config> {
    let admin = find_or_start_server(data_dir).await?;
    ensure_database(&admin, DATABASE).await
}

/// A config for an administrative database on a local server, found or started.
pub async fn find_or_start_server(data_dir: &Path) -> anyhow::Result<Config> {
    if let Some(config) = find_running().await {
        return Ok(config);
    }
    start_private(data_dir).await
}

/// Try the usual local endpoints, socket first.
async fn find_running() -> Option<Config> {
    let users = candidate_users();
    let mut hosts: Vec<(String, u16)> = Vec::new();
    for dir in ["/var/run/postgresql", "/run/postgresql", "/tmp"] {
        if Path::new(dir).join(".s.PGSQL.5432").exists() {
            hosts.push((dir.to_string(), 5432));
        }
    }
    hosts.push(("127.0.0.1".to_string(), 5432));
    for (host, port) in &hosts {
        for user in &users {
            let mut config = Config::new();
            config
                .host(host)
                .port(*port)
                .user(user)
                .dbname("postgres")
                .connect_timeout(Duration::from_secs(2));
            if try_connect(&config).await.is_ok() {
                tracing::info!(
                    host,
                    port,
                    user,
                    "using the PostgreSQL server found on this machine"
                );
                return Some(config);
            }
        }
    }
    None
}

fn candidate_users() -> Vec<String> {
    let mut users = Vec::new();
    if let Ok(user) = std::env::var("PGUSER").or_else(|_| std::env::var("USER")) {
        users.push(user);
    }
    for user in ["postgres", "root"] {
        if !users.iter().any(|u| u == user) {
            users.push(user.to_string());
        }
    }
    users
}

async fn try_connect(config: &Config) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// Create `name` on the server of `admin` if it does not exist; return a config for it.
pub async fn ensure_database(admin: &Config, name: &str) -> anyhow::Result<Config> {
    let client = try_connect(admin)
        .await
        .context("connecting to the local PostgreSQL")?;
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await?
        .is_some();
    if !exists {
        // The name is ours (a constant or a generated test name), never user input.
        let created = client
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await;
        if let Err(err) = created {
            // A concurrent creator may have won the race.
            if err.code() != Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) {
                return Err(err).context(format!("creating database {name}"));
            }
        }
    }
    let mut config = admin.clone();
    config.dbname(name);
    Ok(config)
}

/// Start (initialising if needed) a PostgreSQL that listens only on a socket in `data_dir`.
pub async fn start_private(data_dir: &Path) -> anyhow::Result<Config> {
    let bin = find_bin_dir().context(INSTALL_HINT)?;
    // PostgreSQL refuses to run as root: run it as the `postgres` user then.
    let run_as = if is_root() { Some("postgres") } else { None };
    let data_dir = private_dir(data_dir, run_as)?;
    let pgdata = data_dir.join("pgdata");
    let socket_dir = data_dir.clone();
    if socket_dir.as_os_str().len() > 90 {
        bail!(
            "the data folder path {} is too long for a PostgreSQL socket; set CONVO_DATA_DIR to a shorter one",
            data_dir.display()
        );
    }
    if let Some(user) = run_as {
        run(Command::new("chown").args(["-R", user]).arg(&data_dir))?;
    }
    if !pgdata.join("PG_VERSION").exists() {
        tracing::info!("initialising a private PostgreSQL in {}", pgdata.display());
        let mut initdb = pg_command(run_as, &bin.join("initdb"));
        initdb.arg("-D").arg(&pgdata).args([
            "-U",
            "convo",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
        ]);
        run(&mut initdb)?;
    }
    let running = pg_command(run_as, &bin.join("pg_ctl"))
        .arg("status")
        .arg("-D")
        .arg(&pgdata)
        .output()?
        .status
        .success();
    if !running {
        let mut start = pg_command(run_as, &bin.join("pg_ctl"));
        start
            .arg("-D")
            .arg(&pgdata)
            .arg("-l")
            .arg(data_dir.join("postgres.log"))
            .arg("-w")
            .arg("-o")
            .arg(format!(
                "-c listen_addresses='' -k {} -p 5432",
                socket_dir.display()
            ))
            .arg("start");
        run(&mut start)?;
    }
    tracing::info!(
        "started a private PostgreSQL in {} (stop it with: {} -D {} stop)",
        pgdata.display(),
        bin.join("pg_ctl").display(),
        pgdata.display()
    );
    let mut config = Config::new();
    config
        .host_path(&socket_dir)
        .port(5432)
        .user("convo")
        .dbname("postgres")
        .connect_timeout(Duration::from_secs(5));
    try_connect(&config)
        .await
        .context("connecting to the private PostgreSQL")?;
    Ok(config)
}

/// The folder a private server lives in: `data_dir`, unless the user running PostgreSQL
/// cannot reach it (e.g. a checkout under /root), then `/var/tmp/convo`.
fn private_dir(data_dir: &Path, run_as: Option<&str>) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let data_dir = data_dir.canonicalize()?;
    match run_as {
        Some(user) if !reachable_by(user, &data_dir) => {
            let fallback = PathBuf::from("/var/tmp/convo");
            tracing::warn!(
                "the {user} user cannot reach {}; using {} for the private PostgreSQL (set CONVO_DATA_DIR to choose)",
                data_dir.display(),
                fallback.display()
            );
            std::fs::create_dir_all(&fallback)?;
            Ok(fallback)
        }
        _ => Ok(data_dir),
    }
}

/// Stop a private server started by [`start_private`].
pub fn stop_private(data_dir: &Path) -> anyhow::Result<()> {
    let bin = find_bin_dir().context(INSTALL_HINT)?;
    let run_as = if is_root() { Some("postgres") } else { None };
    let data_dir = private_dir(data_dir, run_as)?;
    let data_dir = data_dir.as_path();
    let mut stop = pg_command(run_as, &bin.join("pg_ctl"));
    stop.arg("-D")
        .arg(data_dir.join("pgdata"))
        .args(["-m", "fast", "-w", "stop"]);
    run(&mut stop)
}

fn find_bin_dir() -> Option<PathBuf> {
    let has_initdb = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_initdb(&dir) {
            return Some(dir);
        }
    }
    // Debian keeps server binaries out of PATH, one folder per major version: take the newest.
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, dir)| has_initdb(dir))
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.pop() {
        return Some(dir);
    }
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).find(|dir| has_initdb(dir)))
}

/// Whether `user` can enter every folder down to `dir`.
fn reachable_by(user: &str, dir: &Path) -> bool {
    Command::new("runuser")
        .args(["-u", user, "--", "test", "-x"])
        .arg(dir.parent().unwrap_or(dir))
        .status()
        .is_ok_and(|s| s.success())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn pg_command(run_as: Option<&str>, program: &Path) -> Command {
    match run_as {
        Some(user) => {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", user, "--"]).arg(program);
            cmd
        }
        None => Command::new(program),
    }
}

fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}
