//! `cargo xtask deps`, module part: the `crate::` edges between the top-level modules of a
//! crate, and the cycles among them.
//!
//! A top-level module is `src/NAME.rs` or `src/NAME/**`. An edge `a -> b` is a `crate::b` path (in
//! a `use` or in code, grouped `use crate::{b, c::d}` included) in a file of `a`, outside comments
//! and string literals. The crate root (`lib.rs`/`main.rs`) is left out: it declares every module
//! and re-exports their items, so `crate::Item` names the module that defines `Item` in spirit but
//! the root in letter, and counting it would join every module into one cycle. Cycles are the
//! strongly connected components of more than one module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result};

/// The module graph of one crate: `module -> modules it names`.
pub(crate) type Graph = BTreeMap<String, BTreeSet<String>>;

/// Reads `crate_dir/src` and returns its top-level module graph.
pub(crate) fn graph(crate_dir: &Path) -> Result<Graph> {
    let src = crate_dir.join("src");
    let mut files = Vec::new();
    collect_rs(&src, &mut files)?;
    let mut modules = BTreeSet::new();
    for file in &files {
        if let Some(module) = top_module(&src, file) {
            modules.insert(module);
        }
    }
    let mut graph: Graph = modules
        .iter()
        .map(|module| (module.clone(), BTreeSet::new()))
        .collect();
    for file in &files {
        let Some(from) = top_module(&src, file) else {
            continue;
        };
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let code = strip_comments_and_strings(&text);
        for target in crate_paths(&code) {
            if modules.contains(&target) && target != from {
                graph.entry(from.clone()).or_default().insert(target);
            }
        }
    }
    Ok(graph)
}

fn collect_rs(dir: &Path, files: &mut Vec<std::path::PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_rs(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files.sort();
    Ok(())
}

/// `src/routes/mod.rs` and `src/routes.rs` are `routes`; `src/lib.rs` and `src/main.rs` (the
/// root) are `None`.
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).unwrap_or(file);
    let mut parts = relative.components();
    let first = parts
        .next()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    if parts.next().is_some() {
        return Some(first);
    }
    match first.trim_end_matches(".rs") {
        "lib" | "main" => None,
        name => Some(name.to_owned()),
    }
}

/// The source without comments (line, block, doc) and with string and char literals emptied.
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        let next = chars.get(index + 1).copied();
        if c == '/' && next == Some('/') {
            while index < chars.len() && chars[index] != '\n' {
                index += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 1;
            index += 2;
            while index < chars.len() && depth > 0 {
                if chars[index] == '/' && chars.get(index + 1) == Some(&'*') {
                    depth += 1;
                    index += 2;
                } else if chars[index] == '*' && chars.get(index + 1) == Some(&'/') {
                    depth -= 1;
                    index += 2;
                } else {
                    index += 1;
                }
            }
            out.push(' ');
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !ident_before(&chars, index)
        {
            // A raw string: r"..." or r#"..."#.
            let mut hashes = 0;
            let mut cursor = index + 1;
            while chars.get(cursor) == Some(&'#') {
                hashes += 1;
                cursor += 1;
            }
            if chars.get(cursor) != Some(&'"') {
                out.push(c);
                index += 1;
                continue;
            }
            cursor += 1;
            loop {
                if cursor >= chars.len() {
                    break;
                }
                if chars[cursor] == '"'
                    && (0..hashes).all(|offset| chars.get(cursor + 1 + offset) == Some(&'#'))
                {
                    cursor += 1 + hashes;
                    break;
                }
                cursor += 1;
            }
            out.push_str("\"\"");
            index = cursor;
        } else if c == '"' {
            index += 1;
            while index < chars.len() && chars[index] != '"' {
                if chars[index] == '\\' {
                    index += 1;
                }
                index += 1;
            }
            index += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a): only the former is skipped.
            if next == Some('\\') {
                let mut cursor = index + 2;
                while cursor < chars.len() && chars[cursor] != '\'' {
                    cursor += 1;
                }
                index = cursor + 1;
                out.push_str("' '");
            } else if chars.get(index + 2) == Some(&'\'') {
                index += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                index += 1;
            }
        } else {
            out.push(c);
            index += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], index: usize) -> bool {
    index > 0 && (chars[index - 1].is_alphanumeric() || chars[index - 1] == '_')
}

