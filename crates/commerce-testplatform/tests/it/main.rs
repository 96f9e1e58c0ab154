//! Quokka on its own: the mapping, and the platform against the fake server (link, pull,
//! expired access, rotating refresh tokens).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod platform;
