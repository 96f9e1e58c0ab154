//! A deterministic in-test platform: pages of records per data type and account, a change feed
//! for incremental pulls, injectable errors, and a log of every page served.
//!
//! Cursors: `full:N` after page N of a full pull, `inc:V` at change-feed position V.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use commerce_model::platform::{
    Batch, Cursor, LinkCallback, LinkRequest, LinkStart, LinkedAccount, Platform, PlatformError,
    PlatformInfo, PlatformKey, Progress, Record, RecordIssue, RetryKind,
};
use commerce_model::DataType;
use futures::stream::BoxStream;
use futures::StreamExt as _;
use serde_json::{json, Value};

/// An error to inject when a page is requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    RateLimited,
    Unavailable,
    Relink,
    PermissionDenied,
    Internal,
    /// A `BadRecord` error item before the page (the stream goes on).
    BadRecord,
    /// The page carries a `RecordIssue` in `Batch::issues` as well as its records.
    IssueInBatch,
    /// The request never answers (a stalled process).
    Hang,
    /// The access token expired: the engine must refresh the credentials.
    AccessExpired,
}

#[derive(Debug, Clone)]
enum Change {
    Upsert(Value),
    Delete(String),
}

#[derive(Default)]
struct Data {
    /// Live records by id, per (account, data type).
    live: BTreeMap<(String, DataType), BTreeMap<String, Value>>,
    /// Change feed per (account, data type).
    changes: BTreeMap<(String, DataType), Vec<Change>>,
    /// Faults by (account or "*", data type, page number within a pull), consumed when hit.
    faults: Vec<(String, DataType, usize, Fault)>,
    /// Whether `inc:` cursors are refused as too old.
    cursors_expired: bool,
}

/// One page the platform served (or an error it returned), in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub account: String,
    pub data_type: DataType,
    /// The cursor the pull started from.
    pub pull_cursor: Option<String>,
    /// `full:N` or `inc:A-B` for pages, `error:<fault>` for errors.
    pub what: String,
}

pub struct FakePlatform {
    info: PlatformInfo,
    page_size: usize,
    page_delay: Duration,
    data: Mutex<Data>,
    log: Mutex<Vec<Served>>,
    /// Where to append the log too (one tab-separated line per entry), for worker processes.
    log_file: Option<std::path::PathBuf>,
    /// `Some(refreshes so far)` when the platform can refresh credentials.
    refreshes: Mutex<Option<u32>>,
    /// The access token of every pull, in order.
    tokens: Mutex<Vec<String>>,
}

pub const SUPPORTED: [DataType; 3] = [DataType::Customers, DataType::Payments, DataType::Products];

pub fn record(data_type: DataType, id: &str, version: u32) -> Value {
    json!({ "id": id, "name": format!("{} {id}", data_type.key()), "version": version })
}

impl FakePlatform {
    pub fn new(page_size: usize) -> Self {
        Self {
            info: PlatformInfo::new(
                PlatformKey::from_static("fake"),
                PlatformKey::from_static("fakx"),
                "Fake",
                "fake",
            )
            .supports(&SUPPORTED),
            page_size,
            page_delay: Duration::ZERO,
            data: Mutex::new(Data::default()),
            log: Mutex::new(Vec::new()),
            log_file: None,
            refreshes: Mutex::new(None),
            tokens: Mutex::new(Vec::new()),
        }
    }

    pub fn with_supports(mut self, supports: &[DataType]) -> Self {
        self.info = self.info.supports(supports);
        self
    }

    #[allow(dead_code)] // used by the sync_worker example
    pub fn with_log_file(mut self, path: std::path::PathBuf) -> Self {
        self.log_file = Some(path);
        self
    }

    pub fn with_page_delay(mut self, delay: Duration) -> Self {
        self.page_delay = delay;
        self
    }

