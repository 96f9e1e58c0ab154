//! The client's own settings, as Codat's Platform API keeps them: API keys made through the
//! API (stored as SHA-256 hashes only), the profile (name, redirect URL), sync settings (the
//! profile's and a company's own) and company tags.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::StoreError;
use crate::store::{now, with_pool, Store};

/// An API key made through the API. The key itself is never stored: only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredApiKey {
    /// Identifier.
    pub id: Uuid,
    /// The name given when it was made.
    pub name: Option<String>,
    /// When it was made.
    pub created: DateTime<Utc>,
}

/// The profile (Codat's `Profile`): the name of this instance and where the link flow sends
/// merchants at the end when their company has no redirect of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Profile {
    /// The instance's name.
    pub name: String,
    /// The redirect URL (`{companyId}` is replaced by the company's id).
    pub redirect_url: String,
}

impl Profile {
    /// A profile with `name` and `redirect_url`.
    pub fn new(name: impl Into<String>, redirect_url: impl Into<String>) -> Profile {
        Profile {
            name: name.into(),
            redirect_url: redirect_url.into(),
        }
    }
}

/// One data type's sync setting (Codat's `SyncSetting`), in Codat's JSON shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SyncSetting {
    /// The data type key (`commerce-payments`).
    pub data_type: String,
    /// Whether the data type is queued when a connection is linked.
    pub fetch_on_first_link: bool,
    /// Hours between pulls.
    pub sync_schedule: u32,
    /// The order in which data types are queued (lowest first).
    pub sync_order: i32,
    /// Fetch data from this date (kept; pulls are not limited by it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_from_utc: Option<String>,
    /// Months of data to fetch (kept; pulls are not limited by it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_from_window: Option<i32>,
    /// Months of report data (kept; no commerce data type uses it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months_to_sync: Option<i32>,
    /// Whether the setting is locked.
    #[serde(default)]
    pub is_locked: bool,
}

impl SyncSetting {
    /// A setting for `data_type`: fetched on first link, every `sync_schedule` hours.
    pub fn new(data_type: impl Into<String>, sync_schedule: u32) -> SyncSetting {
        SyncSetting {
            data_type: data_type.into(),
            fetch_on_first_link: true,
            sync_schedule,
            sync_order: 0,
            sync_from_utc: None,
            sync_from_window: None,
            months_to_sync: None,
            is_locked: false,
        }
    }
}

/// A stored list of sync settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncSettings {
    /// One entry per data type set.
    pub settings: Vec<SyncSetting>,
    /// Codat's `overridesDefaults`.
    pub overrides_defaults: bool,
}

