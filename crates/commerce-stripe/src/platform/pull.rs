//! Pulling one data type of a connected account as a stream of mapped batches.
//!
//! Full pull (no cursor): each list of the data type is paged newest first with `limit=100` and
//! `starting_after`; every page is one batch whose cursor names the list and the last id read,
//! so a pull resumes after the last stored batch without re-reading anything before it on that
//! list (a resumed products pull reads its price lists from their top again, see below).
//! When a list's first page says there is more, every list but products is paged from there in
//! `created` segments at once, each resumed from its own last id (`segments`).
//! - payments: charges, then refunds, then payment intents (only those without a charge);
//! - products: each page of products, with every price (active and inactive) of each product.
//!   The prices are not read per product: beside the products list, the pull pages through
//!   `/v1/prices?active=true` and `/v1/prices?active=false` (Stripe lists only active prices
//!   unless asked for inactive ones), also newest first with `limit=100`, and reads each until
//!   its last price is older than the oldest product of the page (a price is created at or after
//!   its product), holding prices until their product's page comes: a few price pages per
//!   products page instead of two requests per product (see `price_walk` for the memory this
//!   takes and for resumed pulls, which read the price lists from their top again);
//! - company info: `/v1/account` and `/v1/balance`, one batch.
//!
//! Before its first page, a full pull of an event-driven type notes the newest event
//! (`/v1/events?limit=1`): changes after it are read by the next pull. The last batch's cursor is
//! incremental.
//!
//! Incremental (cursor from a complete pull):
//! - customers, disputes, payments, products: `/v1/events` with `types[]` for the data type and
//!   `created[gte]` the noted position (events already applied at that second are skipped). Pages
//!   come newest first; only the newest event of each object is applied (its copy of the object is
//!   its latest state), so the result is the same as applying them oldest first. A product is
//!   re-read with its prices (a price change needs the product, a product change its prices);
//!   `*.deleted` events delete. Records get `sourceModifiedDate` = the event's `created` unless
//!   the mapping sets one. Batches before the last keep the starting cursor; the last one moves
//!   it to the newest event read.
//! - transactions (no events): balance transactions with `created[gte]` the newest one seen.
//! - company info: the account and balance, read again.
//! - when the changes were last read completely more than 30 days ago (Stripe's event retention,
//!   less an hour), a full pull starts instead (batches say `incremental: false`).

use std::collections::HashSet;

use commerce_model::platform::{
    Batch, Cursor, LinkedAccount, PlatformError, Progress, RecordIssue,
};
use commerce_model::DataType;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde_json::Value;
use stripe_client::{ListParams, StripeClient};
use stripe_wire as stripe;
use stripe_wire::{Event, EventObject, HasId};

use super::api_key;
use super::changes::{decode, decode_object, Changes, ChargedIntent};
use super::cursor::{CursorState, Phase, Segment, Since, Stream};
use super::errors::from_stripe;
use super::price_walk::{PriceWalk, ProductPrices};
use super::segments::{self, Segments};
use super::{StripePlatform, EVENT_RETENTION_SECS, PRICE_CONCURRENCY, SUPPORTED_DATA_TYPES};

/// The event types whose objects change records of `data_type` (at most 20, Stripe's limit).
pub(crate) fn event_types(data_type: DataType) -> &'static [&'static str] {
    match data_type {
        DataType::Customers => &["customer.created", "customer.updated", "customer.deleted"],
        DataType::Disputes => &[
            "charge.dispute.created",
            "charge.dispute.updated",
            "charge.dispute.closed",
            "charge.dispute.funds_reinstated",
            "charge.dispute.funds_withdrawn",
        ],
        DataType::Payments => &[
            "charge.captured",
            "charge.expired",
            "charge.failed",
            "charge.pending",
            "charge.refunded",
            "charge.succeeded",
            "charge.updated",
            "charge.refund.updated",
            "refund.created",
            "refund.failed",
            "refund.updated",
            "payment_intent.amount_capturable_updated",
            "payment_intent.canceled",
            "payment_intent.created",
            "payment_intent.partially_funded",
            "payment_intent.payment_failed",
            "payment_intent.processing",
            "payment_intent.requires_action",
            "payment_intent.succeeded",
        ],
        DataType::Products => &[
            "product.created",
            "product.updated",
            "product.deleted",
            "price.created",
            "price.updated",
            "price.deleted",
        ],
        _ => &[],
    }
}

