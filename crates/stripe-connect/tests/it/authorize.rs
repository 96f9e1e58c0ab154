//! The authorize URL: pure, with the caller's state.

use stripe_connect::{
    authorize_url, AuthorizeUrl, ConnectError, Integration, Landing, Mode, Scope,
};

use crate::support::{CLIENT_ID, REDIRECT, TEST_KEY};

#[test]
fn default_authorize_url() {
    insta::assert_snapshot!(
        authorize_url(CLIENT_ID, Scope::ReadOnly, REDIRECT, "STATE").unwrap(),
        @"https://connect.stripe.com/oauth/authorize?response_type=code&client_id=ca_TESTCLIENT123&state=STATE&redirect_uri=https%3A%2F%2Fcommerce.example.com%2Foauth%2Fstripe%2Fcallback&scope=read_only"
    );
}

#[test]
fn authorize_url_with_every_option() {
    let url = AuthorizeUrl::new(CLIENT_ID, REDIRECT, "STATE")
        .scope(Scope::ReadWrite)
        .connect_base("http://127.0.0.1:12111/connect/")
        .landing(Landing::Register)
        .always_prompt(true)
        .email("owner@shop.example")
        .url("https://shop.example")
        .country("GB")
        .business_name("Jo's Shop & Café")
        .build()
        .unwrap();
    insta::assert_snapshot!(
        url,
        @"http://127.0.0.1:12111/connect/oauth/authorize?response_type=code&client_id=ca_TESTCLIENT123&state=STATE&redirect_uri=https%3A%2F%2Fcommerce.example.com%2Foauth%2Fstripe%2Fcallback&scope=read_write&stripe_landing=register&always_prompt=true&stripe_user%5Bemail%5D=owner%40shop.example&stripe_user%5Burl%5D=https%3A%2F%2Fshop.example&stripe_user%5Bcountry%5D=GB&stripe_user%5Bbusiness_name%5D=Jo%27s+Shop+%26+Caf%C3%A9"
    );
}

#[test]
fn login_landing() {
    let url = AuthorizeUrl::new(CLIENT_ID, REDIRECT, "s")
        .landing(Landing::Login)
        .build()
        .unwrap();
    assert!(
        url.as_str()
            .ends_with("&scope=read_only&stripe_landing=login"),
        "{url}"
    );
}

#[test]
fn the_state_is_the_callers_and_is_encoded() {
    let url = authorize_url(CLIENT_ID, Scope::ReadOnly, REDIRECT, "a b&c=d").unwrap();
    let state: Vec<_> = url
        .query_pairs()
        .filter(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned())
        .collect();
    assert_eq!(state, ["a b&c=d"]);
}

#[test]
fn the_settings_build_the_same_url() {
    let settings = Integration::builder(Mode::Test, CLIENT_ID, TEST_KEY, REDIRECT)
        .scope(Scope::ReadWrite)
        .connect_base("http://127.0.0.1:12111")
        .build()
        .unwrap();
    let expected = AuthorizeUrl::new(CLIENT_ID, REDIRECT, "s-1")
        .scope(Scope::ReadWrite)
        .connect_base("http://127.0.0.1:12111")
        .build()
        .unwrap();
    assert_eq!(settings.authorize_url("s-1"), expected);
}

#[test]
fn bad_values_are_refused_with_the_field_named() {
    for (client_id, redirect, state, field) in [
        ("nope", REDIRECT, "s", "client id"),
        (CLIENT_ID, REDIRECT, "", "state"),
        (CLIENT_ID, "/relative", "s", "redirect uri"),
        (CLIENT_ID, "ftp://example.com/cb", "s", "redirect uri"),
    ] {
        match authorize_url(client_id, Scope::ReadOnly, redirect, state) {
            Err(ConnectError::InvalidAuthorizeUrl { field: got, .. }) => assert_eq!(got, field),
            other => panic!("{client_id} {redirect} {state:?}: {other:?}"),
        }
    }
    let err = AuthorizeUrl::new(CLIENT_ID, REDIRECT, "s")
        .connect_base("not a url")
        .build()
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("the authorize url's connect base url is invalid"),
        "{err}"
    );
}
