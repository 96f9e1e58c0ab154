//! Products from a Stripe `Product` and its `Price`s: one variant per price.

use commerce_model as commerce;
use stripe_wire as stripe;

use crate::address::non_empty;
use crate::date::timestamp;
use crate::error::MapError;
use crate::mapped::{Deletion, Mapped};
use crate::money::CurrencyCode;
use crate::require_id;

/// Maps a product with its prices (active and inactive) into a product with one variant per price,
/// ordered by the price's `created` (then id).
///
/// `prices` must all belong to `product`: a price of another product is an
/// [`MapError::InvalidField`] on `price.product`. Deleted prices are not variants and are skipped.
/// A deleted product gives a [`Mapped::Deleted`].
pub fn map_product(
    product: &stripe::Product,
    prices: &[stripe::Price],
) -> Result<Mapped<commerce::Product>, MapError> {
    let id = require_id("product", &product.id)?;
    if product.deleted {
        return Ok(Mapped::Deleted(Deletion { id: id.to_owned() }));
    }
    let mut live_prices: Vec<&stripe::Price> =
        prices.iter().filter(|price| !price.deleted).collect();
    for price in &live_prices {
        if price.product.id() != id {
            return Err(MapError::InvalidField {
                object: "price",
                id: price.id.clone(),
                field: "product",
                value: price.product.id().to_owned(),
            });
        }
    }
    live_prices.sort_by(|left, right| {
        left.created
            .cmp(&right.created)
            .then_with(|| left.id.cmp(&right.id))
    });
    let variants = live_prices
        .into_iter()
        .map(|price| variant(product, price))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Mapped::Record(commerce::Product {
        id: id.to_owned(),
        name: non_empty(Some(&product.name)),
        description: non_empty(product.description.as_deref()),
        is_gift_card: Some(false),
        status: Some(published(product.active)),
        variants: Some(variants),
        created_date: timestamp(Some(product.created), "product", id, "created")?,
        source_modified_date: timestamp(Some(product.updated), "product", id, "updated")?,
        ..Default::default()
    }))
}

fn variant(
    product: &stripe::Product,
    price: &stripe::Price,
) -> Result<commerce::ProductVariant, MapError> {
    let id = require_id("price", &price.id)?;
    let currency = CurrencyCode::require(Some(&price.currency), "price", id, "currency")?;
    let unit_price = if price.billing_scheme.as_str() == "tiered" {
        None
    } else if let Some(minor) = price.unit_amount {
        Some(currency.major(minor))
    } else if let Some(decimal) = non_empty(price.unit_amount_decimal.as_deref()) {
        Some(currency.major_from_decimal_str(&decimal, "price", id, "unit_amount_decimal")?)
    } else {
        None
    };
    let name = non_empty(price.nickname.as_deref())
        .unwrap_or_else(|| format!("{} - Standard Price", product.name));
    let is_tax_enabled = matches!(
        price
            .tax_behavior
            .as_ref()
            .map(|behavior| behavior.as_str()),
        Some("inclusive" | "exclusive")
    );
    Ok(commerce::ProductVariant {
        id: id.to_owned(),
        name: Some(name),
        is_tax_enabled: Some(is_tax_enabled),
        unit_of_measure: non_empty(product.unit_label.as_deref()),
        prices: Some(vec![commerce::ProductPrice {
            currency: Some(currency.as_str().to_owned()),
            unit_price,
        }]),
        shipping_required: Some(product.shippable.unwrap_or(false)),
        status: Some(published(price.active)),
        created_date: timestamp(Some(price.created), "price", id, "created")?,
        ..Default::default()
    })
}

fn published(active: bool) -> commerce::ProductVariantStatus {
    if active {
        commerce::ProductVariantStatus::Published
    } else {
        commerce::ProductVariantStatus::Unpublished
    }
}
