//! `convo tenants list|suspend|reactivate`: the admin API's tenant operations from a shell
//! with database access. Suspension goes through the same transaction and NOTIFY as the API,
//! so running servers apply it at once.

use std::fmt::Write as _;

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use uuid::Uuid;

use crate::{
    config::DbConfig,
    db::Db,
    domain::TenantStatus,
    store::tenants::{self, TenantOverview},
    tenancy::ControlConn,
    tenant_lifecycle::status,
};

#[derive(Subcommand, Clone, Debug)]
pub enum TenantsCommand {
    /// List tenants, oldest first.
    List {
        /// Only tenants with this status.
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
    },
    /// Suspend a tenant: its actors get 403 on every request, on every running server.
    Suspend {
        /// The tenant's id (a UUID).
        tenant_id: String,
    },
    /// Reactivate a suspended tenant.
    Reactivate {
        /// The tenant's id (a UUID).
        tenant_id: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Active,
    Suspended,
}

impl From<StatusArg> for TenantStatus {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::Active => TenantStatus::Active,
            StatusArg::Suspended => TenantStatus::Suspended,
        }
    }
}

pub async fn run(db_config: DbConfig, command: TenantsCommand) -> anyhow::Result<()> {
    let db = Db::connect(&db_config).await?;
    let output = execute(&db, &command).await;
    db.pool.close();
    print!("{}", output?);
    Ok(())
}

/// Run `command` against `db`; returns what the command prints.
pub async fn execute(db: &Db, command: &TenantsCommand) -> anyhow::Result<String> {
    let mut conn = ControlConn::get(&db.pool)
        .await
        .context("connecting to PostgreSQL")?;
    match command {
        TenantsCommand::List { status } => {
            let rows = tenants::list_overview(&conn, status.map(Into::into)).await?;
            Ok(table(&rows))
        }
        TenantsCommand::Suspend { tenant_id } | TenantsCommand::Reactivate { tenant_id } => {
            let to = match command {
                TenantsCommand::Suspend { .. } => TenantStatus::Suspended,
                _ => TenantStatus::Active,
            };
            let Ok(id) = Uuid::parse_str(tenant_id.trim()) else {
                bail!("not a tenant id: {tenant_id}");
            };
            let Some(tenant) = status::set_status(&mut conn, id, to).await? else {
                bail!("no tenant {id}");
            };
            Ok(format!(
                "tenant {} ({}) is now {}\n",
                tenant.tenant.tenant_id,
                tenant.tenant.name,
                tenant.tenant.status.as_str()
            ))
        }
    }
}

/// Aligned columns, one tenant per line.
fn table(rows: &[TenantOverview]) -> String {
    if rows.is_empty() {
        return "no tenants\n".to_string();
    }
    let name_width = rows
        .iter()
        .map(|r| r.tenant.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let mut out = format!(
        "{:<36}  {:<9}  {:>7}  {:<name_width$}  SCHEMA\n",
        "TENANT_ID", "STATUS", "MEMBERS", "NAME"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:<36}  {:<9}  {:>7}  {:<name_width$}  {}",
            r.tenant.tenant_id,
            r.tenant.status.as_str(),
            r.member_count,
            r.tenant.name,
            r.tenant.schema_name.as_str(),
        );
    }
    let _ = writeln!(out, "{} tenant(s)", rows.len());
    out
}
