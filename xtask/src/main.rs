//! Project automation, run as `cargo xtask <command>`.
//!
//! - `cargo xtask ci`: the exact list of checks CI runs (`.ci/run` calls it), including the
//!   Schemathesis run against the API (an ignored test of `commerce-cli`, which creates its
//!   Python virtualenv under `target/schemathesis/`).
//! - `cargo xtask deps`: only the dependency-direction and platform-confinement checks from
//!   `docs/architecture.md` and `docs/adding-a-platform.md`, and the check that the top-level
//!   modules of `commerce-server`, `commerce-store` and `stripe-sandbox` form no cycle of
//!   `crate::` paths (module `modcycles`; it lists the edges it found).
//! - `cargo xtask standalone`: builds and runs the user crates in `xtask/standalone/`, each
//!   depending on one library crate outside the workspace (part of `ci`).
//! - `cargo xtask fixtures regen`: rewrites the golden files `fixtures/commerce/` from `fixtures/stripe/`.
//! - `cargo xtask fixtures --check`: fails when a golden file is stale (CI runs it).
//! - `cargo xtask schemas [--check]`: writes (or checks for drift) commerce-server's
//!   `model-schemas.json` from commerce-model's types.
//! - `cargo xtask fixtures record [acct_...]`: pages a Stripe test-mode account into `fixtures/stripe/`.
//!
//! It finds the repository root from `CARGO_MANIFEST_DIR` and shells out to `cargo` with `xshell`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod fixtures;
mod modcycles;
mod record;
mod schemas;
mod standalone;

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use xshell::{cmd, Shell};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sh = Shell::new()?;
    sh.change_dir(project_root());
    match args.first().map(String::as_str) {
        Some("ci") => ci(&sh),
        Some("deps") => deps(&sh),
        Some("standalone") => standalone::check(&sh, &project_root()),
        Some("fixtures") => fixtures_command(&args[1..]),
        Some("schemas") => match args.get(1).map(String::as_str) {
            None => schemas::regen(&project_root()),
            Some("--check" | "check") => schemas::check(&project_root()),
            Some(_) => bail!("usage: cargo xtask schemas [--check]"),
        },
        _ => {
            eprintln!("usage: cargo xtask <ci|deps|standalone|fixtures|schemas>");
            eprintln!(
                "  ci    fmt check, clippy -D warnings, all tests, API fuzzing, dependency-direction checks"
            );
            eprintln!("  deps  only the dependency-direction checks");
            eprintln!("  standalone  build and run the one-crate user crates in xtask/standalone");
            eprintln!("  fixtures regen            rewrite fixtures/commerce from fixtures/stripe");
            eprintln!("  fixtures --check          fail when a golden file is stale");
            eprintln!("  schemas [--check]         write (or check) commerce-server's model-schemas.json from commerce-model's types");
            eprintln!("  fixtures record [acct_..] record a Stripe test account (STRIPE_TEST_SECRET_KEY, STRIPE_ACCOUNT, STRIPE_API_BASE)");
            bail!("unknown or missing command")
        }
    }
}

fn project_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}

fn fixtures_command(args: &[String]) -> Result<()> {
    let root = project_root();
    match args.first().map(String::as_str) {
        Some("regen") => fixtures::regen(&root),
        Some("--check" | "check") => fixtures::check(&root),
        Some("record") => record::record_from_env(&args[1..], &root),
        _ => bail!("usage: cargo xtask fixtures <regen|--check|record [acct_...]>"),
    }
}

fn step(name: &str) {
    println!("\n==> {name}");
}

