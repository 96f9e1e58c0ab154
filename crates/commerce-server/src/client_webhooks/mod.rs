//! Client webhooks: Codat-style events (`company.created`, `company.deleted`,
//! `connection.created`, `connection.connected`, `connection.disconnected`,
//! `connection.deleted`, `read.completed`) POSTed to every webhook consumer that subscribes to
//! them, signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`,
//! `webhook-signature`; see `docs/webhooks.md` and [`sign`]/[`verify`]).
//!
//! - Consumers are stored (`GET/POST /webhooks`, `DELETE /webhooks/{webhookId}`, module
//!   [`consumers`]), each with its own secret `whsec_...`, its event types and company tags.
//!   `COMMERCE_WEBHOOK_URL` (with `COMMERCE_WEBHOOK_SECRET`) is one more, implicit consumer
//!   of every event ([`IMPLICIT_CONSUMER_ID`]).
//! - Emitting an event is one transaction inserting a delivery per matching consumer into the
//!   store's outbox (see `commerce_store::Store::enqueue_client_event`) plus a wake-up of the
//!   dispatcher; the request or the sync that caused it never waits for a receiver.
//! - `read.completed` and the disconnections found by a sync come from the sync engine's
//!   broadcast events (`SyncEngine::subscribe`), in a task of their own ([`watcher`]).
//! - The dispatcher ([`dispatcher`]) claims due deliveries, POSTs them with a timeout, records
//!   every attempt and retries with exponential backoff and jitter until the receiver answers
//!   `2xx`, or gives up after [`ClientWebhookConfig::max_attempts`] attempts or
//!   [`ClientWebhookConfig::retry_for`] after the event.
//! - Receivers on loopback, private or link-local networks are refused unless the operator
//!   allows them ([`guard`]).
//! - `GET /webhooks/deliveries[/{deliveryId}]` ([`api`]) shows the deliveries and their attempts.
//!
//! This module must not depend on a platform crate; it sees data only through the store and
//! the sync engine.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use commerce_store::{Company, Connection, NewClientEvent, Store, WebhookConsumer};
use commerce_sync::SyncEngine;
use serde_json::{json, Map, Value};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::codat;
use crate::error::ServerError;

pub(crate) mod dispatcher;
pub(crate) mod guard;
mod signature;
pub(crate) mod watcher;

pub use self::signature::{
    sign, verify, SignatureError, WebhookSecret, ID_HEADER, MIN_SECRET_BYTES, SECRET_PREFIX,
    SIGNATURE_HEADER, TIMESTAMP_HEADER,
};

/// The id under which `COMMERCE_WEBHOOK_URL` is listed and its deliveries are kept.
pub const IMPLICIT_CONSUMER_ID: Uuid = Uuid::from_u128(1);

/// `company.created`: a company was created.
pub(crate) const COMPANY_CREATED: &str = "company.created";
/// `company.deleted`: a company was deleted.
pub(crate) const COMPANY_DELETED: &str = "company.deleted";
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

/// Every event type sent (Codat's names).
pub const EVENT_TYPES: &[&str] = &[
    COMPANY_CREATED,
    COMPANY_DELETED,
    CONNECTION_CREATED,
    CONNECTION_CONNECTED,
    CONNECTION_DISCONNECTED,
    CONNECTION_DELETED,
    READ_COMPLETED,
];

/// How client webhooks are delivered, and the implicit consumer `COMMERCE_WEBHOOK_URL`.
#[derive(Clone)]
#[non_exhaustive]
pub struct ClientWebhookConfig {
    /// `COMMERCE_WEBHOOK_URL` and `COMMERCE_WEBHOOK_SECRET`: the implicit consumer of every
    /// event, if set.
    pub receiver: Option<(url::Url, WebhookSecret)>,
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
    /// `COMMERCE_WEBHOOK_ALLOW_PRIVATE_URLS` (default false): whether consumers may point at
    /// loopback, private or link-local addresses (see `docs/webhooks.md`). The operator's own
    /// `COMMERCE_WEBHOOK_URL` is not checked.
    pub allow_private_urls: bool,
}

/// [`ClientWebhookConfig::max_attempts`]'s default.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 30;
/// [`ClientWebhookConfig::retry_for`]'s default.
pub const DEFAULT_RETRY_FOR: Duration = Duration::from_secs(24 * 60 * 60);
/// [`ClientWebhookConfig::timeout`]'s default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The most consumers created through the API (Codat's limit).
pub const MAX_CONSUMERS: usize = 50;

