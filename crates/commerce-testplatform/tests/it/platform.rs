use std::collections::BTreeMap;

use commerce_model::platform::{
    ErrorAction, LinkCallback, LinkRequest, LinkedAccount, Platform, PlatformError,
};
use commerce_model::{DataType, Payment};
use commerce_testplatform::fake::FakeQuokka;
use commerce_testplatform::QuokkaPlatform;
use futures::StreamExt as _;
use secrecy::{ExposeSecret as _, SecretString};

async fn setup() -> (FakeQuokka, QuokkaPlatform) {
    let fake = FakeQuokka::start("qid", "qsecret").await.unwrap();
    fake.add_shop("cafe", 3, 3, &["eur", "jpy", "kwd"]);
    let platform =
        QuokkaPlatform::new("qid", SecretString::from("qsecret"), &fake.base_url()).unwrap();
    (fake, platform)
}

/// Follows the authorize URL (no redirects) and completes the link from the callback.
async fn link(platform: &QuokkaPlatform, shop: &str) -> Result<LinkedAccount, PlatformError> {
    let start = platform
        .begin_link(LinkRequest {
            state: "st".into(),
            redirect_uri: "http://127.0.0.1:1/oauth/quokka/callback".into(),
            params: BTreeMap::from([("shop".to_owned(), shop.to_owned())]),
        })
        .await
        .unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client.get(&start.authorize_url).send().await.unwrap();
    assert_eq!(response.status(), 302);
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.path(), "/oauth/quokka/callback");
    platform
        .complete_link(LinkCallback {
            params: location.query_pairs().into_owned().collect(),
            redirect_uri: "http://127.0.0.1:1/oauth/quokka/callback".into(),
        })
        .await
}

async fn pull_all(
    platform: &QuokkaPlatform,
    account: &LinkedAccount,
    data_type: DataType,
) -> Result<Vec<commerce_model::platform::Record>, PlatformError> {
    let mut records = Vec::new();
    let mut stream = platform.pull(account, data_type, None);
    while let Some(item) = stream.next().await {
        let batch = item?;
        records.extend(batch.records);
        if batch.complete {
            break;
        }
    }
    Ok(records)
}

#[tokio::test]
async fn links_pulls_and_maps_amounts_by_the_currency_table() {
    let (_fake, platform) = setup().await;
    let account = link(&platform, "cafe").await.unwrap();
    assert_eq!(account.external_id, "shop_cafe");
    assert_eq!(account.metadata["quokka_shop"], "cafe");
    assert!(account.access_expires_at.is_some());
    let payments = pull_all(&platform, &account, DataType::Payments)
        .await
        .unwrap();
    let amounts: Vec<(String, String)> = payments
        .iter()
        .map(|record| {
            let payment: Payment = record.to_typed().unwrap();
            (
                payment.currency.unwrap(),
                payment.amount.unwrap().to_string(),
            )
        })
        .collect();
    // 1050 EUR cents, 1150 JPY (no minor unit), 1250 KWD fils (three digits).
    assert_eq!(
        amounts,
        [
            ("EUR".to_owned(), "10.5".to_owned()),
            ("JPY".to_owned(), "1150".to_owned()),
            ("KWD".to_owned(), "1.25".to_owned()),
        ]
    );
    let customers = pull_all(&platform, &account, DataType::Customers)
        .await
        .unwrap();
    assert_eq!(customers.len(), 3);
    assert_eq!(customers[0].json["customerName"], "Customer 0");
}

#[tokio::test]
async fn an_unknown_shop_fails_the_link() {
    let (_fake, platform) = setup().await;
    let error = link(&platform, "nowhere").await.unwrap_err();
    assert!(matches!(error, PlatformError::LinkFailed { .. }), "{error}");
}

#[tokio::test]
async fn expired_access_asks_for_a_refresh_and_refresh_tokens_rotate() {
    let (fake, platform) = setup().await;
    let account = link(&platform, "cafe").await.unwrap();
    fake.expire_access_tokens();
    let error = pull_all(&platform, &account, DataType::Customers)
        .await
        .unwrap_err();
    assert_eq!(error.action(), ErrorAction::RefreshCredentials, "{error}");
    assert_eq!(fake.expired_answers(), 1);

    let refreshed = platform.refresh_credentials(&account).await.unwrap();
    assert_eq!(refreshed.metadata, account.metadata);
    let old = account.refresh_token.as_ref().unwrap().expose_secret();
    let new = refreshed.refresh_token.as_ref().unwrap().expose_secret();
    assert_ne!(old, new);
    assert!(fake.is_current_refresh_token("cafe", new));
    assert_eq!(
        pull_all(&platform, &refreshed, DataType::Customers)
            .await
            .unwrap()
            .len(),
        3
    );
    // The old refresh token was used up: refreshing with it again means linking again.
    let error = platform.refresh_credentials(&account).await.unwrap_err();
    assert_eq!(error.action(), ErrorAction::Relink, "{error}");
    assert_eq!(fake.refreshes(), 1);
    assert_eq!(fake.rejected_refreshes(), 1);
}

#[tokio::test]
async fn unsupported_types_are_refused() {
    let (_fake, platform) = setup().await;
    let account = link(&platform, "cafe").await.unwrap();
    let error = pull_all(&platform, &account, DataType::Orders)
        .await
        .unwrap_err();
    assert!(matches!(error, PlatformError::NotSupported { .. }));
}
