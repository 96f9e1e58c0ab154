//! `DataType`, the Codat enums, and the paging envelope.

use commerce_model::{AddressType, DataType, DisputeStatus, Page, PaymentStatus, TransactionType};

#[track_caller]
fn check(data_type: DataType, key: &str, url_segment: &str, schema: &str) {
    assert_eq!(data_type.key(), key);
    assert_eq!(data_type.url_segment(), url_segment);
    assert_eq!(data_type.schema_name(), schema);
    assert_eq!(DataType::parse(key).unwrap(), data_type);
    assert_eq!(url_segment.parse::<DataType>().unwrap(), data_type);
    assert_eq!(
        serde_json::to_string(&data_type).unwrap(),
        format!("\"{key}\"")
    );
    assert_eq!(
        serde_json::from_str::<DataType>(&format!("\"{url_segment}\"")).unwrap(),
        data_type
    );
}

#[test]
fn data_type_keys_and_url_segments() {
    check(
        DataType::CompanyInfo,
        "commerce-companyInfo",
        "commerce-info",
        "CompanyInfo",
    );
    check(
        DataType::Customers,
        "commerce-customers",
        "commerce-customers",
        "Customer",
    );
    check(
        DataType::Disputes,
        "commerce-disputes",
        "commerce-disputes",
        "Dispute",
    );
    check(
        DataType::Locations,
        "commerce-locations",
        "commerce-locations",
        "Location",
    );
    check(
        DataType::Orders,
        "commerce-orders",
        "commerce-orders",
        "Order",
    );
    check(
        DataType::PaymentMethods,
        "commerce-paymentMethods",
        "commerce-paymentMethods",
        "PaymentMethod",
    );
    check(
        DataType::Payments,
        "commerce-payments",
        "commerce-payments",
        "Payment",
    );
    check(
        DataType::ProductCategories,
        "commerce-productCategories",
        "commerce-productCategories",
        "ProductCategory",
    );
    check(
        DataType::Products,
        "commerce-products",
        "commerce-products",
        "Product",
    );
    check(
        DataType::TaxComponents,
        "commerce-taxComponents",
        "commerce-taxComponents",
        "TaxComponent",
    );
    check(
        DataType::Transactions,
        "commerce-transactions",
        "commerce-transactions",
        "Transaction",
    );
    assert_eq!(DataType::ALL.len(), 11);
    assert!(!DataType::CompanyInfo.is_paged());
    assert!(
        DataType::ALL
            .iter()
            .filter(|data_type| data_type.is_paged())
            .count()
            == 10
    );
}

#[test]
fn data_type_keys_match_every_commerce_path_in_codat_openapi() {
    let Some(schemas) = crate::codat_schemas() else {
        return;
    };
    let mut segments: Vec<String> = schemas
        .response_examples()
        .iter()
        .filter_map(|example| {
            example
                .path
                .split("/data/")
                .nth(1)
                .map(|rest| rest.split('/').next().unwrap().to_owned())
        })
        .collect();
    segments.sort();
    segments.dedup();
    let mut ours: Vec<String> = DataType::ALL
        .iter()
        .map(|data_type| data_type.url_segment().to_owned())
        .collect();
    ours.sort();
    assert_eq!(segments, ours);
}

#[test]
fn unknown_data_types_are_errors() {
    let err = DataType::parse("commerce-invoices").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("unknown data type \"commerce-invoices\""),
        "{err}"
    );
    assert!(DataType::parse("Commerce-Customers").is_err());
    assert!(serde_json::from_str::<DataType>("\"invoices\"").is_err());
}

#[test]
fn enums_read_case_insensitively_keep_unknown_values_and_write_codat_spelling() {
    assert_eq!(
        serde_json::from_str::<AddressType>("\"billing\"").unwrap(),
        AddressType::Billing
    );
    assert_eq!(
        serde_json::from_str::<AddressType>("\"Somewhere\"").unwrap(),
        AddressType::Unknown("Somewhere".to_owned())
    );
    // An unknown value is written back unchanged.
    let unknown: AddressType = serde_json::from_str("\"Somewhere\"").unwrap();
    assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"Somewhere\"");
    assert_eq!(
        serde_json::to_string(&AddressType::unknown()).unwrap(),
        "\"Unknown\""
    );
    assert_eq!(
        serde_json::from_str::<DisputeStatus>("\"INQUIRYEVIDENCEREQUIRED\"").unwrap(),
        DisputeStatus::InquiryEvidenceRequired
    );
    assert_eq!(
        serde_json::to_string(&DisputeStatus::ChargeRefunded).unwrap(),
        "\"ChargeRefunded\""
    );
    assert_eq!(
        serde_json::to_string(&TransactionType::PaymentFeeRefund).unwrap(),
        "\"PaymentFeeRefund\""
    );
    assert_eq!(PaymentStatus::default(), PaymentStatus::unknown());
    assert!(!PaymentStatus::ALL.contains(&PaymentStatus::unknown()));
    assert!(serde_json::from_str::<PaymentStatus>("5").is_err());
}

