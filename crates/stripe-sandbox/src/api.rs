//! The `/v1` endpoints: `account`, `balance`, and list + retrieve for every resource, with
//! each endpoint's own filters. Paging itself is in `list`; the objects come from `data`.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as Extract};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use stripe_wire as stripe;
use stripe_wire::HasId;

use crate::auth::authenticate;
use crate::data::{Merchant, Resource};
use crate::error::ApiFailure;
use crate::ids::Slot;
use crate::list::{parse_list_params, Collection, Entry, Keep, ListItem, ListParams, Overlay};
use crate::state::State;

fn json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => {
            let mut response = body.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(_) => ApiFailure::internal().into_response(),
    }
}

fn expanded_id<T: HasId>(field: &Option<stripe::Expandable<T>>) -> Option<&str> {
    field.as_ref().map(stripe::Expandable::id)
}

fn bool_param(params: &ListParams, name: &str) -> Result<Option<bool>, ApiFailure> {
    match params.filter(name) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(ApiFailure::invalid(
            Some("parameter_invalid_boolean"),
            Some(name),
            format!("Invalid boolean: {other}"),
        )),
    }
}

fn wants_tiers(query: &str) -> bool {
    query.contains("tiers")
}

/// `GET /v1/account`.
pub(crate) async fn account(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    let caller = authenticate(&state, &headers)?;
    Ok(json(&caller.account.merchant.account()))
}

/// `GET /v1/balance`.
pub(crate) async fn balance(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    let caller = authenticate(&state, &headers)?;
    let merchant = &caller.account.merchant;
    let generated = merchant.generated_balance();
    let (mut available, mut pending) = (generated.available, generated.pending);
    let now = state.clock.now();
    {
        let overlay = merchant
            .overlay
            .read()
            .map_err(|_| ApiFailure::internal())?;
        for transaction in &overlay.balance_transactions.added {
            if transaction.available_on > now {
                pending += transaction.net;
            } else {
                available += transaction.net;
            }
        }
    }
    let amount = |amount: i64| stripe::BalanceAmount {
        amount,
        currency: merchant.currency.to_owned(),
        source_types: Some([("card".to_owned(), amount)].into_iter().collect()),
    };
    Ok(json(&stripe::Balance {
        available: vec![amount(available)],
        pending: vec![amount(pending)],
        livemode: caller.mode.is_live(),
        ..Default::default()
    }))
}

/// Renders generated slot `n` of a resource straight into a page body; `false` (nothing
/// written) when the slot holds no object.
type Writer = fn(&Merchant, &mut Vec<u8>, u64) -> bool;

/// How one list request is answered: which objects, and how they are rendered.
struct PageSpec<'a, T> {
    resource: Resource,
    overlay: &'a Overlay<T>,
    build: &'a dyn Fn(u64) -> Option<T>,
    /// The endpoint's filters; `None` when the request has none.
    keep: Option<&'a dyn Fn(&T) -> bool>,
    /// A fast renderer of generated slots, used when nothing is filtered.
    writer: Option<Writer>,
    /// The only slots that can match, from an index (e.g. the prices of one product).
    candidates: Option<Vec<Slot>>,
}

fn collection<'a, T: ListItem>(
    merchant: &'a Merchant,
    resource: Resource,
    overlay: &'a Overlay<T>,
    build: &'a dyn Fn(u64) -> Option<T>,
    created_at: &'a dyn Fn(u64) -> i64,
    exists: &'a dyn Fn(u64) -> bool,
) -> Collection<'a, T> {
    Collection {
        len: merchant.len(resource),
        created_at,
        build,
        exists,
        overlay,
    }
}

