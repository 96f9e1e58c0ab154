//! Quokka: a minimal second commerce platform, to prove that a platform plugs in through
//! `commerce-model` alone. Test support only (`publish = false`); the `commerce` binary does not
//! ship it.
//!
//! Quokka is invented, and shaped like the platforms beside Stripe that matter:
//!
//! - OAuth on a per-merchant host: the client supplies the merchant's shop as a link parameter
//!   (`shop`), the authorize page and the token endpoint are Quokka's ([`fake::FakeQuokka`]
//!   serves both on 127.0.0.1);
//! - access tokens that expire (`expires_in`) and refresh tokens that rotate (each one works
//!   once), refreshed through [`Platform::refresh_credentials`] when the engine asks;
//! - two data types, customers and payments, listed in pages with an `after` cursor and mapped
//!   into `commerce_model` records.
//!
//! What it declares ([`platform_info`]): key `quokka`, Codat key `qokk`, callback segment
//! `quokka`, settings `QUOKKA_CLIENT_ID`, `QUOKKA_CLIENT_SECRET` (secret) and `QUOKKA_BASE_URL`.
//!
//! It must not depend on any other platform's crate, nor on the store, engine or server.

pub mod fake;
mod mapping;

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use commerce_model::platform::{
    Batch, Cursor, LinkCallback, LinkParam, LinkRequest, LinkStart, LinkedAccount, Platform,
    PlatformError, PlatformInfo, PlatformKey, Progress, RecordIssue, RetryKind, SettingKind,
    SettingSpec,
};
use commerce_model::DataType;
use futures::stream::BoxStream;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

pub use crate::mapping::{map_customer, map_payment, QuokkaCustomer, QuokkaPayment};

/// The platform key.
pub const KEY: &str = "quokka";
/// Its Codat-style four-letter key.
pub const CODAT_KEY: &str = "qokk";
/// The OAuth callback's path segment (`/oauth/quokka/callback`).
pub const CALLBACK_SEGMENT: &str = "quokka";
/// The OAuth client id.
pub const CLIENT_ID_SETTING: &str = "QUOKKA_CLIENT_ID";
/// The OAuth client secret.
pub const CLIENT_SECRET_SETTING: &str = "QUOKKA_CLIENT_SECRET";
/// Quokka's base URL (authorize page, token endpoint and API).
pub const BASE_URL_SETTING: &str = "QUOKKA_BASE_URL";
/// The link parameter naming the merchant's shop.
pub const SHOP_PARAM: &str = "shop";
/// The [`LinkedAccount::metadata`] key keeping the shop.
pub const SHOP_METADATA: &str = "quokka_shop";
/// The data types Quokka supplies.
pub const SUPPORTED_DATA_TYPES: [DataType; 2] = [DataType::Customers, DataType::Payments];

/// What Quokka declares about itself.
pub fn platform_info() -> PlatformInfo {
    PlatformInfo::new(
        PlatformKey::from_static(KEY),
        PlatformKey::from_static(CODAT_KEY),
        "Quokka",
        CALLBACK_SEGMENT,
    )
    .supports(&SUPPORTED_DATA_TYPES)
    .settings(&[
        SettingSpec::new(CLIENT_ID_SETTING, "Quokka OAuth client id").required(),
        SettingSpec::new(CLIENT_SECRET_SETTING, "Quokka OAuth client secret")
            .secret()
            .required(),
        SettingSpec::new(BASE_URL_SETTING, "Quokka's base URL")
            .kind(SettingKind::HttpUrl)
            .required(),
    ])
    .link_param(LinkParam {
        name: SHOP_PARAM,
        required: true,
        help: "the merchant's Quokka shop, e.g. corner-cafe",
    })
}

/// Quokka as a commerce platform.
pub struct QuokkaPlatform {
    info: PlatformInfo,
    client_id: String,
    client_secret: SecretString,
    base_url: url::Url,
    http: reqwest::Client,
    page_size: usize,
}

impl std::fmt::Debug for QuokkaPlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuokkaPlatform")
            .field("client_id", &self.client_id)
            .field("base_url", &self.base_url.as_str())
            .finish_non_exhaustive()
    }
}

/// A bad Quokka configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QuokkaError {
    /// The base URL is not an absolute URL.
    #[error("QUOKKA_BASE_URL {0:?} is not an absolute URL")]
    BaseUrl(String),
}

