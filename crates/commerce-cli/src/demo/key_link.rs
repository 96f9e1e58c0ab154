//! `commerce demo --link key`: links the demo's connection with the merchant's restricted API
//! key (`rk_test_...`, seeded by the sandbox with every read permission the sync uses), pasted
//! through Codat's `PUT /companies/{companyId}/connections/{connectionId}/authorization`, as a
//! client would after the merchant handed the key over. No OAuth redirect is involved.

use anyhow::{anyhow, Context as _};
use serde_json::json;
use stripe_sandbox::SandboxInfo;

use super::Api;
use crate::say;

/// Links `connection_id` with the seeded restricted key of `account`.
pub(super) async fn link(
    api: &Api,
    info: &SandboxInfo,
    account: &str,
    company_id: &str,
    connection_id: &str,
) -> anyhow::Result<()> {
    let keys = info
        .merchant_keys
        .iter()
        .find(|keys| keys.account == account)
        .ok_or_else(|| anyhow!("the sandbox has no keys for {account}"))?;
    let key = &keys.restricted_key;
    let tail: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    say(&format!(
        "  Pasting the merchant's restricted key rk_test_...{tail} (PUT .../authorization)"
    ));
    api.send(
        api.http
            .put(format!(
                "{}/companies/{company_id}/connections/{connection_id}/authorization",
                api.base
            ))
            .json(&json!({ "apiKey": key })),
        "linking with the API key",
    )
    .await
    .context("the server refused the key")?;
    Ok(())
}
