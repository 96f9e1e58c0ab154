//! Company info from a Stripe `Account` and its `Balance`.

use rust_decimal::Decimal;

use commerce_model as commerce;
use stripe_wire as stripe;

use crate::address::{address, non_empty};
use crate::date::timestamp;
use crate::error::MapError;
use crate::mapped::{Deletion, Mapped};
use crate::money::{checked_sum, CurrencyCode};

/// Maps the connected account (and its balance, when fetched) into the connection's company info.
///
/// A deleted account gives a [`Mapped::Deleted`]. Balances are summed per currency in major units,
/// in the order the currencies first appear (available, then pending, then connect-reserved).
pub fn map_account(
    account: &stripe::Account,
    balance: Option<&stripe::Balance>,
) -> Result<Mapped<commerce::CompanyInfo>, MapError> {
    let id = account.id.as_str();
    if account.deleted {
        return Ok(Mapped::Deleted(Deletion { id: id.to_owned() }));
    }
    let profile = account.business_profile.as_ref();
    let company = account.company.as_ref();
    let display_name = account
        .settings
        .as_ref()
        .and_then(|settings| settings.dashboard.as_ref())
        .and_then(|dashboard| non_empty(dashboard.display_name.as_deref()));
    let company_name = profile
        .and_then(|profile| non_empty(profile.name.as_deref()))
        .or(display_name)
        .or_else(|| company.and_then(|company| non_empty(company.name.as_deref())))
        .or_else(|| non_empty(account.email.as_deref()));

    let mut addresses = Vec::new();
    if let Some(found) = company
        .and_then(|company| address(company.address.as_ref(), commerce::AddressType::Billing))
    {
        addresses.push(found);
    }
    if let Some(found) = profile.and_then(|profile| {
        address(
            profile.support_address.as_ref(),
            commerce::AddressType::unknown(),
        )
    }) {
        addresses.push(found);
    }

    let mut phone_numbers = Vec::new();
    if let Some(number) = company.and_then(|company| non_empty(company.phone.as_deref())) {
        phone_numbers.push(phone(number, commerce::PhoneNumberType::Primary));
    }
    if let Some(number) = profile.and_then(|profile| non_empty(profile.support_phone.as_deref())) {
        phone_numbers.push(phone(number, commerce::PhoneNumberType::unknown()));
    }

    let web_links: Vec<commerce::WebLink> = profile
        .and_then(|profile| non_empty(profile.url.as_deref()))
        .map(|url| commerce::WebLink {
            link_type: Some(commerce::WebLinkType::Website),
            url: Some(url),
        })
        .into_iter()
        .collect();

    let base_currency = CurrencyCode::parse(
        account.default_currency.as_deref(),
        "account",
        id,
        "default_currency",
    )?;
    let account_balances = balance
        .map(|balance| account_balances(balance, id))
        .transpose()?;

    Ok(Mapped::Record(commerce::CompanyInfo {
        company_name,
        commerce_platform_ref: non_empty(Some(id)),
        company_legal_name: company.and_then(|company| non_empty(company.name.as_deref())),
        addresses: (!addresses.is_empty()).then_some(addresses),
        phone_numbers: (!phone_numbers.is_empty()).then_some(phone_numbers),
        web_links: (!web_links.is_empty()).then_some(web_links),
        base_currency: base_currency.map(|code| code.as_str().to_owned()),
        account_balances,
        created_date: timestamp(account.created, "account", id, "created")?,
        ..Default::default()
    }))
}

fn phone(number: String, phone_type: commerce::PhoneNumberType) -> commerce::PhoneNumber {
    commerce::PhoneNumber {
        number: Some(number),
        phone_type,
    }
}

/// Which part of the balance an amount belongs to.
#[derive(Clone, Copy)]
enum Bucket {
    Available,
    Pending,
    Reserved,
}

fn account_balances(
    balance: &stripe::Balance,
    account_id: &str,
) -> Result<Vec<commerce::AccountBalance>, MapError> {
    // (currency, available, pending, reserved), in order of first appearance.
    let mut sums: Vec<(CurrencyCode, [Decimal; 3])> = Vec::new();
    let reserved = balance.connect_reserved.as_deref().unwrap_or_default();
    let parts = [
        (
            Bucket::Available,
            balance.available.as_slice(),
            "available.currency",
        ),
        (
            Bucket::Pending,
            balance.pending.as_slice(),
            "pending.currency",
        ),
        (Bucket::Reserved, reserved, "connect_reserved.currency"),
    ];
    for (bucket, amounts, currency_field) in parts {
        for amount in amounts {
            let currency = CurrencyCode::require(
                Some(amount.currency.as_str()),
                "balance",
                account_id,
                currency_field,
            )?;
            let major = currency.major(amount.amount);
            let slot = bucket as usize;
            match sums.iter_mut().find(|(code, _)| *code == currency) {
                Some((_, totals)) => {
                    totals[slot] =
                        checked_sum(totals[slot], major, "balance", account_id, currency_field)?;
                }
                None => {
                    let mut totals = [Decimal::ZERO; 3];
                    totals[slot] = major;
                    sums.push((currency, totals));
                }
            }
        }
    }
    Ok(sums
        .into_iter()
        .map(
            |(currency, [available, pending, reserved])| commerce::AccountBalance {
                available: Some(available),
                pending: Some(pending),
                reserved: Some(reserved),
                currency: Some(currency.as_str().to_owned()),
            },
        )
        .collect())
}
