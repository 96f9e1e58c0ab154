//! Stripe's list semantics, generic over any object with an id and a `created` time:
//! newest first, `limit`, `starting_after` / `ending_before`, `created[...]` filters, `has_more`.
//!
//! A collection is a lazily generated sequence (index 0 newest, `created` non-increasing with
//! the index) plus an overlay of changes made after start: objects added (newer than every
//! generated one), replaced or deleted. A page costs the same at any depth: the cursor id
//! names its slot directly and `created` ranges are found by binary search.
//! Depends on nothing HTTP-specific except the error type it answers with.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::error::ApiFailure;
use crate::ids::Slot;

/// An object a list can serve.
pub(crate) trait ListItem: Serialize + Clone + Send + Sync + 'static {
    /// The object's id.
    fn item_id(&self) -> &str;
    /// When the object was created (unix seconds).
    fn item_created(&self) -> i64;
}

/// Changes made to a collection after start.
#[derive(Debug, Clone)]
pub(crate) struct Overlay<T> {
    /// Objects created after start, oldest first (`Slot::Added(n)` is `added[n]`).
    pub(crate) added: Vec<T>,
    /// Replaced versions of objects, by slot.
    pub(crate) modified: HashMap<Slot, T>,
    /// Deleted objects, by slot.
    pub(crate) deleted: HashSet<Slot>,
}

impl<T> Default for Overlay<T> {
    fn default() -> Self {
        Self {
            added: Vec::new(),
            modified: HashMap::new(),
            deleted: HashSet::new(),
        }
    }
}

impl<T> Overlay<T> {
    /// Adds a new object, returning its slot.
    pub(crate) fn add(&mut self, item: T) -> Slot {
        self.added.push(item);
        Slot::Added(self.added.len() as u64 - 1)
    }

    /// Replaces the object in `slot`.
    pub(crate) fn replace(&mut self, slot: Slot, item: T) {
        match slot {
            Slot::Added(index) => {
                if let Some(existing) = usize::try_from(index)
                    .ok()
                    .and_then(|index| self.added.get_mut(index))
                {
                    *existing = item;
                }
            }
            Slot::Generated(_) => {
                self.modified.insert(slot, item);
            }
        }
    }

    /// Marks the object in `slot` deleted.
    pub(crate) fn delete(&mut self, slot: Slot) {
        self.deleted.insert(slot);
    }
}

/// A collection of one resource of one account.
pub(crate) struct Collection<'a, T> {
    /// How many generated slots exist.
    pub(crate) len: u64,
    /// `created` of a generated slot (cheap; non-increasing with the index).
    pub(crate) created_at: &'a dyn Fn(u64) -> i64,
    /// The generated object of a slot, `None` for a slot without an object.
    pub(crate) build: &'a dyn Fn(u64) -> Option<T>,
    /// Whether a generated slot holds an object (ignoring the overlay); cheaper than `build`.
    pub(crate) exists: &'a dyn Fn(u64) -> bool,
    /// Changes since start.
    pub(crate) overlay: &'a Overlay<T>,
}

/// One object of a page: built, or a generated slot left for the caller to render.
#[derive(Debug, Clone)]
pub(crate) enum Entry<T> {
    /// The object, built (from the overlay or the generator).
    Object(T),
    /// Generated slot `n`, unchanged since start and known to hold an object.
    Generated(u64),
}

/// Which objects a page may hold.
pub(crate) enum Keep<'a, T> {
    /// Every object: generated slots are not built, they come back as [`Entry::Generated`].
    All,
    /// Only objects passing the test (every candidate is built).
    Matching(&'a dyn Fn(&T) -> bool),
}

/// Validated list parameters.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListParams {
    pub(crate) limit: usize,
    pub(crate) starting_after: Option<String>,
    pub(crate) ending_before: Option<String>,
    /// Inclusive lower bound on `created`.
    pub(crate) created_min: Option<i64>,
    /// Inclusive upper bound on `created`.
    pub(crate) created_max: Option<i64>,
    /// Endpoint-specific filters, as sent (`types[]` may repeat).
    pub(crate) filters: Vec<(String, String)>,
}

