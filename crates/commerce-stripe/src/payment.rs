//! Payments from Stripe `Charge`s, `Refund`s (negative payments) and charge-less `PaymentIntent`s.

use commerce_model as commerce;
use stripe_wire as stripe;

use crate::address::non_empty;
use crate::date::timestamp;
use crate::error::MapError;
use crate::money::CurrencyCode;
use crate::require_id;

/// The `paymentProvider` of every payment mapped from Stripe.
pub const PAYMENT_PROVIDER: &str = "Stripe";

/// Maps a charge (`ch_...`, `py_...`) into a payment with the charge's id.
pub fn map_charge(charge: &stripe::Charge) -> Result<commerce::Payment, MapError> {
    let id = require_id("charge", &charge.id)?;
    let currency = CurrencyCode::require(Some(&charge.currency), "charge", id, "currency")?;
    let method_type = charge
        .payment_method_details
        .as_ref()
        .and_then(|details| non_empty(Some(details.method_type.as_str())));
    let method_id = non_empty(charge.payment_method.as_deref()).or_else(|| method_type.clone());
    let payment_method_ref = method_id.map(|method_id| commerce::PaymentMethodRef {
        id: method_id,
        name: method_type,
    });
    Ok(commerce::Payment {
        id: id.to_owned(),
        amount: Some(currency.major(charge.amount)),
        currency: Some(currency.as_str().to_owned()),
        payment_method_ref,
        status: Some(charge_status(
            charge.status.as_str(),
            charge.captured,
            charge.refunded,
        )),
        payment_provider: Some(PAYMENT_PROVIDER.to_owned()),
        created_date: timestamp(Some(charge.created), "charge", id, "created")?,
        ..Default::default()
    })
}

/// Maps a refund (`re_...`, `pyr_...`) into a separate payment with a negative amount.
pub fn map_refund(refund: &stripe::Refund) -> Result<commerce::Payment, MapError> {
    let id = require_id("refund", &refund.id)?;
    let currency = CurrencyCode::require(Some(&refund.currency), "refund", id, "currency")?;
    let status = refund
        .status
        .as_ref()
        .map_or_else(commerce::PaymentStatus::unknown, |status| {
            refund_status(status.as_str())
        });
    Ok(commerce::Payment {
        id: id.to_owned(),
        amount: Some(-currency.major(refund.amount)),
        currency: Some(currency.as_str().to_owned()),
        status: Some(status),
        payment_provider: Some(PAYMENT_PROVIDER.to_owned()),
        created_date: timestamp(Some(refund.created), "refund", id, "created")?,
        ..Default::default()
    })
}

/// Maps a payment intent that never made a charge; `Ok(None)` when it has one (`latest_charge`),
/// because that charge is the payment.
pub fn map_payment_intent(
    intent: &stripe::PaymentIntent,
) -> Result<Option<commerce::Payment>, MapError> {
    let id = require_id("payment_intent", &intent.id)?;
    if intent.latest_charge.is_some() {
        return Ok(None);
    }
    let currency = CurrencyCode::require(Some(&intent.currency), "payment_intent", id, "currency")?;
    Ok(Some(commerce::Payment {
        id: id.to_owned(),
        amount: Some(currency.major(intent.amount)),
        currency: Some(currency.as_str().to_owned()),
        status: Some(payment_intent_status(intent.status.as_str())),
        payment_provider: Some(PAYMENT_PROVIDER.to_owned()),
        created_date: timestamp(Some(intent.created), "payment_intent", id, "created")?,
        ..Default::default()
    }))
}

/// A charge's status, in the contract's order of precedence.
pub(crate) fn charge_status(
    status: &str,
    captured: bool,
    refunded: bool,
) -> commerce::PaymentStatus {
    use commerce::PaymentStatus as Status;
    if !captured && refunded {
        // An authorisation that was released before capture.
        return Status::Cancelled;
    }
    match status {
        "succeeded" if !captured => Status::Authorized,
        "succeeded" => Status::Paid,
        "pending" => Status::Pending,
        "failed" => Status::Failed,
        _ => Status::unknown(),
    }
}

/// A refund's status.
pub(crate) fn refund_status(status: &str) -> commerce::PaymentStatus {
    use commerce::PaymentStatus as Status;
    match status {
        "succeeded" => Status::Paid,
        "pending" | "requires_action" => Status::Pending,
        "failed" => Status::Failed,
        "canceled" => Status::Cancelled,
        _ => Status::unknown(),
    }
}

/// The status of a payment intent without a charge.
pub(crate) fn payment_intent_status(status: &str) -> commerce::PaymentStatus {
    use commerce::PaymentStatus as Status;
    match status {
        "canceled" => Status::Cancelled,
        "processing" => Status::Pending,
        requires if requires.starts_with("requires_") => Status::Pending,
        _ => Status::unknown(),
    }
}
