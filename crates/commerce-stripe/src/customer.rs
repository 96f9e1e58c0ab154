//! Customers from Stripe `Customer`s.

use commerce_model as commerce;
use stripe_wire as stripe;

use crate::address::{address, non_empty};
use crate::date::timestamp;
use crate::error::MapError;
use crate::mapped::{Deletion, Mapped};
use crate::money::CurrencyCode;

/// Maps a Stripe customer; a deleted customer gives a [`Mapped::Deleted`].
pub fn map_customer(customer: &stripe::Customer) -> Result<Mapped<commerce::Customer>, MapError> {
    let id = customer.id.as_str();
    if id.is_empty() {
        return Err(MapError::MissingField {
            object: "customer",
            id: String::new(),
            field: "id",
        });
    }
    if customer.deleted {
        return Ok(Mapped::Deleted(Deletion { id: id.to_owned() }));
    }
    let addresses: Vec<commerce::Address> = [
        address(customer.address.as_ref(), commerce::AddressType::Billing),
        address(
            customer
                .shipping
                .as_ref()
                .and_then(|shipping| shipping.address.as_ref()),
            commerce::AddressType::Delivery,
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let default_currency =
        CurrencyCode::parse(customer.currency.as_deref(), "customer", id, "currency")?;
    Ok(Mapped::Record(commerce::Customer {
        id: id.to_owned(),
        customer_name: non_empty(customer.name.as_deref())
            .or_else(|| non_empty(customer.business_name.as_deref()))
            .or_else(|| non_empty(customer.individual_name.as_deref())),
        email_address: non_empty(customer.email.as_deref()),
        phone: non_empty(customer.phone.as_deref()),
        default_currency: default_currency.map(|code| code.as_str().to_owned()),
        addresses: Some(addresses),
        note: non_empty(customer.description.as_deref()),
        created_date: timestamp(Some(customer.created), "customer", id, "created")?,
        ..Default::default()
    }))
}
