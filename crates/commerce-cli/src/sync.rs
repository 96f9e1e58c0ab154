//! `commerce sync` (pull data now, with progress bars) and `commerce status` (connections,
//! per-type sync status and record counts).

use anyhow::{anyhow, bail};
use clap::Args;
use commerce_model::DataType;
use commerce_store::{Company, Connection, ConnectionStatus, Store, StoreError};
use commerce_sync::SyncConfig;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::config::{self, Needs};
use crate::output::{self, Format, Table};
use crate::progress::SyncProgress;
use crate::say;
use commerce_cli::platforms::{self, PlatformOptions};

/// Parses a data type given as a Codat key or URL segment.
pub(crate) fn parse_data_type(text: &str) -> Result<DataType, String> {
    DataType::parse(text).map_err(|_| {
        let known: Vec<&str> = DataType::ALL
            .iter()
            .map(|data_type| data_type.key())
            .collect();
        format!("unknown data type {text:?} (known: {})", known.join(", "))
    })
}

/// Arguments of `commerce sync`.
#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// Only this connection (default: every Linked connection).
    #[arg(long, value_name = "ID")]
    connection: Option<Uuid>,
    /// Only these data types (Codat keys such as commerce-payments, comma-separated or
    /// repeated; default: every type).
    #[arg(long, value_name = "DATA_TYPE", value_delimiter = ',', value_parser = parse_data_type)]
    types: Vec<DataType>,
    /// How many datasets are pulled at the same time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    workers: u16,
}

/// Arguments of `commerce status`.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Only this connection.
    #[arg(long, value_name = "ID")]
    connection: Option<Uuid>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Every company (all pages).
pub(crate) async fn all_companies(store: &Store) -> anyhow::Result<Vec<Company>> {
    const LIMIT: u64 = 500;
    let mut companies = Vec::new();
    loop {
        let (items, total) = store.list_companies(companies.len() as u64, LIMIT).await?;
        let done = items.is_empty() || companies.len() as u64 + items.len() as u64 >= total;
        companies.extend(items);
        if done {
            return Ok(companies);
        }
    }
}

/// The connections named by `only`, or every connection, with their companies.
pub(crate) async fn connections(
    store: &Store,
    only: Option<Uuid>,
) -> anyhow::Result<Vec<(Company, Connection)>> {
    if let Some(id) = only {
        let connection = match store.get_connection(id).await {
            Ok(connection) => connection,
            Err(StoreError::NotFound { .. }) => bail!("no connection has the id {id}"),
            Err(error) => return Err(error.into()),
        };
        let company = store.get_company(connection.company_id).await?;
        return Ok(vec![(company, connection)]);
    }
    let mut all = Vec::new();
    for company in all_companies(store).await? {
        for connection in store.list_connections(company.id).await? {
            all.push((company.clone(), connection));
        }
    }
    Ok(all)
}

pub(crate) async fn sync(args: SyncArgs) -> anyhow::Result<()> {
    let config = config::load(Needs::Store)?;
    let engine = config::engine(
        &config,
        SyncConfig::default().with_workers(usize::from(args.workers)),
        PlatformOptions::default(),
    )
    .await?;
    let store = engine.store().clone();
    let mut targets = Vec::new();
    for (company, connection) in connections(&store, args.connection).await? {
        if connection.status != ConnectionStatus::Linked {
            if args.connection.is_some() {
                bail!(
                    "connection {} is {}, not Linked: link it again first (commerce link)",
                    connection.id,
                    connection.status
                );
            }
            continue;
        }
        let Some(platform) = engine.registry().get(&connection.platform_key) else {
            bail!(
                "connection {} uses {}, which is not configured: set {}",
                connection.id,
                connection.platform_key,
                platforms::required_settings(
                    &platforms::declared(&platforms::shipped()),
                    &connection.platform_key
                )
            );
        };
        let types: Vec<DataType> = if args.types.is_empty() {
            platform.supports().to_vec()
        } else {
            args.types.clone()
        };
        targets.push((company, connection, types));
    }
    if targets.is_empty() {
        bail!("there is no Linked connection to sync: link one first (commerce link)");
    }
    let events = engine.subscribe();
    let mut expected = Vec::new();
    for (company, connection, types) in &targets {
        say(&format!(
            "Syncing {} ({}, {}, connection {})",
            company.name,
            connection.platform_key,
            connection.external_account_id.as_deref().unwrap_or("-"),
            connection.id
        ));
        for data_type in types {
            match engine.queue(connection.id, *data_type).await {
                Ok(_) => {}
                Err(error) if error.is_conflict() => {} // already queued or running: run it
                Err(error) => return Err(error.into()),
            }
            expected.push((connection.id, *data_type));
        }
    }
    let (_, finished) = SyncProgress::new(&expected)
        .run_until_idle(&engine, events)
        .await?;
    store.close().await;
    let failed: Vec<String> = finished
        .iter()
        .filter(|done| done.status.is_errored())
        .map(|done| format!("{} {}", done.data_type.key(), done.status))
        .collect();
    if !failed.is_empty() {
        bail!(
            "the sync did not complete for {} (reasons above; see docs/troubleshooting.md)",
            failed.join(", ")
        );
    }
    Ok(())
}

