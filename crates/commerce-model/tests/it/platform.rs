//! The platform traits: a toy platform implements them, and the engine-facing values behave.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use commerce_model::platform::{
    Batch, Cursor, ErrorAction, LinkBinding, LinkCallback, LinkRequest, LinkStart, LinkStateStore,
    LinkedAccount, MemoryLinkStateStore, Platform, PlatformError, PlatformInfo, PlatformKey,
    Progress, Record, RecordIssue, RetryKind, SettingKind, SettingSpec, WebhookOutcome,
    WebhookRequest,
};
use commerce_model::{
    CompanyInfo, Customer, DataType, ModelError, ProductCategory, Timestamp, COMPANY_INFO_RECORD_ID,
};
use futures::stream::{self, BoxStream, StreamExt};
use secrecy::{ExposeSecret, SecretString};

/// A platform with two customers, paged one per batch.
struct ToyPlatform {
    info: PlatformInfo,
}

#[async_trait]
impl Platform for ToyPlatform {
    fn info(&self) -> &PlatformInfo {
        &self.info
    }

    async fn begin_link(&self, request: LinkRequest) -> Result<LinkStart, PlatformError> {
        Ok(LinkStart {
            authorize_url: format!(
                "https://toy.test/authorize?state={}&redirect_uri={}",
                request.state, request.redirect_uri
            ),
        })
    }

    async fn complete_link(&self, callback: LinkCallback) -> Result<LinkedAccount, PlatformError> {
        if let Some(error) = callback.param("error") {
            return Err(PlatformError::LinkFailed {
                reason: error.to_owned(),
            });
        }
        let code = callback.param("code").ok_or(PlatformError::LinkFailed {
            reason: "no code".to_owned(),
        })?;
        let mut account = LinkedAccount::new(format!("toy_{code}"), false);
        account.scope = Some("read_only".to_owned());
        account.access_token = Some(SecretString::from("tok_secret_value"));
        Ok(account)
    }

    async fn unlink(&self, _account: &LinkedAccount) -> Result<(), PlatformError> {
        Ok(())
    }

    fn pull<'a>(
        &'a self,
        _account: &'a LinkedAccount,
        data_type: DataType,
        cursor: Option<Cursor>,
    ) -> BoxStream<'a, Result<Batch, PlatformError>> {
        if !self.supports().contains(&data_type) {
            return stream::once(async move { Err(PlatformError::NotSupported { data_type }) })
                .boxed();
        }
        let start: usize = cursor
            .map(|cursor| cursor.as_str().parse().unwrap_or(0))
            .unwrap_or(0);
        let ids = ["cus_1", "cus_2"];
        stream::iter(start..ids.len())
            .map(move |index| {
                let customer = Customer {
                    id: ids[index].to_owned(),
                    ..Default::default()
                };
                Ok(Batch {
                    data_type,
                    records: vec![Record::new(&customer)
                        .map_err(|err| PlatformError::internal("mapping", err))?],
                    deleted_ids: Vec::new(),
                    issues: vec![RecordIssue {
                        id: Some(format!("bad_{index}")),
                        message: "missing field `currency`".into(),
                    }],
                    cursor: Cursor::new((index + 1).to_string()),
                    incremental: false,
                    complete: index + 1 == ids.len(),
                    progress: Progress {
                        fetched: index as u64 + 1,
                        estimated_total: Some(2),
                    },
                    note: None,
                })
            })
            .boxed()
    }

    async fn handle_webhook(
        &self,
        request: WebhookRequest,
    ) -> Result<WebhookOutcome, PlatformError> {
        if request.header("toy-signature") != Some("ok") {
            return Err(PlatformError::InvalidWebhook {
                reason: "bad signature".to_owned(),
            });
        }
        Ok(WebhookOutcome::AccountDeauthorized {
            external_account_id: String::from_utf8_lossy(&request.body).into_owned(),
        })
    }
}

fn toy() -> Box<dyn Platform> {
    Box::new(ToyPlatform {
        info: PlatformInfo::new(
            PlatformKey::from_static("toy-test"),
            PlatformKey::from_static("toyt"),
            "Toy",
            "toy",
        )
        .supports(&[DataType::Customers]),
    })
}

