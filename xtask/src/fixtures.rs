//! `cargo xtask fixtures`: the golden files in `fixtures/commerce/` and their freshness check.
//!
//! `fixtures/stripe/<resource>/<case>.json` holds Stripe JSON; `fixtures/commerce/<resource>/<case>.json`
//! holds what `commerce_stripe::map_document` makes of it, pretty-printed.
//! `regen` rewrites the goldens, `--check` fails when any golden differs from what regen would write
//! (or has no Stripe input any more).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// Every golden file regen would write, by path, from the Stripe fixtures under `root`.
pub(crate) fn expected_goldens(root: &Path) -> Result<BTreeMap<PathBuf, String>> {
    let stripe_dir = root.join("fixtures/stripe");
    let mut goldens = BTreeMap::new();
    for resource_dir in sorted_entries(&stripe_dir)? {
        if !resource_dir.is_dir() {
            continue;
        }
        let resource = file_name(&resource_dir)?;
        let Some(data_type) = commerce_stripe::data_type_of_object(&resource) else {
            bail!(
                "{}: `{resource}` is not a Stripe object the mapping knows",
                resource_dir.display()
            );
        };
        for case in sorted_entries(&resource_dir)? {
            if case.extension().and_then(|ext| ext.to_str()) != Some("json") {
                continue;
            }
            let bytes =
                std::fs::read(&case).with_context(|| format!("reading {}", case.display()))?;
            let mapped = commerce_stripe::map_document(data_type, &bytes)
                .map_err(|err| anyhow::anyhow!("{}: {err}", case.display()))?;
            let mut text = serde_json::to_string_pretty(&mapped)?;
            text.push('\n');
            let golden = root
                .join("fixtures/commerce")
                .join(&resource)
                .join(file_name(&case)?);
            goldens.insert(golden, text);
        }
    }
    Ok(goldens)
}

/// `cargo xtask fixtures regen`: rewrites `fixtures/commerce/` and deletes goldens without input.
pub(crate) fn regen(root: &Path) -> Result<()> {
    let goldens = expected_goldens(root)?;
    for stale in existing_goldens(root)? {
        if !goldens.contains_key(&stale) {
            std::fs::remove_file(&stale)
                .with_context(|| format!("removing {}", stale.display()))?;
            println!("removed {}", relative(root, &stale));
        }
    }
    let mut written = 0;
    for (path, text) in &goldens {
        if std::fs::read_to_string(path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", relative(root, path));
        written += 1;
    }
    println!(
        "fixtures: {} golden file(s), {written} rewritten",
        goldens.len()
    );
    Ok(())
}

/// `cargo xtask fixtures --check`: the list of stale, missing or orphaned golden files.
pub(crate) fn stale_goldens(root: &Path) -> Result<Vec<String>> {
    let goldens = expected_goldens(root)?;
    let mut problems = Vec::new();
    for (path, text) in &goldens {
        match std::fs::read_to_string(path) {
            Ok(current) if current == *text => {}
            Ok(_) => problems.push(format!("{} is stale", relative(root, path))),
            Err(_) => problems.push(format!("{} is missing", relative(root, path))),
        }
    }
    for existing in existing_goldens(root)? {
        if !goldens.contains_key(&existing) {
            problems.push(format!(
                "{} has no input in fixtures/stripe",
                relative(root, &existing)
            ));
        }
    }
    Ok(problems)
}

/// `cargo xtask fixtures --check` as a command: fails with the list of problems.
pub(crate) fn check(root: &Path) -> Result<()> {
    let problems = stale_goldens(root)?;
    if problems.is_empty() {
        println!("fixtures: goldens are fresh");
        return Ok(());
    }
    for problem in &problems {
        eprintln!("fixtures: {problem}");
    }
    bail!(
        "{} golden file(s) out of date: run `cargo xtask fixtures regen` and review the diff",
        problems.len()
    )
}

fn existing_goldens(root: &Path) -> Result<Vec<PathBuf>> {
    let commerce_dir = root.join("fixtures/commerce");
    let mut files = Vec::new();
    if !commerce_dir.exists() {
        return Ok(files);
    }
    for resource_dir in sorted_entries(&commerce_dir)? {
        if resource_dir.is_dir() {
            files.extend(
                sorted_entries(&resource_dir)?
                    .into_iter()
                    .filter(|path| path.extension().and_then(|ext| ext.to_str()) == Some("json")),
            );
        }
    }
    Ok(files)
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}

fn file_name(path: &Path) -> Result<String> {
    path.file_name()
        .and_then(|name| name.to_str())
        .map(str::to_owned)
        .with_context(|| format!("{} has no UTF-8 file name", path.display()))
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests;
