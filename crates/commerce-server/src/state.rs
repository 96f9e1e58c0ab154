//! The state shared by every request: the sync engine (which holds the store and the platform
//! registry), the API keys, the public URL and the link-state store.

use std::sync::Arc;
use std::time::Duration;

use commerce_model::platform::{LinkStateStore, Platform};
use commerce_store::Store;
use commerce_sync::{PlatformRegistry, SyncEngine};

use crate::auth::ApiKeys;
use crate::client_webhooks::ClientWebhooks;
use crate::edge::HttpLimits;

/// How long a link URL's OAuth `state` stays valid by default.
pub const DEFAULT_LINK_STATE_TTL: Duration = Duration::from_secs(15 * 60);

/// Everything the handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) engine: SyncEngine,
    pub(crate) api_keys: ApiKeys,
    pub(crate) public_url: String,
    pub(crate) link_states: Arc<dyn LinkStateStore>,
    pub(crate) link_state_ttl: Duration,
    pub(crate) client_webhooks: Option<ClientWebhooks>,
    pub(crate) http_limits: HttpLimits,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("public_url", &self.inner.public_url)
            .field("api_keys", &self.inner.api_keys)
            .field("link_state_ttl", &self.inner.link_state_ttl)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State for a server on `engine` (its store and platform registry), accepting `api_keys`,
    /// reachable at `public_url` (the base of link URLs and OAuth redirect URIs, e.g.
    /// `https://commerce.example.com`). OAuth states are kept in the engine's store.
    pub fn new(engine: SyncEngine, api_keys: ApiKeys, public_url: impl Into<String>) -> AppState {
        let link_states: Arc<dyn LinkStateStore> = Arc::new(engine.store().clone());
        AppState {
            inner: Arc::new(Inner {
                engine,
                api_keys,
                public_url: public_url.into().trim_end_matches('/').to_owned(),
                link_states,
                link_state_ttl: DEFAULT_LINK_STATE_TTL,
                client_webhooks: None,
                http_limits: HttpLimits::default(),
            }),
        }
    }

    /// Replaces how long a link's OAuth `state` stays valid.
    pub fn with_link_state_ttl(self, ttl: Duration) -> AppState {
        self.map(|inner| Inner {
            link_state_ttl: ttl,
            ..inner
        })
    }

    /// Replaces where OAuth states are kept (the default is the engine's store).
    pub fn with_link_state_store(self, link_states: Arc<dyn LinkStateStore>) -> AppState {
        self.map(|inner| Inner {
            link_states,
            ..inner
        })
    }

    /// Sends client webhooks (connection events) through `hooks`; run [`ClientWebhooks::run`]
    /// beside the server to deliver them and to emit `read.completed`.
    pub fn with_client_webhooks(self, hooks: ClientWebhooks) -> AppState {
        self.map(|inner| Inner {
            client_webhooks: Some(hooks),
            ..inner
        })
    }

    /// Replaces the HTTP edge's limits (timeouts, connection cap, body size; see
    /// [`HttpLimits`]), used by [`crate::build_router`] and [`crate::serve_http`].
    pub fn with_http_limits(self, limits: HttpLimits) -> AppState {
        self.map(|inner| Inner {
            http_limits: limits,
            ..inner
        })
    }

    /// The HTTP edge's limits.
    pub fn http_limits(&self) -> HttpLimits {
        self.inner.http_limits
    }

    /// The client webhooks, when configured.
    pub fn client_webhooks(&self) -> Option<&ClientWebhooks> {
        self.inner.client_webhooks.as_ref()
    }

    fn map(self, change: impl FnOnce(Inner) -> Inner) -> AppState {
        let inner = match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner,
            Err(shared) => Inner {
                engine: shared.engine.clone(),
                api_keys: shared.api_keys.clone(),
                public_url: shared.public_url.clone(),
                link_states: shared.link_states.clone(),
                link_state_ttl: shared.link_state_ttl,
                client_webhooks: shared.client_webhooks.clone(),
                http_limits: shared.http_limits,
            },
        };
        AppState {
            inner: Arc::new(change(inner)),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        self.inner.engine.store()
    }

    /// The sync engine.
    pub fn engine(&self) -> &SyncEngine {
        &self.inner.engine
    }

    /// The platforms.
    pub fn platforms(&self) -> &PlatformRegistry {
        self.inner.engine.registry()
    }

    /// The public base URL, without trailing slash.
    pub fn public_url(&self) -> &str {
        &self.inner.public_url
    }

    pub(crate) fn platform(&self, key: &str) -> Option<Arc<dyn Platform>> {
        self.platforms().get(key)
    }
}
