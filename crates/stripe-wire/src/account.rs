//! The Stripe `account` object (`GET /v1/account`, `/v1/accounts/{id}`) and `balance`.
//! Depends on serde only; no I/O.

use serde::{Deserialize, Serialize};

use crate::common::HasId;
use crate::shared::{Address, Metadata};
use crate::string_enum::string_enum;

/// A Stripe account: the platform itself or a connected account.
///
/// Account has no `livemode`: record the mode from the key used to read it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "object", rename = "account", default)]
pub struct Account {
    /// The account id (`acct_...`).
    pub id: String,
    /// Business information shown to customers.
    pub business_profile: Option<BusinessProfile>,
    /// The business type.
    pub business_type: Option<BusinessType>,
    /// Capability name to status (`active`, `inactive`, `pending`).
    pub capabilities: Option<std::collections::BTreeMap<String, String>>,
    /// Whether the account can create live charges.
    pub charges_enabled: bool,
    /// Company information (many parts only visible to a controlling platform).
    pub company: Option<Company>,
    /// Who controls the account.
    pub controller: Option<AccountController>,
    /// The account's country (two-letter code).
    pub country: Option<String>,
    /// When the account was connected (unix seconds).
    pub created: Option<i64>,
    /// The default currency (three-letter lowercase code).
    pub default_currency: Option<String>,
    /// Whether account details were submitted.
    pub details_submitted: bool,
    /// The account's email address.
    pub email: Option<String>,
    /// Requirements that will become due.
    pub future_requirements: Option<AccountRequirements>,
    /// Your own key-value pairs.
    pub metadata: Metadata,
    /// Whether Stripe can send payouts to this account.
    pub payouts_enabled: bool,
    /// Requirements currently due.
    pub requirements: Option<AccountRequirements>,
    /// Account settings (dashboard display name, payouts schedule, ...).
    pub settings: Option<AccountSettings>,
    /// The account type.
    #[serde(rename = "type")]
    pub account_type: Option<AccountType>,
    /// `true` only in the deleted shape `{id, object, deleted}`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

/// `account.business_profile`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BusinessProfile {
    /// The annual revenue of the business.
    pub annual_revenue: Option<AnnualRevenue>,
    /// An estimate of the number of workers.
    pub estimated_worker_count: Option<i64>,
    /// The merchant category code.
    pub mcc: Option<String>,
    /// Minority-owned business designations.
    pub minority_owned_business_designation: Option<Vec<String>>,
    /// The customer-facing business name.
    pub name: Option<String>,
    /// What the business sells.
    pub product_description: Option<String>,
    /// The public support address.
    pub support_address: Option<Address>,
    /// The public support email.
    pub support_email: Option<String>,
    /// The public support phone.
    pub support_phone: Option<String>,
    /// The public support URL.
    pub support_url: Option<String>,
    /// The business website.
    pub url: Option<String>,
}

/// `business_profile.annual_revenue`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AnnualRevenue {
    /// The amount in minor units.
    pub amount: Option<i64>,
    /// The currency of the amount.
    pub currency: Option<String>,
    /// The fiscal year end, `MM-DD`.
    pub fiscal_year_end: Option<String>,
}

/// `account.company`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Company {
    /// The company's registered address.
    pub address: Option<Address>,
    /// The company's legal name.
    pub name: Option<String>,
    /// The company's phone number.
    pub phone: Option<String>,
    /// The legal structure (kept as sent).
    pub structure: Option<String>,
    /// Whether a tax id was provided.
    pub tax_id_provided: Option<bool>,
    /// Whether a VAT id was provided.
    pub vat_id_provided: Option<bool>,
}

/// `account.controller`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountController {
    /// Whether your platform controls the account.
    pub is_controller: Option<bool>,
    /// Who collects requirements: `stripe` or `application`.
    pub requirement_collection: Option<String>,
    /// `account` (the account controls itself) or `application`.
    #[serde(rename = "type")]
    pub controller_type: Option<ControllerType>,
}