impl SyncSettings {
    /// Settings as given.
    pub fn new(settings: Vec<SyncSetting>, overrides_defaults: bool) -> SyncSettings {
        SyncSettings {
            settings,
            overrides_defaults,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ApiKeyRow {
    id: Uuid,
    name: Option<String>,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    settings: String,
    overrides_defaults: bool,
}

fn parse_settings(row: SettingsRow) -> Result<SyncSettings, StoreError> {
    let settings = serde_json::from_str(&row.settings).map_err(|_| StoreError::CorruptValue {
        column: "sync_settings.settings",
        value: row.settings.clone(),
    })?;
    Ok(SyncSettings {
        settings,
        overrides_defaults: row.overrides_defaults,
    })
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|error| StoreError::InvalidRecord {
        id: "settings".to_owned(),
        reason: error.to_string(),
    })
}

impl Store {
    /// Stores an API key by its SHA-256 (`key_hash`).
    pub async fn create_api_key(
        &self,
        name: Option<&str>,
        key_hash: &[u8; 32],
    ) -> Result<StoredApiKey, StoreError> {
        let id = Uuid::new_v4();
        let created = now();
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO api_keys (id, name, key_hash, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(name)
            .bind(key_hash.as_slice())
            .bind(created)
            .execute(pool)
            .await?;
        });
        Ok(StoredApiKey {
            id,
            name: name.map(str::to_owned),
            created,
        })
    }

    /// The API keys made through the API, oldest first.
    pub async fn list_api_keys(&self) -> Result<Vec<StoredApiKey>, StoreError> {
        let rows: Vec<ApiKeyRow> = with_pool!(self, pool => {
            sqlx::query_as("SELECT id, name, created_at FROM api_keys ORDER BY created_at, id")
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|row| StoredApiKey {
                id: row.id,
                name: row.name,
                created: row.created_at,
            })
            .collect())
    }

    /// Whether a stored API key has this SHA-256.
    pub async fn api_key_exists(&self, key_hash: &[u8; 32]) -> Result<bool, StoreError> {
        let found: i64 = with_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE key_hash = $1")
                .bind(key_hash.as_slice())
                .fetch_one(pool)
                .await?
        });
        Ok(found > 0)
    }

    /// Deletes a stored API key; it stops authenticating at once.
    pub async fn delete_api_key(&self, id: Uuid) -> Result<(), StoreError> {
        let affected = with_pool!(self, pool => {
            sqlx::query("DELETE FROM api_keys WHERE id = $1").bind(id).execute(pool).await?.rows_affected()
        });
        if affected == 0 {
            return Err(StoreError::not_found("api key", id));
        }
        Ok(())
    }

    /// The stored profile, if one was set.
    pub async fn get_profile(&self) -> Result<Option<Profile>, StoreError> {
        let row: Option<(String, String)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT name, redirect_url FROM profile WHERE id = 1")
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(name, redirect_url)| Profile { name, redirect_url }))
    }

    /// Replaces the profile.
    pub async fn set_profile(&self, profile: &Profile) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO profile (id, name, redirect_url, updated_at) VALUES (1, $1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET name = $1, redirect_url = $2, updated_at = $3",
            )
            .bind(&profile.name)
            .bind(&profile.redirect_url)
            .bind(now())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The profile's sync settings, if they were set.
    pub async fn profile_sync_settings(&self) -> Result<Option<SyncSettings>, StoreError> {
        let row: Option<SettingsRow> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT settings, overrides_defaults FROM profile_sync_settings WHERE id = 1",
            )
            .fetch_optional(pool)
            .await?
        });
        row.map(parse_settings).transpose()
    }

    /// Replaces the profile's sync settings.
    pub async fn set_profile_sync_settings(
        &self,
        settings: &SyncSettings,
    ) -> Result<(), StoreError> {
        let json = to_json(&settings.settings)?;
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO profile_sync_settings (id, settings, overrides_defaults, updated_at) \
                 VALUES (1, $1, $2, $3) ON CONFLICT (id) DO UPDATE \
                 SET settings = $1, overrides_defaults = $2, updated_at = $3",
            )
            .bind(&json)
            .bind(settings.overrides_defaults)
            .bind(now())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// A company's own sync settings, if it has any.
    pub async fn company_sync_settings(
        &self,
        company_id: Uuid,
    ) -> Result<Option<SyncSettings>, StoreError> {
        let row: Option<SettingsRow> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT settings, overrides_defaults FROM company_sync_settings WHERE company_id = $1",
            )
            .bind(company_id)
            .fetch_optional(pool)
            .await?
        });
        row.map(parse_settings).transpose()
    }

    /// Replaces a company's own sync settings.
    pub async fn set_company_sync_settings(
        &self,
        company_id: Uuid,
        settings: &SyncSettings,
    ) -> Result<(), StoreError> {
        let json = to_json(&settings.settings)?;
        let result = with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO company_sync_settings (company_id, settings, overrides_defaults, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (company_id) DO UPDATE \
                 SET settings = $2, overrides_defaults = $3, updated_at = $4",
            )
            .bind(company_id)
            .bind(&json)
            .bind(settings.overrides_defaults)
            .bind(now())
            .execute(pool)
            .await
            .map(|_| ())
        });
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(error)) if error.is_foreign_key_violation() => {
                Err(StoreError::not_found("company", company_id))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// A company's tags (empty when none were set).
    pub async fn company_tags(
        &self,
        company_id: Uuid,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        let row: Option<String> = with_pool!(self, pool => {
            sqlx::query_scalar("SELECT tags FROM company_tags WHERE company_id = $1")
                .bind(company_id)
                .fetch_optional(pool)
                .await?
        });
        match row {
            Some(text) => serde_json::from_str(&text).map_err(|_| StoreError::CorruptValue {
                column: "company_tags.tags",
                value: text,
            }),
            None => Ok(BTreeMap::new()),
        }
    }

    /// Replaces a company's tags.
    pub async fn set_company_tags(
        &self,
        company_id: Uuid,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), StoreError> {
        let json = to_json(tags)?;
        let result = with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO company_tags (company_id, tags) VALUES ($1, $2) \
                 ON CONFLICT (company_id) DO UPDATE SET tags = $2",
            )
            .bind(company_id)
            .bind(&json)
            .execute(pool)
            .await
            .map(|_| ())
        });
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(error)) if error.is_foreign_key_violation() => {
                Err(StoreError::not_found("company", company_id))
            }
            Err(error) => Err(error.into()),
        }
    }
}
