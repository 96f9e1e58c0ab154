//! Codat's paging envelope: `results`, `pageNumber`, `pageSize`, `totalResults` and HAL `_links`.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// One page of a list endpoint (Codat `PagingInfo` plus `results`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The records on this page.
    pub results: Vec<T>,
    /// This page's number, from 1.
    pub page_number: u32,
    /// The requested page size.
    pub page_size: u32,
    /// Number of records matching the query across all pages.
    pub total_results: u64,
    /// Links to this and neighbouring pages.
    #[serde(rename = "_links")]
    pub links: Links,
}

/// Codat `links` ("Hal Links").
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Links {
    /// The resource without query string.
    #[serde(rename = "self")]
    pub self_link: HalRef,
    /// This page, with its query string.
    pub current: HalRef,
    /// The next page, when there is one.
    pub next: Option<HalRef>,
    /// The previous page, when there is one.
    pub previous: Option<HalRef>,
}

/// Codat `halRef`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HalRef {
    /// A URI reference, usually a path with query string.
    pub href: String,
}

impl HalRef {
    /// A link to `href`.
    pub fn new(href: impl Into<String>) -> Self {
        HalRef { href: href.into() }
    }
}

impl<T> Page<T> {
    /// Builds a page and its links the way Codat does.
    ///
    /// `base_path` is the resource path without query string
    /// (`/companies/{id}/connections/{id}/data/commerce-customers`); `extra_query` holds further
    /// already URL-encoded query pairs (`query=...`, `orderBy=...`) kept on every link.
    /// `next` is present when records remain after this page, `previous` when `page_number > 1`.
    pub fn new(
        results: Vec<T>,
        page_number: u32,
        page_size: u32,
        total_results: u64,
        base_path: &str,
        extra_query: &[(&str, &str)],
    ) -> Self {
        let link = |page: u32| {
            let mut href = format!("{base_path}?page={page}&pageSize={page_size}");
            for (name, value) in extra_query {
                href.push('&');
                href.push_str(name);
                href.push('=');
                href.push_str(value);
            }
            HalRef { href }
        };
        let shown_so_far = u64::from(page_number) * u64::from(page_size);
        Page {
            results,
            page_number,
            page_size,
            total_results,
            links: Links {
                self_link: HalRef::new(base_path),
                current: link(page_number),
                next: (shown_so_far < total_results).then(|| link(page_number.saturating_add(1))),
                previous: (page_number > 1).then(|| link(page_number - 1)),
            },
        }
    }
}
