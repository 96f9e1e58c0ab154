//! Quokka's customers and payments into `commerce_model` records: pure functions.
//!
//! Quokka writes amounts as integers in ISO 4217 minor units, so the model's currency table
//! (`commerce_model::currency`) turns them into major units; a currency ISO does not list is a
//! bad record.

use commerce_model::platform::Record;
use commerce_model::{Customer, Payment, PaymentStatus, PaymentType, Timestamp};
use rust_decimal::Decimal;
use serde::Deserialize;

/// A Quokka customer as its API writes it.
#[derive(Debug, Clone, Deserialize)]
pub struct QuokkaCustomer {
    /// `cus_...`.
    pub id: String,
    /// Full name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Preferred currency, lower case.
    pub currency: Option<String>,
    /// Creation time, unix seconds.
    pub created: i64,
    /// Last change, unix seconds.
    pub updated: i64,
}

/// A Quokka payment as its API writes it.
#[derive(Debug, Clone, Deserialize)]
pub struct QuokkaPayment {
    /// `pay_...`.
    pub id: String,
    /// Amount in minor units.
    pub amount: i64,
    /// Currency, lower case.
    pub currency: String,
    /// `succeeded`, `pending`, `failed` or `cancelled`.
    pub status: String,
    /// `card` or `cash`.
    pub method: Option<String>,
    /// Creation time, unix seconds.
    pub created: i64,
    /// Last change, unix seconds.
    pub updated: i64,
}

fn time(seconds: i64, field: &str) -> Result<Timestamp, String> {
    Timestamp::from_unix_seconds(seconds)
        .ok_or_else(|| format!("{field} {seconds} is out of range"))
}

/// A customer record.
pub fn map_customer(customer: &QuokkaCustomer) -> Result<Record, String> {
    if customer.id.is_empty() {
        return Err("customer without id".to_owned());
    }
    let record = Customer {
        id: customer.id.clone(),
        customer_name: customer.name.clone(),
        email_address: customer.email.clone(),
        default_currency: customer.currency.as_deref().map(str::to_ascii_uppercase),
        created_date: Some(time(customer.created, "created")?),
        modified_date: Some(time(customer.updated, "updated")?),
        source_modified_date: Some(time(customer.updated, "updated")?),
        ..Customer::default()
    };
    Record::new(&record).map_err(|error| error.to_string())
}

/// A payment record: the amount in major units by the currency's ISO 4217 exponent.
pub fn map_payment(payment: &QuokkaPayment) -> Result<Record, String> {
    if payment.id.is_empty() {
        return Err("payment without id".to_owned());
    }
    let currency = payment.currency.to_ascii_uppercase();
    let exponent = commerce_model::currency::exponent(&currency).ok_or_else(|| {
        format!(
            "currency {:?} is not an ISO 4217 currency",
            payment.currency
        )
    })?;
    let amount = Decimal::try_from_i128_with_scale(i128::from(payment.amount), exponent)
        .map_err(|error| format!("amount {}: {error}", payment.amount))?
        .normalize();
    let record = Payment {
        id: payment.id.clone(),
        amount: Some(amount),
        currency: Some(currency),
        status: Some(match payment.status.as_str() {
            "succeeded" => PaymentStatus::Paid,
            "pending" => PaymentStatus::Pending,
            "failed" => PaymentStatus::Failed,
            "cancelled" => PaymentStatus::Cancelled,
            _ => PaymentStatus::unknown(),
        }),
        payment_type: match payment.method.as_deref() {
            Some("card") => Some(PaymentType::Card),
            Some("cash") => Some(PaymentType::Cash),
            Some(_) => Some(PaymentType::unknown()),
            None => None,
        },
        payment_provider: Some("Quokka".to_owned()),
        created_date: Some(time(payment.created, "created")?),
        modified_date: Some(time(payment.updated, "updated")?),
        source_modified_date: Some(time(payment.updated, "updated")?),
        ..Payment::default()
    };
    Record::new(&record).map_err(|error| error.to_string())
}
