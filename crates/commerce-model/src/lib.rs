//! The commerce data model (Codat-compatible JSON), query language, and the platform traits.
//!
//! Not built yet: see the project's open issues. This crate must never depend on a `stripe-*` crate.