impl Default for ClientWebhookConfig {
    fn default() -> Self {
        ClientWebhookConfig {
            receiver: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            retry_for: DEFAULT_RETRY_FOR,
            timeout: DEFAULT_TIMEOUT,
            initial_backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(60 * 60),
            poll_interval: Duration::from_secs(5),
            allow_private_urls: false,
        }
    }
}

impl ClientWebhookConfig {
    /// The default policy, with no implicit consumer and private receivers refused.
    pub fn new() -> Self {
        ClientWebhookConfig::default()
    }

    /// Adds the implicit consumer of every event: `url`, signed with `secret`.
    pub fn with_receiver(mut self, url: url::Url, secret: WebhookSecret) -> Self {
        self.receiver = Some((url, secret));
        self
    }

    /// Allows (or refuses) consumers on loopback, private and link-local addresses.
    pub fn with_private_urls(mut self, allow: bool) -> Self {
        self.allow_private_urls = allow;
        self
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
            .field(
                "receiver",
                &self
                    .receiver
                    .as_ref()
                    .map(|(url, _)| crate::text::redact_url(url.as_str())),
            )
            .field("max_attempts", &self.max_attempts)
            .field("retry_for", &self.retry_for)
            .field("timeout", &self.timeout)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("allow_private_urls", &self.allow_private_urls)
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
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("commerce-webhooks/", env!("CARGO_PKG_VERSION")));
        if !config.allow_private_urls {
            builder = builder.dns_resolver(Arc::new(guard::PublicOnly));
        }
        let client = builder
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

    /// The consumers an event of `event_type` about `company` goes to: the implicit consumer
    /// (every event), and every enabled stored consumer whose event types and company tags
    /// match.
    pub(crate) async fn recipients(
        &self,
        event_type: &str,
        company: &Company,
    ) -> Result<Vec<Uuid>, commerce_store::StoreError> {
        let mut recipients = Vec::new();
        if self.inner.config.receiver.is_some() {
            recipients.push(IMPLICIT_CONSUMER_ID);
        }
        let tags = self.inner.store.company_tags(company.id).await?;
        recipients.extend(
            self.inner
                .store
                .list_webhook_consumers()
                .await?
                .iter()
                .filter(|consumer| subscribes(consumer, event_type, &tags))
                .map(|consumer| consumer.id),
        );
        Ok(recipients)
    }

    /// Stores an event for delivery to every consumer it matches and wakes the dispatcher.
    /// `payload` is Codat's `payload` object; the envelope adds `id`, `eventType`,
    /// `generatedDate`, `companyId` and `connectionId`. Returns the event's id.
    pub(crate) async fn emit(
        &self,
        event_type: &str,
        company: &Company,
        connection_id: Option<Uuid>,
        payload: Value,
    ) -> Result<Uuid, commerce_store::StoreError> {
        let id = Uuid::new_v4();
        let recipients = self.recipients(event_type, company).await?;
        if recipients.is_empty() {
            return Ok(id);
        }
        let mut body = Map::new();
        body.insert("id".into(), json!(id));
        body.insert("eventType".into(), json!(event_type));
        body.insert("generatedDate".into(), json!(codat::date(Utc::now())));
        body.insert("companyId".into(), json!(company.id));
        if let Some(connection_id) = connection_id {
            body.insert("connectionId".into(), json!(connection_id));
        }
        body.insert("payload".into(), payload);
        let text = Value::Object(body).to_string();
        self.inner
            .store
            .enqueue_client_event(
                &NewClientEvent::new(id, event_type, company.id, connection_id, text),
                &recipients,
            )
            .await?;
        self.inner.wake.notify_one();
        tracing::debug!(event = %id, event_type, company = %company.id, consumers = recipients.len(), "client webhook queued");
        Ok(id)
    }
}

