//! The Stripe implementation of `commerce_model::platform::Platform`: linking through
//! `stripe-connect` and full pulls through `stripe-client` under `Stripe-Account`, mapped with this
//! crate's functions.
//!
//! Pull cursors are `<phase>:<starting_after>` (a phase is one Stripe list endpoint; payments have
//! three: charges, refunds, payment intents) and `complete` after the last batch. Pulling from a
//! `complete` cursor runs a new full pull: incremental pulls through Stripe's Events API are not
//! built yet.

use std::collections::BTreeMap;

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt};
use secrecy::SecretString;
use serde::de::DeserializeOwned;

use commerce_model as commerce;
use commerce_model::platform::{
    Batch, Cursor, LinkCallback, LinkRequest, LinkStart, LinkedAccount, Platform, PlatformError,
    PlatformKey, Progress, Record, RecordIssue, RetryKind,
};
use stripe_client::{ListParams, StripeClient, StripeError};
use stripe_connect::ConnectFlow;
use stripe_wire as stripe;

use crate::error::MapError;
use crate::mapped::Mapped;

/// The data types Stripe can source.
const SUPPORTED: &[commerce::DataType] = &[
    commerce::DataType::CompanyInfo,
    commerce::DataType::Customers,
    commerce::DataType::Disputes,
    commerce::DataType::Payments,
    commerce::DataType::Products,
    commerce::DataType::Transactions,
];

/// The cursor of a pull that has finished.
const COMPLETE: &str = "complete";

/// The "Stripe Test" (`stripe-test`, alias `yzth`) or "Stripe" (`stripe`, alias `exgd`) platform.
pub struct StripePlatform {
    key: PlatformKey,
    aliases: Vec<PlatformKey>,
    name: &'static str,
    flow: ConnectFlow,
    client: StripeClient,
}

impl std::fmt::Debug for StripePlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripePlatform")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl StripePlatform {
    /// A platform linking through `flow`'s integration and reading with `client` (the platform
    /// key; each pull adds `Stripe-Account`). Both must be of the same mode.
    pub fn new(flow: ConnectFlow, client: StripeClient) -> Result<Self, PlatformError> {
        let live = flow.integration().kind().is_live();
        if live != (client.mode() == stripe_client::Mode::Live) {
            return Err(PlatformError::Internal {
                message:
                    "the stripe client's key and the connect integration are of different modes"
                        .to_owned(),
                source: None,
            });
        }
        let (key, alias, name) = if live {
            ("stripe", "exgd", "Stripe")
        } else {
            ("stripe-test", "yzth", "Stripe Test")
        };
        Ok(Self {
            key: PlatformKey::from_static(key),
            aliases: vec![PlatformKey::from_static(alias)],
            name,
            flow,
            client,
        })
    }
}

#[async_trait]
impl Platform for StripePlatform {
    fn key(&self) -> &PlatformKey {
        &self.key
    }

    fn aliases(&self) -> &[PlatformKey] {
        &self.aliases
    }

    fn name(&self) -> &str {
        self.name
    }

    fn supports(&self) -> &[commerce::DataType] {
        SUPPORTED
    }

    async fn begin_link(&self, request: LinkRequest) -> Result<LinkStart, PlatformError> {
        let integration = self.flow.integration();
        let mut url = integration.connect_base().clone();
        url.set_path("/oauth/authorize");
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", integration.client_id())
            .append_pair("scope", integration.scope().as_str())
            .append_pair("state", &request.state)
            .append_pair("redirect_uri", &request.redirect_uri);
        Ok(LinkStart {
            authorize_url: url.to_string(),
        })
    }

    async fn complete_link(&self, callback: LinkCallback) -> Result<LinkedAccount, PlatformError> {
        if let Some(error) = callback.param("error") {
            let description = callback.param("error_description").unwrap_or_default();
            return Err(PlatformError::LinkFailed {
                reason: format!("{error}: {description}"),
            });
        }
        let code = callback
            .param("code")
            .ok_or_else(|| PlatformError::LinkFailed {
                reason: "the callback has neither `code` nor `error`".to_owned(),
            })?;
        let account = self
            .flow
            .exchange_code(&SecretString::from(code.to_owned()))
            .await
            .map_err(|err| PlatformError::LinkFailed {
                reason: err.to_string(),
            })?;
        Ok(LinkedAccount {
            external_id: account.stripe_user_id().to_owned(),
            livemode: account.livemode(),
            scope: account.scope().map(str::to_owned),
            // Reads use the platform key with `Stripe-Account`; the account's own tokens are not kept.
            access_token: None,
            refresh_token: None,
            metadata: BTreeMap::new(),
        })
    }

    async fn unlink(&self, account: &LinkedAccount) -> Result<(), PlatformError> {
        self.flow
            .deauthorize(&account.external_id)
            .await
            .map(|_| ())
            .map_err(|err| PlatformError::Internal {
                message: format!("deauthorizing {}: {err}", account.external_id),
                source: None,
            })
    }

