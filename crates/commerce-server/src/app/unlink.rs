//! Unlinking a connection, with grants shared between connections.
//!
//! A platform keeps one grant per platform and account: two connections (in one company or in
//! several) that linked the same account share it. Unlinking one of them must not cut off the
//! others, so access is revoked at the platform (`Platform::unlink`) only when no other `Linked`
//! connection of the same integration and account depends on the grant. A connection linked
//! with credentials the merchant handed over (`Platform::unlink_revokes` false, e.g. a pasted
//! API key) neither holds nor needs the grant: unlinking it revokes nothing.
//!
//! Unlink wins over a running sync: the connection is marked `Unlinked` first (its stored
//! credentials dropped), and only then is access revoked, so a pull that sees the revoked
//! access cannot turn the connection `Deauthorized` first (the sync engine deauthorizes only
//! `Linked` connections) and the running pull stops after its current page (the engine checks
//! the connection between pages).

use axum::http::StatusCode;
use commerce_model::platform::{LinkedAccount, Platform, PlatformError};
use commerce_store::{Connection, ConnectionStatus, StoreError};

use crate::error::ApiError;
use crate::state::AppState;

/// What unlinking did.
#[derive(Debug)]
pub(crate) struct Unlinked {
    /// The connection as it is now.
    pub(crate) connection: Connection,
    /// Whether access was revoked at the platform (false: another connection still shares the
    /// grant, or the connection had nothing to revoke).
    pub(crate) revoked: bool,
}

/// Whether another `Linked` connection of the same integration and account depends on the grant.
async fn grant_shared(
    state: &AppState,
    connection: &Connection,
    platform: &dyn Platform,
    account: &LinkedAccount,
) -> Result<bool, ApiError> {
    for other in state
        .store()
        .find_connections_by_account(&connection.platform_key, &account.external_id)
        .await?
    {
        if other.id == connection.id || other.status != ConnectionStatus::Linked {
            continue;
        }
        match state.store().linked_account(other.id).await? {
            Some(stored) if !platform.unlink_revokes(&stored.account) => {}
            _ => return Ok(true),
        }
    }
    Ok(false)
}

/// Marks a `Linked` connection `Unlinked` and revokes access at its platform when no other
/// connection shares the grant. When the platform fails to revoke, the connection is linked
/// again as it was and the answer is 503.
pub(crate) async fn unlink(
    state: &AppState,
    connection: &Connection,
) -> Result<Unlinked, ApiError> {
    let platform = state.platform(&connection.platform_key);
    // Read before the status change, which drops the stored credentials.
    let account = match &platform {
        Some(platform) => super::linked_account(state, connection, platform.as_ref()).await?,
        None => None,
    };
    let unlinked = match state
        .store()
        .set_connection_status(connection.id, ConnectionStatus::Unlinked, None)
        .await
    {
        Ok(unlinked) => unlinked,
        // Not Linked any more (e.g. unlinked at the same moment): nothing left to do here.
        Err(StoreError::InvalidTransition { .. }) => {
            let current = state.store().get_connection(connection.id).await?;
            return Ok(Unlinked {
                connection: current,
                revoked: false,
            });
        }
        Err(error) => return Err(error.into()),
    };
    let (Some(platform), Some(account)) = (platform, account) else {
        return Ok(Unlinked {
            connection: unlinked,
            revoked: false,
        });
    };
    if !platform.unlink_revokes(&account)
        || grant_shared(state, connection, platform.as_ref(), &account).await?
    {
        tracing::info!(connection = %connection.id, "connection unlinked; access at the platform kept (shared grant or nothing to revoke)");
        return Ok(Unlinked {
            connection: unlinked,
            revoked: false,
        });
    }
    match platform.unlink(&account).await {
        Ok(()) | Err(PlatformError::RelinkNeeded { .. }) => {
            tracing::info!(connection = %connection.id, "connection unlinked; access revoked at the platform");
            Ok(Unlinked {
                connection: unlinked,
                revoked: true,
            })
        }
        Err(error) => {
            tracing::warn!(connection = %connection.id, error = %error, "platform refused to unlink");
            if let Err(error) = state.store().link_connection(connection.id, &account).await {
                tracing::error!(connection = %connection.id, error = %error, "restoring the link after a failed revocation failed");
            }
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("The platform could not revoke access: {error}"),
            ))
        }
    }
}

/// What [`unlink_connection`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnlinkOutcome {
    /// The connection's status afterwards (`Unlinked`, or unchanged when it was not `Linked`).
    pub status: ConnectionStatus,
    /// Whether access was revoked at the platform (false: another connection shares the grant,
    /// the connection was linked with the merchant's own credentials, or it was not `Linked`).
    pub platform_access_revoked: bool,
}

/// Unlinks a connection as `PATCH .../connections/{id}` with `{"status": "Unlinked"}` does
/// (for `commerce unlink`): a `Linked` connection becomes `Unlinked`, access is revoked at the
/// platform unless another connection shares the grant, and `connection.disconnected` is sent.
pub async fn unlink_connection(
    state: &AppState,
    connection_id: uuid::Uuid,
) -> Result<UnlinkOutcome, crate::ServerError> {
    let connection = state.store().get_connection(connection_id).await?;
    if connection.status != ConnectionStatus::Linked {
        return Ok(UnlinkOutcome {
            status: connection.status,
            platform_access_revoked: false,
        });
    }
    let unlinked =
        super::unlink(state, &connection)
            .await
            .map_err(|error| crate::ServerError::Unlink {
                message: error.message,
            })?;
    Ok(UnlinkOutcome {
        status: unlinked.connection.status,
        platform_access_revoked: unlinked.revoked,
    })
}

/// For the dashboard: what unlinking a `Linked` connection would do at its platform, or why an
/// `Unlinked` one may still have access there; `None` when there is nothing to say.
pub(crate) async fn access_note(
    state: &AppState,
    connection: &Connection,
) -> Result<Option<String>, StoreError> {
    let Some(platform) = state.platform(&connection.platform_key) else {
        return Ok(None);
    };
    let Some(account_id) = connection.external_account_id.as_deref() else {
        return Ok(None);
    };
    let mut holders = 0_usize;
    for other in state
        .store()
        .find_connections_by_account(&connection.platform_key, account_id)
        .await?
    {
        if other.id == connection.id || other.status != ConnectionStatus::Linked {
            continue;
        }
        if let Some(stored) = state.store().linked_account(other.id).await? {
            if platform.unlink_revokes(&stored.account) {
                holders += 1;
            }
        }
    }
    let name = platform.name();
    Ok(match connection.status {
        ConnectionStatus::Linked => {
            let own = state.store().linked_account(connection.id).await?;
            if own.is_some_and(|stored| !platform.unlink_revokes(&stored.account)) {
                Some(format!("Linked with the merchant's own key: unlinking revokes nothing at {name} (only the merchant can roll or delete the key)."))
            } else if holders > 0 {
                Some(format!("{holders} other linked connection(s) share this account's grant: unlinking this one keeps access at {name} until the last of them is unlinked."))
            } else {
                Some(format!("Unlinking revokes this service's access at {name}."))
            }
        }
        ConnectionStatus::Unlinked if holders > 0 => Some(format!(
            "Access at {name} was not revoked: {holders} other linked connection(s) share this account's grant."
        )),
        _ => None,
    })
}
