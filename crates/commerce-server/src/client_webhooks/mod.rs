//! Client webhooks: Codat-style events (`connection.created`, `connection.connected`,
//! `connection.disconnected`, `connection.deleted`, `read.completed`) POSTed to the client's
//! URL (`COMMERCE_WEBHOOK_URL`), signed with HMAC-SHA256 (`Commerce-Signature`, see
//! `docs/webhooks.md` and [`sign`]/[`verify`]).
//!
//! - Emitting an event is one insert into the store's outbox (see
//!   `commerce_store::Store::enqueue_client_event`) plus a wake-up of the dispatcher; the
//!   request or the sync that caused it never waits for the receiver.
//! - `read.completed` and the disconnections found by a sync come from the sync engine's
//!   broadcast events (`SyncEngine::subscribe`), in a task of their own ([`watcher`]).
//! - The dispatcher ([`dispatcher`]) claims due events, POSTs them with a timeout, records every
//!   attempt and retries with exponential backoff and jitter until the receiver answers `2xx`,
//!   or gives up after [`ClientWebhookConfig::max_attempts`] attempts or
//!   [`ClientWebhookConfig::retry_for`] after the event.
//! - `GET /webhooks/deliveries[/{eventId}]` ([`api`]) shows the events and their attempts.
//!
//! This module must not depend on a platform crate; it sees data only through the store and
//! the sync engine.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use commerce_store::{Company, Connection, NewClientEvent, Store};
use commerce_sync::SyncEngine;
use secrecy::SecretString;
use serde_json::{json, Map, Value};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::codat;
use crate::error::ServerError;
use crate::state::AppState;

pub(crate) mod api;
pub(crate) mod dispatcher;
mod signature;
pub(crate) mod watcher;

pub use self::signature::{sign, verify, SignatureError, SIGNATURE_HEADER};

/// `connection.created`: a connection was created (`PendingAuth`).
pub(crate) const CONNECTION_CREATED: &str = "connection.created";
/// `connection.connected`: the merchant linked the connection.
pub(crate) const CONNECTION_CONNECTED: &str = "connection.connected";
/// `connection.disconnected`: unlinked by the client, or access revoked at the platform.
pub(crate) const CONNECTION_DISCONNECTED: &str = "connection.disconnected";
/// `connection.deleted`: the connection (or its company) was deleted.
pub(crate) const CONNECTION_DELETED: &str = "connection.deleted";
/// `read.completed`: a connection's pulls finished (no pull of it is queued or running).
pub(crate) const READ_COMPLETED: &str = "read.completed";

/// Every event type sent.
pub const EVENT_TYPES: &[&str] = &[
    CONNECTION_CREATED,
    CONNECTION_CONNECTED,
    CONNECTION_DISCONNECTED,
    CONNECTION_DELETED,
    READ_COMPLETED,
];

/// Where and how to deliver client webhooks.
#[derive(Clone)]
#[non_exhaustive]
pub struct ClientWebhookConfig {
    /// `COMMERCE_WEBHOOK_URL`: the receiver.
    pub url: url::Url,
    /// `COMMERCE_WEBHOOK_SECRET`: the HMAC-SHA256 key.
    pub secret: SecretString,
    /// `COMMERCE_WEBHOOK_MAX_ATTEMPTS` (default 30): attempts before giving up.
    pub max_attempts: u32,
    /// `COMMERCE_WEBHOOK_RETRY_FOR_SECS` (default 24 h): no attempt is made later than this
    /// after the event.
    pub retry_for: Duration,
    /// `COMMERCE_WEBHOOK_TIMEOUT_SECS` (default 10 s): the longest one attempt may take.
    pub timeout: Duration,
    /// The delay before the second attempt (default 10 s); it doubles after each failure.
    pub initial_backoff: Duration,
    /// The longest delay between attempts (default 1 h).
    pub max_backoff: Duration,
    /// How often the dispatcher looks for due events when nothing wakes it (default 5 s;
    /// events of this process wake it at once).
    pub poll_interval: Duration,
}

