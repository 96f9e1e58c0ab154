//! The `commerce` binary's library side (the binary is `src/main.rs`):
//!
//! - [`platforms`]: the one place concrete platforms are wired in, callable with extra
//!   platforms ([`platforms::registry_with`]) so tests register theirs through the same code;
//! - the README's "Using one crate alone" examples, compiled and run as this package's doc
//!   tests (`cargo test -p commerce-cli --doc`).

pub mod platforms;

#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;