/// `account.requirements` and `account.future_requirements` (the lists and the deadline).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountRequirements {
    /// When `currently_due` must be collected (unix seconds).
    pub current_deadline: Option<i64>,
    /// Fields that must be collected now.
    pub currently_due: Option<Vec<String>>,
    /// Why the account is disabled, if it is.
    pub disabled_reason: Option<String>,
    /// Fields that will be needed eventually.
    pub eventually_due: Option<Vec<String>>,
    /// Fields that were not collected in time.
    pub past_due: Option<Vec<String>>,
    /// Fields being verified.
    pub pending_verification: Option<Vec<String>>,
}

/// `account.settings` (the fields listed here; others are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountSettings {
    /// Branding (icon, logo, colours).
    pub branding: Option<BrandingSettings>,
    /// Dashboard settings.
    pub dashboard: Option<DashboardSettings>,
    /// Payment settings.
    pub payments: Option<PaymentsSettings>,
    /// Payout settings.
    pub payouts: Option<PayoutSettings>,
}

/// `settings.branding`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BrandingSettings {
    /// File id of the icon.
    pub icon: Option<String>,
    /// File id of the logo.
    pub logo: Option<String>,
    /// Primary colour, hex.
    pub primary_color: Option<String>,
    /// Secondary colour, hex.
    pub secondary_color: Option<String>,
}

/// `settings.dashboard`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DashboardSettings {
    /// The name shown in the dashboard.
    pub display_name: Option<String>,
    /// The account's timezone (IANA name).
    pub timezone: Option<String>,
}

/// `settings.payments`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PaymentsSettings {
    /// The default statement descriptor.
    pub statement_descriptor: Option<String>,
}

/// `settings.payouts`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PayoutSettings {
    /// Whether negative balances are debited from the bank account.
    pub debit_negative_balances: bool,
    /// The payout schedule.
    pub schedule: Option<PayoutSchedule>,
    /// The payout statement descriptor.
    pub statement_descriptor: Option<String>,
}

/// `settings.payouts.schedule`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PayoutSchedule {
    /// Days until funds are available.
    pub delay_days: Option<i64>,
    /// How often payouts happen.
    pub interval: Option<PayoutInterval>,
    /// Day of the month for monthly payouts.
    pub monthly_anchor: Option<i64>,
    /// Day of the week for weekly payouts.
    pub weekly_anchor: Option<String>,
}

string_enum! {
    /// `account.business_type`.
    BusinessType {
        /// `company`.
        Company = "company",
        /// `government_entity`.
        GovernmentEntity = "government_entity",
        /// `individual`.
        Individual = "individual",
        /// `non_profit`.
        NonProfit = "non_profit",
    }
}

string_enum! {
    /// `account.type`.
    AccountType {
        /// `standard`.
        Standard = "standard",
        /// `express`.
        Express = "express",
        /// `custom`.
        Custom = "custom",
        /// `none`.
        None = "none",
    }
}

string_enum! {
    /// `account.controller.type`.
    ControllerType {
        /// The account controls itself.
        Account = "account",
        /// A platform controls the account.
        Application = "application",
    }
}

string_enum! {
    /// `settings.payouts.schedule.interval`.
    PayoutInterval {
        /// `manual`.
        Manual = "manual",
        /// `daily`.
        Daily = "daily",
        /// `weekly`.
        Weekly = "weekly",
        /// `monthly`.
        Monthly = "monthly",
    }
}

impl HasId for Account {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The account balance (`GET /v1/balance`). It has no id, so it does not implement `HasId`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "object", rename = "balance", default)]
pub struct Balance {
    /// Funds available for payout, per currency.
    pub available: Vec<BalanceAmount>,
    /// Funds held for connected accounts' negative balances, per currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_reserved: Option<Vec<BalanceAmount>>,
    /// Funds available for instant payout, per currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instant_available: Option<Vec<BalanceAmount>>,
    /// Whether this is live-mode data.
    pub livemode: bool,
    /// Funds not yet available, per currency.
    pub pending: Vec<BalanceAmount>,
}

/// One currency's amount in a [`Balance`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BalanceAmount {
    /// The amount in minor units.
    pub amount: i64,
    /// The currency (lowercase code).
    pub currency: String,
    /// The amount split by source type (`card`, `bank_account`, `fpx`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_types: Option<std::collections::BTreeMap<String, i64>>,
}
