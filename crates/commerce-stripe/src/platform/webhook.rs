//! Reading Connect webhook deliveries: signature check, then what the event means for the service.

use commerce_model::platform::{
    PlatformError, Record, RecordIssue, WebhookOutcome, WebhookRequest,
};
use commerce_model::DataType;
use stripe_connect::webhook::SIGNATURE_HEADER;
use stripe_connect::ConnectError;
use stripe_wire::{Event, EventObject};

use super::changes::{Changes, ChargedIntent};
use super::StripePlatform;

/// A verified webhook event and what it means.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StripeWebhook {
    /// The event id (`evt_...`): deliveries can repeat, dedupe on it.
    pub event_id: String,
    /// The event type, e.g. `charge.succeeded`.
    pub event_type: String,
    /// When the event happened (unix seconds).
    pub created: i64,
    /// The connected account (`acct_...`) the event is about, if any.
    pub account: Option<String>,
    /// What the service must do.
    pub outcome: WebhookOutcome,
    /// For customer, dispute and payment events: the changed record, mapped from the event's
    /// copy of the object, to upsert (or delete) at once. Products need their prices and company
    /// info the balance, so their events bring no records (pull incrementally instead).
    pub changes: Option<WebhookChanges>,
}

/// Records changed by one webhook event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookChanges {
    /// Their data type.
    pub data_type: DataType,
    /// Records to upsert (`sourceModifiedDate` = the event's `created` unless the mapping sets
    /// one).
    pub records: Vec<Record>,
    /// Ids of records to delete.
    pub deleted_ids: Vec<String>,
    /// The object, if it could not be mapped.
    pub issues: Vec<RecordIssue>,
}

/// The data type an event type changes, if any.
pub(crate) fn data_type_of_event(event_type: &str) -> Option<DataType> {
    if event_type.starts_with("charge.dispute.") {
        return Some(DataType::Disputes);
    }
    let family = event_type.split('.').next().unwrap_or_default();
    match family {
        "customer" if event_type.matches('.').count() == 1 => Some(DataType::Customers),
        "charge" | "refund" | "payment_intent" => Some(DataType::Payments),
        "product" | "price" => Some(DataType::Products),
        "account" | "balance" if !event_type.starts_with("account.application.") => {
            Some(DataType::CompanyInfo)
        }
        _ => None,
    }
}

impl StripePlatform {
    /// Verifies a webhook delivery against the integration's webhook secrets and interprets it.
    ///
    /// - a missing or bad `Stripe-Signature`, or a body that is not an event:
    ///   [`PlatformError::InvalidWebhook`]; no secret configured: [`PlatformError::Unsupported`];
    /// - `account.application.deauthorized`: [`WebhookOutcome::AccountDeauthorized`];
    /// - customer, dispute, payment, product, price, account and balance events of a connected
    ///   account: [`WebhookOutcome::RecordsChanged`], with [`StripeWebhook::changes`] for the
    ///   first three;
    /// - anything else, or an event of the other mode: [`WebhookOutcome::Ignored`].
    pub fn interpret_webhook(
        &self,
        request: &WebhookRequest,
    ) -> Result<StripeWebhook, PlatformError> {
        if self.webhooks.is_empty() {
            return Err(PlatformError::Unsupported {
                what: "webhooks without a configured signing secret",
            });
        }
        let signature =
            request
                .header(SIGNATURE_HEADER)
                .ok_or_else(|| PlatformError::InvalidWebhook {
                    reason: "no Stripe-Signature header".to_owned(),
                })?;
        let now = self.clock.now();
        let mut last_error = None;
        let mut event = None;
        for endpoint in &self.webhooks {
            match endpoint.construct_event(&request.body, signature, now) {
                Ok(parsed) => {
                    event = Some(parsed);
                    break;
                }
                Err(error @ ConnectError::WebhookPayload { .. }) => {
                    return Err(PlatformError::InvalidWebhook {
                        reason: error.to_string(),
                    })
                }
                Err(error) => last_error = Some(error),
            }
        }
        let event = event.ok_or_else(|| PlatformError::InvalidWebhook {
            reason: last_error
                .map(|error| error.to_string())
                .unwrap_or_else(|| "no signature matches".to_owned()),
        })?;
        Ok(self.interpret_event(event))
    }

    fn interpret_event(&self, event: Event) -> StripeWebhook {
        let mut webhook = StripeWebhook {
            event_id: event.id.clone(),
            event_type: event.event_type.clone(),
            created: event.created,
            account: event.account.clone(),
            outcome: WebhookOutcome::Ignored {
                reason: format!("event type {}", event.event_type),
            },
            changes: None,
        };
        if event.livemode != self.mode.is_live() {
            webhook.outcome = WebhookOutcome::Ignored {
                reason: format!(
                    "a {} event sent to the {} integration",
                    if event.livemode { "live" } else { "test" },
                    super::display_name(self.mode)
                ),
            };
            return webhook;
        }
        let Some(account) = event.account.clone() else {
            webhook.outcome = WebhookOutcome::Ignored {
                reason: format!("{} is not about a connected account", event.event_type),
            };
            return webhook;
        };
        if event.event_type == "account.application.deauthorized" {
            webhook.outcome = WebhookOutcome::AccountDeauthorized {
                external_account_id: account,
            };
            return webhook;
        }
        let Some(data_type) = data_type_of_event(&event.event_type) else {
            return webhook;
        };
        webhook.outcome = WebhookOutcome::RecordsChanged {
            external_account_id: account,
            data_types: vec![data_type],
        };
        if matches!(
            data_type,
            DataType::Customers | DataType::Disputes | DataType::Payments
        ) && !matches!(event.data.object, EventObject::Other(_))
        {
            let mut changes = Changes::default();
            changes.apply_event(&event, ChargedIntent::Delete);
            webhook.changes = Some(WebhookChanges {
                data_type,
                records: changes.records,
                deleted_ids: changes.deleted_ids,
                issues: changes.issues,
            });
        }
        webhook
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_map_to_data_types() {
        let cases = [
            ("customer.created", Some(DataType::Customers)),
            ("customer.deleted", Some(DataType::Customers)),
            ("customer.subscription.created", None),
            ("charge.dispute.closed", Some(DataType::Disputes)),
            ("charge.succeeded", Some(DataType::Payments)),
            ("charge.refund.updated", Some(DataType::Payments)),
            ("refund.created", Some(DataType::Payments)),
            ("payment_intent.canceled", Some(DataType::Payments)),
            ("price.updated", Some(DataType::Products)),
            ("product.deleted", Some(DataType::Products)),
            ("account.updated", Some(DataType::CompanyInfo)),
            ("balance.available", Some(DataType::CompanyInfo)),
            ("account.application.deauthorized", None),
            ("payout.paid", None),
            ("invoice.paid", None),
        ];
        for (event_type, expected) in cases {
            assert_eq!(data_type_of_event(event_type), expected, "{event_type}");
        }
    }
}
