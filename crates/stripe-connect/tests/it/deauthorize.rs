//! Deauthorize against a wiremock `/oauth/deauthorize`.

use serde_json::json;
use stripe_connect::{ConnectError, Deauthorization, Mode, OAuthErrorCode};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{client, CLIENT_ID, LIVE_KEY};

async fn mount(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/oauth/deauthorize"))
        .and(header(
            "authorization",
            format!("Bearer {LIVE_KEY}").as_str(),
        ))
        .and(body_string(format!(
            "client_id={CLIENT_ID}&stripe_user_id=acct_1032D82eZvKYlo2C"
        )))
        .respond_with(response)
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn deauthorize_disconnects_the_account() {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(json!({"stripe_user_id": "acct_1032D82eZvKYlo2C"})),
    )
    .await;
    let flow = client(Mode::Live, &server);
    assert_eq!(
        flow.deauthorize("acct_1032D82eZvKYlo2C").await.unwrap(),
        Deauthorization::Deauthorized {
            stripe_user_id: "acct_1032D82eZvKYlo2C".to_owned()
        }
    );
}

#[tokio::test]
async fn deauthorizing_an_account_already_gone_is_reported_as_such() {
    let server = MockServer::start().await;
    let description = "This application is not connected to stripe account acct_1032D82eZvKYlo2C, or that account does not exist.";
    mount(
        &server,
        ResponseTemplate::new(401)
            .set_body_json(json!({"error": "invalid_client", "error_description": description})),
    )
    .await;
    let flow = client(Mode::Live, &server);
    assert_eq!(
        flow.deauthorize("acct_1032D82eZvKYlo2C").await.unwrap(),
        Deauthorization::AlreadyDisconnected {
            description: Some(description.to_owned())
        }
    );
}

#[tokio::test]
async fn other_deauthorize_errors_stay_errors() {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_client",
            "error_description": "No such application: 'ca_TESTCLIENT123'"
        })),
    )
    .await;
    let flow = client(Mode::Live, &server);
    let err = flow.deauthorize("acct_1032D82eZvKYlo2C").await.unwrap_err();
    assert!(
        matches!(
            &err,
            ConnectError::OAuth {
                code: OAuthErrorCode::InvalidClient,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_deauthorize_answer_that_is_not_json_is_unexpected() {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"),
    )
    .await;
    let flow = client(Mode::Live, &server);
    let err = flow.deauthorize("acct_1032D82eZvKYlo2C").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "unexpected response from stripe connect: deauthorize answered 502 without an oauth error body"
    );
}
