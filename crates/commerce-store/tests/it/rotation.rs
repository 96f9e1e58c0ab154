//! Rotating the encryption key: several keys, newest first; `rotate_encryption_keys` re-seals
//! every stored secret under the newest, in batches, while refreshes go on.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use commerce_model::platform::{LinkBinding, LinkStateStore as _, LinkedAccount};
use commerce_store::{
    EncryptionKey, EncryptionKeys, NewCompany, NewWebhookConsumer, RefreshClaim, Store, StoreError,
};
use secrecy::{ExposeSecret as _, SecretString};
use uuid::Uuid;

use crate::harness::{both_engines, key, Harness};

both_engines!(
    rotation_reseals_every_secret_and_the_old_key_can_go,
    a_refresh_racing_the_rotation_is_not_lost,
);

/// `count` linked connections of one company, each with `at_{i}_0` / `rt_{i}_0` (the last one
/// without a refresh token), sealed by `store`'s newest key.
async fn linked_connections(store: &Store, count: usize) -> Vec<(Uuid, LinkBinding)> {
    let company = store
        .create_company(&NewCompany::named("Acme"))
        .await
        .unwrap();
    let mut connections = Vec::new();
    for index in 0..count {
        let connection = store
            .create_connection(company.id, "stripe-test")
            .await
            .unwrap();
        let mut account = LinkedAccount::new(format!("acct_{index}"), false);
        account.access_token = Some(SecretString::from(format!("at_{index}_0")));
        if index + 1 < count {
            account.refresh_token = Some(SecretString::from(format!("rt_{index}_0")));
        }
        account.access_expires_at = Some(Utc::now() + Duration::hours(1));
        store
            .link_connection(connection.id, &account)
            .await
            .unwrap();
        let binding = LinkBinding {
            company_id: company.id.to_string(),
            connection_id: connection.id.to_string(),
        };
        connections.push((connection.id, binding));
    }
    connections
}

async fn tokens(store: &Store, connection_id: Uuid) -> (String, Option<String>, i64) {
    let stored = store.linked_account(connection_id).await.unwrap().unwrap();
    (
        stored
            .account
            .access_token
            .unwrap()
            .expose_secret()
            .to_owned(),
        stored
            .account
            .refresh_token
            .map(|token| token.expose_secret().to_owned()),
        stored.credentials_version,
    )
}

async fn rotation_reseals_every_secret_and_the_old_key_can_go(h: &Harness) {
    let old = key();
    let new = EncryptionKey::generate();
    let connections = linked_connections(&h.store, 5).await;
    let consumer = h
        .store
        .create_webhook_consumer(&NewWebhookConsumer::new(
            "https://example.com/hook",
            SecretString::from("whsec_consumer_secret".to_owned()),
        ))
        .await
        .unwrap();
    let (first, binding) = &connections[0];
    h.store
        .save(
            "state-one",
            binding.clone(),
            Utc::now() + Duration::minutes(10),
        )
        .await
        .unwrap();
    let before: BTreeMap<Uuid, (String, Option<String>, i64)> = {
        let mut map = BTreeMap::new();
        for (id, _) in &connections {
            map.insert(*id, tokens(&h.store, *id).await);
        }
        map
    };
    // 5 access tokens, 4 refresh tokens, 1 consumer secret, 1 link state.
    let total = 11;

    let rotating = h
        .reopen(EncryptionKeys::new(vec![new.clone(), old.clone()]).unwrap())
        .await;
    let only_new = h.reopen(new.clone()).await;

    // Before: everything is under the old key; a store without it names that key.
    let found = rotating.sealed_values().await.unwrap();
    assert_eq!(found.newest, new.id());
    assert_eq!(found.sealed_by.get(&old.id().to_string()), Some(&total));
    assert_eq!(found.not_newest(), total);
    assert_eq!(found.resealed, 0);
    let err = only_new.get_credentials(*first).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::EncryptionKeyNotConfigured { key_id, owner, .. }
            if *key_id == old.id().to_string() && owner == first),
        "{err:?}"
    );
    assert!(err.to_string().contains(&old.id().to_string()), "{err}");
    // Both keys configured: old values read, new values are sealed with the newest.
    assert_eq!(tokens(&rotating, *first).await, before[first]);

    let report = rotating.rotate_encryption_keys(2).await.unwrap();
    assert_eq!(report.resealed, total, "{report:?}");
    assert!(report.unreadable.is_empty(), "{report:?}");
    assert_eq!(report.sealed_by.get(&old.id().to_string()), Some(&total));
    // 5 credentials rows in batches of 2: 3 batches; consumers 1; link states 1.
    assert_eq!(report.batches, 5, "{report:?}");

    // After: the new key alone reads everything, and nothing needs the old one.
    for (id, _) in &connections {
        // Same secrets, same credentials version: a waiting refresher is not misled.
        assert_eq!(tokens(&only_new, *id).await, before[id]);
    }
    let (_, secret) = only_new
        .webhook_consumer_secret(consumer.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(secret.expose_secret(), "whsec_consumer_secret");
    let (state, _) = only_new
        .reusable(binding, Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state, "state-one");
    let after = only_new.sealed_values().await.unwrap();
    assert_eq!(after.not_newest(), 0, "{after:?}");
    assert_eq!(after.sealed_by.get(&new.id().to_string()), Some(&total));
    // The old key alone no longer reads anything, and says which key it lacks.
    let err = h.store.get_credentials(*first).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::EncryptionKeyNotConfigured { key_id, .. } if *key_id == new.id().to_string()),
        "{err:?}"
    );
    // Running it again changes nothing.
    let again = rotating.rotate_encryption_keys(100).await.unwrap();
    assert_eq!((again.resealed, again.not_newest()), (0, 0), "{again:?}");

    // A value whose key is gone is reported, left alone, and does not stop the rest.
    let orphan_key = EncryptionKey::generate();
    let orphan = h.reopen(orphan_key.clone()).await;
    let orphan_connection = linked_connections(&orphan, 1).await[0].0;
    let report = rotating.rotate_encryption_keys(2).await.unwrap();
    assert_eq!(report.resealed, 0, "{report:?}");
    assert_eq!(report.unreadable.len(), 1, "{report:?}");
    assert!(
        report.unreadable[0].contains(&orphan_connection.to_string())
            && report.unreadable[0].contains(&orphan_key.id().to_string()),
        "{report:?}"
    );
    assert_eq!(report.not_newest(), 1);
    for store in [rotating, only_new, orphan] {
        store.close().await;
    }
}

