//! HTTP client for the Stripe API: keys, Stripe-Account, paging streams, rate limiting, retries, typed errors.
//!
//! Not built yet: see the project's open issues.
