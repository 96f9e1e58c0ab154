//! Encryption at rest of stored secrets (connection credentials, webhook consumer secrets,
//! link states): AES-256-GCM with a random 96-bit nonce per value and the owner's id (the
//! connection or consumer) and field name as associated data, so a ciphertext cannot be moved
//! to another row or field.
//!
//! Several keys can be configured at once ([`EncryptionKeys`], newest first), so the key can be
//! rotated: every value records the id of the key that sealed it ([`KeyId`], a fingerprint of
//! the key, never the key), a read opens it with that key, and a write always seals with the
//! newest. [`crate::Store::rotate_encryption_keys`] re-seals every stored value under the
//! newest key; after it the older keys can be removed. A value sealed by a key that is no longer
//! configured is [`StoreError::EncryptionKeyNotConfigured`], naming the key id.
//!
//! Stored layouts:
//! - version 2: `2 (1 byte) || key id (8 bytes) || nonce (12 bytes) || ciphertext || tag (16 bytes)`;
//! - version 1 (written before key rotation existed): `1 || nonce || ciphertext || tag`, with no
//!   key id: it is opened by trying each configured key, newest first (GCM's tag tells the
//!   right one), and re-sealed as version 2 by a rotation.
//!
//! Every column holding a sealed value is listed in the `rotation` module, which re-seals them.
//! Nothing here logs; keys never appear in `Debug` or error messages.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, SecretBox, SecretString};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::error::StoreError;

/// The environment variable holding one base64-encoded 32-byte key (the single-key form).
pub const ENCRYPTION_KEY_ENV: &str = "COMMERCE_ENCRYPTION_KEY";

/// The environment variable holding several comma-separated base64 keys, newest first.
pub const ENCRYPTION_KEYS_ENV: &str = "COMMERCE_ENCRYPTION_KEYS";

/// The associated-data label of a connection's sealed access token (`credentials.access_token`).
pub(crate) const ACCESS_TOKEN: &str = "access_token";
/// ... of its refresh token (`credentials.refresh_token`).
pub(crate) const REFRESH_TOKEN: &str = "refresh_token";
/// ... of a sealed link state (`link_states.state_sealed`, bound to the connection).
pub(crate) const LINK_STATE: &str = "link_state";
/// ... of a webhook consumer's signing secret (`webhook_consumers.secret`, bound to the
/// consumer).
pub(crate) const CONSUMER_SECRET: &str = "webhook consumer secret";

const VERSION_LEGACY: u8 = 1;
const VERSION: u8 = 2;
const NONCE_LEN: usize = 12;
const KEY_ID_LEN: usize = 8;

/// Which key sealed a stored value: the first 8 bytes of SHA-256 over a fixed label and the
/// key, shown as 16 hex digits. It identifies a key without revealing anything usable about it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId([u8; KEY_ID_LEN]);

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// The 32-byte AES-256-GCM key that encrypts credentials at rest.
pub struct EncryptionKey {
    bytes: SecretBox<[u8; 32]>,
    id: KeyId,
}

