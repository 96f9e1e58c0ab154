//! `Query::matches` and `OrderBy::compare` over the shared case table, which the store's SQL
//! runs too (`crates/commerce-store/tests/it/query.rs`).

use commerce_model::{OrderBy, Query};
use serde_json::Value;

#[test]
fn in_memory_evaluation_gives_the_stores_answers() {
    let table: Value = serde_json::from_str(include_str!("../query_semantics.json")).unwrap();
    let mut cases = 0;
    for dataset in table["datasets"].as_array().unwrap() {
        let records = dataset["records"].as_array().unwrap();
        for case in dataset["cases"].as_array().unwrap() {
            let query = Query::parse(case["query"].as_str().unwrap()).unwrap();
            let mut matched: Vec<&Value> = records
                .iter()
                .filter(|record| query.matches(record))
                .collect();
            match case["orderBy"].as_str() {
                Some(order_by) => {
                    let order_by = OrderBy::parse(order_by).unwrap();
                    matched.sort_by(|a, b| order_by.compare(a, b));
                }
                None => matched.sort_by(|a, b| commerce_model::query::by_id(a, b)),
            }
            let ids: Vec<&str> = matched.iter().map(|r| r["id"].as_str().unwrap()).collect();
            let expect: Vec<&str> = case["expect"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| id.as_str().unwrap())
                .collect();
            assert_eq!(ids, expect, "{case}");
            cases += 1;
        }
    }
    assert!(cases > 50, "only {cases} cases");
}
