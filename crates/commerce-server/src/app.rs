//! The application layer: each operation on companies and connections does its store writes,
//! its sync-engine calls and its client webhook together, so the API (`routes`) and the
//! dashboard (`ui`) do the same thing for the same action.
//!
//! - [`create_company`] (`company.created`), [`update_company`], [`delete_company`] (its
//!   connections unlinked at their platforms, `connection.deleted` for each, `company.deleted`).
//! - [`create_connection`] (`connection.created`), [`begin_link`] (the OAuth `state` and the
//!   platform's authorize URL), [`complete_link`] (account stored, `connection.connected`, the
//!   first sync queued), [`queue_syncs`], [`unlink`] (access revoked, `connection.disconnected`),
//!   [`deauthorized`] (the platform said access was revoked), [`delete_connection`]
//!   (`connection.deleted`).
//!
//! Webhooks are queued in the store's outbox; failing to queue one is logged and never fails
//! the operation. Handlers stay in charge of parsing requests and shaping answers.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::StatusCode;
use base64::Engine as _;
use chrono::Utc;
use commerce_model::platform::{LinkBinding, LinkRequest, LinkedAccount, Platform, PlatformError};
use commerce_store::{Company, Connection, ConnectionStatus, NewCompany};
use commerce_sync::QueueAll;
use rand::RngCore as _;
use secrecy::SecretString;
use serde_json::json;

use crate::client_webhooks::{
    company_reference, COMPANY_CREATED, COMPANY_DELETED, CONNECTION_CONNECTED, CONNECTION_CREATED,
    CONNECTION_DELETED, CONNECTION_DISCONNECTED,
};
use crate::codat;
use crate::error::ApiError;
use crate::state::AppState;

mod unlink;

pub(crate) use unlink::{access_note, Unlinked};
pub use unlink::{unlink_connection, UnlinkOutcome};

/// Creates a company with its tags; `company.created`.
pub(crate) async fn create_company(
    state: &AppState,
    new: &NewCompany,
    tags: &BTreeMap<String, String>,
) -> Result<Company, ApiError> {
    let company = state.store().create_company(new).await?;
    if !tags.is_empty() {
        state.store().set_company_tags(company.id, tags).await?;
    }
    company_event(state, COMPANY_CREATED, &company).await;
    Ok(company)
}

/// Replaces a company's name, description and redirect, and its tags when `tags` is given.
pub(crate) async fn update_company(
    state: &AppState,
    company: &Company,
    new: &NewCompany,
    tags: Option<&BTreeMap<String, String>>,
) -> Result<Company, ApiError> {
    let company = state.store().update_company(company.id, new).await?;
    if let Some(tags) = tags {
        state.store().set_company_tags(company.id, tags).await?;
    }
    Ok(company)
}

/// Deletes a company with all its data, after revoking access of its linked connections at
/// their platforms (best effort: a platform failure is logged and the deletion goes on).
pub(crate) async fn delete_company(state: &AppState, company: &Company) -> Result<(), ApiError> {
    for connection in state.store().list_connections(company.id).await? {
        if connection.status == ConnectionStatus::Linked {
            if let Err(error) = unlink_at_platform(state, &connection).await {
                tracing::warn!(connection = %connection.id, error = %error.message, "unlinking at the platform failed; deleting anyway");
            }
        }
    }
    for connection in state.store().list_connections(company.id).await? {
        connection_event(state, CONNECTION_DELETED, &connection).await;
    }
    // Announced before the deletion, like its connections: the consumers it goes to are
    // chosen by the company's tags, which go with it.
    company_event(state, COMPANY_DELETED, company).await;
    state.store().delete_company(company.id).await?;
    Ok(())
}

/// Creates a `PendingAuth` connection of `company` to `platform`; `connection.created`.
pub(crate) async fn create_connection(
    state: &AppState,
    company: &Company,
    platform: &Arc<dyn Platform>,
) -> Result<Connection, ApiError> {
    let connection = state
        .store()
        .create_connection(company.id, platform.key().as_str())
        .await?;
    connection_event(state, CONNECTION_CREATED, &connection).await;
    Ok(connection)
}

/// The OAuth redirect URI of `platform` on this server.
pub(crate) fn redirect_uri(state: &AppState, platform: &dyn Platform) -> String {
    format!(
        "{}/oauth/{}/callback",
        state.public_url(),
        platform.info().callback_segment
    )
}

/// Why a link could not be started.
#[derive(Debug)]
pub(crate) enum BeginLinkError {
    /// The link-state store failed.
    Store(String),
    /// The platform refused or failed to start the link.
    Platform(PlatformError),
}