/// [`ClientWebhookConfig::max_attempts`]'s default.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 30;
/// [`ClientWebhookConfig::retry_for`]'s default.
pub const DEFAULT_RETRY_FOR: Duration = Duration::from_secs(24 * 60 * 60);
/// [`ClientWebhookConfig::timeout`]'s default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The shortest `COMMERCE_WEBHOOK_SECRET` accepted.
pub const MIN_WEBHOOK_SECRET_LEN: usize = 16;

impl ClientWebhookConfig {
    /// Delivery to `url`, signed with `secret`, with the default retry policy.
    pub fn new(url: url::Url, secret: SecretString) -> Self {
        ClientWebhookConfig {
            url,
            secret,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            retry_for: DEFAULT_RETRY_FOR,
            timeout: DEFAULT_TIMEOUT,
            initial_backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(60 * 60),
            poll_interval: Duration::from_secs(5),
        }
    }

    /// Replaces the bound on attempts (at least 1).
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// Replaces how long after an event attempts may go on.
    pub fn with_retry_for(mut self, retry_for: Duration) -> Self {
        self.retry_for = retry_for;
        self
    }

    /// Replaces the timeout of one attempt.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Replaces the first delay and the longest delay between attempts.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Replaces how often the dispatcher looks for due events when nothing wakes it.
    pub fn with_poll_interval(mut self, poll_interval: Duration) -> Self {
        self.poll_interval = poll_interval;
        self
    }
}

impl fmt::Debug for ClientWebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientWebhookConfig")
            .field("url", &crate::config::redact_url(self.url.as_str()))
            .field("secret", &"[redacted]")
            .field("max_attempts", &self.max_attempts)
            .field("retry_for", &self.retry_for)
            .field("timeout", &self.timeout)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .finish_non_exhaustive()
    }
}

/// Emits client webhooks and delivers them. Cheap to clone (shared).
#[derive(Clone)]
pub struct ClientWebhooks {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: ClientWebhookConfig,
    client: reqwest::Client,
    wake: Notify,
    public_url: String,
}

impl fmt::Debug for ClientWebhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientWebhooks")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl ClientWebhooks {
    /// Webhooks kept in `store`'s outbox and delivered as `config` says, for a server reachable
    /// at `public_url` (the base of the `linkUrl` in connection payloads).
    pub fn new(
        store: Store,
        config: ClientWebhookConfig,
        public_url: impl Into<String>,
    ) -> Result<Self, ServerError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("commerce-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| ServerError::WebhookClient { source })?;
        Ok(ClientWebhooks {
            inner: Arc::new(Inner {
                store,
                config,
                client,
                wake: Notify::new(),
                public_url: public_url.into().trim_end_matches('/').to_owned(),
            }),
        })
    }

    /// The settings.
    pub fn config(&self) -> &ClientWebhookConfig {
        &self.inner.config
    }

    /// The outbox's store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Runs the dispatcher and, with `engine`, the watcher of sync events (`read.completed`,
    /// disconnections found by a sync) until `shutdown` completes. An attempt in flight at
    /// shutdown is abandoned; its event is due again once its claim lapses (the attempt's
    /// timeout plus a margin), in this process or another.
    pub async fn run<F>(&self, engine: Option<SyncEngine>, shutdown: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let wait = |mut receiver: tokio::sync::watch::Receiver<bool>| async move {
            let _ = receiver.wait_for(|stopped| *stopped).await;
        };
        let dispatch = dispatcher::run(self.clone(), wait(stopped.clone()));
        match engine {
            Some(engine) => {
                // Subscribe before anything runs so no finished dataset is missed.
                let events = engine.subscribe();
                let watch = watcher::run(self.clone(), engine, events, wait(stopped));
                tokio::join!(dispatch, watch);
            }
            None => dispatch.await,
        }
    }

    /// A connection's JSON as the API shows it (Codat's `Connection`).
    pub(crate) async fn connection_value(
        &self,
        connection: &Connection,
        engine: &SyncEngine,
    ) -> Result<Value, commerce_store::StoreError> {
        let last_sync = self
            .inner
            .store
            .data_statuses(connection.id)
            .await?
            .values()
            .filter_map(|status| status.last_successful_sync)
            .max();
        let platform = engine.registry().get(&connection.platform_key);
        Ok(codat::connection(
            connection,
            platform.as_deref(),
            &self.inner.public_url,
            last_sync,
        ))
    }

    /// Stores an event for delivery and wakes the dispatcher. `payload` is Codat's `payload`
    /// object; the envelope adds `id`, `eventType`, `generatedDate`, `companyId` and
    /// `connectionId`.
    pub(crate) async fn emit(
        &self,
        event_type: &str,
        company_id: Uuid,
        connection_id: Option<Uuid>,
        payload: Value,
    ) -> Result<Uuid, commerce_store::StoreError> {
        let id = Uuid::new_v4();
        let mut body = Map::new();
        body.insert("id".into(), json!(id));
        body.insert("eventType".into(), json!(event_type));
        body.insert("generatedDate".into(), json!(codat::date(Utc::now())));
        body.insert("companyId".into(), json!(company_id));
        if let Some(connection_id) = connection_id {
            body.insert("connectionId".into(), json!(connection_id));
        }
        body.insert("payload".into(), payload);
        let text = Value::Object(body).to_string();
        self.inner
            .store
            .enqueue_client_event(&NewClientEvent::new(
                id,
                event_type,
                company_id,
                connection_id,
                text,
            ))
            .await?;
        self.inner.wake.notify_one();
        tracing::debug!(event = %id, event_type, company = %company_id, "client webhook queued");
        Ok(id)
    }
}

