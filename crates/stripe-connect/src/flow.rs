//! The Connect OAuth link flow for one integration: authorize URL, state check, token
//! exchange, refresh and deauthorize.
//!
//! Built on `oauth2` (client, [`oauth2::CsrfToken`], [`oauth2::ExtraTokenFields`]); requests go
//! through [`crate::HttpClient`]. Knows nothing of companies or connections beyond the two ids
//! in [`StateBinding`], and nothing of the commerce model.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AsyncHttpClient, AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, RedirectUrl, RefreshToken, RequestTokenError,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::callback::{AuthorizeErrorCode, Callback, CallbackOutcome};
use crate::error::{ConnectError, OAuthErrorCode};
use crate::http::HttpClient;
use crate::integration::Integration;
use crate::state::{state_key, Clock, StateBinding, StateStore, SystemClock, DEFAULT_STATE_TTL};

/// Number of random bytes in a state (before URL-safe base64).
const STATE_BYTES: u32 = 32;

/// The OAuth link flow for one [`Integration`].
///
/// Holds the integration, an `oauth2` client, the HTTP client, the [`StateStore`] and the
/// [`Clock`]. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct ConnectFlow {
    integration: Integration,
    oauth: StripeOAuthClient,
    http: HttpClient,
    store: Arc<dyn StateStore>,
    clock: Arc<dyn Clock>,
    state_ttl: Duration,
}

/// Optional parameters of the authorize URL.
#[derive(Debug, Clone, Default)]
pub struct AuthorizeOptions {
    landing: Option<Landing>,
    always_prompt: bool,
    email: Option<String>,
    url: Option<String>,
    country: Option<String>,
    business_name: Option<String>,
}

/// Which page Stripe shows first (`stripe_landing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landing {
    /// The sign-in page, for merchants who already have a Stripe account.
    Login,
    /// The sign-up page.
    Register,
}

/// Where to send the merchant, and the state that will come back.
#[derive(Debug, Clone)]
pub struct AuthorizeRedirect {
    url: url::Url,
    state: String,
    expires_at: SystemTime,
}

/// A successfully completed callback, whatever the merchant answered.
#[derive(Debug)]
pub struct Link {
    binding: StateBinding,
    outcome: LinkOutcome,
}

/// What the merchant's answer led to.
#[derive(Debug)]
#[non_exhaustive]
pub enum LinkOutcome {
    /// The account is connected.
    Connected(ConnectedAccount),
    /// The merchant declined ([`AuthorizeErrorCode::AccessDenied`]) or Stripe refused the
    /// authorize request; no token was requested.
    Denied {
        /// The authorize error code.
        error: AuthorizeErrorCode,
        /// Stripe's description.
        description: Option<String>,
    },
}

/// A connected account's tokens and ids, from a code exchange or a refresh.
///
/// `Debug` shows no token: they are [`SecretString`]s.
#[derive(Debug, Clone)]
pub struct ConnectedAccount {
    stripe_user_id: String,
    livemode: bool,
    scope: Option<String>,
    token_type: String,
    access_token: SecretString,
    refresh_token: Option<SecretString>,
    stripe_publishable_key: Option<String>,
}

/// The result of a deauthorize call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Deauthorization {
    /// Stripe disconnected the account now.
    Deauthorized {
        /// The account Stripe confirmed (`acct_...`).
        stripe_user_id: String,
    },
    /// The account was not connected to this platform any more (the merchant revoked access,
    /// or it was deauthorized before), or does not exist. Nothing left to undo.
    AlreadyDisconnected {
        /// Stripe's description.
        description: Option<String>,
    },
}

/// Stripe's extra fields in the token response, beside the standard OAuth ones.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StripeTokenFields {
    livemode: bool,
    stripe_user_id: String,
    #[serde(default)]
    stripe_publishable_key: Option<String>,
}

impl oauth2::ExtraTokenFields for StripeTokenFields {}

type StripeTokenResponse = StandardTokenResponse<StripeTokenFields, BasicTokenType>;

type StripeOAuthClient = oauth2::Client<
    BasicErrorResponse,
    StripeTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

#[derive(Deserialize)]
struct DeauthorizeResponse {
    stripe_user_id: String,
}

