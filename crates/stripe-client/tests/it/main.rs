#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]
//! Integration tests of `stripe-client` against one wiremock server per test, and its
//! paging against `stripe-sandbox` (`sandbox`).

mod config;
mod paging;
mod redaction;
mod requests;
mod retries;
mod sandbox;
mod wire_types;

use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::json;
use stripe_client::{ClientConfig, ClientConfigBuilder, RetryPolicy, StripeClient};
use wiremock::MockServer;

/// The platform key every test uses.
pub(crate) const KEY: &str = "sk_test_51SecretPlatformKeyForTests";

/// A small stand-in for a Stripe resource.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Charge {
    pub(crate) id: String,
    pub(crate) amount: i64,
}

impl stripe_wire::HasId for Charge {
    fn id(&self) -> &str {
        &self.id
    }
}

pub(crate) fn charge_json(id: &str, amount: i64) -> serde_json::Value {
    json!({"id": id, "object": "charge", "amount": amount, "currency": "usd"})
}

pub(crate) fn list_json(ids: &[&str], has_more: bool) -> serde_json::Value {
    let data: Vec<_> = ids.iter().map(|id| charge_json(id, 100)).collect();
    json!({"object": "list", "data": data, "has_more": has_more, "url": "/v1/charges"})
}

pub(crate) fn error_json(error_type: &str, code: Option<&str>, message: &str) -> serde_json::Value {
    let mut error = json!({"type": error_type, "message": message});
    if let Some(code) = code {
        error["code"] = json!(code);
    }
    json!({ "error": error })
}

/// A config pointed at the mock server with fast retries (1 ms base, 5 ms cap) and no
/// meaningful rate limit.
pub(crate) fn config(server: &MockServer) -> ClientConfigBuilder {
    ClientConfig::builder(SecretString::from(KEY))
        .api_base(server.uri())
        .rate_limit(1000)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
        )
}

pub(crate) fn client(server: &MockServer) -> StripeClient {
    StripeClient::new(config(server).build().unwrap()).unwrap()
}
