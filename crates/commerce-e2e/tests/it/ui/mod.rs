//! The dashboard in headless Chromium (`browser`) on a server filled from `stripe-sandbox`
//! with the real Stripe platform (`sandbox`), with screenshots. The HTML helpers are
//! `commerce-testkit`'s.

mod browser;
mod sandbox;

use commerce_testkit::html::{between, next_href, unescape};
