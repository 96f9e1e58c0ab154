//! `cargo xtask fixtures record`: pages a Stripe test-mode account into `fixtures/stripe/*/recorded.json`.
//!
//! Reads through `stripe-client` (pinned `Stripe-Version`, rate limit, retries) with the platform's test
//! key (`STRIPE_TEST_SECRET_KEY`, `sk_test_...` or `rk_test_...`) under `Stripe-Account: <connected
//! account>`, from `STRIPE_API_BASE` (default `https://api.stripe.com`). Objects are kept as raw JSON.
//! Personal data (emails, phones, people's names, street addresses, IPs) is scrubbed, secrets Stripe
//! echoes (`client_secret`, receipt URLs) are removed, and no file is written if any of them still holds
//! something that looks like a key or token.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use futures::{StreamExt, TryStreamExt};
use secrecy::SecretString;
use serde_json::{json, Map, Value};
use stripe_client::{ClientConfig, ListParams, StripeClient};

/// What to record and where from.
pub(crate) struct RecordConfig {
    /// The Stripe API base URL, without a trailing `/v1`.
    pub(crate) api_base: String,
    /// The platform's test-mode secret key.
    pub(crate) secret_key: String,
    /// The connected account to read (`acct_...`).
    pub(crate) account: String,
    /// Where `<resource>/recorded.json` files go (normally `fixtures/stripe`).
    pub(crate) out_dir: PathBuf,
    /// At most this many pages of 100 per list endpoint.
    pub(crate) max_pages: usize,
}

/// The list endpoints recorded, and the fixture directory each one goes to.
const LISTS: &[(&str, &str)] = &[
    ("customer", "/v1/customers"),
    ("dispute", "/v1/disputes"),
    ("charge", "/v1/charges"),
    ("refund", "/v1/refunds"),
    ("payment_intent", "/v1/payment_intents"),
    ("product", "/v1/products"),
    ("product", "/v1/prices"),
    ("balance_transaction", "/v1/balance_transactions"),
];

/// Strings that must never reach a fixture file. `rk_` is checked with its mode suffix so words like
/// `bookmark_` do not trip it.
const FORBIDDEN: &[&str] = &[
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "Bearer ",
    "whsec_",
    "access_token",
    "refresh_token",
    "_secret_",
];

