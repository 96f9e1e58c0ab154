//! The pull cursor: an opaque JSON text saying where a pull of one data type stands.
//!
//! Backfill: which list (sub-stream) is being paged and the last object id read on it
//! (`starting_after`), plus the position in Stripe's timeline taken when the backfill started.
//! Incremental: the position in Stripe's timeline (newest event, or newest balance transaction,
//! already applied) and the local time of the last successful read, which decides whether the
//! 30-day event history still covers the gap.
//!
//! A long list is paged as several `created` segments at once (see `segments`); the cursor then
//! holds every segment not yet finished, each with its own `starting_after`, e.g.
//! `"segments":[{"gte":1690000000,"after":"ch_9"},{"gte":1680000000,"lt":1690000000}]`.
//!
//! Example (payments, part-way through refunds):
//! `{"v":1,"type":"commerce-payments","started":1700000000,"phase":"backfill","stream":"refunds",
//! "after":"re_123","since":{"created":1699999990,"skip":["evt_1"]}}`

use commerce_model::platform::Cursor;
use commerce_model::DataType;
use serde::{Deserialize, Serialize};

/// The cursor format version.
const VERSION: u8 = 1;

/// A position in Stripe's timeline: objects (events or balance transactions) created at or after
/// `created`, except those in `skip` (already applied, created in that same second).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Since {
    pub(crate) created: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) skip: Vec<String>,
}

/// One `created` range of a list a backfill pages concurrently with the others: objects
/// created at or after `gte` and before `lt` (either side open when `None`), so that adjacent
/// segments share a bound and every object falls in exactly one of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Segment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) gte: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) lt: Option<i64>,
    /// The last object id read in this segment (`starting_after`), `None` at its start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) after: Option<String>,
}

/// One list a backfill pages through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Stream {
    Account,
    Customers,
    Disputes,
    Charges,
    Refunds,
    PaymentIntents,
    Products,
    BalanceTransactions,
}

impl Stream {
    /// The list path.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Stream::Account => "/v1/account",
            Stream::Customers => "/v1/customers",
            Stream::Disputes => "/v1/disputes",
            Stream::Charges => "/v1/charges",
            Stream::Refunds => "/v1/refunds",
            Stream::PaymentIntents => "/v1/payment_intents",
            Stream::Products => "/v1/products",
            Stream::BalanceTransactions => "/v1/balance_transactions",
        }
    }

    /// The lists a full pull of `data_type` pages through, in order.
    pub(crate) fn for_data_type(data_type: DataType) -> &'static [Stream] {
        match data_type {
            DataType::CompanyInfo => &[Stream::Account],
            DataType::Customers => &[Stream::Customers],
            DataType::Disputes => &[Stream::Disputes],
            DataType::Payments => &[Stream::Charges, Stream::Refunds, Stream::PaymentIntents],
            DataType::Products => &[Stream::Products],
            DataType::Transactions => &[Stream::BalanceTransactions],
            _ => &[],
        }
    }

    /// The list after this one in a full pull of `data_type`, if any.
    pub(crate) fn next(self, data_type: DataType) -> Option<Stream> {
        let streams = Stream::for_data_type(data_type);
        let position = streams.iter().position(|stream| *stream == self)?;
        streams.get(position + 1).copied()
    }
}

/// Where a pull stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub(crate) enum Phase {
    /// A full pull, resumable page by page.
    Backfill {
        /// The list being paged.
        stream: Stream,
        /// The last object id read on it (`starting_after`), `None` at its start.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<String>,
        /// Where incremental reads start once the backfill is complete (taken at its start).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<Since>,
        /// The `created` segments of the list still to page, each with its own last id read
        /// (`after` above is then unused). Empty: the list is paged as one sequence from
        /// `after` (its first page, where the segments are chosen, or a list not segmented).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        segments: Vec<Segment>,
    },
    /// Changes since a position.
    Incremental {
        /// Read changes from here; `None` when there was nothing to anchor on (read everything
        /// Stripe still has).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<Since>,
        /// Local unix time when the changes were last read completely: if it is older than
        /// Stripe keeps events, a full pull is needed.
        checked: i64,
    },
}

/// A decoded cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CursorState {
    /// Format version.
    pub(crate) v: u8,
    /// The data type the cursor belongs to (its Codat key).
    #[serde(rename = "type")]
    pub(crate) data_type: String,
    /// Local unix time when the current (or last) full pull started.
    pub(crate) started: i64,
    /// Where the pull stands.
    #[serde(flatten)]
    pub(crate) phase: Phase,
}

impl CursorState {
    /// A cursor state for `data_type`.
    pub(crate) fn new(data_type: DataType, started: i64, phase: Phase) -> Self {
        Self {
            v: VERSION,
            data_type: data_type.key().to_owned(),
            started,
            phase,
        }
    }

    /// Encodes as the opaque cursor text.
    pub(crate) fn encode(&self) -> Cursor {
        // Serializing plain strings, numbers and enums into a String cannot fail.
        Cursor::new(serde_json::to_string(self).unwrap_or_default())
    }

    /// Decodes a cursor of `data_type`; `Err` with a reason for text this version did not
    /// write, or a cursor of another data type.
    pub(crate) fn decode(cursor: &Cursor, data_type: DataType) -> Result<Self, String> {
        let state: CursorState = serde_json::from_str(cursor.as_str())
            .map_err(|error| format!("not a stripe cursor: {error}"))?;
        if state.v != VERSION {
            return Err(format!("cursor version {} is not {VERSION}", state.v));
        }
        if state.data_type != data_type.key() {
            return Err(format!(
                "cursor of {} used for {}",
                state.data_type,
                data_type.key()
            ));
        }
        if let Phase::Backfill { stream, .. } = &state.phase {
            if !Stream::for_data_type(data_type).contains(stream) {
                return Err(format!(
                    "stream {stream:?} is not part of {}",
                    data_type.key()
                ));
            }
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_foreign_cursors() {
        let state = CursorState::new(
            DataType::Payments,
            1_700_000_000,
            Phase::Backfill {
                stream: Stream::Refunds,
                after: Some("re_123".to_owned()),
                since: Some(Since {
                    created: 1_699_999_990,
                    skip: vec!["evt_1".to_owned()],
                }),
                segments: Vec::new(),
            },
        );
        let cursor = state.encode();
        assert_eq!(
            cursor.as_str(),
            r#"{"v":1,"type":"commerce-payments","started":1700000000,"phase":"backfill","stream":"refunds","after":"re_123","since":{"created":1699999990,"skip":["evt_1"]}}"#
        );
        assert_eq!(CursorState::decode(&cursor, DataType::Payments), Ok(state));
        assert!(CursorState::decode(&cursor, DataType::Customers).is_err());
        assert!(CursorState::decode(&Cursor::new("page-3"), DataType::Payments).is_err());
        let wrong_stream = Cursor::new(
            r#"{"v":1,"type":"commerce-customers","started":1,"phase":"backfill","stream":"charges"}"#,
        );
        assert!(CursorState::decode(&wrong_stream, DataType::Customers).is_err());
    }

    #[test]
    fn streams_follow_each_other_within_a_data_type() {
        assert_eq!(
            Stream::Charges.next(DataType::Payments),
            Some(Stream::Refunds)
        );
        assert_eq!(
            Stream::Refunds.next(DataType::Payments),
            Some(Stream::PaymentIntents)
        );
        assert_eq!(Stream::PaymentIntents.next(DataType::Payments), None);
        assert_eq!(Stream::Customers.next(DataType::Customers), None);
    }
}
