//! Stripe's authorize URL: where to send the merchant to connect their account.
//!
//! Pure: no secret key, no store, no runtime. The caller chooses the `state` (an unguessable
//! value it keeps, bound to whatever it links, and checks when the merchant comes back to the
//! redirect URI; see [`crate::Callback::state`]).

use url::Url;

use crate::error::ConnectError;
use crate::integration::{endpoint_url, parse_http_url, Scope, DEFAULT_CONNECT_BASE};

/// Stripe's authorize URL on `https://connect.stripe.com` with `response_type=code`, the
/// Connect client id (`ca_...`), the caller's `state`, the redirect URI and the scope.
///
/// Fails with [`ConnectError::InvalidAuthorizeUrl`] when the redirect URI is not an absolute
/// http(s) URL, the client id does not start with `ca_`, or the state is empty.
/// [`AuthorizeUrl`] adds Stripe's optional parameters and another Connect host.
///
/// ```
/// use stripe_connect::{authorize_url, Scope};
///
/// let url = authorize_url("ca_123", Scope::ReadOnly, "https://example.com/callback", "s-42")?;
/// assert_eq!(
///     url.as_str(),
///     "https://connect.stripe.com/oauth/authorize?response_type=code&client_id=ca_123\
///      &state=s-42&redirect_uri=https%3A%2F%2Fexample.com%2Fcallback&scope=read_only"
/// );
/// # Ok::<(), stripe_connect::ConnectError>(())
/// ```
pub fn authorize_url(
    client_id: &str,
    scope: Scope,
    redirect_uri: &str,
    state: &str,
) -> Result<Url, ConnectError> {
    AuthorizeUrl::new(client_id, redirect_uri, state)
        .scope(scope)
        .build()
}

/// Which page Stripe shows first (`stripe_landing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landing {
    /// The sign-in page, for merchants who already have a Stripe account.
    Login,
    /// The sign-up page.
    Register,
}

/// Builds Stripe's authorize URL with its optional parameters.
#[derive(Debug, Clone)]
pub struct AuthorizeUrl {
    client_id: String,
    redirect_uri: String,
    state: String,
    scope: Scope,
    connect_base: String,
    landing: Option<Landing>,
    always_prompt: bool,
    prefill: Vec<(&'static str, String)>,
}

impl AuthorizeUrl {
    /// The URL for the Connect client id (`ca_...`), the redirect URI registered in Stripe and
    /// the caller's `state`, with scope `read_only` on `https://connect.stripe.com`.
    pub fn new(
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
        state: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            state: state.into(),
            scope: Scope::default(),
            connect_base: DEFAULT_CONNECT_BASE.to_owned(),
            landing: None,
            always_prompt: false,
            prefill: Vec::new(),
        }
    }

    /// Requests `scope` (`read_only` by default).
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// Another Connect host (a local fake, a proxy) instead of `https://connect.stripe.com`;
    /// a path prefix is kept (`http://127.0.0.1:12111/connect` gives `.../connect/oauth/authorize`).
    pub fn connect_base(mut self, connect_base: impl Into<String>) -> Self {
        self.connect_base = connect_base.into();
        self
    }

    /// Shows Stripe's sign-in (`login`) or sign-up (`register`) page first.
    pub fn landing(mut self, landing: Landing) -> Self {
        self.landing = Some(landing);
        self
    }

    /// Always shows the connect prompt, even to a merchant already connected.
    pub fn always_prompt(mut self, always_prompt: bool) -> Self {
        self.always_prompt = always_prompt;
        self
    }

    /// Prefills `stripe_user[email]`.
    pub fn email(self, email: impl Into<String>) -> Self {
        self.prefill("stripe_user[email]", email.into())
    }

    /// Prefills `stripe_user[url]`, the business website.
    pub fn url(self, url: impl Into<String>) -> Self {
        self.prefill("stripe_user[url]", url.into())
    }

    /// Prefills `stripe_user[country]` (two-letter ISO code).
    pub fn country(self, country: impl Into<String>) -> Self {
        self.prefill("stripe_user[country]", country.into())
    }

    /// Prefills `stripe_user[business_name]`.
    pub fn business_name(self, business_name: impl Into<String>) -> Self {
        self.prefill("stripe_user[business_name]", business_name.into())
    }

    fn prefill(mut self, name: &'static str, value: String) -> Self {
        self.prefill.retain(|(existing, _)| *existing != name);
        self.prefill.push((name, value));
        self
    }

    /// Checks the values and builds the URL.
    ///
    /// Fails with [`ConnectError::InvalidAuthorizeUrl`] for a client id without `ca_`, an empty
    /// state, or a redirect URI or Connect base that is not an absolute http(s) URL.
    pub fn build(&self) -> Result<Url, ConnectError> {
        if !self.client_id.trim().starts_with("ca_") {
            return Err(ConnectError::InvalidAuthorizeUrl {
                field: "client id",
                problem: "it does not start with ca_".to_owned(),
            });
        }
        if self.state.is_empty() {
            return Err(ConnectError::InvalidAuthorizeUrl {
                field: "state",
                problem: "it is empty".to_owned(),
            });
        }
        parse_http_url("redirect uri", &self.redirect_uri)?;
        let connect_base = parse_http_url("connect base url", &self.connect_base)?;
        Ok(self.build_at(&connect_base))
    }

    /// The URL on an already checked Connect base.
    pub(crate) fn build_at(&self, connect_base: &Url) -> Url {
        let mut url = endpoint_url(connect_base, "authorize");
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", self.client_id.trim())
                .append_pair("state", &self.state)
                .append_pair("redirect_uri", self.redirect_uri.trim())
                .append_pair("scope", self.scope.as_str());
            if let Some(landing) = self.landing {
                let landing = match landing {
                    Landing::Login => "login",
                    Landing::Register => "register",
                };
                query.append_pair("stripe_landing", landing);
            }
            if self.always_prompt {
                query.append_pair("always_prompt", "true");
            }
            for (name, value) in &self.prefill {
                query.append_pair(name, value);
            }
        }
        url
    }
}