pub(crate) fn pull<'a>(
    platform: &'a StripePlatform,
    account: &'a LinkedAccount,
    data_type: DataType,
    cursor: Option<Cursor>,
) -> BoxStream<'a, Result<Batch, PlatformError>> {
    if !SUPPORTED_DATA_TYPES.contains(&data_type) {
        return stream::once(async move { Err(PlatformError::NotSupported { data_type }) }).boxed();
    }
    let puller = Puller {
        platform,
        account,
        account_id: &account.external_id,
        note: None,
        data_type,
        client: None,
        start: Some(cursor),
        state: None,
        run: None,
        prices: None,
        segments: None,
        account_created: None,
        fetched: 0,
        done: false,
    };
    stream::unfold(Some(puller), |puller| async move {
        let mut puller = puller?;
        match puller.next_batch().await {
            Ok(Some(batch)) => Some((Ok(batch), Some(puller))),
            Ok(None) => None,
            Err(error) => {
                let error = if api_key::is_api_key_account(puller.account) {
                    api_key::key_refused(error)
                } else {
                    error
                };
                Some((Err(error), None))
            }
        }
    })
    .boxed()
}

/// The progress of one incremental read.
#[derive(Debug)]
struct IncrementalRun {
    /// The cursor the read started from: batches before the last carry it.
    start: Cursor,
    /// The position read from.
    since: Option<Since>,
    /// The last event (or balance transaction) id read, for `starting_after`.
    after: Option<String>,
    /// The newest position read so far (the first item of the first page).
    newest: Option<Since>,
    /// Objects already applied in this read (a newer event won).
    seen: HashSet<String>,
    /// Local time the read started.
    started: i64,
}

struct Puller<'a> {
    platform: &'a StripePlatform,
    account: &'a LinkedAccount,
    account_id: &'a str,
    /// Why this pull is not what it would normally be (e.g. full instead of incremental).
    note: Option<String>,
    data_type: DataType,
    client: Option<StripeClient>,
    /// The cursor the pull was asked to start from, until the first batch.
    start: Option<Option<Cursor>>,
    /// Where the pull stands.
    state: Option<CursorState>,
    run: Option<IncrementalRun>,
    /// The price lists of a products backfill, from its first page this pull maps to its end.
    prices: Option<PriceWalk>,
    /// The segments of the list being backfilled, when it is paged in segments.
    segments: Option<Segments>,
    /// The account's creation time once read (`Some(None)`: unknown).
    account_created: Option<Option<i64>>,
    fetched: u64,
    done: bool,
}