fn ci(sh: &Shell) -> Result<()> {
    step("cargo fmt --all --check");
    cmd!(sh, "cargo fmt --all --check").run()?;
    step("cargo clippy --workspace --all-targets -- -D warnings");
    cmd!(
        sh,
        "cargo clippy --workspace --all-targets --locked -- -D warnings"
    )
    .run()?;
    step("dependency direction and platform confinement");
    deps(sh)?;
    step("RUSTDOCFLAGS=-D warnings cargo doc --workspace --no-deps");
    cmd!(sh, "cargo doc --workspace --no-deps --locked")
        .env("RUSTDOCFLAGS", "-D warnings")
        .run()?;
    step("cargo test --workspace");
    cmd!(sh, "cargo test --workspace --locked").run()?;
    step("API fuzzing: Schemathesis against commerce demo --serve");
    cmd!(
        sh,
        "cargo test --locked -p commerce-cli --test it schemathesis -- --ignored"
    )
    .run()?;
    step("cargo xtask fixtures --check");
    fixtures::check(&project_root())?;
    step("cargo xtask schemas --check");
    schemas::check(&project_root())?;
    step("standalone crates (xtask/standalone/*)");
    standalone::check(sh, &project_root())?;
    step("cargo publish --dry-run (library crates)");
    publish_dry_run(sh)?;
    println!("\nci: all checks passed");
    Ok(())
}

/// The crates meant for crates.io; the others (`stripe-sandbox`, `commerce-testplatform`,
/// `commerce-testkit`, `commerce-e2e`, `commerce-cli`, `xtask`) stay `publish = false`.
const LIBRARY_CRATES: &[&str] = &[
    "stripe-wire",
    "stripe-client",
    "stripe-connect",
    "commerce-model",
    "commerce-stripe",
    "commerce-store",
    "commerce-sync",
    "commerce-server",
];

/// Packages every library crate together (so their path dependencies resolve to each other),
/// with the checks `cargo publish` makes before uploading: metadata, versions on path
/// dependencies, the files of each package. `--no-verify` skips building each package again
/// from its tarball (a second cold build of every crate, in the same target directory): the
/// workspace build and the standalone crates above already compile them.
fn publish_dry_run(sh: &Shell) -> Result<()> {
    let packages: Vec<String> = LIBRARY_CRATES
        .iter()
        .flat_map(|krate| ["-p".to_owned(), (*krate).to_owned()])
        .collect();
    cmd!(
        sh,
        "cargo publish --dry-run --no-verify --locked --allow-dirty {packages...}"
    )
    .run()
    .context("cargo publish --dry-run")?;
    Ok(())
}

/// Crates that talk HTTP or run an async runtime: the wire types must not depend on any of them.
const IO_CRATES: &[&str] = &["reqwest", "hyper", "tokio", "axum", "sqlx", "oauth2"];

/// Crates that must know nothing of Stripe (architecture invariant), not even in tests, examples
/// or benches: every edge kind is checked. Code joining both sides lives in `commerce-e2e`.
const STRIPE_AGNOSTIC: &[&str] = &[
    "commerce-model",
    "commerce-store",
    "commerce-sync",
    "commerce-server",
    // Their shared test support: a dev-dependency of the crates above.
    "commerce-testkit",
];

/// `cargo xtask deps`: the dependency direction, and where platforms may be named.
fn deps(sh: &Shell) -> Result<()> {
    let direction = check_dependency_direction(sh);
    let names = check_platform_names(sh);
    let modules = check_module_cycles();
    direction.and(names).and(modules)
}

/// The crates whose top-level modules must not form a cycle of `crate::` paths.
const ACYCLIC_MODULE_CRATES: &[&str] = &["commerce-server", "commerce-store", "stripe-sandbox"];

/// Lists each crate's `crate::` edges between top-level modules (`xtask/src/modcycles.rs`) and
/// fails on a cycle among them.
fn check_module_cycles() -> Result<()> {
    let root = project_root();
    let mut problems = Vec::new();
    for krate in ACYCLIC_MODULE_CRATES {
        let graph = modcycles::graph(&root.join("crates").join(krate))?;
        println!("module edges of {krate}:");
        for (module, targets) in &graph {
            let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
            println!("  {module} -> {}", targets.join(", "));
        }
        for cycle in modcycles::cycles(&graph) {
            problems.push(format!("{krate}: {}", cycle.join(" <-> ")));
        }
    }
    if problems.is_empty() {
        println!("module cycles: ok");
        Ok(())
    } else {
        for problem in &problems {
            eprintln!("module cycles: modules that depend on each other: {problem}");
        }
        bail!("{} module cycle(s)", problems.len())
    }
}