/// Reads the key, account and base URL from the environment and the command line, then records.
pub(crate) fn record_from_env(args: &[String], root: &Path) -> Result<()> {
    let secret_key = std::env::var("STRIPE_TEST_SECRET_KEY")
        .context("set STRIPE_TEST_SECRET_KEY to the platform's test-mode secret key")?;
    let account = args
        .iter()
        .find(|arg| arg.starts_with("acct_"))
        .cloned()
        .or_else(|| std::env::var("STRIPE_ACCOUNT").ok())
        .context(
            "give the connected account id (`acct_...`) as an argument or in STRIPE_ACCOUNT",
        )?;
    let api_base =
        std::env::var("STRIPE_API_BASE").unwrap_or_else(|_| "https://api.stripe.com".to_owned());
    let config = RecordConfig {
        api_base,
        secret_key,
        account,
        out_dir: root.join("fixtures/stripe"),
        max_pages: 5,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let written = runtime.block_on(record(&config))?;
    for path in written {
        println!("wrote {}", path.display());
    }
    println!("now run `cargo xtask fixtures regen` and review both diffs before committing");
    Ok(())
}

/// Records every resource, scrubs it, checks it for secrets, and only then writes the files.
pub(crate) async fn record(config: &RecordConfig) -> Result<Vec<PathBuf>> {
    if !(config.secret_key.starts_with("sk_test_") || config.secret_key.starts_with("rk_test_")) {
        bail!("recording needs a test-mode key (`sk_test_...` or `rk_test_...`); live keys are refused");
    }
    if !config.account.starts_with("acct_") {
        bail!("the connected account id must start with `acct_`");
    }
    let client_config = ClientConfig::builder(SecretString::from(config.secret_key.clone()))
        .api_base(config.api_base.clone())
        .build()
        .context("configuring the Stripe client")?;
    let platform = StripeClient::new(client_config).context("building the Stripe client")?;
    let merchant = platform
        .on_behalf_of(&config.account)
        .context("setting Stripe-Account")?;
    let mut documents: BTreeMap<&str, Vec<Value>> = BTreeMap::new();

    let account: Value = merchant
        .get("/v1/account", &[])
        .await
        .context("GET /v1/account")?;
    let balance: Value = merchant
        .get("/v1/balance", &[])
        .await
        .context("GET /v1/balance")?;
    documents.insert("account", vec![account, balance]);

    for (resource, path) in LISTS {
        let pages: Vec<stripe_client::Page<Value>> = merchant
            .list(path, ListParams::new())
            .take(config.max_pages)
            .try_collect()
            .await
            .with_context(|| format!("GET {path}"))?;
        let data: Vec<Value> = pages.into_iter().flat_map(|page| page.data).collect();
        documents.entry(resource).or_default().push(json!({
            "object": "list",
            "data": data,
            "has_more": false,
            "url": path,
        }));
    }

    let mut files = Vec::new();
    for (resource, mut values) in documents {
        for value in &mut values {
            scrub(value, None);
        }
        let document = if values.len() == 1 {
            values.remove(0)
        } else {
            Value::Array(values)
        };
        let mut text = serde_json::to_string_pretty(&sort_keys(document))?;
        text.push('\n');
        let path = config.out_dir.join(resource).join("recorded.json");
        files.push((path, text));
    }

    let mut refused = Vec::new();
    for (path, text) in &files {
        for needle in FORBIDDEN {
            if text.contains(needle) {
                refused.push(format!(
                    "{} still contains `{}`",
                    path.display(),
                    needle.trim()
                ));
            }
        }
    }
    if !refused.is_empty() {
        bail!("refusing to write fixtures: {}", refused.join("; "));
    }

    let mut written = Vec::new();
    for (path, text) in files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Replaces personal data with fixed stand-ins, in place. `object` is the nearest enclosing Stripe
/// object name, so a product keeps its `name` while a customer's is replaced.
pub(crate) fn scrub(value: &mut Value, object: Option<&str>) {
    match value {
        Value::Array(items) => {
            for item in items {
                scrub(item, object);
            }
        }
        Value::Object(map) => {
            let own_object = map.get("object").and_then(Value::as_str).map(str::to_owned);
            let object = own_object.as_deref().or(object);
            let is_address = map.contains_key("line1") && map.contains_key("postal_code");
            for (key, field) in map.iter_mut() {
                if field.is_null() {
                    continue;
                }
                if let Some(replacement) = replacement(key, object, is_address) {
                    *field = replacement;
                } else {
                    scrub(field, object);
                }
            }
        }
        _ => {}
    }
}

fn replacement(key: &str, object: Option<&str>, is_address: bool) -> Option<Value> {
    let keeps_name = matches!(object, Some("product" | "price" | "plan" | "tax_rate"));
    match key {
        "email" | "receipt_email" | "support_email" | "customer_email_address" => {
            Some(json!("person@example.com"))
        }
        "phone" | "support_phone" => Some(json!("+15555550100")),
        "name" | "customer_name" | "first_name" | "last_name" | "display_name" if !keeps_name => {
            Some(json!("Redacted Name"))
        }
        "line1" if is_address => Some(json!("1 Example Street")),
        "line2" if is_address => Some(Value::Null),
        "postal_code" if is_address => Some(json!("00000")),
        "ip" | "customer_purchase_ip" | "user_agent" => Some(Value::Null),
        "client_secret" | "receipt_url" | "hosted_invoice_url" => Some(Value::Null),
        "fingerprint" | "last4" | "dynamic_last4" => Some(json!("0000")),
        _ => None,
    }
}

fn sort_keys(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        Value::Object(map) => {
            let sorted: BTreeMap<String, Value> = map
                .into_iter()
                .map(|(key, field)| (key, sort_keys(field)))
                .collect();
            Value::Object(sorted.into_iter().collect::<Map<String, Value>>())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests;
