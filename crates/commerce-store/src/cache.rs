//! Results cached per (connection, data type) while the records they were computed from are
//! unchanged (see [`VersionedCache`]).

/// The most entries a [`VersionedCache`] keeps before it starts over.
const VERSIONED_CACHE_ENTRIES: usize = 1024;

/// Results computed over one (connection, data type)'s records — filtered counts (`totalResults`
/// of a page with a `query`) and per-day totals (charts) — each kept with the
/// `record_counts.version` of that (connection, data type) when it was computed: an entry is
/// used only while that version is unchanged, so any write to those records (by any process,
/// the version lives in the database) makes it stale. Shared by clones of the store.
pub(crate) struct VersionedCache<V> {
    entries: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<CacheKey, (i64, V)>>>,
}

/// (connection, data type, the computation's SQL with its binds).
pub(crate) type CacheKey = (uuid::Uuid, &'static str, String);

impl<V> Clone for VersionedCache<V> {
    fn clone(&self) -> Self {
        Self {
            entries: std::sync::Arc::clone(&self.entries),
        }
    }
}

impl<V> Default for VersionedCache<V> {
    fn default() -> Self {
        Self {
            entries: std::sync::Arc::default(),
        }
    }
}

impl<V: Clone> VersionedCache<V> {
    /// The value stored for `key` at `version`, if any.
    pub(crate) fn get(&self, key: &CacheKey, version: i64) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(cached_version, _)| *cached_version == version)
            .map(|(_, value)| value.clone())
    }

    /// Remembers `value` for `key` at `version`. The caller must have read `version` BEFORE
    /// computing, so a write in between leaves an entry under a version never seen again.
    pub(crate) fn put(&self, key: CacheKey, version: i64, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= VERSIONED_CACHE_ENTRIES && !entries.contains_key(&key) {
                entries.clear();
            }
            entries.insert(key, (version, value));
        }
    }
}
