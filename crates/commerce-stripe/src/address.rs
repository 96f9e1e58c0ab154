//! Stripe addresses and optional strings into their commerce forms.

use commerce_model as commerce;
use stripe_wire as stripe;

/// An owned copy of a string that is present and not empty.
pub(crate) fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|text| !text.is_empty()).map(str::to_owned)
}

/// A commerce address from a Stripe one; `None` when Stripe sent none or only empty parts.
///
/// `state` becomes `region`, `postal_code` becomes `postalCode`, `country` is kept as given.
pub(crate) fn address(
    stripe_address: Option<&stripe::Address>,
    address_type: commerce::AddressType,
) -> Option<commerce::Address> {
    let stripe_address = stripe_address?;
    let mapped = commerce::Address {
        address_type: Some(address_type),
        line1: non_empty(stripe_address.line1.as_deref()),
        line2: non_empty(stripe_address.line2.as_deref()),
        city: non_empty(stripe_address.city.as_deref()),
        region: non_empty(stripe_address.state.as_deref()),
        country: non_empty(stripe_address.country.as_deref()),
        postal_code: non_empty(stripe_address.postal_code.as_deref()),
    };
    let has_any_part = mapped.line1.is_some()
        || mapped.line2.is_some()
        || mapped.city.is_some()
        || mapped.region.is_some()
        || mapped.country.is_some()
        || mapped.postal_code.is_some();
    has_any_part.then_some(mapped)
}
