//! [`OAuthClient`]: the three calls to Stripe's Connect endpoints (code exchange, refresh,
//! deauthorize) over `reqwest`. Feature `oauth`.
//!
//! Each call builds a form request, sends it and hands the status and body to the pure parsers
//! in [`crate::token`]. Nothing is stored; the client keeps no state between calls.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::error::ConnectError;
use crate::integration::Integration;
use crate::token::{
    parse_deauthorize_response, parse_token_response, ConnectedAccount, Deauthorization,
};

/// Calls Stripe's Connect OAuth endpoints for one [`Integration`].
///
/// Cheap to clone (the `reqwest` connection pool is shared). `Debug` never shows the key.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    integration: Integration,
    http: reqwest::Client,
}

impl OAuthClient {
    /// A client for `integration`, with its own `reqwest::Client` (10 s connect timeout,
    /// 30 s request timeout).
    pub fn new(integration: Integration) -> Result<Self, ConnectError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|error| ConnectError::Http {
                source: Box::new(error),
            })?;
        Ok(Self { integration, http })
    }

    /// Sends the requests through `http` instead (to share a connection pool, proxy or
    /// timeouts with the rest of an application).
    pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    /// The settings this client uses.
    pub fn integration(&self) -> &Integration {
        &self.integration
    }

    /// Exchanges an authorization code (`ac_...`, from [`crate::Callback`]) for the account's
    /// tokens (`grant_type=authorization_code`, authenticated with the secret key as
    /// `client_secret`), and checks the token's mode against the integration's.
    pub async fn exchange_code(
        &self,
        code: &SecretString,
    ) -> Result<ConnectedAccount, ConnectError> {
        let account = self
            .token_request(&[
                ("grant_type", "authorization_code"),
                ("code", code.expose_secret()),
            ])
            .await?;
        tracing::info!(
            stripe_user_id = %account.stripe_user_id(),
            mode = %self.integration.mode(),
            "stripe account connected"
        );
        Ok(account)
    }

    /// Mints a new access token from a refresh token (`grant_type=refresh_token`), and checks
    /// the token's mode against the integration's.
    pub async fn refresh(
        &self,
        refresh_token: &SecretString,
    ) -> Result<ConnectedAccount, ConnectError> {
        self.token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
        ])
        .await
    }

    /// Disconnects `stripe_user_id` (`acct_...`) from the platform (`POST /oauth/deauthorize`
    /// with `client_id` and `stripe_user_id`, authenticated with the secret key as a bearer
    /// token). See [`parse_deauthorize_response`] for the outcomes.
    pub async fn deauthorize(&self, stripe_user_id: &str) -> Result<Deauthorization, ConnectError> {
        let form = [
            ("client_id", self.integration.client_id()),
            ("stripe_user_id", stripe_user_id),
        ];
        let request = self
            .http
            .post(self.integration.endpoint("deauthorize"))
            .bearer_auth(self.integration.secret_key().expose_secret())
            .form(&form);
        let (status, body) = send(request).await?;
        let outcome = parse_deauthorize_response(status, &body, stripe_user_id)?;
        tracing::info!(stripe_user_id, %outcome, "stripe account deauthorization");
        Ok(outcome)
    }

    async fn token_request(
        &self,
        grant: &[(&str, &str); 2],
    ) -> Result<ConnectedAccount, ConnectError> {
        let form = [
            grant[0],
            grant[1],
            ("client_id", self.integration.client_id()),
            (
                "client_secret",
                self.integration.secret_key().expose_secret(),
            ),
        ];
        let request = self
            .http
            .post(self.integration.endpoint("token"))
            .form(&form);
        let (status, body) = send(request).await?;
        let result = parse_token_response(status, &body, self.integration.mode());
        if let Err(ConnectError::LivemodeMismatch { livemode, .. }) = &result {
            tracing::warn!(
                mode = %self.integration.mode(),
                livemode,
                "token livemode does not match the integration"
            );
        }
        result
    }
}

async fn send(request: reqwest::RequestBuilder) -> Result<(u16, Vec<u8>), ConnectError> {
    let response = request
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(http_error)?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(http_error)?;
    Ok((status, body.to_vec()))
}

fn http_error(error: reqwest::Error) -> ConnectError {
    // reqwest's error may carry the URL; ours hold no secret (the key travels in the body or a
    // header, never in the URL).
    ConnectError::Http {
        source: Box::new(error.without_url()),
    }
}
