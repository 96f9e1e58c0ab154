//! The prices of a products backfill, read beside the products list instead of per product: a
//! merge join of the products list with the two price lists.
//!
//! `/v1/products` and `/v1/prices` both list newest first by `created`, and a price is created
//! at or after its product (it needs an existing product). So once both price lists
//! (`/v1/prices?active=true` and `?active=false`, as Stripe lists only active prices unless
//! asked for inactive ones) have been read until the last price read is older than the oldest
//! product of a page, or to their end, every price of every product of that page has been read.
//! Prices are held by product id until their product's page maps them; prices of products on
//! later pages stay held.
//!
//! Memory: the prices read ahead of their product's page. That is a page or two in practice; the
//! worst case is prices created long after their product (e.g. a catalog whose prices were all
//! added after all its products), each held from when it is read until its product's page.
//! Prices of products the products list does not show (deleted ones) are held until the end of
//! the backfill.
//!
//! A pull resumed from a mid-way cursor walks both price lists from their top again, which reads
//! the prices of the products already stored before the cursor. Holding them would keep every
//! such price until the end, so a resumed walk has a horizon: the newest `created` of the first
//! product page it maps. Every price of a product before the cursor was created at or after it,
//! and no price created before it can belong to such a product. Prices at or after the horizon
//! are not held: their product id is noted, and those products, when their page comes, have
//! their prices read per product as incremental pulls do (usually only the first product or two
//! of the resumed page; more when prices were created long after their products).

use std::collections::{HashMap, HashSet};

use commerce_model::platform::{PlatformError, RecordIssue};
use serde_json::Value;
use stripe_client::{ListParams, StripeClient, StripeError};
use stripe_wire as stripe;

use super::changes::{decode, Changes};
use super::errors::from_stripe;

/// The price list path.
const PRICES: &str = "/v1/prices";

/// One price list (`active=true` or `active=false`), read page by page.
#[derive(Debug)]
struct PriceList {
    /// The `active` filter.
    active: &'static str,
    /// The last price id read (`starting_after`).
    after: Option<String>,
    /// The `created` of the last price read that has one.
    last_created: Option<i64>,
    /// No more pages.
    done: bool,
}

impl PriceList {
    fn new(active: &'static str) -> Self {
        Self {
            active,
            after: None,
            last_created: None,
            done: false,
        }
    }

    /// Reads pages until the last price read was created before `oldest`, or the list ends;
    /// returns the prices read, raw.
    async fn read_until_before(
        &mut self,
        client: &StripeClient,
        oldest: i64,
    ) -> Result<Vec<Value>, PlatformError> {
        let mut read = Vec::new();
        while !self.done && self.last_created.is_none_or(|created| created >= oldest) {
            let params = ListParams::new()
                .filter("active", self.active)
                .with_cursor(self.after.clone());
            let page = client
                .list_page::<Value>(PRICES, &params)
                .await
                .map_err(from_stripe)?;
            if page.has_more && !page.data.is_empty() && page.cursor == self.after {
                return Err(from_stripe(StripeError::PagingStalled {
                    path: PRICES.to_owned(),
                    cursor: page.cursor.unwrap_or_default(),
                }));
            }
            // Newest first: the last price with a `created` is the oldest read so far. A page
            // without one leaves the position as it was, so reading goes on.
            if let Some(created) = page.data.iter().rev().find_map(created) {
                self.last_created = Some(created);
            }
            self.done = !page.has_more || page.data.is_empty();
            self.after = page.cursor;
            read.extend(page.data);
        }
        Ok(read)
    }
}

/// What the walk knows of one product's prices.
#[derive(Debug)]
pub(crate) enum ProductPrices {
    /// Every price of the product (none when it has none).
    Read(Vec<stripe::Price>),
    /// A price of the product did not decode: the product is an issue, not a record.
    Unreadable(RecordIssue),
    /// The product has a price past a resumed walk's horizon: read its prices per product.
    ReadPerProduct,
}