/// Codat's `companyReference`.
pub(crate) fn company_reference(company: &Company) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), json!(company.id));
    object.insert("name".into(), json!(company.name));
    if let Some(description) = &company.description {
        object.insert("description".into(), json!(description));
    }
    Value::Object(object)
}

/// Emits a `connection.*` event for `connection` (its JSON as the API shows it now) when client
/// webhooks are configured. Failing to store the event is logged; it never fails the caller.
pub(crate) async fn connection_event(state: &AppState, event_type: &str, connection: &Connection) {
    let Some(hooks) = state.client_webhooks() else {
        return;
    };
    let result = async {
        let company = state.store().get_company(connection.company_id).await?;
        let payload = json!({
            "referenceCompany": company_reference(&company),
            "connection": hooks.connection_value(connection, state.engine()).await?,
        });
        hooks
            .emit(event_type, company.id, Some(connection.id), payload)
            .await
    }
    .await;
    if let Err(error) = result {
        tracing::error!(connection = %connection.id, event_type, error = %error, "could not queue a client webhook");
    }
}

/// Reads `COMMERCE_WEBHOOK_URL`, `COMMERCE_WEBHOOK_SECRET` (required with the URL, at least
/// [`MIN_WEBHOOK_SECRET_LEN`] characters), `COMMERCE_WEBHOOK_MAX_ATTEMPTS`,
/// `COMMERCE_WEBHOOK_RETRY_FOR_SECS` and `COMMERCE_WEBHOOK_TIMEOUT_SECS` from the merged
/// settings; each problem is one line in `problems`. `None` when no URL is set.
pub(crate) fn config_from(
    settings: &std::collections::BTreeMap<String, String>,
    problems: &mut Vec<String>,
) -> Option<ClientWebhookConfig> {
    let url = settings.get("COMMERCE_WEBHOOK_URL");
    let secret = settings.get("COMMERCE_WEBHOOK_SECRET");
    let Some(url_text) = url else {
        if secret.is_some() {
            problems.push("COMMERCE_WEBHOOK_SECRET is set but COMMERCE_WEBHOOK_URL is not".into());
        }
        return None;
    };
    let mut ok = true;
    let url = match url::Url::parse(url_text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Some(url),
        _ => {
            problems.push(format!(
                "COMMERCE_WEBHOOK_URL {:?} must be an absolute http:// or https:// URL",
                crate::config::redact_url(url_text)
            ));
            None
        }
    };
    let secret = match secret {
        None => {
            problems.push(
                "COMMERCE_WEBHOOK_URL is set but COMMERCE_WEBHOOK_SECRET is not: give a random secret to sign webhooks with"
                    .into(),
            );
            None
        }
        Some(secret) if secret.len() < MIN_WEBHOOK_SECRET_LEN => {
            problems.push(format!(
                "COMMERCE_WEBHOOK_SECRET is shorter than {MIN_WEBHOOK_SECRET_LEN} characters"
            ));
            None
        }
        Some(secret) => Some(SecretString::from(secret.clone())),
    };
    let mut number = |name: &str, min: u64| -> Option<u64> {
        let text = settings.get(name)?;
        match text.trim().parse::<u64>() {
            Ok(value) if value >= min => Some(value),
            _ => {
                ok = false;
                problems.push(format!(
                    "{name} must be a whole number of at least {min}, got {text:?}"
                ));
                None
            }
        }
    };
    let max_attempts = number("COMMERCE_WEBHOOK_MAX_ATTEMPTS", 1);
    let retry_for = number("COMMERCE_WEBHOOK_RETRY_FOR_SECS", 1);
    let timeout = number("COMMERCE_WEBHOOK_TIMEOUT_SECS", 1);
    let (Some(url), Some(secret), true) = (url, secret, ok) else {
        return None;
    };
    let mut config = ClientWebhookConfig::new(url, secret);
    if let Some(max_attempts) = max_attempts {
        config.max_attempts = u32::try_from(max_attempts).unwrap_or(u32::MAX);
    }
    if let Some(seconds) = retry_for {
        config.retry_for = Duration::from_secs(seconds);
    }
    if let Some(seconds) = timeout {
        config.timeout = Duration::from_secs(seconds);
    }
    Some(config)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use secrecy::ExposeSecret as _;

    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn absent_url_means_no_webhooks() {
        let mut problems = Vec::new();
        assert!(config_from(&settings(&[]), &mut problems).is_none());
        assert!(problems.is_empty());
    }

    #[test]
    fn url_secret_and_limits_are_read() {
        let mut problems = Vec::new();
        let config = config_from(
            &settings(&[
                ("COMMERCE_WEBHOOK_URL", "https://hooks.example.com/codat"),
                ("COMMERCE_WEBHOOK_SECRET", "whsec-0123456789abcdef"),
                ("COMMERCE_WEBHOOK_MAX_ATTEMPTS", "5"),
                ("COMMERCE_WEBHOOK_RETRY_FOR_SECS", "3600"),
                ("COMMERCE_WEBHOOK_TIMEOUT_SECS", "3"),
            ]),
            &mut problems,
        )
        .unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.url.as_str(), "https://hooks.example.com/codat");
        assert_eq!(config.secret.expose_secret(), "whsec-0123456789abcdef");
        assert_eq!(config.max_attempts, 5);
        assert_eq!(config.retry_for, Duration::from_secs(3600));
        assert_eq!(config.timeout, Duration::from_secs(3));
        assert!(!format!("{config:?}").contains("whsec-0123456789abcdef"));
    }

    #[test]
    fn problems_are_one_line_each_and_hide_the_secret() {
        let mut problems = Vec::new();
        let config = config_from(
            &settings(&[
                ("COMMERCE_WEBHOOK_URL", "ftp://hooks.example.com"),
                ("COMMERCE_WEBHOOK_SECRET", "short-secret"),
                ("COMMERCE_WEBHOOK_MAX_ATTEMPTS", "0"),
                ("COMMERCE_WEBHOOK_TIMEOUT_SECS", "soon"),
            ]),
            &mut problems,
        );
        assert!(config.is_none());
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(!problems.join("\n").contains("short-secret"));

        let mut problems = Vec::new();
        config_from(
            &settings(&[("COMMERCE_WEBHOOK_URL", "https://hooks.example.com")]),
            &mut problems,
        );
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("COMMERCE_WEBHOOK_SECRET is not"));
    }
}