/// The first segment after every `crate::` (each member of a `crate::{...}` group).
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut index = 0;
    while index + 5 <= bytes.len() {
        let is_crate = bytes[index..index + 5].iter().collect::<String>() == "crate"
            && !ident_before(&bytes, index);
        if !is_crate {
            index += 1;
            continue;
        }
        let mut cursor = skip_space(&bytes, index + 5);
        if !(bytes.get(cursor) == Some(&':') && bytes.get(cursor + 1) == Some(&':')) {
            index += 5;
            continue;
        }
        cursor = skip_space(&bytes, cursor + 2);
        if bytes.get(cursor) == Some(&'{') {
            // A group: the first segment of each top-level member.
            let mut depth = 0;
            let mut at_member_start = true;
            while cursor < bytes.len() {
                let c = bytes[cursor];
                match c {
                    '{' => {
                        depth += 1;
                        if depth == 1 {
                            at_member_start = true;
                        }
                    }
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => at_member_start = true,
                    _ if depth == 1 && at_member_start && (c.is_alphabetic() || c == '_') => {
                        let word = read_ident(&bytes, cursor);
                        cursor += word.chars().count();
                        at_member_start = false;
                        found.push(word);
                        continue;
                    }
                    _ => {}
                }
                cursor += 1;
            }
        } else {
            let word = read_ident(&bytes, cursor);
            if !word.is_empty() {
                found.push(word);
            }
        }
        index = cursor.max(index + 5);
    }
    found
}

fn skip_space(chars: &[char], mut index: usize) -> usize {
    while chars.get(index).is_some_and(|c| c.is_whitespace()) {
        index += 1;
    }
    index
}

fn read_ident(chars: &[char], index: usize) -> String {
    chars[index..]
        .iter()
        .take_while(|c| c.is_alphanumeric() || **c == '_')
        .collect()
}

/// The strongly connected components with more than one module (Tarjan's algorithm).
pub(crate) fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        components: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a str) {
            self.index.insert(node, self.next);
            self.low.insert(node, self.next);
            self.next += 1;
            self.stack.push(node);
            self.on_stack.insert(node);
            let graph = self.graph;
            for target in graph.get(node).into_iter().flatten() {
                let target = target.as_str();
                if !self.index.contains_key(target) {
                    self.visit(target);
                    let low = self.low[node].min(self.low[target]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(target) {
                    let low = self.low[node].min(self.index[target]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(member) = self.stack.pop() {
                    self.on_stack.remove(member);
                    component.push(member.to_owned());
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.components.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        components: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node.as_str()) {
            walk.visit(node);
        }
    }
    walk.components.sort();
    walk.components
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_found_in_code_only() {
        let code = strip_comments_and_strings(
            "use crate::a::B;\n// crate::commented\nuse crate::{c, d::{e, f}, g as h};\n\
             let x = \"crate::string\"; let y = crate :: i ::j(); /* crate::block */ 'a';",
        );
        assert_eq!(crate_paths(&code), ["a", "c", "d", "g", "i"]);
    }

    #[test]
    fn a_cycle_is_reported_once_with_its_members() {
        let mut graph = Graph::new();
        graph.insert("a".into(), ["b".into()].into());
        graph.insert("b".into(), ["c".into()].into());
        graph.insert("c".into(), ["a".into(), "d".into()].into());
        graph.insert("d".into(), BTreeSet::new());
        assert_eq!(cycles(&graph), [vec!["a", "b", "c"]]);
        graph.get_mut("c").map(|targets| targets.remove("a"));
        assert!(cycles(&graph).is_empty());
    }
}