impl Puller<'_> {
    async fn next_batch(&mut self) -> Result<Option<Batch>, PlatformError> {
        if self.done {
            return Ok(None);
        }
        if let Some(start) = self.start.take() {
            self.client = Some(if api_key::is_api_key_account(self.account) {
                api_key::client_for(&self.platform.client, self.account)?
            } else {
                crate::platform::app_oauth::account_client(&self.platform.client, self.account)?
            });
            self.state = Some(self.initial_state(start).await?);
        }
        let Some(mut state) = self.state.clone() else {
            return Ok(None);
        };
        if let Phase::Incremental { since, .. } = &state.phase {
            // A key without permission to read events cannot pull changes: full pulls instead.
            if self.run.is_none() && !event_types(self.data_type).is_empty() {
                if let Err(reason) = self.events_readable(since.as_ref()).await? {
                    self.note = Some(reason);
                    state = self.new_backfill().await?;
                    self.state = Some(state.clone());
                }
            }
        }
        match state.phase {
            Phase::Backfill {
                stream,
                since,
                segments,
                ..
            } if !segments.is_empty() => {
                self.segment_page(state.started, stream, since, segments)
                    .await
            }
            Phase::Backfill {
                stream,
                after,
                since,
                ..
            } => {
                self.backfill_page(state.started, stream, after, since)
                    .await
            }
            Phase::Incremental { since, .. } => self.incremental_page(state.started, since).await,
        }
        .map(Some)
    }

    /// Whether `/v1/events` can be read: `Err(reason)` when Stripe refuses for lack of a
    /// permission (a restricted key without `rak_event_read`).
    async fn events_readable(
        &self,
        since: Option<&Since>,
    ) -> Result<Result<(), String>, PlatformError> {
        let mut params = ListParams::new().limit(1);
        if let Some(since) = since {
            params = params.created_gte(since.created);
        }
        match self
            .client()?
            .list_page::<Value>("/v1/events", &params)
            .await
            .map_err(from_stripe)
        {
            Ok(_) => Ok(Ok(())),
            Err(PlatformError::PermissionDenied { message }) => Ok(Err(events_refused(&message))),
            Err(error) => Err(error),
        }
    }

    fn client(&self) -> Result<&StripeClient, PlatformError> {
        self.client.as_ref().ok_or_else(|| PlatformError::Internal {
            message: "pull used before it started".to_owned(),
            source: None,
        })
    }

    /// The state to start from: a new full pull, or the decoded cursor (a full pull too when an
    /// incremental cursor is older than Stripe keeps events).
    async fn initial_state(
        &mut self,
        cursor: Option<Cursor>,
    ) -> Result<CursorState, PlatformError> {
        let Some(cursor) = cursor else {
            return self.new_backfill().await;
        };
        let state = CursorState::decode(&cursor, self.data_type)
            .map_err(|reason| PlatformError::CursorExpired { reason })?;
        if let Phase::Incremental { checked, .. } = state.phase {
            let needs_events = !event_types(self.data_type).is_empty();
            let age = self.platform.now().saturating_sub(checked);
            if needs_events && age > EVENT_RETENTION_SECS - 3600 {
                tracing::info!(
                    account = self.account_id,
                    data_type = self.data_type.key(),
                    age_secs = age,
                    "incremental cursor older than stripe's event history: full pull"
                );
                return self.new_backfill().await;
            }
        }
        Ok(state)
    }

    /// A full pull from the first list, anchored on the newest event for event-driven types
    /// (none when the key may not read events: the next pull is a full one again).
    async fn new_backfill(&mut self) -> Result<CursorState, PlatformError> {
        let started = self.platform.now();
        let since = if event_types(self.data_type).is_empty() {
            None
        } else {
            match self
                .client()?
                .list_page::<Value>("/v1/events", &ListParams::new().limit(1))
                .await
                .map_err(from_stripe)
            {
                Ok(page) => page.data.first().and_then(|event| {
                    Some(Since {
                        created: event.get("created")?.as_i64()?,
                        skip: vec![event.id().to_owned()],
                    })
                }),
                Err(PlatformError::PermissionDenied { message }) => {
                    self.note = Some(events_refused(&message));
                    None
                }
                Err(error) => return Err(error),
            }
        };
        let first = Stream::for_data_type(self.data_type)
            .first()
            .copied()
            .ok_or(PlatformError::NotSupported {
                data_type: self.data_type,
            })?;
        Ok(CursorState::new(
            self.data_type,
            started,
            Phase::Backfill {
                stream: first,
                after: None,
                since,
                segments: Vec::new(),
            },
        ))
    }

    fn batch(
        &mut self,
        changes: Changes,
        cursor: CursorState,
        incremental: bool,
        complete: bool,
        fetched: usize,
    ) -> Batch {
        self.fetched += fetched as u64;
        self.done = complete;
        let encoded = cursor.encode();
        self.state = Some(cursor);
        Batch {
            data_type: self.data_type,
            records: changes.records,
            deleted_ids: changes.deleted_ids,
            issues: changes.issues,
            cursor: encoded,
            incremental,
            complete,
            progress: Progress {
                fetched: self.fetched,
                estimated_total: None,
            },
            note: self.note.clone(),
        }
    }

    async fn backfill_page(
        &mut self,
        started: i64,
        stream: Stream,
        after: Option<String>,
        mut since: Option<Since>,
    ) -> Result<Batch, PlatformError> {
        if stream == Stream::Account {
            let changes = self.company_info().await?;
            let next = CursorState::new(
                self.data_type,
                started,
                Phase::Incremental {
                    since: None,
                    checked: started,
                },
            );
            return Ok(self.batch(changes, next, false, true, 2));
        }
        let params = ListParams::new().with_cursor(after);
        let client = self.client()?;
        // A list's first page: the account's creation time (the lower end of its segments) is
        // read at the same time, in case the page says there is more.
        let (page, account_created) = if params.cursor().is_none()
            && self.segmented(stream)
            && self.account_created.is_none()
        {
            let (page, created) = futures::join!(
                client.list_page::<Value>(stream.path(), &params),
                self.read_account_created()
            );
            (page, Some(created))
        } else {
            (
                client.list_page::<Value>(stream.path(), &params).await,
                None,
            )
        };
        let page = page.map_err(from_stripe)?;
        if let Some(created) = account_created {
            self.account_created = Some(created);
        }
        let fetched = page.data.len();
        let created_times: Vec<i64> = page
            .data
            .iter()
            .filter_map(|value| value.get("created").and_then(Value::as_i64))
            .collect();
        if stream == Stream::BalanceTransactions && since.is_none() && params.cursor().is_none() {
            since = newest_position(&page.data, None);
        }
        let changes = if stream == Stream::Products {
            self.backfill_products(page.data, params.cursor().is_some())
                .await?
        } else {
            let mut changes = Changes::default();
            for value in page.data {
                match decode_object(stream, value) {
                    Ok(object) => changes.apply(&object, None, ChargedIntent::Skip),
                    Err(issue) => changes.issues.push(issue),
                }
            }
            changes
        };
        let more = page.has_more && fetched > 0;
        if !more && stream == Stream::Products {
            self.prices = None;
        }
        let (phase, complete) = if more {
            let first_page = params.cursor().is_none();
            let plan = match (&page.cursor, first_page) {
                (Some(last), true) if self.segmented(stream) => segments::plan(
                    &created_times,
                    last,
                    self.account_created.flatten(),
                    self.platform.backfill_segments,
                ),
                _ => Vec::new(),
            };
            if !plan.is_empty() {
                self.segments = Some(Segments::start(
                    stream,
                    self.client()?.clone(),
                    plan.clone(),
                ));
            }
            (
                Phase::Backfill {
                    stream,
                    after: if plan.is_empty() { page.cursor } else { None },
                    since,
                    segments: plan,
                },
                false,
            )
        } else {
            self.after_stream(started, stream, since)
        };
        let next = CursorState::new(self.data_type, started, phase);
        Ok(self.batch(changes, next, false, complete, fetched))
    }

    /// Where a backfill goes once `stream` is read to its end: the next list, or changes.
    fn after_stream(&self, started: i64, stream: Stream, since: Option<Since>) -> (Phase, bool) {
        match stream.next(self.data_type) {
            Some(next) => (
                Phase::Backfill {
                    stream: next,
                    after: None,
                    since,
                    segments: Vec::new(),
                },
                false,
            ),
            None => (
                Phase::Incremental {
                    since,
                    checked: started,
                },
                true,
            ),
        }
    }

    /// Whether a list's backfill is split into segments.
    fn segmented(&self, stream: Stream) -> bool {
        self.platform.backfill_segments > 1 && segments::segmentable(stream)
    }

    /// The account's creation time (`/v1/account`), the lower end of the segments; `None` when
    /// it cannot be read (the lowest segment is open downwards anyway).
    async fn read_account_created(&self) -> Option<i64> {
        let client = self.client().ok()?;
        match client.get::<Value>("/v1/account", &[]).await {
            Ok(account) => account.get("created").and_then(Value::as_i64),
            Err(error) => {
                tracing::debug!(
                    account = self.account_id,
                    error = %error,
                    "account creation time unknown: one segment below the first page"
                );
                None
            }
        }
    }

    /// The next page of a list paged in segments (see `segments`), with a cursor holding every
    /// segment not finished.
    async fn segment_page(
        &mut self,
        started: i64,
        stream: Stream,
        since: Option<Since>,
        remaining: Vec<Segment>,
    ) -> Result<Batch, PlatformError> {
        if self
            .segments
            .as_ref()
            .is_none_or(|run| run.stream() != stream)
        {
            self.segments = Some(Segments::start(stream, self.client()?.clone(), remaining));
        }
        let Some(run) = self.segments.as_mut() else {
            return Err(PlatformError::Internal {
                message: "segments missing".to_owned(),
                source: None,
            });
        };
        let Some((index, page)) = run.next().await? else {
            return Err(PlatformError::Internal {
                message: format!("the segments of {stream:?} ended with segments left"),
                source: None,
            });
        };
        run.commit(index, &page);
        let left = run.remaining();
        let (phase, complete) = if left.is_empty() {
            self.segments = None;
            self.after_stream(started, stream, since)
        } else {
            (
                Phase::Backfill {
                    stream,
                    after: None,
                    since,
                    segments: left,
                },
                false,
            )
        };
        let next = CursorState::new(self.data_type, started, phase);
        Ok(self.batch(page.changes, next, false, complete, page.fetched))
    }

    /// Company info from the account and its balance.
    async fn company_info(&self) -> Result<Changes, PlatformError> {
        let client = self.client()?;
        let (account, balance) = futures::try_join!(
            client.get::<Value>("/v1/account", &[]),
            client.get::<Value>("/v1/balance", &[]),
        )
        .map_err(from_stripe)?;
        let mut changes = Changes::default();
        let account: Result<stripe::Account, RecordIssue> = decode("account", account);
        let balance: Result<stripe::Balance, RecordIssue> = decode("balance", balance);
        match (account, balance) {
            (Ok(account), Ok(balance)) => changes.company_info(&account, &balance),
            (Err(issue), _) | (_, Err(issue)) => changes.issues.push(issue),
        }
        Ok(changes)
    }

    /// Maps a page of the products list, each product with the prices the price walk read for
    /// it. `resumed`: the page was asked for after a cursor, so a walk starting here may meet
    /// prices of products stored before it (see `price_walk`).
    async fn backfill_products(
        &mut self,
        values: Vec<Value>,
        resumed: bool,
    ) -> Result<Changes, PlatformError> {
        let mut changes = Changes::default();
        let mut typed = Vec::with_capacity(values.len());
        // Products the page names but does not map: their held prices are dropped.
        let mut unmapped = Vec::new();
        for value in values {
            let id = value.id().to_owned();
            match decode::<stripe::Product>("product", value) {
                Ok(product) if product.deleted => {
                    unmapped.push(id);
                    changes.deleted_ids.push(product.id);
                }
                Ok(product) => typed.push(product),
                Err(issue) => {
                    unmapped.push(id);
                    changes.issues.push(issue);
                }
            }
        }
        let created = || typed.iter().map(|product| product.created);
        let (Some(oldest), Some(newest)) = (created().min(), created().max()) else {
            return Ok(changes);
        };
        let mut walk = self
            .prices
            .take()
            .unwrap_or_else(|| PriceWalk::new(resumed.then_some(newest)));
        walk.read_until_before(self.client()?, oldest, &mut changes)
            .await?;
        for id in &unmapped {
            walk.take(id);
        }
        let planned: Vec<(stripe::Product, ProductPrices, Option<i64>)> = typed
            .into_iter()
            .map(|product| {
                let prices = walk.take(&product.id);
                (product, prices, None)
            })
            .collect();
        self.prices = Some(walk);
        changes.extend(map_products(self.client()?, planned).await?);
        Ok(changes)
    }

    /// Maps products (event copies or products read again), each with all of its prices read
    /// per product. The time beside each is the event's `created`.
    async fn products(
        &self,
        products: Vec<(Value, Option<i64>)>,
    ) -> Result<Changes, PlatformError> {
        let client = self.client()?;
        let mut changes = Changes::default();
        let mut typed = Vec::with_capacity(products.len());
        for (value, modified) in products {
            match decode::<stripe::Product>("product", value) {
                Ok(product) if product.deleted => changes.deleted_ids.push(product.id),
                Ok(product) => typed.push((product, modified)),
                Err(issue) => changes.issues.push(issue),
            }
        }
        let planned = typed
            .into_iter()
            .map(|(product, modified)| (product, ProductPrices::ReadPerProduct, modified))
            .collect();
        changes.extend(map_products(client, planned).await?);
        Ok(changes)
    }

    async fn incremental_page(
        &mut self,
        started: i64,
        since: Option<Since>,
    ) -> Result<Batch, PlatformError> {
        if self.data_type == DataType::CompanyInfo {
            let changes = self.company_info().await?;
            let next = CursorState::new(
                self.data_type,
                started,
                Phase::Incremental {
                    since: None,
                    checked: self.platform.now(),
                },
            );
            return Ok(self.batch(changes, next, true, true, 2));
        }
        let mut run = match self.run.take() {
            Some(run) => run,
            None => IncrementalRun {
                start: self
                    .state
                    .as_ref()
                    .map(CursorState::encode)
                    .unwrap_or_else(|| Cursor::new(String::new())),
                since: since.clone(),
                after: None,
                newest: None,
                seen: HashSet::new(),
                started: self.platform.now(),
            },
        };
        let skip: HashSet<&str> = run
            .since
            .iter()
            .flat_map(|since| since.skip.iter().map(String::as_str))
            .collect();
        let mut params = ListParams::new().with_cursor(run.after.clone());
        if let Some(since) = &run.since {
            params = params.created_gte(since.created);
        }
        let (path, types) = if self.data_type == DataType::Transactions {
            ("/v1/balance_transactions", &[][..])
        } else {
            ("/v1/events", event_types(self.data_type))
        };
        for event_type in types {
            params = params.filter("types[]", *event_type);
        }
        let page = self
            .client()?
            .list_page::<Value>(path, &params)
            .await
            .map_err(from_stripe)?;
        let fetched = page.data.len();
        if run.newest.is_none() {
            run.newest = newest_position(&page.data, run.since.as_ref());
        } else if let Some(newest) = run.newest.as_mut() {
            // Items of the newest second can run over a page boundary.
            for value in &page.data {
                let id = value.id();
                if value.get("created").and_then(Value::as_i64) == Some(newest.created)
                    && !newest.skip.iter().any(|known| known == id)
                {
                    newest.skip.push(id.to_owned());
                }
            }
        }
        let fresh: Vec<Value> = page
            .data
            .into_iter()
            .filter(|value| !skip.contains(value.id()))
            .collect();
        let changes = if self.data_type == DataType::Transactions {
            let mut changes = Changes::default();
            for value in fresh {
                match decode_object(Stream::BalanceTransactions, value) {
                    Ok(object) => changes.apply(&object, None, ChargedIntent::Skip),
                    Err(issue) => changes.issues.push(issue),
                }
            }
            changes
        } else {
            self.apply_events(fresh, &mut run.seen).await?
        };
        let more = page.has_more && fetched > 0;
        if more {
            run.after = page.cursor;
            let start = run.start.clone();
            self.run = Some(run);
            self.fetched += fetched as u64;
            return Ok(Batch {
                data_type: self.data_type,
                records: changes.records,
                deleted_ids: changes.deleted_ids,
                issues: changes.issues,
                cursor: start,
                incremental: true,
                complete: false,
                progress: Progress {
                    fetched: self.fetched,
                    estimated_total: None,
                },
                note: self.note.clone(),
            });
        }
        let next = CursorState::new(
            self.data_type,
            started,
            Phase::Incremental {
                since: run.newest.or(run.since),
                checked: run.started,
            },
        );
        Ok(self.batch(changes, next, true, true, fetched))
    }

    /// Applies a page of events (newest first), each object's newest event only.
    async fn apply_events(
        &self,
        events: Vec<Value>,
        seen: &mut HashSet<String>,
    ) -> Result<Changes, PlatformError> {
        let mut changes = Changes::default();
        // Products to read again with their prices: (product id, the event's copy, event time).
        let mut products: Vec<(String, Option<Value>, i64)> = Vec::new();
        for value in events {
            let raw_object = value.pointer("/data/object").cloned();
            let event: Event = match decode("event", value) {
                Ok(event) => event,
                Err(issue) => {
                    changes.issues.push(issue);
                    continue;
                }
            };
            let object = &event.data.object;
            let key = match object {
                EventObject::Price(price) => price.product.id().to_owned(),
                // A deleted price names no product; the product's next change reads it again.
                EventObject::Deleted(deleted) if deleted.object == "price" => continue,
                other => other.id().to_owned(),
            };
            if key.is_empty() || !seen.insert(key.clone()) {
                continue;
            }
            match object {
                EventObject::Price(_) => products.push((key, None, event.created)),
                _ if event.event_type.ends_with(".deleted") => changes.deleted_ids.push(key),
                EventObject::Product(_) => products.push((key, raw_object, event.created)),
                _ => changes.apply_event(&event, ChargedIntent::Delete),
            }
        }
        if !products.is_empty() {
            let client = self.client()?;
            let reads: Vec<(Value, Option<i64>)> = stream::iter(products)
                .map(|(id, copy, created)| async move {
                    let product = match copy {
                        Some(copy) => copy,
                        None => match client
                            .get::<Value>(&format!("/v1/products/{id}"), &[])
                            .await
                        {
                            Ok(product) => product,
                            Err(error) if error.is_not_found() => serde_json::json!({
                                "id": id, "object": "product", "deleted": true
                            }),
                            Err(error) => return Err(from_stripe(error)),
                        },
                    };
                    Ok::<_, PlatformError>((product, Some(created)))
                })
                .buffered(PRICE_CONCURRENCY)
                .try_collect()
                .await?;
            changes.extend(self.products(reads).await?);
        }
        Ok(changes)
    }
}

