//! The delivery loop: claims due deliveries from the outbox, POSTs each to its consumer with
//! the Standard Webhooks headers and a timeout, records the attempt and what follows
//! (delivered, retry at a later time with exponential backoff and jitter, or give up). A
//! delivery whose consumer was deleted or disabled, or whose receiver is on a private network
//! that is not allowed, is given up at once with the reason recorded.

use std::future::Future;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use commerce_store::{AttemptOutcome, ClientEvent, DeliveryAttempt, StoreError};
use secrecy::ExposeSecret as _;

use super::guard::{check_literal_ip, PrivateAddress};
use super::{
    sign, ClientWebhookConfig, ClientWebhooks, WebhookSecret, ID_HEADER, IMPLICIT_CONSUMER_ID,
    SIGNATURE_HEADER, TIMESTAMP_HEADER,
};

/// Events claimed (and attempted concurrently) at a time.
const BATCH: u32 = 16;
/// Added to the attempt's timeout to form the claim's lease.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// The delay before attempt `failed + 1`, after `failed` failed attempts: `initial * 2^(failed-1)`
/// capped at `max`, then a random point in its upper half (jitter, so receivers coming back are
/// not hit by every sender at once).
pub(crate) fn backoff(
    config: &ClientWebhookConfig,
    failed: u32,
    rng: &mut impl rand::Rng,
) -> Duration {
    let exponent = failed.saturating_sub(1).min(30);
    let full = config
        .initial_backoff
        .saturating_mul(1u32 << exponent)
        .min(config.max_backoff);
    let full_ms = u64::try_from(full.as_millis()).unwrap_or(u64::MAX);
    if full_ms < 2 {
        return full;
    }
    Duration::from_millis(rng.gen_range(full_ms / 2..=full_ms))
}

/// What follows a failed attempt on `event` (whose `attempts` does not count it yet).
pub(crate) fn after_failure(
    config: &ClientWebhookConfig,
    event: &ClientEvent,
    now: DateTime<Utc>,
    rng: &mut impl rand::Rng,
) -> AttemptOutcome {
    let failed = event.attempts.saturating_add(1);
    if failed >= config.max_attempts {
        return AttemptOutcome::GiveUp;
    }
    let delay =
        chrono::Duration::from_std(backoff(config, failed, rng)).unwrap_or(chrono::Duration::MAX);
    let deadline = event.created
        + chrono::Duration::from_std(config.retry_for).unwrap_or(chrono::Duration::MAX);
    match now.checked_add_signed(delay) {
        Some(next) if next <= deadline => AttemptOutcome::RetryAt(next),
        _ => AttemptOutcome::GiveUp,
    }
}

