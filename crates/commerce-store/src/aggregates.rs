//! Aggregates over records computed in SQL: per-day sums of a numeric field (for charts),
//! over a bounded range of `createdDate`, so a dashboard never loads the records themselves.
//!
//! The range is found through the `records_created_date` expression index (migration 0003),
//! so the cost follows the number of records in the range, not the size of the connection.
//!
//! Must not depend on any platform crate.

use chrono::{Days, NaiveDate};
use commerce_model::DataType;
use uuid::Uuid;

use crate::convert::to_u64;
use crate::error::StoreError;
use crate::store::{Backend, Store};
use crate::types::DailyTotal;

/// The longest range [`Store::daily_totals`] accepts, in days.
pub const MAX_DAILY_TOTALS_DAYS: u64 = 366;

/// What [`Store::daily_totals`] sums: a numeric field per day of `createdDate` and per
/// `currency`, optionally split by one more field (e.g. a transaction's `type`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DailyTotalsQuery {
    /// The dot-separated path of the number to sum (e.g. `totalAmount`).
    pub amount_field: String,
    /// The dot-separated path of a field to split the sums by, if any (e.g. `type`).
    pub group_field: Option<String>,
    /// The first day, inclusive (compared with the date part of `createdDate` as written).
    pub from: NaiveDate,
    /// The last day, inclusive.
    pub to: NaiveDate,
}

impl DailyTotalsQuery {
    /// Sums of `amount_field` from `from` to `to` (both inclusive), not split further.
    pub fn new(amount_field: impl Into<String>, from: NaiveDate, to: NaiveDate) -> Self {
        Self {
            amount_field: amount_field.into(),
            group_field: None,
            from,
            to,
        }
    }

    /// The same sums split by `group_field`.
    pub fn group_by(mut self, group_field: impl Into<String>) -> Self {
        self.group_field = Some(group_field.into());
        self
    }
}

type TotalRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<f64>,
    i64,
);

impl Store {
    /// Per-day sums of a numeric field of a connection's live records of one data type whose
    /// `createdDate` falls between `query.from` and `query.to` (inclusive), per currency
    /// (and group), ordered by day, currency and group. Computed in SQL; at most
    /// [`MAX_DAILY_TOTALS_DAYS`] days.
    ///
    /// The result is cached until the next write to those records (by any process): a chart
    /// viewed again costs one indexed row read, not a pass over the range.
    pub async fn daily_totals(
        &self,
        connection_id: Uuid,
        data_type: DataType,
        query: &DailyTotalsQuery,
    ) -> Result<Vec<DailyTotal>, StoreError> {
        // Read the version before computing, see `VersionedCache::put`.
        let version = self.records_version(connection_id, data_type).await?;
        let key = (connection_id, data_type.key(), format!("{query:?}"));
        if let Some(totals) = self.daily_totals.get(&key, version) {
            return Ok(totals);
        }
        let totals = self
            .compute_daily_totals(connection_id, data_type, query)
            .await?;
        self.daily_totals.put(key, version, totals.clone());
        Ok(totals)
    }

    /// The version of a (connection, data type)'s records, bumped by triggers on every write
    /// (migration 0006); 0 before the first record.
    async fn records_version(
        &self,
        connection_id: Uuid,
        data_type: DataType,
    ) -> Result<i64, StoreError> {
        let sql = "SELECT version FROM record_counts WHERE connection_id = $1 AND data_type = $2";
        let version: Option<i64> = match &self.backend {
            Backend::Sqlite(pool) => {
                sqlx::query_scalar(sql)
                    .bind(connection_id)
                    .bind(data_type.key())
                    .fetch_optional(pool)
                    .await?
            }
            Backend::Postgres(pool) => {
                sqlx::query_scalar(sql)
                    .bind(connection_id)
                    .bind(data_type.key())
                    .fetch_optional(pool)
                    .await?
            }
        };
        Ok(version.unwrap_or(0))
    }

