//! Records: idempotent upserts, soft deletes, the one-transaction page write the sync engine
//! relies on, and paged reads with the Codat `query`/`orderBy` pushed down into SQL.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use commerce_model::{DataType, OrderBy, Query};
use serde_json::value::RawValue;
use sha2::{Digest as _, Sha256};
use sqlx::types::Json;
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::convert::{hex_lower, to_i64, to_u64};
use crate::error::StoreError;
use crate::query::{Bind, SqlBuilder};
use crate::store::{codat_date, in_transaction, now, truncate, with_pool, Engine, Store};
use crate::types::{PageWrite, PageWriteSummary, RecordInput, StoredRecord};

pub use commerce_model::status::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// Rows per multi-row `INSERT` (9 parameters each, well under both engines' limits).
///
/// The many-row statements (the upsert and the mark) are built with sqlx's `QueryBuilder`
/// (`push_values`, `push_bind`), which writes PostgreSQL's `$n` parameters and SQLite's anonymous
/// `?`. Anonymous parameters matter on SQLite: it looks up every named parameter (`$17`) among
/// those already parsed, which costs quadratic time in a statement of 4,500 parameters, and
/// sqlx then looks up each name again to bind it (see docs/performance.md).
const UPSERT_CHUNK: usize = 500;

/// A paged read of one data type: Codat's `page`, `pageSize`, `query` and `orderBy`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordQuery {
    /// Page number, from 1.
    pub page: u32,
    /// Records per page, 1 to [`MAX_PAGE_SIZE`].
    pub page_size: u32,
    /// The filter, if any.
    pub query: Option<Query>,
    /// The order, if any (default: by record id).
    pub order_by: Option<OrderBy>,
}

impl Default for RecordQuery {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
            query: None,
            order_by: None,
        }
    }
}

impl RecordQuery {
    /// A query for `page` of `page_size` records.
    pub fn page(page: u32, page_size: u32) -> Self {
        Self {
            page,
            page_size,
            ..Self::default()
        }
    }

    /// A query for `page` of `page_size` records, filtered and ordered by values already parsed
    /// (and checked against the data type's fields, see `Query::parse_for`) by the caller.
    pub fn new(page: u32, page_size: u32, query: Option<Query>, order_by: Option<OrderBy>) -> Self {
        Self {
            page,
            page_size,
            query,
            order_by,
        }
    }

    /// Parses Codat's `query` and `orderBy` parameters (already URL-decoded); a syntax error
    /// is [`StoreError::InvalidQuery`].
    pub fn parse(
        page: u32,
        page_size: u32,
        query: Option<&str>,
        order_by: Option<&str>,
    ) -> Result<Self, StoreError> {
        let query = query
            .filter(|text| !text.trim().is_empty())
            .map(Query::parse)
            .transpose()
            .map_err(|error| StoreError::invalid_query(error.to_string()))?;
        let order_by = order_by
            .filter(|text| !text.trim().is_empty())
            .map(OrderBy::parse)
            .transpose()
            .map_err(|error| StoreError::invalid_query(error.to_string()))?;
        Ok(Self {
            page,
            page_size,
            query,
            order_by,
        })
    }
}

/// One page of records as read; turn it into Codat's envelope with [`RecordPage::into_page`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RecordPage {
    /// The records' JSON, in order.
    pub results: Vec<serde_json::Value>,
    /// The page number.
    pub page_number: u32,
    /// The page size.
    pub page_size: u32,
    /// How many records match the query across all pages.
    pub total_results: u64,
}

impl RecordPage {
    /// Codat's paging envelope with `_links` (see [`commerce_model::Page::new`]).
    pub fn into_page(
        self,
        base_path: &str,
        extra_query: &[(&str, &str)],
    ) -> commerce_model::Page<serde_json::Value> {
        commerce_model::Page::new(
            self.results,
            self.page_number,
            self.page_size,
            self.total_results,
            base_path,
            extra_query,
        )
    }
}

/// One page of records with each record's JSON as stored
/// ([`Store::query_records_raw`]); turn it into Codat's envelope with
/// [`RawRecordPage::into_page`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawRecordPage {
    /// The records' JSON, in order.
    pub results: Vec<Box<RawValue>>,
    /// The page number.
    pub page_number: u32,
    /// The page size.
    pub page_size: u32,
    /// How many records match the query across all pages.
    pub total_results: u64,
}

