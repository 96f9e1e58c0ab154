//! [`AppOAuthClient`]: Stripe Apps OAuth's two token calls (code exchange and refresh) at
//! `{api_base}/v1/oauth/token` over `reqwest`. Feature `oauth`.
//!
//! Stateless: the caller keeps the tokens, and must store each new refresh token before using
//! the new access token (the old refresh token stops working once Stripe answers).

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::apps::{parse_app_token_response, AppTokens};
use crate::error::ConnectError;
use crate::integration::Mode;

/// Stripe's API host, where Stripe Apps OAuth tokens are exchanged.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// Calls `/v1/oauth/token` for one mode with the secret key of the account that owns the app
/// (HTTP Basic, the key as user name, as Stripe's libraries send it).
///
/// Cheap to clone. `Debug` never shows the key.
#[derive(Clone)]
pub struct AppOAuthClient {
    mode: Mode,
    secret_key: SecretString,
    api_base: Url,
    http: reqwest::Client,
}

impl AppOAuthClient {
    /// A client for `mode` with the app owner's secret key of that mode and the API base URL
    /// (`https://api.stripe.com`, or a sandbox). Refused: a key of the other mode or not a
    /// secret key, an API base that is not an absolute http(s) URL.
    pub fn new(
        mode: Mode,
        secret_key: impl Into<SecretString>,
        api_base: &str,
    ) -> Result<Self, ConnectError> {
        let secret_key = secret_key.into();
        crate::integration::check_secret_key(mode, secret_key.expose_secret())?;
        let api_base = crate::integration::parse_url(mode, "api base url", api_base)?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|error| ConnectError::Http {
                source: Box::new(error),
            })?;
        Ok(Self {
            mode,
            secret_key,
            api_base,
            http,
        })
    }

    /// Sends the requests through `http` instead.
    pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    /// Test or live.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Exchanges the authorization code of an install (`grant_type=authorization_code`) and
    /// checks the tokens' mode.
    pub async fn exchange_code(&self, code: &SecretString) -> Result<AppTokens, ConnectError> {
        let tokens = self
            .token_request("authorization_code", "code", code)
            .await?;
        tracing::info!(stripe_user_id = %tokens.stripe_user_id(), mode = %self.mode,
            "stripe app installed");
        Ok(tokens)
    }

    /// Trades a refresh token for a new pair (`grant_type=refresh_token`). The refresh token
    /// given stops working: store the new pair before using it. `invalid_grant`
    /// ([`ConnectError::OAuth`]) means the token was already used, expired or the app was
    /// revoked: the merchant must link again.
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<AppTokens, ConnectError> {
        self.token_request("refresh_token", "refresh_token", refresh_token)
            .await
    }

    async fn token_request(
        &self,
        grant_type: &str,
        field: &str,
        secret: &SecretString,
    ) -> Result<AppTokens, ConnectError> {
        let mut url = self.api_base.clone();
        let path = format!("{}/v1/oauth/token", url.path().trim_end_matches('/'));
        url.set_path(&path);
        let form = [("grant_type", grant_type), (field, secret.expose_secret())];
        let response = self
            .http
            .post(url)
            .basic_auth(self.secret_key.expose_secret(), None::<&str>)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(http_error)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(http_error)?;
        let result = parse_app_token_response(status, &body, self.mode);
        if let Err(error) = &result {
            // The error names the OAuth code and Stripe's description, never a token.
            tracing::warn!(grant_type, mode = %self.mode, error = %error,
                "stripe app token request failed");
        }
        result
    }
}

impl fmt::Debug for AppOAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppOAuthClient")
            .field("mode", &self.mode)
            .field("secret_key", &"[REDACTED]")
            .field("api_base", &self.api_base.as_str())
            .finish()
    }
}

fn http_error(error: reqwest::Error) -> ConnectError {
    ConnectError::Http {
        source: Box::new(error.without_url()),
    }
}
