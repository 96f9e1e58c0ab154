//! Companies, connections, credentials and link states.

use chrono::{Duration, Utc};
use commerce_model::platform::LinkedAccount;
use commerce_model::platform::{LinkBinding, LinkStateStore as _};
use commerce_store::{
    ConnectionStatus, Credentials, EncryptionKey, NewCompany, RefreshClaim, StoreError,
    MAX_PENDING_LINK_STATES,
};
use secrecy::{ExposeSecret as _, SecretString};
use uuid::Uuid;

use crate::harness::{both_engines, Harness};

both_engines!(
    migrations_are_idempotent,
    company_crud,
    connection_lifecycle,
    credentials_are_encrypted_at_rest,
    wrong_key_fails_decryption,
    link_states_are_single_use_and_expire,
    link_states_are_reusable_and_capped_per_connection,
    the_whole_linked_account_comes_back,
    credential_refreshes_are_claimed_one_at_a_time,
);

async fn migrations_are_idempotent(h: &Harness) {
    let company = h
        .store
        .create_company(&NewCompany::named("Acme"))
        .await
        .unwrap();
    h.store.migrate().await.unwrap();
    h.store.migrate().await.unwrap();
    let reopened = h.reopen(crate::harness::key()).await;
    assert_eq!(reopened.get_company(company.id).await.unwrap(), company);
    reopened.close().await;
}