/// Runs until `shutdown` completes.
pub(crate) async fn run<F>(hooks: ClientWebhooks, shutdown: F)
where
    F: Future<Output = ()> + Send,
{
    tokio::pin!(shutdown);
    let config = hooks.config().clone();
    let lease = config.timeout + LEASE_MARGIN;
    loop {
        let claimed = hooks
            .store()
            .claim_due_client_events(Utc::now(), lease, BATCH)
            .await;
        let wait = match claimed {
            Ok(events) if !events.is_empty() => {
                let deliveries = futures::future::join_all(
                    events.into_iter().map(|event| deliver(&hooks, event)),
                );
                tokio::select! {
                    _ = deliveries => continue,
                    () = &mut shutdown => return,
                }
            }
            Ok(_) => match hooks.store().next_client_event_due().await {
                Ok(Some(due)) => (due - Utc::now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .min(config.poll_interval),
                Ok(None) => config.poll_interval,
                Err(error) => {
                    tracing::error!(error = %error, "reading the webhook outbox failed");
                    config.poll_interval
                }
            },
            Err(error) => {
                tracing::error!(error = %error, "claiming client webhooks failed");
                config.poll_interval
            }
        };
        tokio::select! {
            () = hooks.inner.wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
            () = &mut shutdown => return,
        }
    }
}

/// Why a delivery cannot be sent now, and whether that is final (no later attempt would do
/// better) rather than worth a retry.
struct NoTarget(String, bool);

impl NoTarget {
    fn final_(reason: impl Into<String>) -> Self {
        NoTarget(reason.into(), true)
    }
}

/// Where a delivery goes: its consumer's URL and secret, or why it cannot go anywhere.
async fn target(
    hooks: &ClientWebhooks,
    event: &ClientEvent,
) -> Result<(url::Url, WebhookSecret), NoTarget> {
    let config = hooks.config();
    let consumer = event.consumer_id.unwrap_or(IMPLICIT_CONSUMER_ID);
    if consumer == IMPLICIT_CONSUMER_ID {
        // The operator's own COMMERCE_WEBHOOK_URL: not subject to the private-network guard.
        return config
            .receiver
            .clone()
            .ok_or_else(|| NoTarget::final_("COMMERCE_WEBHOOK_URL is no longer set"));
    }
    let (consumer, secret) = match hooks.store().webhook_consumer_secret(consumer).await {
        Ok(Some(found)) => found,
        Ok(None) => return Err(NoTarget::final_("the webhook consumer was deleted")),
        Err(error) => {
            // Perhaps the database is briefly unreachable: retried like a failed attempt.
            tracing::error!(delivery = %event.id, error = %error, "reading a webhook consumer failed");
            return Err(NoTarget(
                "the webhook consumer could not be read".to_owned(),
                false,
            ));
        }
    };
    if consumer.disabled {
        return Err(NoTarget::final_("the webhook consumer is disabled"));
    }
    let url = url::Url::parse(&consumer.url)
        .map_err(|_| NoTarget::final_("the webhook consumer's URL is not valid"))?;
    if !config.allow_private_urls {
        // Names are checked by the client's resolver, on the addresses it connects to.
        check_literal_ip(&url).map_err(|refused| NoTarget::final_(refused.to_string()))?;
    }
    let secret = WebhookSecret::parse(secret.expose_secret())
        .map_err(|_| NoTarget::final_("the webhook consumer's secret is not valid"))?;
    Ok((url, secret))
}

/// One attempt on `event`, recorded with its outcome.
async fn deliver(hooks: &ClientWebhooks, event: ClientEvent) {
    let config = hooks.config();
    let attempted_at = Utc::now();
    let started = Instant::now();
    let (status_code, error, final_error) = match target(hooks, &event).await {
        Err(NoTarget(reason, is_final)) => (None, Some(reason), is_final),
        Ok((url, secret)) => post(hooks, &event, url, &secret, attempted_at).await,
    };
    let attempt = DeliveryAttempt::new(attempted_at, status_code, error.clone(), started.elapsed());
    let outcome = match &error {
        None => AttemptOutcome::Delivered,
        Some(_) if final_error => AttemptOutcome::GiveUp,
        Some(_) => after_failure(config, &event, Utc::now(), &mut rand::thread_rng()),
    };
    match hooks
        .store()
        .record_delivery_attempt(event.id, &attempt, outcome)
        .await
    {
        Ok(updated) => match outcome {
            AttemptOutcome::Delivered => {
                tracing::debug!(event = %event.id, attempts = updated.attempts, "client webhook delivered")
            }
            AttemptOutcome::GiveUp => {
                tracing::warn!(event = %event.id, attempts = updated.attempts, error = error.as_deref().unwrap_or(""), "client webhook given up")
            }
            _ => {
                tracing::info!(event = %event.id, attempts = updated.attempts, error = error.as_deref().unwrap_or(""), "client webhook will be retried")
            }
        },
        Err(StoreError::InvalidTransition { .. }) => {
            tracing::debug!(event = %event.id, "client webhook finished elsewhere");
        }
        Err(error) => {
            tracing::error!(event = %event.id, error = %error, "recording a webhook attempt failed");
        }
    }
}

/// POSTs the event to `url` signed with `secret`: the receiver's status, what went wrong, and
/// whether that is final (the receiver's address is refused).
async fn post(
    hooks: &ClientWebhooks,
    event: &ClientEvent,
    url: url::Url,
    secret: &WebhookSecret,
    attempted_at: DateTime<Utc>,
) -> (Option<u16>, Option<String>, bool) {
    let event_id = event.event_id.to_string();
    let timestamp = attempted_at.timestamp();
    let signature = match sign(secret, &event_id, timestamp, event.body.as_bytes()) {
        Ok(signature) => signature,
        Err(error) => return (None, Some(error.to_string()), true),
    };
    let response = hooks
        .inner
        .client
        .post(url)
        .timeout(hooks.config().timeout)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(ID_HEADER, event_id)
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signature)
        .body(event.body.clone())
        .send()
        .await;
    match response {
        Ok(response) => {
            let status = response.status();
            if status.is_success() {
                (Some(status.as_u16()), None, false)
            } else {
                (
                    Some(status.as_u16()),
                    Some(format!("the receiver answered {status}")),
                    false,
                )
            }
        }
        Err(error) => match refusal(&error) {
            Some(refused) => (None, Some(refused.to_string()), true),
            None => (None, Some(describe(&error)), false),
        },
    }
}

