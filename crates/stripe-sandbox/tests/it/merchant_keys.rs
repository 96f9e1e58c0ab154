//! Merchants' own keys: seeded secret and restricted keys read their account without
//! `Stripe-Account`; a restricted key without a permission gets Stripe's 403.

use reqwest::StatusCode;
use serde_json::Value;

use crate::start;

#[tokio::test]
async fn restricted_keys_read_what_their_permissions_allow() {
    let env = start(20, |_| {}).await;
    let info = env.sandbox.info();
    let seeded = info
        .merchant_keys
        .iter()
        .find(|keys| keys.account == env.account)
        .unwrap()
        .clone();
    assert!(seeded.restricted_key.starts_with("rk_test_"));
    assert!(seeded.secret_key.starts_with("sk_test_"));

    // The seeded keys read the merchant's own account, without Stripe-Account.
    for key in [&seeded.restricted_key, &seeded.secret_key] {
        let account: Value = env
            .http
            .get(format!("{}/v1/account", env.sandbox.base_url()))
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(account["id"], env.account.as_str());
    }

    // A key with only some permissions: disputes are refused in Stripe's words.
    let key = env
        .sandbox
        .create_restricted_key(&env.account, &["rak_account_read", "rak_charge_read"])
        .unwrap();
    let charges = env
        .http
        .get(format!("{}/v1/charges?limit=3", env.sandbox.base_url()))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(charges.status(), StatusCode::OK);
    let disputes = env
        .http
        .get(format!("{}/v1/disputes", env.sandbox.base_url()))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(disputes.status(), StatusCode::FORBIDDEN);
    let body: Value = disputes.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    let tail = &key[key.len() - 4..];
    assert_eq!(
        message,
        format!(
            "The provided key 'rk_test_************{tail}' does not have the required permissions for this endpoint on account '{}'. Having the 'rak_dispute_read' permission would allow this request to continue.",
            env.account
        )
    );
    assert!(!message.contains(&key));

    // The control route makes keys too, and refuses unknown permissions.
    let made: Value = env
        .http
        .post(format!(
            "{}/_sandbox/restricted_keys",
            env.sandbox.base_url()
        ))
        .json(&serde_json::json!({"account": env.account, "permissions": ["rak_customer_read"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(made["key"].as_str().unwrap().starts_with("rk_test_"));
    let refused = env
        .http
        .post(format!(
            "{}/_sandbox/restricted_keys",
            env.sandbox.base_url()
        ))
        .json(&serde_json::json!({"account": env.account, "permissions": ["rak_everything"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

    // The info JSON lists the seeded keys.
    let json = info.to_json();
    assert_eq!(
        json["merchant_keys"][0]["restricted_key"],
        info.merchant_keys[0].restricted_key.as_str()
    );
}
