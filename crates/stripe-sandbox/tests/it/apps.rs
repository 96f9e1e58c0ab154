//! Stripe Apps OAuth: the install link (auto-approve and consent), `/v1/oauth/token` with both
//! grants, expiring access tokens and rotating refresh tokens, counted in `/_sandbox/info`.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::{error_code, start, Env};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn query_value(location: &str, name: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

fn install_link(env: &Env) -> String {
    let info = env.sandbox.info();
    format!(
        "{}&client_id={}&redirect_uri=http://127.0.0.1:9/callback&state=st-1",
        info.test.app_install_url, info.test.client_id
    )
}

/// `/v1/oauth/token` with HTTP Basic (the platform key as user name).
async fn token(env: &Env, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = env
        .http
        .post(format!("{}/v1/oauth/token", env.sandbox.base_url()))
        .basic_auth(&env.key, None::<&str>)
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

async fn oauth_counters(env: &Env) -> Value {
    let info: Value = env
        .http
        .get(format!("{}/_sandbox/info", env.sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    info["oauth"].clone()
}

async fn install(env: &Env) -> Value {
    let response = no_redirects().get(install_link(env)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("http://127.0.0.1:9/callback?"),
        "{location}"
    );
    assert_eq!(query_value(&location, "state").as_deref(), Some("st-1"));
    let code = query_value(&location, "code").unwrap();
    let (status, body) = token(
        env,
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn install_link_exchange_and_rotating_refresh_tokens() {
    let env = start(10, |_| {}).await;
    let first = install(&env).await;
    assert_eq!(first["stripe_user_id"], env.account);
    assert_eq!(first["livemode"], false);
    assert_eq!(first["token_type"], "bearer");
    assert_eq!(first["expires_in"], 3600);
    let access = first["access_token"].as_str().unwrap();
    // The access token is the account's key: no Stripe-Account header.
    let reply = env.get_as("/v1/account", Some(access), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["id"], env.account);

    let old_refresh = first["refresh_token"].as_str().unwrap();
    let (status, second) = token(
        &env,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    // The refresh token used stops working.
    let (status, reused) = token(
        &env,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(reused["error"], "invalid_grant");
    assert!(!reused.to_string().contains(old_refresh));
    let counters = oauth_counters(&env).await;
    assert_eq!(counters["code_exchanges"], 1, "{counters}");
    assert_eq!(counters["app_refreshes"], 1, "{counters}");
    assert_eq!(counters["invalid_grants"], 1, "{counters}");
}

#[tokio::test]
async fn expired_access_tokens_get_api_key_expired() {
    let env = start(10, |config| config.access_ttl = Duration::from_millis(300)).await;
    let tokens = install(&env).await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(
        env.get_as("/v1/customers", Some(access), None).await.status,
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let reply = env.get_as("/v1/customers", Some(access), None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&reply), Some("api_key_expired"));
    assert_eq!(oauth_counters(&env).await["expired_key_rejections"], 1);
    let (status, fresh) = token(
        &env,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    let reply = env
        .get_as("/v1/customers", fresh["access_token"].as_str(), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn consent_page_installs_or_cancels() {
    let env = start(10, |config| config.consent_page = true).await;
    let page = env.http.get(install_link(&env)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("/apps/oauth/authorize/decision"), "{html}");
    let info = env.sandbox.info();
    let form = |decision: &'static str| {
        vec![
            (
                "install_link",
                query_value(&info.test.app_install_url, "install_link").unwrap(),
            ),
            ("client_id", info.test.client_id.clone()),
            ("redirect_uri", "http://127.0.0.1:9/callback".to_owned()),
            ("state", "st-2".to_owned()),
            ("decision", decision.to_owned()),
        ]
    };
    let decide = |decision| {
        no_redirects()
            .post(format!(
                "{}/apps/oauth/authorize/decision",
                env.sandbox.base_url()
            ))
            .form(&form(decision))
            .send()
    };
    let cancelled = decide("deny").await.unwrap();
    let location = cancelled.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        query_value(&location, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_value(&location, "state").as_deref(), Some("st-2"));
    let approved = decide("approve").await.unwrap();
    let location = approved.headers()["location"].to_str().unwrap().to_owned();
    let code = query_value(&location, "code").unwrap();
    let (status, body) = token(
        &env,
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn connect_codes_and_tokens_do_not_cross_over() {
    let env = start(10, |_| {}).await;
    let tokens = install(&env).await;
    // An app refresh token is not a Connect one, and the app endpoint wants Basic or Bearer.
    let response = env
        .http
        .post(format!("{}/oauth/token", env.sandbox.base_url()))
        .bearer_auth(&env.key)
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = env
        .http
        .post(format!("{}/v1/oauth/token", env.sandbox.base_url()))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "rt_x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
