//! The sandbox's merchant keys as data: which keys exist, whose they are and what they may
//! read (the HTTP side, Stripe's 403 and `POST /_sandbox/restricted_keys`, is
//! `crate::merchant_keys`).

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::{lock, State};
use crate::error::SandboxError;
use crate::ids::{hash, token};
use crate::mode::Mode;

/// The read permission each API path needs, by its first segment after `/v1/`.
pub const PERMISSIONS: [(&str, &str); 11] = [
    ("account", "rak_account_read"),
    ("balance", "rak_balance_read"),
    (
        "balance_transactions",
        "rak_balance_transaction_source_read",
    ),
    ("charges", "rak_charge_read"),
    ("customers", "rak_customer_read"),
    ("disputes", "rak_dispute_read"),
    ("events", "rak_event_read"),
    ("payment_intents", "rak_payment_intent_read"),
    ("prices", "rak_plan_read"),
    ("products", "rak_product_read"),
    ("refunds", "rak_refund_read"),
];

/// The permission a `GET` of `path` needs, if the sandbox knows the path.
pub fn permission_for(path: &str) -> Option<&'static str> {
    let resource = path.strip_prefix("/v1/")?.split('/').next()?;
    PERMISSIONS
        .iter()
        .find(|(name, _)| *name == resource)
        .map(|(_, permission)| *permission)
}

/// One merchant key.
#[derive(Debug, Clone)]
pub(crate) struct MerchantKey {
    /// Index into `State::accounts`.
    pub(crate) account: usize,
    pub(crate) mode: Mode,
    /// `None`: a secret key (everything); otherwise the restricted key's permissions.
    pub(crate) permissions: Option<BTreeSet<String>>,
}

/// A merchant's seeded keys, as `/_sandbox/info` lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MerchantKeyInfo {
    /// The account id.
    pub account: String,
    /// The account's own secret key.
    pub secret_key: String,
    /// A restricted key with every read permission the sync uses ([`PERMISSIONS`]).
    pub restricted_key: String,
}

/// Every merchant key of the sandbox.
#[derive(Debug, Default)]
pub(crate) struct MerchantKeys {
    keys: Mutex<HashMap<String, MerchantKey>>,
    /// The seeded keys per account index: (secret, restricted).
    seeded: Mutex<Vec<(String, String)>>,
    created: AtomicU64,
}

impl MerchantKeys {
    fn seed_for(&self, seed: u64, index: usize, mode: Mode) -> (String, String) {
        let index = index as u64;
        (
            format!(
                "sk_{}_51Mx{}",
                mode.key_word(),
                token(hash(&[seed, 0x5EC, index]), 40)
            ),
            format!(
                "rk_{}_51Mx{}",
                mode.key_word(),
                token(hash(&[seed, 0x4A4, index]), 40)
            ),
        )
    }

    /// Seeds each merchant's secret key and full-read restricted key (idempotent).
    pub(crate) fn ensure_seeded(&self, state: &State) -> Result<(), SandboxError> {
        let mut seeded = lock(&self.seeded)?;
        if !seeded.is_empty() || state.accounts.is_empty() {
            return Ok(());
        }
        let mut keys = lock(&self.keys)?;
        for (index, account) in state.accounts.iter().enumerate() {
            let mode = account.merchant.mode;
            let (secret, restricted) = self.seed_for(state.config.seed, index, mode);
            keys.insert(
                secret.clone(),
                MerchantKey {
                    account: index,
                    mode,
                    permissions: None,
                },
            );
            keys.insert(
                restricted.clone(),
                MerchantKey {
                    account: index,
                    mode,
                    permissions: Some(
                        PERMISSIONS
                            .iter()
                            .map(|(_, permission)| (*permission).to_owned())
                            .collect(),
                    ),
                },
            );
            seeded.push((secret, restricted));
        }
        Ok(())
    }

    /// The key, if it is a merchant key.
    pub(crate) fn get(&self, state: &State, key: &str) -> Option<MerchantKey> {
        self.ensure_seeded(state).ok()?;
        lock(&self.keys).ok()?.get(key).cloned()
    }

    /// The seeded keys of every merchant.
    pub(crate) fn seeded(&self, state: &State) -> Vec<MerchantKeyInfo> {
        if self.ensure_seeded(state).is_err() {
            return Vec::new();
        }
        let Ok(seeded) = lock(&self.seeded) else {
            return Vec::new();
        };
        seeded
            .iter()
            .zip(&state.accounts)
            .map(|((secret, restricted), account)| MerchantKeyInfo {
                account: account.merchant.account_id.clone(),
                secret_key: secret.clone(),
                restricted_key: restricted.clone(),
            })
            .collect()
    }

    /// A new restricted key of `account` with exactly `permissions`.
    pub(crate) fn create(
        &self,
        state: &State,
        account: &str,
        permissions: &[String],
    ) -> Result<String, SandboxError> {
        self.ensure_seeded(state)?;
        let index = state
            .account_index(account)
            .ok_or_else(|| SandboxError::UnknownAccount {
                account: account.to_owned(),
            })?;
        if let Some(unknown) = permissions
            .iter()
            .find(|permission| !PERMISSIONS.iter().any(|(_, known)| known == permission))
        {
            return Err(SandboxError::InvalidActivity {
                reason: format!(
                    "unknown permission {unknown:?}; known: {}",
                    PERMISSIONS
                        .iter()
                        .map(|(_, permission)| *permission)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        let mode = state
            .accounts
            .get(index)
            .map(|account| account.merchant.mode)
            .ok_or_else(|| SandboxError::UnknownAccount {
                account: account.to_owned(),
            })?;
        let number = self.created.fetch_add(1, Ordering::SeqCst);
        let key = format!(
            "rk_{}_51Mx{}",
            mode.key_word(),
            token(hash(&[state.config.seed, 0x4A5, index as u64, number]), 40)
        );
        lock(&self.keys)?.insert(
            key.clone(),
            MerchantKey {
                account: index,
                mode,
                permissions: Some(permissions.iter().cloned().collect()),
            },
        );
        Ok(key)
    }
}