/// The position of the newest item of a newest-first page: its `created`, and the ids at that
/// second (plus `previous`' skip list when it is the same second).
fn newest_position(page: &[Value], previous: Option<&Since>) -> Option<Since> {
    let created = page.first()?.get("created")?.as_i64()?;
    let mut skip: Vec<String> = page
        .iter()
        .take_while(|value| value.get("created").and_then(Value::as_i64) == Some(created))
        .map(|value| value.id().to_owned())
        .collect();
    if let Some(previous) = previous {
        if previous.created == created {
            for id in &previous.skip {
                if !skip.contains(id) {
                    skip.push(id.clone());
                }
            }
        }
    }
    Some(Since { created, skip })
}

/// Maps products with their prices (reading them per product where planned so, up to
/// `PRICE_CONCURRENCY` at a time), in order; the time beside each is an event's `created`.
async fn map_products(
    client: &StripeClient,
    planned: Vec<(stripe::Product, ProductPrices, Option<i64>)>,
) -> Result<Changes, PlatformError> {
    let mapped: Vec<Changes> = stream::iter(planned)
        .map(|(product, prices, modified)| async move {
            let prices = match prices {
                ProductPrices::Read(prices) => Ok(prices),
                ProductPrices::Unreadable(issue) => Err(issue),
                ProductPrices::ReadPerProduct => product_prices(client, &product.id).await?,
            };
            Ok::<_, PlatformError>(product_changes(&product, prices, modified))
        })
        .buffered(PRICE_CONCURRENCY)
        .try_collect()
        .await?;
    let mut changes = Changes::default();
    for product in mapped {
        changes.extend(product);
    }
    Ok(changes)
}

