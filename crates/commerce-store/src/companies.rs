//! Companies and their connections, credentials and link states.
//!
//! Credentials are encrypted here before they reach SQL and decrypted after; plaintext
//! tokens never go to the database or to a log.

use chrono::{DateTime, Utc};
use secrecy::ExposeSecret as _;
use uuid::Uuid;

use commerce_model::DataType;

use crate::convert::{to_i64, to_u64};
use crate::crypto::{ACCESS_TOKEN, REFRESH_TOKEN};
use crate::datasets::{status_columns, StatusRow};
use crate::error::StoreError;
use crate::store::{in_transaction, now, truncate, with_pool, Store};
use crate::types::{
    Company, Connection, ConnectionStatus, Credentials, DataTypeStatus, NewCompany,
};
use commerce_model::platform::LinkedAccount;

#[derive(sqlx::FromRow)]
struct CompanyRow {
    id: Uuid,
    name: String,
    description: Option<String>,
    redirect: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<CompanyRow> for Company {
    fn from(row: CompanyRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            description: row.description,
            redirect: row.redirect,
            created: row.created_at,
            updated: row.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ConnectionRow {
    id: Uuid,
    company_id: Uuid,
    platform_key: String,
    status: String,
    external_account_id: Option<String>,
    livemode: Option<bool>,
    scope: Option<String>,
    last_error: Option<String>,
    last_error_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ConnectionStatusRow {
    #[sqlx(flatten)]
    connection: ConnectionRow,
    #[sqlx(flatten)]
    status: StatusRow,
}

impl TryFrom<ConnectionRow> for Connection {
    type Error = StoreError;

    fn try_from(row: ConnectionRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            company_id: row.company_id,
            platform_key: row.platform_key,
            status: crate::types::parse_connection_status(&row.status)?,
            external_account_id: row.external_account_id,
            livemode: row.livemode,
            scope: row.scope,
            last_error: row.last_error,
            last_error_at: row.last_error_at,
            created: row.created_at,
            updated: row.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CredentialsRow {
    pub(crate) access_token: Vec<u8>,
    pub(crate) refresh_token: Option<Vec<u8>>,
    pub(crate) expires_at: Option<DateTime<Utc>>,
}

const COMPANY_COLUMNS: &str = "id, name, description, redirect, created_at, updated_at";
const CONNECTION_COLUMNS: &str = "id, company_id, platform_key, status, external_account_id, \
     livemode, scope, last_error, last_error_at, created_at, updated_at";

impl Store {
    /// Creates a company.
    pub async fn create_company(&self, company: &NewCompany) -> Result<Company, StoreError> {
        let id = Uuid::new_v4();
        let created = now();
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO companies (id, name, description, redirect, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(id)
            .bind(&company.name)
            .bind(&company.description)
            .bind(&company.redirect)
            .bind(created)
            .execute(pool)
            .await?;
        });
        Ok(Company {
            id,
            name: company.name.clone(),
            description: company.description.clone(),
            redirect: company.redirect.clone(),
            created,
            updated: created,
        })
    }

    /// One company.
    pub async fn get_company(&self, id: Uuid) -> Result<Company, StoreError> {
        let sql = format!("SELECT {COMPANY_COLUMNS} FROM companies WHERE id = $1");
        let row: Option<CompanyRow> = with_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        row.map(Company::from)
            .ok_or_else(|| StoreError::not_found("company", id))
    }

    /// Companies, oldest first, `limit` from `offset`, and the total count.
    pub async fn list_companies(
        &self,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<Company>, u64), StoreError> {
        let sql = format!(
            "SELECT {COMPANY_COLUMNS} FROM companies ORDER BY created_at, id LIMIT $1 OFFSET $2"
        );
        let (rows, total): (Vec<CompanyRow>, i64) = with_pool!(self, pool => {
            let rows = sqlx::query_as(&sql)
                .bind(to_i64(limit))
                .bind(to_i64(offset))
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM companies")
                .fetch_one(pool)
                .await?;
            (rows, total)
        });
        Ok((rows.into_iter().map(Company::from).collect(), to_u64(total)))
    }

    /// Replaces a company's name, description and redirect.
    pub async fn update_company(
        &self,
        id: Uuid,
        company: &NewCompany,
    ) -> Result<Company, StoreError> {
        let updated = now();
        let sql = format!(
            "UPDATE companies SET name = $2, description = $3, redirect = $4, updated_at = $5 \
             WHERE id = $1 RETURNING {COMPANY_COLUMNS}"
        );
        let row: Option<CompanyRow> = with_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(id)
                .bind(&company.name)
                .bind(&company.description)
                .bind(&company.redirect)
                .bind(updated)
                .fetch_optional(pool)
                .await?
        });
        row.map(Company::from)
            .ok_or_else(|| StoreError::not_found("company", id))
    }

    /// Deletes a company with its connections, credentials, records, datasets and cursors.
    pub async fn delete_company(&self, id: Uuid) -> Result<(), StoreError> {
        let affected = with_pool!(self, pool => {
            sqlx::query("DELETE FROM companies WHERE id = $1").bind(id).execute(pool).await?.rows_affected()
        });
        if affected == 0 {
            return Err(StoreError::not_found("company", id));
        }
        Ok(())
    }

    /// Creates a connection in `PendingAuth` for a company.
    pub async fn create_connection(
        &self,
        company_id: Uuid,
        platform_key: &str,
    ) -> Result<Connection, StoreError> {
        let id = Uuid::new_v4();
        let created = now();
        // Check the company inside the insert so a missing company is NotFound, not a
        // foreign key violation.
        let affected = with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO connections (id, company_id, platform_key, status, created_at, updated_at) \
                 SELECT $1, id, $3, $4, $5, $5 FROM companies WHERE id = $2",
            )
            .bind(id)
            .bind(company_id)
            .bind(platform_key)
            .bind(ConnectionStatus::PendingAuth.as_str())
            .bind(created)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if affected == 0 {
            return Err(StoreError::not_found("company", company_id));
        }
        Ok(Connection {
            id,
            company_id,
            platform_key: platform_key.to_owned(),
            status: ConnectionStatus::PendingAuth,
            external_account_id: None,
            livemode: None,
            scope: None,
            last_error: None,
            last_error_at: None,
            created,
            updated: created,
        })
    }

    /// One connection.
    pub async fn get_connection(&self, id: Uuid) -> Result<Connection, StoreError> {
        let sql = format!("SELECT {CONNECTION_COLUMNS} FROM connections WHERE id = $1");
        let row: Option<ConnectionRow> = with_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        row.ok_or_else(|| StoreError::not_found("connection", id))?
            .try_into()
    }

    /// A company's connection and the status of one of its data types, in one statement: what
    /// every data read checks first. A connection of another company is `NotFound`, as a
    /// missing one is (so is any connection of a missing company).
    pub async fn connection_and_status(
        &self,
        company_id: Uuid,
        connection_id: Uuid,
        data_type: DataType,
    ) -> Result<(Connection, Option<DataTypeStatus>), StoreError> {
        let sql = format!(
            "SELECT {CONNECTION_COLUMNS}, {} FROM connections c WHERE c.id = $1 AND c.company_id = $2",
            status_columns("c.id", "$3")
        );
        let row: Option<ConnectionStatusRow> = with_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(connection_id)
                .bind(company_id)
                .bind(data_type.key())
                .fetch_optional(pool)
                .await?
        });
        let row = row.ok_or_else(|| StoreError::not_found("connection", connection_id))?;
        Ok((
            row.connection.try_into()?,
            row.status.into_status(data_type)?,
        ))
    }

