//! End to end against `stripe-sandbox` with the real `StripePlatform`: link over HTTP with
//! redirects followed, initial sync, every data route validated against Codat's schemas, signed
//! webhook deliveries (changed records, deauthorization).

use std::sync::Arc;
use std::time::Duration;

use commerce_model::platform::{MemoryLinkStateStore, Platform};
use commerce_model::schema_check::CodatSchemas;
use commerce_model::DataType;
use commerce_stripe::StripePlatform;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use stripe_client::{ClientConfig, RetryPolicy, StripeClient};
use stripe_connect::{Integration, IntegrationKind, Scope};
use stripe_sandbox::{Activity, RateLimits, Sandbox, SandboxConfig};

use crate::support::{browser, shared, Options, TestServer};

fn stripe_platform(
    base: &str,
    client_id: &str,
    key: &str,
    redirect: &str,
    webhook: &str,
) -> StripePlatform {
    let integration = Integration::builder(
        IntegrationKind::Test,
        client_id,
        SecretString::from(key.to_owned()),
        redirect,
    )
    .scope(Scope::ReadOnly)
    .connect_base(base)
    .build()
    .unwrap();
    let config = ClientConfig::builder(SecretString::from(key.to_owned()))
        .api_base(base)
        .rate_limit(1000)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    StripePlatform::new(
        integration,
        StripeClient::new(config).unwrap(),
        Arc::new(MemoryLinkStateStore::default()),
    )
    .unwrap()
    .with_webhook_secrets([SecretString::from(webhook.to_owned())])
    .unwrap()
}

async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn link_sync_read_and_webhooks_against_the_sandbox() {
    let Some(commerce_path) = shared("codat-openapi/Codat-Commerce.yaml") else {
        return;
    };
    let schemas = CodatSchemas::load(commerce_path).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = SandboxConfig::default();
    config.size = 12;
    config.start_time = Some(1_800_000_000);
    config.rate_limits = RateLimits::unlimited();
    config.webhook_url = Some(format!("{base}/webhooks/stripe"));
    let sandbox = Sandbox::start(config).await.unwrap();
    let info = sandbox.info();
    let platform = Arc::new(stripe_platform(
        sandbox.base_url(),
        &info.test.client_id,
        info.test.secret_key.expose_secret(),
        &format!("{base}/oauth/stripe/callback"),
        info.webhook_secret.expose_secret(),
    ));
    let supported: Vec<DataType> = platform.supports().to_vec();
    let server = TestServer::start_with(
        vec![platform.clone() as Arc<dyn Platform>],
        Options {
            link_state_ttl: None,
            public_url: None,
            listener: Some(listener),
        },
    )
    .await;

    // Link with Codat's key for Stripe Test, as a browser.
    let company = server.create_company("Sandbox Merchant", None).await;
    let connection = server.create_connection(&company, "yzth").await;
    assert_eq!(connection["integrationKey"], "yzth");
    assert_eq!(connection["sourceType"], "Commerce");
    let id = connection["id"].as_str().unwrap().to_owned();
    let response = browser()
        .get(connection["linkUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let status = response.status();
    let page = response.text().await.unwrap();
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Account linked"), "{page}");
    let stored = server
        .store
        .get_connection(id.parse().unwrap())
        .await
        .unwrap();
    let account = stored.external_account_id.clone().unwrap();
    assert!(info.test_accounts().contains(&account.as_str()));
    assert_eq!(stored.livemode, Some(false));

    server.engine.run_until_idle().await.unwrap();
    let (_, statuses) = server
        .get(&format!("/companies/{company}/dataStatus"))
        .await;
    for &data_type in DataType::ALL {
        let expected = if supported.contains(&data_type) {
            "Complete"
        } else {
            "NotSupported"
        };
        assert_eq!(
            statuses[data_type.key()]["currentStatus"],
            expected,
            "{statuses}"
        );
    }

    // Every data route: supported ones validate, unsupported ones are 404.
    let data = format!("/companies/{company}/connections/{id}/data");
    for &data_type in DataType::ALL {
        let path = format!("{data}/{}", data_type.url_segment());
        let (status, body) = server.get(&path).await;
        if !supported.contains(&data_type) {
            assert_eq!(status, 404, "{path}");
            continue;
        }
        assert_eq!(status, 200, "{path}: {body}");
        let (list, single) = crate::contract::schema_names(data_type);
        schemas
            .validate(list, &body)
            .unwrap_or_else(|error| panic!("{path}: {error}"));
        if data_type.is_paged() {
            let results = body["results"].as_array().unwrap();
            assert!(!results.is_empty(), "{path}: no records");
            let first = results[0]["id"].as_str().unwrap();
            let (status, one) = server.get(&format!("{path}/{first}")).await;
            assert_eq!(status, 200);
            schemas.validate(single, &one).unwrap();
        }
    }

    // A new customer at Stripe arrives through the signed webhook and a pull queued at once.
    sandbox
        .apply(
            &account,
            Activity::NewCustomer {
                name: "Ada Lovelace".to_owned(),
                email: Some("ada@example.com".to_owned()),
            },
        )
        .unwrap();
    let customers = format!("{data}/commerce-customers?query=customerName%3DAda%20Lovelace");
    eventually("the new customer", || async {
        server.engine.run_until_idle().await.unwrap();
        let (_, page) = server.get(&customers).await;
        page["totalResults"] == 1
    })
    .await;

    // Deauthorizing at Stripe marks the connection Deauthorized; the data stays readable.
    sandbox.deauthorize(&account).unwrap();
    let connection_path = format!("/companies/{company}/connections/{id}");
    eventually("the deauthorization", || async {
        let (_, connection) = server.get(&connection_path).await;
        connection["status"] == "Deauthorized"
    })
    .await;
    let (status, page): (u16, Value) = server.get(&customers).await;
    assert_eq!(status, 200);
    assert_eq!(page["totalResults"], 1);
}