/// Whether `consumer` receives an event of `event_type` about a company with `tags`: it is
/// enabled, lists the type (or no type at all), and lists no company tag or one the company
/// has (`tagKey:tagValue`, case-sensitive).
pub(crate) fn subscribes(
    consumer: &WebhookConsumer,
    event_type: &str,
    tags: &BTreeMap<String, String>,
) -> bool {
    if consumer.disabled {
        return false;
    }
    if !consumer.event_types.is_empty()
        && !consumer
            .event_types
            .iter()
            .any(|wanted| wanted == event_type)
    {
        return false;
    }
    match &consumer.company_tags {
        None => true,
        Some(wanted) if wanted.is_empty() => true,
        Some(wanted) => wanted.iter().any(|tag| {
            tag.split_once(':')
                .is_some_and(|(key, value)| tags.get(key).is_some_and(|have| have == value))
        }),
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

/// Reads `COMMERCE_WEBHOOK_URL`, `COMMERCE_WEBHOOK_SECRET` (required with the URL,
/// `whsec_<base64>`), `COMMERCE_WEBHOOK_MAX_ATTEMPTS`, `COMMERCE_WEBHOOK_RETRY_FOR_SECS`,
/// `COMMERCE_WEBHOOK_TIMEOUT_SECS` and `COMMERCE_WEBHOOK_ALLOW_PRIVATE_URLS` from the merged
/// settings; each problem is one line in `problems`.
pub(crate) fn config_from(
    settings: &BTreeMap<String, String>,
    problems: &mut Vec<String>,
) -> ClientWebhookConfig {
    let mut config = ClientWebhookConfig::new();
    let url = settings.get("COMMERCE_WEBHOOK_URL");
    let secret = settings.get("COMMERCE_WEBHOOK_SECRET");
    match (url, secret) {
        (None, Some(_)) => {
            problems.push("COMMERCE_WEBHOOK_SECRET is set but COMMERCE_WEBHOOK_URL is not".into())
        }
        (None, None) => {}
        (Some(url_text), secret) => {
            let url = match url::Url::parse(url_text) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                    Some(url)
                }
                _ => {
                    problems.push(format!(
                        "COMMERCE_WEBHOOK_URL {:?} must be an absolute http:// or https:// URL",
                        crate::text::redact_url(url_text)
                    ));
                    None
                }
            };
            let secret = match secret {
                None => {
                    problems.push(format!(
                        "COMMERCE_WEBHOOK_URL is set but COMMERCE_WEBHOOK_SECRET is not: give a secret `{SECRET_PREFIX}<base64 of {MIN_SECRET_BYTES} or more random bytes>` (e.g. {SECRET_PREFIX}$(openssl rand -base64 32))"
                    ));
                    None
                }
                Some(secret) => match WebhookSecret::parse(secret) {
                    Ok(secret) => Some(secret),
                    Err(error) => {
                        problems.push(format!("COMMERCE_WEBHOOK_SECRET: {error}"));
                        None
                    }
                },
            };
            if let (Some(url), Some(secret)) = (url, secret) {
                config = config.with_receiver(url, secret);
            }
        }
    }
    let mut number = |name: &str, min: u64| -> Option<u64> {
        let text = settings.get(name)?;
        match text.trim().parse::<u64>() {
            Ok(value) if value >= min => Some(value),
            _ => {
                problems.push(format!(
                    "{name} must be a whole number of at least {min}, got {text:?}"
                ));
                None
            }
        }
    };
    if let Some(max_attempts) = number("COMMERCE_WEBHOOK_MAX_ATTEMPTS", 1) {
        config.max_attempts = u32::try_from(max_attempts).unwrap_or(u32::MAX);
    }
    if let Some(seconds) = number("COMMERCE_WEBHOOK_RETRY_FOR_SECS", 1) {
        config.retry_for = Duration::from_secs(seconds);
    }
    if let Some(seconds) = number("COMMERCE_WEBHOOK_TIMEOUT_SECS", 1) {
        config.timeout = Duration::from_secs(seconds);
    }
    if let Some(text) = settings.get(ALLOW_PRIVATE_URLS) {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => config.allow_private_urls = true,
            "false" | "0" | "no" => config.allow_private_urls = false,
            _ => problems.push(format!(
                "{ALLOW_PRIVATE_URLS} must be true or false, got {text:?}"
            )),
        }
    }
    config
}