    /// A company's connections, oldest first.
    pub async fn list_connections(&self, company_id: Uuid) -> Result<Vec<Connection>, StoreError> {
        let sql = format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections WHERE company_id = $1 ORDER BY created_at, id"
        );
        let rows: Vec<ConnectionRow> = with_pool!(self, pool => {
            sqlx::query_as(&sql).bind(company_id).fetch_all(pool).await?
        });
        rows.into_iter().map(Connection::try_from).collect()
    }

    /// Connections in a status (e.g. every `Linked` one, for the scheduler), oldest first.
    pub async fn list_connections_by_status(
        &self,
        status: ConnectionStatus,
    ) -> Result<Vec<Connection>, StoreError> {
        let sql = format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections WHERE status = $1 ORDER BY created_at, id"
        );
        let rows: Vec<ConnectionRow> = with_pool!(self, pool => {
            sqlx::query_as(&sql).bind(status.as_str()).fetch_all(pool).await?
        });
        rows.into_iter().map(Connection::try_from).collect()
    }

    /// The connections linked to an account at a platform (e.g. to handle Stripe's
    /// `account.application.deauthorized` webhook).
    pub async fn find_connections_by_account(
        &self,
        platform_key: &str,
        external_account_id: &str,
    ) -> Result<Vec<Connection>, StoreError> {
        let sql = format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections \
             WHERE platform_key = $1 AND external_account_id = $2 ORDER BY created_at, id"
        );
        let rows: Vec<ConnectionRow> = with_pool!(self, pool => {
            sqlx::query_as(&sql).bind(platform_key).bind(external_account_id).fetch_all(pool).await?
        });
        rows.into_iter().map(Connection::try_from).collect()
    }

    /// Completes a link: stores the whole linked account (its tokens encrypted, its metadata
    /// as JSON) and sets the connection `Linked` (clearing its last error), in one transaction.
    /// Re-linking a `Deauthorized` or `Unlinked` connection is allowed. An account without any
    /// token leaves the connection without credentials.
    pub async fn link_connection(
        &self,
        id: Uuid,
        account: &LinkedAccount,
    ) -> Result<Connection, StoreError> {
        let credentials = credentials_of(account);
        let sealed = credentials
            .as_ref()
            .map(|credentials| self.seal(id, credentials))
            .transpose()?;
        let metadata = metadata_json(account)?;
        let updated = now();
        let sql = format!(
            "UPDATE connections SET status = $2, external_account_id = $3, livemode = $4, scope = $5, \
             last_error = NULL, last_error_at = NULL, updated_at = $6, account_metadata = $7 \
             WHERE id = $1 RETURNING {CONNECTION_COLUMNS}"
        );
        let row: ConnectionRow = in_transaction!(self, tx => {
            let row: Option<ConnectionRow> = sqlx::query_as(&sql)
                .bind(id)
                .bind(ConnectionStatus::Linked.as_str())
                .bind(&account.external_id)
                .bind(account.livemode)
                .bind(&account.scope)
                .bind(updated)
                .bind(&metadata)
                .fetch_optional(&mut *tx)
                .await?;
            let row = row.ok_or_else(|| StoreError::not_found("connection", id))?;
            match &sealed {
                Some(sealed) => {
                    sqlx::query(UPSERT_CREDENTIALS)
                        .bind(id)
                        .bind(&sealed.access_token)
                        .bind(&sealed.refresh_token)
                        .bind(sealed.expires_at)
                        .bind(updated)
                        .execute(&mut *tx)
                        .await?;
                }
                None => {
                    sqlx::query("DELETE FROM credentials WHERE connection_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            Ok(row)
        })?;
        row.try_into()
    }

    /// Sets a connection's status, recording `error` as its last error when given.
    /// `Unlinked` is only reachable from `Linked` (as in Codat); anything else is
    /// [`StoreError::InvalidTransition`]. Deauthorizing or unlinking deletes the stored
    /// credentials in the same transaction.
    pub async fn set_connection_status(
        &self,
        id: Uuid,
        status: ConnectionStatus,
        error: Option<&str>,
    ) -> Result<Connection, StoreError> {
        let updated = now();
        let sql = format!(
            "UPDATE connections SET status = $2, updated_at = $3, \
             last_error = COALESCE($4, last_error), \
             last_error_at = CASE WHEN $4 IS NULL THEN last_error_at ELSE $3 END \
             WHERE id = $1 AND ($2 <> 'Unlinked' OR status = 'Linked') \
             RETURNING {CONNECTION_COLUMNS}"
        );
        let drop_credentials = matches!(
            status,
            ConnectionStatus::Unlinked | ConnectionStatus::Deauthorized
        );
        let row: Option<ConnectionRow> = in_transaction!(self, tx => {
            let row: Option<ConnectionRow> = sqlx::query_as(&sql)
                .bind(id)
                .bind(status.as_str())
                .bind(updated)
                .bind(error)
                .fetch_optional(&mut *tx)
                .await?;
            if row.is_some() && drop_credentials {
                sqlx::query("DELETE FROM credentials WHERE connection_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            Ok(row)
        })?;
        match row {
            Some(row) => row.try_into(),
            None => {
                let current = self.get_connection(id).await?;
                Err(StoreError::InvalidTransition {
                    entity: "connection",
                    id: id.to_string(),
                    from: current.status.to_string(),
                    to: status.to_string(),
                })
            }
        }
    }

    /// Deletes a connection and everything stored for it.
    pub async fn delete_connection(&self, id: Uuid) -> Result<(), StoreError> {
        let affected = with_pool!(self, pool => {
            sqlx::query("DELETE FROM connections WHERE id = $1").bind(id).execute(pool).await?.rows_affected()
        });
        if affected == 0 {
            return Err(StoreError::not_found("connection", id));
        }
        Ok(())
    }

    /// Stores (replaces) a connection's credentials, encrypted.
    pub async fn put_credentials(
        &self,
        connection_id: Uuid,
        credentials: &Credentials,
    ) -> Result<(), StoreError> {
        let sealed = self.seal(connection_id, credentials)?;
        let updated = now();
        in_transaction!(self, tx => {
            let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM connections WHERE id = $1")
                .bind(connection_id)
                .fetch_one(&mut *tx)
                .await?;
            if exists == 0 {
                return Err(StoreError::not_found("connection", connection_id));
            }
            sqlx::query(UPSERT_CREDENTIALS)
                .bind(connection_id)
                .bind(&sealed.access_token)
                .bind(&sealed.refresh_token)
                .bind(sealed.expires_at)
                .bind(updated)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    }

    /// A connection's credentials, decrypted; `None` when none are stored.
    /// A wrong key or a tampered row is [`StoreError::Decryption`].
    pub async fn get_credentials(
        &self,
        connection_id: Uuid,
    ) -> Result<Option<Credentials>, StoreError> {
        let row: Option<CredentialsRow> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT access_token, refresh_token, expires_at FROM credentials WHERE connection_id = $1",
            )
            .bind(connection_id)
            .fetch_optional(pool)
            .await?
        });
        let Some(row) = row else { return Ok(None) };
        let access_token = self
            .key
            .decrypt(&row.access_token, connection_id, ACCESS_TOKEN)?;
        let refresh_token = row
            .refresh_token
            .map(|sealed| self.key.decrypt(&sealed, connection_id, REFRESH_TOKEN))
            .transpose()?;
        Ok(Some(Credentials {
            access_token,
            refresh_token,
            expires_at: row.expires_at,
        }))
    }

    /// Deletes a connection's credentials (no error when there were none).
    pub async fn delete_credentials(&self, connection_id: Uuid) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("DELETE FROM credentials WHERE connection_id = $1")
                .bind(connection_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Deletes expired link states; returns how many.
    pub async fn purge_expired_link_states(&self) -> Result<u64, StoreError> {
        let current = now();
        Ok(with_pool!(self, pool => {
            sqlx::query("DELETE FROM link_states WHERE expires_at <= $1")
                .bind(current)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    pub(crate) fn seal(
        &self,
        connection_id: Uuid,
        credentials: &Credentials,
    ) -> Result<Sealed, StoreError> {
        let access_token = self.key.encrypt(
            credentials.access_token.expose_secret(),
            connection_id,
            ACCESS_TOKEN,
        )?;
        let refresh_token = credentials
            .refresh_token
            .as_ref()
            .map(|token| {
                self.key
                    .encrypt(token.expose_secret(), connection_id, REFRESH_TOKEN)
            })
            .transpose()?;
        Ok(Sealed {
            access_token,
            refresh_token,
            expires_at: credentials.expires_at.map(truncate),
        })
    }
}

pub(crate) struct Sealed {
    pub(crate) access_token: Vec<u8>,
    pub(crate) refresh_token: Option<Vec<u8>>,
    pub(crate) expires_at: Option<DateTime<Utc>>,
}

pub(crate) const UPSERT_CREDENTIALS: &str = "INSERT INTO credentials \
     (connection_id, access_token, refresh_token, expires_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (connection_id) DO UPDATE SET \
     access_token = excluded.access_token, refresh_token = excluded.refresh_token, \
     expires_at = excluded.expires_at, updated_at = excluded.updated_at, \
     version = credentials.version + 1";

/// The tokens of an account as stored credentials; `None` when it has no token at all.
pub(crate) fn credentials_of(account: &LinkedAccount) -> Option<Credentials> {
    if account.access_token.is_none() && account.refresh_token.is_none() {
        return None;
    }
    Some(Credentials {
        access_token: account
            .access_token
            .clone()
            .unwrap_or_else(|| secrecy::SecretString::from(String::new())),
        refresh_token: account.refresh_token.clone(),
        expires_at: account.access_expires_at,
    })
}

/// An account's metadata as the JSON text stored with the connection (`None` when empty).
pub(crate) fn metadata_json(account: &LinkedAccount) -> Result<Option<String>, StoreError> {
    if account.metadata.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(&account.metadata)
        .map(Some)
        .map_err(|error| StoreError::CorruptValue {
            column: "connections.account_metadata",
            value: error.to_string(),
        })
}