    fn pull<'a>(
        &'a self,
        account: &'a LinkedAccount,
        data_type: commerce::DataType,
        cursor: Option<Cursor>,
    ) -> BoxStream<'a, Result<Batch, PlatformError>> {
        if !SUPPORTED.contains(&data_type) {
            return stream::iter([Err(PlatformError::NotSupported { data_type })]).boxed();
        }
        let start = match cursor.as_ref().map(Cursor::as_str) {
            None | Some(COMPLETE) => Ok(Position {
                phase: 0,
                after: None,
            }),
            Some(text) => Position::parse(text, phases(data_type).len()),
        };
        let merchant = self
            .client
            .on_behalf_of(&account.external_id)
            .map_err(stripe_error);
        let first = match (start, merchant) {
            (Ok(position), Ok(merchant)) => Step::Next {
                merchant,
                position,
                fetched: 0,
            },
            (Err(err), _) | (_, Err(err)) => Step::Failed(err),
        };
        stream::unfold(first, move |step| async move {
            match step {
                Step::Done => None,
                Step::Failed(err) => Some((Err(err), Step::Done)),
                Step::Next {
                    merchant,
                    position,
                    fetched,
                } => match pull_page(&merchant, data_type, &position, fetched).await {
                    Ok((batch, next)) => {
                        let step = match next {
                            Some(position) => Step::Next {
                                merchant,
                                position,
                                fetched: batch.progress.fetched,
                            },
                            None => Step::Done,
                        };
                        Some((Ok(batch), step))
                    }
                    Err(err) => Some((Err(err), Step::Done)),
                },
            }
        })
        .boxed()
    }
}

enum Step {
    Next {
        merchant: StripeClient,
        position: Position,
        fetched: u64,
    },
    Failed(PlatformError),
    Done,
}

/// Where a pull is: which list endpoint, and after which object.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Position {
    phase: usize,
    after: Option<String>,
}

impl Position {
    fn parse(text: &str, n_phases: usize) -> Result<Position, PlatformError> {
        let expired = || PlatformError::CursorExpired {
            reason: format!("`{text}` is not a stripe pull cursor"),
        };
        let (phase, after) = text.split_once(':').ok_or_else(expired)?;
        let phase: usize = phase.parse().map_err(|_| expired())?;
        if phase >= n_phases {
            return Err(expired());
        }
        Ok(Position {
            phase,
            after: (!after.is_empty()).then(|| after.to_owned()),
        })
    }

    fn cursor(&self) -> Cursor {
        Cursor::new(format!(
            "{}:{}",
            self.phase,
            self.after.as_deref().unwrap_or_default()
        ))
    }
}

/// The list endpoints of a data type, pulled in this order.
fn phases(data_type: commerce::DataType) -> &'static [&'static str] {
    match data_type {
        commerce::DataType::CompanyInfo => &["/v1/account"],
        commerce::DataType::Customers => &["/v1/customers"],
        commerce::DataType::Disputes => &["/v1/disputes"],
        commerce::DataType::Payments => &["/v1/charges", "/v1/refunds", "/v1/payment_intents"],
        commerce::DataType::Products => &["/v1/products"],
        _ => &["/v1/balance_transactions"],
    }
}

/// What one page gave.
#[derive(Default)]
struct Mapping {
    records: Vec<Record>,
    deleted_ids: Vec<String>,
    issues: Vec<RecordIssue>,
}

impl Mapping {
    fn push<T: commerce::CommerceRecord>(&mut self, id: &str, mapped: Result<Mapped<T>, MapError>) {
        match mapped
            .map_err(|err| err.to_string())
            .and_then(|mapped| match mapped {
                Mapped::Record(record) => Record::new(&record)
                    .map(Some)
                    .map_err(|err| err.to_string()),
                Mapped::Deleted(deletion) => {
                    self.deleted_ids.push(deletion.id);
                    Ok(None)
                }
            }) {
            Ok(Some(record)) => self.records.push(record),
            Ok(None) => {}
            Err(message) => self.issues.push(RecordIssue {
                id: (!id.is_empty()).then(|| id.to_owned()),
                message,
            }),
        }
    }
}