#[tokio::test]
async fn a_platform_links_pulls_and_resumes_through_the_trait_object() {
    let platform = toy();
    assert_eq!(platform.key().as_str(), "toy-test");
    assert!(platform.aliases().is_empty());
    let start = platform
        .begin_link(LinkRequest {
            state: "st_1".into(),
            redirect_uri: "http://127.0.0.1/cb".into(),
            params: Default::default(),
        })
        .await
        .unwrap();
    assert_eq!(
        start.authorize_url,
        "https://toy.test/authorize?state=st_1&redirect_uri=http://127.0.0.1/cb"
    );

    let callback = LinkCallback {
        params: [
            ("code".to_owned(), "abc".to_owned()),
            ("state".to_owned(), "st_1".to_owned()),
        ]
        .into(),
        redirect_uri: "http://127.0.0.1/cb".into(),
    };
    assert_eq!(callback.state(), Some("st_1"));
    let account = platform.complete_link(callback).await.unwrap();
    assert_eq!(account.external_id, "toy_abc");
    assert_eq!(
        account.access_token.as_ref().unwrap().expose_secret(),
        "tok_secret_value"
    );
    assert!(
        !format!("{account:?}").contains("tok_secret_value"),
        "tokens must not appear in Debug"
    );

    let batches: Vec<Batch> = platform
        .pull(&account, DataType::Customers, None)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(batches.len(), 2);
    assert_eq!(batches[0].records[0].id, "cus_1");
    assert_eq!(
        batches[0].records[0].json,
        serde_json::json!({"id": "cus_1"})
    );
    assert!(!batches[0].complete && batches[1].complete);
    assert_eq!(
        batches[1].progress,
        Progress {
            fetched: 2,
            estimated_total: Some(2)
        }
    );

    // Resume from the first batch's cursor.
    let resumed: Vec<Batch> = platform
        .pull(
            &account,
            DataType::Customers,
            Some(batches[0].cursor.clone()),
        )
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(resumed.len(), 1);
    assert_eq!(resumed[0].records[0].id, "cus_2");

    let unsupported: Vec<_> = platform
        .pull(&account, DataType::Orders, None)
        .collect()
        .await;
    let err = unsupported.into_iter().next().unwrap().unwrap_err();
    assert_eq!(err.action(), ErrorAction::SkipDataType);
    assert_eq!(err.dataset_status().as_str(), "NotSupported");
    assert_eq!(
        err.to_string(),
        "data type commerce-orders is not supported by this platform"
    );

    let denied = LinkCallback {
        params: [("error".to_owned(), "access_denied".to_owned())].into(),
        ..Default::default()
    };
    let err = platform.complete_link(denied).await.unwrap_err();
    assert_eq!(err.to_string(), "link failed: access_denied");
    assert_eq!(err.action(), ErrorAction::Fail);
}

#[tokio::test]
async fn webhooks_are_verified_by_the_platform() {
    let platform = toy();
    let request = WebhookRequest {
        headers: vec![("Toy-Signature".into(), "ok".into())],
        body: b"toy_abc".to_vec(),
    };
    assert_eq!(
        platform.handle_webhook(request).await.unwrap(),
        WebhookOutcome::AccountDeauthorized {
            external_account_id: "toy_abc".into()
        }
    );
    let forged = WebhookRequest {
        headers: vec![("toy-signature".into(), "forged".into())],
        body: Vec::new(),
    };
    let err = platform.handle_webhook(forged).await.unwrap_err();
    assert!(matches!(err, PlatformError::InvalidWebhook { .. }));
}

#[track_caller]
fn check_error(err: PlatformError, action: ErrorAction, dataset_status: &str, message: &str) {
    assert_eq!(err.action(), action, "{err}");
    assert_eq!(err.dataset_status().as_str(), dataset_status, "{err}");
    assert_eq!(err.to_string(), message);
}

