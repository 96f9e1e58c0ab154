//! The sync engine: datasets per data type, full and incremental pulls, resumable, rate-limit aware.
//!
//! Not built yet: see the project's open issues.
