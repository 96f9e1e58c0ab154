//! The HTTP server: Codat-compatible API, link flow, Stripe webhooks and dashboard.
//!
//! Not built yet: see the project's open issues.
