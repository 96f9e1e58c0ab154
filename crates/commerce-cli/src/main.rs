//! The `commerce` command line. Not built yet: see the project's open issues.

fn main() {}
