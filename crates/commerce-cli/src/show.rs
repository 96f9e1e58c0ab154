//! `commerce show <data-type>`: a page of stored records as a readable table, JSON or CSV, with
//! Codat's `query` and `orderBy`.

use anyhow::bail;
use clap::Args;
use commerce_model::{DataType, OrderBy, Query};
use commerce_store::{RecordQuery, StoreError, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::config::{self, Needs};
use crate::output::{self, at, cell, money, Format, Table};
use crate::say;
use crate::sync::{parse_data_type, single_connection};

/// Arguments of `commerce show`.
#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The data type: a Codat key (commerce-payments) or URL segment (commerce-info).
    #[arg(value_name = "DATA_TYPE", value_parser = parse_data_type)]
    data_type: DataType,
    /// The connection (default: the only one there is).
    #[arg(long, value_name = "ID")]
    connection: Option<Uuid>,
    /// Codat's query language, e.g. `currency=GBP&&amount>100` or `customerName~ada`.
    #[arg(long)]
    query: Option<String>,
    /// Codat's orderBy, e.g. `-createdDate` (newest first) or `amount`.
    #[arg(long = "order-by", value_name = "FIELDS", allow_hyphen_values = true)]
    order_by: Option<String>,
    /// Page number, from 1.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    page: u32,
    /// Records per page.
    #[arg(long, default_value_t = DEFAULT_PAGE_SIZE, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_PAGE_SIZE)))]
    page_size: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The columns shown for a data type: (header, JSON path).
fn columns(data_type: DataType) -> &'static [(&'static str, &'static str)] {
    match data_type {
        DataType::CompanyInfo => &[
            ("companyName", "companyName"),
            ("stripe account", "commercePlatformRef"),
            ("baseCurrency", "baseCurrency"),
            ("createdDate", "createdDate"),
        ],
        DataType::Customers => &[
            ("id", "id"),
            ("customerName", "customerName"),
            ("emailAddress", "emailAddress"),
            ("defaultCurrency", "defaultCurrency"),
            ("createdDate", "createdDate"),
        ],
        DataType::Disputes => &[
            ("id", "id"),
            ("totalAmount", "totalAmount"),
            ("currency", "currency"),
            ("status", "status"),
            ("reason", "reason"),
            ("createdDate", "createdDate"),
        ],
        DataType::Payments => &[
            ("id", "id"),
            ("amount", "amount"),
            ("currency", "currency"),
            ("status", "status"),
            ("method", "paymentMethodRef.name"),
            ("createdDate", "createdDate"),
        ],
        DataType::Products => &[
            ("id", "id"),
            ("name", "name"),
            ("status", "status"),
            ("variants", "variants"),
            ("createdDate", "createdDate"),
        ],
        DataType::Transactions => &[
            ("id", "id"),
            ("type", "type"),
            ("subType", "subType"),
            ("totalAmount", "totalAmount"),
            ("currency", "currency"),
            ("source", "transactionSourceRef.id"),
            ("createdDate", "createdDate"),
        ],
        _ => &[
            ("id", "id"),
            ("name", "name"),
            ("status", "status"),
            ("createdDate", "createdDate"),
            ("modifiedDate", "modifiedDate"),
        ],
    }
}

pub(crate) async fn run(args: ShowArgs) -> anyhow::Result<()> {
    let config = config::load(Needs::Store)?;
    let store = config::open_store(&config).await?;
    let connection = match args.connection {
        Some(id) => match store.get_connection(id).await {
            Ok(connection) => connection,
            Err(StoreError::NotFound { .. }) => bail!("no connection has the id {id}"),
            Err(error) => return Err(error.into()),
        },
        None => single_connection(&store).await?,
    };
    // The same checks as the API's (`docs/querying.md`): unknown fields, values of the wrong
    // type and operators a field's type does not take are refused.
    let nonempty = |text: &Option<String>| text.clone().filter(|text| !text.trim().is_empty());
    let query = nonempty(&args.query)
        .map(|text| Query::parse_for(args.data_type, &text))
        .transpose()
        .map_err(|error| anyhow::anyhow!("invalid --query: {error}"))?;
    let order_by = nonempty(&args.order_by)
        .map(|text| OrderBy::parse_for(args.data_type, &text))
        .transpose()
        .map_err(|error| anyhow::anyhow!("invalid --order-by: {error}"))?;
    let request = RecordQuery::new(args.page, args.page_size, query, order_by);
    let page = match store
        .query_records(connection.id, args.data_type, &request)
        .await
    {
        Ok(page) => page,
        Err(error) if error.is_bad_request() => bail!("{error}"),
        Err(error) => return Err(error.into()),
    };
    store.close().await;
    let mut table = Table::new(columns(args.data_type).iter().map(|(header, _)| *header));
    for record in &page.results {
        table.push(columns(args.data_type).iter().map(|(_, path)| match *path {
            "amount" | "totalAmount" => money(at(record, path), record.get("currency")),
            _ => cell(at(record, path)),
        }));
    }
    match args.format {
        Format::Json => {
            let body = if args.data_type == DataType::CompanyInfo {
                page.results.first().cloned().unwrap_or(Value::Null)
            } else {
                json!({
                    "results": page.results,
                    "pageNumber": page.page_number,
                    "pageSize": page.page_size,
                    "totalResults": page.total_results,
                })
            };
            crate::out(&output::json(&body));
        }
        Format::Csv => crate::out(&table.to_csv()),
        Format::Table => {
            crate::out(&table.render());
            let pages = page
                .total_results
                .div_ceil(u64::from(page.page_size))
                .max(1);
            say(&format!(
                "{} of {} {} (page {} of {pages})",
                page.results.len(),
                page.total_results,
                args.data_type.key(),
                page.page_number,
            ));
        }
    }
    Ok(())
}
