//! End-to-end tests, examples and benchmarks that join the Stripe crates (`stripe-client`,
//! `stripe-connect`, `stripe-sandbox`, `commerce-stripe`) with the sync engine
//! (`commerce-sync`) and the HTTP server (`commerce-server`): the real `StripePlatform` against
//! `stripe-sandbox`. It holds no library code.
//!
//! Apart from the CLI, this is the only crate allowed to depend on both sides; the engine, the
//! store, the model and the server never depend on a `stripe-*` crate, not even for tests.
