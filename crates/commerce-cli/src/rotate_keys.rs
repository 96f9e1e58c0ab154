//! `commerce rotate-keys`: re-seals every stored secret (connection credentials, webhook
//! consumer secrets, pending link states) under the newest encryption key, in batches, safely
//! while `serve` and `worker` processes run. See docs/operations.md, "The encryption key".

use anyhow::Context as _;
use clap::Args;
use commerce_store::{KeyRotationReport, DEFAULT_ROTATION_BATCH};

use crate::config::{self, Needs};
use crate::say;

/// `commerce rotate-keys` arguments.
#[derive(Debug, Args)]
pub(crate) struct RotateKeysArgs {
    /// Rows re-sealed per transaction (each batch locks only its rows, briefly).
    #[arg(long, value_name = "ROWS", default_value_t = DEFAULT_ROTATION_BATCH,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    batch_size: u32,
    /// Only count the stored secrets by the key that sealed them; change nothing.
    #[arg(long)]
    check: bool,
}

/// Runs the rotation (or the check) and prints what it found. Fails (exit code 1) while some
/// stored secret still needs a key other than the newest, so that a script removes the old key
/// only after a clean run.
pub(crate) async fn run(args: RotateKeysArgs) -> anyhow::Result<()> {
    let config = config::load(Needs::Store)?;
    let store = config::open_store(&config).await?;
    let ids: Vec<String> = config
        .encryption_keys
        .ids()
        .iter()
        .map(ToString::to_string)
        .collect();
    say(&format!(
        "encryption keys configured, newest first: {}",
        ids.join(", ")
    ));
    let result = rotate(&store, &args).await;
    store.close().await;
    let remaining = result?;
    if remaining.not_newest() > 0 || !remaining.unreadable.is_empty() {
        anyhow::bail!(
            "{} stored secret(s) are still sealed by a key other than the newest ({}); keep the \
             older keys configured{}",
            remaining.not_newest(),
            by_key(&remaining),
            if args.check {
                " and run `commerce rotate-keys`"
            } else {
                ", make sure every process runs with the new key list, and run it again"
            }
        );
    }
    say(&format!(
        "every stored secret is sealed by the newest key {}: older keys can be removed from \
         COMMERCE_ENCRYPTION_KEYS",
        remaining.newest
    ));
    Ok(())
}

/// Rotates (unless checking), then counts what is stored now.
async fn rotate(
    store: &commerce_store::Store,
    args: &RotateKeysArgs,
) -> anyhow::Result<KeyRotationReport> {
    if !args.check {
        let report = store
            .rotate_encryption_keys(args.batch_size)
            .await
            .context("rotating the encryption key")?;
        say(&format!(
            "found {} stored secret(s) ({}); re-sealed {} under {} in {} batch(es)",
            report.sealed_by.values().sum::<u64>(),
            by_key(&report),
            report.resealed,
            report.newest,
            report.batches
        ));
        for line in &report.unreadable {
            say(&format!("not re-sealed: {line}"));
        }
    }
    let now = store
        .sealed_values()
        .await
        .context("counting the stored secrets by key")?;
    say(&format!(
        "now: {} stored secret(s) ({})",
        now.sealed_by.values().sum::<u64>(),
        by_key(&now)
    ));
    if args.check {
        for line in &now.unreadable {
            say(&format!("unreadable: {line}"));
        }
    }
    Ok(now)
}

/// `3 by key 0123..., 2 by key abcd...` (or `none`).
fn by_key(report: &KeyRotationReport) -> String {
    if report.sealed_by.is_empty() {
        return "none".to_owned();
    }
    report
        .sealed_by
        .iter()
        .map(|(key, count)| format!("{count} by key {key}"))
        .collect::<Vec<_>>()
        .join(", ")
}