/// Fetches and maps one page; answers the batch and the next position (`None` after the last).
async fn pull_page(
    merchant: &StripeClient,
    data_type: commerce::DataType,
    position: &Position,
    fetched_before: u64,
) -> Result<(Batch, Option<Position>), PlatformError> {
    let path = phases(data_type)[position.phase.min(phases(data_type).len() - 1)];
    let params = ListParams::new().with_cursor(position.after.clone());
    let mut mapping = Mapping::default();
    let (n_objects, has_more, cursor) = match path {
        "/v1/account" => {
            let account: stripe::Account = merchant
                .get("/v1/account", &[])
                .await
                .map_err(stripe_error)?;
            let balance: stripe::Balance = merchant
                .get("/v1/balance", &[])
                .await
                .map_err(stripe_error)?;
            // The connection's one company-info record is stored under a fixed id, so a deleted
            // account deletes that id rather than the account's.
            let mapped = crate::map_account(&account, Some(&balance)).map(|mapped| match mapped {
                Mapped::Deleted(_) => Mapped::Deleted(crate::mapped::Deletion {
                    id: commerce::COMPANY_INFO_RECORD_ID.to_owned(),
                }),
                record => record,
            });
            mapping.push(&account.id, mapped);
            (1, false, None)
        }
        "/v1/customers" => {
            let page = list::<stripe::Customer>(merchant, path, &params).await?;
            for customer in &page.data {
                mapping.push(&customer.id, crate::map_customer(customer));
            }
            (page.data.len(), page.has_more, page.cursor)
        }
        "/v1/disputes" => {
            let page = list::<stripe::Dispute>(merchant, path, &params).await?;
            for dispute in &page.data {
                mapping.push(&dispute.id, crate::map_dispute(dispute).map(Mapped::Record));
            }
            (page.data.len(), page.has_more, page.cursor)
        }
        "/v1/charges" => {
            let page = list::<stripe::Charge>(merchant, path, &params).await?;
            for charge in &page.data {
                mapping.push(&charge.id, crate::map_charge(charge).map(Mapped::Record));
            }
            (page.data.len(), page.has_more, page.cursor)
        }
        "/v1/refunds" => {
            let page = list::<stripe::Refund>(merchant, path, &params).await?;
            for refund in &page.data {
                mapping.push(&refund.id, crate::map_refund(refund).map(Mapped::Record));
            }
            (page.data.len(), page.has_more, page.cursor)
        }
        "/v1/payment_intents" => {
            let page = list::<stripe::PaymentIntent>(merchant, path, &params).await?;
            for intent in &page.data {
                match crate::map_payment_intent(intent) {
                    Ok(None) => {}
                    Ok(Some(payment)) => mapping.push(&intent.id, Ok(Mapped::Record(payment))),
                    Err(err) => mapping.push::<commerce::Payment>(&intent.id, Err(err)),
                }
            }
            (page.data.len(), page.has_more, page.cursor)
        }
        "/v1/products" => {
            let page = list::<stripe::Product>(merchant, path, &params).await?;
            for product in &page.data {
                let prices = product_prices(merchant, &product.id).await?;
                mapping.push(&product.id, crate::map_product(product, &prices));
            }
            (page.data.len(), page.has_more, page.cursor)
        }
        _ => {
            let page = list::<stripe::BalanceTransaction>(merchant, path, &params).await?;
            for txn in &page.data {
                match crate::map_balance_transaction(txn) {
                    Ok(rows) => {
                        for row in rows {
                            mapping.push(&txn.id, Ok(Mapped::Record(row)));
                        }
                    }
                    Err(err) => mapping.push::<commerce::Transaction>(&txn.id, Err(err)),
                }
            }
            (page.data.len(), page.has_more, page.cursor)
        }
    };
    let next = if has_more && n_objects > 0 {
        Some(Position {
            phase: position.phase,
            after: cursor,
        })
    } else if position.phase + 1 < phases(data_type).len() {
        Some(Position {
            phase: position.phase + 1,
            after: None,
        })
    } else {
        None
    };
    let fetched = fetched_before + n_objects as u64;
    let batch = Batch {
        data_type,
        records: mapping.records,
        deleted_ids: mapping.deleted_ids,
        issues: mapping.issues,
        cursor: next
            .as_ref()
            .map_or_else(|| Cursor::new(COMPLETE), Position::cursor),
        incremental: false,
        complete: next.is_none(),
        progress: Progress {
            fetched,
            estimated_total: None,
        },
    };
    Ok((batch, next))
}

async fn list<T: DeserializeOwned + stripe::HasId>(
    merchant: &StripeClient,
    path: &str,
    params: &ListParams,
) -> Result<stripe_client::Page<T>, PlatformError> {
    merchant.list_page(path, params).await.map_err(stripe_error)
}

/// Every price of a product, active and inactive (`GET /v1/prices?product=...`, all pages).
async fn product_prices(
    merchant: &StripeClient,
    product_id: &str,
) -> Result<Vec<stripe::Price>, PlatformError> {
    let params = ListParams::new().filter("product", product_id);
    let pages: Vec<Result<stripe_client::Page<stripe::Price>, StripeError>> =
        merchant.list("/v1/prices", params).collect().await;
    let mut prices = Vec::new();
    for page in pages {
        prices.extend(page.map_err(stripe_error)?.data);
    }
    Ok(prices)
}

/// What the sync engine must do about a Stripe failure.
fn stripe_error(err: StripeError) -> PlatformError {
    if err.is_access_revoked() {
        return PlatformError::RelinkNeeded {
            reason: err.to_string(),
        };
    }
    if err.is_retryable() {
        let kind = if err.status() == Some(429) {
            RetryKind::RateLimited
        } else {
            RetryKind::Unavailable
        };
        return PlatformError::RetryLater {
            kind,
            retry_after: None,
            message: err.to_string(),
            source: Some(Box::new(err)),
        };
    }
    if err.status() == Some(403) {
        return PlatformError::PermissionDenied {
            message: err.to_string(),
        };
    }
    PlatformError::Internal {
        message: err.to_string(),
        source: Some(Box::new(err)),
    }
}
