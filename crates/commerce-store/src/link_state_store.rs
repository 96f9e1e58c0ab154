//! `commerce_model::platform::LinkStateStore` on the database: link states are single use
//! (taking deletes) and only their SHA-256 is stored.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use commerce_model::platform::{LinkBinding, LinkStateStore};
use commerce_model::ModelError;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::companies::hex_lower;
use crate::error::StoreError;
use crate::store::{now, truncate, with_pool, Store};

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
        let inserted = with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO link_states (state_hash, connection_id, created_at, expires_at) \
                 SELECT $1, id, $3, $4 FROM connections WHERE id = $2 \
                 ON CONFLICT (state_hash) DO NOTHING",
            )
            .bind(state_hash(state))
            .bind(connection_id)
            .bind(now())
            .bind(truncate(expires_at))
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
        Ok(())
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
