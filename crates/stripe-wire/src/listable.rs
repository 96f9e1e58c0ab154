//! [`Listable`]: what a resource's list endpoint is, so a client cannot pair a type with the
//! wrong path.

use crate::{
    BalanceTransaction, Charge, Customer, Dispute, Event, HasId, PaymentIntent, Payout, Price,
    Product, Refund,
};

/// A resource with a list endpoint: its path and the endpoint-specific filters Stripe documents
/// for it (besides `limit`, `starting_after`, `ending_before`, `created` and `expand[]`, which
/// every list here takes).
///
/// A filter is named as sent, without the `[]` of array filters (`types` for `types[]`).
pub trait Listable: HasId {
    /// The list endpoint, e.g. `/v1/customers`.
    const LIST_PATH: &'static str;
    /// The endpoint-specific filters, e.g. `["email", "test_clock"]` for customers.
    const FILTERS: &'static [&'static str];

    /// Whether `key` (as sent, e.g. `types[]` or `recurring[interval]`) is one of
    /// [`Listable::FILTERS`].
    fn accepts_filter(key: &str) -> bool {
        let name = key.split('[').next().unwrap_or(key);
        Self::FILTERS.contains(&name)
    }
}

macro_rules! listable {
    ($($type:ty => $path:literal, [$($filter:literal),* $(,)?];)*) => {
        $(
            impl Listable for $type {
                const LIST_PATH: &'static str = $path;
                const FILTERS: &'static [&'static str] = &[$($filter),*];
            }
        )*
    };
}

listable! {
    BalanceTransaction => "/v1/balance_transactions", ["currency", "payout", "source", "type"];
    Charge => "/v1/charges", ["customer", "payment_intent", "transfer_group"];
    Customer => "/v1/customers", ["email", "test_clock"];
    Dispute => "/v1/disputes", ["charge", "payment_intent"];
    Event => "/v1/events", ["delivery_success", "type", "types"];
    PaymentIntent => "/v1/payment_intents", ["customer"];
    Payout => "/v1/payouts", ["arrival_date", "destination", "status"];
    Price => "/v1/prices", ["active", "currency", "lookup_keys", "product", "recurring", "type"];
    Product => "/v1/products", ["active", "ids", "shippable", "url"];
    Refund => "/v1/refunds", ["charge", "payment_intent"];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_matched_by_name_without_brackets() {
        assert!(Event::accepts_filter("types[]"));
        assert!(Price::accepts_filter("recurring[interval]"));
        assert!(Customer::accepts_filter("email"));
        assert!(!Customer::accepts_filter("payment_intent"));
        assert_eq!(Charge::LIST_PATH, "/v1/charges");
    }
}
