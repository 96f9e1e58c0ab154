//! The client's settings: API keys (hashes only), profile, sync settings, company tags.

use std::collections::BTreeMap;

use commerce_store::{NewCompany, Profile, StoreError, SyncSetting, SyncSettings};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::harness::{both_engines, Harness};

both_engines!(
    api_keys_are_kept_as_hashes_and_deleted_at_once,
    profile_and_sync_settings_are_replaced_whole,
    company_settings_and_tags_go_with_the_company,
);

fn hash(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

async fn api_keys_are_kept_as_hashes_and_deleted_at_once(h: &Harness) {
    let store = &h.store;
    assert!(store.list_api_keys().await.unwrap().is_empty());
    let first = store
        .create_api_key(Some("reporting"), &hash("first-key-0123456789"))
        .await
        .unwrap();
    let second = store
        .create_api_key(None, &hash("second-key-0123456789"))
        .await
        .unwrap();
    // Oldest first; keys made in the same millisecond in either order.
    let mut listed = store.list_api_keys().await.unwrap();
    listed.sort_by_key(|key| (key.created, key.id != first.id));
    assert_eq!(listed, vec![first.clone(), second.clone()]);
    assert!(store
        .api_key_exists(&hash("first-key-0123456789"))
        .await
        .unwrap());
    assert!(!store
        .api_key_exists(&hash("third-key-0123456789"))
        .await
        .unwrap());
    // The same hash twice is refused by the database (a key is stored once).
    assert!(store
        .create_api_key(None, &hash("first-key-0123456789"))
        .await
        .is_err());

    store.delete_api_key(first.id).await.unwrap();
    assert!(!store
        .api_key_exists(&hash("first-key-0123456789"))
        .await
        .unwrap());
    assert!(store
        .api_key_exists(&hash("second-key-0123456789"))
        .await
        .unwrap());
    assert!(matches!(
        store.delete_api_key(first.id).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn profile_and_sync_settings_are_replaced_whole(h: &Harness) {
    let store = &h.store;
    assert_eq!(store.get_profile().await.unwrap(), None);
    store
        .set_profile(&Profile::new("Lender", "https://example.com/{companyId}"))
        .await
        .unwrap();
    store
        .set_profile(&Profile::new("Lender Ltd", ""))
        .await
        .unwrap();
    assert_eq!(
        store.get_profile().await.unwrap(),
        Some(Profile::new("Lender Ltd", ""))
    );

    assert_eq!(store.profile_sync_settings().await.unwrap(), None);
    let mut payments = SyncSetting::new("commerce-payments", 12);
    payments.fetch_on_first_link = false;
    payments.sync_from_window = Some(6);
    let settings = SyncSettings::new(
        vec![payments.clone(), SyncSetting::new("commerce-customers", 24)],
        true,
    );
    store.set_profile_sync_settings(&settings).await.unwrap();
    assert_eq!(store.profile_sync_settings().await.unwrap(), Some(settings));
    let replaced = SyncSettings::new(vec![payments], false);
    store.set_profile_sync_settings(&replaced).await.unwrap();
    assert_eq!(store.profile_sync_settings().await.unwrap(), Some(replaced));
}

async fn company_settings_and_tags_go_with_the_company(h: &Harness) {
    let store = &h.store;
    let company = store
        .create_company(&NewCompany::named("Tagged"))
        .await
        .unwrap();
    assert!(store.company_tags(company.id).await.unwrap().is_empty());
    let tags = BTreeMap::from([("region".to_owned(), "eu".to_owned())]);
    store.set_company_tags(company.id, &tags).await.unwrap();
    assert_eq!(store.company_tags(company.id).await.unwrap(), tags);
    let settings = SyncSettings::new(vec![SyncSetting::new("commerce-disputes", 2)], true);
    store
        .set_company_sync_settings(company.id, &settings)
        .await
        .unwrap();
    assert_eq!(
        store.company_sync_settings(company.id).await.unwrap(),
        Some(settings.clone())
    );

    // An unknown company is NotFound, not a database error.
    let missing = Uuid::new_v4();
    assert!(matches!(
        store.set_company_tags(missing, &tags).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.set_company_sync_settings(missing, &settings).await,
        Err(StoreError::NotFound { .. })
    ));

    // Deleting the company deletes both.
    store.delete_company(company.id).await.unwrap();
    assert!(store.company_tags(company.id).await.unwrap().is_empty());
    assert_eq!(store.company_sync_settings(company.id).await.unwrap(), None);
}
