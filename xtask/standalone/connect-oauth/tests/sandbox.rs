//! The README example against a local stripe-sandbox (127.0.0.1 only): authorize, callback,
//! code exchange, deauthorize.

use stripe_connect::{
    AuthorizeUrl, Callback, CallbackOutcome, Deauthorization, ExposeSecret, Integration, Mode,
    OAuthClient, Scope,
};
use stripe_sandbox::{Sandbox, SandboxConfig};

#[tokio::test]
async fn links_and_unlinks_a_sandbox_account() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let info = sandbox.info();
    let redirect = "http://127.0.0.1:9/oauth/callback";

    // 1. The authorize URL, with a state of our own.
    let url = AuthorizeUrl::new(info.test.client_id.as_str(), redirect, "state-42")
        .scope(Scope::ReadOnly)
        .connect_base(sandbox.base_url())
        .build()
        .unwrap();

    // The sandbox approves at once and redirects to the redirect URI (no browser here).
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http.get(url).send().await.unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();

    // 2. The callback: check our state, exchange the code.
    let (_, query) = location.split_once('?').unwrap();
    let callback = Callback::from_query(query).unwrap();
    assert_eq!(callback.state(), "state-42");
    let CallbackOutcome::Authorized { code, .. } = callback.outcome() else {
        panic!("declined: {:?}", callback.outcome());
    };
    let settings = Integration::builder(
        Mode::Test,
        info.test.client_id.as_str(),
        info.test.secret_key.expose_secret(),
        redirect,
    )
    .connect_base(sandbox.base_url())
    .build()
    .unwrap();
    let client = OAuthClient::new(settings).unwrap();
    let account = client.exchange_code(code).await.unwrap();
    assert!(account.stripe_user_id().starts_with("acct_"));
    assert_eq!(account.mode(), Mode::Test);

    // 3. Unlink.
    assert_eq!(
        client.deauthorize(account.stripe_user_id()).await.unwrap(),
        Deauthorization::Deauthorized {
            stripe_user_id: account.stripe_user_id().to_owned()
        }
    );
}
