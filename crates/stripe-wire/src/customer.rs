//! The Stripe `customer` object (`GET /v1/customers`). Depends on serde only; no I/O.

use serde::{Deserialize, Serialize};

use crate::common::{Expandable, HasId};
use crate::shared::{Address, Metadata, Shipping};
use crate::string_enum::string_enum;

/// A customer of the account.
///
/// A deleted customer arrives as `{id, object, deleted: true}` (for example as an expanded
/// `charge.customer`); it parses into this type with `deleted == true` and defaults elsewhere.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "object", rename = "customer", default)]
pub struct Customer {
    /// The customer id (`cus_...`).
    pub id: String,
    /// The customer's address.
    pub address: Option<Address>,
    /// Credit balance in minor units (negative is credit, positive is owed).
    pub balance: i64,
    /// The business name.
    pub business_name: Option<String>,
    /// When the customer was created (unix seconds).
    pub created: i64,
    /// The currency the customer is billed in.
    pub currency: Option<String>,
    /// The v2 customer account id, if any.
    pub customer_account: Option<String>,
    /// The default payment source (id, or the source object when expanded).
    pub default_source: Option<Expandable<serde_json::Value>>,
    /// Whether the customer has an unpaid invoice.
    pub delinquent: Option<bool>,
    /// An arbitrary description.
    pub description: Option<String>,
    /// The email address.
    pub email: Option<String>,
    /// The individual's name.
    pub individual_name: Option<String>,
    /// The prefix for invoice numbers.
    pub invoice_prefix: Option<String>,
    /// Whether this is live-mode data.
    pub livemode: bool,
    /// Your own key-value pairs.
    pub metadata: Metadata,
    /// The full name or business name.
    pub name: Option<String>,
    /// The suffix of the next invoice number.
    pub next_invoice_sequence: Option<i64>,
    /// The phone number.
    pub phone: Option<String>,
    /// Preferred languages, in order.
    pub preferred_locales: Option<Vec<String>>,
    /// Shipping details.
    pub shipping: Option<Shipping>,
    /// The tax exemption status.
    pub tax_exempt: Option<TaxExempt>,
    /// The test clock id, if any.
    pub test_clock: Option<Expandable<serde_json::Value>>,
    /// `true` only in the deleted shape `{id, object, deleted}`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

string_enum! {
    /// `customer.tax_exempt`.
    TaxExempt {
        /// `exempt`.
        Exempt = "exempt",
        /// `none`.
        None = "none",
        /// `reverse`.
        Reverse = "reverse",
    }
}

impl HasId for Customer {
    fn id(&self) -> &str {
        &self.id
    }
}
