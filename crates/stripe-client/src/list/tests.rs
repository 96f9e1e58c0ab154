use crate::list::{CreatedRange, ListParams};

#[track_caller]
fn check(params: ListParams, expect: &str) {
    let encoded = serde_urlencoded::to_string(params.to_query()).unwrap();
    assert_eq!(encoded, expect);
}

#[test]
fn defaults_ask_for_full_pages() {
    check(ListParams::new(), "limit=100");
}

#[test]
fn limit_is_clamped_to_what_stripe_accepts() {
    check(ListParams::new().limit(0), "limit=1");
    check(ListParams::new().limit(250), "limit=100");
    check(ListParams::new().limit(10), "limit=10");
}

#[test]
fn every_parameter_is_encoded_with_brackets() {
    check(
        ListParams::new()
            .starting_after("ch_1")
            .created_gte(1_700_000_000)
            .created_lt(1_800_000_000)
            .expand("data.balance_transaction")
            .filter("types[]", "charge.succeeded")
            .filter("types[]", "charge.refunded"),
        "limit=100&starting_after=ch_1&created%5Bgte%5D=1700000000&created%5Blt%5D=1800000000\
         &expand%5B%5D=data.balance_transaction&types%5B%5D=charge.succeeded\
         &types%5B%5D=charge.refunded",
    );
}

#[test]
fn a_created_range_sets_all_bounds() {
    let range = CreatedRange {
        gt: Some(1),
        gte: Some(2),
        lt: Some(3),
        lte: Some(4),
    };
    check(
        ListParams::new().created(range),
        "limit=100&created%5Bgt%5D=1&created%5Bgte%5D=2&created%5Blt%5D=3&created%5Blte%5D=4",
    );
}

#[test]
fn a_cursor_can_be_cleared() {
    check(
        ListParams::new().starting_after("ch_1").with_cursor(None),
        "limit=100",
    );
}