#[test]
fn platform_errors_tell_the_engine_what_to_do() {
    check_error(
        PlatformError::RetryLater {
            kind: RetryKind::RateLimited,
            retry_after: Some(Duration::from_secs(2)),
            message: "429".into(),
            source: None,
        },
        ErrorAction::RetryLater {
            retry_after: Some(Duration::from_secs(2)),
        },
        "RateLimitError",
        "platform rate limited, retry later: 429",
    );
    check_error(
        PlatformError::RetryLater {
            kind: RetryKind::Unavailable,
            retry_after: None,
            message: "502 bad gateway".into(),
            source: None,
        },
        ErrorAction::RetryLater { retry_after: None },
        "FetchError",
        "platform unavailable, retry later: 502 bad gateway",
    );
    check_error(
        PlatformError::RelinkNeeded {
            reason: "token revoked".into(),
        },
        ErrorAction::Relink,
        "AuthError",
        "the account must be linked again: token revoked",
    );
    check_error(
        PlatformError::PermissionDenied {
            message: "no access to disputes".into(),
        },
        ErrorAction::SkipDataType,
        "PermissionsError",
        "permission denied: no access to disputes",
    );
    check_error(
        PlatformError::BadRecord {
            id: Some("ch_1".into()),
            message: "missing field `currency`".into(),
        },
        ErrorAction::SkipRecord,
        "MapError",
        "bad record ch_1: missing field `currency`",
    );
    check_error(
        PlatformError::BadRecord {
            id: None,
            message: "not an object".into(),
        },
        ErrorAction::SkipRecord,
        "MapError",
        "bad record: not an object",
    );
    check_error(
        PlatformError::CursorExpired {
            reason: "events older than 30 days".into(),
        },
        ErrorAction::RestartFullPull,
        "FetchError",
        "cursor cannot be resumed: events older than 30 days",
    );
    check_error(
        PlatformError::internal("unexpected answer", std::io::Error::other("boom")),
        ErrorAction::Fail,
        "InternalError",
        "unexpected answer",
    );
    let with_source = PlatformError::internal("unexpected answer", std::io::Error::other("boom"));
    assert_eq!(
        std::error::Error::source(&with_source).unwrap().to_string(),
        "boom"
    );
}

