//! The README's "Using one crate alone" examples, compiled and run as this package's doc tests
//! (`cargo test -p commerce-cli --doc`). The `commerce` binary is `src/main.rs`; this library
//! holds nothing else and nothing depends on it.

#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;
