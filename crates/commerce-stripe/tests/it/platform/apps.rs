//! Stripe Apps OAuth through `StripePlatform` against the sandbox: the install link, the code
//! exchange, requests with the account's access token, refresh on `api_key_expired`, and when
//! to refresh.

use std::collections::BTreeMap;
use std::time::Duration;

use commerce_model::platform::{LinkCallback, LinkRequest, Platform, PlatformError};
use commerce_model::DataType;
use futures::StreamExt;
use secrecy::ExposeSecret;

use super::{platform_for, start, REDIRECT_URI};

#[tokio::test]
async fn link_pull_expiry_and_refresh_through_a_stripe_app() {
    let env = start(10, |config| config.access_ttl = Duration::from_secs(1)).await;
    let info = env.sandbox.info();
    let platform = platform_for(env.sandbox.base_url(), &info.test.client_id, &env.key, None)
        .with_app_install_url(&info.test.app_install_url)
        .unwrap();
    assert_eq!(platform.link_method(), "app");

    let start = platform
        .begin_link(LinkRequest {
            state: "st-9".to_owned(),
            redirect_uri: REDIRECT_URI.to_owned(),
            params: BTreeMap::new(),
        })
        .await
        .unwrap();
    let url = url::Url::parse(&start.authorize_url).unwrap();
    let query: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    assert!(query.contains_key("install_link"), "{url}");
    assert_eq!(query["client_id"], info.test.client_id);
    assert_eq!(query["redirect_uri"], REDIRECT_URI);
    assert_eq!(query["state"], "st-9");

    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    let params: BTreeMap<String, String> = location.query_pairs().into_owned().collect();
    let account = platform
        .complete_link(LinkCallback {
            params,
            redirect_uri: REDIRECT_URI.to_owned(),
        })
        .await
        .unwrap();
    assert_eq!(account.external_id, info.test_accounts()[0]);
    assert!(account.refresh_token.is_some());
    let expires_at = account.access_expires_at.unwrap();
    // One-second tokens are refreshed in their last quarter only.
    assert!(!platform.needs_refresh(&account, expires_at - chrono::Duration::milliseconds(500)));
    assert!(platform.needs_refresh(&account, expires_at - chrono::Duration::milliseconds(200)));

    let batch = platform
        .pull(&account, DataType::Customers, None)
        .next()
        .await
        .unwrap()
        .unwrap();
    assert!(!batch.records.is_empty());
    // The account's own token, without Stripe-Account.
    let requests = env.sandbox.requests();
    let last = requests
        .iter()
        .rev()
        .find(|request| request.path == "/v1/customers")
        .unwrap();
    assert_eq!(last.account, None);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let error = platform
        .pull(&account, DataType::Customers, None)
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(error, PlatformError::AccessExpired { .. }),
        "{error}"
    );
    let refreshed = platform.refresh_credentials(&account).await.unwrap();
    assert_ne!(
        refreshed.refresh_token.as_ref().unwrap().expose_secret(),
        account.refresh_token.as_ref().unwrap().expose_secret()
    );
    assert_eq!(refreshed.metadata, account.metadata);
    assert!(platform
        .pull(&refreshed, DataType::Customers, None)
        .next()
        .await
        .unwrap()
        .is_ok());
    // The old refresh token is dead: link again, with no token in the message.
    let error = platform.refresh_credentials(&account).await.unwrap_err();
    assert!(
        matches!(error, PlatformError::RelinkNeeded { .. }),
        "{error}"
    );
    let message = error.to_string();
    assert!(message.contains("link"), "{message}");
    assert!(!message.contains(account.refresh_token.as_ref().unwrap().expose_secret()));
}

#[tokio::test]
async fn connect_accounts_are_not_refreshed() {
    let env = start(10, |_| {}).await;
    assert_eq!(env.platform.link_method(), "connect");
    assert!(!env.platform.needs_refresh(&env.account, chrono::Utc::now()));
    let error = env
        .platform
        .refresh_credentials(&env.account)
        .await
        .unwrap_err();
    assert!(
        matches!(error, PlatformError::Unsupported { .. }),
        "{error}"
    );
}
