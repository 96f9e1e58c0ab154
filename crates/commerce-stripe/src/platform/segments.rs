//! Segmented backfills: a long list is paged as several `created` ranges at once.
//!
//! A Stripe list page takes hundreds of milliseconds to answer, so one cursor per list makes a
//! few requests per second, far below an account's limit. Like Stripe's own sync engine, a full
//! pull splits a list into `created` segments and pages them concurrently (the client's rate
//! budgets and concurrency cap still apply to every request):
//!
//! - The first page of the list is read as before (newest first, no filter). If it says
//!   `has_more`, its oldest `created` (`t`) splits the list: the top segment is `created >= t`,
//!   continued after the page's last id (it still holds the objects created at `t` the page did
//!   not reach); the rest, `created < t`, is split evenly between the account's creation time
//!   (`/v1/account`'s `created`) and `t`, the lowest segment open downwards. How many segments:
//!   about one per [`PAGES_PER_SEGMENT`] pages, estimated from the time the first page spans, at
//!   most the platform's setting (`StripePlatform::with_backfill_segments`).
//! - Segments are half-open ranges sharing their bounds (`created[gte]` / `created[lt]`), so
//!   every object is in exactly one, including objects created in the second of a bound.
//! - The bounds are kept in the cursor with each segment's own `starting_after`; a segment
//!   that is finished leaves the cursor. A resumed pull continues every segment where its last
//!   stored page ended.
//! - Each segment has at most one request in flight and one page fetched ahead; pages are
//!   requested and mapped on tasks of their own (both cores), and handed to the engine one at a
//!   time, in the order they arrived, each with the cursor of the pages handed out so far.
//!
//! Products are not segmented: their price walk reads the price lists alongside one newest-first
//! products sequence (`price_walk`).

use std::collections::VecDeque;

use commerce_model::platform::PlatformError;
use serde_json::Value;
use stripe_client::{ListParams, StripeClient, StripeError};
use stripe_wire::HasId;
use tokio::task::JoinSet;

use super::changes::{decode_object, Changes, ChargedIntent};
use super::cursor::{Segment, Stream};
use super::errors::from_stripe;

/// The pages a segment is meant to hold, about: fewer segments than this for a short list.
pub(crate) const PAGES_PER_SEGMENT: i64 = 4;

/// The default most segments a list is split into (`StripePlatform::with_backfill_segments`).
pub const DEFAULT_BACKFILL_SEGMENTS: usize = 64;

/// Whether a list's backfill may be segmented.
pub(crate) fn segmentable(stream: Stream) -> bool {
    matches!(
        stream,
        Stream::Customers
            | Stream::Disputes
            | Stream::Charges
            | Stream::Refunds
            | Stream::PaymentIntents
            | Stream::BalanceTransactions
    )
}

/// The segments after a first page: `created` of the page's objects (newest first), its last
/// id, the account's creation time if known, and the most segments allowed (at least 2).
/// The first segment returned is the top one, continuing after the first page.
pub(crate) fn plan(
    page_created: &[i64],
    last_id: &str,
    account_created: Option<i64>,
    max_segments: usize,
) -> Vec<Segment> {
    let (Some(&newest), Some(&oldest)) = (page_created.iter().max(), page_created.iter().min())
    else {
        return vec![Segment {
            gte: None,
            lt: None,
            after: Some(last_id.to_owned()),
        }];
    };
    let mut segments = vec![Segment {
        gte: Some(oldest),
        lt: None,
        after: Some(last_id.to_owned()),
    }];
    let lower = account_created.filter(|created| *created < oldest);
    let mut bounds: Vec<i64> = Vec::new();
    if let Some(lower) = lower {
        let span = i128::from(oldest) - i128::from(lower);
        let page_span = (i128::from(newest) - i128::from(oldest)).max(1);
        let pages = span / page_span + 1;
        let wanted = (pages + i128::from(PAGES_PER_SEGMENT) - 1) / i128::from(PAGES_PER_SEGMENT);
        let most = i128::try_from(max_segments.saturating_sub(1).max(1)).unwrap_or(1);
        let count = wanted.clamp(1, most);
        for index in 1..count {
            let bound = i128::from(lower) + span * index / count;
            let bound = i64::try_from(bound).unwrap_or(oldest);
            if bound < oldest && bounds.last().is_none_or(|last| *last < bound) {
                bounds.push(bound);
            }
        }
    }
    // Newest first: [last bound, oldest), ..., [first bound, second), (open, first bound).
    let mut upper = oldest;
    for bound in bounds.iter().rev() {
        segments.push(Segment {
            gte: Some(*bound),
            lt: Some(upper),
            after: None,
        });
        upper = *bound;
    }
    segments.push(Segment {
        gte: None,
        lt: Some(upper),
        after: None,
    });
    segments
}

