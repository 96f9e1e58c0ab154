//! The dashboard in headless Chromium (`browser`) on a server filled from `stripe-sandbox`
//! with the real Stripe platform (`sandbox`), with screenshots. The HTML helpers are
//! `commerce-server`'s, included by path.

mod browser;
#[allow(dead_code)]
#[path = "../../../../commerce-server/tests/it/ui/html.rs"]
mod html;
mod sandbox;

use html::{between, next_href, unescape};