impl QuokkaPlatform {
    /// A platform for the OAuth client `client_id`/`client_secret` at `base_url`.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: SecretString,
        base_url: &str,
    ) -> Result<Self, QuokkaError> {
        let base_url = url::Url::parse(&format!("{}/", base_url.trim_end_matches('/')))
            .map_err(|_| QuokkaError::BaseUrl(base_url.to_owned()))?;
        Ok(QuokkaPlatform {
            info: platform_info(),
            client_id: client_id.into(),
            client_secret,
            base_url,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            page_size: 2,
        })
    }

    /// Reads `page_size` objects per page (default 2).
    pub fn with_page_size(mut self, page_size: usize) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    fn url(&self, path: &str) -> Result<url::Url, PlatformError> {
        self.base_url
            .join(path)
            .map_err(|error| PlatformError::internal("bad Quokka URL", error))
    }

    /// Posts to the token endpoint and turns the answer into an account.
    async fn token(
        &self,
        form: &[(&str, &str)],
        previous: Option<&LinkedAccount>,
    ) -> Result<LinkedAccount, PlatformError> {
        let mut fields = vec![
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose_secret()),
        ];
        fields.extend_from_slice(form);
        let response = self
            .http
            .post(self.url("oauth/token")?)
            .form(&fields)
            .send()
            .await
            .map_err(unreachable_error)?;
        let status = response.status();
        let body = response.bytes().await.map_err(unreachable_error)?;
        if !status.is_success() {
            let error = serde_json::from_slice::<ApiError>(&body)
                .map(|error| error.error)
                .unwrap_or_else(|_| format!("HTTP {status}"));
            return Err(match (status.as_u16(), error.as_str()) {
                (400, "invalid_grant") => PlatformError::RelinkNeeded {
                    reason: "Quokka refused the grant (revoked or already used)".to_owned(),
                },
                (429, _) | (500..=599, _) => http_retry(status.as_u16(), &error),
                _ => PlatformError::Internal {
                    message: format!("Quokka's token endpoint answered {status}: {error}"),
                    source: None,
                },
            });
        }
        let token: TokenResponse = serde_json::from_slice(&body).map_err(|error| {
            PlatformError::internal("Quokka's token answer is malformed", error)
        })?;
        let mut account = match previous {
            Some(previous) => previous.clone(),
            None => LinkedAccount::new(token.shop_id.clone(), false),
        };
        account.external_id = token.shop_id;
        account.scope = token.scope;
        account.access_token = Some(SecretString::from(token.access_token));
        account.refresh_token = Some(SecretString::from(token.refresh_token));
        account.access_expires_at =
            Some(Utc::now() + chrono::Duration::seconds(token.expires_in.min(i64::from(u32::MAX))));
        Ok(account)
    }

    async fn page(
        &self,
        account: &LinkedAccount,
        data_type: DataType,
        after: Option<&str>,
    ) -> Result<ListPage, PlatformError> {
        let resource = match data_type {
            DataType::Customers => "api/customers",
            DataType::Payments => "api/payments",
            other => return Err(PlatformError::NotSupported { data_type: other }),
        };
        let mut url = self.url(resource)?;
        url.query_pairs_mut()
            .append_pair("limit", &self.page_size.to_string());
        if let Some(after) = after {
            url.query_pairs_mut().append_pair("after", after);
        }
        let token = account
            .access_token
            .as_ref()
            .ok_or_else(|| PlatformError::RelinkNeeded {
                reason: "no access token stored".to_owned(),
            })?;
        let response = self
            .http
            .get(url)
            .bearer_auth(token.expose_secret())
            .send()
            .await
            .map_err(unreachable_error)?;
        let status = response.status();
        let body = response.bytes().await.map_err(unreachable_error)?;
        if status.is_success() {
            return serde_json::from_slice(&body)
                .map_err(|error| PlatformError::internal("Quokka's list is malformed", error));
        }
        let error = serde_json::from_slice::<ApiError>(&body)
            .map(|error| error.error)
            .unwrap_or_else(|_| format!("HTTP {status}"));
        Err(match (status.as_u16(), error.as_str()) {
            (401, "token_expired") => PlatformError::AccessExpired {
                reason: "Quokka says the access token expired".to_owned(),
            },
            (401, _) => PlatformError::RelinkNeeded {
                reason: format!("Quokka refused the access token: {error}"),
            },
            (403, _) => PlatformError::PermissionDenied { message: error },
            (429, _) | (500..=599, _) => http_retry(status.as_u16(), &error),
            _ => PlatformError::Internal {
                message: format!("Quokka answered {status}: {error}"),
                source: None,
            },
        })
    }
}

fn http_retry(status: u16, error: &str) -> PlatformError {
    PlatformError::RetryLater {
        kind: if status == 429 {
            RetryKind::RateLimited
        } else {
            RetryKind::Unavailable
        },
        retry_after: None,
        message: format!("Quokka answered {status}: {error}"),
        source: None,
    }
}

fn unreachable_error(error: reqwest::Error) -> PlatformError {
    PlatformError::RetryLater {
        kind: RetryKind::Unavailable,
        retry_after: None,
        message: "Quokka is unreachable".to_owned(),
        source: Some(Box::new(error)),
    }
}

#[derive(Deserialize)]
struct ApiError {
    error: String,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    refresh_token: String,
    expires_in: i64,
    shop_id: String,
    scope: Option<String>,
}

#[derive(Deserialize)]
struct ListPage {
    data: Vec<serde_json::Value>,
    has_more: bool,
}

