//! Persistence for companies, connections, credentials, records, datasets and cursors on SQLite or PostgreSQL.
//!
//! Not built yet: see the project's open issues.
