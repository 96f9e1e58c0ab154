//! Connect OAuth: authorize, single-use expiring codes, refresh, deauthorization.

use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::Value;

use crate::{error_code, start, Env};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Runs `/oauth/authorize` and returns the Location it redirects to.
async fn authorize(env: &Env, extra: &str) -> String {
    let client_id = env.sandbox.info().test.client_id;
    let url = format!(
        "{}/oauth/authorize?response_type=code&client_id={client_id}&scope=read_write&state=xyz&redirect_uri=http://127.0.0.1:9/callback{extra}",
        env.sandbox.base_url()
    );
    let response = no_redirects().get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    response.headers()["location"].to_str().unwrap().to_owned()
}

fn query_value(location: &str, name: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

async fn token(env: &Env, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = env
        .http
        .post(format!("{}/oauth/token", env.sandbox.base_url()))
        .bearer_auth(&env.key)
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn codes_are_single_use_and_give_stripes_token_fields() {
    let env = start(10, |_| {}).await;
    let second = env.sandbox.info().test_accounts()[1].to_owned();
    let location = authorize(&env, &format!("&sandbox_account={second}")).await;
    assert!(location.starts_with("http://127.0.0.1:9/callback?"));
    assert_eq!(query_value(&location, "state").as_deref(), Some("xyz"));
    assert_eq!(
        query_value(&location, "scope").as_deref(),
        Some("read_write")
    );
    let code = query_value(&location, "code").unwrap();
    assert!(code.starts_with("ac_"));

    let (status, body) = token(
        &env,
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["stripe_user_id"], second);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["livemode"], false);
    assert_eq!(body["scope"], "read_write");
    assert!(body["access_token"]
        .as_str()
        .unwrap()
        .starts_with("sk_test_"));
    assert!(body["refresh_token"].as_str().unwrap().starts_with("rt_"));
    assert!(body["stripe_publishable_key"]
        .as_str()
        .unwrap()
        .starts_with("pk_test_"));

    // The access token works like a secret key for that account.
    let access = body["access_token"].as_str().unwrap();
    let account = env.get_as("/v1/account", Some(access), None).await;
    assert_eq!(account.body["id"], second);

    let (status, reused) = token(
        &env,
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(reused["error"], "invalid_grant");
    let (_, unknown) = token(
        &env,
        &[("grant_type", "authorization_code"), ("code", "ac_made_up")],
    )
    .await;
    assert_eq!(unknown["error"], "invalid_grant");

    let (status, refreshed) = token(
        &env,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(refreshed["stripe_user_id"], second);
    assert_ne!(refreshed["access_token"], body["access_token"]);

    let unauthenticated = env
        .http
        .post(format!("{}/oauth/token", env.sandbox.base_url()))
        .form(&[("grant_type", "authorization_code"), ("code", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    let (_, bad_grant) = token(&env, &[("grant_type", "password")]).await;
    assert_eq!(bad_grant["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn codes_expire() {
    let env = start(10, |config| {
        config.code_ttl = std::time::Duration::from_secs(60)
    })
    .await;
    let code = query_value(&authorize(&env, "").await, "code").unwrap();
    env.sandbox.advance_clock(61);
    let (status, body) = token(
        &env,
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("expired"));
}

#[tokio::test]
async fn deauthorization_cuts_access_and_emits_the_event() {
    let env = start(10, |_| {}).await;
    let info = env.sandbox.info();
    assert_eq!(env.get("/v1/charges?limit=1").await.status, StatusCode::OK);
    let form = [
        ("client_id", info.test.client_id.as_str()),
        ("stripe_user_id", env.account.as_str()),
    ];
    let response = env
        .http
        .post(format!("{}/oauth/deauthorize", env.sandbox.base_url()))
        .bearer_auth(&env.key)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["stripe_user_id"], env.account);

    let after = env.get("/v1/charges?limit=1").await;
    assert_eq!(after.status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&after), Some("account_invalid"));

    // The platform sees the event about the account.
    let events = env
        .get_as(
            "/v1/events?type=account.application.deauthorized",
            Some(&env.key),
            None,
        )
        .await;
    assert_eq!(events.body["data"][0]["account"], env.account);
    assert_eq!(
        events.body["data"][0]["data"]["object"]["object"],
        "application"
    );

    // Deauthorizing again fails like Stripe's.
    let again = env
        .http
        .post(format!("{}/oauth/deauthorize", env.sandbox.base_url()))
        .bearer_auth(&env.key)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);

    // Authorizing again (by the owner's email) reconnects the account.
    let email = info
        .accounts
        .iter()
        .find(|account| account.id == env.account)
        .unwrap()
        .email
        .clone();
    let location = authorize(
        &env,
        &format!("&stripe_user[email]={}", email.replace('+', "%2B")),
    )
    .await;
    let code = query_value(&location, "code").unwrap();
    let (status, body) = token(
        &env,
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["stripe_user_id"], env.account);
    assert_eq!(env.get("/v1/charges?limit=1").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_consent_page_can_approve_or_deny() {
    let env = start(10, |config| config.consent_page = true).await;
    let client_id = env.sandbox.info().test.client_id;
    let url = format!(
        "{}/oauth/authorize?response_type=code&client_id={client_id}&state=s1&redirect_uri=http://127.0.0.1:9/cb",
        env.sandbox.base_url()
    );
    let page = no_redirects().get(&url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Approve") && html.contains("Deny"));
    let decide = |decision: &'static str| {
        let client_id = client_id.clone();
        let base = env.sandbox.base_url().to_owned();
        async move {
            let form = [
                ("response_type", "code"),
                ("client_id", client_id.as_str()),
                ("state", "s1"),
                ("redirect_uri", "http://127.0.0.1:9/cb"),
                ("decision", decision),
            ];
            let response = no_redirects()
                .post(format!("{base}/oauth/authorize/decision"))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FOUND);
            response.headers()["location"].to_str().unwrap().to_owned()
        }
    };
    let denied = decide("deny").await;
    assert_eq!(
        query_value(&denied, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_value(&denied, "state").as_deref(), Some("s1"));
    let approved = decide("approve").await;
    assert!(query_value(&approved, "code").unwrap().starts_with("ac_"));

    let bad_client = no_redirects()
        .get(url.replace(&client_id, "ca_unknown"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_client.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn library_deauthorize_matches_the_endpoint() {
    let env = start(10, |_| {}).await;
    let secret = env
        .sandbox
        .info()
        .test
        .secret_key
        .expose_secret()
        .to_owned();
    env.sandbox.deauthorize(&env.account).unwrap();
    let reply = env
        .get_as("/v1/customers", Some(&secret), Some(&env.account))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}
