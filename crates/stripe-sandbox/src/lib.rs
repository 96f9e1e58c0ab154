//! A stateful local fake of the Stripe API and Connect OAuth for tests, benchmarks and the demo.
//!
//! Not built yet: see the project's open issues.
