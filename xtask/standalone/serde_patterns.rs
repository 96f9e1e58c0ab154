//! Serde patterns in a user's own code that must keep working next to a library crate.
//!
//! `serde_json`'s `arbitrary_precision` feature, if a dependency turned it on, breaks both: numbers
//! then reach `#[serde(flatten)]` maps and untagged enums as a private map type instead of `f64`.

use std::collections::HashMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Scores {
    name: String,
    #[serde(flatten)]
    scores: HashMap<String, f64>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(untagged)]
enum NumOrText {
    Num(f64),
    Text(String),
}

/// Deserializes both patterns; an error names the one that broke.
pub fn check() -> Result<(), String> {
    let scores: Scores = serde_json::from_str(r#"{"name":"a","x":1.5,"y":2}"#)
        .map_err(|error| format!("#[serde(flatten)] HashMap<String, f64>: {error}"))?;
    if scores.name != "a"
        || scores.scores.get("x") != Some(&1.5)
        || scores.scores.get("y") != Some(&2.0)
    {
        return Err(format!(
            "#[serde(flatten)] HashMap<String, f64> read {scores:?}"
        ));
    }
    let values: Vec<NumOrText> = serde_json::from_str(r#"[1.25, "x", 3]"#)
        .map_err(|error| format!("untagged enum {{ Num(f64), Text(String) }}: {error}"))?;
    let expected = vec![
        NumOrText::Num(1.25),
        NumOrText::Text("x".into()),
        NumOrText::Num(3.0),
    ];
    if values != expected {
        return Err(format!("untagged enum read {values:?}"));
    }
    Ok(())
}
