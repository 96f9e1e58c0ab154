//! The `account` object of a merchant.

use super::{Merchant, COUNTRIES, DAY, HISTORY};
use stripe_wire as stripe;

impl Merchant {
    /// The `account` object.
    pub(crate) fn account(&self) -> stripe::Account {
        stripe::Account {
            id: self.account_id.clone(),
            business_profile: Some(stripe::BusinessProfile {
                name: Some(self.business_name.clone()),
                mcc: Some("5734".to_owned()),
                product_description: Some("Goods and services sold online".to_owned()),
                support_email: Some(self.email.clone()),
                url: Some(format!(
                    "https://{}.example.com",
                    self.business_name.to_lowercase().replace([' ', '&'], "")
                )),
                ..Default::default()
            }),
            business_type: Some(stripe::BusinessType::Company),
            charges_enabled: true,
            company: Some(stripe::Company {
                name: Some(self.business_name.clone()),
                address: Some(
                    self.address(
                        COUNTRIES
                            .iter()
                            .position(|country| *country == self.country)
                            .unwrap_or(0) as u64,
                    ),
                ),
                ..Default::default()
            }),
            controller: Some(stripe::AccountController {
                is_controller: Some(false),
                controller_type: Some(stripe::ControllerType::Account),
                ..Default::default()
            }),
            country: Some(self.country.to_owned()),
            created: Some(self.start - HISTORY - 30 * DAY),
            default_currency: Some(self.currency.to_owned()),
            details_submitted: true,
            email: Some(self.email.clone()),
            payouts_enabled: true,
            settings: Some(stripe::AccountSettings {
                dashboard: Some(stripe::DashboardSettings {
                    display_name: Some(self.business_name.clone()),
                    timezone: Some("Etc/UTC".to_owned()),
                }),
                payouts: Some(stripe::PayoutSettings {
                    schedule: Some(stripe::PayoutSchedule {
                        delay_days: Some(2),
                        interval: Some(stripe::PayoutInterval::Daily),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            account_type: Some(stripe::AccountType::Standard),
            ..Default::default()
        }
    }
}