#[test]
fn records_carry_id_type_json_and_source_modified_date() {
    let changed = Timestamp::from_unix_seconds(1_700_000_000);
    let customer = Customer {
        id: "cus_9".into(),
        customer_name: Some("Jane".into()),
        source_modified_date: changed,
        ..Default::default()
    };
    let record = Record::new(&customer).unwrap();
    assert_eq!(record.id, "cus_9");
    assert_eq!(record.data_type, DataType::Customers);
    assert_eq!(record.source_modified_date, changed);
    assert_eq!(record.json["customerName"], "Jane");
    assert_eq!(record.to_typed::<Customer>().unwrap(), customer);
    // Reading a record as the wrong type fails cleanly.
    let err = record.to_typed::<commerce_model::Dispute>().unwrap_err();
    assert!(
        matches!(
            err,
            ModelError::RecordJson {
                data_type: DataType::Disputes,
                ..
            }
        ),
        "{err}"
    );

    let company = Record::new(&CompanyInfo {
        company_name: Some("Acme".into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(company.id, COMPANY_INFO_RECORD_ID);
    assert_eq!(company.data_type, DataType::CompanyInfo);

    let err = Record::new(&ProductCategory::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a commerce-productCategories record has no id"
    );
}

#[tokio::test]
async fn link_states_are_single_use() {
    let store = MemoryLinkStateStore::default();
    let binding = LinkBinding {
        company_id: "co_1".into(),
        connection_id: "conn_1".into(),
    };
    let expires_at = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    store
        .save("st_1", binding.clone(), expires_at)
        .await
        .unwrap();
    let err = store
        .save("st_1", binding.clone(), expires_at)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "link state store failed: state already saved"
    );
    assert_eq!(
        store.take("st_1").await.unwrap(),
        Some((binding, expires_at))
    );
    assert_eq!(
        store.take("st_1").await.unwrap(),
        None,
        "a state can be taken once"
    );
    assert_eq!(store.take("never_saved").await.unwrap(), None);
}

#[test]
fn keys_and_cursors_serialize_as_plain_strings() {
    assert_eq!(
        serde_json::to_string(&PlatformKey::new("stripe-test")).unwrap(),
        "\"stripe-test\""
    );
    assert_eq!(
        PlatformKey::new("stripe"),
        PlatformKey::from_static("stripe")
    );
    assert_eq!(
        serde_json::to_string(&Cursor::new("evt_1")).unwrap(),
        "\"evt_1\""
    );
    assert_eq!(
        serde_json::from_str::<Cursor>("\"evt_1\"")
            .unwrap()
            .as_str(),
        "evt_1"
    );
}

#[test]
fn expired_access_asks_for_a_refresh_and_ends_as_an_auth_error() {
    check_error(
        PlatformError::AccessExpired {
            reason: "token expired".into(),
        },
        ErrorAction::RefreshCredentials,
        "AuthError",
        "access expired: token expired",
    );
}

#[tokio::test]
async fn credentials_are_refreshed_shortly_before_they_expire_and_not_by_default() {
    let platform = toy();
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
    let mut account = LinkedAccount::new("toy_1", false);
    assert!(
        !platform.needs_refresh(&account, now),
        "no expiry, no refresh"
    );
    account.access_expires_at = Some(now + chrono::Duration::minutes(30));
    assert!(!platform.needs_refresh(&account, now));
    account.access_expires_at = Some(now + chrono::Duration::seconds(30));
    assert!(platform.needs_refresh(&account, now));
    account.access_expires_at = Some(now - chrono::Duration::seconds(1));
    assert!(platform.needs_refresh(&account, now));
    let error = platform.refresh_credentials(&account).await.unwrap_err();
    assert!(
        matches!(error, PlatformError::Unsupported { .. }),
        "{error}"
    );
}

#[test]
fn a_platform_info_answers_to_its_keys_and_names_its_required_settings() {
    let info = PlatformInfo::new(
        PlatformKey::from_static("toy-test"),
        PlatformKey::from_static("toyt"),
        "Toy",
        "toy",
    )
    .alias(PlatformKey::from_static("toy-sandbox"))
    .settings(&[
        SettingSpec::new("TOY_ID", "id").required(),
        SettingSpec::new("TOY_SECRET", "secret").secret().required(),
        SettingSpec::new("TOY_BASE", "base").kind(SettingKind::HttpUrl),
    ]);
    for key in ["toy-test", "toyt", "toy-sandbox"] {
        assert!(info.answers_to(key), "{key}");
    }
    assert!(!info.answers_to("toy"));
    assert_eq!(info.required_settings(), "TOY_ID and TOY_SECRET");
}

#[test]
fn settings_are_checked_by_kind_without_echoing_secrets() {
    let url = SettingSpec::new("TOY_BASE", "base").kind(SettingKind::HttpUrl);
    assert!(url.check("https://toy.example/api").is_ok());
    assert!(url.check("ftp://toy.example").unwrap_err().contains("http"));
    assert!(url
        .check("https://toy.example/?q=1")
        .unwrap_err()
        .contains("query"));
    let scope = SettingSpec::new("TOY_SCOPE", "scope").kind(SettingKind::OneOf(&["read", "write"]));
    assert!(scope.check("read").is_ok());
    assert_eq!(
        scope.check("all").unwrap_err(),
        "TOY_SCOPE \"all\" must be one of read, write"
    );
    let limit = SettingSpec::new("TOY_LIMIT", "limit").kind(SettingKind::PositiveInteger);
    assert!(limit.check("25").is_ok());
    assert!(limit.check("0").is_err() && limit.check("many").is_err());
    let secret = SettingSpec::new("TOY_TOKEN", "token")
        .secret()
        .kind(SettingKind::OneOf(&["a"]));
    let problem = secret.check("tok_live_hidden").unwrap_err();
    assert!(!problem.contains("tok_live_hidden"), "{problem}");
}
