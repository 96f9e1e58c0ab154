//! [`SharedBudgetAdapter`]: a `commerce_model` [`RateBudgetStore`] (the store's table of rate
//! budgets on PostgreSQL) used as the `stripe_client` [`SharedBudget`] a client reserves its
//! request slots in, so several processes spend one budget per Stripe account.

use std::sync::Arc;
use std::time::Duration;

use commerce_model::rate_budget::RateBudgetStore;
use futures::future::BoxFuture;
use stripe_client::{SharedBudget, SharedBudgetError};

/// Lets a [`RateBudgetStore`] serve as a `stripe_client` [`SharedBudget`]: budget names and
/// slots pass through unchanged.
#[derive(Clone)]
pub struct SharedBudgetAdapter {
    inner: Arc<dyn RateBudgetStore>,
}

impl SharedBudgetAdapter {
    /// Wraps a rate budget store.
    pub fn new(inner: Arc<dyn RateBudgetStore>) -> Self {
        Self { inner }
    }
}

impl std::fmt::Debug for SharedBudgetAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedBudgetAdapter")
            .finish_non_exhaustive()
    }
}

impl SharedBudget for SharedBudgetAdapter {
    fn reserve<'a>(
        &'a self,
        name: &'a str,
        slots: u32,
        interval: Duration,
    ) -> BoxFuture<'a, Result<Duration, SharedBudgetError>> {
        self.inner.reserve_slots(name, slots, interval)
    }
}
