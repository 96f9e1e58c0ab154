//! [`RateBudgetStore`]: request slots of platforms' API rate budgets, shared by every process
//! using one database.
//!
//! A platform's client may be limited per account (Stripe: 25 or 100 requests/s). When several
//! `serve`/`worker` processes pull for the same account, each must spend only its share, so
//! they reserve slots in one place: the store implements this trait on PostgreSQL, and a
//! platform crate adapts it to its client. Names are opaque to the store.
//!
//! This module must not name any platform.

use std::time::Duration;

use async_trait::async_trait;

use crate::platform::BoxError;

/// A timeline of request slots per budget name, kept where every process sees it.
///
/// A reservation of `slots` slots `interval` apart starts at the later of the budget's next
/// free slot and now (the store's clock), and moves the next free slot `slots * interval` on
/// (the generic cell rate algorithm): every process's slots interleave without overlap, and an
/// idle budget does not bank a burst.
#[async_trait]
pub trait RateBudgetStore: Send + Sync {
    /// Reserves `slots` consecutive slots `interval` apart in budget `name`; answers how long
    /// from now the first slot starts (zero when it starts now).
    async fn reserve_slots(
        &self,
        name: &str,
        slots: u32,
        interval: Duration,
    ) -> Result<Duration, BoxError>;
}