pub(crate) async fn status(args: StatusArgs) -> anyhow::Result<()> {
    let config = config::load(Needs::Store)?;
    let store = config::open_store(&config).await?;
    let mut rows = Vec::new();
    for (company, connection) in connections(&store, args.connection).await? {
        let statuses = store.data_statuses(connection.id).await?;
        let counts = store.count_records(connection.id).await?;
        let mut types = Vec::new();
        for (data_type, status) in &statuses {
            if status.current_status == commerce_store::DatasetStatus::NotSupported {
                continue;
            }
            types.push(json!({
                "dataType": data_type.key(),
                "status": status.current_status.as_str(),
                "lastSuccessfulSync": status.last_successful_sync.map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                "records": counts.get(data_type).copied().unwrap_or(0),
            }));
        }
        rows.push(json!({
            "companyId": company.id,
            "companyName": company.name,
            "connectionId": connection.id,
            "platformKey": connection.platform_key,
            "status": connection.status.as_str(),
            "account": connection.external_account_id,
            "lastError": connection.last_error,
            "dataTypes": types,
        }));
    }
    store.close().await;
    match args.format {
        Format::Json => crate::out(&output::json(&Value::Array(rows))),
        Format::Csv => crate::out(&flat(&rows).to_csv()),
        Format::Table => {
            if rows.is_empty() {
                say("No connections yet: run `commerce link` (or `commerce demo`).");
            }
            for row in &rows {
                say(&format!(
                    "{} — {} {} {} (connection {}){}",
                    output::cell(row.get("companyName")),
                    output::cell(row.get("platformKey")),
                    output::cell(row.get("status")),
                    output::cell(row.get("account")),
                    output::cell(row.get("connectionId")),
                    row["lastError"]
                        .as_str()
                        .map(|error| format!(": {error}"))
                        .unwrap_or_default()
                ));
                let mut table =
                    Table::new(["data type", "status", "last successful sync", "records"]);
                for data_type in row["dataTypes"].as_array().into_iter().flatten() {
                    table.push([
                        output::cell(data_type.get("dataType")),
                        output::cell(data_type.get("status")),
                        output::cell(data_type.get("lastSuccessfulSync")),
                        output::cell(data_type.get("records")),
                    ]);
                }
                if table.rows.is_empty() {
                    say("  never synced");
                } else {
                    for line in table.render().lines() {
                        say(&format!("  {line}"));
                    }
                }
                say("");
            }
        }
    }
    Ok(())
}

/// One CSV row per (connection, data type).
fn flat(rows: &[Value]) -> Table {
    let mut table = Table::new([
        "companyName",
        "connectionId",
        "platformKey",
        "connectionStatus",
        "account",
        "dataType",
        "status",
        "lastSuccessfulSync",
        "records",
    ]);
    for row in rows {
        let base = [
            output::cell(row.get("companyName")),
            output::cell(row.get("connectionId")),
            output::cell(row.get("platformKey")),
            output::cell(row.get("status")),
            output::cell(row.get("account")),
        ];
        let types = row["dataTypes"].as_array().cloned().unwrap_or_default();
        if types.is_empty() {
            table.push(base.clone());
        }
        for data_type in types {
            let mut cells = base.to_vec();
            cells.extend([
                output::cell(data_type.get("dataType")),
                output::cell(data_type.get("status")),
                output::cell(data_type.get("lastSuccessfulSync")),
                output::cell(data_type.get("records")),
            ]);
            table.push(cells);
        }
    }
    table
}

/// The only connection there is, for commands that need one and were not given one.
pub(crate) async fn single_connection(store: &Store) -> anyhow::Result<Connection> {
    let all = connections(store, None).await?;
    match all.len() {
        0 => Err(anyhow!(
            "there is no connection yet: link one first (commerce link)"
        )),
        1 => all
            .into_iter()
            .next()
            .map(|(_, connection)| connection)
            .ok_or_else(|| anyhow!("there is no connection yet")),
        n => Err(anyhow!(
            "there are {n} connections: choose one with --connection (see commerce status)"
        )),
    }
}
