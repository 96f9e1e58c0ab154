//! The OAuth `state`: what it is bound to, where it is kept between the redirect to Stripe
//! and the callback ([`StateStore`]), and the clock that decides when it expires.
//!
//! The store is deliberately minimal and Stripe-agnostic (strings and a [`SystemTime`]) so
//! that a database-backed store in a crate that must not depend on `stripe-*` crates can be
//! adapted to it in a few lines. The flow, not the store, checks expiry and binding.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::StateStoreError;

/// Default lifetime of an issued state: 10 minutes.
pub const DEFAULT_STATE_TTL: Duration = Duration::from_secs(10 * 60);

/// What a state was issued for: the company and the connection being linked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StateBinding {
    /// The company id.
    pub company_id: String,
    /// The connection id.
    pub connection_id: String,
}

impl StateBinding {
    /// Binds a state to a company and one of its connections.
    pub fn new(company_id: impl Into<String>, connection_id: impl Into<String>) -> Self {
        Self {
            company_id: company_id.into(),
            connection_id: connection_id.into(),
        }
    }

    /// Constant-time equality (lengths may leak, contents do not).
    pub(crate) fn ct_eq(&self, other: &Self) -> bool {
        let company = self
            .company_id
            .as_bytes()
            .ct_eq(other.company_id.as_bytes());
        let connection = self
            .connection_id
            .as_bytes()
            .ct_eq(other.connection_id.as_bytes());
        (company & connection).into()
    }
}

/// A state as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedState {
    /// What it was issued for.
    pub binding: StateBinding,
    /// When it stops being accepted.
    pub expires_at: SystemTime,
}

/// Keeps issued states between the authorize redirect and the callback.
///
/// Contract:
/// - `state_key` is a digest of the state (lowercase hex SHA-256), never the state itself, so
///   a leaked store does not hand out usable states. Store it as an opaque string.
/// - `save` records a new key; keys are random, so a collision means a bug or an attack and
///   an implementation may overwrite or fail.
/// - `take` atomically removes and returns the record for `state_key`, or `None` if there is
///   none. Two concurrent `take`s of one key must not both get `Some`: this is what makes a
///   state single use across processes.
/// - Implementations need not check expiry or binding (the flow does) and may drop expired
///   records at any time.
#[async_trait]
pub trait StateStore: Send + Sync {
    /// Records an issued state.
    async fn save(
        &self,
        state_key: &str,
        binding: &StateBinding,
        expires_at: SystemTime,
    ) -> Result<(), StateStoreError>;

    /// Removes and returns the record for `state_key`.
    async fn take(&self, state_key: &str) -> Result<Option<IssuedState>, StateStoreError>;
}

/// Tells the time; injected so tests can control expiry.
pub trait Clock: Send + Sync {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
}

/// The system wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A wall clock that advances with tokio's clock: it reads the system time once, then adds the
/// time elapsed on [`tokio::time::Instant`]. Under `#[tokio::test(start_paused = true)]`,
/// `tokio::time::advance` moves it forward, which is how expiry is tested.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    started_at: SystemTime,
    started: tokio::time::Instant,
}

impl TokioClock {
    /// Starts the clock at the current system time.
    pub fn new() -> Self {
        Self {
            started_at: SystemTime::now(),
            started: tokio::time::Instant::now(),
        }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    fn now(&self) -> SystemTime {
        self.started_at + self.started.elapsed()
    }
}

/// An in-memory [`StateStore`] for a single process (tests, the demo, one-machine servers).
///
/// States do not survive a restart and are not shared between processes; use a
/// database-backed store for that. Expired records are dropped on every `save`, judged by the
/// store's clock, so the map cannot grow without bound.
#[derive(Clone)]
pub struct MemoryStateStore {
    states: Arc<Mutex<HashMap<String, IssuedState>>>,
    clock: Arc<dyn Clock>,
}

impl MemoryStateStore {
    /// An empty store on the system clock.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// An empty store whose expiry sweeps use `clock`.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self {
            states: Arc::new(Mutex::new(HashMap::new())),
            clock,
        }
    }

    /// How many states are currently held (issued, not yet taken or swept).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no state is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, IssuedState>> {
        // A poisoned lock only means another thread panicked mid-operation; the map itself
        // is always in a consistent state (single insert/remove calls), so keep using it.
        self.states
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Default for MemoryStateStore {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for MemoryStateStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStateStore")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl StateStore for MemoryStateStore {
    async fn save(
        &self,
        state_key: &str,
        binding: &StateBinding,
        expires_at: SystemTime,
    ) -> Result<(), StateStoreError> {
        let now = self.clock.now();
        let mut states = self.lock();
        states.retain(|_, issued| issued.expires_at > now);
        states.insert(
            state_key.to_owned(),
            IssuedState {
                binding: binding.clone(),
                expires_at,
            },
        );
        Ok(())
    }

    async fn take(&self, state_key: &str) -> Result<Option<IssuedState>, StateStoreError> {
        Ok(self.lock().remove(state_key))
    }
}

/// The key a state is stored under: lowercase hex SHA-256 of the state.
///
/// Looking states up by digest means the lookup's timing says nothing useful about the state
/// (an attacker would need SHA-256 preimages), which is why no byte-by-byte comparison of the
/// raw state ever happens.
pub(crate) fn state_key(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}
