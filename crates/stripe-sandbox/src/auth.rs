//! API authentication like Stripe's: a platform secret key (or an OAuth access token) chooses
//! the mode, and `Stripe-Account` must name an account connected to the platform in that mode;
//! a merchant's own secret or restricted key (`merchant_keys`) reads its own account.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};

use crate::bearer::bearer_key;
use crate::error::ApiFailure;
use crate::state::{lock, AccountState, Mode, State};

/// Who is calling and whose data they see.
#[derive(Debug)]
pub(crate) struct Caller {
    pub(crate) mode: Mode,
    pub(crate) account: Arc<AccountState>,
}

/// `sk_test_****abcd`: how Stripe shows a key in error messages.
pub(crate) fn mask_key(key: &str) -> String {
    let prefix_len = key
        .match_indices('_')
        .nth(1)
        .map_or(0, |(index, _)| index + 1);
    let tail: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!(
        "{}{}{}",
        key.get(..prefix_len).unwrap_or_default(),
        "*".repeat(12),
        tail
    )
}

fn unauthorized(message: String) -> ApiFailure {
    ApiFailure::new(
        StatusCode::UNAUTHORIZED,
        "invalid_request_error",
        None,
        message,
    )
}

fn no_access(key: &str, account: &str) -> ApiFailure {
    ApiFailure::new(
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        Some("account_invalid"),
        format!(
            "The provided key '{}' does not have access to account '{account}' (or that account does not exist). Application access may have been revoked.",
            mask_key(key)
        ),
    )
}

pub(crate) fn authenticate(state: &State, headers: &HeaderMap) -> Result<Caller, ApiFailure> {
    let Some(key) = bearer_key(headers) else {
        return Err(unauthorized(
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').".to_owned(),
        ));
    };
    let requested = headers
        .get("stripe-account")
        .map(|value| value.to_str().unwrap_or_default().trim().to_owned());

    if let Some(mode) = state.platform_key_mode(&key) {
        let Some(requested) = requested else {
            return Ok(Caller {
                mode,
                account: state.platform_account(mode).clone(),
            });
        };
        if requested == state.platform_id {
            return Ok(Caller {
                mode,
                account: state.platform_account(mode).clone(),
            });
        }
        let account = state
            .account(&requested)
            .ok()
            .filter(|account| {
                account.merchant.mode == mode && account.connected.load(Ordering::SeqCst)
            })
            .ok_or_else(|| no_access(&key, &requested))?;
        return Ok(Caller {
            mode,
            account: account.clone(),
        });
    }

    // A merchant's own secret or restricted key reads its own account (permissions are checked
    // by `merchant_keys::check_permissions`).
    if let Some(merchant_key) = state.merchant_keys.get(state, &key) {
        let account = state
            .accounts
            .get(merchant_key.account)
            .ok_or_else(ApiFailure::internal)?;
        if let Some(requested) = requested {
            if requested != account.merchant.account_id {
                return Err(no_access(&key, &requested));
            }
        }
        return Ok(Caller {
            mode: merchant_key.mode,
            account: account.clone(),
        });
    }

    let mut grants = lock(&state.oauth).map_err(|_| ApiFailure::internal())?;
    let grant = grants.access_tokens.get(&key).cloned();
    let expired = grant
        .as_ref()
        .and_then(|grant| grant.expires_at_ms)
        .is_some_and(|expires_at| state.clock.now_millis() >= expires_at);
    if expired {
        grants.counters.expired_key_rejections += 1;
    }
    drop(grants);
    let Some(grant) = grant else {
        return Err(unauthorized(format!(
            "Invalid API Key provided: {}",
            mask_key(&key)
        )));
    };
    let account = state
        .accounts
        .get(grant.account)
        .filter(|account| account.connected.load(Ordering::SeqCst))
        .ok_or_else(|| unauthorized(format!("Invalid API Key provided: {}", mask_key(&key))))?;
    if expired {
        return Err(ApiFailure::new(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            Some("api_key_expired"),
            format!("Expired API Key provided: {}", mask_key(&key)),
        ));
    }
    if let Some(requested) = requested {
        if requested != account.merchant.account_id {
            return Err(no_access(&key, &requested));
        }
    }
    Ok(Caller {
        mode: grant.mode,
        account: account.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked_like_stripe() {
        assert_eq!(mask_key("sk_test_abcdefgh1234"), "sk_test_************1234");
        assert_eq!(mask_key("xy"), "************xy");
    }
}