fn page<T: ListItem>(
    merchant: &Merchant,
    spec: PageSpec<'_, T>,
    params: &ListParams,
) -> Result<bytes::Bytes, ApiFailure> {
    let resource = spec.resource;
    let created_at = |index| merchant.created_at(resource, index);
    let exists = |index| merchant.exists(resource, index);
    let collection = collection(
        merchant,
        resource,
        spec.overlay,
        spec.build,
        &created_at,
        &exists,
    );
    let locate = |id: &str| merchant.locate(resource, id);
    let always = |_: &T| true;
    let keep = match (spec.keep, spec.writer) {
        (None, Some(_)) => Keep::All,
        (keep, _) => Keep::Matching(keep.unwrap_or(&always)),
    };
    let candidates = spec.candidates.map(|slots| {
        let mut positions: Vec<u64> = slots
            .into_iter()
            .filter_map(|slot| collection.position(slot))
            .collect();
        positions.sort_unstable();
        positions.dedup();
        positions
    });
    let (items, has_more) = collection.page(
        params,
        resource.object(),
        &locate,
        &keep,
        candidates.as_deref(),
    )?;
    // Serialized like `stripe_wire::List`: object, data, has_more, url.
    let mut body = Vec::with_capacity(64 + items.len() * 1600);
    body.extend_from_slice(b"{\"object\":\"list\",\"data\":[");
    let mut first = true;
    for entry in &items {
        let mark = body.len();
        if !first {
            body.push(b',');
        }
        let wrote = match entry {
            Entry::Object(item) => {
                serde_json::to_writer(&mut body, item).map_err(|_| ApiFailure::internal())?;
                true
            }
            Entry::Generated(index) => match spec.writer {
                Some(writer) => writer(merchant, &mut body, *index),
                None => match (spec.build)(*index) {
                    Some(item) => {
                        serde_json::to_writer(&mut body, &item)
                            .map_err(|_| ApiFailure::internal())?;
                        true
                    }
                    None => false,
                },
            },
        };
        if wrote {
            first = false;
        } else {
            body.truncate(mark);
        }
    }
    body.extend_from_slice(if has_more {
        b"],\"has_more\":true,\"url\":"
    } else {
        b"],\"has_more\":false,\"url\":"
    });
    serde_json::to_writer(&mut body, &format!("/v1/{}", resource.path()))
        .map_err(|_| ApiFailure::internal())?;
    body.push(b'}');
    Ok(bytes::Bytes::from(body))
}

fn get_one<T: ListItem>(
    merchant: &Merchant,
    resource: Resource,
    overlay: &Overlay<T>,
    build: &dyn Fn(u64) -> Option<T>,
    id: &str,
) -> Result<Response, ApiFailure> {
    let created_at = |index| merchant.created_at(resource, index);
    let exists = |index| merchant.exists(resource, index);
    let collection = collection(merchant, resource, overlay, build, &created_at, &exists);
    let slot = merchant.locate(resource, id);
    if resource == Resource::Customers && slot.is_some_and(|slot| overlay.deleted.contains(&slot)) {
        return Ok(json(
            &serde_json::json!({ "id": id, "object": "customer", "deleted": true }),
        ));
    }
    slot.and_then(|slot| collection.get(slot))
        .map(|item| json(&item))
        .ok_or_else(|| ApiFailure::missing(resource.object(), id, Some("id")))
}

/// The price slots that can belong to `product`: the generated prices of a generated
/// product (slots `3p..3p+3`) and the prices added since start for it. O(its prices + added
/// prices), not a walk over every price.
fn prices_of_product(
    merchant: &Merchant,
    overlay: &crate::data::Overlays,
    product: &str,
) -> Vec<Slot> {
    let mut slots: Vec<Slot> = match merchant.locate(Resource::Products, product) {
        Some(Slot::Generated(index)) => (index * 3..index * 3 + 3).map(Slot::Generated).collect(),
        _ => Vec::new(),
    };
    slots.extend(
        overlay
            .prices
            .added
            .iter()
            .enumerate()
            .filter(|(_, price)| price.product.id() == product)
            .map(|(index, _)| Slot::Added(index as u64)),
    );
    slots
}

fn event_type_matches(pattern: &str, event_type: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => event_type.starts_with(prefix),
        None => pattern == event_type,
    }
}

