//! Accounts linked through Stripe Apps OAuth: the install link, the linked account built from
//! the tokens, when to refresh, and the refresh itself.
//!
//! Such an account is marked in its metadata ([`LINK_METHOD_METADATA`] = `app`); its access
//! token is the API key for its requests (no `Stripe-Account`), expires (one hour at Stripe),
//! and is refreshed through `stripe_connect::AppOAuthClient`, which answers a new refresh token
//! each time (the engine stores the new pair before using it, one refresh per connection at a
//! time). Tokens never reach a log line or error message.

use std::time::Duration;

use chrono::{DateTime, Utc};
use commerce_model::platform::{LinkRequest, LinkedAccount, PlatformError};
use secrecy::{ExposeSecret, SecretString};
use stripe_client::StripeClient;
use stripe_connect::{AppOAuthClient, AppTokens, ConnectError, Integration, OAuthErrorCode};

use crate::platform::errors::{from_connect, from_stripe};

/// The metadata key saying how an account was linked; `app` for Stripe Apps OAuth (absent for
/// Connect OAuth).
pub const LINK_METHOD_METADATA: &str = "stripe_link_method";
/// The value of [`LINK_METHOD_METADATA`] for Stripe Apps OAuth.
pub const LINK_METHOD_APP: &str = "app";
/// The metadata key holding the access token's lifetime in seconds (`expires_in`).
pub const ACCESS_TTL_METADATA: &str = "stripe_access_ttl_secs";

/// Refresh when less than this remains of an access token's life...
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// What the merchant must do after `invalid_grant`.
const RELINK_REASON: &str = "stripe refused the refresh token (invalid_grant): the app was uninstalled or its access revoked; the merchant must link the Stripe account again";

/// Whether `account` was linked through Stripe Apps OAuth.
pub(crate) fn is_app_account(account: &LinkedAccount) -> bool {
    account
        .metadata
        .get(LINK_METHOD_METADATA)
        .is_some_and(|method| method == LINK_METHOD_APP)
}

/// The install link for one attempt: the app's install URL with the client id, the redirect URI
/// (the request's, else the integration's) and the server's `state`.
pub(crate) fn install_url(
    install_url: &str,
    integration: &Integration,
    request: &LinkRequest,
) -> Result<url::Url, PlatformError> {
    let redirect_uri = if request.redirect_uri.is_empty() {
        integration.redirect_uri().as_str()
    } else {
        request.redirect_uri.as_str()
    };
    stripe_connect::app_install_url(
        install_url,
        integration.client_id(),
        redirect_uri,
        request.state.as_str(),
    )
    .map_err(from_connect)
}

/// The account to store from a code exchange or refresh answered at `issued_at`.
pub(crate) fn linked_account(tokens: &AppTokens, issued_at: DateTime<Utc>) -> LinkedAccount {
    let mut linked = LinkedAccount::new(tokens.stripe_user_id(), tokens.livemode());
    linked.scope = tokens.scope().map(str::to_owned);
    linked.access_token = Some(SecretString::from(
        tokens.access_token().expose_secret().to_owned(),
    ));
    linked.refresh_token = Some(SecretString::from(
        tokens.refresh_token().expose_secret().to_owned(),
    ));
    let ttl = chrono::Duration::from_std(tokens.expires_in()).unwrap_or(chrono::Duration::hours(1));
    linked.access_expires_at = Some(issued_at + ttl);
    linked
        .metadata
        .insert(LINK_METHOD_METADATA.to_owned(), LINK_METHOD_APP.to_owned());
    linked.metadata.insert(
        ACCESS_TTL_METADATA.to_owned(),
        tokens.expires_in().as_secs().to_string(),
    );
    linked
}

/// Whether an app account's access token should be refreshed now: less than five minutes
/// left, or, for tokens living under twenty minutes (a sandbox's short TTLs), less than a
/// quarter of their life. Connect accounts' tokens do not expire.
pub(crate) fn needs_refresh(account: &LinkedAccount, now: DateTime<Utc>) -> bool {
    if !is_app_account(account) {
        return false;
    }
    let lifetime = account
        .metadata
        .get(ACCESS_TTL_METADATA)
        .and_then(|secs| secs.parse::<u64>().ok())
        .map_or(Duration::from_secs(3600), Duration::from_secs);
    let margin = REFRESH_MARGIN.min(lifetime / 4);
    account.access_expires_within(now, margin)
}

/// A new token pair for an app account from its refresh token.
pub(crate) async fn refresh(
    client: &AppOAuthClient,
    account: &LinkedAccount,
) -> Result<LinkedAccount, PlatformError> {
    if !is_app_account(account) {
        return Err(PlatformError::Unsupported {
            what: "credential refresh of a Connect OAuth account",
        });
    }
    let Some(refresh_token) = &account.refresh_token else {
        return Err(PlatformError::RelinkNeeded {
            reason:
                "the account has no refresh token; the merchant must link the Stripe account again"
                    .to_owned(),
        });
    };
    let issued_at = Utc::now();
    let tokens = match client.refresh(refresh_token).await {
        Ok(tokens) => tokens,
        Err(ConnectError::OAuth {
            code: OAuthErrorCode::InvalidGrant,
            ..
        }) => {
            return Err(PlatformError::RelinkNeeded {
                reason: RELINK_REASON.to_owned(),
            })
        }
        Err(error @ ConnectError::Http { .. }) => return Err(from_connect(error)),
        Err(error) => {
            return Err(PlatformError::internal(
                "stripe app token refresh failed",
                error,
            ))
        }
    };
    if tokens.stripe_user_id() != account.external_id {
        return Err(PlatformError::RelinkNeeded {
            reason: format!(
                "the refreshed tokens are for {} instead of {}; the merchant must link the Stripe account again",
                tokens.stripe_user_id(),
                account.external_id
            ),
        });
    }
    let mut refreshed = linked_account(&tokens, issued_at);
    for (key, value) in &account.metadata {
        refreshed
            .metadata
            .entry(key.clone())
            .or_insert_with(|| value.clone());
    }
    Ok(refreshed)
}

/// The API client for one account's pulls: the account's own access token for app accounts,
/// the platform key with `Stripe-Account` for Connect accounts.
pub(crate) fn account_client(
    platform_client: &StripeClient,
    account: &LinkedAccount,
) -> Result<StripeClient, PlatformError> {
    if !is_app_account(account) {
        return platform_client
            .on_behalf_of(&account.external_id)
            .map_err(from_stripe);
    }
    let Some(access_token) = &account.access_token else {
        return Err(PlatformError::RelinkNeeded {
            reason:
                "the account has no access token; the merchant must link the Stripe account again"
                    .to_owned(),
        });
    };
    platform_client
        .with_account_key(&account.external_id, access_token)
        .map_err(from_stripe)
}