impl ConnectFlow {
    /// A flow for `integration`, keeping states in `store`, with the system clock, a 10 minute
    /// state lifetime and a default [`HttpClient`].
    pub fn new(integration: Integration, store: Arc<dyn StateStore>) -> Result<Self, ConnectError> {
        // The token endpoint is authenticated with the platform secret key sent as the
        // `client_secret` form field, which Stripe documents for `/oauth/token`.
        let oauth = oauth2::Client::new(ClientId::new(integration.client_id().to_owned()))
            .set_client_secret(ClientSecret::new(
                integration.secret_key().expose_secret().to_owned(),
            ))
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri(AuthUrl::from_url(integration.endpoint("authorize")))
            .set_token_uri(TokenUrl::from_url(integration.endpoint("token")));
        Ok(Self {
            integration,
            oauth,
            http: HttpClient::new()?,
            store,
            clock: Arc::new(SystemClock),
            state_ttl: DEFAULT_STATE_TTL,
        })
    }

    /// Sets how long an issued state is accepted.
    pub fn with_state_ttl(mut self, state_ttl: Duration) -> Self {
        self.state_ttl = state_ttl;
        self
    }

    /// Sets the clock that stamps and checks state expiry.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the HTTP client.
    pub fn with_http_client(mut self, http: HttpClient) -> Self {
        self.http = http;
        self
    }

    /// The integration this flow links accounts through.
    pub fn integration(&self) -> &Integration {
        &self.integration
    }

    /// Issues a state bound to `binding`, saves it and builds Stripe's authorize URL.
    ///
    /// The URL carries `response_type=code`, `client_id`, `state`, `redirect_uri`, `scope`
    /// and the options that are set.
    pub async fn authorize(
        &self,
        binding: &StateBinding,
        options: &AuthorizeOptions,
    ) -> Result<AuthorizeRedirect, ConnectError> {
        let redirect_uri = RedirectUrl::from_url(self.integration.redirect_uri().clone());
        let mut request = self
            .oauth
            .authorize_url(|| CsrfToken::new_random_len(STATE_BYTES))
            .set_redirect_uri(Cow::Owned(redirect_uri))
            .add_scope(oauth2::Scope::new(
                self.integration.scope().as_str().to_owned(),
            ));
        if let Some(landing) = options.landing {
            let landing = match landing {
                Landing::Login => "login",
                Landing::Register => "register",
            };
            request = request.add_extra_param("stripe_landing", landing);
        }
        if options.always_prompt {
            request = request.add_extra_param("always_prompt", "true");
        }
        let prefill = [
            ("stripe_user[email]", &options.email),
            ("stripe_user[url]", &options.url),
            ("stripe_user[country]", &options.country),
            ("stripe_user[business_name]", &options.business_name),
        ];
        for (name, value) in prefill {
            if let Some(value) = value {
                request = request.add_extra_param(name, value.as_str());
            }
        }
        let (url, state) = request.url();
        let expires_at = self.clock.now() + self.state_ttl;
        self.store
            .save(&state_key(state.secret()), binding, expires_at)
            .await?;
        Ok(AuthorizeRedirect {
            url,
            state: state.into_secret(),
            expires_at,
        })
    }

    /// Consumes `state` and returns what it was issued for.
    ///
    /// Errors: [`ConnectError::UnknownState`] (never issued, or already used),
    /// [`ConnectError::ExpiredState`], and [`ConnectError::StateMismatch`] when `expected` is
    /// given and the state was issued for another binding (compared in constant time). The
    /// state is consumed in every case, so it can never be tried twice.
    pub async fn verify_state(
        &self,
        state: &str,
        expected: Option<&StateBinding>,
    ) -> Result<StateBinding, ConnectError> {
        if state.is_empty() {
            return Err(ConnectError::MissingState);
        }
        let issued = self
            .store
            .take(&state_key(state))
            .await?
            .ok_or(ConnectError::UnknownState)?;
        let now = self.clock.now();
        if let Ok(expired_for) = now.duration_since(issued.expires_at) {
            return Err(ConnectError::ExpiredState {
                expired_for_secs: expired_for.as_secs(),
            });
        }
        if let Some(expected) = expected {
            if !issued.binding.ct_eq(expected) {
                return Err(ConnectError::StateMismatch);
            }
        }
        Ok(issued.binding)
    }

