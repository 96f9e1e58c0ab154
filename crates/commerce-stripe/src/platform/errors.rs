//! How Stripe's errors (`stripe-client`, `stripe-connect`) become [`PlatformError`]s, which tell
//! the sync engine and the server what to do.

use std::time::Duration;

use commerce_model::platform::{PlatformError, RetryKind};
use stripe_client::StripeError;
use stripe_connect::{ConnectError, OAuthErrorCode};

/// Classifies an API error.
///
/// - an expired access token (`401 api_key_expired`, Stripe Apps OAuth) -> `AccessExpired`;
/// - no access to the connected account (revoked, unknown account, an app's token refused)
///   -> `RelinkNeeded`;
/// - rate limited after the client's retries -> `RetryLater` (rate limited);
/// - 5xx, timeouts, transport failures after the client's retries -> `RetryLater` (unavailable);
/// - 403 (the key lacks a permission) -> `PermissionDenied` with Stripe's message (keys in it
///   masked to their last four characters);
/// - anything else (a rejected platform key, 404 on a list, an undecodable page) -> `Internal`,
///   which ends the dataset in error.
pub(crate) fn from_stripe(error: StripeError) -> PlatformError {
    match error {
        // A Stripe Apps access token ran out: refresh it and try again.
        StripeError::InvalidApiKey { ref code, .. }
            if code.as_deref() == Some("api_key_expired") =>
        {
            PlatformError::AccessExpired {
                reason: error.to_string(),
            }
        }
        StripeError::AccountAccessRevoked { .. } => PlatformError::RelinkNeeded {
            reason: error.to_string(),
        },
        StripeError::RateLimited { retry_after, .. } => retry_later(
            RetryKind::RateLimited,
            retry_after,
            error.to_string(),
            error,
        ),
        // Stripe's message names the missing permission; a key in it is shown by its last
        // four characters only.
        StripeError::Api {
            status: 403,
            ref message,
            ..
        } => PlatformError::PermissionDenied {
            message: super::api_key::mask_keys(
                message
                    .as_deref()
                    .unwrap_or("stripe answered 403 without a message"),
            ),
        },
        StripeError::Api { status, .. } | StripeError::UnexpectedResponse { status, .. }
            if status == 429 =>
        {
            retry_later(RetryKind::RateLimited, None, error.to_string(), error)
        }
        _ if error.is_retryable() => {
            retry_later(RetryKind::Unavailable, None, error.to_string(), error)
        }
        _ => PlatformError::internal("stripe request failed", error),
    }
}

fn retry_later(
    kind: RetryKind,
    retry_after: Option<Duration>,
    message: String,
    source: StripeError,
) -> PlatformError {
    PlatformError::RetryLater {
        kind,
        retry_after,
        message,
        source: Some(Box::new(source)),
    }
}

/// Classifies an error of the OAuth flow (token exchange, deauthorize).
///
/// What the merchant or the callback got wrong is `LinkFailed` with a reason safe to show;
/// transport failures are `RetryLater`; configuration and unexpected answers are `Internal`.
pub(crate) fn from_connect(error: ConnectError) -> PlatformError {
    match error {
        ConnectError::OAuth {
            code: OAuthErrorCode::InvalidGrant,
            ..
        } => PlatformError::LinkFailed {
            reason:
                "the authorization code is invalid, expired or already used: start linking again"
                    .to_owned(),
        },
        ConnectError::OAuth { .. }
        | ConnectError::LivemodeMismatch { .. }
        | ConnectError::InvalidCallback { .. }
        | ConnectError::MissingState => PlatformError::LinkFailed {
            reason: error.to_string(),
        },
        ConnectError::Http { .. } => PlatformError::RetryLater {
            kind: RetryKind::Unavailable,
            retry_after: None,
            message: error.to_string(),
            source: Some(Box::new(error)),
        },
        _ => PlatformError::internal("stripe connect failed", error),
    }
}
