//! Progress of a sync, fed from the engine's [`SyncEvent`]s: one `indicatif` bar per data type
//! on a terminal; one line per finished data type when stdout is not a terminal (logs, pipes).

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::time::Duration;

use commerce_model::DataType;
use commerce_store::DatasetStatus;
use commerce_sync::{IdleSummary, SyncEngine, SyncEvent};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::broadcast;
use uuid::Uuid;

/// How one dataset ended, as seen in the events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finished {
    pub(crate) connection_id: Uuid,
    pub(crate) data_type: DataType,
    pub(crate) status: DatasetStatus,
    pub(crate) records: u64,
    pub(crate) error_message: Option<String>,
}

struct Bar {
    bar: Option<ProgressBar>,
    records: u64,
}

/// Bars for the data types being synced.
pub(crate) struct SyncProgress {
    multi: Option<MultiProgress>,
    bars: BTreeMap<(Uuid, DataType), Bar>,
    /// Prefix bar labels with the connection (several connections at once).
    label_connections: bool,
    finished: Vec<Finished>,
}

impl SyncProgress {
    /// Bars for `expected` (connection, data type) pairs; others appear when they start.
    pub(crate) fn new(expected: &[(Uuid, DataType)]) -> SyncProgress {
        let tty = std::io::stdout().is_terminal();
        let multi = tty.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stdout()));
        let connections: std::collections::BTreeSet<Uuid> =
            expected.iter().map(|(connection, _)| *connection).collect();
        let mut progress = SyncProgress {
            multi,
            bars: BTreeMap::new(),
            label_connections: connections.len() > 1,
            finished: Vec::new(),
        };
        for (connection, data_type) in expected {
            progress.bar(*connection, *data_type);
        }
        progress
    }

    fn label(&self, connection: Uuid, data_type: DataType) -> String {
        if self.label_connections {
            format!(
                "{} {}",
                &connection.simple().to_string()[..8],
                data_type.key()
            )
        } else {
            data_type.key().to_owned()
        }
    }

    fn bar(&mut self, connection: Uuid, data_type: DataType) -> &mut Bar {
        let label = self.label(connection, data_type);
        let multi = self.multi.clone();
        self.bars
            .entry((connection, data_type))
            .or_insert_with(|| Bar {
                bar: multi.map(|multi| {
                    let bar = multi.add(ProgressBar::new_spinner());
                    bar.set_style(spinner_style());
                    bar.set_prefix(label);
                    bar.set_message("queued");
                    bar.enable_steady_tick(Duration::from_millis(120));
                    bar
                }),
                records: 0,
            })
    }

    /// Updates the bars with one event.
    pub(crate) fn handle(&mut self, event: &SyncEvent) {
        match event {
            SyncEvent::Started {
                connection_id,
                data_type,
                resumed,
                ..
            } => {
                let bar = self.bar(*connection_id, *data_type);
                if let Some(bar) = &bar.bar {
                    bar.set_message(if *resumed { "resuming" } else { "fetching" });
                }
            }
            SyncEvent::Page {
                connection_id,
                data_type,
                records,
                fetched,
                estimated_total,
                ..
            } => {
                let bar = self.bar(*connection_id, *data_type);
                bar.records = *records;
                if let Some(bar) = &bar.bar {
                    match estimated_total {
                        Some(total) if *total > 0 => {
                            if bar.length() != Some(*total) {
                                bar.set_style(bar_style());
                                bar.set_length(*total);
                            }
                            bar.set_position((*fetched).min(*total));
                        }
                        _ => bar.set_position(*records),
                    }
                    bar.set_message(format!("{records} records"));
                }
            }
            SyncEvent::Finished {
                connection_id,
                data_type,
                status,
                error_message,
                ..
            } => {
                let known = self.bars.contains_key(&(*connection_id, *data_type));
                if !known && *status == DatasetStatus::NotSupported {
                    return;
                }
                let label = self.label(*connection_id, *data_type);
                let bar = self.bar(*connection_id, *data_type);
                let records = bar.records;
                let line = finished_line(&label, *status, records, error_message.as_deref());
                match &bar.bar {
                    Some(bar) => {
                        bar.set_style(done_style());
                        bar.finish_with_message(line);
                    }
                    None => crate::say(&line),
                }
                self.finished.push(Finished {
                    connection_id: *connection_id,
                    data_type: *data_type,
                    status: *status,
                    records,
                    error_message: error_message.clone(),
                });
            }
            SyncEvent::Released { .. } => {}
            _ => {}
        }
    }

    /// Runs the engine's workers until no work is left, showing progress. Returns what
    /// finished, in the order it finished.
    pub(crate) async fn run_until_idle(
        mut self,
        engine: &SyncEngine,
        mut events: broadcast::Receiver<SyncEvent>,
    ) -> anyhow::Result<(IdleSummary, Vec<Finished>)> {
        let run = engine.run_until_idle();
        tokio::pin!(run);
        let summary = loop {
            tokio::select! {
                result = &mut run => break result?,
                event = events.recv() => match event {
                    Ok(event) => self.handle(&event),
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => break (&mut run).await?,
                },
            }
        };
        while let Ok(event) = events.try_recv() {
            self.handle(&event);
        }
        for bar in self.bars.values() {
            if let Some(bar) = &bar.bar {
                if !bar.is_finished() {
                    bar.finish_and_clear();
                }
            }
        }
        Ok((summary, self.finished))
    }
}

fn finished_line(label: &str, status: DatasetStatus, records: u64, error: Option<&str>) -> String {
    let mut line = format!("  {label:<28} {:<14} {records:>7} records", status.as_str());
    if let Some(error) = error {
        line.push_str(&format!("  ({error})"));
    }
    line
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("  {prefix:<28} {spinner} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("  {prefix:<28} [{bar:30}] {pos:>7}/{len:<7} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

fn done_style() -> ProgressStyle {
    ProgressStyle::with_template("{msg}").unwrap_or_else(|_| ProgressStyle::default_bar())
}