    /// Handles a callback: verifies and consumes its state, then, if the merchant connected,
    /// exchanges the code. No token request is made unless the state checks out.
    ///
    /// A server that wants the binding even when the exchange fails (to mark the connection
    /// as failed) calls [`ConnectFlow::verify_state`] and [`ConnectFlow::exchange_code`] itself.
    pub async fn complete(
        &self,
        callback: Callback,
        expected: Option<&StateBinding>,
    ) -> Result<Link, ConnectError> {
        let (state, outcome) = callback.into_parts();
        let binding = self.verify_state(&state, expected).await?;
        let outcome = match outcome {
            CallbackOutcome::Authorized { code, .. } => {
                LinkOutcome::Connected(self.exchange_code(&code).await?)
            }
            CallbackOutcome::Denied { error, description } => {
                LinkOutcome::Denied { error, description }
            }
        };
        Ok(Link { binding, outcome })
    }

    /// Exchanges an authorization code (`grant_type=authorization_code`) for the account's
    /// tokens, and checks `livemode` against the integration.
    pub async fn exchange_code(
        &self,
        code: &SecretString,
    ) -> Result<ConnectedAccount, ConnectError> {
        let response = self
            .oauth
            .exchange_code(AuthorizationCode::new(code.expose_secret().to_owned()))
            .request_async(&self.http)
            .await;
        let account = self.accept_token_response(response)?;
        tracing::info!(
            stripe_user_id = %account.stripe_user_id,
            integration = %self.integration.kind(),
            "stripe account connected"
        );
        Ok(account)
    }

    /// Mints a new access token from a refresh token (`grant_type=refresh_token`), and checks
    /// `livemode` against the integration.
    pub async fn refresh(
        &self,
        refresh_token: &SecretString,
    ) -> Result<ConnectedAccount, ConnectError> {
        let refresh_token = RefreshToken::new(refresh_token.expose_secret().to_owned());
        let response = self
            .oauth
            .exchange_refresh_token(&refresh_token)
            .request_async(&self.http)
            .await;
        self.accept_token_response(response)
    }

    /// Disconnects `stripe_user_id` (`acct_...`) from the platform
    /// (`POST /oauth/deauthorize` with `client_id` and `stripe_user_id`, authenticated with
    /// the secret key as a bearer token).
    ///
    /// An account that is already disconnected, or does not exist, is
    /// [`Deauthorization::AlreadyDisconnected`]: Stripe answers `invalid_client` saying the
    /// account is not connected or does not exist. Any other `invalid_client` (a wrong client
    /// id, a key of the other mode) stays an error.
    pub async fn deauthorize(&self, stripe_user_id: &str) -> Result<Deauthorization, ConnectError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", self.integration.client_id())
            .append_pair("stripe_user_id", stripe_user_id)
            .finish();
        let authorization = format!("Bearer {}", self.integration.secret_key().expose_secret());
        let request = oauth2::http::Request::builder()
            .method(oauth2::http::Method::POST)
            .uri(self.integration.endpoint("deauthorize").as_str())
            .header(oauth2::http::header::ACCEPT, "application/json")
            .header(
                oauth2::http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(oauth2::http::header::AUTHORIZATION, authorization)
            .body(body.into_bytes())
            .map_err(|error| ConnectError::Http {
                source: Box::new(error),
            })?;
        let response = self
            .http
            .call(request)
            .await
            .map_err(|error| ConnectError::Http {
                source: Box::new(error),
            })?;
        let status = response.status();
        if status.is_success() {
            let body: DeauthorizeResponse =
                serde_json::from_slice(response.body()).map_err(|_| {
                    ConnectError::UnexpectedResponse {
                        problem: format!("deauthorize answered {status} without a stripe_user_id"),
                    }
                })?;
            if body.stripe_user_id != stripe_user_id {
                return Err(ConnectError::UnexpectedResponse {
                    problem: "deauthorize confirmed another account".to_owned(),
                });
            }
            tracing::info!(stripe_user_id, "stripe account deauthorized");
            return Ok(Deauthorization::Deauthorized {
                stripe_user_id: body.stripe_user_id,
            });
        }
        let error: stripe_wire::OAuthErrorBody =
            serde_json::from_slice(response.body()).map_err(|_| {
                ConnectError::UnexpectedResponse {
                    problem: format!("deauthorize answered {status} without an oauth error body"),
                }
            })?;
        let code = OAuthErrorCode::parse(&error.error);
        if code == OAuthErrorCode::InvalidClient
            && error
                .error_description
                .as_deref()
                .is_some_and(describes_missing_connection)
        {
            tracing::info!(stripe_user_id, "stripe account was already disconnected");
            return Ok(Deauthorization::AlreadyDisconnected {
                description: error.error_description,
            });
        }
        Err(ConnectError::OAuth {
            code,
            description: error.error_description,
        })
    }