impl RawRecordPage {
    /// Codat's paging envelope with `_links` (see [`commerce_model::Page::new`]).
    pub fn into_page(
        self,
        base_path: &str,
        extra_query: &[(&str, &str)],
    ) -> commerce_model::Page<Box<RawValue>> {
        commerce_model::Page::new(
            self.results,
            self.page_number,
            self.page_size,
            self.total_results,
            base_path,
            extra_query,
        )
    }
}

/// The SQL of one records page: `page_sql` binds the connection, then `binds`, then the limit and
/// offset; `count_sql` binds the connection and the first `filter_binds` of `binds`.
#[derive(Debug)]
pub(crate) struct PageStatement {
    pub(crate) page_sql: String,
    pub(crate) count_sql: String,
    pub(crate) binds: Vec<Bind>,
    pub(crate) filter_binds: usize,
}

fn corrupt(text: String) -> StoreError {
    StoreError::CorruptValue {
        column: "records.data",
        value: text.chars().take(80).collect(),
    }
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: String,
    data: Json<serde_json::Value>,
    content_hash: String,
    modified_date: DateTime<Utc>,
    source_modified_date: Option<DateTime<Utc>>,
    deleted: bool,
}

struct PreparedRecord {
    id: String,
    data: serde_json::Value,
    hash: String,
    source_modified_date: Option<DateTime<Utc>>,
}