/// The guard's refusal of the receiver's resolved address, if that is what failed.
fn refusal(error: &reqwest::Error) -> Option<&PrivateAddress> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<PrivateAddress>() {
            return Some(refused);
        }
        source = cause.source();
    }
    None
}

/// A transport error in words, without the URL (it may carry a token).
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the receiver did not answer in time".to_owned()
    } else if error.is_connect() {
        "could not connect to the receiver".to_owned()
    } else {
        let mut text = format!("request failed: {}", WithoutUrl(error));
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        text
    }
}

struct WithoutUrl<'a>(&'a reqwest::Error);

impl std::fmt::Display for WithoutUrl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_body() {
            f.write_str("error sending the body")
        } else if self.0.is_request() {
            f.write_str("error sending the request")
        } else if self.0.is_decode() {
            f.write_str("error reading the response")
        } else {
            f.write_str("error")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng as _;

    fn config() -> ClientWebhookConfig {
        ClientWebhookConfig::new().with_backoff(Duration::from_secs(10), Duration::from_secs(3600))
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let config = config();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for failed in 1..=20u32 {
            let full = (10u64 << (failed - 1).min(20)).min(3600);
            for _ in 0..50 {
                let delay = backoff(&config, failed, &mut rng).as_millis() as u64;
                assert!(
                    delay >= full * 500 && delay <= full * 1000,
                    "attempt {failed}: {delay} ms for {full} s"
                );
            }
        }
        // Jitter: not always the same delay.
        let delays: std::collections::BTreeSet<u128> = (0..20)
            .map(|_| backoff(&config, 3, &mut rng).as_millis())
            .collect();
        assert!(delays.len() > 1);
    }

    /// A stored event (`ClientEvent` is non-exhaustive), from an in-memory SQLite store.
    fn event(attempts: u32, created: DateTime<Utc>) -> ClientEvent {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut event = runtime.block_on(async {
            let store = commerce_store::Store::connect(
                "sqlite::memory:",
                commerce_store::EncryptionKey::generate(),
            )
            .await
            .unwrap();
            store
                .enqueue_client_event(
                    &commerce_store::NewClientEvent::new(
                        uuid::Uuid::new_v4(),
                        "read.completed",
                        uuid::Uuid::new_v4(),
                        None,
                        "{}",
                    ),
                    &[IMPLICIT_CONSUMER_ID],
                )
                .await
                .unwrap()
                .remove(0)
        });
        event.attempts = attempts;
        event.created = created;
        event
    }

    #[test]
    fn gives_up_after_max_attempts_or_after_the_time_bound() {
        let config = config().with_max_attempts(3);
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let now = Utc::now();
        assert!(matches!(
            after_failure(&config, &event(0, now), now, &mut rng),
            AttemptOutcome::RetryAt(at) if at > now
        ));
        assert!(matches!(
            after_failure(&config, &event(1, now), now, &mut rng),
            AttemptOutcome::RetryAt(_)
        ));
        // The third failure is the last allowed attempt.
        assert_eq!(
            after_failure(&config, &event(2, now), now, &mut rng),
            AttemptOutcome::GiveUp
        );
        // Within the attempt bound but past the time bound: give up.
        let config = config
            .with_max_attempts(100)
            .with_retry_for(Duration::from_secs(60));
        let old = now - chrono::Duration::seconds(55);
        assert_eq!(
            after_failure(&config, &event(0, old), now, &mut rng),
            AttemptOutcome::GiveUp,
            "a retry 5..10 s later would be past the 60 s bound"
        );
        assert!(matches!(
            after_failure(&config, &event(0, now), now, &mut rng),
            AttemptOutcome::RetryAt(_)
        ));
    }
}
