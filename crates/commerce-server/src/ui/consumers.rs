//! `GET /ui/webhooks/consumers`: the webhook consumers (the same list as `GET /webhooks`) with
//! a form to create one and a button to delete each. `POST /ui/webhooks/consumers` creates a
//! consumer and shows its secret, this once; `POST /ui/webhooks/consumers/{id}/delete`
//! deletes one. Both forms are protected against cross-site requests (see `auth`); creation
//! applies the same checks as `POST /webhooks` (module `crate::routes::consumers`).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use serde::Serialize;
use serde_json::Value;

use crate::client_webhooks::EVENT_TYPES;
use crate::routes::consumers::{self, ConsumerPrototype, DeleteError};
use crate::state::AppState;
use crate::ui::auth::{check_form, refused, Viewer};
use crate::ui::html::{message_page, render};

#[derive(Serialize)]
struct ConsumerView {
    id: String,
    url: String,
    event_types: Vec<String>,
    company_tags: Vec<String>,
    disabled: bool,
    deletable: bool,
}

#[derive(Serialize)]
struct ConsumersPage {
    title: &'static str,
    csrf: String,
    consumers: Vec<ConsumerView>,
    event_types: &'static [&'static str],
    allow_private: bool,
    created: Option<Created>,
    error: Option<String>,
}

#[derive(Serialize)]
struct Created {
    id: String,
    secret: String,
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    created: Option<Created>,
    error: Option<String>,
) -> Response {
    let listed = match consumers::consumers(state).await {
        Ok(listed) => listed,
        Err(failure) => {
            tracing::error!(error = %failure.message, "dashboard could not list webhook consumers");
            return message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The webhook consumers could not be read. Try again; if it keeps happening, see the server's log.",
                Some(("/ui", "Back to the dashboard")),
            );
        }
    };
    let implicit = crate::client_webhooks::IMPLICIT_CONSUMER_ID.to_string();
    let views = listed
        .iter()
        .map(|consumer| {
            let id = consumer["id"].as_str().unwrap_or_default().to_owned();
            ConsumerView {
                deletable: id != implicit,
                id,
                url: consumer["url"].as_str().unwrap_or_default().to_owned(),
                event_types: strings(&consumer["eventTypes"]),
                company_tags: strings(&consumer["companyTags"]),
                disabled: consumer["disabled"].as_bool().unwrap_or(false),
            }
        })
        .collect();
    render(
        status,
        "consumers.html",
        ConsumersPage {
            title: "Webhook consumers",
            csrf: viewer.csrf_token().to_owned(),
            consumers: views,
            event_types: EVENT_TYPES,
            allow_private: state
                .client_webhooks()
                .is_some_and(|hooks| hooks.config().allow_private_urls),
            created,
            error,
        },
    )
}

/// `GET /ui/webhooks/consumers`.
pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
) -> Response {
    page(&state, &viewer, StatusCode::OK, None, None).await
}

/// `POST /ui/webhooks/consumers`: creates the consumer and shows its secret once. The form:
/// `csrf`, `url`, one `eventTypes` field per checked type, `companyTags` (comma-separated),
/// `disabled` when checked.
pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut fields = CreateForm::default();
    for (name, value) in url::form_urlencoded::parse(&body) {
        match name.as_ref() {
            "csrf" => fields.csrf = Some(value.into_owned()),
            "url" => fields.url = Some(value.into_owned()),
            "companyTags" => fields.company_tags = Some(value.into_owned()),
            "disabled" => fields.disabled = true,
            "eventTypes" => fields.event_types.push(value.into_owned()),
            _ => {}
        }
    }
    if let Err(reason) = check_form(&state, &viewer, &headers, fields.csrf.as_deref()) {
        return refused(reason);
    }
    let company_tags: Vec<String> = fields
        .company_tags
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|tag| !tag.is_empty())
        .map(str::to_owned)
        .collect();
    let prototype = ConsumerPrototype::new(
        fields.url,
        fields.disabled,
        fields.event_types,
        (!company_tags.is_empty()).then_some(company_tags),
    );
    let created = match consumers::validate(&state, prototype) {
        Ok(consumer) => consumers::create_consumer(&state, consumer).await,
        Err(error) => Err(error),
    };
    match created {
        Ok((consumer, secret)) => {
            page(
                &state,
                &viewer,
                StatusCode::OK,
                Some(Created {
                    id: consumer.id.to_string(),
                    secret: secret.expose().to_owned(),
                }),
                None,
            )
            .await
        }
        Err(error) if error.status.is_client_error() => {
            page(
                &state,
                &viewer,
                StatusCode::BAD_REQUEST,
                None,
                Some(error.message),
            )
            .await
        }
        Err(error) => {
            tracing::error!(error = %error.message, "dashboard could not create a webhook consumer");
            page(
                &state,
                &viewer,
                StatusCode::INTERNAL_SERVER_ERROR,
                None,
                Some("The consumer could not be stored.".into()),
            )
            .await
        }
    }
}

#[derive(Debug, Default)]
struct CreateForm {
    csrf: Option<String>,
    url: Option<String>,
    company_tags: Option<String>,
    disabled: bool,
    event_types: Vec<String>,
}

/// `POST /ui/webhooks/consumers/{id}/delete`. The form (`csrf`) is read from the body
/// whatever its declared type, like the create form, so a missing token is a `403`.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Path(consumer_id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let csrf = url::form_urlencoded::parse(&body)
        .filter(|(name, _)| name == "csrf")
        .map(|(_, value)| value.into_owned())
        .last();
    if let Err(reason) = check_form(&state, &viewer, &headers, csrf.as_deref()) {
        return refused(reason);
    }
    match consumers::delete_consumer(&state, &consumer_id).await {
        Ok(()) => Redirect::to("/ui/webhooks/consumers").into_response(),
        Err(DeleteError::NotFound) => message_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no such webhook consumer.",
            Some(("/ui/webhooks/consumers", "Back to the consumers")),
        ),
        Err(DeleteError::Configured) => message_page(
            StatusCode::CONFLICT,
            "Cannot delete this consumer",
            "It is configured by COMMERCE_WEBHOOK_URL; remove the setting to remove it.",
            Some(("/ui/webhooks/consumers", "Back to the consumers")),
        ),
        Err(DeleteError::Store(error)) => {
            tracing::error!(%error, "dashboard could not delete a webhook consumer");
            message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The consumer could not be deleted. Try again; if it keeps happening, see the server's log.",
                Some(("/ui/webhooks/consumers", "Back to the consumers")),
            )
        }
    }
}