impl EncryptionKey {
    fn from_bytes(bytes: [u8; 32]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"commerce-store encryption key id\0");
        hasher.update(bytes);
        let digest = hasher.finalize();
        let mut id = [0u8; KEY_ID_LEN];
        for (slot, byte) in id.iter_mut().zip(digest.iter()) {
            *slot = *byte;
        }
        Self {
            bytes: SecretBox::new(Box::new(bytes)),
            id: KeyId(id),
        }
    }

    /// Parses a key given as standard base64 (with or without padding) of exactly 32 bytes.
    /// Surrounding whitespace is ignored.
    pub fn from_base64(encoded: &str) -> Result<Self, StoreError> {
        let trimmed = encoded.trim();
        if trimmed.is_empty() {
            return Err(StoreError::EncryptionKeyMissing);
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(trimmed)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed))
            .map_err(|_| StoreError::EncryptionKeyMalformed {
                reason: "it is not valid base64".to_owned(),
            })?;
        let bytes: [u8; 32] =
            decoded
                .as_slice()
                .try_into()
                .map_err(|_| StoreError::EncryptionKeyMalformed {
                    reason: format!("it decodes to {} bytes, not 32", decoded.len()),
                })?;
        Ok(Self::from_bytes(bytes))
    }

    /// Reads the key from `COMMERCE_ENCRYPTION_KEY`.
    pub fn from_env() -> Result<Self, StoreError> {
        match env_var(ENCRYPTION_KEY_ENV)? {
            Some(value) => Self::from_base64(&value),
            None => Err(StoreError::EncryptionKeyMissing),
        }
    }

    /// A fresh random key (from the operating system's generator).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self::from_bytes(bytes)
    }

    /// The key as standard base64, the form `COMMERCE_ENCRYPTION_KEY` takes.
    pub fn to_base64(&self) -> SecretString {
        SecretString::from(
            base64::engine::general_purpose::STANDARD.encode(self.bytes.expose_secret()),
        )
    }

    /// The key's id, recorded with every value it seals.
    pub fn id(&self) -> KeyId {
        self.id
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(self.bytes.expose_secret()))
    }

    /// Seals `plaintext` as a version 2 value recording this key's id.
    pub(crate) fn encrypt(
        &self,
        plaintext: &str,
        owner: Uuid,
        field: &'static str,
    ) -> Result<Vec<u8>, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = associated_data(owner, field);
        let ciphertext = self
            .cipher()
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| StoreError::Encryption {
                connection_id: owner,
                field,
            })?;
        let mut stored = Vec::with_capacity(1 + KEY_ID_LEN + NONCE_LEN + ciphertext.len());
        stored.push(VERSION);
        stored.extend_from_slice(&self.id.0);
        stored.extend_from_slice(&nonce);
        stored.extend_from_slice(&ciphertext);
        Ok(stored)
    }

    /// Opens `nonce || ciphertext || tag` with this key; `None` when the tag does not match.
    fn open(&self, body: &[u8], owner: Uuid, field: &'static str) -> Option<SecretString> {
        if body.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = body.split_at(NONCE_LEN);
        let aad = associated_data(owner, field);
        let plaintext = self
            .cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .ok()?;
        String::from_utf8(plaintext).ok().map(SecretString::from)
    }
}

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EncryptionKey([REDACTED])")
    }
}

impl Clone for EncryptionKey {
    fn clone(&self) -> Self {
        Self {
            bytes: SecretBox::new(Box::new(*self.bytes.expose_secret())),
            id: self.id,
        }
    }
}

/// The keys a store opens sealed values with, newest first; the newest seals every new value.
/// Never empty.
#[derive(Clone)]
pub struct EncryptionKeys {
    newest: EncryptionKey,
    older: Vec<EncryptionKey>,
}

impl EncryptionKeys {
    /// The keys `keys`, newest first. No key at all is [`StoreError::EncryptionKeyMissing`];
    /// the same key twice is [`StoreError::EncryptionKeyMalformed`].
    pub fn new(keys: Vec<EncryptionKey>) -> Result<Self, StoreError> {
        let mut seen: Vec<KeyId> = Vec::with_capacity(keys.len());
        for key in &keys {
            if let Some(first) = seen.iter().position(|id| *id == key.id) {
                return Err(StoreError::EncryptionKeyMalformed {
                    reason: format!("key #{} is the same as key #{}", seen.len() + 1, first + 1),
                });
            }
            seen.push(key.id);
        }
        let mut keys = keys.into_iter();
        let newest = keys.next().ok_or(StoreError::EncryptionKeyMissing)?;
        Ok(Self {
            newest,
            older: keys.collect(),
        })
    }

