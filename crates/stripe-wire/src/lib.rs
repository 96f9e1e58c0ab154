//! Stripe API objects as forward-compatible Rust types.
//!
//! This crate mirrors Stripe's JSON as it is on the wire (API version pinned by `stripe-client`).
//! It does no I/O, has no HTTP dependency and knows nothing of the commerce model:
//! amounts stay integers in minor units and currencies stay as Stripe sends them.
//!
//! Forward compatibility: unknown fields are ignored, every enum has an `Unknown(String)`
//! fallback, and nullable or expandable fields are `Option` / [`Expandable`].

mod common;

pub use crate::common::{
    ApiError, ApiErrorBody, Deleted, Expandable, HasId, List, OAuthErrorBody, SearchResult,
};
