use secrecy::ExposeSecret as _;
use uuid::Uuid;

use crate::crypto::Sealed;
use crate::{EncryptionKey, EncryptionKeys, StoreError};

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
    let plain = EncryptionKeys::from(key.clone())
        .decrypt(&stored, connection, "access_token")
        .unwrap();
    assert_eq!(plain.expose_secret(), "sk_test_secret");
    assert!(matches!(
        EncryptionKeys::from(key.clone()).decrypt(&stored, connection, "refresh_token"),
        Err(StoreError::Decryption {
            field: "refresh_token",
            ..
        })
    ));
    assert!(matches!(
        EncryptionKeys::from(key.clone()).decrypt(&stored, Uuid::new_v4(), "access_token"),
        Err(StoreError::Decryption { .. })
    ));
    assert!(matches!(
        EncryptionKeys::from(key.clone()).decrypt(&[], connection, "access_token"),
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
        EncryptionKeys::from(parsed)
            .decrypt(&stored, connection, "access_token")
            .unwrap()
            .expose_secret(),
        "x"
    );
}

const OTHER: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

/// A value as version 1 wrote it (no key id): `1 || nonce || ciphertext || tag`.
fn legacy_seal(key_base64: &str, plaintext: &str, owner: Uuid, field: &str) -> Vec<u8> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(key_base64)
        .unwrap();
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(&bytes).unwrap();
    let nonce = [7u8; 12];
    let mut aad = owner.as_bytes().to_vec();
    aad.extend_from_slice(field.as_bytes());
    let ciphertext = cipher
        .encrypt(
            aes_gcm::Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext.as_bytes(),
                aad: &aad,
            },
        )
        .unwrap();
    let mut stored = vec![1u8];
    stored.extend_from_slice(&nonce);
    stored.extend_from_slice(&ciphertext);
    stored
}

#[test]
fn key_ids_are_stable_fingerprints_recorded_in_every_value() {
    let key = EncryptionKey::from_base64(KEY).unwrap();
    let id = key.id().to_string();
    assert_eq!(id.len(), 16);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    assert_eq!(EncryptionKey::from_base64(KEY).unwrap().id(), key.id());
    assert_ne!(EncryptionKey::from_base64(OTHER).unwrap().id(), key.id());
    // Nothing of the key itself: not its base64, not a prefix of its bytes in hex.
    assert!(!KEY.contains(&id) && !id.starts_with("00010203"));
    let stored = key.encrypt("secret", Uuid::nil(), "access_token").unwrap();
    assert_eq!(stored[0], 2);
    assert_eq!(&stored[1..9], &key.id().0);
}

#[test]
fn reads_use_the_sealing_key_and_writes_the_newest() {
    let old = EncryptionKey::from_base64(KEY).unwrap();
    let new = EncryptionKey::from_base64(OTHER).unwrap();
    let owner = Uuid::new_v4();
    let under_old = EncryptionKeys::from(old.clone())
        .encrypt("tok_old", owner, "access_token")
        .unwrap();
    let both = EncryptionKeys::new(vec![new.clone(), old.clone()]).unwrap();
    assert_eq!(both.ids(), vec![new.id(), old.id()]);
    assert_eq!(
        both.decrypt(&under_old, owner, "access_token")
            .unwrap()
            .expose_secret(),
        "tok_old"
    );
    assert!(!both.is_current(&under_old));
    let written = both.encrypt("tok_new", owner, "access_token").unwrap();
    assert!(both.is_current(&written));
    assert_eq!(crate::crypto::sealed_by(&written), Sealed::Key(new.id()));

    // The old key removed: its values name it.
    let only_new = EncryptionKeys::from(new.clone());
    let err = only_new
        .decrypt(&under_old, owner, "access_token")
        .unwrap_err();
    match &err {
        StoreError::EncryptionKeyNotConfigured {
            key_id,
            owner: id,
            field,
        } => {
            assert_eq!(key_id, &old.id().to_string());
            assert_eq!((*id, *field), (owner, "access_token"));
        }
        other => panic!("expected EncryptionKeyNotConfigured, got {other:?}"),
    }
    assert!(err.to_string().contains(&old.id().to_string()), "{err}");
    assert!(!err.to_string().contains(KEY), "{err}");

    // A tampered value under a configured key is still a decryption error.
    let mut tampered = written.clone();
    if let Some(last) = tampered.last_mut() {
        *last ^= 1;
    }
    assert!(matches!(
        both.decrypt(&tampered, owner, "access_token"),
        Err(StoreError::Decryption { .. })
    ));
}

#[test]
fn values_written_before_key_ids_open_with_any_configured_key() {
    let owner = Uuid::new_v4();
    let legacy = legacy_seal(KEY, "tok_legacy", owner, "refresh_token");
    assert_eq!(crate::crypto::sealed_by(&legacy), Sealed::Legacy);
    let new_then_old = EncryptionKeys::from_base64_list(&format!("{OTHER},{KEY}")).unwrap();
    assert_eq!(
        new_then_old
            .decrypt(&legacy, owner, "refresh_token")
            .unwrap()
            .expose_secret(),
        "tok_legacy"
    );
    assert!(!new_then_old.is_current(&legacy));
    let only_new = EncryptionKeys::from_base64_list(OTHER).unwrap();
    assert!(matches!(
        only_new.decrypt(&legacy, owner, "refresh_token"),
        Err(StoreError::Decryption {
            field: "refresh_token",
            ..
        })
    ));
}

#[test]
fn key_lists_name_the_bad_key_by_position() {
    let err = EncryptionKeys::from_base64_list(&format!("{OTHER}, not base64!")).unwrap_err();
    assert!(
        err.to_string().contains("key #2: it is not valid base64"),
        "{err}"
    );
    let err = EncryptionKeys::from_base64_list(&format!("{KEY},{OTHER},{KEY}")).unwrap_err();
    assert!(
        err.to_string().contains("key #3 is the same as key #1"),
        "{err}"
    );
    assert!(matches!(
        EncryptionKeys::from_base64_list(" , "),
        Err(StoreError::EncryptionKeyMissing)
    ));
    let keys = EncryptionKeys::from_base64_list(&format!(" {OTHER} ,{KEY},")).unwrap();
    let debug = format!("{keys:?}");
    assert!(!debug.contains(KEY) && !debug.contains(OTHER), "{debug}");
    assert!(debug.contains(&keys.newest().id().to_string()), "{debug}");
}
