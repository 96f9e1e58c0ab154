//! Integration tests of commerce-store on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]
