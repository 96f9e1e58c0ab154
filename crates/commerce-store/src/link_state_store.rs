//! `commerce_model::platform::LinkStateStore` on the database: link states are single use
//! (taking deletes), looked up by their SHA-256, and kept sealed (AES-256-GCM under the
//! store's key, bound to the connection) so that an unexpired one can be handed out again
//! ([`LinkStateStore::reusable`]). Each connection keeps at most [`MAX_PENDING_LINK_STATES`]
//! states: saving one more drops the one that expires first.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use commerce_model::platform::{LinkBinding, LinkStateStore};
use commerce_model::ModelError;
use secrecy::ExposeSecret as _;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::convert::hex_lower;
use crate::crypto::LINK_STATE;
use crate::error::StoreError;
use crate::store::{now, truncate, with_pool, Store};

/// The most link states (pending links) one connection keeps.
pub const MAX_PENDING_LINK_STATES: u32 = 5;

#[derive(sqlx::FromRow)]
struct ReusableRow {
    state_sealed: Vec<u8>,
    expires_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct TakenRow {
    connection_id: Uuid,
    expires_at: DateTime<Utc>,
}

#[async_trait]
impl LinkStateStore for Store {
    /// Saves `state` for the binding's connection. A state already saved, or a binding whose
    /// connection does not exist (or is not a UUID), is an error.
    async fn save(
        &self,
        state: &str,
        binding: LinkBinding,
        expires_at: DateTime<Utc>,
    ) -> Result<(), ModelError> {
        let connection_id = Uuid::parse_str(&binding.connection_id).map_err(|_| {
            model_error(
                format!("connection id {:?} is not a uuid", binding.connection_id),
                None,
            )
        })?;
        let sealed = self
            .key
            .encrypt(state, connection_id, LINK_STATE)
            .map_err(|error| {
                model_error("sealing a link state failed".to_owned(), Some(error.into()))
            })?;
        let current = now();
        let inserted = with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO link_states (state_hash, connection_id, created_at, expires_at, state_sealed) \
                 SELECT $1, id, $3, $4, $5 FROM connections WHERE id = $2 \
                 ON CONFLICT (state_hash) DO NOTHING",
            )
            .bind(state_hash(state))
            .bind(connection_id)
            .bind(current)
            .bind(truncate(expires_at))
            .bind(sealed)
            .execute(pool)
            .await
            .map(|result| result.rows_affected())
        })
        .map_err(|error| {
            model_error("saving a link state failed".to_owned(), Some(error.into()))
        })?;
        if inserted == 0 {
            return Err(model_error(
                "state already saved, or its connection does not exist".to_owned(),
                None,
            ));
        }
        // The cap: all but the connection's newest few go (expired ones first).
        with_pool!(self, pool => {
            sqlx::query(
                "DELETE FROM link_states WHERE connection_id = $1 \
                 AND state_hash NOT IN (SELECT state_hash FROM link_states WHERE connection_id = $1 \
                 ORDER BY expires_at DESC, created_at DESC, state_hash LIMIT $2)",
            )
            .bind(connection_id)
            .bind(i64::from(MAX_PENDING_LINK_STATES))
            .execute(pool)
            .await
            .map(|result| result.rows_affected())
        })
        .map_err(|error| {
            model_error("capping link states failed".to_owned(), Some(error.into()))
        })?;
        Ok(())
    }

    /// The unexpired state of the binding's connection that lives longest, if it is still
    /// valid at `valid_at`.
    async fn reusable(
        &self,
        binding: &LinkBinding,
        valid_at: DateTime<Utc>,
    ) -> Result<Option<(String, DateTime<Utc>)>, ModelError> {
        let Ok(connection_id) = Uuid::parse_str(&binding.connection_id) else {
            return Ok(None);
        };
        let row: Option<ReusableRow> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT state_sealed, expires_at FROM link_states \
                 WHERE connection_id = $1 AND expires_at > $2 AND state_sealed IS NOT NULL \
                 ORDER BY expires_at DESC LIMIT 1",
            )
            .bind(connection_id)
            .bind(truncate(valid_at))
            .fetch_optional(pool)
            .await
        })
        .map_err(|error| {
            model_error("reading a link state failed".to_owned(), Some(error.into()))
        })?;
        let Some(row) = row else { return Ok(None) };
        let state = self
            .key
            .decrypt(&row.state_sealed, connection_id, LINK_STATE)
            .map_err(|error| {
                model_error(
                    "unsealing a link state failed".to_owned(),
                    Some(error.into()),
                )
            })?;
        Ok(Some((state.expose_secret().to_owned(), row.expires_at)))
    }

    /// Removes `state` and returns its binding and expiry (expired or not: the caller
    /// checks), or `None` if it was never saved or already taken.
    async fn take(&self, state: &str) -> Result<Option<(LinkBinding, DateTime<Utc>)>, ModelError> {
        let hash = state_hash(state);
        let taken: Result<Option<(TakenRow, Uuid)>, StoreError> = async {
            let row: Option<TakenRow> = with_pool!(self, pool => {
                sqlx::query_as(
                    "DELETE FROM link_states WHERE state_hash = $1 RETURNING connection_id, expires_at",
                )
                .bind(&hash)
                .fetch_optional(pool)
                .await?
            });
            match row {
                Some(row) => {
                    let company_id = self.get_connection(row.connection_id).await?.company_id;
                    Ok(Some((row, company_id)))
                }
                None => Ok(None),
            }
        }
        .await;
        let taken = taken.map_err(|error| {
            model_error("taking a link state failed".to_owned(), Some(error.into()))
        })?;
        Ok(taken.map(|(row, company_id)| {
            (
                LinkBinding {
                    company_id: company_id.to_string(),
                    connection_id: row.connection_id.to_string(),
                },
                row.expires_at,
            )
        }))
    }
}

pub(crate) fn state_hash(state: &str) -> String {
    hex_lower(&Sha256::digest(state.as_bytes()))
}

fn model_error(
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
) -> ModelError {
    ModelError::LinkStateStore { message, source }
}