/// The setting that allows consumers on loopback, private and link-local addresses.
pub(crate) const ALLOW_PRIVATE_URLS: &str = "COMMERCE_WEBHOOK_ALLOW_PRIVATE_URLS";

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn absent_url_means_no_implicit_consumer() {
        let mut problems = Vec::new();
        let config = config_from(&settings(&[]), &mut problems);
        assert!(config.receiver.is_none());
        assert!(!config.allow_private_urls);
        assert!(problems.is_empty());
    }

    #[test]
    fn url_secret_and_limits_are_read() {
        let mut problems = Vec::new();
        let config = config_from(
            &settings(&[
                ("COMMERCE_WEBHOOK_URL", "https://hooks.example.com/codat"),
                ("COMMERCE_WEBHOOK_SECRET", SECRET),
                ("COMMERCE_WEBHOOK_MAX_ATTEMPTS", "5"),
                ("COMMERCE_WEBHOOK_RETRY_FOR_SECS", "3600"),
                ("COMMERCE_WEBHOOK_TIMEOUT_SECS", "3"),
                ("COMMERCE_WEBHOOK_ALLOW_PRIVATE_URLS", "true"),
            ]),
            &mut problems,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let (url, secret) = config.receiver.clone().unwrap();
        assert_eq!(url.as_str(), "https://hooks.example.com/codat");
        assert_eq!(secret.expose(), SECRET);
        assert_eq!(config.max_attempts, 5);
        assert_eq!(config.retry_for, Duration::from_secs(3600));
        assert_eq!(config.timeout, Duration::from_secs(3));
        assert!(config.allow_private_urls);
        assert!(!format!("{config:?}").contains("MfKQ9r8"));
    }

    #[test]
    fn problems_are_one_line_each_and_hide_the_secret() {
        let mut problems = Vec::new();
        config_from(
            &settings(&[
                ("COMMERCE_WEBHOOK_URL", "ftp://hooks.example.com"),
                ("COMMERCE_WEBHOOK_SECRET", "not-a-whsec-secret-0123"),
                ("COMMERCE_WEBHOOK_MAX_ATTEMPTS", "0"),
                ("COMMERCE_WEBHOOK_TIMEOUT_SECS", "soon"),
                ("COMMERCE_WEBHOOK_ALLOW_PRIVATE_URLS", "perhaps"),
            ]),
            &mut problems,
        );
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(!problems.join("\n").contains("not-a-whsec-secret"));

        let mut problems = Vec::new();
        config_from(
            &settings(&[("COMMERCE_WEBHOOK_URL", "https://hooks.example.com")]),
            &mut problems,
        );
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("COMMERCE_WEBHOOK_SECRET is not"));
    }

    fn consumer(
        event_types: &[&str],
        company_tags: Option<&[&str]>,
        disabled: bool,
    ) -> WebhookConsumer {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let store =
                Store::connect("sqlite::memory:", commerce_store::EncryptionKey::generate())
                    .await
                    .unwrap();
            store
                .create_webhook_consumer(
                    &commerce_store::NewWebhookConsumer::new(
                        "https://hooks.example.com",
                        secrecy::SecretString::from(SECRET),
                    )
                    .with_event_types(event_types.iter().map(|t| (*t).to_owned()).collect())
                    .with_company_tags(
                        company_tags.map(|tags| tags.iter().map(|t| (*t).to_owned()).collect()),
                    )
                    .with_disabled(disabled),
                )
                .await
                .unwrap()
        })
    }

    #[test]
    fn consumers_receive_what_they_subscribe_to() {
        let tags: BTreeMap<String, String> = [("region".to_owned(), "uk".to_owned())].into();
        let none = BTreeMap::new();
        let every = consumer(&[], None, false);
        assert!(subscribes(&every, READ_COMPLETED, &none));
        assert!(subscribes(&every, COMPANY_CREATED, &tags));
        let reads = consumer(&[READ_COMPLETED], None, false);
        assert!(subscribes(&reads, READ_COMPLETED, &none));
        assert!(!subscribes(&reads, CONNECTION_CREATED, &none));
        let disabled = consumer(&[], None, true);
        assert!(!subscribes(&disabled, READ_COMPLETED, &none));
        let uk = consumer(&[], Some(&["region:uk", "tier:gold"]), false);
        assert!(subscribes(&uk, READ_COMPLETED, &tags));
        assert!(!subscribes(&uk, READ_COMPLETED, &none));
        let us = consumer(&[], Some(&["region:us", "Region:uk"]), false);
        assert!(
            !subscribes(&us, READ_COMPLETED, &tags),
            "tags are case-sensitive"
        );
    }
}
