use crate::document::read_objects;
use crate::error::MapError;

#[track_caller]
fn check(input: &str, expected_paths: &[&str]) {
    let objects = read_objects(input.as_bytes()).unwrap();
    let paths: Vec<&str> = objects.iter().map(|object| object.path.as_str()).collect();
    assert_eq!(paths, expected_paths);
}

#[track_caller]
fn check_err(input: &str, expected: &str) {
    let err = read_objects(input.as_bytes()).unwrap_err();
    assert_eq!(err.to_string(), expected);
}

#[test]
fn one_object() {
    check(r#"{"object": "charge", "id": "ch_1"}"#, &["$"]);
}

#[test]
fn list_envelope() {
    check(
        r#"{"object": "list", "data": [{"object": "charge"}, {"object": "refund"}], "has_more": false}"#,
        &["$.data[0]", "$.data[1]"],
    );
}

#[test]
fn array_of_objects_and_envelopes() {
    check(
        r#"[{"object": "product"}, {"object": "list", "data": [{"object": "price"}]}]"#,
        &["$[0]", "$[1].data[0]"],
    );
}

#[test]
fn newline_delimited() {
    check(
        "{\"object\": \"charge\"}\n{\"object\": \"charge\"}\n\n{\"object\": \"refund\"}\n",
        &["$[0]", "$[1]", "$[2]"],
    );
}

#[test]
fn search_result_envelope() {
    check(
        r#"{"object": "search_result", "data": [{"object": "charge"}], "has_more": false}"#,
        &["$.data[0]"],
    );
}

#[test]
fn not_an_object() {
    check_err(
        r#"[{"object": "charge"}, 3]"#,
        "$[1]: expected a Stripe object, found a number",
    );
    check_err(
        r#"{"id": "ch_1"}"#,
        "$: not a Stripe object: it has no `object` field",
    );
    check_err(
        r#"{"object": "list", "data": 1}"#,
        "$.data: a list envelope needs a `data` array",
    );
    check_err("  \n", "$: the document is empty");
}

#[test]
fn syntax_error_names_line_and_column() {
    let err = read_objects(b"{\"object\": \"charge\",\n \"amount\": }").unwrap_err();
    assert!(matches!(err, MapError::Json { .. }), "{err:?}");
    assert!(err.to_string().contains("line 2"), "{err}");
}