/// A page of one segment, fetched and mapped on a task of its own.
#[derive(Debug)]
pub(crate) struct SegmentPage {
    pub(crate) changes: Changes,
    /// Objects the page held.
    pub(crate) fetched: usize,
    /// The page's last id: where the segment continues.
    pub(crate) last: Option<String>,
    /// Whether the segment holds more after this page.
    pub(crate) more: bool,
}

#[derive(Debug)]
struct Run {
    /// Bounds, and the last id of the pages handed out.
    segment: Segment,
    /// Every page handed out, the segment's last among them.
    finished: bool,
    /// Where the next request starts.
    next_after: Option<String>,
    /// The last page has been fetched.
    fetched_all: bool,
    in_flight: bool,
    /// Pages fetched and not yet handed out.
    ready: usize,
}

/// How many pages a segment fetches ahead of those handed out.
const AHEAD: usize = 1;

type Fetched = (usize, Result<SegmentPage, StripeError>);

/// The segments of one list being paged.
pub(crate) struct Segments {
    stream: Stream,
    client: StripeClient,
    runs: Vec<Run>,
    ready: VecDeque<(usize, SegmentPage)>,
    tasks: JoinSet<Fetched>,
}

impl std::fmt::Debug for Segments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segments")
            .field("stream", &self.stream)
            .field("runs", &self.runs)
            .field("ready", &self.ready.len())
            .finish_non_exhaustive()
    }
}

impl Segments {
    /// Starts paging `segments` of `stream` (each from its own `after`). Needs a tokio runtime.
    pub(crate) fn start(stream: Stream, client: StripeClient, segments: Vec<Segment>) -> Self {
        let runs = segments
            .into_iter()
            .map(|segment| Run {
                next_after: segment.after.clone(),
                segment,
                finished: false,
                fetched_all: false,
                in_flight: false,
                ready: 0,
            })
            .collect();
        let mut segments = Self {
            stream,
            client,
            runs,
            ready: VecDeque::new(),
            tasks: JoinSet::new(),
        };
        segments.top_up();
        segments
    }

    pub(crate) fn stream(&self) -> Stream {
        self.stream
    }

    /// Sends the next request of every segment that may have one.
    fn top_up(&mut self) {
        for (index, run) in self.runs.iter_mut().enumerate() {
            if run.in_flight || run.fetched_all || run.ready > AHEAD {
                continue;
            }
            run.in_flight = true;
            let mut params = ListParams::new().with_cursor(run.next_after.clone());
            if let Some(gte) = run.segment.gte {
                params = params.created_gte(gte);
            }
            if let Some(lt) = run.segment.lt {
                params = params.created_lt(lt);
            }
            let client = self.client.clone();
            let stream = self.stream;
            self.tasks
                .spawn(async move { (index, fetch(client, stream, params).await) });
        }
    }

    /// The next page fetched (the index of its segment beside it), `None` when every page has
    /// been handed out. Hand its cursor out, then call [`Segments::commit`].
    pub(crate) async fn next(&mut self) -> Result<Option<(usize, SegmentPage)>, PlatformError> {
        loop {
            if let Some((index, page)) = self.ready.pop_front() {
                if let Some(run) = self.runs.get_mut(index) {
                    run.ready = run.ready.saturating_sub(1);
                }
                self.top_up();
                return Ok(Some((index, page)));
            }
            let Some(joined) = self.tasks.join_next().await else {
                return Ok(None);
            };
            let (index, result) = joined
                .map_err(|error| PlatformError::internal("a segment's page task failed", error))?;
            let page = result.map_err(from_stripe)?;
            if let Some(run) = self.runs.get_mut(index) {
                run.in_flight = false;
                run.ready += 1;
                if page.more {
                    run.next_after = page.last.clone();
                } else {
                    run.fetched_all = true;
                }
            }
            self.ready.push_back((index, page));
            self.top_up();
        }
    }

