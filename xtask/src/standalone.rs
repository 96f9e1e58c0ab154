//! `cargo xtask standalone`: user crates outside the workspace, each depending on one library
//! crate by path, so that Cargo's feature unification inside the workspace cannot hide a feature
//! a library crate turns on for its dependents.
//!
//! Each crate in `xtask/standalone/<name>/` is its own workspace and shares the target directory
//! `target/standalone`. Its `Cargo.lock` is the workspace's, copied in before each run (and
//! trimmed by Cargo; not committed), so it uses exactly the workspace's versions and runs
//! `--offline` from the packages the workspace build already fetched. For each one this step:
//!
//! - checks with `cargo tree` that `serde_json`'s `arbitrary_precision` feature is off, and that
//!   none of the crates listed for it in [`FORBIDDEN`] is in its normal dependency tree;
//! - runs its binary, which deserializes the user's own `#[serde(flatten)] HashMap<String, f64>`
//!   and untagged `enum { Num(f64), Text(String) }` (`xtask/standalone/serde_patterns.rs`) and
//!   uses the library the way its README shows;
//! - runs its tests, if it has any (the README examples against a local `stripe-sandbox`).

use std::path::Path;

use anyhow::{bail, Context, Result};
use xshell::{cmd, Shell};

/// Crates that must not be in a standalone crate's normal dependency tree.
const FORBIDDEN: &[(&str, &[&str])] = &[
    // Webhook signature checks alone: no HTTP client, no OAuth crate, no runtime.
    ("connect-webhooks", &["reqwest", "oauth2", "tokio", "hyper"]),
    // Records only (platform traits off): no async machinery, no secrets crate, no schema
    // generator (the `schemars` feature is the xtask's).
    (
        "model-records",
        &["async-trait", "futures", "secrecy", "url", "schemars"],
    ),
    ("wire-types", &["reqwest", "tokio", "hyper"]),
];

pub(crate) fn check(sh: &Shell, root: &Path) -> Result<()> {
    let dir = root.join("xtask/standalone");
    let target = root.join("target/standalone");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().join("Cargo.toml").is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    names.sort();
    if names.is_empty() {
        bail!("no standalone crates in {}", dir.display());
    }
    let _target = sh.push_env("CARGO_TARGET_DIR", &target);
    let lock = root.join("Cargo.lock");
    for name in &names {
        let manifest = dir.join(name).join("Cargo.toml");
        std::fs::copy(&lock, dir.join(name).join("Cargo.lock"))
            .with_context(|| format!("copying Cargo.lock into {name}"))?;
        println!("standalone: {name}");
        let features = cmd!(
            sh,
            "cargo tree --manifest-path {manifest} --offline -e features,normal --prefix none -i serde_json"
        )
        .read()
        .with_context(|| format!("cargo tree for {name}"))?;
        if features.contains("\"arbitrary_precision\"") {
            bail!("{name}: serde_json's `arbitrary_precision` is on for a user of this crate");
        }
        let tree = cmd!(
            sh,
            "cargo tree --manifest-path {manifest} --offline -e normal --prefix none"
        )
        .read()
        .with_context(|| format!("cargo tree for {name}"))?;
        let forbidden = FORBIDDEN
            .iter()
            .find(|(krate, _)| krate == name)
            .map(|(_, list)| *list)
            .unwrap_or_default();
        for krate in forbidden {
            if tree
                .lines()
                .any(|line| line.split_whitespace().next() == Some(krate))
            {
                bail!("{name}: `{krate}` is in the dependency tree");
            }
        }
        let count = unique_crates(&tree);
        println!("standalone: {name}: {count} crates in the normal dependency tree");
        cmd!(sh, "cargo run --quiet --offline --manifest-path {manifest}")
            .run()
            .with_context(|| format!("running standalone crate {name}"))?;
        if dir.join(name).join("tests").is_dir() {
            cmd!(
                sh,
                "cargo test --quiet --offline --manifest-path {manifest}"
            )
            .run()
            .with_context(|| format!("testing standalone crate {name}"))?;
        }
    }
    println!("standalone: ok ({} crates)", names.len());
    Ok(())
}

/// The number of distinct crates (name and version) in `cargo tree --prefix none` output,
/// the user's own crate excluded.
fn unique_crates(tree: &str) -> usize {
    let mut crates: Vec<&str> = tree
        .lines()
        .skip(1)
        .map(|line| line.trim_end_matches(" (*)"))
        .filter(|line| !line.is_empty())
        .collect();
    crates.sort_unstable();
    crates.dedup();
    crates.len()
}