impl Store {
    /// Writes one page of a sync in ONE transaction: upserts `records`, soft-deletes
    /// `deletions`, stores the issues and counts progress on the dataset (after checking the
    /// worker still holds its lease), and stores the cursor. Either all of it is committed or
    /// none of it, so a crash never leaves a partial page or a cursor ahead of its records.
    ///
    /// Upserts are idempotent: a record's `modifiedDate` changes only when its content hash
    /// changes (or when it comes back after a delete). A record id appearing twice in one
    /// page keeps its last occurrence.
    ///
    /// Mark and sweep of full pulls: with [`PageWrite::seen_generation`] the page's records are
    /// marked as seen by that generation; with [`PageWrite::sweep_unseen`] too (the last page
    /// of a complete full pull), every live record of the data type the generation did not
    /// mark is then soft-deleted, in the same transaction as the page and its cursor.
    pub async fn write_page(&self, page: &PageWrite) -> Result<PageWriteSummary, StoreError> {
        let written_at = now();
        let prepared = prepare_records(&page.records, written_at)?;
        let data_type = page.data_type.key();
        let engine = self.engine();
        let record_count = to_i64((page.records.len() + page.deletions.len()) as u64);
        in_transaction!(self, tx => {
            // The lease check comes first: it takes the write lock and fails fast.
            if let Some(dataset) = &page.dataset {
                let updated = sqlx::query(
                    "UPDATE datasets SET pages = pages + 1, records = records + $3, updated_at = $4 \
                     WHERE id = $1 AND lease_owner = $2 AND lease_expires_at > $4",
                )
                .bind(dataset.dataset_id)
                .bind(&dataset.worker_id)
                .bind(record_count)
                .bind(written_at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated == 0 {
                    return Err(StoreError::LeaseLost {
                        dataset_id: dataset.dataset_id,
                        worker_id: dataset.worker_id.clone(),
                    });
                }
                for issue in &dataset.issues {
                    sqlx::query(
                        "INSERT INTO dataset_issues (dataset_id, record_id, severity, message, created_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(dataset.dataset_id)
                    .bind(&issue.record_id)
                    .bind(issue.severity.to_string())
                    .bind(&issue.message)
                    .bind(written_at)
                    .execute(&mut *tx)
                    .await?;
                }
            }

            let mut summary = PageWriteSummary::default();
            // Per chunk: whether some record was left as it was (and may still need marking).
            let mut unchanged_in_chunk = Vec::new();
            for chunk in prepared.chunks(UPSERT_CHUNK) {
                let mut upsert = upsert_statement(
                    page.connection_id,
                    data_type,
                    chunk,
                    written_at,
                    page.seen_generation,
                );
                let changed = upsert.build().execute(&mut *tx).await?.rows_affected();
                unchanged_in_chunk.push(changed < chunk.len() as u64);
                summary.changed += changed;
                summary.unchanged += chunk.len() as u64 - changed.min(chunk.len() as u64);
            }

            let delete_sql = delete_sql(engine);
            let written_text = codat_date(written_at);
            for id in &page.deletions {
                summary.deleted += sqlx::query(delete_sql)
                    .bind(page.connection_id)
                    .bind(data_type)
                    .bind(id.as_str())
                    .bind(written_at)
                    .bind(written_text.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }

            if let Some(generation) = page.seen_generation {
                // A chunk whose every record was inserted or changed is marked already (the
                // upsert writes the generation): a first full pull runs no mark at all.
                let to_mark = prepared
                    .chunks(UPSERT_CHUNK)
                    .zip(&unchanged_in_chunk)
                    .filter_map(|(chunk, unchanged)| unchanged.then_some(chunk));
                for chunk in to_mark {
                    let mut mark = mark_statement(generation, page.connection_id, data_type, chunk);
                    mark.build().execute(&mut *tx).await?;
                }
                if page.sweep_unseen {
                    summary.swept = sqlx::query(sweep_sql(engine))
                        .bind(page.connection_id)
                        .bind(data_type)
                        .bind(generation)
                        .bind(written_at)
                        .bind(written_text.as_str())
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                }
            }

            if let Some(cursor) = &page.cursor {
                sqlx::query(
                    "INSERT INTO sync_cursors (connection_id, data_type, cursor, backfill_complete, last_event_at, updated_at, backfill_generation) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (connection_id, data_type) DO UPDATE SET \
                     cursor = excluded.cursor, backfill_complete = excluded.backfill_complete, \
                     last_event_at = excluded.last_event_at, updated_at = excluded.updated_at, \
                     backfill_generation = excluded.backfill_generation",
                )
                .bind(page.connection_id)
                .bind(data_type)
                .bind(&cursor.cursor)
                .bind(cursor.backfill_complete)
                .bind(cursor.last_event_time.map(truncate))
                .bind(written_at)
                .bind(cursor.backfill_generation)
                .execute(&mut *tx)
                .await?;
            }
            Ok(summary)
        })
    }

    /// Upserts records outside any dataset (one transaction). See [`Store::write_page`].
    pub async fn upsert_records(
        &self,
        connection_id: Uuid,
        data_type: DataType,
        records: Vec<RecordInput>,
    ) -> Result<PageWriteSummary, StoreError> {
        let mut page = PageWrite::new(connection_id, data_type);
        page.records = records;
        self.write_page(&page).await
    }

    /// Soft-deletes records outside any dataset. See [`Store::write_page`].
    pub async fn delete_records(
        &self,
        connection_id: Uuid,
        data_type: DataType,
        ids: Vec<String>,
    ) -> Result<PageWriteSummary, StoreError> {
        let mut page = PageWrite::new(connection_id, data_type);
        page.deletions = ids;
        self.write_page(&page).await
    }

    /// One page of a data type's live (not deleted) records, filtered and ordered in SQL;
    /// `total_results` counts every record matching the filter.
    pub async fn query_records(
        &self,
        connection_id: Uuid,
        data_type: DataType,
        request: &RecordQuery,
    ) -> Result<RecordPage, StoreError> {
        let (texts, total) = self
            .query_record_texts(connection_id, data_type, request)
            .await?;
        let results = texts
            .into_iter()
            .map(|text| serde_json::from_str(&text).map_err(|_| corrupt(text)))
            .collect::<Result<_, _>>()?;
        Ok(RecordPage {
            results,
            page_number: request.page,
            page_size: request.page_size,
            total_results: total,
        })
    }

    /// [`Store::query_records`] with each record's JSON as stored, not parsed into a
    /// `serde_json::Value`: for writing the records straight into a response.
    pub async fn query_records_raw(
        &self,
        connection_id: Uuid,
        data_type: DataType,
        request: &RecordQuery,
    ) -> Result<RawRecordPage, StoreError> {
        let (texts, total) = self
            .query_record_texts(connection_id, data_type, request)
            .await?;
        let results = texts
            .into_iter()
            .map(|text| {
                // Checked only by a parse that keeps nothing; the error says where it failed.
                RawValue::from_string(text).map_err(|error| corrupt(error.to_string()))
            })
            .collect::<Result<_, _>>()?;
        Ok(RawRecordPage {
            results,
            page_number: request.page,
            page_size: request.page_size,
            total_results: total,
        })
    }

    /// The records' JSON text of one page and the total.
    async fn query_record_texts(
        &self,
        connection_id: Uuid,
        data_type: DataType,
        request: &RecordQuery,
    ) -> Result<(Vec<String>, u64), StoreError> {
        if request.page == 0 {
            return Err(StoreError::PagingOutOfRange {
                parameter: "page",
                value: request.page,
            });
        }
        if request.page_size == 0 {
            return Err(StoreError::PagingOutOfRange {
                parameter: "pageSize",
                value: request.page_size,
            });
        }
        if request.page_size > MAX_PAGE_SIZE {
            return Err(StoreError::PageSizeTooLarge {
                requested: request.page_size,
                max: MAX_PAGE_SIZE,
            });
        }
        let PageStatement {
            page_sql,
            count_sql,
            binds,
            filter_binds,
        } = self.page_statement(data_type, request)?;
        let offset = u64::from(request.page - 1) * u64::from(request.page_size);
        let data_type = data_type.key();
        let filtered = request.query.is_some();
        let count_key = (
            connection_id,
            data_type,
            format!("{count_sql}\u{0}{binds:?}"),
        );
        let (total, page): (i64, Option<String>) = with_pool!(self, pool => {
            let mut select = sqlx::query_as(&page_sql).bind(connection_id);
            for bind in &binds {
                select = match bind {
                    Bind::Text(text) => select.bind(text.as_str()),
                    Bind::Real(number) => select.bind(*number),
                };
            }
            let (live, version, page): (Option<i64>, Option<i64>, Option<String>) = select
                .bind(i64::from(request.page_size))
                .bind(to_i64(offset))
                .fetch_one(pool)
                .await?;
            let version = version.unwrap_or(0);
            // The version was read before any count, see `VersionedCache::put`.
            let total = if !filtered {
                live.unwrap_or(0)
            } else if let Some(total) = self.counts.get(&count_key, version) {
                total
            } else {
                let mut count = sqlx::query_scalar(&count_sql).bind(connection_id);
                for bind in binds.iter().take(filter_binds) {
                    count = match bind {
                        Bind::Text(text) => count.bind(text.as_str()),
                        Bind::Real(number) => count.bind(*number),
                    };
                }
                let total: i64 = count.fetch_one(pool).await?;
                self.counts.put(count_key.clone(), version, total);
                total
            };
            (total, page)
        });
        let rows = match page {
            Some(page) if !page.is_empty() => page.split('\u{1e}').map(str::to_owned).collect(),
            _ => Vec::new(),
        };
        Ok((rows, to_u64(total)))
    }

    /// The statements that read one page of `data_type` for `request` (and count its matches).
    pub(crate) fn page_statement(
        &self,
        data_type: DataType,
        request: &RecordQuery,
    ) -> Result<PageStatement, StoreError> {
        // `$1` is the connection; the data type is written as a literal (one of the model's fixed
        // keys) so that the partial indexes on one data type's fields (migration 0007) apply.
        let mut builder = SqlBuilder::new(self.engine(), data_type, 2);
        let filter = match &request.query {
            Some(query) => builder.filter(&query.expr)?,
            None => "TRUE".to_owned(),
        };
        // The count binds only the filter's parameters; the order's come after them.
        let filter_binds = builder.binds.len();
        let ordering = builder.order_by(request.order_by.as_ref())?;
        let limit_param = builder.next_param();
        let base = format!(
            "FROM records r WHERE r.connection_id = $1 AND r.data_type = '{key}' AND r.deleted = FALSE AND ({filter})",
            key = data_type.key(),
        );
        let count_sql = format!("SELECT COUNT(*) {base}");
        // One statement, one row: the live count and its version (kept by triggers, migration
        // 0006) and the page's records joined by U+001E, which JSON text never holds raw (control
        // characters are escaped in strings). One row instead of one per record saves a round
        // trip and a message per record between the connection and the caller.
        let (data, aggregate) = match self.engine() {
            Engine::Sqlite => ("r.data", "group_concat(p.data, char(30)"),
            Engine::Postgres => ("r.data::text", "string_agg(p.data, chr(30)"),
        };
        let page_sql = format!(
            "SELECT rc.live, rc.version, (SELECT {aggregate} ORDER BY {outer}) FROM \
             (SELECT {data} AS data, r.id AS id{keys} {base} ORDER BY {inner} \
             LIMIT ${limit_param} OFFSET ${offset_param}) p) AS page \
             FROM (SELECT 1 AS one) one LEFT JOIN record_counts rc \
             ON rc.connection_id = $1 AND rc.data_type = '{key}'",
            outer = ordering.outer(),
            keys = ordering.select_keys(),
            inner = ordering.inner(),
            offset_param = limit_param + 1,
            key = data_type.key(),
        );
        Ok(PageStatement {
            page_sql,
            count_sql,
            binds: builder.binds,
            filter_binds,
        })
    }

    /// One record, deleted or not (check [`StoredRecord::deleted`]).
    pub async fn get_record(
        &self,
        connection_id: Uuid,
        data_type: DataType,
        id: &str,
    ) -> Result<StoredRecord, StoreError> {
        let row: Option<RecordRow> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, data, content_hash, modified_date, source_modified_date, deleted \
                 FROM records WHERE connection_id = $1 AND data_type = $2 AND id = $3",
            )
            .bind(connection_id)
            .bind(data_type.key())
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        let row = row.ok_or_else(|| StoreError::not_found("record", id))?;
        Ok(StoredRecord {
            id: row.id,
            data: row.data.0,
            content_hash: row.content_hash,
            modified_date: row.modified_date,
            source_modified_date: row.source_modified_date,
            deleted: row.deleted,
        })
    }

    /// The number of live (not deleted) records per data type of a connection; types with
    /// none are absent. Keys are data-type keys as stored; unknown ones are skipped.
    pub async fn count_records(
        &self,
        connection_id: Uuid,
    ) -> Result<BTreeMap<DataType, u64>, StoreError> {
        // Kept by triggers (migration 0006): no scan of the connection's records.
        let rows: Vec<(String, i64)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT data_type, live FROM record_counts WHERE connection_id = $1 AND live > 0",
            )
            .bind(connection_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .filter_map(|(key, count)| Some((DataType::parse(&key).ok()?, to_u64(count))))
            .collect())
    }
}

fn prepare_records(
    records: &[RecordInput],
    written_at: DateTime<Utc>,
) -> Result<Vec<PreparedRecord>, StoreError> {
    // Last occurrence wins; order of first appearance is kept.
    let mut position: HashMap<&str, usize> = HashMap::with_capacity(records.len());
    let mut prepared: Vec<PreparedRecord> = Vec::with_capacity(records.len());
    let modified = serde_json::Value::String(codat_date(written_at));
    for record in records {
        let serde_json::Value::Object(fields) = &record.data else {
            return Err(StoreError::InvalidRecord {
                id: record.id.clone(),
                reason: "its JSON is not an object".to_owned(),
            });
        };
        if record.id.is_empty() {
            return Err(StoreError::InvalidRecord {
                id: String::new(),
                reason: "its id is empty".to_owned(),
            });
        }
        let hash = content_hash(&record.data);
        let mut data = fields.clone();
        data.insert("modifiedDate".to_owned(), modified.clone());
        let entry = PreparedRecord {
            id: record.id.clone(),
            data: serde_json::Value::Object(data),
            hash,
            source_modified_date: record.source_modified_date.map(truncate),
        };
        match position.get(record.id.as_str()) {
            Some(&index) => {
                if let Some(slot) = prepared.get_mut(index) {
                    *slot = entry;
                }
            }
            None => {
                position.insert(record.id.as_str(), prepared.len());
                prepared.push(entry);
            }
        }
    }
    Ok(prepared)
}

/// SHA-256 (hex) of the canonical JSON (keys sorted, no whitespace) without the top-level
/// `modifiedDate`, which the store owns.
pub(crate) fn content_hash(data: &serde_json::Value) -> String {
    let mut canonical = String::new();
    match data {
        serde_json::Value::Object(fields) => {
            let mut keys: Vec<&String> = fields
                .keys()
                .filter(|key| key.as_str() != "modifiedDate")
                .collect();
            keys.sort();
            canonical.push('{');
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    canonical.push(',');
                }
                write_canonical(&serde_json::Value::String(key.clone()), &mut canonical);
                canonical.push(':');
                if let Some(value) = fields.get(key) {
                    write_canonical(value, &mut canonical);
                }
            }
            canonical.push('}');
        }
        other => write_canonical(other, &mut canonical),
    }
    hex_lower(&Sha256::digest(canonical.as_bytes()))
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(fields) => {
            let mut keys: Vec<&String> = fields.keys().collect();
            keys.sort();
            out.push('{');
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(&serde_json::Value::String(key.clone()), out);
                out.push(':');
                if let Some(value) = fields.get(key) {
                    write_canonical(value, out);
                }
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        // Scalars: serde_json's own compact form (strings escaped, numbers as written).
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The upsert of one chunk of records: one `VALUES` row of 9 parameters per record; a stored
/// row changes only when its content (or deletion) changes.
fn upsert_statement<'a, DB>(
    connection_id: Uuid,
    data_type: &'a str,
    chunk: &'a [PreparedRecord],
    written_at: DateTime<Utc>,
    generation: Option<Uuid>,
) -> QueryBuilder<'a, DB>
where
    DB: sqlx::Database,
    Uuid: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Option<Uuid>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Json<&'a serde_json::Value>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Option<DateTime<Utc>>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    bool: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let mut upsert = QueryBuilder::new(
        "INSERT INTO records (connection_id, data_type, id, data, content_hash, \
         source_modified_date, modified_date, deleted, seen_generation) ",
    );
    upsert.push_values(chunk, |mut row, record| {
        row.push_bind(connection_id)
            .push_bind(data_type)
            .push_bind(record.id.as_str())
            .push_bind(Json(&record.data))
            .push_bind(record.hash.as_str())
            .push_bind(record.source_modified_date)
            .push_bind(written_at)
            .push_bind(false)
            .push_bind(generation);
    });
    upsert.push(
        " ON CONFLICT (connection_id, data_type, id) DO UPDATE SET data = excluded.data, \
         content_hash = excluded.content_hash, source_modified_date = excluded.source_modified_date, \
         modified_date = excluded.modified_date, deleted = excluded.deleted, \
         seen_generation = COALESCE(excluded.seen_generation, records.seen_generation) \
         WHERE records.content_hash <> excluded.content_hash OR records.deleted <> excluded.deleted",
    );
    upsert
}