    /// Seeds `count` records `<prefix>-<i>` of a data type for an account.
    pub fn seed(&self, account: &str, data_type: DataType, count: usize) {
        let mut data = self.data.lock().unwrap();
        let live = data
            .live
            .entry((account.to_owned(), data_type))
            .or_default();
        for i in 0..count {
            let id = format!("{}-{i:04}", data_type.key());
            live.insert(id.clone(), record(data_type, &id, 1));
        }
    }

    /// Creates or changes a record (and logs it in the change feed).
    pub fn upsert(&self, account: &str, data_type: DataType, json: Value) {
        let mut data = self.data.lock().unwrap();
        let id = json["id"].as_str().unwrap().to_owned();
        data.live
            .entry((account.to_owned(), data_type))
            .or_default()
            .insert(id, json.clone());
        data.changes
            .entry((account.to_owned(), data_type))
            .or_default()
            .push(Change::Upsert(json));
    }

    pub fn delete(&self, account: &str, data_type: DataType, id: &str) {
        let mut data = self.data.lock().unwrap();
        data.live
            .entry((account.to_owned(), data_type))
            .or_default()
            .remove(id);
        data.changes
            .entry((account.to_owned(), data_type))
            .or_default()
            .push(Change::Delete(id.to_owned()));
    }

    /// Deletes a record without any change-feed entry (as if its deletion event had fallen
    /// out of the feed's retention): only a full pull can notice.
    pub fn delete_unrecorded(&self, account: &str, data_type: DataType, id: &str) {
        let mut data = self.data.lock().unwrap();
        data.live
            .entry((account.to_owned(), data_type))
            .or_default()
            .remove(id);
    }

    /// Injects `fault` when page `page` (from 1, within one pull) of `data_type` is requested.
    pub fn fault(&self, data_type: DataType, page: usize, fault: Fault) {
        self.data
            .lock()
            .unwrap()
            .faults
            .push(("*".to_owned(), data_type, page, fault));
    }

    pub fn expire_cursors(&self, expired: bool) {
        self.data.lock().unwrap().cursors_expired = expired;
    }

    /// The live records of an account's data type, by id.
    pub fn live(&self, account: &str, data_type: DataType) -> BTreeMap<String, Value> {
        self.data
            .lock()
            .unwrap()
            .live
            .get(&(account.to_owned(), data_type))
            .cloned()
            .unwrap_or_default()
    }

    /// Lets the platform refresh credentials: each refresh returns the account with the access
    /// token `refreshed-N`.
    pub fn with_refresh(self) -> Self {
        *self.refreshes.lock().unwrap() = Some(0);
        self
    }

    /// Refreshes so far (`None` when the platform cannot refresh).
    pub fn refreshes(&self) -> Option<u32> {
        *self.refreshes.lock().unwrap()
    }

    /// The access token each pull was given, in order.
    pub fn tokens(&self) -> Vec<String> {
        self.tokens.lock().unwrap().clone()
    }

