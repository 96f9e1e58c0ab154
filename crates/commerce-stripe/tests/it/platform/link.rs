//! Linking and unlinking through the sandbox's Connect OAuth, and the answers it cannot give
//! (a token of the wrong mode) through wiremock.

use std::collections::BTreeMap;

use commerce_model::platform::{LinkCallback, LinkRequest, Platform, PlatformError};
use commerce_model::DataType;
use secrecy::ExposeSecret;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{platform_for, start, try_pull, REDIRECT_URI};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The query parameters of a redirect's `Location`.
fn callback_params(location: &str) -> BTreeMap<String, String> {
    let url = url::Url::parse(location).unwrap();
    url.query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

fn request(state: &str) -> LinkRequest {
    LinkRequest {
        state: state.to_owned(),
        redirect_uri: REDIRECT_URI.to_owned(),
        params: BTreeMap::new(),
    }
}

#[tokio::test]
async fn link_round_trip_then_unlink_cuts_access() {
    let env = start(10, |_| {}).await;
    let start = env.platform.begin_link(request("state-123")).await.unwrap();
    let url = url::Url::parse(&start.authorize_url).unwrap();
    assert!(start
        .authorize_url
        .starts_with(&format!("{}/oauth/authorize?", env.sandbox.base_url())));
    let query: BTreeMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], env.sandbox.info().test.client_id);
    assert_eq!(query["scope"], "read_write");
    assert_eq!(query["state"], "state-123");
    assert_eq!(query["redirect_uri"], REDIRECT_URI);

    let response = no_redirects().get(url).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT_URI), "{location}");
    let params = callback_params(&location);
    assert_eq!(params["state"], "state-123");

    let account = env
        .platform
        .complete_link(LinkCallback {
            params,
            redirect_uri: REDIRECT_URI.to_owned(),
        })
        .await
        .unwrap();
    assert!(env
        .sandbox
        .info()
        .test_accounts()
        .contains(&account.external_id.as_str()));
    assert!(!account.livemode);
    assert_eq!(account.scope.as_deref(), Some("read_write"));
    let token = account
        .access_token
        .as_ref()
        .unwrap()
        .expose_secret()
        .to_owned();
    assert!(
        token.starts_with("sk_test_"),
        "access tokens work like secret keys"
    );
    assert!(account.refresh_token.is_some());
    assert!(account.metadata["stripe_publishable_key"].starts_with("pk_test_"));
    let debug = format!("{account:?}");
    assert!(!debug.contains(&token), "Debug shows no token: {debug}");

    // The linked account can be pulled, until it is unlinked.
    let batches = try_pull(&env.platform, &account, DataType::CompanyInfo, None)
        .await
        .unwrap();
    assert_eq!(batches.len(), 1);
    assert_eq!(
        batches[0].records[0].json["commercePlatformRef"],
        account.external_id
    );

    env.platform.unlink(&account).await.unwrap();
    let error = try_pull(&env.platform, &account, DataType::Customers, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, PlatformError::RelinkNeeded { .. }),
        "{error:?}"
    );
    // Unlinking an account that is already gone is not an error.
    env.platform.unlink(&account).await.unwrap();
}

#[tokio::test]
async fn a_declined_authorization_is_a_link_failure_to_show() {
    let env = start(10, |config| config.consent_page = true).await;
    let start = env
        .platform
        .begin_link(request("state-deny"))
        .await
        .unwrap();
    let url = url::Url::parse(&start.authorize_url).unwrap();
    // The consent page's Deny button posts the authorize parameters with `decision=deny`.
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.push(("decision".to_owned(), "deny".to_owned()));
    let response = no_redirects()
        .post(format!(
            "{}/oauth/authorize/decision",
            env.sandbox.base_url()
        ))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::FOUND);
    let params = callback_params(response.headers()["location"].to_str().unwrap());
    assert_eq!(params["error"], "access_denied");
    env.sandbox.clear_requests();

    let error = env
        .platform
        .complete_link(LinkCallback {
            params,
            redirect_uri: REDIRECT_URI.to_owned(),
        })
        .await
        .unwrap_err();
    match &error {
        PlatformError::LinkFailed { reason } => assert!(reason.contains("declined"), "{reason}"),
        other => panic!("expected LinkFailed, got {other:?}"),
    }
    assert_eq!(error.dataset_status().as_str(), "AuthError");
    assert!(
        env.sandbox.requests().is_empty(),
        "no token request after a decline"
    );
}

