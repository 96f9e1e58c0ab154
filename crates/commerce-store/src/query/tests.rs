use super::*;

#[track_caller]
fn check_number(input: &str, expect: Option<f64>) {
    assert_eq!(parse_number(input), expect, "{input}");
}

#[test]
fn numbers_are_json_number_literals_only() {
    check_number("100", Some(100.0));
    check_number("-2.5", Some(-2.5));
    check_number("1e3", Some(1000.0));
    check_number("1E-2", Some(0.01));
    for not_number in [
        "",
        "-",
        "1.",
        ".5",
        "inf",
        "NaN",
        "0x10",
        "2024-01-01",
        "1e",
        "12a",
        "+1",
    ] {
        check_number(not_number, None);
    }
}

#[test]
fn like_patterns_escape_wildcards() {
    assert_eq!(like_pattern(r"50%_a\b"), r"%50\%\_a\\b%");
}

#[test]
fn paths_are_validated() {
    let path = |text: &str| text.split('.').map(str::to_owned).collect::<Vec<_>>();
    assert!(validate_path(&path("customerRef.id")).is_ok());
    assert!(validate_path(&path("_a1.b_2")).is_ok());
    assert!(validate_path(&path("1a")).is_ok());
    for bad in ["", "a..b", "a-b", "a'b", "a\"b", "a[0]", "a b", "é"] {
        let err = validate_path(&path(bad)).unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidQuery { .. }),
            "{bad}: {err}"
        );
    }
}

#[test]
fn values_are_bound_not_spliced() {
    let query = commerce_model::Query::parse(r#"name="x'; DROP TABLE records; --""#).unwrap();
    for engine in [Engine::Sqlite, Engine::Postgres] {
        // `name` is not a declared scalar field of transactions: its path is bound too.
        let mut builder = SqlBuilder::new(engine, DataType::Transactions, 3);
        let sql = builder.filter(&query.expr).unwrap();
        assert!(!sql.contains("DROP"), "{sql}");
        assert!(!sql.contains("name"), "{sql}");
        assert!(sql.contains("$3"), "{sql}");
        assert!(builder
            .binds
            .contains(&Bind::Text("x'; DROP TABLE records; --".to_owned())));
    }
}

#[test]
fn declared_scalar_fields_are_written_as_literals_and_values_bound() {
    let query = commerce_model::Query::parse(r#"currency="x'; DROP TABLE records; --""#).unwrap();
    for (engine, extracted) in [
        (Engine::Sqlite, "json_extract(r.data, '$.currency') = $2"),
        (Engine::Postgres, "(r.data ->> 'currency') = $2"),
    ] {
        let mut builder = SqlBuilder::new(engine, DataType::Transactions, 2);
        let sql = builder.filter(&query.expr).unwrap();
        assert!(!sql.contains("DROP"), "{sql}");
        // Spelt exactly as migration 0007's index expression, so the index serves it.
        assert!(sql.contains(extracted), "{sql}");
        assert!(
            !sql.contains("json_each") && !sql.contains("jsonb_path_query"),
            "{sql}"
        );
        assert_eq!(
            builder.binds,
            vec![Bind::Text("x'; DROP TABLE records; --".to_owned())]
        );
    }
    // The same field name on a data type that does not declare it takes the general form.
    let mut builder = SqlBuilder::new(Engine::Sqlite, DataType::Orders, 2);
    let sql = builder.filter(&query.expr).unwrap();
    assert!(sql.contains("json_each(r.data, $2)"), "{sql}");
}
