//! Maps Stripe objects into the commerce model and implements the platform traits for Stripe.
//!
//! Not built yet: see the project's open issues.
