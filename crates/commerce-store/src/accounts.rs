//! Linked accounts as a whole (connection facts, metadata and decrypted tokens), and credential
//! refreshes serialized per connection across processes.
//!
//! A refresh is claimed ([`Store::claim_credentials_refresh`]: one holder at a time, until its
//! claim expires), then completed ([`Store::complete_credentials_refresh`]: the new credentials
//! are stored and the claim dropped in one statement, only by the holder) or released
//! ([`Store::release_credentials_refresh`]). Every stored change of the credentials bumps their
//! version, so a process that waited for another's refresh sees it happened and reads the new
//! credentials instead of refreshing with a rotated-away refresh token.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use commerce_model::platform::LinkedAccount;
use uuid::Uuid;

use crate::companies::{credentials_of, metadata_json};
use crate::crypto::{ACCESS_TOKEN, REFRESH_TOKEN};
use crate::error::StoreError;
use crate::store::{in_transaction, now, with_pool, Store};
use crate::types::{RefreshClaim, StoredAccount};

#[derive(sqlx::FromRow)]
struct AccountRow {
    external_account_id: Option<String>,
    livemode: Option<bool>,
    scope: Option<String>,
    account_metadata: Option<String>,
    access_token: Option<Vec<u8>>,
    refresh_token: Option<Vec<u8>>,
    expires_at: Option<DateTime<Utc>>,
    version: Option<i64>,
}

impl Store {
    /// A connection's linked account as a whole: what the platform returned when it was
    /// linked (or last refreshed), metadata included, tokens decrypted. `None` when the
    /// connection was never linked.
    pub async fn linked_account(
        &self,
        connection_id: Uuid,
    ) -> Result<Option<StoredAccount>, StoreError> {
        let row: Option<AccountRow> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT c.external_account_id, c.livemode, c.scope, c.account_metadata, \
                 cr.access_token, cr.refresh_token, cr.expires_at, cr.version \
                 FROM connections c LEFT JOIN credentials cr ON cr.connection_id = c.id \
                 WHERE c.id = $1",
            )
            .bind(connection_id)
            .fetch_optional(pool)
            .await?
        });
        let row = row.ok_or_else(|| StoreError::not_found("connection", connection_id))?;
        let Some(external_id) = row.external_account_id else {
            return Ok(None);
        };
        let metadata: BTreeMap<String, String> = match &row.account_metadata {
            Some(text) => serde_json::from_str(text).map_err(|_| StoreError::CorruptValue {
                column: "connections.account_metadata",
                value: text.clone(),
            })?,
            None => BTreeMap::new(),
        };
        let access_token = row
            .access_token
            .map(|sealed| self.key.decrypt(&sealed, connection_id, ACCESS_TOKEN))
            .transpose()?;
        let refresh_token = row
            .refresh_token
            .map(|sealed| self.key.decrypt(&sealed, connection_id, REFRESH_TOKEN))
            .transpose()?;
        let mut account = LinkedAccount::new(external_id, row.livemode.unwrap_or(false));
        account.scope = row.scope;
        account.access_token = access_token;
        account.refresh_token = refresh_token;
        account.access_expires_at = row.expires_at;
        account.metadata = metadata;
        Ok(Some(StoredAccount {
            account,
            credentials_version: row.version.unwrap_or(0),
        }))
    }

    /// Claims the right to refresh a connection's credentials for `hold` (renewable by
    /// claiming again). Only one owner holds it at a time; an expired claim may be taken over.
    pub async fn claim_credentials_refresh(
        &self,
        connection_id: Uuid,
        owner: &str,
        hold: Duration,
    ) -> Result<RefreshClaim, StoreError> {
        let current = now();
        let until = current + chrono::Duration::from_std(hold).unwrap_or(chrono::Duration::zero());
        let version: Option<i64> = with_pool!(self, pool => {
            sqlx::query_scalar(
                "UPDATE credentials SET refresh_owner = $2, refresh_until = $3 \
                 WHERE connection_id = $1 \
                 AND (refresh_owner IS NULL OR refresh_owner = $2 OR refresh_until <= $4) \
                 RETURNING version",
            )
            .bind(connection_id)
            .bind(owner)
            .bind(until)
            .bind(current)
            .fetch_optional(pool)
            .await?
        });
        if let Some(version) = version {
            return Ok(RefreshClaim::Claimed {
                credentials_version: version,
            });
        }
        let exists: i64 = with_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM credentials WHERE connection_id = $1")
                .bind(connection_id)
                .fetch_one(pool)
                .await?
        });
        Ok(if exists == 0 {
            RefreshClaim::NoCredentials
        } else {
            RefreshClaim::Busy
        })
    }

    /// Stores refreshed credentials (and the account's scope and metadata) and drops the claim,
    /// in one transaction, if `owner` still holds it; returns the new credentials version.
    /// A claim lost meanwhile is [`StoreError::RefreshClaimLost`] and stores nothing.
    pub async fn complete_credentials_refresh(
        &self,
        connection_id: Uuid,
        owner: &str,
        account: &LinkedAccount,
    ) -> Result<i64, StoreError> {
        let credentials = credentials_of(account).ok_or_else(|| StoreError::CorruptValue {
            column: "credentials.access_token",
            value: "a refreshed account without any token".to_owned(),
        })?;
        let sealed = self.seal(connection_id, &credentials)?;
        let metadata = metadata_json(account)?;
        let updated = now();
        in_transaction!(self, tx => {
            let version: Option<i64> = sqlx::query_scalar(
                "UPDATE credentials SET access_token = $3, refresh_token = $4, expires_at = $5, \
                 updated_at = $6, version = version + 1, refresh_owner = NULL, refresh_until = NULL \
                 WHERE connection_id = $1 AND refresh_owner = $2 RETURNING version",
            )
            .bind(connection_id)
            .bind(owner)
            .bind(&sealed.access_token)
            .bind(&sealed.refresh_token)
            .bind(sealed.expires_at)
            .bind(updated)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(version) = version else {
                return Err(StoreError::RefreshClaimLost {
                    connection_id,
                    owner: owner.to_owned(),
                });
            };
            sqlx::query(
                "UPDATE connections SET scope = $2, account_metadata = $3, updated_at = $4 \
                 WHERE id = $1",
            )
            .bind(connection_id)
            .bind(&account.scope)
            .bind(&metadata)
            .bind(updated)
            .execute(&mut *tx)
            .await?;
            Ok(version)
        })
    }

    /// Drops `owner`'s refresh claim without storing anything (the refresh failed).
    pub async fn release_credentials_refresh(
        &self,
        connection_id: Uuid,
        owner: &str,
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query(
                "UPDATE credentials SET refresh_owner = NULL, refresh_until = NULL \
                 WHERE connection_id = $1 AND refresh_owner = $2",
            )
            .bind(connection_id)
            .bind(owner)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
