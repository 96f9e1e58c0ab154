//! `GET /ui/api-keys`: the API keys (configured and made through the API, never their values),
//! with forms to make a key (`POST /ui/api-keys`, its value shown once on the page that answers)
//! and to delete one (`POST /ui/api-keys/{id}/delete`). The same operations as `/apiKeys`
//! (`crate::routes::api_keys`), behind the dashboard's sign-in and form protection.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;

use crate::ui::params::FormBody;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::routes::api_keys::{all_keys, make_key, remove};
use crate::state::AppState;
use crate::ui::auth::{check_form, refused, Viewer};
use crate::ui::html::{message_page, render};

#[derive(Serialize)]
struct KeyView {
    id: String,
    name: Option<String>,
    created: Option<String>,
    deletable: bool,
}

#[derive(Serialize)]
struct Created {
    name: Option<String>,
    key: String,
}

#[derive(Serialize)]
struct KeysPage {
    title: &'static str,
    csrf: String,
    keys: Vec<KeyView>,
    created: Option<Created>,
    deleted: bool,
}

fn view(value: &Value) -> KeyView {
    let text = |name: &str| value[name].as_str().map(str::to_owned);
    KeyView {
        id: text("id").unwrap_or_default(),
        name: text("name"),
        created: text("createdDate"),
        deletable: value["deletable"].as_bool().unwrap_or(false),
    }
}

fn back(message: &str, status: StatusCode) -> Response {
    message_page(
        status,
        "API keys",
        message,
        Some(("/ui/api-keys", "Back to the API keys")),
    )
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    created: Option<Created>,
    deleted: bool,
) -> Response {
    match all_keys(state).await {
        Ok(keys) => render(
            StatusCode::OK,
            "api_keys.html",
            KeysPage {
                title: "API keys",
                csrf: viewer.csrf_token().to_owned(),
                keys: keys.iter().map(view).collect(),
                created,
                deleted,
            },
        ),
        Err(error) => back(&error.message, error.status),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Params {
    deleted: Option<String>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(params): Query<Params>,
) -> Response {
    page(&state, &viewer, None, params.deleted.is_some()).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct CreateForm {
    csrf: Option<String>,
    name: Option<String>,
}

/// Makes a key and answers the page with its value (never put in a URL).
pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    FormBody(form): FormBody<CreateForm>,
) -> Response {
    if let Err(reason) = check_form(&state, &viewer, &headers, form.csrf.as_deref()) {
        return refused(reason);
    }
    match make_key(&state, form.name.as_deref()).await {
        Ok((key, value)) => {
            tracing::info!(id = %value["id"], "api key created in the dashboard");
            let created = Created {
                name: value["name"].as_str().map(str::to_owned),
                key,
            };
            page(&state, &viewer, Some(created), false).await
        }
        Err(error) => back(&error.message, error.status),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct DeleteForm {
    csrf: Option<String>,
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(form): FormBody<DeleteForm>,
) -> Response {
    if let Err(reason) = check_form(&state, &viewer, &headers, form.csrf.as_deref()) {
        return refused(reason);
    }
    match remove(&state, &id).await {
        Ok(()) => Redirect::to("/ui/api-keys?deleted=1").into_response(),
        Err(error) => back(&error.message, error.status),
    }
}