async fn company_crud(h: &Harness) {
    let store = &h.store;
    let mut new = NewCompany::named("Acme Ltd");
    new.description = Some("test".to_owned());
    new.redirect = Some("https://example.com/done".to_owned());
    let created = store.create_company(&new).await.unwrap();
    assert_eq!(store.get_company(created.id).await.unwrap(), created);
    // Listing is oldest first; times have millisecond precision.
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    let second = store
        .create_company(&NewCompany::named("Beta"))
        .await
        .unwrap();

    let (companies, total) = store.list_companies(0, 10).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        companies.iter().map(|c| c.id).collect::<Vec<_>>(),
        [created.id, second.id]
    );
    let (page, total) = store.list_companies(1, 10).await.unwrap();
    assert_eq!((page.len(), total), (1, 2));

    let updated = store
        .update_company(created.id, &NewCompany::named("Acme plc"))
        .await
        .unwrap();
    assert_eq!(updated.name, "Acme plc");
    assert_eq!(updated.description, None);
    assert_eq!(updated.created, created.created);

    let connection = store
        .create_connection(created.id, "stripe-test")
        .await
        .unwrap();
    store.delete_company(created.id).await.unwrap();
    assert!(matches!(
        store.get_company(created.id).await,
        Err(StoreError::NotFound {
            entity: "company",
            ..
        })
    ));
    assert!(matches!(
        store.get_connection(connection.id).await,
        Err(StoreError::NotFound {
            entity: "connection",
            ..
        })
    ));
    assert!(matches!(
        store.delete_company(created.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.update_company(Uuid::new_v4(), &new).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn connection_lifecycle(h: &Harness) {
    let store = &h.store;
    assert!(matches!(
        store.create_connection(Uuid::new_v4(), "stripe-test").await,
        Err(StoreError::NotFound {
            entity: "company",
            ..
        })
    ));
    let company = store
        .create_company(&NewCompany::named("Acme"))
        .await
        .unwrap();
    let connection = store
        .create_connection(company.id, "stripe-test")
        .await
        .unwrap();
    assert_eq!(connection.status, ConnectionStatus::PendingAuth);
    assert_eq!(
        store.get_connection(connection.id).await.unwrap(),
        connection
    );

    // Only a Linked connection can be unlinked.
    let err = store
        .set_connection_status(connection.id, ConnectionStatus::Unlinked, None)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "connection {} cannot go from PendingAuth to Unlinked",
            connection.id
        )
    );

    let mut account = LinkedAccount::new("acct_123", false);
    account.scope = Some("read_only".to_owned());
    let linked = store
        .link_connection(connection.id, &{
            let mut account = account.clone();
            account.access_token = Some(SecretString::from("tok_1"));
            account
        })
        .await
        .unwrap();
    assert_eq!(linked.status, ConnectionStatus::Linked);
    assert_eq!(linked.external_account_id.as_deref(), Some("acct_123"));
    assert_eq!(linked.livemode, Some(false));
    assert_eq!(linked.scope.as_deref(), Some("read_only"));
    assert!(store
        .get_credentials(connection.id)
        .await
        .unwrap()
        .is_some());

    let found = store
        .find_connections_by_account("stripe-test", "acct_123")
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|c| c.id).collect::<Vec<_>>(),
        [connection.id]
    );
    assert!(store
        .find_connections_by_account("stripe", "acct_123")
        .await
        .unwrap()
        .is_empty());
    let linked_now = store
        .list_connections_by_status(ConnectionStatus::Linked)
        .await
        .unwrap();
    assert_eq!(linked_now.len(), 1);

    let deauthorized = store
        .set_connection_status(
            connection.id,
            ConnectionStatus::Deauthorized,
            Some("access revoked"),
        )
        .await
        .unwrap();
    assert_eq!(deauthorized.status, ConnectionStatus::Deauthorized);
    assert_eq!(deauthorized.last_error.as_deref(), Some("access revoked"));
    assert!(deauthorized.last_error_at.is_some());
    assert!(
        store
            .get_credentials(connection.id)
            .await
            .unwrap()
            .is_none(),
        "tokens dropped"
    );

    // Re-linking clears the error; unlinking then works.
    let relinked = store
        .link_connection(connection.id, &{
            let mut account = account.clone();
            account.access_token = Some(SecretString::from("tok_2"));
            account
        })
        .await
        .unwrap();
    assert_eq!(relinked.last_error, None);
    let unlinked = store
        .set_connection_status(connection.id, ConnectionStatus::Unlinked, None)
        .await
        .unwrap();
    assert_eq!(unlinked.status, ConnectionStatus::Unlinked);

    let other = store.create_connection(company.id, "stripe").await.unwrap();
    let listed = store.list_connections(company.id).await.unwrap();
    assert_eq!(
        listed.iter().map(|c| c.id).collect::<Vec<_>>(),
        [connection.id, other.id]
    );
    store.delete_connection(other.id).await.unwrap();
    assert_eq!(store.list_connections(company.id).await.unwrap().len(), 1);
    assert!(matches!(
        store.delete_connection(other.id).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn linked_connection(h: &Harness, access: &str, refresh: &str) -> Uuid {
    let company = h
        .store
        .create_company(&NewCompany::named("Acme"))
        .await
        .unwrap();
    let connection = h
        .store
        .create_connection(company.id, "stripe-test")
        .await
        .unwrap();
    let mut account = LinkedAccount::new("acct_1", false);
    account.access_token = Some(SecretString::from(access.to_owned()));
    account.refresh_token = Some(SecretString::from(refresh.to_owned()));
    account.access_expires_at = Some(Utc::now() + Duration::hours(1));
    h.store
        .link_connection(connection.id, &account)
        .await
        .unwrap();
    connection.id
}

async fn credentials_are_encrypted_at_rest(h: &Harness) {
    let access = "sk_test_ACCESS_3f9a8b7c6d5e4f3a2b1c";
    let refresh = "rt_REFRESH_9z8y7x6w5v4u3t2s1r";
    let connection_id = linked_connection(h, access, refresh).await;

    let credentials = h
        .store
        .get_credentials(connection_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(credentials.access_token.expose_secret(), access);
    assert_eq!(
        credentials.refresh_token.as_ref().unwrap().expose_secret(),
        refresh
    );
    assert!(credentials.expires_at.is_some());
    let debug = format!("{credentials:?}");
    assert!(
        !debug.contains(access) && !debug.contains(refresh),
        "{debug}"
    );

    let raw = h.raw_credentials_dump().await;
    for secret in [access, refresh, "ACCESS_3f9a8b", "REFRESH_9z8y"] {
        assert!(
            !raw.windows(secret.len())
                .any(|window| window == secret.as_bytes()),
            "{secret} found in the raw database"
        );
    }

    // Replacing works and is still encrypted.
    h.store
        .put_credentials(
            connection_id,
            &Credentials::new(SecretString::from("sk_test_NEW")),
        )
        .await
        .unwrap();
    let replaced = h
        .store
        .get_credentials(connection_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(replaced.access_token.expose_secret(), "sk_test_NEW");
    assert!(replaced.refresh_token.is_none());
    assert!(matches!(
        h.store.put_credentials(Uuid::new_v4(), &replaced).await,
        Err(StoreError::NotFound { .. })
    ));
    h.store.delete_credentials(connection_id).await.unwrap();
    assert!(h
        .store
        .get_credentials(connection_id)
        .await
        .unwrap()
        .is_none());
}

async fn wrong_key_fails_decryption(h: &Harness) {
    let connection_id = linked_connection(h, "sk_test_secret", "rt_secret").await;
    let other = h.reopen(EncryptionKey::generate()).await;
    // The value records the key that sealed it: the error names that key (by its id).
    let err = other.get_credentials(connection_id).await.unwrap_err();
    let sealing = crate::harness::key().id().to_string();
    assert!(
        matches!(&err, StoreError::EncryptionKeyNotConfigured { owner, field: "access_token", key_id } if *owner == connection_id && *key_id == sealing),
        "{err:?}"
    );
    assert!(!err.to_string().contains("secret"), "{err}");
    assert!(!err.to_string().contains(crate::harness::KEY), "{err}");
    other.close().await;
}

async fn link_states_are_single_use_and_expire(h: &Harness) {
    let company = h
        .store
        .create_company(&NewCompany::named("Acme"))
        .await
        .unwrap();
    let connection = h
        .store
        .create_connection(company.id, "stripe-test")
        .await
        .unwrap();
    let binding = LinkBinding {
        company_id: company.id.to_string(),
        connection_id: connection.id.to_string(),
    };
    let expires = Utc::now() + Duration::minutes(10);
    h.store
        .save("state-abc", binding.clone(), expires)
        .await
        .unwrap();
    assert!(
        h.store
            .save("state-abc", binding.clone(), expires)
            .await
            .is_err(),
        "no reuse"
    );

    let (taken, taken_expiry) = h.store.take("state-abc").await.unwrap().unwrap();
    assert_eq!(taken, binding);
    assert!((taken_expiry - expires).num_milliseconds().abs() <= 1);
    assert!(
        h.store.take("state-abc").await.unwrap().is_none(),
        "single use"
    );
    assert!(h.store.take("never-saved").await.unwrap().is_none());

    // Expired states are purged; a binding to an unknown connection is refused.
    h.store
        .save(
            "state-old",
            binding.clone(),
            Utc::now() - Duration::seconds(1),
        )
        .await
        .unwrap();
    h.store
        .save("state-new", binding.clone(), expires)
        .await
        .unwrap();
    assert_eq!(h.store.purge_expired_link_states().await.unwrap(), 1);
    assert!(h.store.take("state-old").await.unwrap().is_none());
    assert!(h.store.take("state-new").await.unwrap().is_some());
    let unknown = LinkBinding {
        company_id: company.id.to_string(),
        connection_id: Uuid::new_v4().to_string(),
    };
    assert!(h.store.save("state-x", unknown, expires).await.is_err());
}

async fn the_whole_linked_account_comes_back(h: &Harness) {
    let company = h
        .store
        .create_company(&NewCompany::named("Acme"))
        .await
        .unwrap();
    let connection = h.store.create_connection(company.id, "acme").await.unwrap();
    assert!(h
        .store
        .linked_account(connection.id)
        .await
        .unwrap()
        .is_none());
    let expires = Utc::now() + Duration::minutes(30);
    let mut account = LinkedAccount::new("shop_1", true);
    account.scope = Some("read".to_owned());
    account.access_token = Some(SecretString::from("at_secret_1"));
    account.refresh_token = Some(SecretString::from("rt_secret_1"));
    account.access_expires_at = Some(expires);
    account
        .metadata
        .insert("shop".to_owned(), "corner-cafe".to_owned());
    account
        .metadata
        .insert("region".to_owned(), "eu".to_owned());
    h.store
        .link_connection(connection.id, &account)
        .await
        .unwrap();

    let stored = h
        .store
        .linked_account(connection.id)
        .await
        .unwrap()
        .unwrap();
    let back = &stored.account;
    assert_eq!(back.external_id, "shop_1");
    assert!(back.livemode);
    assert_eq!(back.scope.as_deref(), Some("read"));
    assert_eq!(back.metadata, account.metadata);
    assert_eq!(
        back.access_token.as_ref().unwrap().expose_secret(),
        "at_secret_1"
    );
    assert_eq!(
        back.refresh_token.as_ref().unwrap().expose_secret(),
        "rt_secret_1"
    );
    let drift = (back.access_expires_at.unwrap() - expires)
        .num_milliseconds()
        .abs();
    assert!(drift <= 1, "{drift} ms");

    // Re-linking without metadata or tokens clears them.
    h.store
        .set_connection_status(
            connection.id,
            ConnectionStatus::Deauthorized,
            Some("revoked"),
        )
        .await
        .unwrap();
    h.store
        .link_connection(connection.id, &LinkedAccount::new("shop_1", false))
        .await
        .unwrap();
    let stored = h
        .store
        .linked_account(connection.id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.account.metadata.is_empty());
    assert!(stored.account.access_token.is_none());
    assert_eq!(
        h.store
            .claim_credentials_refresh(connection.id, "a", std::time::Duration::from_secs(60))
            .await
            .unwrap(),
        RefreshClaim::NoCredentials
    );
}

async fn credential_refreshes_are_claimed_one_at_a_time(h: &Harness) {
    let connection_id = linked_connection(h, "at_1", "rt_1").await;
    let hold = std::time::Duration::from_secs(60);
    let seen = h
        .store
        .linked_account(connection_id)
        .await
        .unwrap()
        .unwrap();
    let RefreshClaim::Claimed {
        credentials_version,
    } = h
        .store
        .claim_credentials_refresh(connection_id, "a", hold)
        .await
        .unwrap()
    else {
        panic!("the first claim must succeed");
    };
    assert_eq!(credentials_version, seen.credentials_version);
    // Another process waits; the holder may claim again (renew).
    assert_eq!(
        h.store
            .claim_credentials_refresh(connection_id, "b", hold)
            .await
            .unwrap(),
        RefreshClaim::Busy
    );
    assert!(matches!(
        h.store
            .claim_credentials_refresh(connection_id, "a", hold)
            .await
            .unwrap(),
        RefreshClaim::Claimed { .. }
    ));
    // Only the holder completes; the new credentials and metadata are stored and the version grows.
    let mut refreshed = seen.account.clone();
    refreshed.access_token = Some(SecretString::from("at_2"));
    refreshed.refresh_token = Some(SecretString::from("rt_2"));
    refreshed
        .metadata
        .insert("shop".to_owned(), "cafe".to_owned());
    assert!(matches!(
        h.store
            .complete_credentials_refresh(connection_id, "b", &refreshed)
            .await,
        Err(StoreError::RefreshClaimLost { .. })
    ));
    let version = h
        .store
        .complete_credentials_refresh(connection_id, "a", &refreshed)
        .await
        .unwrap();
    assert!(version > seen.credentials_version);
    let now = h
        .store
        .linked_account(connection_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.credentials_version, version);
    assert_eq!(now.account.access_token.unwrap().expose_secret(), "at_2");
    assert_eq!(now.account.refresh_token.unwrap().expose_secret(), "rt_2");
    assert_eq!(now.account.metadata["shop"], "cafe");
    // The claim was dropped with the completion: the next one is free.
    assert!(matches!(
        h.store
            .claim_credentials_refresh(connection_id, "b", hold)
            .await
            .unwrap(),
        RefreshClaim::Claimed { credentials_version } if credentials_version == version
    ));
    // A released claim stores nothing; an expired one may be taken over.
    h.store
        .release_credentials_refresh(connection_id, "b")
        .await
        .unwrap();
    assert!(matches!(
        h.store
            .claim_credentials_refresh(connection_id, "c", std::time::Duration::ZERO)
            .await
            .unwrap(),
        RefreshClaim::Claimed { .. }
    ));
    assert!(matches!(
        h.store
            .claim_credentials_refresh(connection_id, "d", hold)
            .await
            .unwrap(),
        RefreshClaim::Claimed { .. }
    ));
    assert_eq!(
        h.store
            .linked_account(connection_id)
            .await
            .unwrap()
            .unwrap()
            .credentials_version,
        version
    );
}

async fn link_states_are_reusable_and_capped_per_connection(h: &Harness) {
    let company = h
        .store
        .create_company(&NewCompany::named("Acme"))
        .await
        .unwrap();
    let binding = |connection: Uuid| LinkBinding {
        company_id: company.id.to_string(),
        connection_id: connection.to_string(),
    };
    let first = h
        .store
        .create_connection(company.id, "stripe-test")
        .await
        .unwrap();
    let second = h
        .store
        .create_connection(company.id, "stripe-test")
        .await
        .unwrap();
    let now = Utc::now();
    assert!(h
        .store
        .reusable(&binding(first.id), now)
        .await
        .unwrap()
        .is_none());

    let expires = now + Duration::minutes(10);
    h.store
        .save("state-first", binding(first.id), expires)
        .await
        .unwrap();
    // Handed back while valid at the time asked, to its own connection only.
    let (state, expiry) = h
        .store
        .reusable(&binding(first.id), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state, "state-first");
    assert!((expiry - expires).num_milliseconds().abs() <= 1);
    assert!(h
        .store
        .reusable(&binding(second.id), now)
        .await
        .unwrap()
        .is_none());
    assert!(h
        .store
        .reusable(&binding(first.id), expires + Duration::seconds(1))
        .await
        .unwrap()
        .is_none());
    // Sealed at rest: the value is not in the table.
    let raw = h.raw_link_states().await;
    assert!(!raw.windows(11).any(|window| window == b"state-first"));
    // Taken: no longer reusable.
    assert!(h.store.take("state-first").await.unwrap().is_some());
    assert!(h
        .store
        .reusable(&binding(first.id), now)
        .await
        .unwrap()
        .is_none());

    // At most MAX_PENDING_LINK_STATES per connection: the ones expiring first go.
    let cap = MAX_PENDING_LINK_STATES as i64;
    for n in 0..cap + 3 {
        h.store
            .save(
                &format!("state-{n}"),
                binding(first.id),
                now + Duration::minutes(n + 1),
            )
            .await
            .unwrap();
    }
    h.store
        .save("other", binding(second.id), expires)
        .await
        .unwrap();
    for n in 0..3 {
        assert!(
            h.store.take(&format!("state-{n}")).await.unwrap().is_none(),
            "state-{n} kept"
        );
    }
    for n in 3..cap + 3 {
        assert!(
            h.store.take(&format!("state-{n}")).await.unwrap().is_some(),
            "state-{n} dropped"
        );
    }
    assert!(h.store.take("other").await.unwrap().is_some());
}
