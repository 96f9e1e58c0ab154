//! The dashboard's two forms on connections: sync now and create a link.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use commerce_store::StoreError;
use serde::Deserialize;
use uuid::Uuid;

use crate::state::AppState;
use crate::ui::auth::{check_form, refused, Viewer};
use crate::ui::html::message_page;
use crate::ui::params::FormBody;

use super::{load, not_found, store_failure};

#[derive(Debug, Deserialize)]
pub(crate) struct SyncForm {
    csrf: Option<String>,
}

/// `POST /ui/connections/{id}/sync`: queues every data type through the sync engine.
pub(crate) async fn sync_now(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Path(connection_id): Path<String>,
    FormBody(form): FormBody<SyncForm>,
) -> Response {
    if let Err(reason) = check_form(&state, &viewer, &headers, form.csrf.as_deref()) {
        return refused(reason);
    }
    let (connection, _) = match load(&state, &connection_id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let back = format!("/ui/connections/{}", connection.id);
    match crate::app::queue_syncs(&state, &connection).await {
        Ok(outcome) => Redirect::to(&format!(
            "{back}?queued={}&running={}",
            outcome.queued.len(),
            outcome.in_progress.len()
        ))
        .into_response(),
        Err(commerce_sync::SyncError::ConnectionNotLinked { status, .. }) => message_page(
            StatusCode::CONFLICT,
            "Cannot sync",
            &format!(
                "This connection is {status}: only a Linked connection can sync. \
                 Its data stays readable."
            ),
            Some((&back, "Back to the connection")),
        ),
        Err(error) => {
            tracing::error!(connection = %connection.id, %error, "dashboard could not queue a sync");
            message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Cannot sync",
                &format!("The sync could not be queued: {error}."),
                Some((&back, "Back to the connection")),
            )
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct LinkForm {
    csrf: Option<String>,
    platform: Option<String>,
    /// The link parameters, named `{platform key}.{parameter}` (the form shows every enabled
    /// platform's declared ones; only the chosen platform's are used).
    #[serde(flatten)]
    params: BTreeMap<String, String>,
}

/// The prefix of a link parameter in the connection page's query string, so that it cannot
/// collide with the page's own parameters.
pub(super) const LINK_PARAM_PREFIX: &str = "link.";

/// `POST /ui/companies/{id}/links`: creates a `PendingAuth` connection for the chosen
/// platform with the application layer (as the API does, `connection.created` included), then
/// shows its page with the link URL to copy, carrying the link parameters given for that
/// platform (a missing required one is refused before anything is created).
pub(crate) async fn create_link(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Path(company_id): Path<String>,
    FormBody(form): FormBody<LinkForm>,
) -> Response {
    if let Err(reason) = check_form(&state, &viewer, &headers, form.csrf.as_deref()) {
        return refused(reason);
    }
    let Some(company_id) = Uuid::parse_str(&company_id).ok() else {
        return not_found("There is no such company.");
    };
    let company = match state.store().get_company(company_id).await {
        Ok(company) => company,
        Err(StoreError::NotFound { .. }) => return not_found("There is no such company."),
        Err(error) => return store_failure(&error),
    };
    let requested = form.platform.unwrap_or_default();
    let cannot = |message: String| {
        message_page(
            StatusCode::BAD_REQUEST,
            "Cannot create the link",
            &message,
            Some(("/ui", "Back to the dashboard")),
        )
    };
    let Some(platform) = state.platform(requested.trim()) else {
        return cannot(format!(
            "{requested:?} is not a platform enabled on this server."
        ));
    };
    let prefix = format!("{}.", platform.key());
    let mut query = Vec::new();
    for param in &platform.info().link_params {
        let value = form
            .params
            .get(&format!("{prefix}{}", param.name))
            .map(|value| value.trim())
            .filter(|value| !value.is_empty());
        match value {
            Some(value) => query.push((format!("{LINK_PARAM_PREFIX}{}", param.name), value)),
            None if param.required => {
                return cannot(format!(
                    "{} needs the link parameter {:?} ({}).",
                    platform.name(),
                    param.name,
                    param.help
                ))
            }
            None => {}
        }
    }
    match crate::app::create_connection(&state, &company, &platform).await {
        Ok(connection) => {
            let mut location = format!("/ui/connections/{}?created=1", connection.id);
            for (name, value) in query {
                location.push_str(&format!(
                    "&{}={}",
                    crate::routes::encode(&name),
                    crate::routes::encode(value)
                ));
            }
            Redirect::to(&location).into_response()
        }
        Err(error) => {
            tracing::error!(company = %company.id, error = %error.message, "dashboard could not create a connection");
            message_page(
                error.status,
                "Cannot create the link",
                &error.message,
                Some(("/ui", "Back to the dashboard")),
            )
        }
    }
}