/// Starts linking `connection` at `platform` with the link parameters `params` (already checked
/// against the platform's declaration): a single-use OAuth `state` bound to the connection (an
/// unexpired one with at least half its lifetime left is reused, so repeated visits add no
/// rows), and the platform's authorize URL.
pub(crate) async fn begin_link(
    state: &AppState,
    connection: &Connection,
    platform: &dyn Platform,
    params: BTreeMap<String, String>,
) -> Result<String, BeginLinkError> {
    let ttl = chrono::Duration::from_std(state.inner.link_state_ttl)
        .unwrap_or_else(|_| chrono::Duration::minutes(15));
    let binding = LinkBinding {
        company_id: connection.company_id.to_string(),
        connection_id: connection.id.to_string(),
    };
    let now = Utc::now();
    let reusable = state
        .inner
        .link_states
        .reusable(&binding, now + ttl / 2)
        .await
        .map_err(|error| BeginLinkError::Store(error.to_string()))?;
    let token = match reusable {
        Some((token, _)) => token,
        None => {
            let token = new_state();
            state
                .inner
                .link_states
                .save(&token, binding, now + ttl)
                .await
                .map_err(|error| BeginLinkError::Store(error.to_string()))?;
            token
        }
    };
    let request = LinkRequest {
        state: token,
        redirect_uri: redirect_uri(state, platform),
        params,
    };
    let start = platform
        .begin_link(request)
        .await
        .map_err(BeginLinkError::Platform)?;
    tracing::info!(connection = %connection.id, "link started");
    Ok(start.authorize_url)
}

fn new_state() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Stores the account a platform linked, marks the connection `Linked`
/// (`connection.connected`) and queues the first sync (a failure to queue is logged).
pub(crate) async fn complete_link(
    state: &AppState,
    connection: &Connection,
    account: &LinkedAccount,
) -> Result<Connection, ApiError> {
    let connection = state
        .store()
        .link_connection(connection.id, account)
        .await?;
    tracing::info!(connection = %connection.id, "connection linked");
    connection_event(state, CONNECTION_CONNECTED, &connection).await;
    if let Err(error) = state.engine().queue_first_link(connection.id).await {
        tracing::error!(connection = %connection.id, error = %error, "queueing the initial sync failed");
    }
    Ok(connection)
}

/// Queues every data type of a connection (a pull already queued or running is kept).
pub(crate) async fn queue_syncs(
    state: &AppState,
    connection: &Connection,
) -> Result<QueueAll, commerce_sync::SyncError> {
    state.engine().queue_all(connection.id).await
}

/// Links `connection` with `credentials` at its platform and stores the result.
pub(crate) async fn link_with_credentials(
    state: &AppState,
    connection: &Connection,
    credentials: BTreeMap<String, SecretString>,
) -> Result<Connection, ApiError> {
    let Some(platform) = state.platform(&connection.platform_key) else {
        return Err(ApiError::not_found(format!(
            "Integration not found: {} is not enabled on this server",
            connection.platform_key
        )));
    };
    let Some(link) = platform.info().credentials_link.as_ref() else {
        return Err(ApiError::bad_request(format!(
            "{} links through its authorization page only: it takes no credentials",
            platform.name()
        )));
    };
    if let Some(missing) = link
        .fields
        .iter()
        .find(|field| !credentials.contains_key(field.name))
    {
        return Err(ApiError::invalid(
            "request",
            format!("the body must carry {:?}: {}", missing.name, missing.help),
        ));
    }
    let account = match platform.link_with_credentials(&credentials).await {
        Ok(account) => account,
        Err(PlatformError::LinkFailed { reason }) => {
            tracing::info!(connection = %connection.id, reason = %reason, "credentials refused");
            return Err(ApiError::bad_request(format!(
                "The credentials were refused: {reason}. The connection stays {}.",
                connection.status.as_str()
            )));
        }
        Err(PlatformError::RetryLater { message, .. }) => {
            tracing::warn!(connection = %connection.id, error = %message, "platform unavailable while linking");
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "{} could not be reached to check the credentials; try again later",
                    platform.name()
                ),
            ));
        }
        Err(error) => {
            tracing::error!(connection = %connection.id, error = %error, "linking with credentials failed");
            return Err(ApiError::internal());
        }
    };
    let linked = state
        .store()
        .link_connection(connection.id, &account)
        .await?;
    tracing::info!(connection = %linked.id, "connection linked with credentials");
    connection_event(state, CONNECTION_CONNECTED, &linked).await;
    if let Err(error) = state.engine().queue_first_link(linked.id).await {
        tracing::error!(connection = %linked.id, error = %error, "queueing the initial sync failed");
    }
    Ok(linked)
}