/// `GET /v1/{resource}`.
pub(crate) async fn list(
    Extract(state): Extract<Arc<State>>,
    Path(resource): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    let Some(resource) = Resource::from_path(&resource) else {
        return Err(ApiFailure::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            None,
            format!("Unrecognized request URL (GET: /v1/{resource})."),
        ));
    };
    let caller = authenticate(&state, &headers)?;
    let merchant = &caller.account.merchant;
    let query = query.unwrap_or_default();
    let capacity = state.config.page_cache_bytes;
    let overlay = merchant
        .overlay
        .read()
        .map_err(|_| ApiFailure::internal())?;
    // The version cannot change while the read lock is held.
    let version = merchant.version.load(std::sync::atomic::Ordering::SeqCst);
    let key = (
        merchant.number,
        merchant.mode,
        format!("{}?{query}", resource.path()),
    );
    if capacity > 0 {
        if let Some(body) = state
            .pages
            .lock()
            .ok()
            .and_then(|pages| pages.get(&key, version))
        {
            return Ok(json_bytes(body));
        }
    }
    let body = list_page(merchant, resource, &overlay, &query, caller.mode.is_live())?;
    if capacity > 0 {
        if let Ok(mut pages) = state.pages.lock() {
            pages.put(key, version, body.clone(), capacity);
        }
    }
    Ok(json_bytes(body))
}

