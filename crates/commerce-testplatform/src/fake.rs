//! [`FakeQuokka`]: Quokka's authorize page, token endpoint and list API, served on 127.0.0.1.
//!
//! - `GET /oauth/authorize?client_id&redirect_uri&state&shop`: approves at once, redirecting to
//!   `redirect_uri` with `code`, `state` and `shop` (an unknown shop gets `error=unknown_shop`).
//! - `POST /oauth/token` (form, client id and secret): `authorization_code` (a code works once)
//!   or `refresh_token` (a refresh token works once: each refresh rotates it); answers
//!   `access_token`, `refresh_token`, `expires_in`, `shop_id`, `scope`.
//! - `GET /api/customers` and `/api/payments` (`limit`, `after`; bearer token): `401
//!   token_expired` for an expired access token, `401 invalid_token` for an unknown one.
//! - `POST /oauth/revoke` (bearer token): forgets the shop's tokens.
//!
//! [`FakeQuokka::expire_access_tokens`] expires every access token at once, as a clock jump would.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

/// A shop with its data.
#[derive(Debug, Clone, Default)]
pub struct Shop {
    /// Its id (the linked account's external id).
    pub id: String,
    /// Customers, as the API lists them.
    pub customers: Vec<Value>,
    /// Payments, as the API lists them.
    pub payments: Vec<Value>,
}

#[derive(Debug, Default)]
struct Inner {
    shops: BTreeMap<String, Shop>,
    codes: BTreeMap<String, String>,
    access: BTreeMap<String, (String, DateTime<Utc>)>,
    refresh: BTreeMap<String, String>,
    access_ttl_secs: i64,
    counter: u64,
    refreshes: u64,
    rejected_refreshes: u64,
    expired_answers: u64,
    revocations: u64,
}

/// The fake Quokka server. Cheap to clone; stops when the runtime does.
#[derive(Debug, Clone)]
pub struct FakeQuokka {
    inner: Arc<Mutex<Inner>>,
    client_id: String,
    client_secret: String,
    address: SocketAddr,
}

/// What [`FakeQuokka::start`] cannot do.
#[derive(Debug, thiserror::Error)]
#[error("cannot start the fake Quokka: {0}")]
pub struct StartError(#[from] std::io::Error);

impl FakeQuokka {
    /// Serves on a free port of 127.0.0.1 for the client `client_id`/`client_secret`.
    pub async fn start(client_id: &str, client_secret: &str) -> Result<FakeQuokka, StartError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let fake = FakeQuokka {
            inner: Arc::new(Mutex::new(Inner {
                access_ttl_secs: 3600,
                ..Inner::default()
            })),
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            address,
        };
        let app = Router::new()
            .route("/oauth/authorize", get(authorize))
            .route("/oauth/token", post(token))
            .route("/oauth/revoke", post(revoke))
            .route("/api/customers", get(customers))
            .route("/api/payments", get(payments))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(fake)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds a shop named `name` with `customers` customers and `payments` payments (amounts in
    /// the currencies given, round-robin).
    pub fn add_shop(&self, name: &str, customers: usize, payments: usize, currencies: &[&str]) {
        let id = format!("shop_{name}");
        let created = 1_700_000_000_i64;
        let customers = (0..customers)
            .map(|n| {
                json!({
                    "id": format!("cus_{name}_{n:03}"),
                    "name": format!("Customer {n}"),
                    "email": format!("customer{n}@{name}.example"),
                    "currency": currencies.first().copied().unwrap_or("eur"),
                    "created": created + n as i64,
                    "updated": created + n as i64,
                })
            })
            .collect();
        let payments = (0..payments)
            .map(|n| {
                let currency = currencies
                    .get(n % currencies.len().max(1))
                    .copied()
                    .unwrap_or("eur");
                json!({
                    "id": format!("pay_{name}_{n:03}"),
                    "amount": 1050 + 100 * n as i64,
                    "currency": currency,
                    "status": if n % 3 == 2 { "failed" } else { "succeeded" },
                    "method": "card",
                    "created": created + n as i64,
                    "updated": created + n as i64,
                })
            })
            .collect();
        self.lock().shops.insert(
            name.to_owned(),
            Shop {
                id,
                customers,
                payments,
            },
        );
    }

    /// Sets the `expires_in` of access tokens issued from now on.
    pub fn set_access_ttl(&self, seconds: i64) {
        self.lock().access_ttl_secs = seconds;
    }

    /// Expires every access token issued so far.
    pub fn expire_access_tokens(&self) {
        let past = Utc::now() - chrono::Duration::seconds(1);
        for (_, expires_at) in self.lock().access.values_mut() {
            *expires_at = past;
        }
    }

    /// Successful refreshes so far.
    pub fn refreshes(&self) -> u64 {
        self.lock().refreshes
    }

    /// Refreshes refused because the refresh token was unknown or already used.
    pub fn rejected_refreshes(&self) -> u64 {
        self.lock().rejected_refreshes
    }

    /// List calls answered `401 token_expired`.
    pub fn expired_answers(&self) -> u64 {
        self.lock().expired_answers
    }

    /// Accepted revocations (`POST /oauth/revoke`).
    pub fn revocations(&self) -> u64 {
        self.lock().revocations
    }

    /// Whether `token` is the shop's current refresh token.
    pub fn is_current_refresh_token(&self, shop: &str, token: &str) -> bool {
        self.lock()
            .refresh
            .get(token)
            .is_some_and(|owner| owner == shop)
    }
}

fn error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({ "error": error }))).into_response()
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    client_id: String,
    redirect_uri: String,
    state: String,
    shop: String,
}