    /// Records that the page of segment `index` was handed out.
    pub(crate) fn commit(&mut self, index: usize, page: &SegmentPage) {
        if let Some(run) = self.runs.get_mut(index) {
            if page.more {
                run.segment.after = page.last.clone();
            } else {
                run.finished = true;
            }
        }
    }

    /// The segments not finished, for the cursor (empty: the list is done).
    pub(crate) fn remaining(&self) -> Vec<Segment> {
        self.runs
            .iter()
            .filter(|run| !run.finished)
            .map(|run| run.segment.clone())
            .collect()
    }
}

/// Fetches and maps one page.
async fn fetch(
    client: StripeClient,
    stream: Stream,
    params: ListParams,
) -> Result<SegmentPage, StripeError> {
    let page = client.list_page::<Value>(stream.path(), &params).await?;
    let fetched = page.data.len();
    let last = page.data.last().map(|value| value.id().to_owned());
    let more = page.has_more && fetched > 0;
    let mut changes = Changes::default();
    for value in page.data {
        match decode_object(stream, value) {
            Ok(object) => changes.apply(&object, None, ChargedIntent::Skip),
            Err(issue) => changes.issues.push(issue),
        }
    }
    Ok(SegmentPage {
        changes,
        fetched,
        last,
        more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every second from `low` to `high` falls in exactly one segment.
    fn assert_partition(segments: &[Segment], low: i64, high: i64) {
        for second in low..=high {
            let holders = segments
                .iter()
                .filter(|segment| {
                    segment.gte.is_none_or(|gte| second >= gte)
                        && segment.lt.is_none_or(|lt| second < lt)
                })
                .count();
            assert_eq!(holders, 1, "second {second} is in {holders} segments");
        }
    }

    #[test]
    fn segments_cover_every_second_once_and_follow_the_first_page() {
        // A page of 100 over 1,000 s; the account is 100,000 s older: about 100 pages left.
        let page: Vec<i64> = (0..100).map(|index| 200_000 - index * 10).collect();
        let segments = plan(&page, "cus_last", Some(100_000), 32);
        assert_eq!(
            segments[0],
            Segment {
                gte: Some(199_010),
                lt: None,
                after: Some("cus_last".to_owned())
            }
        );
        // 99,010 s at 990 s a page: about 101 pages, 4 a segment is 26 (below the 31 the cap
        // leaves beside the top segment).
        assert_eq!(segments.len(), 1 + 26);
        assert!(segments[1..].iter().all(|segment| segment.after.is_none()));
        assert_eq!(segments.last().map(|segment| segment.gte), Some(None));
        assert_partition(&segments, 90_000, 210_000);
    }

    #[test]
    fn the_setting_caps_the_segments_and_a_short_list_gets_few() {
        let page: Vec<i64> = (0..100).map(|index| 200_000 - index).collect();
        let capped = plan(&page, "ch_1", Some(0), 8);
        assert_eq!(capped.len(), 8);
        assert_partition(&capped, -10, 200_010);
        // A page spanning as long as the rest of the history: one segment below the top.
        let short = plan(&page, "ch_1", Some(199_800), 32);
        assert_eq!(short.len(), 2);
        assert_partition(&short, 199_000, 200_010);
        // Unknown account age, or an account no older than the page: one segment below.
        assert_eq!(plan(&page, "ch_1", None, 32).len(), 2);
        assert_eq!(plan(&page, "ch_1", Some(199_999), 32).len(), 2);
    }

    #[test]
    fn a_page_of_one_second_still_splits_evenly() {
        let page = vec![5_000; 100];
        let segments = plan(&page, "cus_1", Some(1_000), 32);
        assert_eq!(segments.len(), 32);
        assert_partition(&segments, 0, 6_000);
        assert_eq!(segments[0].gte, Some(5_000));
    }
}
