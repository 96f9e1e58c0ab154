//! List parameters and pages: `limit`, `starting_after` (the resume cursor), `created[...]`
//! ranges, `expand[]` and endpoint-specific filters, and one page of results with the cursor to
//! resume after it.
//!
//! Values only; the paging loop lives in [`crate::StripeClient::list`].

#[cfg(test)]
mod tests;

/// The largest page Stripe serves.
pub const MAX_PAGE_SIZE: u8 = 100;

/// Parameters of a list request. Defaults: `limit=100`, no cursor, no filters.
///
/// Pages go from newest to oldest (Stripe's order); [`ListParams::starting_after`] resumes after
/// the given object id, which is what [`Page::cursor`] hands back after each page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    limit: u8,
    starting_after: Option<String>,
    created: CreatedRange,
    expand: Vec<String>,
    filters: Vec<(String, String)>,
}

/// A `created` range in unix seconds (`created[gt]`, `created[gte]`, `created[lt]`, `created[lte]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedRange {
    /// `created[gt]`: strictly after.
    pub gt: Option<i64>,
    /// `created[gte]`: at or after.
    pub gte: Option<i64>,
    /// `created[lt]`: strictly before.
    pub lt: Option<i64>,
    /// `created[lte]`: at or before.
    pub lte: Option<i64>,
}

/// One page of a list endpoint.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The objects of this page, in Stripe's order (newest first).
    pub data: Vec<T>,
    /// Whether Stripe has more objects after this page.
    pub has_more: bool,
    /// The id of the last object of this page: pass it to [`ListParams::starting_after`] to
    /// resume after this page. For an empty page, the cursor this page was requested with.
    pub cursor: Option<String>,
}

impl Default for ListParams {
    fn default() -> Self {
        Self {
            limit: MAX_PAGE_SIZE,
            starting_after: None,
            created: CreatedRange::default(),
            expand: Vec::new(),
            filters: Vec::new(),
        }
    }
}

impl ListParams {
    /// `limit=100`, no cursor, no filters.
    pub fn new() -> Self {
        Self::default()
    }

    /// The page size, clamped to `1..=100`.
    pub fn limit(mut self, limit: u8) -> Self {
        self.limit = limit.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Starts after the object with this id (a cursor from [`Page::cursor`]).
    pub fn starting_after(mut self, cursor: impl Into<String>) -> Self {
        self.starting_after = Some(cursor.into());
        self
    }

    /// Sets or clears the starting cursor.
    pub fn with_cursor(mut self, cursor: Option<String>) -> Self {
        self.starting_after = cursor;
        self
    }

    /// `created[gt]=<unix seconds>`.
    pub fn created_gt(mut self, unix_seconds: i64) -> Self {
        self.created.gt = Some(unix_seconds);
        self
    }

    /// `created[gte]=<unix seconds>`.
    pub fn created_gte(mut self, unix_seconds: i64) -> Self {
        self.created.gte = Some(unix_seconds);
        self
    }

    /// `created[lt]=<unix seconds>`.
    pub fn created_lt(mut self, unix_seconds: i64) -> Self {
        self.created.lt = Some(unix_seconds);
        self
    }

    /// `created[lte]=<unix seconds>`.
    pub fn created_lte(mut self, unix_seconds: i64) -> Self {
        self.created.lte = Some(unix_seconds);
        self
    }

    /// Replaces the whole `created` range.
    pub fn created(mut self, range: CreatedRange) -> Self {
        self.created = range;
        self
    }

    /// Adds `expand[]=<field>`; on lists prefix fields with `data.`, e.g. `data.customer`.
    pub fn expand(mut self, field: impl Into<String>) -> Self {
        self.expand.push(field.into());
        self
    }

    /// Adds an endpoint-specific filter, sent as is and kept on every page. Repeat a key for
    /// array filters, e.g. `.filter("types[]", "charge.succeeded").filter("types[]", "charge.refunded")`.
    pub fn filter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.filters.push((key.into(), value.into()));
        self
    }

    /// The page size.
    pub fn page_size(&self) -> u8 {
        self.limit
    }

    /// The starting cursor, if any.
    pub fn cursor(&self) -> Option<&str> {
        self.starting_after.as_deref()
    }

    /// The `created` range.
    pub fn created_range(&self) -> CreatedRange {
        self.created
    }

    /// The endpoint-specific filters, in the order they were added.
    pub fn filters(&self) -> &[(String, String)] {
        &self.filters
    }

    /// The query pairs in the order they are sent.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut query = vec![("limit".to_owned(), self.limit.to_string())];
        if let Some(cursor) = &self.starting_after {
            query.push(("starting_after".to_owned(), cursor.clone()));
        }
        let bounds = [
            ("created[gt]", self.created.gt),
            ("created[gte]", self.created.gte),
            ("created[lt]", self.created.lt),
            ("created[lte]", self.created.lte),
        ];
        for (key, bound) in bounds {
            if let Some(bound) = bound {
                query.push((key.to_owned(), bound.to_string()));
            }
        }
        for field in &self.expand {
            query.push(("expand[]".to_owned(), field.clone()));
        }
        query.extend(self.filters.iter().cloned());
        query
    }
}
