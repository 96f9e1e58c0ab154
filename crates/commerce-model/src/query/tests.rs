use crate::query::{Expr, OrderBy, Query, MAX_QUERY_LENGTH};

/// A compact, unambiguous rendering of the tree: `(&& (= a "1") (|| ...))`; quoted values get a
/// leading `q`.
fn sexpr(expr: &Expr) -> String {
    match expr {
        Expr::And(parts) => format!(
            "(&& {})",
            parts.iter().map(sexpr).collect::<Vec<_>>().join(" ")
        ),
        Expr::Or(parts) => format!(
            "(|| {})",
            parts.iter().map(sexpr).collect::<Vec<_>>().join(" ")
        ),
        Expr::Cmp { path, op, value } => {
            let quote = if value.quoted { "q" } else { "" };
            format!("({op} {path} {quote}{:?})", value.text)
        }
    }
}

#[track_caller]
fn check(input: &str, expect: &str) {
    let query = Query::parse(input).unwrap_or_else(|err| panic!("{input:?} failed: {err}"));
    assert_eq!(sexpr(&query.expr), expect, "parsing {input:?}");
    // Display gives text that parses back to the same tree.
    let canonical = query.to_string();
    let reparsed = Query::parse(&canonical)
        .unwrap_or_else(|err| panic!("canonical {canonical:?} failed: {err}"));
    assert_eq!(reparsed, query, "round trip through {canonical:?}");
}

#[track_caller]
fn check_error(input: &str, expect: &str) {
    let err = Query::parse(input).expect_err(input);
    assert_eq!(err.to_string(), expect, "parsing {input:?}");
}