impl ListParams {
    /// The values of filter `name`.
    pub(crate) fn filter_values(&self, name: &str) -> Vec<&str> {
        self.filters
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// The first value of filter `name`.
    pub(crate) fn filter(&self, name: &str) -> Option<&str> {
        self.filters
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Parses the query string of a list request. `allowed` names the endpoint's extra filters.
pub(crate) fn parse_list_params(query: &str, allowed: &[&str]) -> Result<ListParams, ApiFailure> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|_| ApiFailure::invalid(None, None, "Invalid query string."))?;
    let mut params = ListParams {
        limit: 10,
        ..ListParams::default()
    };
    for (key, value) in pairs {
        match key.as_str() {
            "limit" => {
                let limit: i64 = value.parse().map_err(|_| {
                    ApiFailure::invalid(
                        Some("parameter_invalid_integer"),
                        Some("limit"),
                        format!("Invalid integer: {value}"),
                    )
                })?;
                if limit < 1 {
                    return Err(ApiFailure::invalid(
                        Some("parameter_invalid_integer"),
                        Some("limit"),
                        "This value must be greater than or equal to 1.",
                    ));
                }
                if limit > 100 {
                    return Err(ApiFailure::invalid(
                        Some("parameter_invalid_integer"),
                        Some("limit"),
                        "This value must be less than or equal to 100.",
                    ));
                }
                params.limit = usize::try_from(limit).unwrap_or(100);
            }
            "starting_after" => params.starting_after = Some(value),
            "ending_before" => params.ending_before = Some(value),
            "created" | "created[gt]" | "created[gte]" | "created[lt]" | "created[lte]" => {
                let time: i64 = value.parse().map_err(|_| {
                    ApiFailure::invalid(
                        Some("parameter_invalid_integer"),
                        Some(&key),
                        format!("Invalid integer: {value}"),
                    )
                })?;
                let (min, max) = match key.as_str() {
                    "created" => (Some(time), Some(time)),
                    "created[gt]" => (Some(time.saturating_add(1)), None),
                    "created[gte]" => (Some(time), None),
                    "created[lt]" => (None, Some(time.saturating_sub(1))),
                    _ => (None, Some(time)),
                };
                if let Some(min) = min {
                    params.created_min = Some(params.created_min.map_or(min, |old| old.max(min)));
                }
                if let Some(max) = max {
                    params.created_max = Some(params.created_max.map_or(max, |old| old.min(max)));
                }
            }
            "expand[]" | "expand" => {}
            other if other.starts_with("expand[") => {}
            other if allowed.contains(&other) => params.filters.push((key, value)),
            other => {
                return Err(ApiFailure::invalid(
                    Some("parameter_unknown"),
                    Some(other),
                    format!("Received unknown parameter: {other}"),
                ))
            }
        }
    }
    if params.starting_after.is_some() && params.ending_before.is_some() {
        return Err(ApiFailure::invalid(
            None,
            None,
            "Received both starting_after and ending_before parameters. Please pass in only one.",
        ));
    }
    Ok(params)
}

impl<T: ListItem> Collection<'_, T> {
    fn added_len(&self) -> u64 {
        self.overlay.added.len() as u64
    }

    fn total(&self) -> u64 {
        self.added_len() + self.len
    }

    fn slot_at(&self, position: u64) -> Slot {
        let added = self.added_len();
        if position < added {
            Slot::Added(added - 1 - position)
        } else {
            Slot::Generated(position - added)
        }
    }

    fn position_of(&self, slot: Slot) -> Option<u64> {
        match slot {
            Slot::Added(index) if index < self.added_len() => Some(self.added_len() - 1 - index),
            Slot::Generated(index) if index < self.len => Some(self.added_len() + index),
            _ => None,
        }
    }

    fn created_at_position(&self, position: u64) -> i64 {
        match self.slot_at(position) {
            Slot::Added(index) => usize::try_from(index)
                .ok()
                .and_then(|index| self.overlay.added.get(index))
                .map_or(i64::MIN, ListItem::item_created),
            Slot::Generated(index) => (self.created_at)(index),
        }
    }

    /// The object in `slot`, unless it does not exist or was deleted.
    pub(crate) fn get(&self, slot: Slot) -> Option<T> {
        if self.overlay.deleted.contains(&slot) {
            return None;
        }
        match slot {
            Slot::Added(index) => usize::try_from(index)
                .ok()
                .and_then(|index| self.overlay.added.get(index))
                .cloned(),
            Slot::Generated(index) if index < self.len => match self.overlay.modified.get(&slot) {
                Some(item) => Some(item.clone()),
                None => (self.build)(index),
            },
            Slot::Generated(_) => None,
        }
    }