/// Marks a chunk of a connection's data type's records as seen by a generation: those the upsert
/// did not already mark (records it inserted or changed carry the generation), so a first pull
/// rewrites no row twice.
fn mark_statement<'a, DB>(
    generation: Uuid,
    connection_id: Uuid,
    data_type: &'a str,
    chunk: &'a [PreparedRecord],
) -> QueryBuilder<'a, DB>
where
    DB: sqlx::Database,
    Uuid: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let mut mark = QueryBuilder::new("UPDATE records SET seen_generation = ");
    mark.push_bind(generation)
        .push(" WHERE connection_id = ")
        .push_bind(connection_id)
        .push(" AND data_type = ")
        .push_bind(data_type)
        .push(" AND (seen_generation IS NULL OR seen_generation <> ")
        .push_bind(generation)
        .push(") AND id IN (");
    let mut ids = mark.separated(", ");
    for record in chunk {
        ids.push_bind(record.id.as_str());
    }
    ids.push_unseparated(")");
    mark
}

/// Soft-deletes the live records of a connection's data type not seen by generation $3.
fn sweep_sql(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => {
            "UPDATE records SET deleted = TRUE, modified_date = $4, \
             data = json_set(data, '$.modifiedDate', $5) \
             WHERE connection_id = $1 AND data_type = $2 AND deleted = FALSE \
             AND (seen_generation IS NULL OR seen_generation <> $3)"
        }
        Engine::Postgres => {
            "UPDATE records SET deleted = TRUE, modified_date = $4, \
             data = jsonb_set(data, '{modifiedDate}', to_jsonb($5::text)) \
             WHERE connection_id = $1 AND data_type = $2 AND deleted = FALSE \
             AND (seen_generation IS NULL OR seen_generation <> $3)"
        }
    }
}

fn delete_sql(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => {
            "UPDATE records SET deleted = TRUE, modified_date = $4, \
             data = json_set(data, '$.modifiedDate', $5) \
             WHERE connection_id = $1 AND data_type = $2 AND id = $3 AND deleted = FALSE"
        }
        Engine::Postgres => {
            "UPDATE records SET deleted = TRUE, modified_date = $4, \
             data = jsonb_set(data, '{modifiedDate}', to_jsonb($5::text)) \
             WHERE connection_id = $1 AND data_type = $2 AND id = $3 AND deleted = FALSE"
        }
    }
}

#[cfg(test)]
mod tests;
