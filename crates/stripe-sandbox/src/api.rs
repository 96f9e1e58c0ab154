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
use crate::list::{parse_list_params, Collection, ListItem, ListParams, Overlay};
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

fn page<T: ListItem>(
    merchant: &Merchant,
    resource: Resource,
    overlay: &Overlay<T>,
    build: &dyn Fn(u64) -> Option<T>,
    params: &ListParams,
    keep: &dyn Fn(&T) -> bool,
) -> Result<Response, ApiFailure> {
    let created_at = |index| merchant.created_at(resource, index);
    let collection = Collection {
        len: merchant.len(resource),
        created_at: &created_at,
        build,
        overlay,
    };
    let locate = |id: &str| merchant.locate(resource, id);
    let (items, has_more) = collection.page(params, resource.object(), &locate, keep)?;
    Ok(json(&stripe::List::new(
        items,
        has_more,
        format!("/v1/{}", resource.path()),
    )))
}

fn get_one<T: ListItem>(
    merchant: &Merchant,
    resource: Resource,
    overlay: &Overlay<T>,
    build: &dyn Fn(u64) -> Option<T>,
    id: &str,
) -> Result<Response, ApiFailure> {
    let created_at = |index| merchant.created_at(resource, index);
    let collection = Collection {
        len: merchant.len(resource),
        created_at: &created_at,
        build,
        overlay,
    };
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
    let overlay = merchant
        .overlay
        .read()
        .map_err(|_| ApiFailure::internal())?;
    match resource {
        Resource::Customers => {
            let params = parse_list_params(&query, &["email", "test_clock"])?;
            let email = params.filter("email").map(str::to_owned);
            page(
                merchant,
                resource,
                &overlay.customers,
                &|index| merchant.customer(index),
                &params,
                &|customer: &stripe::Customer| {
                    email
                        .as_deref()
                        .is_none_or(|email| customer.email.as_deref() == Some(email))
                },
            )
        }
        Resource::Products => {
            let params =
                parse_list_params(&query, &["active", "ids[]", "shippable", "type", "url"])?;
            let active = bool_param(&params, "active")?;
            let shippable = bool_param(&params, "shippable")?;
            let ids: Vec<&str> = params.filter_values("ids[]");
            let kind = params.filter("type");
            let url = params.filter("url");
            page(
                merchant,
                resource,
                &overlay.products,
                &|index| merchant.product(index),
                &params,
                &|product: &stripe::Product| {
                    active.is_none_or(|active| product.active == active)
                        && shippable.is_none_or(|shippable| product.shippable == Some(shippable))
                        && (ids.is_empty() || ids.contains(&product.id.as_str()))
                        && kind.is_none_or(|kind| {
                            product
                                .product_type
                                .as_ref()
                                .is_some_and(|have| have.as_str() == kind)
                        })
                        && url.is_none_or(|url| product.url.as_deref() == Some(url))
                },
            )
        }
        Resource::Prices => {
            let params = parse_list_params(
                &query,
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
            let tiers = wants_tiers(&query);
            page(
                merchant,
                resource,
                &overlay.prices,
                &|index| merchant.price(index, tiers),
                &params,
                &|price: &stripe::Price| {
                    price.active == active
                        && currency.is_none_or(|currency| price.currency == currency)
                        && product.is_none_or(|product| price.product.id() == product)
                        && kind.is_none_or(|kind| price.price_type.as_str() == kind)
                        && interval.is_none_or(|interval| {
                            price
                                .recurring
                                .as_ref()
                                .is_some_and(|recurring| recurring.interval.as_str() == interval)
                        })
                        && (lookup_keys.is_empty()
                            || price
                                .lookup_key
                                .as_deref()
                                .is_some_and(|key| lookup_keys.contains(&key)))
                },
            )
        }
        Resource::PaymentIntents => {
            let params = parse_list_params(&query, &["customer", "customer_account"])?;
            let customer = params.filter("customer");
            page(
                merchant,
                resource,
                &overlay.payment_intents,
                &|index| merchant.payment_intent(index),
                &params,
                &|intent: &stripe::PaymentIntent| {
                    customer.is_none_or(|customer| expanded_id(&intent.customer) == Some(customer))
                },
            )
        }
        Resource::Charges => {
            let params =
                parse_list_params(&query, &["customer", "payment_intent", "transfer_group"])?;
            let customer = params.filter("customer");
            let intent = params.filter("payment_intent");
            let group = params.filter("transfer_group");
            page(
                merchant,
                resource,
                &overlay.charges,
                &|index| merchant.charge(index),
                &params,
                &|charge: &stripe::Charge| {
                    customer.is_none_or(|customer| expanded_id(&charge.customer) == Some(customer))
                        && intent.is_none_or(|intent| {
                            expanded_id(&charge.payment_intent) == Some(intent)
                        })
                        && group.is_none_or(|group| charge.transfer_group.as_deref() == Some(group))
                },
            )
        }
        Resource::Refunds => {
            let params = parse_list_params(&query, &["charge", "payment_intent"])?;
            let charge = params.filter("charge");
            let intent = params.filter("payment_intent");
            page(
                merchant,
                resource,
                &overlay.refunds,
                &|index| merchant.refund(index),
                &params,
                &|refund: &stripe::Refund| {
                    charge.is_none_or(|charge| expanded_id(&refund.charge) == Some(charge))
                        && intent.is_none_or(|intent| {
                            expanded_id(&refund.payment_intent) == Some(intent)
                        })
                },
            )
        }
        Resource::Disputes => {
            let params = parse_list_params(&query, &["charge", "payment_intent"])?;
            let charge = params.filter("charge");
            let intent = params.filter("payment_intent");
            page(
                merchant,
                resource,
                &overlay.disputes,
                &|index| merchant.dispute(index),
                &params,
                &|dispute: &stripe::Dispute| {
                    charge.is_none_or(|charge| dispute.charge.id() == charge)
                        && intent.is_none_or(|intent| {
                            expanded_id(&dispute.payment_intent) == Some(intent)
                        })
                },
            )
        }
        Resource::BalanceTransactions => {
            let params = parse_list_params(&query, &["currency", "payout", "source", "type"])?;
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
                resource,
                &overlay.balance_transactions,
                &|index| merchant.balance_transaction(index),
                &params,
                &|transaction: &stripe::BalanceTransaction| {
                    currency.is_none_or(|currency| transaction.currency == currency)
                        && source
                            .is_none_or(|source| expanded_id(&transaction.source) == Some(source))
                        && kind.is_none_or(|kind| transaction.transaction_type.as_str() == kind)
                        && payout.is_none_or(|payout| {
                            merchant.paid_out_by(&transaction.id) == Some(payout)
                        })
                },
            )
        }
        Resource::Payouts => {
            let params = parse_list_params(
                &query,
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
                resource,
                &overlay.payouts,
                &|index| merchant.payout(index),
                &params,
                &|payout: &stripe::Payout| {
                    status.is_none_or(|status| payout.status.as_str() == status)
                        && destination.is_none_or(|destination| {
                            expanded_id(&payout.destination) == Some(destination)
                        })
                },
            )
        }
        Resource::Events => {
            let params = parse_list_params(&query, &["type", "types[]", "delivery_success"])?;
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
            let livemode = caller.mode.is_live();
            page(
                merchant,
                resource,
                &overlay.events,
                &|index| merchant.event(index),
                &params,
                &|event: &stripe::Event| {
                    event.livemode == livemode
                        && single
                            .is_none_or(|pattern| event_type_matches(pattern, &event.event_type))
                        && (many.is_empty()
                            || many
                                .iter()
                                .any(|pattern| event_type_matches(pattern, &event.event_type)))
                },
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