/// Where a platform may be named (architecture invariants, checked on the files git knows):
///
/// - no source file (`src/**/*.rs`) of the platform-agnostic crates names Stripe outside
///   comments, and none holds a `STRIPE_` setting name at all: platforms declare their settings
///   in their own `PlatformInfo`;
/// - the second platform (Quokka, `commerce-testplatform`) is named only by its own crate, the
///   end-to-end test that registers it, the docs that describe it, the workspace manifests and
///   lock file (its crate name), and this check.
fn check_platform_names(sh: &Shell) -> Result<()> {
    let files = cmd!(sh, "git ls-files --cached --others --exclude-standard")
        .read()
        .context("git ls-files")?;
    let root = project_root();
    let mut problems = Vec::new();
    for path in files.lines() {
        let agnostic = STRIPE_AGNOSTIC
            .iter()
            .any(|krate| path.starts_with(&format!("crates/{krate}/src/")));
        let quokka_allowed = QUOKKA_FILES.iter().any(|allowed| {
            path == *allowed || (allowed.ends_with('/') && path.starts_with(allowed))
        });
        if !agnostic && quokka_allowed {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(path)) else {
            continue; // binary or gone
        };
        if agnostic && path.ends_with(".rs") {
            for (number, line) in text.lines().enumerate() {
                let code = line.trim_start();
                let is_comment = code.starts_with("//");
                if line.contains("STRIPE_")
                    || (!is_comment && code.to_ascii_lowercase().contains("stripe"))
                {
                    problems.push(format!(
                        "{path}:{}: names Stripe in a platform-agnostic crate",
                        number + 1
                    ));
                }
            }
        }
        if !quokka_allowed {
            let lower = text.to_ascii_lowercase();
            let crate_name_allowed = QUOKKA_CRATE_NAME_FILES.contains(&path);
            if lower.contains("quokka") || (!crate_name_allowed && lower.contains("testplatform")) {
                problems.push(format!(
                    "{path}: names the second platform outside its files (docs/adding-a-platform.md)"
                ));
            }
        }
    }
    if problems.is_empty() {
        println!("platform names: ok");
        Ok(())
    } else {
        for problem in &problems {
            eprintln!("platform names: {problem}");
        }
        bail!("{} platform-name violation(s)", problems.len())
    }
}

/// The files that may name the second platform (a trailing `/` takes a whole directory).
const QUOKKA_FILES: &[&str] = &[
    "crates/commerce-testplatform/",
    "crates/commerce-e2e/tests/it/second_platform.rs",
    "docs/adding-a-platform.md",
    "docs/architecture.md",
    "xtask/src/main.rs",
];

/// Files that may name the second platform's crate (not the platform): the manifests that
/// declare it and the lock file.
const QUOKKA_CRATE_NAME_FILES: &[&str] =
    &["Cargo.toml", "Cargo.lock", "crates/commerce-e2e/Cargo.toml"];

fn check_dependency_direction(sh: &Shell) -> Result<()> {
    let mut problems = Vec::new();

    let wire_tree = cmd!(
        sh,
        "cargo tree -p stripe-wire -e normal --prefix none --locked"
    )
    .read()
    .context("cargo tree -p stripe-wire")?;
    for io_crate in IO_CRATES {
        if wire_tree
            .lines()
            .any(|line| line.split_whitespace().next() == Some(io_crate))
        {
            problems.push(format!("stripe-wire depends on the I/O crate `{io_crate}`"));
        }
    }
    for line in wire_tree.lines() {
        if line.starts_with("commerce-") {
            problems.push(format!("stripe-wire depends on a commerce crate: {line}"));
        }
    }

    for krate in STRIPE_AGNOSTIC {
        let tree = cmd!(
            sh,
            "cargo tree -p {krate} -e normal,build,dev --prefix none --locked"
        )
        .read()
        .with_context(|| format!("cargo tree -p {krate}"))?;
        for line in tree.lines() {
            if line.starts_with("stripe-") {
                problems.push(format!("{krate} depends on a Stripe crate: {line}"));
            }
        }
    }

    if problems.is_empty() {
        println!("dependency direction: ok");
        Ok(())
    } else {
        for problem in &problems {
            eprintln!("dependency direction: {problem}");
        }
        bail!("{} dependency-direction violation(s)", problems.len())
    }
}
