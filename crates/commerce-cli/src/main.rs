//! The `commerce` command line: runs the server and sync workers, links merchants, syncs and
//! shows their data, and runs the whole thing as a zero-credential demo against a fake Stripe.
//!
//! Commands: `demo`, `serve`, `worker`, `migrate`, `rotate-keys`, `link`, `sync`, `status`,
//! `show`, `map`, `sandbox` (see `commerce --help`). Configuration is the server's: `COMMERCE_*` and `STRIPE_*`
//! environment variables and an optional `commerce.toml` ([`config`]). Platforms are wired in
//! by `commerce_cli::platforms`, the one place that builds them.
//!
//! Exit codes: 0 on success, 2 on bad input or usage (one line on stderr), 1 on any other
//! failure (one line on stderr per problem). This binary is the leaf that wires platforms in;
//! library crates must not depend on it (only `commerce-e2e`'s tests use its library's
//! `platforms` module, to register a test platform beside the shipped ones).

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod config;
mod demo;
mod link;
mod map;
mod output;
mod progress;
mod rotate_keys;
mod sandbox;
mod serve;
mod show;
mod sync;
mod unlink;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: a sync worker's memory then stays flat as data
/// grows (glibc's per-thread arenas kept growing with the run: peak RSS +44% from 10,000 to
/// 100,000 objects per resource in the sync benchmark, -3% to +16% with mimalloc; see
/// docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Link Stripe accounts, retrieve their commerce data and display it.
///
/// Configuration comes from environment variables (COMMERCE_DATABASE_URL, COMMERCE_BIND,
/// COMMERCE_PUBLIC_URL, COMMERCE_API_KEYS, COMMERCE_ENCRYPTION_KEY (or COMMERCE_ENCRYPTION_KEYS,
/// newest first), STRIPE_TEST_CLIENT_ID,
/// STRIPE_TEST_SECRET_KEY, STRIPE_LIVE_CLIENT_ID, STRIPE_LIVE_SECRET_KEY, STRIPE_*_WEBHOOK_SECRET,
/// STRIPE_API_BASE, STRIPE_CONNECT_BASE, STRIPE_SCOPE) and an optional commerce.toml (or the
/// file named by COMMERCE_CONFIG); variables win. `commerce demo` needs none of them.
#[derive(Debug, Parser)]
#[command(name = "commerce", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run everything against a fake Stripe: link a generated merchant, sync, print its data.
    Demo(demo::DemoArgs),
    /// Run the HTTP server (API, link flow, webhooks) and the sync workers.
    Serve(serve::ServeArgs),
    /// Run sync workers only (more processes on one PostgreSQL database).
    Worker(serve::WorkerOnlyArgs),
    /// Create or upgrade the database schema.
    Migrate,
    /// Re-seal every stored secret under the newest encryption key, while the service runs.
    ///
    /// Reads the keys from COMMERCE_ENCRYPTION_KEYS (comma-separated, newest first) and
    /// re-seals every stored credential, webhook consumer secret and pending link state that
    /// another key sealed, in batches, each locking only its rows. Every `serve` and `worker`
    /// process must run with the same key list first. Exits 1 while any stored secret still
    /// needs an older key, so remove the older keys only after a run that exits 0 (see
    /// docs/operations.md, "The encryption key").
    RotateKeys(rotate_keys::RotateKeysArgs),
    /// Link a merchant's Stripe account from this terminal.
    Link(link::LinkArgs),
    /// Pull data now, with progress bars.
    Sync(sync::SyncArgs),
    /// Show connections, the sync status of each data type and record counts.
    Status(sync::StatusArgs),
    /// Unlink a connection; says whether access at Stripe was revoked (not while another
    /// connection shares the account's grant).
    Unlink(unlink::UnlinkArgs),
    /// Show stored records of one data type.
    Show(show::ShowArgs),
    /// Map Stripe JSON (an export, an API response, a recording) into commerce records.
    Map(map::MapArgs),
    /// Run the fake Stripe (API and Connect OAuth) standalone.
    Sandbox(stripe_sandbox::SandboxArgs),
}

/// How a command failed, which decides the exit code.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The input (or an argument) is bad: exit code 2.
    BadInput(String),
    /// Anything else, such as a closed stdout: exit code 1.
    Other(anyhow::Error),
}

/// Prints a line on stdout (a closed stdout is ignored).
pub(crate) fn say(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
}

/// Prints text on stdout as is (a closed stdout is ignored).
pub(crate) fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Map(args) => map::run(&args),
        command => run_async(command).map_err(Failure::Other),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(message)) => {
            let _ = writeln!(std::io::stderr(), "commerce map: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Other(err)) => {
            let mut stderr = std::io::stderr().lock();
            let problems = match (
                err.downcast_ref::<config::ConfigProblems>(),
                err.downcast_ref::<commerce_server::ServerError>(),
            ) {
                (Some(problems), _) => Some(&problems.0),
                (None, Some(commerce_server::ServerError::InvalidConfig { problems })) => {
                    Some(problems)
                }
                _ => None,
            };
            match problems {
                Some(problems) => {
                    for problem in problems {
                        let _ = writeln!(stderr, "commerce: invalid configuration: {problem}");
                    }
                }
                None => {
                    let message = format!("{err:#}").replace('\n', " ");
                    let _ = writeln!(stderr, "commerce: {message}");
                }
            }
            ExitCode::from(1)
        }
    }
}

fn run_async(command: Command) -> anyhow::Result<()> {
    let verbose = matches!(command, Command::Serve(_) | Command::Worker(_));
    init_tracing(if verbose { "info" } else { "warn" });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| anyhow::anyhow!("cannot start the async runtime: {error}"))?;
    runtime.block_on(async move {
        match command {
            Command::Demo(args) => demo::run(args).await,
            Command::Serve(args) => serve::serve(args).await,
            Command::Worker(args) => serve::worker(args).await,
            Command::Migrate => serve::migrate().await,
            Command::RotateKeys(args) => rotate_keys::run(args).await,
            Command::Link(args) => link::run(args).await,
            Command::Sync(args) => sync::sync(args).await,
            Command::Status(args) => sync::status(args).await,
            Command::Unlink(args) => unlink::run(args).await,
            Command::Show(args) => show::run(args).await,
            Command::Sandbox(args) => sandbox::run(args).await,
            Command::Map(_) => Ok(()),
        }
    })
}

/// Logs to stderr, filtered by `RUST_LOG` (default: `default` for this binary's crates).
fn init_tracing(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