    /// Whether `slot` holds an object with id `id` (a generated slot's id is checked by the
    /// caller's `locate`, so it is not built here).
    fn holds(&self, slot: Slot, id: &str) -> bool {
        if self.overlay.deleted.contains(&slot) {
            return false;
        }
        match slot {
            Slot::Added(_) => self.get(slot).is_some_and(|item| item.item_id() == id),
            Slot::Generated(index) => {
                index < self.len
                    && (self.overlay.modified.contains_key(&slot) || (self.exists)(index))
            }
        }
    }

    /// The entry at `position`, if it holds an object that `keep` keeps.
    fn entry(&self, position: u64, keep: &Keep<'_, T>) -> Option<Entry<T>> {
        let slot = self.slot_at(position);
        match (keep, slot) {
            (Keep::All, Slot::Generated(index))
                if !self.overlay.deleted.contains(&slot)
                    && !self.overlay.modified.contains_key(&slot) =>
            {
                (index < self.len && (self.exists)(index)).then_some(Entry::Generated(index))
            }
            (Keep::All, _) => self.get(slot).map(Entry::Object),
            (Keep::Matching(keep), _) => {
                self.get(slot).filter(|item| keep(item)).map(Entry::Object)
            }
        }
    }

    /// The first position whose `created` satisfies `keep_going == false` (binary search).
    fn partition(&self, keep_going: impl Fn(i64) -> bool) -> u64 {
        let (mut low, mut high) = (0, self.total());
        while low < high {
            let middle = low + (high - low) / 2;
            if keep_going(self.created_at_position(middle)) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        low
    }

    fn cursor_position(
        &self,
        id: &str,
        param: &str,
        object: &str,
        locate: &dyn Fn(&str) -> Option<Slot>,
    ) -> Result<u64, ApiFailure> {
        locate(id)
            .filter(|slot| self.holds(*slot, id))
            .and_then(|slot| self.position_of(slot))
            .ok_or_else(|| ApiFailure::missing(object, id, Some(param)))
    }

    /// One page: the objects, newest first, and whether more exist in the paging direction.
    ///
    /// `candidates`, when given, are the only positions that can match (ascending, i.e.
    /// newest first), from an index such as "the prices of one product"; the page then costs
    /// O(candidates) instead of a walk over the whole collection.
    pub(crate) fn page(
        &self,
        params: &ListParams,
        object: &str,
        locate: &dyn Fn(&str) -> Option<Slot>,
        keep: &Keep<'_, T>,
        candidates: Option<&[u64]>,
    ) -> Result<(Vec<Entry<T>>, bool), ApiFailure> {
        // Positions [first, end) hold the objects inside the `created` range.
        let first = match params.created_max {
            Some(max) => self.partition(|created| created > max),
            None => 0,
        };
        let end = match params.created_min {
            Some(min) => self.partition(|created| created >= min),
            None => self.total(),
        };
        let mut items = Vec::with_capacity(params.limit + 1);
        if let Some(before) = &params.ending_before {
            let cursor = self.cursor_position(before, "ending_before", object, locate)?;
            let (low, high) = (first, cursor.min(end));
            // Walk back from the cursor, newest last.
            let positions: Box<dyn Iterator<Item = u64>> = match candidates {
                Some(candidates) => Box::new(
                    candidates
                        .iter()
                        .rev()
                        .copied()
                        .filter(move |position| (low..high).contains(position)),
                ),
                None => Box::new((low..high).rev()),
            };
            for position in positions {
                if items.len() > params.limit {
                    break;
                }
                if let Some(entry) = self.entry(position, keep) {
                    items.push(entry);
                }
            }
            let has_more = items.len() > params.limit;
            items.truncate(params.limit);
            items.reverse();
            return Ok((items, has_more));
        }
        let start = match &params.starting_after {
            Some(after) => {
                (self.cursor_position(after, "starting_after", object, locate)? + 1).max(first)
            }
            None => first,
        };
        let positions: Box<dyn Iterator<Item = u64>> = match candidates {
            Some(candidates) => Box::new(
                candidates
                    .iter()
                    .copied()
                    .filter(move |position| (start..end).contains(position)),
            ),
            None => Box::new(start..end),
        };
        for position in positions {
            if items.len() > params.limit {
                break;
            }
            if let Some(entry) = self.entry(position, keep) {
                items.push(entry);
            }
        }
        let has_more = items.len() > params.limit;
        items.truncate(params.limit);
        Ok((items, has_more))
    }

    /// The position of `slot` (for callers building `candidates`).
    pub(crate) fn position(&self, slot: Slot) -> Option<u64> {
        self.position_of(slot)
    }
}
