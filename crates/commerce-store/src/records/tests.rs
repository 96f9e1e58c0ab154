use serde_json::json;

use super::content_hash;

#[test]
fn content_hash_ignores_key_order_and_modified_date() {
    let a = json!({"id": "1", "amount": 10.50, "nested": {"b": 1, "a": [1, {"y": 2, "x": 1}]}});
    let b = json!({"nested": {"a": [1, {"x": 1, "y": 2}], "b": 1}, "amount": 10.50, "id": "1",
                   "modifiedDate": "2024-01-01T00:00:00.000Z"});
    assert_eq!(content_hash(&a), content_hash(&b));
    assert_eq!(content_hash(&a).len(), 64);
}

#[test]
fn content_hash_sees_every_change() {
    let base = json!({"id": "1", "amount": 10, "tags": ["a", "b"]});
    for changed in [
        json!({"id": "1", "amount": 11, "tags": ["a", "b"]}),
        json!({"id": "1", "amount": 10, "tags": ["b", "a"]}),
        json!({"id": "1", "amount": 10, "tags": ["a", "b"], "sourceModifiedDate": "2024-01-01"}),
        json!({"id": "1", "amount": "10", "tags": ["a", "b"]}),
    ] {
        assert_ne!(content_hash(&base), content_hash(&changed), "{changed}");
    }
}