    async fn compute_daily_totals(
        &self,
        connection_id: Uuid,
        data_type: DataType,
        query: &DailyTotalsQuery,
    ) -> Result<Vec<DailyTotal>, StoreError> {
        let amount = json_path(&query.amount_field)?;
        let group = query.group_field.as_deref().map(json_path).transpose()?;
        if query.to < query.from {
            return Err(StoreError::invalid_query("the range ends before it starts"));
        }
        let days = (query.to - query.from).num_days().unsigned_abs() + 1;
        if days > MAX_DAILY_TOTALS_DAYS {
            return Err(StoreError::invalid_query(format!(
                "the range covers {days} days, more than the maximum of {MAX_DAILY_TOTALS_DAYS}"
            )));
        }
        let from = query.from.format("%Y-%m-%d").to_string();
        // The day after the range: `createdDate` values of the last day sort below it.
        let end = query
            .to
            .checked_add_days(Days::new(1))
            .ok_or_else(|| StoreError::invalid_query("the range ends too late"))?
            .format("%Y-%m-%d")
            .to_string();
        let rows: Vec<TotalRow> = match &self.backend {
            Backend::Sqlite(pool) => {
                // `json_extract(data, '$.createdDate')` is spelt exactly as in the index.
                let group_sql = if group.is_some() {
                    "CAST(json_extract(data, $6) AS TEXT)"
                } else {
                    "NULL"
                };
                let sql = format!(
                    "SELECT substr(json_extract(data, '$.createdDate'), 1, 10) AS day, \
                     CAST(json_extract(data, '$.currency') AS TEXT) AS currency, {group_sql} AS grp, \
                     TOTAL(CASE WHEN json_type(data, $5) IN ('integer', 'real') \
                     THEN json_extract(data, $5) END) AS total, COUNT(*) AS n \
                     FROM records WHERE connection_id = $1 AND data_type = $2 AND deleted = FALSE \
                     AND json_extract(data, '$.createdDate') >= $3 \
                     AND json_extract(data, '$.createdDate') < $4 \
                     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
                );
                let mut select = sqlx::query_as(&sql)
                    .bind(connection_id)
                    .bind(data_type.key())
                    .bind(from.as_str())
                    .bind(end.as_str())
                    .bind(sqlite_path(&amount));
                if let Some(group) = &group {
                    select = select.bind(sqlite_path(group));
                }
                select.fetch_all(pool).await?
            }
            Backend::Postgres(pool) => {
                let group_sql = if group.is_some() {
                    "data #>> $6::text[]"
                } else {
                    "NULL::text"
                };
                let sql = format!(
                    "SELECT substr(data->>'createdDate', 1, 10) AS day, data->>'currency' AS currency, \
                     {group_sql} AS grp, \
                     SUM(CASE WHEN jsonb_typeof(data #> $5::text[]) = 'number' \
                     THEN (data #>> $5::text[])::numeric END)::float8 AS total, COUNT(*) AS n \
                     FROM records WHERE connection_id = $1 AND data_type = $2 AND deleted = FALSE \
                     AND data->>'createdDate' >= $3 AND data->>'createdDate' < $4 \
                     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
                );
                let mut select = sqlx::query_as(&sql)
                    .bind(connection_id)
                    .bind(data_type.key())
                    .bind(from.as_str())
                    .bind(end.as_str())
                    .bind(amount.clone());
                if let Some(group) = group {
                    select = select.bind(group);
                }
                select.fetch_all(pool).await?
            }
        };
        Ok(rows
            .into_iter()
            .filter_map(|(day, currency, group, total, count)| {
                let day = NaiveDate::parse_from_str(day?.as_str(), "%Y-%m-%d").ok()?;
                Some(DailyTotal {
                    day,
                    currency,
                    group,
                    total: total.unwrap_or(0.0),
                    count: to_u64(count),
                })
            })
            .collect())
    }
}

/// The segments of a dot-separated field path, each `[A-Za-z0-9_]+`.
fn json_path(path: &str) -> Result<Vec<String>, StoreError> {
    let segments: Vec<String> = path.split('.').map(str::to_owned).collect();
    let valid = segments.iter().all(|segment| {
        !segment.is_empty()
            && segment
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
    });
    if valid {
        Ok(segments)
    } else {
        Err(StoreError::invalid_query(format!(
            "`{path}` is not a field path (dot-separated names of letters, digits and `_`)"
        )))
    }
}

fn sqlite_path(segments: &[String]) -> String {
    let mut path = String::from("$");
    for segment in segments {
        path.push('.');
        path.push_str(segment);
    }
    path
}