async fn a_refresh_racing_the_rotation_is_not_lost(h: &Harness) {
    const CONNECTIONS: usize = 40;
    let old = key();
    let new = EncryptionKey::generate();
    let connections: Vec<Uuid> = linked_connections(&h.store, CONNECTIONS)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut initial = BTreeMap::new();
    for id in &connections {
        initial.insert(*id, tokens(&h.store, *id).await.2);
    }
    let keys = EncryptionKeys::new(vec![new.clone(), old.clone()]).unwrap();
    // Two processes with the new key list: one rotates, one refreshes every connection once,
    // from the other end of the rotation's order, so they meet in the middle.
    let rotator = h.reopen(keys.clone()).await;
    let refresher = h.reopen(keys.clone()).await;
    let mut order = connections.clone();
    order.sort_by_key(|id| std::cmp::Reverse(id.as_bytes().to_owned()));
    let names: BTreeMap<Uuid, usize> = {
        let mut names = BTreeMap::new();
        for (id, _) in linked_names(&h.store, &connections).await {
            names.insert(id, names.len());
        }
        names
    };
    let refreshing = {
        let refresher = refresher.clone();
        let names = names.clone();
        tokio::spawn(async move {
            for id in order {
                let hold = std::time::Duration::from_secs(30);
                let claim = refresher
                    .claim_credentials_refresh(id, "refresher", hold)
                    .await
                    .unwrap();
                assert!(matches!(claim, RefreshClaim::Claimed { .. }), "{claim:?}");
                let stored = refresher.linked_account(id).await.unwrap().unwrap();
                let mut account = stored.account.clone();
                let index = names[&id];
                account.access_token = Some(SecretString::from(format!("at_{index}_1")));
                account.refresh_token = Some(SecretString::from(format!("rt_{index}_1")));
                refresher
                    .complete_credentials_refresh(id, "refresher", &account)
                    .await
                    .unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    let rotating = {
        let rotator = rotator.clone();
        tokio::spawn(async move {
            let mut reports = Vec::new();
            for _ in 0..3 {
                reports.push(rotator.rotate_encryption_keys(3).await.unwrap());
            }
            reports
        })
    };
    refreshing.await.unwrap();
    let reports = rotating.await.unwrap();
    assert!(reports.iter().all(|report| report.unreadable.is_empty()));
    // Every refresh survived the rotation: the refreshed tokens, one version step each.
    for id in &connections {
        let (access, refresh, version) = tokens(&rotator, *id).await;
        let index = names[id];
        assert_eq!(access, format!("at_{index}_1"), "connection {id}");
        assert_eq!(refresh, Some(format!("rt_{index}_1")), "connection {id}");
        assert_eq!(version, initial[id] + 1, "connection {id}");
    }
    // Once more after the refreshes: nothing is left under the old key.
    rotator.rotate_encryption_keys(7).await.unwrap();
    let only_new = h.reopen(new.clone()).await;
    assert_eq!(only_new.sealed_values().await.unwrap().not_newest(), 0);
    for id in &connections {
        assert!(only_new.get_credentials(*id).await.unwrap().is_some());
    }
    for store in [rotator, refresher, only_new] {
        store.close().await;
    }
}

/// The connections in creation order (their index is in their tokens' names).
async fn linked_names(store: &Store, connections: &[Uuid]) -> Vec<(Uuid, String)> {
    let mut named = Vec::new();
    for id in connections {
        let (access, _, _) = tokens(store, *id).await;
        named.push((*id, access));
    }
    named.sort_by_key(|(_, access)| {
        access
            .trim_start_matches("at_")
            .trim_end_matches("_0")
            .parse::<usize>()
            .unwrap()
    });
    named
}
