//! End to end against `stripe-sandbox` with the real `StripePlatform`: link over HTTP with
//! redirects followed, initial sync, every data route validated against Codat's schemas, signed
//! webhook deliveries (changed records, deauthorization).

use std::time::Duration;

use commerce_model::platform::Platform;
use commerce_model::schema_check::CodatSchemas;
use commerce_model::DataType;
use serde_json::Value;
use stripe_sandbox::Activity;

use crate::support::{sandbox_server, shared, SandboxLink};

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
    let setup = sandbox_server(12, 1_800_000_000, true).await;
    let supported: Vec<DataType> = setup.platform.supports().to_vec();
    let (server, sandbox) = (&setup.server, &setup.sandbox);

    // Link with Codat's key for Stripe Test, as a browser.
    let SandboxLink {
        company,
        connection: id,
        account,
    } = setup.link("Sandbox Merchant").await;

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
        let (list, single) = crate::support::schema_names(data_type);
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

#[tokio::test]
async fn webhooks_from_a_sandbox_whose_clock_is_behind_are_accepted() {
    // `commerce demo` starts the sandbox's clock at the start of the current UTC day, so late
    // in the day its events are ~83,000 s old by the sandbox's clock. Deliveries are signed
    // with the wall-clock time, as Stripe's are, and so are accepted.
    let start = chrono::Utc::now().timestamp() - 83_000;
    let setup = sandbox_server(5, start, true).await;
    let (server, sandbox) = (&setup.server, &setup.sandbox);
    let SandboxLink {
        company,
        connection: id,
        account,
    } = setup.link("Behind Merchant").await;
    server.engine.run_until_idle().await.unwrap();
    sandbox
        .apply(
            &account,
            Activity::NewCustomer {
                name: "Grace Hopper".to_owned(),
                email: None,
            },
        )
        .unwrap();
    let customers = format!(
        "/companies/{company}/connections/{id}/data/commerce-customers?query=customerName%3DGrace%20Hopper"
    );
    eventually("the webhook's pull of the new customer", || async {
        server.engine.run_until_idle().await.unwrap();
        let (_, page) = server.get(&customers).await;
        page["totalResults"] == 1
    })
    .await;
}
