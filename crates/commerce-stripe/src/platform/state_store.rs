//! [`LinkStateStoreAdapter`]: a `commerce_model` [`LinkStateStore`] (the store's database table of
//! link states) used as the `stripe_connect` [`StateStore`] that `ConnectFlow` keeps its OAuth
//! states in.

use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use commerce_model::platform::{LinkBinding, LinkStateStore};
use stripe_connect::{IssuedState, StateBinding, StateStore, StateStoreError};

/// Lets a [`LinkStateStore`] serve as a `stripe_connect` [`StateStore`].
///
/// `stripe_connect` hands the store a digest of each state (`state_key`, lowercase hex SHA-256),
/// which is kept as the link store's opaque state text; bindings and expiry times are converted
/// one to one. Single use comes from [`LinkStateStore::take`], which removes atomically.
#[derive(Clone)]
pub struct LinkStateStoreAdapter {
    inner: Arc<dyn LinkStateStore>,
}

impl LinkStateStoreAdapter {
    /// Wraps a link-state store.
    pub fn new(inner: Arc<dyn LinkStateStore>) -> Self {
        Self { inner }
    }
}

impl std::fmt::Debug for LinkStateStoreAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkStateStoreAdapter")
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl StateStore for LinkStateStoreAdapter {
    async fn save(
        &self,
        state_key: &str,
        binding: &StateBinding,
        expires_at: SystemTime,
    ) -> Result<(), StateStoreError> {
        let binding = LinkBinding {
            company_id: binding.company_id.clone(),
            connection_id: binding.connection_id.clone(),
        };
        self.inner
            .save(state_key, binding, DateTime::<Utc>::from(expires_at))
            .await
            .map_err(StateStoreError::new)
    }

    async fn take(&self, state_key: &str) -> Result<Option<IssuedState>, StateStoreError> {
        let taken = self
            .inner
            .take(state_key)
            .await
            .map_err(StateStoreError::new)?;
        Ok(taken.map(|(binding, expires_at)| IssuedState {
            binding: StateBinding::new(binding.company_id, binding.connection_id),
            expires_at: SystemTime::from(expires_at),
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use commerce_model::platform::MemoryLinkStateStore;

    use super::*;

    #[tokio::test]
    async fn saves_and_takes_once_with_binding_and_expiry() {
        let adapter = LinkStateStoreAdapter::new(Arc::new(MemoryLinkStateStore::default()));
        let expires_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let binding = StateBinding::new("company-1", "connection-1");
        adapter
            .save("abc123", &binding, expires_at)
            .await
            .expect("save");
        let taken = adapter.take("abc123").await.expect("take").expect("saved");
        assert_eq!(taken.binding, binding);
        assert_eq!(taken.expires_at, expires_at);
        assert!(adapter.take("abc123").await.expect("take").is_none());
        assert!(adapter.take("other").await.expect("take").is_none());
    }
}
