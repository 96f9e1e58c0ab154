//! `Debug` of every public type that holds a secret shows none of it.

use secrecy::SecretString;
use serde_json::json;
use stripe_connect::webhook::WebhookEndpoint;
use stripe_connect::{Callback, Integration, Mode, OAuthClient};
use wiremock::{MockServer, ResponseTemplate};

use crate::support::{client, mount_token, CLIENT_ID, REDIRECT, TEST_KEY};

#[track_caller]
fn check_hidden(value: &dyn std::fmt::Debug, secrets: &[&str]) {
    let debug = format!("{value:?}");
    let pretty = format!("{value:#?}");
    for secret in secrets {
        assert!(!debug.contains(secret), "{secret} leaks in {debug}");
        assert!(!pretty.contains(secret), "{secret} leaks in {pretty}");
    }
}

#[tokio::test]
async fn no_debug_output_shows_a_secret() {
    let builder = Integration::builder(Mode::Test, CLIENT_ID, TEST_KEY, REDIRECT);
    check_hidden(&builder, &[TEST_KEY]);
    let integration = builder.build().unwrap();
    check_hidden(&integration, &[TEST_KEY]);
    let client_value = OAuthClient::new(integration).unwrap();
    check_hidden(&client_value, &[TEST_KEY]);

    let callback = Callback::from_query("code=ac_SECRETCODE&state=s").unwrap();
    check_hidden(&callback, &["ac_SECRETCODE"]);

    let endpoint = WebhookEndpoint::new(SecretString::from("whsec_SECRETSIGNING")).unwrap();
    check_hidden(&endpoint, &["whsec_SECRETSIGNING"]);

    let server = MockServer::start().await;
    mount_token(
        &server,
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "sk_test_ACCESSSECRET",
            "refresh_token": "rt_REFRESHSECRET",
            "token_type": "bearer",
            "stripe_publishable_key": "pk_test_PUBLISHABLE",
            "stripe_user_id": "acct_1032D82eZvKYlo2C",
            "scope": "read_only",
            "livemode": false
        })),
        1,
    )
    .await;
    let account = client(Mode::Test, &server)
        .exchange_code(&SecretString::from("ac_SECRETCODE"))
        .await
        .unwrap();
    check_hidden(
        &account,
        &["sk_test_ACCESSSECRET", "rt_REFRESHSECRET", "ac_SECRETCODE"],
    );
    // What Debug does show is still useful.
    assert!(format!("{account:?}").contains("acct_1032D82eZvKYlo2C"));
}
