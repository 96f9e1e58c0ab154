//! The store's top-level modules form no cycle: each `crate::<module>` path in a module's files
//! (its `src/<module>.rs` and `src/<module>/**`) is an edge, and the graph must be acyclic
//! (issue 13: `companies`, `datasets`, `aggregates` and `store` used to reach each other; shared
//! helpers now live in modules of their own, `convert` and `cache`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `crate::<name>` edge between top-level modules, by module.
fn module_edges(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if stem == "lib" {
            continue;
        }
        if path.is_dir() {
            let mut stack = vec![path];
            while let Some(dir) = stack.pop() {
                for inner in std::fs::read_dir(&dir).unwrap() {
                    let inner = inner.unwrap().path();
                    if inner.is_dir() {
                        stack.push(inner);
                    } else if inner.extension().is_some_and(|ext| ext == "rs") {
                        files.entry(stem.clone()).or_default().push(inner);
                    }
                }
            }
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.entry(stem).or_default().push(path);
        }
    }
    let modules: BTreeSet<String> = files.keys().cloned().collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, paths) in &files {
        let targets = edges.entry(module.clone()).or_default();
        for path in paths {
            let text = std::fs::read_to_string(path).unwrap();
            for (at, _) in text.match_indices("crate::") {
                let rest = &text[at + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if name != *module && modules.contains(&name) {
                    targets.insert(name);
                }
            }
        }
    }
    edges
}

/// A cycle in `edges`, if there is one (as the modules along it).
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = path.iter().position(|name| name == next).unwrap();
                    let mut cycle = path[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(cycle) = visit(next, edges, state, path) {
                        return Some(cycle);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(cycle) = visit(node, edges, &mut state, &mut Vec::new()) {
                return Some(cycle);
            }
        }
    }
    None
}

#[test]
fn top_level_modules_form_no_cycle() {
    let src = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let edges = module_edges(&src);
    let listing: Vec<String> = edges
        .iter()
        .map(|(module, targets)| {
            let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
            format!("{module} -> {}", targets.join(", "))
        })
        .collect();
    // The check sees the edges the modules really have.
    assert!(edges["records"].contains("query"), "{listing:#?}");
    assert!(edges["companies"].contains("datasets"), "{listing:#?}");
    if let Some(cycle) = find_cycle(&edges) {
        panic!(
            "module cycle {}\nedges:\n{}",
            cycle.join(" -> "),
            listing.join("\n")
        );
    }
    // And it would see one: an edge back from datasets to companies closes a cycle.
    let mut with_cycle = edges.clone();
    with_cycle
        .get_mut("datasets")
        .unwrap()
        .insert("companies".to_owned());
    assert!(find_cycle(&with_cycle).is_some());
}
