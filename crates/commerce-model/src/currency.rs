//! The one currency table: ISO 4217 minor-unit exponents, from the maintained `iso_currency`
//! crate (which follows the ISO 4217 maintenance agency's list).
//!
//! Model amounts are in major units, so this table says how many decimals an amount of a currency
//! has when shown: the dashboard and the CLI format money with it. Platforms whose wire formats
//! differ from ISO for some currency (Stripe writes ISK with two minor digits, for example) keep
//! those exceptions in their own crates.

use iso_currency::Currency;

/// The number of minor-unit digits of an ISO 4217 code (any case): `Some(2)` for `USD`,
/// `Some(0)` for `JPY` and `ISK`, `Some(3)` for `KWD`; `None` for a code ISO does not list, or
/// one without minor unit (`XAU`, `XXX`).
pub fn exponent(code: &str) -> Option<u32> {
    let upper = code.trim().to_ascii_uppercase();
    Currency::from_code(&upper)
        .and_then(|currency| currency.exponent())
        .map(u32::from)
}

/// [`exponent`], or 2 (the most common) for a code ISO does not list: for display only.
pub fn display_exponent(code: &str) -> u32 {
    exponent(code).unwrap_or(2)
}

/// Whether ISO 4217 lists `code` (any case).
pub fn is_iso_code(code: &str) -> bool {
    Currency::from_code(&code.trim().to_ascii_uppercase()).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(exponent("usd"), Some(2));
        assert_eq!(exponent("JPY"), Some(0));
        assert_eq!(exponent("ISK"), Some(0));
        assert_eq!(exponent("KWD"), Some(3));
        assert_eq!(exponent("CLF"), Some(4));
        assert_eq!(exponent("XXX"), None);
        assert_eq!(exponent("ZZZ"), None);
        assert_eq!(display_exponent("ZZZ"), 2);
        assert!(is_iso_code("eur"));
        assert!(!is_iso_code("ABC"));
    }
}