/// The price lists of one products backfill and the prices read but not used yet.
#[derive(Debug)]
pub(crate) struct PriceWalk {
    active: PriceList,
    inactive: PriceList,
    /// Prices read whose product has not been mapped yet, by product id.
    held: HashMap<String, Vec<stripe::Price>>,
    /// Products with a price that did not decode, with the first such price's issue.
    unreadable: HashMap<String, RecordIssue>,
    /// On a resumed walk, prices created at or after this are not held (see the module docs).
    horizon: Option<i64>,
    /// Products with a price at or after the horizon.
    per_product: HashSet<String>,
}

impl PriceWalk {
    /// A walk from the top of both price lists; `horizon` for a pull resumed mid-way: the
    /// newest `created` of the first product page it maps.
    pub(crate) fn new(horizon: Option<i64>) -> Self {
        Self {
            active: PriceList::new("true"),
            inactive: PriceList::new("false"),
            held: HashMap::new(),
            unreadable: HashMap::new(),
            horizon,
            per_product: HashSet::new(),
        }
    }

    /// Reads both price lists (at the same time) until each one's last price was created before
    /// `oldest`, the oldest `created` of a product page, or it ends. Prices naming no product
    /// are issues in `changes`.
    pub(crate) async fn read_until_before(
        &mut self,
        client: &StripeClient,
        oldest: i64,
        changes: &mut Changes,
    ) -> Result<(), PlatformError> {
        let (active, inactive) = futures::try_join!(
            self.active.read_until_before(client, oldest),
            self.inactive.read_until_before(client, oldest),
        )?;
        for value in active.into_iter().chain(inactive) {
            self.hold(value, changes);
        }
        Ok(())
    }

    /// Keeps one raw price for its product.
    fn hold(&mut self, value: Value, changes: &mut Changes) {
        let product = product_id(&value).map(str::to_owned);
        match decode::<stripe::Price>("price", value) {
            Ok(price) => {
                let product = price.product.id().to_owned();
                if product.is_empty() {
                    changes.issue(&price.id, format!("price {}: no product", price.id));
                } else if self.horizon.is_some_and(|horizon| price.created >= horizon) {
                    self.held.remove(&product);
                    self.per_product.insert(product);
                } else if !self.per_product.contains(&product) {
                    let prices = self.held.entry(product).or_default();
                    // A price that changed lists while both were read is listed twice: the
                    // copy read last stays.
                    prices.retain(|held| held.id != price.id);
                    prices.push(price);
                }
            }
            Err(issue) => match product {
                Some(product) => {
                    self.unreadable.entry(product).or_insert(issue);
                }
                None => changes.issues.push(issue),
            },
        }
    }

    /// The prices of `product`, which leave the walk. Call it once every price of the product
    /// has been read (see [`PriceWalk::read_until_before`]).
    pub(crate) fn take(&mut self, product: &str) -> ProductPrices {
        let held = self.held.remove(product).unwrap_or_default();
        let per_product = self.per_product.remove(product);
        if let Some(issue) = self.unreadable.remove(product) {
            ProductPrices::Unreadable(issue)
        } else if per_product {
            ProductPrices::ReadPerProduct
        } else {
            ProductPrices::Read(held)
        }
    }
}

/// A raw object's `created`.
fn created(value: &Value) -> Option<i64> {
    value.get("created").and_then(Value::as_i64)
}