/// Unlinks a `Linked` connection: the status `Unlinked` first (the data stays readable), then
/// access revoked at the platform unless another connection shares the grant
/// ([`unlink::unlink`]); `connection.disconnected`.
pub(crate) async fn unlink(
    state: &AppState,
    connection: &Connection,
) -> Result<Unlinked, ApiError> {
    let unlinked = unlink_at_platform(state, connection).await?;
    connection_event(state, CONNECTION_DISCONNECTED, &unlinked.connection).await;
    Ok(unlinked)
}

/// Marks a connection `Deauthorized` because its platform says access was revoked there;
/// `connection.disconnected`.
pub(crate) async fn deauthorized(
    state: &AppState,
    connection: &Connection,
) -> Result<Connection, ApiError> {
    let connection = state
        .store()
        .set_connection_status(
            connection.id,
            ConnectionStatus::Deauthorized,
            Some("access was revoked on the platform"),
        )
        .await?;
    connection_event(state, CONNECTION_DISCONNECTED, &connection).await;
    Ok(connection)
}

/// Revokes access of a linked connection at its platform (best effort: a failure is logged and
/// the deletion goes on) and deletes the connection with all its data; `connection.deleted`.
pub(crate) async fn delete_connection(
    state: &AppState,
    connection: &Connection,
) -> Result<(), ApiError> {
    if connection.status == ConnectionStatus::Linked {
        if let Err(error) = unlink_at_platform(state, connection).await {
            tracing::warn!(connection = %connection.id, error = %error.message, "unlinking at the platform failed; deleting anyway");
        }
    }
    connection_event(state, CONNECTION_DELETED, connection).await;
    state.store().delete_connection(connection.id).await?;
    Ok(())
}

/// The platform account of a linked connection as stored (metadata and tokens included),
/// refreshed first through the engine when `platform` says its access is about to expire.
pub(crate) async fn linked_account(
    state: &AppState,
    connection: &Connection,
    platform: &dyn Platform,
) -> Result<Option<LinkedAccount>, ApiError> {
    let Some(stored) = state.store().linked_account(connection.id).await? else {
        return Ok(None);
    };
    if !platform.needs_refresh(&stored.account, chrono::Utc::now()) {
        return Ok(Some(stored.account));
    }
    let owner = format!("server-{}", uuid::Uuid::new_v4());
    match state
        .engine()
        .refresh_credentials(connection.id, platform, &stored, &owner)
        .await
    {
        Ok(Ok(refreshed)) => Ok(Some(refreshed.account)),
        Ok(Err(error)) => {
            tracing::warn!(connection = %connection.id, error = %error, "refreshing credentials failed");
            Ok(Some(stored.account))
        }
        Err(error) => Err(error.into()),
    }
}

/// Unlinks a `Linked` connection and revokes this service's access at the platform unless
/// another connection shares the grant ([`unlink::unlink`]). Access already revoked counts as
/// done.
pub(crate) async fn unlink_at_platform(
    state: &AppState,
    connection: &Connection,
) -> Result<Unlinked, ApiError> {
    if state.platform(&connection.platform_key).is_none() {
        return Err(ApiError::not_found(format!(
            "Integration not found: {} is not enabled on this server, so access cannot be revoked",
            connection.platform_key
        )));
    }
    unlink::unlink(state, connection).await
}

/// Emits a `connection.*` event for `connection` (its JSON as the API shows it now) when client
/// webhooks are configured. Failing to store the event is logged; it never fails the caller.
pub(crate) async fn connection_event(state: &AppState, event_type: &str, connection: &Connection) {
    let Some(hooks) = state.client_webhooks() else {
        return;
    };
    let result = async {
        let company = state.store().get_company(connection.company_id).await?;
        let payload = json!({
            "referenceCompany": company_reference(&company),
            "connection": hooks.connection_value(connection, state.engine()).await?,
        });
        hooks
            .emit(event_type, &company, Some(connection.id), payload)
            .await
    }
    .await;
    if let Err(error) = result {
        tracing::error!(connection = %connection.id, event_type, error = %error, "could not queue a client webhook");
    }
}

/// Emits a `company.*` event for `company` (Codat's `CompanyWebhook`: the payload is the
/// company as the API shows it) when client webhooks are configured. Failing to store the
/// event is logged; it never fails the caller.
async fn company_event(state: &AppState, event_type: &str, company: &Company) {
    let Some(hooks) = state.client_webhooks() else {
        return;
    };
    let payload = codat::company(company, state.public_url(), None, Vec::new());
    if let Err(error) = hooks.emit(event_type, company, None, payload).await {
        tracing::error!(company = %company.id, event_type, error = %error, "could not queue a client webhook");
    }
}
