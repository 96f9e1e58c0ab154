//! `commerce rotate-keys`: the stored secrets move to the newest key, and the command says when
//! the older keys can go.

use commerce_model::platform::LinkedAccount;
use commerce_store::{EncryptionKey, EncryptionKeys, NewCompany, Store, StoreError};
use secrecy::{ExposeSecret as _, SecretString};

use super::support::{commerce_in, temp_dir, text};

#[test]
fn rotate_keys_reseals_under_the_newest_key_and_says_when_the_old_one_can_go() {
    let dir = temp_dir("rotate");
    let url = format!("sqlite://{}/c.db", dir.0.display());
    let old = EncryptionKey::generate();
    let new = EncryptionKey::generate();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let connection_id = runtime.block_on(async {
        let store = Store::connect(&url, old.clone()).await.unwrap();
        let company = store
            .create_company(&NewCompany::named("Acme"))
            .await
            .unwrap();
        let connection = store
            .create_connection(company.id, "stripe-test")
            .await
            .unwrap();
        let mut account = LinkedAccount::new("acct_1", false);
        account.access_token = Some(SecretString::from("tok_access_1".to_owned()));
        account.refresh_token = Some(SecretString::from("tok_refresh_1".to_owned()));
        store
            .link_connection(connection.id, &account)
            .await
            .unwrap();
        store.close().await;
        connection.id
    });
    let list = format!(
        "{},{}",
        new.to_base64().expose_secret(),
        old.to_base64().expose_secret()
    );
    let run = |keys: &str, args: &[&str]| {
        let output = commerce_in(&dir.0)
            .arg("rotate-keys")
            .args(args)
            .env("COMMERCE_DATABASE_URL", &url)
            .env("COMMERCE_ENCRYPTION_KEYS", keys)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        for key in [&old, &new] {
            let secret = key.to_base64();
            assert!(
                !stdout.contains(secret.expose_secret())
                    && !stderr.contains(secret.expose_secret()),
                "a key was printed"
            );
        }
        assert!(!stdout.contains("tok_") && !stderr.contains("tok_"));
        (output.status.code(), stdout, stderr)
    };
    let (old_id, new_id) = (old.id().to_string(), new.id().to_string());

    // Checking changes nothing and fails while the old key is still needed.
    let (code, stdout, stderr) = run(&list, &["--check"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("newest first: {new_id}, {old_id}")),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("2 by key {old_id}")), "{stdout}");
    assert!(
        stderr.contains("2 stored secret(s) are still sealed"),
        "{stderr}"
    );

    let (code, stdout, stderr) = run(&list, &["--batch-size", "1"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("re-sealed 2 under {new_id}")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("now: 2 stored secret(s) (2 by key {new_id})")),
        "{stdout}"
    );
    assert!(stdout.contains("older keys can be removed"), "{stdout}");

    // The old key removed: the check passes and the tokens read with the new key alone.
    let (code, stdout, stderr) = run(new.to_base64().expose_secret(), &["--check"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    runtime.block_on(async {
        let store = Store::connect(&url, new.clone()).await.unwrap();
        let credentials = store.get_credentials(connection_id).await.unwrap().unwrap();
        assert_eq!(credentials.access_token.expose_secret(), "tok_access_1");
        store.close().await;
        // The old key alone no longer reads them, and says which key it lacks.
        let store = Store::connect(&url, EncryptionKeys::from(old.clone()))
            .await
            .unwrap();
        let err = store.get_credentials(connection_id).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::EncryptionKeyNotConfigured { key_id, .. } if *key_id == new_id),
            "{err:?}"
        );
        store.close().await;
    });

    // A bad batch size is a usage error.
    let (code, _, stderr) = run(&list, &["--batch-size", "0"]);
    assert_eq!(code, Some(2), "{stderr}");
}
