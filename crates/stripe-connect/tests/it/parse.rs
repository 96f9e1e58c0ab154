//! The pure parsers of Stripe's token and deauthorize answers (no HTTP).

use secrecy::ExposeSecret;
use stripe_connect::{
    parse_deauthorize_response, parse_token_response, ConnectError, Deauthorization, Mode,
    OAuthErrorCode,
};

use crate::support::token_body;

#[test]
fn a_token_answer_becomes_a_connected_account() {
    let body = serde_json::to_vec(&token_body(false)).unwrap();
    let account = parse_token_response(200, &body, Mode::Test).unwrap();
    assert_eq!(account.stripe_user_id(), "acct_1032D82eZvKYlo2C");
    assert_eq!(account.mode(), Mode::Test);
    assert_eq!(
        account.access_token().expose_secret(),
        "sk_test_CONNECTEDACCESS"
    );
    assert!(matches!(
        parse_token_response(200, &body, Mode::Live),
        Err(ConnectError::LivemodeMismatch {
            mode: Mode::Live,
            livemode: false
        })
    ));
}

#[test]
fn an_error_answer_is_a_typed_oauth_error() {
    let body = br#"{"error":"invalid_grant","error_description":"Authorization code expired"}"#;
    match parse_token_response(400, body, Mode::Test) {
        Err(ConnectError::OAuth { code, description }) => {
            assert_eq!(code, OAuthErrorCode::InvalidGrant);
            assert_eq!(description.as_deref(), Some("Authorization code expired"));
        }
        other => panic!("{other:?}"),
    }
    // Not an OAuth body: an unexpected response that does not quote it.
    let err = parse_token_response(502, b"<html>bad gateway</html>", Mode::Test).unwrap_err();
    assert!(
        matches!(err, ConnectError::UnexpectedResponse { .. }),
        "{err:?}"
    );
    assert!(!err.to_string().contains("html"), "{err}");
}

#[test]
fn a_token_type_other_than_bearer_is_refused() {
    let mut body = token_body(false);
    body["token_type"] = "mac".into();
    let err =
        parse_token_response(200, &serde_json::to_vec(&body).unwrap(), Mode::Test).unwrap_err();
    assert!(
        matches!(err, ConnectError::UnexpectedResponse { .. }),
        "{err:?}"
    );
}

#[test]
fn deauthorize_answers() {
    assert_eq!(
        parse_deauthorize_response(200, br#"{"stripe_user_id":"acct_1"}"#, "acct_1").unwrap(),
        Deauthorization::Deauthorized {
            stripe_user_id: "acct_1".to_owned()
        }
    );
    assert!(parse_deauthorize_response(200, br#"{"stripe_user_id":"acct_2"}"#, "acct_1").is_err());
    let gone = br#"{"error":"invalid_client","error_description":"This application is not connected to stripe account acct_1, or that account does not exist."}"#;
    assert!(matches!(
        parse_deauthorize_response(401, gone, "acct_1").unwrap(),
        Deauthorization::AlreadyDisconnected { .. }
    ));
    let wrong_client =
        br#"{"error":"invalid_client","error_description":"No such application: ca_x"}"#;
    assert!(matches!(
        parse_deauthorize_response(401, wrong_client, "acct_1"),
        Err(ConnectError::OAuth {
            code: OAuthErrorCode::InvalidClient,
            ..
        })
    ));
}
