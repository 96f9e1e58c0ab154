//! Test or live mode, and how a key selects it. Depends on nothing else in the crate.

use serde::Serialize;

/// Test or live mode, chosen by the key like on Stripe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Test mode (`sk_test_...`).
    Test,
    /// Live mode (`sk_live_...`).
    Live,
}

impl Mode {
    pub(crate) fn is_live(self) -> bool {
        self == Mode::Live
    }

    pub(crate) fn key_word(self) -> &'static str {
        match self {
            Mode::Test => "test",
            Mode::Live => "live",
        }
    }
}

/// The mode a secret or restricted key selects (anything not live is test).
pub(crate) fn key_mode(key: &str) -> Mode {
    if key.starts_with("sk_live_") || key.starts_with("rk_live_") {
        Mode::Live
    } else {
        Mode::Test
    }
}