    pub fn log(&self) -> Vec<Served> {
        self.log.lock().unwrap().clone()
    }

    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear();
    }

    fn take_fault(&self, account: &str, data_type: DataType, page: usize) -> Option<Fault> {
        let mut data = self.data.lock().unwrap();
        let index = data.faults.iter().position(|(who, dt, p, _)| {
            (who == "*" || who == account) && *dt == data_type && *p == page
        })?;
        Some(data.faults.remove(index).3)
    }

    fn note(&self, account: &str, data_type: DataType, pull_cursor: &Option<String>, what: String) {
        if let Some(path) = &self.log_file {
            use std::io::Write as _;
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .unwrap();
            let line = format!(
                "{account}\t{}\t{}\t{what}\n",
                data_type.key(),
                pull_cursor.as_deref().unwrap_or("-")
            );
            file.write_all(line.as_bytes()).unwrap();
            file.sync_data().unwrap();
        }
        self.log.lock().unwrap().push(Served {
            account: account.to_owned(),
            data_type,
            pull_cursor: pull_cursor.clone(),
            what,
        });
    }

    /// The next item of a pull, or `None` at its end.
    async fn step(
        &self,
        account: &str,
        data_type: DataType,
        pull_cursor: &Option<String>,
        state: &mut PullState,
    ) -> Option<Result<Batch, PlatformError>> {
        if state.done {
            return None;
        }
        if !self.page_delay.is_zero() {
            tokio::time::sleep(self.page_delay).await;
        }
        state.page_in_pull += 1;
        if let Some(fault) = self.take_fault(account, data_type, state.page_in_pull) {
            let error = match fault {
                Fault::Hang => {
                    self.note(account, data_type, pull_cursor, "error:Hang".to_owned());
                    return std::future::pending().await;
                }
                Fault::IssueInBatch => None,
                Fault::BadRecord => {
                    self.note(
                        account,
                        data_type,
                        pull_cursor,
                        "error:BadRecord".to_owned(),
                    );
                    // The stream goes on: the same page is served next.
                    state.page_in_pull -= 1;
                    return Some(Err(PlatformError::BadRecord {
                        id: Some(format!("bad-{}", state.page_in_pull + 1)),
                        message: "missing field `currency`".to_owned(),
                    }));
                }
                Fault::RateLimited => Some(PlatformError::RetryLater {
                    kind: RetryKind::RateLimited,
                    retry_after: None,
                    message: "429 after retries".to_owned(),
                    source: None,
                }),
                Fault::Unavailable => Some(PlatformError::RetryLater {
                    kind: RetryKind::Unavailable,
                    retry_after: None,
                    message: "503 after retries".to_owned(),
                    source: None,
                }),
                Fault::Relink => Some(PlatformError::RelinkNeeded {
                    reason: "access revoked".to_owned(),
                }),
                Fault::PermissionDenied => Some(PlatformError::PermissionDenied {
                    message: "no read access".to_owned(),
                }),
                Fault::Internal => Some(PlatformError::Internal {
                    message: "unexpected answer".to_owned(),
                    source: None,
                }),
                Fault::AccessExpired => Some(PlatformError::AccessExpired {
                    reason: "token expired".to_owned(),
                }),
            };
            if let Some(error) = error {
                self.note(account, data_type, pull_cursor, format!("error:{fault:?}"));
                state.done = true;
                return Some(Err(error));
            }
            state.issue_next = true;
        }
        let data = self.data.lock().unwrap();
        let key = (account.to_owned(), data_type);
        let feed_len = data.changes.get(&key).map_or(0, Vec::len);
        let mut batch = Batch {
            data_type,
            records: Vec::new(),
            deleted_ids: Vec::new(),
            issues: Vec::new(),
            cursor: Cursor::new(""),
            incremental: false,
            complete: false,
            progress: Progress::default(),
            note: None,
        };
        let what;
        match &mut state.position {
            Position::Full { next_page } => {
                let live: Vec<&Value> = data
                    .live
                    .get(&key)
                    .map(|m| m.values().collect())
                    .unwrap_or_default();
                let start = (*next_page - 1) * self.page_size;
                let end = (start + self.page_size).min(live.len());
                for json in &live[start.min(live.len())..end] {
                    batch.records.push(to_record(data_type, json));
                }
                batch.complete = end >= live.len();
                batch.cursor = if batch.complete {
                    Cursor::new(format!("inc:{feed_len}"))
                } else {
                    Cursor::new(format!("full:{next_page}"))
                };
                batch.progress = Progress {
                    fetched: end as u64,
                    estimated_total: Some(live.len() as u64),
                };
                what = format!("full:{next_page}");
                *next_page += 1;
            }
            Position::Incremental { from } => {
                let feed = data.changes.get(&key).cloned().unwrap_or_default();
                let end = (*from + self.page_size).min(feed.len());
                for change in &feed[(*from).min(feed.len())..end] {
                    match change {
                        Change::Upsert(json) => batch.records.push(to_record(data_type, json)),
                        Change::Delete(id) => batch.deleted_ids.push(id.clone()),
                    }
                }
                batch.incremental = true;
                batch.complete = end >= feed.len();
                batch.cursor = Cursor::new(format!("inc:{end}"));
                batch.progress = Progress {
                    fetched: (end - *from) as u64,
                    estimated_total: None,
                };
                what = format!("inc:{from}-{end}");
                *from = end;
            }
        }
        if std::mem::take(&mut state.issue_next) {
            batch.issues.push(RecordIssue {
                id: Some(format!("issue-{}", state.page_in_pull)),
                message: "unknown status".to_owned(),
            });
        }
        drop(data);
        self.note(account, data_type, pull_cursor, what);
        state.done = batch.complete;
        Some(Ok(batch))
    }
}

