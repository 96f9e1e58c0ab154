//! Encryption at rest of connection credentials: AES-256-GCM with a random 96-bit nonce per
//! value and the connection id and field name as associated data, so a ciphertext cannot be
//! moved to another row or field.
//!
//! The stored layout is `version (1 byte) || nonce (12 bytes) || ciphertext || tag (16 bytes)`.
//! Nothing here logs; the key never appears in `Debug` or error messages.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, SecretBox, SecretString};
use uuid::Uuid;

use crate::error::StoreError;

/// The environment variable holding the base64-encoded 32-byte key.
pub const ENCRYPTION_KEY_ENV: &str = "COMMERCE_ENCRYPTION_KEY";

const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;

/// The 32-byte AES-256-GCM key that encrypts credentials at rest.
pub struct EncryptionKey {
    bytes: SecretBox<[u8; 32]>,
}

impl EncryptionKey {
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
        Ok(Self {
            bytes: SecretBox::new(Box::new(bytes)),
        })
    }

    /// Reads the key from `COMMERCE_ENCRYPTION_KEY`.
    pub fn from_env() -> Result<Self, StoreError> {
        match std::env::var(ENCRYPTION_KEY_ENV) {
            Ok(value) => Self::from_base64(&value),
            Err(std::env::VarError::NotPresent) => Err(StoreError::EncryptionKeyMissing),
            Err(std::env::VarError::NotUnicode(_)) => Err(StoreError::EncryptionKeyMalformed {
                reason: "it is not valid unicode".to_owned(),
            }),
        }
    }

    /// A fresh random key (from the operating system's generator).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self {
            bytes: SecretBox::new(Box::new(bytes)),
        }
    }

    /// The key as standard base64, the form `COMMERCE_ENCRYPTION_KEY` takes.
    pub fn to_base64(&self) -> SecretString {
        SecretString::from(
            base64::engine::general_purpose::STANDARD.encode(self.bytes.expose_secret()),
        )
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(self.bytes.expose_secret()))
    }

    pub(crate) fn encrypt(
        &self,
        plaintext: &str,
        connection_id: Uuid,
        field: &'static str,
    ) -> Result<Vec<u8>, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = associated_data(connection_id, field);
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
                connection_id,
                field,
            })?;
        let mut stored = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        stored.push(VERSION);
        stored.extend_from_slice(&nonce);
        stored.extend_from_slice(&ciphertext);
        Ok(stored)
    }

    pub(crate) fn decrypt(
        &self,
        stored: &[u8],
        connection_id: Uuid,
        field: &'static str,
    ) -> Result<SecretString, StoreError> {
        let failure = || StoreError::Decryption {
            connection_id,
            field,
        };
        let (version, rest) = stored.split_first().ok_or_else(failure)?;
        if *version != VERSION || rest.len() < NONCE_LEN {
            return Err(failure());
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let aad = associated_data(connection_id, field);
        let plaintext = self
            .cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| failure())?;
        let text = String::from_utf8(plaintext).map_err(|_| failure())?;
        Ok(SecretString::from(text))
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
        }
    }
}

fn associated_data(connection_id: Uuid, field: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(16 + field.len());
    aad.extend_from_slice(connection_id.as_bytes());
    aad.extend_from_slice(field.as_bytes());
    aad
}

#[cfg(test)]
mod tests;