#[tokio::test]
async fn a_reused_code_is_a_link_failure() {
    let env = start(10, |_| {}).await;
    let start = env
        .platform
        .begin_link(request("state-reuse"))
        .await
        .unwrap();
    let response = no_redirects()
        .get(&start.authorize_url)
        .send()
        .await
        .unwrap();
    let params = callback_params(response.headers()["location"].to_str().unwrap());
    let callback = LinkCallback {
        params,
        redirect_uri: REDIRECT_URI.to_owned(),
    };
    env.platform.complete_link(callback.clone()).await.unwrap();
    let error = env.platform.complete_link(callback).await.unwrap_err();
    assert!(
        matches!(error, PlatformError::LinkFailed { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_live_token_for_the_test_integration_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "sk_live_token",
            "refresh_token": "rt_live",
            "token_type": "bearer",
            "stripe_publishable_key": "pk_live_1",
            "stripe_user_id": "acct_1Live",
            "scope": "read_write",
            "livemode": true
        })))
        .expect(1)
        .mount(&server)
        .await;
    let platform = platform_for(&server.uri(), "ca_test123", "sk_test_platform", None);
    let callback = LinkCallback {
        params: [("code", "ac_123"), ("scope", "read_write"), ("state", "s")]
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
        redirect_uri: REDIRECT_URI.to_owned(),
    };
    let error = platform.complete_link(callback).await.unwrap_err();
    match error {
        PlatformError::LinkFailed { reason } => {
            assert!(reason.contains("live-mode"), "{reason}");
            assert!(!reason.contains("sk_live_token"));
        }
        other => panic!("expected LinkFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn keys_aliases_names_and_supported_types() {
    let env = start(10, |_| {}).await;
    assert_eq!(env.platform.key().as_str(), "stripe-test");
    let info = env.platform.info();
    assert_eq!(info.codat_key.as_str(), "yzth");
    assert!(env.platform.aliases().is_empty());
    assert!(info.answers_to("yzth") && !info.answers_to("exgd"));
    assert_eq!(info.callback_segment, "stripe");
    assert_eq!(
        info.required_settings(),
        "STRIPE_TEST_CLIENT_ID and STRIPE_TEST_SECRET_KEY"
    );
    assert!(info
        .settings
        .iter()
        .any(|setting| setting.name == "STRIPE_TEST_SECRET_KEY" && setting.secret));
    assert_eq!(env.platform.name(), "Stripe Test");
    assert_eq!(
        env.platform.supports(),
        &[
            DataType::CompanyInfo,
            DataType::Customers,
            DataType::Disputes,
            DataType::Payments,
            DataType::Products,
            DataType::Transactions,
        ]
    );
    // A callback without state is refused before any token request.
    let error = env
        .platform
        .complete_link(LinkCallback {
            params: [("code".to_owned(), "ac_1".to_owned())].into(),
            redirect_uri: REDIRECT_URI.to_owned(),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(error, PlatformError::LinkFailed { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn begin_link_uses_stripe_connects_authorize_url() {
    let env = start(1, |_| {}).await;
    let start = env.platform.begin_link(request("s-1")).await.unwrap();
    let integration = env.platform.oauth_client().integration();
    assert_eq!(
        start.authorize_url,
        integration.authorize_url("s-1").to_string()
    );
}