/// A product's record with its prices, or its issue when one of its prices did not decode.
fn product_changes(
    product: &stripe::Product,
    prices: Result<Vec<stripe::Price>, RecordIssue>,
    modified: Option<i64>,
) -> Changes {
    let mut changes = Changes::default();
    match prices {
        Ok(prices) => changes.product(product, &prices, modified),
        Err(issue) => changes.issue(
            &product.id,
            format!("product {}: {}", product.id, issue.message),
        ),
    }
    changes
}

/// Every price of a product, active and inactive (Stripe lists only active ones unless asked
/// for `active=false`). A price that does not decode is returned as the issue.
async fn product_prices(
    client: &StripeClient,
    product: &str,
) -> Result<Result<Vec<stripe::Price>, RecordIssue>, PlatformError> {
    let mut prices = Vec::new();
    for active in ["true", "false"] {
        let params = ListParams::new()
            .filter("product", product)
            .filter("active", active);
        let values: Vec<Value> = client
            .list_objects::<Value>("/v1/prices", params)
            .try_collect()
            .await
            .map_err(from_stripe)?;
        for value in values {
            match decode::<stripe::Price>("price", value) {
                Ok(price) => prices.push(price),
                Err(issue) => return Ok(Err(issue)),
            }
        }
    }
    Ok(Ok(prices))
}

/// The status description of a pull that could not read `/v1/events`.
fn events_refused(message: &str) -> String {
    let permission = api_key::missing_permission(message).unwrap_or("rak_event_read");
    format!(
        "full pull instead of an incremental one: the key may not read events (Stripe says the '{permission}' permission is missing)"
    )
}