#[test]
fn every_enum_lists_exactly_codats_values() {
    let Some(schemas) = crate::codat_schemas() else {
        return;
    };
    // Each enum's values, as Codat's schema lists them (order aside).
    let document = schemas.document();
    #[track_caller]
    fn check_enum(document: &serde_json::Value, pointer: &str, ours: &[&str]) {
        let mut theirs: Vec<&str> = document
            .pointer(pointer)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|value| value.as_str().unwrap())
            .collect();
        theirs.sort_unstable();
        let mut ours = ours.to_vec();
        ours.sort_unstable();
        assert_eq!(ours, theirs, "{pointer}");
    }
    macro_rules! names {
        ($type:ty) => {
            <$type>::ALL
                .iter()
                .map(|value| value.as_str())
                // `ALL` holds the known values; Codat lists its own `Unknown` too.
                .chain(std::iter::once("Unknown"))
                .collect::<Vec<_>>()
        };
    }
    let schemas = "/components/schemas";
    check_enum(
        document,
        &format!("{schemas}/Address/definitions/commerceAddressType/enum"),
        &names!(commerce_model::AddressType),
    );
    check_enum(
        document,
        &format!("{schemas}/PhoneNumber/properties/type/enum"),
        &names!(commerce_model::PhoneNumberType),
    );
    check_enum(
        document,
        &format!("{schemas}/CompanyInfo/allOf/0/properties/webLinks/items/properties/type/enum"),
        &names!(commerce_model::WebLinkType),
    );
    check_enum(
        document,
        &format!("{schemas}/Dispute/definitions/disputeStatus/enum"),
        &names!(commerce_model::DisputeStatus),
    );
    check_enum(
        document,
        &format!("{schemas}/Order/definitions/serviceChargeType/enum"),
        &names!(commerce_model::ServiceChargeType),
    );
    check_enum(
        document,
        &format!("{schemas}/Payment/definitions/paymentStatus/enum"),
        &names!(commerce_model::PaymentStatus),
    );
    check_enum(
        document,
        &format!("{schemas}/Payment/definitions/paymentType/enum"),
        &names!(commerce_model::PaymentType),
    );
    check_enum(
        document,
        &format!("{schemas}/PaymentMethod/allOf/1/properties/status/enum"),
        &names!(commerce_model::PaymentMethodStatus),
    );
    check_enum(
        document,
        &format!("{schemas}/Product/definitions/productVariantStatus/enum"),
        &names!(commerce_model::ProductVariantStatus),
    );
    check_enum(
        document,
        &format!("{schemas}/Transaction/definitions/transactionSourceType/enum"),
        &names!(commerce_model::TransactionSourceType),
    );
    check_enum(
        document,
        &format!("{schemas}/Transaction/definitions/transactionType/enum"),
        &names!(commerce_model::TransactionType),
    );
}

#[test]
fn page_envelope_has_codats_shape_and_links() {
    let page = Page::new(
        vec![1, 2],
        2,
        2,
        5,
        "/companies/c/connections/k/data/commerce-customers",
        &[("query", "id%3D1")],
    );
    let json = serde_json::to_value(&page).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "results": [1, 2],
            "pageNumber": 2,
            "pageSize": 2,
            "totalResults": 5,
            "_links": {
                "self": {"href": "/companies/c/connections/k/data/commerce-customers"},
                "current": {"href": "/companies/c/connections/k/data/commerce-customers?page=2&pageSize=2&query=id%3D1"},
                "next": {"href": "/companies/c/connections/k/data/commerce-customers?page=3&pageSize=2&query=id%3D1"},
                "previous": {"href": "/companies/c/connections/k/data/commerce-customers?page=1&pageSize=2&query=id%3D1"}
            }
        })
    );
    let last = Page::new(vec![5], 3, 2, 5, "/x", &[]);
    assert!(last.links.next.is_none());
    assert_eq!(last.links.previous.unwrap().href, "/x?page=2&pageSize=2");
    let first = Page::<u8>::new(vec![], 1, 100, 0, "/x", &[]);
    let json = serde_json::to_value(&first).unwrap();
    assert!(
        json["_links"].get("next").is_none() && json["_links"].get("previous").is_none(),
        "{json}"
    );
}