/// The product id of a raw price (`product` is an id or an expanded product), if readable.
fn product_id(value: &Value) -> Option<&str> {
    let product = value.get("product")?;
    product
        .as_str()
        .or_else(|| product.get("id").and_then(Value::as_str))
        .filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn price(id: &str, product: &str, created: i64, active: bool) -> Value {
        json!({
            "id": id, "object": "price", "active": active, "billing_scheme": "per_unit",
            "created": created, "currency": "usd", "product": product, "type": "one_time",
            "unit_amount": 500
        })
    }

    fn ids(prices: &ProductPrices) -> Vec<&str> {
        match prices {
            ProductPrices::Read(prices) => prices.iter().map(|price| price.id.as_str()).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn prices_are_held_by_product_until_taken() {
        let mut walk = PriceWalk::new(None);
        let mut changes = Changes::default();
        walk.hold(price("price_1", "prod_a", 100, true), &mut changes);
        walk.hold(price("price_2", "prod_b", 90, false), &mut changes);
        walk.hold(price("price_3", "prod_a", 80, false), &mut changes);
        // Listed in both lists (deactivated between the two reads): once, the later copy.
        walk.hold(price("price_1", "prod_a", 100, false), &mut changes);
        assert!(changes.issues.is_empty());
        let a = walk.take("prod_a");
        assert_eq!(ids(&a), ["price_3", "price_1"]);
        if let ProductPrices::Read(prices) = &a {
            assert!(!prices[1].active);
        }
        assert_eq!(ids(&walk.take("prod_b")), ["price_2"]);
        assert_eq!(ids(&walk.take("prod_a")), Vec::<&str>::new(), "taken once");
        assert!(walk.held.is_empty());
    }

    #[test]
    fn an_unreadable_price_is_its_products_issue_or_its_own() {
        let mut walk = PriceWalk::new(None);
        let mut changes = Changes::default();
        walk.hold(price("price_ok", "prod_a", 100, true), &mut changes);
        let mut bad = price("price_bad", "prod_a", 99, true);
        bad["unit_amount"] = json!("five");
        walk.hold(bad, &mut changes);
        let mut expanded = price("price_bad2", "prod_b", 98, true);
        expanded["product"] = json!({"id": "prod_b", "object": "product"});
        expanded["created"] = json!("yesterday");
        walk.hold(expanded, &mut changes);
        let mut orphan = price("price_orphan", "prod_c", 97, true);
        orphan["product"] = json!(42);
        walk.hold(orphan, &mut changes);
        let mut no_product = price("price_none", "", 96, true);
        no_product.as_object_mut().unwrap().remove("product");
        walk.hold(no_product, &mut changes);

        match walk.take("prod_a") {
            ProductPrices::Unreadable(issue) => {
                assert_eq!(issue.id.as_deref(), Some("price_bad"));
                assert!(issue.message.contains("unit_amount"), "{}", issue.message);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            walk.take("prod_b"),
            ProductPrices::Unreadable(issue) if issue.message.contains("created")
        ));
        let issue_ids: Vec<_> = changes.issues.iter().map(|i| i.id.as_deref()).collect();
        assert_eq!(issue_ids, [Some("price_orphan"), Some("price_none")]);
        assert!(walk.held.is_empty() && walk.unreadable.is_empty());
    }

    #[test]
    fn a_resumed_walk_holds_nothing_past_its_horizon() {
        let mut walk = PriceWalk::new(Some(1000));
        let mut changes = Changes::default();
        // Prices of products stored before the cursor, and a late price of a later product.
        walk.hold(
            price("price_old_1", "prod_stored", 1200, true),
            &mut changes,
        );
        walk.hold(price("price_late", "prod_later", 1100, true), &mut changes);
        walk.hold(price("price_at", "prod_first", 1000, true), &mut changes);
        walk.hold(price("price_below", "prod_later", 900, true), &mut changes);
        walk.hold(price("price_next", "prod_next", 999, true), &mut changes);
        assert!(walk.held.keys().all(|product| product == "prod_next"));
        assert!(matches!(
            walk.take("prod_first"),
            ProductPrices::ReadPerProduct
        ));
        assert!(matches!(
            walk.take("prod_later"),
            ProductPrices::ReadPerProduct
        ));
        assert_eq!(ids(&walk.take("prod_next")), ["price_next"]);
        assert_eq!(
            walk.per_product.len(),
            1,
            "only the stored product's id stays"
        );
    }
}
