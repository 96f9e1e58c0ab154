//! Linking with an API key the merchant pasted: a restricted (`rk_...`) or secret (`sk_...`) key
//! of the merchant's own account, used directly (no `Stripe-Account` header, nothing to refresh,
//! nothing this service can revoke: only the merchant can roll or delete the key).
//!
//! The key is checked by reading `GET /v1/account` with it, which names the account. Refusals
//! become [`PlatformError::LinkFailed`] with a reason that shows the key by its last four
//! characters only.

use std::collections::BTreeMap;

use commerce_model::platform::{CredentialField, LinkedAccount, PlatformError};
use secrecy::{ExposeSecret, SecretString};
use stripe_client::{SecretKey, StripeClient, StripeError};

use super::display_name;
use stripe_connect::Mode;

/// The field of Codat's authorization body holding the key (`{"apiKey": "rk_test_..."}`).
pub const API_KEY_FIELD: &str = "apiKey";

/// The credential a merchant pastes.
pub(crate) const FIELDS: [CredentialField; 1] = [CredentialField {
    name: API_KEY_FIELD,
    label: "Stripe API key",
    help: "a restricted key (rk_...) with read permissions, or a secret key (sk_...), of the account to link",
}];

/// The metadata key of [`LinkedAccount::metadata`] saying how the account was linked.
pub const LINK_METHOD_METADATA: &str = "stripe_link_method";
/// [`LINK_METHOD_METADATA`]'s value for an account linked with a pasted key.
pub const LINK_METHOD_API_KEY: &str = "api_key";

/// Whether `account` was linked with a pasted key.
pub fn is_api_key_account(account: &LinkedAccount) -> bool {
    account
        .metadata
        .get(LINK_METHOD_METADATA)
        .is_some_and(|method| method == LINK_METHOD_API_KEY)
}

/// `...abcd`: a key shown by its last four characters.
pub fn last_four(key: &str) -> String {
    let tail: Vec<char> = key.chars().rev().take(4).collect();
    format!("...{}", tail.into_iter().rev().collect::<String>())
}

