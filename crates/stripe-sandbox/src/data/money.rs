//! Currency arithmetic of the generated data: minor-unit exponents, fixed exchange rates, fees.

/// Minor-unit exponent of a currency, as Stripe writes its amounts (`stripe_wire::currency`).
pub(crate) fn exponent(currency: &str) -> i32 {
    i32::try_from(stripe_wire::currency::exponent(currency)).unwrap_or(2)
}

fn usd_rate(currency: &str) -> f64 {
    match currency {
        "gbp" => 1.27,
        "eur" => 1.08,
        "jpy" => 0.0067,
        "kwd" => 3.25,
        _ => 1.0,
    }
}

/// Rounds a minor amount to what the currency allows (three-decimal currencies end in 0).
pub(super) fn round_minor(amount: f64, currency: &str) -> i64 {
    let rounded = amount.round() as i64;
    if exponent(currency) == 3 {
        (rounded / 10) * 10
    } else {
        rounded
    }
}

/// Converts a minor amount between currencies, with the rate used.
pub(crate) fn convert(amount: i64, from: &str, to: &str) -> (i64, Option<f64>) {
    if from == to {
        return (amount, None);
    }
    let rate = usd_rate(from) / usd_rate(to);
    let major = amount as f64 / 10f64.powi(exponent(from));
    let converted = round_minor(major * rate * 10f64.powi(exponent(to)), to);
    (converted, Some((rate * 1_000_000.0).round() / 1_000_000.0))
}

pub(crate) fn dispute_fee(currency: &str) -> i64 {
    match currency {
        "jpy" => 2000,
        "kwd" => 5000,
        _ => 1500,
    }
}
