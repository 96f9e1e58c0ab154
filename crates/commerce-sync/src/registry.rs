//! The platforms the engine can pull from, by key and alias.

use std::collections::BTreeMap;
use std::sync::Arc;

use commerce_model::platform::Platform;

/// Platforms by key (and by each of their aliases), as `Arc<dyn Platform>`.
///
/// A connection's `platform_key` is looked up here; a later registration under the same key
/// replaces the earlier one.
#[derive(Clone, Default)]
pub struct PlatformRegistry {
    by_key: BTreeMap<String, Arc<dyn Platform>>,
    primary: Vec<Arc<dyn Platform>>,
}

impl PlatformRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a platform under its key, its Codat key and its aliases (all from its
    /// `PlatformInfo`).
    pub fn register(&mut self, platform: Arc<dyn Platform>) -> &mut Self {
        let key = platform.key().as_str().to_owned();
        self.primary
            .retain(|existing| existing.key().as_str() != key.as_str());
        for alias in platform.info().all_keys() {
            self.by_key
                .insert(alias.as_str().to_owned(), Arc::clone(&platform));
        }
        self.by_key.insert(key, Arc::clone(&platform));
        self.primary.push(platform);
        self
    }

    /// Builder form of [`PlatformRegistry::register`].
    pub fn with(mut self, platform: Arc<dyn Platform>) -> Self {
        self.register(platform);
        self
    }

    /// The platform registered under `key` (a key or an alias).
    pub fn get(&self, key: &str) -> Option<Arc<dyn Platform>> {
        self.by_key.get(key).cloned()
    }

    /// Every registered platform once, in registration order.
    pub fn platforms(&self) -> impl Iterator<Item = &Arc<dyn Platform>> {
        self.primary.iter()
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.primary.is_empty()
    }
}

impl std::fmt::Debug for PlatformRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformRegistry")
            .field("keys", &self.by_key.keys().collect::<Vec<_>>())
            .finish()
    }
}