/// `text` with every Stripe key in it (`sk_`, `rk_`, `pk_`, masked or not, as Stripe quotes them
/// in messages) shown by its prefix and last four characters only.
pub fn mask_keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = ["sk_", "rk_", "pk_"]
        .iter()
        .filter_map(|prefix| rest.find(prefix))
        .min()
    {
        let (before, from) = rest.split_at(start);
        // A key starts at a word boundary.
        let boundary = before
            .chars()
            .last()
            .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
        let end = from
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '*' || c == '.'))
            .unwrap_or(from.len());
        let (key, after) = from.split_at(end);
        out.push_str(before);
        if boundary {
            let prefix_end = key
                .match_indices('_')
                .nth(1)
                .map_or(3, |(index, _)| index + 1);
            let prefix = key.get(..prefix_end).unwrap_or("");
            out.push_str(prefix);
            out.push_str(&last_four(key));
        } else {
            out.push_str(key);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The permission Stripe names in a 403 ("Having the 'rak_charge_read' permission would allow
/// this request to continue."), if it names one.
pub fn missing_permission(message: &str) -> Option<&str> {
    let start = message.find("'rak_")? + 1;
    let end = start + message.get(start..)?.find('\'')?;
    message.get(start..end)
}

/// The mode a key of this text is for, without checking the rest of it.
fn key_mode_word(text: &str) -> Option<&'static str> {
    if text.starts_with("sk_test_") || text.starts_with("rk_test_") {
        Some("test")
    } else if text.starts_with("sk_live_") || text.starts_with("rk_live_") {
        Some("live")
    } else {
        None
    }
}

fn refused(reason: String) -> PlatformError {
    PlatformError::LinkFailed { reason }
}

/// Checks the pasted key and reads the account it belongs to.
pub(crate) async fn link(
    mode: Mode,
    platform_client: &StripeClient,
    credentials: &BTreeMap<String, SecretString>,
) -> Result<LinkedAccount, PlatformError> {
    let Some(secret) = credentials.get(API_KEY_FIELD) else {
        return Err(refused(format!(
            "the body must carry {API_KEY_FIELD:?}: {}",
            FIELDS[0].help
        )));
    };
    if let Some(other) = credentials
        .keys()
        .find(|name| name.as_str() != API_KEY_FIELD)
    {
        return Err(refused(format!(
            "unknown field {other:?}: only {API_KEY_FIELD:?} is read"
        )));
    }
    let text = secret.expose_secret().trim();
    let shown = last_four(text);
    let wanted = if mode.is_live() { "live" } else { "test" };
    match key_mode_word(text) {
        None => {
            return Err(refused(format!(
                "the key ending in {shown} is not a Stripe secret or restricted key: paste a key starting with rk_{wanted}_ or sk_{wanted}_"
            )))
        }
        Some(found) if found != wanted => {
            return Err(refused(format!(
                "the key ending in {shown} is a {found}-mode key, but {} needs a {wanted}-mode key (rk_{wanted}_... or sk_{wanted}_...)",
                display_name(mode)
            )))
        }
        Some(_) => {}
    }
    let key = SecretKey::parse(SecretString::from(text.to_owned())).map_err(|error| {
        refused(format!(
            "the key ending in {shown} is not a valid Stripe key: {error}"
        ))
    })?;
    let restricted = key.is_restricted();
    let client = platform_client
        .with_merchant_key(key, None)
        .map_err(|error| refused(format!("the key ending in {shown} cannot be used: {error}")))?;
    let account: stripe_wire::Account = match client.get("/v1/account", &[]).await {
        Ok(account) => account,
        Err(error) => return Err(account_error(&shown, error)),
    };
    let mut linked = LinkedAccount::new(account.id, mode.is_live());
    linked.scope = Some(if restricted {
        "restricted_key".to_owned()
    } else {
        "secret_key".to_owned()
    });
    linked.access_token = Some(SecretString::from(text.to_owned()));
    linked.metadata.insert(
        LINK_METHOD_METADATA.to_owned(),
        LINK_METHOD_API_KEY.to_owned(),
    );
    Ok(linked)
}

/// What a failed `GET /v1/account` with a pasted key tells the merchant.
fn account_error(shown: &str, error: StripeError) -> PlatformError {
    match &error {
        StripeError::InvalidApiKey { .. } | StripeError::AccountAccessRevoked { .. } => {
            refused(format!(
                "Stripe rejected the key ending in {shown}: it is unknown, expired or was rolled"
            ))
        }
        StripeError::Api {
            status: 403,
            message,
            ..
        } => {
            let message = message.as_deref().unwrap_or_default();
            let reason = match missing_permission(message) {
                Some(permission) => format!(
                    "the key ending in {shown} cannot read the account: Stripe says the '{permission}' permission is missing ({})",
                    mask_keys(message)
                ),
                None => format!(
                    "the key ending in {shown} cannot read the account: {}",
                    mask_keys(message)
                ),
            };
            refused(reason)
        }
        _ => super::errors::from_stripe(error),
    }
}

/// A pull error with a pasted key: Stripe refusing the key itself (401: rolled, deleted or
/// expired by the merchant) means the merchant must link again.
pub(crate) fn key_refused(error: PlatformError) -> PlatformError {
    if let PlatformError::Internal {
        source: Some(source),
        ..
    } = &error
    {
        if let Some(StripeError::InvalidApiKey { .. }) = source.downcast_ref::<StripeError>() {
            return PlatformError::RelinkNeeded {
                reason: "Stripe no longer accepts the API key this account was linked with (rolled, deleted or expired): paste a new key".to_owned(),
            };
        }
    }
    error
}

/// A client reading `account` with its pasted key.
pub(crate) fn client_for(
    platform_client: &StripeClient,
    account: &LinkedAccount,
) -> Result<StripeClient, PlatformError> {
    let Some(token) = &account.access_token else {
        return Err(PlatformError::RelinkNeeded {
            reason: "the stored account has no API key: link it again".to_owned(),
        });
    };
    let key = SecretKey::parse(SecretString::from(token.expose_secret().to_owned())).map_err(
        |error| PlatformError::RelinkNeeded {
            reason: format!("the stored API key is not usable ({error}): link it again"),
        },
    )?;
    platform_client
        .with_merchant_key(key, Some(&account.external_id))
        .map_err(super::errors::from_stripe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_messages_show_only_their_last_four() {
        let message = "The provided key 'rk_test_************abcd' does not have the required permissions for this endpoint on account 'acct_1'. Having the 'rak_dispute_read' permission would allow this request to continue.";
        let masked = mask_keys(message);
        assert!(masked.contains("'rk_test_...abcd'"), "{masked}");
        assert!(masked.contains("'rak_dispute_read'"), "{masked}");
        assert_eq!(missing_permission(message), Some("rak_dispute_read"));
        assert_eq!(
            mask_keys("key sk_live_51Habcdefgh9876 here"),
            "key sk_live_...9876 here"
        );
        assert_eq!(last_four("rk_test_xyz1234"), "...1234");
    }
}
