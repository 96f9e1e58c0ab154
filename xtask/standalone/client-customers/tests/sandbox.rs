//! The README example against a local stripe-sandbox (127.0.0.1 only).

use stripe_client::ExposeSecret;
use stripe_sandbox::{Resource, Sandbox, SandboxConfig};

#[tokio::test]
async fn lists_every_customer_of_a_sandbox_account() {
    let mut config = SandboxConfig::default();
    config.size = 120;
    let sandbox = Sandbox::start(config).await.unwrap();
    let info = sandbox.info();
    let account = info.test_accounts()[0].to_owned();
    let customers = standalone_client_customers::customers(
        sandbox.base_url(),
        info.test.secret_key.expose_secret(),
        &account,
    )
    .await
    .unwrap();
    assert_eq!(
        customers.len() as u64,
        sandbox.count(&account, Resource::Customers).unwrap()
    );
    assert!(customers.len() > 100, "more than one page");
}