fn json_bytes(body: bytes::Bytes) -> Response {
    let mut response = axum::body::Body::from(body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn list_page(
    merchant: &Merchant,
    resource: Resource,
    overlay: &crate::data::Overlays,
    query: &str,
    livemode: bool,
) -> Result<bytes::Bytes, ApiFailure> {
    match resource {
        Resource::Customers => {
            let params = parse_list_params(query, &["email", "test_clock"])?;
            let email = params.filter("email").map(str::to_owned);
            page(
                merchant,
                PageSpec {
                    resource,
                    overlay: &overlay.customers,
                    build: &|index| merchant.customer(index),
                    keep: Some(&|customer: &stripe::Customer| {
                        email
                            .as_deref()
                            .is_none_or(|email| customer.email.as_deref() == Some(email))
                    }),
                    writer: None,
                    candidates: None,
                },
                &params,
            )
        }
        Resource::Products => {
            let params =
                parse_list_params(query, &["active", "ids[]", "shippable", "type", "url"])?;
            let active = bool_param(&params, "active")?;
            let shippable = bool_param(&params, "shippable")?;
            let ids: Vec<&str> = params.filter_values("ids[]");
            let kind = params.filter("type");
            let url = params.filter("url");
            page(
                merchant,
                PageSpec {
                    resource,
                    overlay: &overlay.products,
                    build: &|index| merchant.product(index),
                    keep: Some(&|product: &stripe::Product| {
                        active.is_none_or(|active| product.active == active)
                            && shippable
                                .is_none_or(|shippable| product.shippable == Some(shippable))
                            && (ids.is_empty() || ids.contains(&product.id.as_str()))
                            && kind.is_none_or(|kind| {
                                product
                                    .product_type
                                    .as_ref()
                                    .is_some_and(|have| have.as_str() == kind)
                            })
                            && url.is_none_or(|url| product.url.as_deref() == Some(url))
                    }),
                    writer: None,
                    candidates: None,
                },
                &params,
            )
        }
        Resource::Prices => {
            let params = parse_list_params(
                query,
                &[
                    "active",
                    "currency",
                    "lookup_keys[]",
                    "product",
                    "type",
                    "recurring[interval]",
                    "recurring[usage_type]",
                    "recurring[meter]",
                ],
            )?;
            // Like Stripe: only active prices unless `active=false` is asked for.
            let active = bool_param(&params, "active")?.unwrap_or(true);
            let currency = params.filter("currency");
            let product = params.filter("product");
            let kind = params.filter("type");
            let interval = params.filter("recurring[interval]");
            let lookup_keys: Vec<&str> = params.filter_values("lookup_keys[]");
            let tiers = wants_tiers(query);
            page(
                merchant,
                PageSpec {
                    resource,
                    overlay: &overlay.prices,
                    build: &|index| merchant.price(index, tiers),
                    candidates: product
                        .map(|product| prices_of_product(merchant, overlay, product)),
                    keep: Some(&|price: &stripe::Price| {
                        price.active == active
                            && currency.is_none_or(|currency| price.currency == currency)
                            && product.is_none_or(|product| price.product.id() == product)
                            && kind.is_none_or(|kind| price.price_type.as_str() == kind)
                            && interval.is_none_or(|interval| {
                                price.recurring.as_ref().is_some_and(|recurring| {
                                    recurring.interval.as_str() == interval
                                })
                            })
                            && (lookup_keys.is_empty()
                                || price
                                    .lookup_key
                                    .as_deref()
                                    .is_some_and(|key| lookup_keys.contains(&key)))
                    }),
                    writer: None,
                },
                &params,
            )
        }
        Resource::PaymentIntents => {
            let params = parse_list_params(query, &["customer", "customer_account"])?;
            let customer = params.filter("customer");
            page(
                merchant,
                PageSpec {
                    resource,
                    overlay: &overlay.payment_intents,
                    build: &|index| merchant.payment_intent(index),
                    keep: Some(&|intent: &stripe::PaymentIntent| {
                        customer
                            .is_none_or(|customer| expanded_id(&intent.customer) == Some(customer))
                    }),
                    writer: None,
                    candidates: None,
                },
                &params,
            )
        }
        Resource::Charges => {
            let params =
                parse_list_params(query, &["customer", "payment_intent", "transfer_group"])?;
            let customer = params.filter("customer");
            let intent = params.filter("payment_intent");
            let group = params.filter("transfer_group");
            let keep = |charge: &stripe::Charge| {
                customer.is_none_or(|customer| expanded_id(&charge.customer) == Some(customer))
                    && intent
                        .is_none_or(|intent| expanded_id(&charge.payment_intent) == Some(intent))
                    && group.is_none_or(|group| charge.transfer_group.as_deref() == Some(group))
            };
            let filtered = customer.is_some() || intent.is_some() || group.is_some();
            page(
                merchant,
                PageSpec {
                    resource,
                    overlay: &overlay.charges,
                    build: &|index| merchant.charge(index),
                    keep: filtered.then_some(&keep as &dyn Fn(&stripe::Charge) -> bool),
                    writer: Some(Merchant::write_charge_json),
                    candidates: None,
                },
                &params,
            )
        }
        Resource::Refunds => {
            let params = parse_list_params(query, &["charge", "payment_intent"])?;
            let charge = params.filter("charge");
            let intent = params.filter("payment_intent");
            page(
                merchant,
                PageSpec {
                    resource,
                    overlay: &overlay.refunds,
                    build: &|index| merchant.refund(index),
                    keep: Some(&|refund: &stripe::Refund| {
                        charge.is_none_or(|charge| expanded_id(&refund.charge) == Some(charge))
                            && intent.is_none_or(|intent| {
                                expanded_id(&refund.payment_intent) == Some(intent)
                            })
                    }),
                    writer: None,
                    candidates: None,
                },
                &params,
            )
        }
        Resource::Disputes => {
            let params = parse_list_params(query, &["charge", "payment_intent"])?;
            let charge = params.filter("charge");
            let intent = params.filter("payment_intent");
            page(
                merchant,
                PageSpec {
                    resource,
                    overlay: &overlay.disputes,
                    build: &|index| merchant.dispute(index),
                    keep: Some(&|dispute: &stripe::Dispute| {
                        charge.is_none_or(|charge| dispute.charge.id() == charge)
                            && intent.is_none_or(|intent| {
                                expanded_id(&dispute.payment_intent) == Some(intent)
                            })
                    }),
                    writer: None,
                    candidates: None,
                },
                &params,
            )
        }
        Resource::BalanceTransactions => {
            let params = parse_list_params(query, &["currency", "payout", "source", "type"])?;
            let currency = params.filter("currency");
            let source = params.filter("source");
            let kind = params.filter("type");
            let payout = match params.filter("payout") {
                Some(payout) => Some(
                    merchant
                        .locate(Resource::Payouts, payout)
                        .ok_or_else(|| ApiFailure::missing("payout", payout, Some("payout")))?,
                ),
                None => None,
            };
            page(
                merchant,
                PageSpec {
                    resource,
                    overlay: &overlay.balance_transactions,
                    build: &|index| merchant.balance_transaction(index),
                    keep: Some(&|transaction: &stripe::BalanceTransaction| {
                        currency.is_none_or(|currency| transaction.currency == currency)
                            && source.is_none_or(|source| {
                                expanded_id(&transaction.source) == Some(source)
                            })
                            && kind.is_none_or(|kind| transaction.transaction_type.as_str() == kind)
                            && payout.is_none_or(|payout| {
                                merchant.paid_out_by(&transaction.id) == Some(payout)
                            })
                    }),
                    writer: None,
                    candidates: None,
                },
                &params,
            )
        }
        Resource::Payouts => {
            let params = parse_list_params(
                query,
                &[
                    "status",
                    "destination",
                    "arrival_date",
                    "arrival_date[gt]",
                    "arrival_date[gte]",
                    "arrival_date[lt]",
                    "arrival_date[lte]",
                ],
            )?;
            let status = params.filter("status");
            let destination = params.filter("destination");
            page(
                merchant,
                PageSpec {
                    resource,
                    overlay: &overlay.payouts,
                    build: &|index| merchant.payout(index),
                    keep: Some(&|payout: &stripe::Payout| {
                        status.is_none_or(|status| payout.status.as_str() == status)
                            && destination.is_none_or(|destination| {
                                expanded_id(&payout.destination) == Some(destination)
                            })
                    }),
                    writer: None,
                    candidates: None,
                },
                &params,
            )
        }
        Resource::Events => {
            let params = parse_list_params(query, &["type", "types[]", "delivery_success"])?;
            let single = params.filter("type");
            let many: Vec<&str> = params.filter_values("types[]");
            if single.is_some() && !many.is_empty() {
                return Err(ApiFailure::invalid(
                    None,
                    Some("types"),
                    "You may only specify one of these parameters: type, types.",
                ));
            }
            if many.len() > 20 {
                return Err(ApiFailure::invalid(
                    None,
                    Some("types"),
                    "You may pass at most 20 event types.",
                ));
            }
            page(
                merchant,
                PageSpec {
                    resource,
                    overlay: &overlay.events,
                    build: &|index| merchant.event(index),
                    keep: Some(&|event: &stripe::Event| {
                        event.livemode == livemode
                            && single.is_none_or(|pattern| {
                                event_type_matches(pattern, &event.event_type)
                            })
                            && (many.is_empty()
                                || many
                                    .iter()
                                    .any(|pattern| event_type_matches(pattern, &event.event_type)))
                    }),
                    writer: None,
                    candidates: None,
                },
                &params,
            )
        }
    }
}

/// `GET /v1/{resource}/{id}`.
pub(crate) async fn retrieve(
    Extract(state): Extract<Arc<State>>,
    Path((resource, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    let Some(resource) = Resource::from_path(&resource) else {
        return Err(ApiFailure::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            None,
            format!("Unrecognized request URL (GET: /v1/{resource}/{id})."),
        ));
    };
    let caller = authenticate(&state, &headers)?;
    let merchant = &caller.account.merchant;
    let overlay = merchant
        .overlay
        .read()
        .map_err(|_| ApiFailure::internal())?;
    let tiers = wants_tiers(query.as_deref().unwrap_or_default());
    match resource {
        Resource::Customers => get_one(
            merchant,
            resource,
            &overlay.customers,
            &|index| merchant.customer(index),
            &id,
        ),
        Resource::Products => get_one(
            merchant,
            resource,
            &overlay.products,
            &|index| merchant.product(index),
            &id,
        ),
        Resource::Prices => get_one(
            merchant,
            resource,
            &overlay.prices,
            &|index| merchant.price(index, tiers),
            &id,
        ),
        Resource::PaymentIntents => get_one(
            merchant,
            resource,
            &overlay.payment_intents,
            &|index| merchant.payment_intent(index),
            &id,
        ),
        Resource::Charges => get_one(
            merchant,
            resource,
            &overlay.charges,
            &|index| merchant.charge(index),
            &id,
        ),
        Resource::Refunds => get_one(
            merchant,
            resource,
            &overlay.refunds,
            &|index| merchant.refund(index),
            &id,
        ),
        Resource::Disputes => get_one(
            merchant,
            resource,
            &overlay.disputes,
            &|index| merchant.dispute(index),
            &id,
        ),
        Resource::BalanceTransactions => get_one(
            merchant,
            resource,
            &overlay.balance_transactions,
            &|index| merchant.balance_transaction(index),
            &id,
        ),
        Resource::Payouts => get_one(
            merchant,
            resource,
            &overlay.payouts,
            &|index| merchant.payout(index),
            &id,
        ),
        Resource::Events => get_one(
            merchant,
            resource,
            &overlay.events,
            &|index| merchant.event(index),
            &id,
        ),
    }
}