async fn authorize(
    State(fake): State<FakeQuokka>,
    Query(query): Query<AuthorizeQuery>,
) -> Response {
    if query.client_id != fake.client_id {
        return error(StatusCode::BAD_REQUEST, "invalid_client");
    }
    let Ok(mut redirect) = url::Url::parse(&query.redirect_uri) else {
        return error(StatusCode::BAD_REQUEST, "invalid_redirect_uri");
    };
    {
        let mut inner = fake.lock();
        if inner.shops.contains_key(&query.shop) {
            inner.counter += 1;
            let code = format!("code_{}", inner.counter);
            inner.codes.insert(code.clone(), query.shop.clone());
            redirect
                .query_pairs_mut()
                .append_pair("code", &code)
                .append_pair("state", &query.state)
                .append_pair("shop", &query.shop);
        } else {
            redirect
                .query_pairs_mut()
                .append_pair("error", "unknown_shop")
                .append_pair("state", &query.state);
        }
    }
    (
        StatusCode::FOUND,
        [(header::LOCATION, redirect.to_string())],
    )
        .into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    client_id: String,
    client_secret: String,
    grant_type: String,
    code: Option<String>,
    refresh_token: Option<String>,
}

async fn token(State(fake): State<FakeQuokka>, Form(form): Form<TokenForm>) -> Response {
    if form.client_id != fake.client_id || form.client_secret != fake.client_secret {
        return error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let mut inner = fake.lock();
    let shop = match form.grant_type.as_str() {
        "authorization_code" => form.code.as_ref().and_then(|code| inner.codes.remove(code)),
        "refresh_token" => {
            let shop = form
                .refresh_token
                .as_ref()
                .and_then(|token| inner.refresh.remove(token));
            if shop.is_some() {
                inner.refreshes += 1;
            } else {
                inner.rejected_refreshes += 1;
            }
            shop
        }
        _ => return error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
    };
    let Some(shop) = shop else {
        return error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    let Some(shop_id) = inner.shops.get(&shop).map(|shop| shop.id.clone()) else {
        return error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    inner.counter += 1;
    let n = inner.counter;
    let access = format!("qat_{n}_{}", uuid::Uuid::new_v4().simple());
    let refresh = format!("qrt_{n}_{}", uuid::Uuid::new_v4().simple());
    let ttl = inner.access_ttl_secs;
    inner.access.insert(
        access.clone(),
        (shop.clone(), Utc::now() + chrono::Duration::seconds(ttl)),
    );
    inner.refresh.insert(refresh.clone(), shop);
    Json(json!({
        "access_token": access,
        "refresh_token": refresh,
        "expires_in": ttl,
        "shop_id": shop_id,
        "scope": "read",
    }))
    .into_response()
}

/// The shop a bearer token is valid for, or the error to answer.
fn authorized(fake: &FakeQuokka, headers: &HeaderMap) -> Result<String, Box<Response>> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    let mut inner = fake.lock();
    match inner.access.get(token).cloned() {
        Some((shop, expires_at)) if expires_at > Utc::now() => Ok(shop),
        Some(_) => {
            inner.expired_answers += 1;
            Err(Box::new(error(StatusCode::UNAUTHORIZED, "token_expired")))
        }
        None => Err(Box::new(error(StatusCode::UNAUTHORIZED, "invalid_token"))),
    }
}

async fn revoke(State(fake): State<FakeQuokka>, headers: HeaderMap) -> Response {
    let shop = match authorized(&fake, &headers) {
        Ok(shop) => shop,
        Err(response) => return *response,
    };
    let mut inner = fake.lock();
    inner.revocations += 1;
    inner.access.retain(|_, (owner, _)| *owner != shop);
    inner.refresh.retain(|_, owner| *owner != shop);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<usize>,
    after: Option<String>,
}

fn list(
    fake: &FakeQuokka,
    headers: &HeaderMap,
    query: &ListQuery,
    pick: fn(&Shop) -> &Vec<Value>,
) -> Response {
    let shop = match authorized(fake, headers) {
        Ok(shop) => shop,
        Err(response) => return *response,
    };
    let inner = fake.lock();
    let Some(shop) = inner.shops.get(&shop) else {
        return error(StatusCode::NOT_FOUND, "unknown_shop");
    };
    let objects = pick(shop);
    let start = match &query.after {
        Some(after) => objects
            .iter()
            .position(|object| object["id"].as_str() == Some(after.as_str()))
            .map_or(objects.len(), |index| index + 1),
        None => 0,
    };
    let limit = query.limit.unwrap_or(10).clamp(1, 100);
    let page: Vec<Value> = objects.iter().skip(start).take(limit).cloned().collect();
    let has_more = start + page.len() < objects.len();
    Json(json!({ "data": page, "has_more": has_more })).into_response()
}

async fn customers(
    State(fake): State<FakeQuokka>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    list(&fake, &headers, &query, |shop| &shop.customers)
}

async fn payments(
    State(fake): State<FakeQuokka>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    list(&fake, &headers, &query, |shop| &shop.payments)
}
