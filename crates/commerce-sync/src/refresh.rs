//! Credential refreshes: at most one per connection at a time, across processes, with the new
//! credentials stored before anyone uses them.
//!
//! The engine refreshes when a platform says an account's access is about to expire
//! ([`Platform::needs_refresh`]) or has ([`PlatformError::AccessExpired`]). It claims the
//! refresh in the store; a process that finds another holding the claim waits until the stored
//! credentials change and uses those. This matters for platforms that rotate refresh tokens
//! (each one works once): two processes refreshing with the same token would leave one of them,
//! and perhaps the stored account, with a dead token. A refresh refused for good (the platform
//! asks to link again) marks the connection `Deauthorized` before the claim is released, and a
//! `Deauthorized` connection is not refreshed again: the refused token is offered only once.

use std::time::Duration;

use commerce_model::platform::{ErrorAction, Platform, PlatformError, RetryKind};
use commerce_store::{ConnectionStatus, RefreshClaim, StoreError, StoredAccount};
use uuid::Uuid;

use crate::engine::SyncEngine;
use crate::error::SyncError;

/// How long a refresh claim is held (a platform's token call must finish well within it).
pub const REFRESH_HOLD: Duration = Duration::from_secs(60);
/// How long a process waits for another's refresh before giving up (the dataset is retried).
pub const REFRESH_WAIT: Duration = Duration::from_secs(30);
/// How often a waiting process looks at the stored credentials again.
const REFRESH_POLL: Duration = Duration::from_millis(100);

impl SyncEngine {
    /// Refreshes the credentials of `connection_id` through `platform`, given the account as
    /// last read (`seen`), and returns the account to use. When another process refreshed since
    /// `seen` was read, its stored result is returned without calling the platform.
    ///
    /// The outer `Err` is a store failure; the inner one is the platform's answer (a refresh
    /// the platform does not offer is [`PlatformError::RelinkNeeded`]; waiting too long for
    /// another process is [`PlatformError::RetryLater`]).
    pub async fn refresh_credentials(
        &self,
        connection_id: Uuid,
        platform: &dyn Platform,
        seen: &StoredAccount,
        owner: &str,
    ) -> Result<Result<StoredAccount, PlatformError>, SyncError> {
        let store = self.store();
        let started = tokio::time::Instant::now();
        loop {
            match store
                .claim_credentials_refresh(connection_id, owner, REFRESH_HOLD)
                .await?
            {
                RefreshClaim::Claimed {
                    credentials_version,
                } => {
                    if credentials_version != seen.credentials_version {
                        store
                            .release_credentials_refresh(connection_id, owner)
                            .await?;
                        return self.reload(connection_id).await;
                    }
                    // A refresh that was refused (for this task or another) deauthorized the
                    // connection: its refresh token is dead, so it is not offered again.
                    let connection = store.get_connection(connection_id).await?;
                    if connection.status == ConnectionStatus::Deauthorized {
                        store
                            .release_credentials_refresh(connection_id, owner)
                            .await?;
                        return Ok(Err(PlatformError::RelinkNeeded {
                            reason:
                                "the connection is Deauthorized: the merchant must link it again"
                                    .to_owned(),
                        }));
                    }
                    let refreshed = match platform.refresh_credentials(&seen.account).await {
                        Ok(account) => account,
                        Err(error) => {
                            // Deauthorized before the claim is released, so that no task
                            // waiting for it tries the refused refresh token again.
                            let deauthorized = if error.action() == ErrorAction::Relink {
                                self.deauthorize_linked(connection_id, &error.to_string())
                                    .await
                            } else {
                                Ok(())
                            };
                            store
                                .release_credentials_refresh(connection_id, owner)
                                .await?;
                            deauthorized?;
                            return Ok(Err(match error {
                                PlatformError::Unsupported { .. } => PlatformError::RelinkNeeded {
                                    reason: "access expired and the platform cannot refresh it"
                                        .to_owned(),
                                },
                                other => other,
                            }));
                        }
                    };
                    return match store
                        .complete_credentials_refresh(connection_id, owner, &refreshed)
                        .await
                    {
                        Ok(version) => {
                            tracing::info!(connection = %connection_id, "credentials refreshed");
                            let mut stored = seen.clone();
                            stored.account = refreshed;
                            stored.credentials_version = version;
                            Ok(Ok(stored))
                        }
                        Err(StoreError::RefreshClaimLost { .. }) => Ok(Err(retry_later(
                            "the credential refresh took longer than its claim",
                        ))),
                        Err(error) => Err(error.into()),
                    };
                }
                RefreshClaim::Busy => {
                    if started.elapsed() >= REFRESH_WAIT {
                        return Ok(Err(retry_later(
                            "another process is still refreshing the credentials",
                        )));
                    }
                    tokio::time::sleep(REFRESH_POLL).await;
                    if let Some(now) = store.linked_account(connection_id).await? {
                        if now.credentials_version != seen.credentials_version {
                            return Ok(Ok(now));
                        }
                    }
                }
                RefreshClaim::NoCredentials => {
                    return Ok(Err(PlatformError::RelinkNeeded {
                        reason: "the connection has no stored credentials to refresh".to_owned(),
                    }))
                }
            }
        }
    }

    /// Marks the connection `Deauthorized` with `reason` (only from `Linked`, so an `Unlinked`
    /// connection stays so).
    pub(crate) async fn deauthorize_linked(
        &self,
        connection_id: Uuid,
        reason: &str,
    ) -> Result<(), StoreError> {
        let store = self.store();
        let connection = store.get_connection(connection_id).await?;
        if connection.status == ConnectionStatus::Linked {
            store
                .set_connection_status(connection_id, ConnectionStatus::Deauthorized, Some(reason))
                .await?;
            tracing::info!(connection = %connection_id, "connection deauthorized");
        }
        Ok(())
    }

    async fn reload(
        &self,
        connection_id: Uuid,
    ) -> Result<Result<StoredAccount, PlatformError>, SyncError> {
        Ok(match self.store().linked_account(connection_id).await? {
            Some(account) => Ok(account),
            None => Err(PlatformError::RelinkNeeded {
                reason: "the connection has no linked account".to_owned(),
            }),
        })
    }
}

fn retry_later(message: &str) -> PlatformError {
    PlatformError::RetryLater {
        kind: RetryKind::Unavailable,
        retry_after: None,
        message: message.to_owned(),
        source: None,
    }
}
