//! Stripe Connect OAuth for Standard accounts: integrations, authorize URL, state, token exchange, deauthorize, webhook signatures.
//!
//! Not built yet: see the project's open issues.
