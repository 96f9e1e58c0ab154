//! `commerce map --type <data-type> <file|->`: Stripe JSON in, commerce records out.
//!
//! The input is one Stripe object, a list envelope (`{"object": "list", "data": [...]}`), a JSON
//! array, or newline-delimited objects, in any mix. Products take product and price objects together;
//! company info takes the account followed by its balance. The output is one JSON array of the mapped
//! records in input order (a deleted object gives `{"id": ..., "deleted": true}`).

use std::io::{Read, Write};
use std::path::PathBuf;

use clap::Args;

use commerce_model as commerce;

use crate::Failure;

/// Arguments of `commerce map`.
#[derive(Debug, Args)]
pub(crate) struct MapArgs {
    /// The data type to produce: a Codat key (`commerce-payments`, `commerce-companyInfo`) or URL
    /// segment (`commerce-info`).
    #[arg(long = "type", value_name = "DATA_TYPE", value_parser = parse_data_type)]
    data_type: commerce::DataType,
    /// The Stripe JSON file to read, or `-` for standard input.
    #[arg(value_name = "FILE")]
    input: PathBuf,
}

/// The data types the Stripe mapping produces.
const MAPPED: &[commerce::DataType] = &[
    commerce::DataType::CompanyInfo,
    commerce::DataType::Customers,
    commerce::DataType::Disputes,
    commerce::DataType::Payments,
    commerce::DataType::Products,
    commerce::DataType::Transactions,
];

fn parse_data_type(text: &str) -> Result<commerce::DataType, String> {
    let data_type = commerce::DataType::parse(text).map_err(|err| err.to_string())?;
    if MAPPED.contains(&data_type) {
        return Ok(data_type);
    }
    let keys: Vec<&str> = MAPPED.iter().map(|mapped| mapped.key()).collect();
    Err(format!(
        "{data_type} is not supported for Stripe (supported: {})",
        keys.join(", ")
    ))
}

/// Runs `commerce map`.
pub(crate) fn run(args: &MapArgs) -> Result<(), Failure> {
    let is_stdin = args.input.as_os_str() == "-";
    let name = if is_stdin {
        "<stdin>".to_owned()
    } else {
        args.input.display().to_string()
    };
    let mut bytes = Vec::new();
    let read = if is_stdin {
        std::io::stdin().lock().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(&args.input)
            .and_then(|mut file| file.read_to_end(&mut bytes).map(|_| ()))
    };
    read.map_err(|err| Failure::BadInput(format!("{name}: {err}")))?;

    let records = commerce_stripe::map_document(args.data_type, &bytes)
        .map_err(|err| Failure::BadInput(format!("{name}: {}", one_line(&err.to_string()))))?;

    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &records)
        .map_err(|err| Failure::Other(err.into()))?;
    writeln!(stdout).map_err(|err| Failure::Other(err.into()))?;
    stdout.flush().map_err(|err| Failure::Other(err.into()))
}

/// Keeps an error on one line (serde messages never hold newlines, but quoted input might).
fn one_line(message: &str) -> String {
    message.replace(['\n', '\r'], " ")
}