/// The cursor of a full pull: after which object id it resumes; `complete` once done (the next
/// pull is a full one again: Quokka has no change feed).
const COMPLETE: &str = "complete";

#[async_trait]
impl Platform for QuokkaPlatform {
    fn info(&self) -> &PlatformInfo {
        &self.info
    }

    async fn begin_link(&self, request: LinkRequest) -> Result<LinkStart, PlatformError> {
        let shop = request
            .params
            .get(SHOP_PARAM)
            .ok_or_else(|| PlatformError::LinkFailed {
                reason: "the link names no Quokka shop".to_owned(),
            })?;
        let mut url = self.url("oauth/authorize")?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &request.redirect_uri)
            .append_pair("state", &request.state)
            .append_pair(SHOP_PARAM, shop);
        Ok(LinkStart {
            authorize_url: url.into(),
        })
    }

    async fn complete_link(&self, callback: LinkCallback) -> Result<LinkedAccount, PlatformError> {
        if let Some(error) = callback.param("error") {
            return Err(PlatformError::LinkFailed {
                reason: format!("Quokka did not grant access: {error}"),
            });
        }
        let (Some(code), Some(shop)) = (callback.param("code"), callback.param(SHOP_PARAM)) else {
            return Err(PlatformError::LinkFailed {
                reason: "the callback carries no code or shop".to_owned(),
            });
        };
        let mut account = self
            .token(
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", &callback.redirect_uri),
                ],
                None,
            )
            .await
            .map_err(|error| match error {
                PlatformError::RelinkNeeded { .. } => PlatformError::LinkFailed {
                    reason: "the authorization code is invalid or was already used".to_owned(),
                },
                other => other,
            })?;
        account.metadata = BTreeMap::from([(SHOP_METADATA.to_owned(), shop.to_owned())]);
        Ok(account)
    }

    async fn refresh_credentials(
        &self,
        account: &LinkedAccount,
    ) -> Result<LinkedAccount, PlatformError> {
        let refresh =
            account
                .refresh_token
                .as_ref()
                .ok_or_else(|| PlatformError::RelinkNeeded {
                    reason: "no refresh token stored".to_owned(),
                })?;
        self.token(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.expose_secret()),
            ],
            Some(account),
        )
        .await
    }

    async fn unlink(&self, account: &LinkedAccount) -> Result<(), PlatformError> {
        let Some(token) = account.access_token.as_ref() else {
            return Ok(());
        };
        let response = self
            .http
            .post(self.url("oauth/revoke")?)
            .bearer_auth(token.expose_secret())
            .send()
            .await
            .map_err(unreachable_error)?;
        match response.status().as_u16() {
            200..=299 | 401 => Ok(()),
            status => Err(http_retry(status, "revoking failed")),
        }
    }

    fn pull<'a>(
        &'a self,
        account: &'a LinkedAccount,
        data_type: DataType,
        cursor: Option<Cursor>,
    ) -> BoxStream<'a, Result<Batch, PlatformError>> {
        let after = cursor
            .map(|cursor| cursor.as_str().to_owned())
            .filter(|text| text != COMPLETE)
            .and_then(|text| text.strip_prefix("after:").map(str::to_owned));
        let start = (after, 0_u64, false);
        Box::pin(futures::stream::unfold(
            start,
            move |(after, fetched, done)| async move {
                if done {
                    return None;
                }
                if !self.supports().contains(&data_type) {
                    return Some((
                        Err(PlatformError::NotSupported { data_type }),
                        (after, fetched, true),
                    ));
                }
                let page = match self.page(account, data_type, after.as_deref()).await {
                    Ok(page) => page,
                    Err(error) => return Some((Err(error), (after, fetched, true))),
                };
                let mut records = Vec::new();
                let mut issues = Vec::new();
                let mut last = after.clone();
                for object in &page.data {
                    let id = object["id"].as_str().map(str::to_owned);
                    last = id.clone().or(last);
                    let mapped = match data_type {
                        DataType::Customers => serde_json::from_value(object.clone())
                            .map_err(|error| error.to_string())
                            .and_then(|customer| map_customer(&customer)),
                        _ => serde_json::from_value(object.clone())
                            .map_err(|error| error.to_string())
                            .and_then(|payment| map_payment(&payment)),
                    };
                    match mapped {
                        Ok(record) => records.push(record),
                        Err(message) => issues.push(RecordIssue { id, message }),
                    }
                }
                let fetched = fetched + page.data.len() as u64;
                let complete = !page.has_more;
                let cursor = if complete {
                    Cursor::new(COMPLETE)
                } else {
                    Cursor::new(format!("after:{}", last.clone().unwrap_or_default()))
                };
                let batch = Batch {
                    data_type,
                    records,
                    deleted_ids: Vec::new(),
                    issues,
                    cursor,
                    incremental: false,
                    complete,
                    progress: Progress {
                        fetched,
                        estimated_total: None,
                    },
                    note: None,
                };
                Some((Ok(batch), (last, fetched, complete)))
            },
        ))
    }
}
