//! A test platform: a real OAuth-style provider on 127.0.0.1 (authorize page that redirects back
//! with a code, or with `error=access_denied` when set to decline), signed webhooks, and pulls
//! served from records the test hands it.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use commerce_model::platform::{
    Batch, CredentialField, CredentialsLink, Cursor, LinkCallback, LinkParam, LinkRequest,
    LinkStart, LinkedAccount, Platform, PlatformError, PlatformInfo, PlatformKey, Progress, Record,
    WebhookOutcome, WebhookRequest,
};
use commerce_model::DataType;
use futures::stream::{self, BoxStream, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

pub const WEBHOOK_SECRET: &str = "whsec_fake_0123456789";
pub const ACCOUNT: &str = "acct_fake_1";
/// The one key [`FakePlatform`] accepts through `PUT .../authorization` (`{"apiKey": ...}`).
pub const GOOD_API_KEY: &str = "fake_key_0123456789";

#[derive(Default)]
pub struct Provider {
    pub decline: AtomicBool,
    codes: AtomicU32,
    pub redirects_done: AtomicU32,
}

pub struct FakePlatform {
    info: PlatformInfo,
    pub provider_url: String,
    pub provider: Arc<Provider>,
    pub records: Mutex<HashMap<DataType, Vec<Record>>>,
    pub unlinked: Mutex<Vec<String>>,
    pub completed_links: AtomicU32,
}

impl FakePlatform {
    pub async fn start(key: &'static str, alias: &'static str, supports: &[DataType]) -> Arc<Self> {
        Self::start_with_link_params(key, alias, supports, &[]).await
    }

    /// [`FakePlatform::start`] for a platform that declares link parameters.
    pub async fn start_with_link_params(
        key: &'static str,
        alias: &'static str,
        supports: &[DataType],
        link_params: &[LinkParam],
    ) -> Arc<Self> {
        let mut info = PlatformInfo::new(
            PlatformKey::from_static(key),
            PlatformKey::from_static(alias),
            "Fake Test",
            key.split('-').next().unwrap_or(key),
        )
        .supports(supports);
        for param in link_params {
            info = info.link_param(*param);
        }
        // Links with a pasted key too, like Stripe: [`GOOD_API_KEY`] is accepted.
        info = info.credentials_link(CredentialsLink {
            fields: vec![CredentialField {
                name: "apiKey",
                label: "API key",
                help: "the fake platform's key",
            }],
            on_link_page: false,
        });
        let provider = Arc::new(Provider::default());
        let app = Router::new()
            .route("/authorize", get(authorize))
            .route("/done", get(done))
            .with_state(provider.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let provider_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Arc::new(FakePlatform {
            // The callback segment is the key's first word (`fake-test` -> `/oauth/fake/callback`).
            info,
            provider_url,
            provider,
            records: Mutex::new(HashMap::new()),
            unlinked: Mutex::new(Vec::new()),
            completed_links: AtomicU32::new(0),
        })
    }

    pub fn set_records(&self, data_type: DataType, records: Vec<Record>) {
        self.records.lock().unwrap().insert(data_type, records);
    }
}

async fn authorize(
    State(provider): State<Arc<Provider>>,
    Query(params): Query<BTreeMap<String, String>>,
) -> impl IntoResponse {
    let redirect = params["redirect_uri"].clone();
    let state = params["state"].clone();
    let location = if provider.decline.load(Ordering::SeqCst) {
        format!("{redirect}?error=access_denied&error_description=The+user+denied+your+request&state={state}")
    } else {
        let n = provider.codes.fetch_add(1, Ordering::SeqCst);
        format!("{redirect}?code=code_{n}&scope=read_only&state={state}")
    };
    (StatusCode::FOUND, [(header::LOCATION, location)])
}

async fn done(State(provider): State<Arc<Provider>>) -> &'static str {
    provider.redirects_done.fetch_add(1, Ordering::SeqCst);
    "client page"
}

pub fn sign(body: &str, timestamp: i64) -> String {
    let digest = Sha256::digest(format!("{WEBHOOK_SECRET}.{timestamp}.{body}").as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

#[async_trait]
impl Platform for FakePlatform {
    fn info(&self) -> &PlatformInfo {
        &self.info
    }

    fn settings_in_use(&self) -> Vec<(String, String)> {
        vec![("FAKE_RATE_LIMIT".to_owned(), "7/s".to_owned())]
    }

    async fn begin_link(&self, request: LinkRequest) -> Result<LinkStart, PlatformError> {
        let mut url = url::Url::parse(&format!("{}/authorize", self.provider_url)).unwrap();
        url.query_pairs_mut()
            .append_pair("state", &request.state)
            .append_pair("redirect_uri", &request.redirect_uri);
        Ok(LinkStart {
            authorize_url: url.to_string(),
        })
    }

    async fn complete_link(&self, callback: LinkCallback) -> Result<LinkedAccount, PlatformError> {
        let Some(code) = callback
            .param("code")
            .filter(|code| code.starts_with("code_"))
        else {
            return Err(PlatformError::LinkFailed {
                reason: "the authorization code is invalid".into(),
            });
        };
        let _ = code;
        self.completed_links.fetch_add(1, Ordering::SeqCst);
        let mut account = LinkedAccount::new(ACCOUNT, false);
        account.scope = callback.param("scope").map(str::to_owned);
        account.access_token = Some(SecretString::from("tok_fake_secret".to_owned()));
        account.metadata = BTreeMap::from([("fake_shop".to_owned(), "shop-1".to_owned())]);
        Ok(account)
    }

    async fn link_with_credentials(
        &self,
        credentials: &BTreeMap<String, SecretString>,
    ) -> Result<LinkedAccount, PlatformError> {
        let good = credentials
            .get("apiKey")
            .is_some_and(|key| key.expose_secret() == GOOD_API_KEY);
        if !good {
            return Err(PlatformError::LinkFailed {
                reason: "the key is not valid".into(),
            });
        }
        let mut account = LinkedAccount::new(ACCOUNT, false);
        account.access_token = Some(SecretString::from(GOOD_API_KEY.to_owned()));
        account.metadata = BTreeMap::from([("fake_link".to_owned(), "key".to_owned())]);
        Ok(account)
    }

    /// An account linked with a pasted key holds no grant to revoke.
    fn unlink_revokes(&self, account: &LinkedAccount) -> bool {
        account.metadata.get("fake_link").map(String::as_str) != Some("key")
    }

    async fn unlink(&self, account: &LinkedAccount) -> Result<(), PlatformError> {
        self.unlinked
            .lock()
            .unwrap()
            .push(account.external_id.clone());
        Ok(())
    }

    fn pull<'a>(
        &'a self,
        _account: &'a LinkedAccount,
        data_type: DataType,
        _cursor: Option<Cursor>,
    ) -> BoxStream<'a, Result<Batch, PlatformError>> {
        let records = self
            .records
            .lock()
            .unwrap()
            .get(&data_type)
            .cloned()
            .unwrap_or_default();
        let fetched = records.len() as u64;
        stream::iter([Ok(Batch {
            data_type,
            records,
            deleted_ids: Vec::new(),
            issues: Vec::new(),
            cursor: Cursor::new("done"),
            incremental: false,
            complete: true,
            progress: Progress {
                fetched,
                estimated_total: Some(fetched),
            },
            note: None,
        })])
        .boxed()
    }

    async fn handle_webhook(
        &self,
        request: WebhookRequest,
    ) -> Result<WebhookOutcome, PlatformError> {
        let invalid = |reason: &str| PlatformError::InvalidWebhook {
            reason: reason.to_owned(),
        };
        let header = request
            .header("fake-signature")
            .ok_or_else(|| invalid("no signature header"))?;
        let timestamp: i64 = header
            .split(',')
            .find_map(|part| part.strip_prefix("t="))
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| invalid("no timestamp"))?;
        let body = std::str::from_utf8(&request.body).map_err(|_| invalid("body not utf-8"))?;
        if sign(body, timestamp) != header {
            return Err(invalid("signature mismatch"));
        }
        if (chrono::Utc::now().timestamp() - timestamp).abs() > 300 {
            return Err(invalid("timestamp outside the tolerance"));
        }
        let event: serde_json::Value =
            serde_json::from_str(body).map_err(|_| invalid("body not json"))?;
        let account = event["account"].as_str().unwrap_or_default().to_owned();
        Ok(match event["type"].as_str() {
            Some("account.deauthorized") => WebhookOutcome::AccountDeauthorized {
                external_account_id: account,
            },
            Some("records.changed") => WebhookOutcome::RecordsChanged {
                external_account_id: account,
                data_types: event["data_types"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|key| DataType::parse(key.as_str().unwrap()).unwrap())
                    .collect(),
            },
            other => WebhookOutcome::Ignored {
                reason: format!("{other:?}"),
            },
        })
    }
}
