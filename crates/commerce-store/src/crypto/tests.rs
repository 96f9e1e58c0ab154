use secrecy::ExposeSecret as _;
use uuid::Uuid;

use crate::{EncryptionKey, StoreError};

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

#[test]
fn round_trips_and_binds_to_row_and_field() {
    let key = EncryptionKey::from_base64(KEY).unwrap();
    let connection = Uuid::new_v4();
    let stored = key
        .encrypt("sk_test_secret", connection, "access_token")
        .unwrap();
    assert!(!String::from_utf8_lossy(&stored).contains("sk_test_secret"));
    let again = key
        .encrypt("sk_test_secret", connection, "access_token")
        .unwrap();
    assert_ne!(stored, again, "every value gets a fresh nonce");
    let plain = key.decrypt(&stored, connection, "access_token").unwrap();
    assert_eq!(plain.expose_secret(), "sk_test_secret");
    assert!(matches!(
        key.decrypt(&stored, connection, "refresh_token"),
        Err(StoreError::Decryption {
            field: "refresh_token",
            ..
        })
    ));
    assert!(matches!(
        key.decrypt(&stored, Uuid::new_v4(), "access_token"),
        Err(StoreError::Decryption { .. })
    ));
    assert!(matches!(
        key.decrypt(&[], connection, "access_token"),
        Err(StoreError::Decryption { .. })
    ));
}

#[test]
fn rejects_missing_and_malformed_keys() {
    assert!(matches!(
        EncryptionKey::from_base64("  "),
        Err(StoreError::EncryptionKeyMissing)
    ));
    let err = EncryptionKey::from_base64("not base64!").unwrap_err();
    assert_eq!(
        err.to_string(),
        "the encryption key is malformed: it is not valid base64 (expected 32 random bytes, base64-encoded)"
    );
    let err = EncryptionKey::from_base64("AAEC").unwrap_err();
    assert!(
        err.to_string().contains("it decodes to 3 bytes, not 32"),
        "{err}"
    );
    assert!(EncryptionKey::from_base64(KEY.trim_end_matches('=')).is_ok());
}

#[test]
fn debug_is_redacted_and_generated_keys_round_trip() {
    let key = EncryptionKey::generate();
    let encoded = key.to_base64();
    assert!(!format!("{key:?}").contains(encoded.expose_secret()));
    assert_eq!(format!("{key:?}"), "EncryptionKey([REDACTED])");
    let parsed = EncryptionKey::from_base64(encoded.expose_secret()).unwrap();
    let connection = Uuid::new_v4();
    let stored = key.encrypt("x", connection, "access_token").unwrap();
    assert_eq!(
        parsed
            .decrypt(&stored, connection, "access_token")
            .unwrap()
            .expose_secret(),
        "x"
    );
}