    /// Parses comma-separated base64 keys, newest first (the form `COMMERCE_ENCRYPTION_KEYS`
    /// takes). Empty items are skipped; a malformed one is named by its position.
    pub fn from_base64_list(list: &str) -> Result<Self, StoreError> {
        let items: Vec<&str> = list
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .collect();
        let mut keys = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match EncryptionKey::from_base64(item) {
                Ok(key) => keys.push(key),
                Err(StoreError::EncryptionKeyMalformed { reason }) if items.len() > 1 => {
                    return Err(StoreError::EncryptionKeyMalformed {
                        reason: format!("key #{}: {reason}", index + 1),
                    })
                }
                Err(error) => return Err(error),
            }
        }
        Self::new(keys)
    }

    /// Reads `COMMERCE_ENCRYPTION_KEYS` (several keys, newest first) or, when it is unset,
    /// `COMMERCE_ENCRYPTION_KEY` (one key). Both set is an error: one of them would be ignored.
    pub fn from_env() -> Result<Self, StoreError> {
        match (env_var(ENCRYPTION_KEYS_ENV)?, env_var(ENCRYPTION_KEY_ENV)?) {
            (Some(_), Some(_)) => Err(StoreError::EncryptionKeyMalformed {
                reason: format!(
                    "both {ENCRYPTION_KEYS_ENV} and {ENCRYPTION_KEY_ENV} are set; set only one"
                ),
            }),
            (Some(list), None) => Self::from_base64_list(&list),
            (None, Some(single)) => EncryptionKey::from_base64(&single).map(Self::from),
            (None, None) => Err(StoreError::EncryptionKeyMissing),
        }
    }

    /// The newest key: it seals every value written.
    pub fn newest(&self) -> &EncryptionKey {
        &self.newest
    }

    /// The keys, newest first.
    fn iter(&self) -> impl Iterator<Item = &EncryptionKey> {
        std::iter::once(&self.newest).chain(&self.older)
    }

    /// The keys' ids, newest first.
    pub fn ids(&self) -> Vec<KeyId> {
        self.iter().map(EncryptionKey::id).collect()
    }

    /// Seals `plaintext` with the newest key.
    pub(crate) fn encrypt(
        &self,
        plaintext: &str,
        owner: Uuid,
        field: &'static str,
    ) -> Result<Vec<u8>, StoreError> {
        self.newest().encrypt(plaintext, owner, field)
    }

    /// Opens a stored value with the key that sealed it. A key not configured is
    /// [`StoreError::EncryptionKeyNotConfigured`]; a value no configured key opens (tampered,
    /// or a version 1 value of an unknown key) is [`StoreError::Decryption`].
    pub(crate) fn decrypt(
        &self,
        stored: &[u8],
        owner: Uuid,
        field: &'static str,
    ) -> Result<SecretString, StoreError> {
        let failure = || StoreError::Decryption {
            connection_id: owner,
            field,
        };
        match sealed_by(stored) {
            Sealed::Key(id) => {
                let key = self.iter().find(|key| key.id == id).ok_or_else(|| {
                    StoreError::EncryptionKeyNotConfigured {
                        key_id: id.to_string(),
                        owner,
                        field,
                    }
                })?;
                stored
                    .get(1 + KEY_ID_LEN..)
                    .and_then(|body| key.open(body, owner, field))
                    .ok_or_else(failure)
            }
            Sealed::Legacy => self
                .iter()
                .find_map(|key| key.open(stored.get(1..)?, owner, field))
                .ok_or_else(failure),
            Sealed::Unreadable => Err(failure()),
        }
    }

    /// Whether `stored` is sealed by the newest key (nothing to re-seal).
    pub(crate) fn is_current(&self, stored: &[u8]) -> bool {
        sealed_by(stored) == Sealed::Key(self.newest().id)
    }
}

impl From<EncryptionKey> for EncryptionKeys {
    fn from(key: EncryptionKey) -> Self {
        Self {
            newest: key,
            older: Vec::new(),
        }
    }
}

impl std::fmt::Debug for EncryptionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("EncryptionKeys").field(&self.ids()).finish()
    }
}

/// What a stored value's header says about the key that sealed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sealed {
    /// A version 2 value, sealed by this key.
    Key(KeyId),
    /// A version 1 value: no key id recorded.
    Legacy,
    /// Not a sealed value this version understands.
    Unreadable,
}

impl std::fmt::Display for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sealed::Key(id) => write!(f, "{id}"),
            Sealed::Legacy => f.write_str("legacy (no key id)"),
            Sealed::Unreadable => f.write_str("unreadable"),
        }
    }
}

/// Reads the header of a stored value.
pub(crate) fn sealed_by(stored: &[u8]) -> Sealed {
    match stored.split_first() {
        Some((&VERSION, rest)) if rest.len() >= KEY_ID_LEN + NONCE_LEN => {
            match rest.get(..KEY_ID_LEN).map(<[u8; KEY_ID_LEN]>::try_from) {
                Some(Ok(id)) => Sealed::Key(KeyId(id)),
                _ => Sealed::Unreadable,
            }
        }
        Some((&VERSION_LEGACY, rest)) if rest.len() >= NONCE_LEN => Sealed::Legacy,
        _ => Sealed::Unreadable,
    }
}

fn env_var(name: &str) -> Result<Option<String>, StoreError> {
    match std::env::var(name) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(StoreError::EncryptionKeyMalformed {
            reason: format!("{name} is not valid unicode"),
        }),
    }
}

fn associated_data(owner: Uuid, field: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(16 + field.len());
    aad.extend_from_slice(owner.as_bytes());
    aad.extend_from_slice(field.as_bytes());
    aad
}

#[cfg(test)]
mod tests;
