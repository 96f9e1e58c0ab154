//! How many minor-unit digits Stripe writes for each currency.
//!
//! ISO 4217's exponents (from the `iso_currency` crate) with Stripe's documented exceptions
//! (<https://docs.stripe.com/currencies>, "Zero-decimal currencies", "Three-decimal currencies"
//! and "Special cases"):
//!
//! - Stripe's zero-decimal list (BIF, CLP, DJF, GNF, JPY, KMF, KRW, MGA, PYG, RWF, UGX, VND,
//!   VUV, XAF, XOF, XPF) and three-decimal list (BHD, JOD, KWD, OMR, TND) agree with ISO 4217.
//! - ISK is zero-decimal in ISO 4217, but "backwards compatibility requires you to represent it
//!   as a two-decimal value, where the decimal amount is always 00": Stripe's `amount: 10000`
//!   is 100 ISK. This is the one exception.
//! - HUF and TWD are two-decimal on the API (as in ISO) and only payouts are whole units; UGX is
//!   zero-decimal (as in ISO) and only payouts must be divisible by 100. Neither changes how an
//!   amount is read.
//! - A code ISO 4217 does not list is read with two digits, Stripe's default.

/// Currencies whose amounts Stripe writes with another exponent than ISO 4217's.
pub const STRIPE_EXCEPTIONS: &[(&str, u32)] = &[("ISK", 2)];

/// The number of minor-unit digits of `code` (any case) in Stripe's amounts: `1099` USD is
/// `10.99`, `500` JPY is `500`, `10000` ISK is `100`.
pub fn exponent(code: &str) -> u32 {
    let upper = code.trim().to_ascii_uppercase();
    if let Some((_, digits)) = STRIPE_EXCEPTIONS.iter().find(|(known, _)| *known == upper) {
        return *digits;
    }
    iso_currency::Currency::from_code(&upper)
        .and_then(|currency| currency.exponent())
        .map_or(2, u32::from)
}

#[cfg(test)]
mod tests {
    use super::exponent;

    #[test]
    fn stripe_exponents() {
        assert_eq!(exponent("usd"), 2);
        assert_eq!(exponent("jpy"), 0);
        assert_eq!(exponent("kwd"), 3);
        assert_eq!(exponent("isk"), 2);
        assert_eq!(exponent("ugx"), 0);
        assert_eq!(exponent("huf"), 2);
        assert_eq!(exponent("zzz"), 2);
    }
}