fn to_record(data_type: DataType, json: &Value) -> Record {
    Record {
        id: json["id"].as_str().unwrap().to_owned(),
        data_type,
        json: json.clone(),
        source_modified_date: None,
    }
}

enum Position {
    Full { next_page: usize },
    Incremental { from: usize },
}

struct PullState {
    position: Position,
    page_in_pull: usize,
    done: bool,
    issue_next: bool,
}

#[async_trait]
impl Platform for FakePlatform {
    fn info(&self) -> &PlatformInfo {
        &self.info
    }

    async fn begin_link(&self, _request: LinkRequest) -> Result<LinkStart, PlatformError> {
        Err(PlatformError::Unsupported { what: "linking" })
    }

    async fn complete_link(&self, _callback: LinkCallback) -> Result<LinkedAccount, PlatformError> {
        Err(PlatformError::Unsupported { what: "linking" })
    }

    async fn refresh_credentials(
        &self,
        account: &LinkedAccount,
    ) -> Result<LinkedAccount, PlatformError> {
        let mut refreshes = self.refreshes.lock().unwrap();
        let Some(count) = refreshes.as_mut() else {
            return Err(PlatformError::Unsupported {
                what: "credential refresh",
            });
        };
        *count += 1;
        let mut refreshed = account.clone();
        refreshed.access_token = Some(secrecy::SecretString::from(format!("refreshed-{count}")));
        Ok(refreshed)
    }

    async fn unlink(&self, _account: &LinkedAccount) -> Result<(), PlatformError> {
        Ok(())
    }

    fn pull<'a>(
        &'a self,
        account: &'a LinkedAccount,
        data_type: DataType,
        cursor: Option<Cursor>,
    ) -> BoxStream<'a, Result<Batch, PlatformError>> {
        self.tokens.lock().unwrap().push(
            account
                .access_token
                .as_ref()
                .map(|token| secrecy::ExposeSecret::expose_secret(token).to_owned())
                .unwrap_or_default(),
        );
        let pull_cursor = cursor.map(|cursor| cursor.as_str().to_owned());
        let position = match pull_cursor.as_deref() {
            None => Position::Full { next_page: 1 },
            Some(text) if text.starts_with("full:") => Position::Full {
                next_page: text[5..].parse::<usize>().unwrap() + 1,
            },
            Some(text) => {
                if self.data.lock().unwrap().cursors_expired {
                    self.note(
                        &account.external_id,
                        data_type,
                        &pull_cursor,
                        "error:CursorExpired".to_owned(),
                    );
                    return futures::stream::once(async {
                        Err(PlatformError::CursorExpired {
                            reason: "older than 30 days".to_owned(),
                        })
                    })
                    .boxed();
                }
                Position::Incremental {
                    from: text[4..].parse().unwrap(),
                }
            }
        };
        let state = PullState {
            position,
            page_in_pull: 0,
            done: false,
            issue_next: false,
        };
        futures::stream::unfold(state, move |mut state| {
            let pull_cursor = pull_cursor.clone();
            async move {
                let item = self
                    .step(&account.external_id, data_type, &pull_cursor, &mut state)
                    .await?;
                Some((item, state))
            }
        })
        .boxed()
    }
}
