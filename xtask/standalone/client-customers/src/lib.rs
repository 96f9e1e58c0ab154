//! Only the Stripe client: list every customer of a connected account.

use stripe_client::wire::Customer;
use stripe_client::{ClientConfig, ListParams, StripeClient, StripeError, TryStreamExt};

/// Every customer of `account`, read with the platform's secret key from `api_base`.
pub async fn customers(
    api_base: &str,
    secret_key: &str,
    account: &str,
) -> Result<Vec<Customer>, StripeError> {
    let config = ClientConfig::builder(secret_key)
        .api_base(api_base)
        .build()?;
    let merchant = StripeClient::new(config)?.on_behalf_of(account)?;
    let mut pages = merchant.list_all::<Customer>(ListParams::new());
    let mut customers = Vec::new();
    while let Some(page) = pages.try_next().await? {
        customers.extend(page.data);
    }
    Ok(customers)
}