#[test]
fn single_comparisons() {
    check(
        "id=e3334455-1aa1-4e0f-9fa5-b8e5e6a4d7f0",
        r#"(= id "e3334455-1aa1-4e0f-9fa5-b8e5e6a4d7f0")"#,
    );
    check("currency = GBP", r#"(= currency "GBP")"#);
    check("status != paid", r#"(!= status "paid")"#);
    check("customerName~Acme", r#"(~ customerName "Acme")"#);
    check("totalAmount>100", r#"(> totalAmount "100")"#);
    check("totalAmount<100", r#"(< totalAmount "100")"#);
    check("totalAmount >= 10.5", r#"(>= totalAmount "10.5")"#);
    check("totalAmount<=-3", r#"(<= totalAmount "-3")"#);
    check(
        "modifiedDate>=2022-09-30T11:18:28Z",
        r#"(>= modifiedDate "2022-09-30T11:18:28Z")"#,
    );
    check("  dueDate > 2021-01-28  ", r#"(> dueDate "2021-01-28")"#);
}

#[test]
fn dot_paths() {
    check("customerRef.id=61", r#"(= customerRef.id "61")"#);
    check("addresses.city = London", r#"(= addresses.city "London")"#);
    check(
        "metadata.isDeleted!=true",
        r#"(!= metadata.isDeleted "true")"#,
    );
    check("a.b.c_d1 = x", r#"(= a.b.c_d1 "x")"#);
}

#[test]
fn quoted_and_bare_values() {
    check(
        r#"customerName = "Acme Ltd""#,
        r#"(= customerName q"Acme Ltd")"#,
    );
    check("customerName = Acme Ltd", r#"(= customerName "Acme Ltd")"#);
    check(r#"note = "a && b || c }""#, r#"(= note q"a && b || c }")"#);
    check(
        r#"note = "say \"hi\" \\ bye""#,
        r#"(= note q"say \"hi\" \\ bye")"#,
    );
    check(r#"note = """#, r#"(= note q"")"#);
    check(r#"note = "x=1""#, r#"(= note q"x=1")"#);
    check(
        "emailAddress=jane@example.com",
        r#"(= emailAddress "jane@example.com")"#,
    );
}

#[test]
fn and_or_and_groups() {
    check("a=1&&b=2", r#"(&& (= a "1") (= b "2"))"#);
    check("a=1 && b=2 && c=3", r#"(&& (= a "1") (= b "2") (= c "3"))"#);
    check("a=1 || b=2 || c=3", r#"(|| (= a "1") (= b "2") (= c "3"))"#);
    check(
        "{totalAmount > 100 || totalAmount < 50} && status != paid",
        r#"(&& (|| (> totalAmount "100") (< totalAmount "50")) (!= status "paid"))"#,
    );
    check(
        "a=1 || {b=2 && c=3}",
        r#"(|| (= a "1") (&& (= b "2") (= c "3")))"#,
    );
    check("{a=1}", r#"(= a "1")"#);
    check(
        "{{a=1 && b=2}} && c=3",
        r#"(&& (= a "1") (= b "2") (= c "3"))"#,
    );
    check(
        "{ a=1 || b=2 } && { c=3 || d=4 }",
        r#"(&& (|| (= a "1") (= b "2")) (|| (= c "3") (= d "4")))"#,
    );
}

#[test]
fn mixing_and_with_or_needs_groups() {
    check_error(
        "a=1 && b=2 || c=3",
        "malformed query at character 11: `&&` and `||` cannot be mixed without `{ }` groups",
    );
    check_error(
        "a=1 || b=2 && c=3",
        "malformed query at character 11: `&&` and `||` cannot be mixed without `{ }` groups",
    );
}

#[test]
fn syntax_errors_say_where_and_what() {
    check_error(
        "",
        "malformed query at character 0: expected a field name, found end of query",
    );
    check_error(
        "   ",
        "malformed query at character 3: expected a field name, found end of query",
    );
    check_error(
        "=5",
        "malformed query at character 0: expected a field name, found `=`",
    );
    check_error("amount", "malformed query at character 6: expected an operator (=, !=, ~, >, <, >=, <=), found end of query");
    check_error(
        "amount ! 5",
        "malformed query at character 7: expected an operator (=, !=, ~, >, <, >=, <=), found `!`",
    );
    check_error(
        "amount >",
        "malformed query at character 8: expected a value, found end of query",
    );
    check_error(
        "amount > && b=1",
        "malformed query at character 9: expected a value, found `&&`",
    );
    check_error(
        "a=1 &&",
        "malformed query at character 6: expected a field name, found end of query",
    );
    check_error(
        "a=1 && || b=2",
        "malformed query at character 7: expected a field name, found `||`",
    );
    check_error(
        "customerRef.=1",
        "malformed query at character 12: expected a field name after `.`, found `=`",
    );
    check_error("{a=1", "malformed query at character 4: expected `}` to close the group, `&&` or `||`, found end of query");
    check_error("a=1}", "malformed query at character 3: expected `&&`, `||` or end of query (unmatched `}`), found `}`");
    check_error("a=1 b=2", "malformed query at character 5: expected `&&` or `||` before the next comparison (quote values containing = < > ~), found `=`");
    check_error(r#"a="open"#, "malformed query at character 7: expected `\"` to close the quoted value, found end of query");
    check_error(r#"a="x\y""#, "malformed query at character 5: expected `\\\"` or `\\\\` after `\\` in a quoted value, found `y`");
    check_error(
        r#"a="x" b"#,
        "malformed query at character 6: expected `&&`, `||` or end of query, found `b`",
    );
}

#[test]
fn length_limit_is_2048_characters() {
    let value = "x".repeat(MAX_QUERY_LENGTH - 3);
    let at_limit = format!("id={value}");
    assert_eq!(at_limit.chars().count(), MAX_QUERY_LENGTH);
    assert!(Query::parse(&at_limit).is_ok());
    let over = format!("{at_limit}x");
    check_error(&over, "query is 2049 characters long; the limit is 2048");
    // Characters, not bytes.
    let accented = format!("id={}", "é".repeat(MAX_QUERY_LENGTH - 3));
    assert!(Query::parse(&accented).is_ok());
}

#[test]
fn literal_helpers_type_the_text() {
    let Expr::Cmp { value, .. } = Query::parse("a = 10.50").unwrap().expr else {
        panic!("not a comparison")
    };
    assert_eq!(
        value.as_decimal(),
        Some(rust_decimal::Decimal::new(1050, 2))
    );
    let Expr::Cmp { value, .. } = Query::parse("a = 2021-01-28").unwrap().expr else {
        panic!("not a comparison")
    };
    assert_eq!(
        value.as_timestamp().map(|date| date.to_string()),
        Some("2021-01-28".to_owned())
    );
    assert_eq!(value.as_decimal(), None);
    let Expr::Cmp { value, .. } = Query::parse("a = TRUE").unwrap().expr else {
        panic!("not a comparison")
    };
    assert_eq!(value.as_bool(), Some(true));
}

#[track_caller]
fn check_order_by(input: &str, expect: &str) {
    let order_by = OrderBy::parse(input).unwrap_or_else(|err| panic!("{input:?} failed: {err}"));
    let rendered: Vec<String> = order_by
        .keys
        .iter()
        .map(|key| {
            format!(
                "{} {}",
                key.path,
                if key.descending { "desc" } else { "asc" }
            )
        })
        .collect();
    assert_eq!(rendered.join(", "), expect, "parsing {input:?}");
    assert_eq!(OrderBy::parse(&order_by.to_string()).unwrap(), order_by);
}

#[test]
fn order_by() {
    check_order_by("-modifiedDate", "modifiedDate desc");
    check_order_by("modifiedDate", "modifiedDate asc");
    check_order_by("-createdDate, id", "createdDate desc, id asc");
    check_order_by(" customerRef.id ", "customerRef.id asc");
    let err = OrderBy::parse("-").unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"malformed orderBy "-": expected a field name (optionally prefixed with `-`)"#
    );
    assert!(OrderBy::parse("").is_err());
    assert!(OrderBy::parse("a,,b").is_err());
    let err = OrderBy::parse("total amount").unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"malformed orderBy "total amount": field names are letters, digits and `_`, separated by `.`"#
    );
}
