//! The resources an account serves as lists, and their names on the wire.

/// The resources an account serves as lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Resource {
    /// `/v1/customers`
    Customers,
    /// `/v1/products`
    Products,
    /// `/v1/prices`
    Prices,
    /// `/v1/payment_intents`
    PaymentIntents,
    /// `/v1/charges`
    Charges,
    /// `/v1/refunds`
    Refunds,
    /// `/v1/disputes`
    Disputes,
    /// `/v1/balance_transactions`
    BalanceTransactions,
    /// `/v1/payouts`
    Payouts,
    /// `/v1/events`
    Events,
}

impl Resource {
    /// Every resource.
    pub const ALL: [Resource; 10] = [
        Resource::Customers,
        Resource::Products,
        Resource::Prices,
        Resource::PaymentIntents,
        Resource::Charges,
        Resource::Refunds,
        Resource::Disputes,
        Resource::BalanceTransactions,
        Resource::Payouts,
        Resource::Events,
    ];

    /// The path segment, e.g. `charges`.
    pub fn path(self) -> &'static str {
        match self {
            Resource::Customers => "customers",
            Resource::Products => "products",
            Resource::Prices => "prices",
            Resource::PaymentIntents => "payment_intents",
            Resource::Charges => "charges",
            Resource::Refunds => "refunds",
            Resource::Disputes => "disputes",
            Resource::BalanceTransactions => "balance_transactions",
            Resource::Payouts => "payouts",
            Resource::Events => "events",
        }
    }

    /// The resource served at `/v1/{path}`.
    pub fn from_path(path: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|resource| resource.path() == path)
    }

    /// The `object` name, e.g. `charge`.
    pub(crate) fn object(self) -> &'static str {
        match self {
            Resource::Customers => "customer",
            Resource::Products => "product",
            Resource::Prices => "price",
            Resource::PaymentIntents => "payment_intent",
            Resource::Charges => "charge",
            Resource::Refunds => "refund",
            Resource::Disputes => "dispute",
            Resource::BalanceTransactions => "balance_transaction",
            Resource::Payouts => "payout",
            Resource::Events => "event",
        }
    }

    pub(super) fn prefix(self) -> &'static str {
        match self {
            Resource::Customers => "cus",
            Resource::Products => "prod",
            Resource::Prices => "price",
            Resource::PaymentIntents => "pi",
            Resource::Charges => "ch",
            Resource::Refunds => "re",
            Resource::Disputes => "dp",
            Resource::BalanceTransactions => "txn",
            Resource::Payouts => "po",
            Resource::Events => "evt",
        }
    }

    /// The position in [`Resource::ALL`].
    pub(super) fn slot(self) -> usize {
        usize::try_from(self.number() - 1).unwrap_or(0)
    }

    pub(super) fn number(self) -> u64 {
        match self {
            Resource::Customers => 1,
            Resource::Products => 2,
            Resource::Prices => 3,
            Resource::PaymentIntents => 4,
            Resource::Charges => 5,
            Resource::Refunds => 6,
            Resource::Disputes => 7,
            Resource::BalanceTransactions => 8,
            Resource::Payouts => 9,
            Resource::Events => 10,
        }
    }
}
