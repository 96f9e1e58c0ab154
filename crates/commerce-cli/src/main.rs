//! The `commerce` command line.
//!
//! Commands:
//! - `commerce map --type <data-type> <file|->`: maps Stripe JSON into commerce records (see [`map`]).
//!
//! Exit codes: 0 on success, 2 on bad input or usage (one line on stderr), 1 on any other failure.
//! This binary is the leaf that wires platforms in; library crates must not depend on it.

mod map;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Link Stripe accounts, retrieve their commerce data and display it.
#[derive(Debug, Parser)]
#[command(name = "commerce", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Map Stripe JSON (an export, an API response, a recording) into commerce records.
    Map(map::MapArgs),
}

/// How a command failed, which decides the exit code.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The input (or an argument) is bad: exit code 2.
    BadInput(String),
    /// Anything else, such as a closed stdout: exit code 1.
    Other(anyhow::Error),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Map(args) => map::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(message)) => {
            let _ = writeln!(std::io::stderr(), "commerce map: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Other(err)) => {
            let _ = writeln!(std::io::stderr(), "commerce: {err:#}");
            ExitCode::from(1)
        }
    }
}