    fn accept_token_response<RE: std::error::Error + Send + Sync + 'static>(
        &self,
        response: Result<StripeTokenResponse, RequestTokenError<RE, BasicErrorResponse>>,
    ) -> Result<ConnectedAccount, ConnectError> {
        let response = response.map_err(token_error)?;
        let extra = response.extra_fields();
        let kind = self.integration.kind();
        if extra.livemode != kind.is_live() {
            tracing::warn!(
                stripe_user_id = %extra.stripe_user_id,
                integration = %kind,
                livemode = extra.livemode,
                "token livemode does not match the integration"
            );
            return Err(ConnectError::LivemodeMismatch {
                kind,
                livemode: extra.livemode,
            });
        }
        let scope = response.scopes().map(|scopes| {
            scopes
                .iter()
                .map(|scope| scope.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        });
        Ok(ConnectedAccount {
            stripe_user_id: extra.stripe_user_id.clone(),
            livemode: extra.livemode,
            scope,
            token_type: response.token_type().as_ref().to_owned(),
            access_token: SecretString::from(response.access_token().secret().to_owned()),
            refresh_token: response
                .refresh_token()
                .map(|token| SecretString::from(token.secret().to_owned())),
            stripe_publishable_key: extra.stripe_publishable_key.clone(),
        })
    }
}

impl std::fmt::Debug for ConnectFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectFlow")
            .field("integration", &self.integration)
            .field("state_ttl", &self.state_ttl)
            .finish_non_exhaustive()
    }
}

impl AuthorizeOptions {
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
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Prefills `stripe_user[url]`, the business website.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Prefills `stripe_user[country]` (two-letter ISO code).
    pub fn country(mut self, country: impl Into<String>) -> Self {
        self.country = Some(country.into());
        self
    }

    /// Prefills `stripe_user[business_name]`.
    pub fn business_name(mut self, business_name: impl Into<String>) -> Self {
        self.business_name = Some(business_name.into());
        self
    }
}

impl AuthorizeRedirect {
    /// Stripe's authorize URL to redirect the merchant to.
    pub fn url(&self) -> &url::Url {
        &self.url
    }

    /// The state in the URL (32 random bytes, URL-safe base64 without padding).
    pub fn state(&self) -> &str {
        &self.state
    }

    /// When the state stops being accepted.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
}

impl Link {
    /// The company and connection the state was issued for.
    pub fn binding(&self) -> &StateBinding {
        &self.binding
    }

    /// What the merchant's answer led to.
    pub fn outcome(&self) -> &LinkOutcome {
        &self.outcome
    }

    /// Splits the link into its binding and outcome.
    pub fn into_parts(self) -> (StateBinding, LinkOutcome) {
        (self.binding, self.outcome)
    }
}

impl ConnectedAccount {
    /// The connected account's id (`acct_...`), to send as `Stripe-Account` with the platform
    /// secret key.
    pub fn stripe_user_id(&self) -> &str {
        &self.stripe_user_id
    }

    /// Whether the token is for live mode.
    pub fn livemode(&self) -> bool {
        self.livemode
    }

    /// The scope granted (`read_only` or `read_write`), if Stripe said.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The token type (`bearer`).
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// The access token; it acts like a secret key for this account only.
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }

    /// The refresh token, if Stripe sent one.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh_token.as_ref()
    }

    /// The account's publishable key (`pk_...`), if Stripe sent one.
    pub fn stripe_publishable_key(&self) -> Option<&str> {
        self.stripe_publishable_key.as_deref()
    }
}

fn token_error<RE: std::error::Error + Send + Sync + 'static>(
    error: RequestTokenError<RE, BasicErrorResponse>,
) -> ConnectError {
    match error {
        RequestTokenError::ServerResponse(response) => ConnectError::OAuth {
            code: OAuthErrorCode::parse(response.error().as_ref()),
            description: response.error_description().cloned(),
        },
        RequestTokenError::Request(source) => ConnectError::Http {
            source: Box::new(source),
        },
        // The body may hold tokens: report only where parsing failed.
        RequestTokenError::Parse(error, _body) => ConnectError::UnexpectedResponse {
            problem: format!("the token response does not parse at `{}`", error.path()),
        },
        RequestTokenError::Other(problem) => ConnectError::UnexpectedResponse { problem },
    }
}

/// Whether an `invalid_client` description says the account is not (or no longer) connected.
fn describes_missing_connection(description: &str) -> bool {
    let description = description.to_ascii_lowercase();
    description.contains("not connected") || description.contains("does not exist")
}
