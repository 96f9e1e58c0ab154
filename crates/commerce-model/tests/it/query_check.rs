//! Queries and orders checked against a data type's declared fields.

use commerce_model::{DataType, ModelError, OrderBy, Query};

fn check(data_type: DataType, query: &str) -> Result<Query, ModelError> {
    Query::parse_for(data_type, query)
}

#[test]
fn well_typed_queries_pass() {
    for (data_type, query) in [
        (
            DataType::Payments,
            "amount>100 && currency=EUR && status!=Paid",
        ),
        (DataType::Payments, "amount>=-2.5 || amount<1e3"),
        (DataType::Payments, "createdDate>=2024-01-02"),
        (DataType::Payments, r#"createdDate<"2024-01-02T03:04:05Z""#),
        (DataType::Payments, "paymentMethodRef.id=pm_1"),
        (
            DataType::Customers,
            "addresses.country=FR && customerName~smith",
        ),
        (
            DataType::Products,
            "isGiftCard=true && variants.prices.unitPrice>3",
        ),
        (
            DataType::Orders,
            "{customerRef.id=c || totalAmount=0} && closedDate!=2024-01-01",
        ),
        (DataType::ProductCategories, "hasChildren!=FALSE"),
        // A field absent from every record is still a field of the type.
        (DataType::Transactions, "subType=StripeFee"),
    ] {
        if let Err(error) = check(data_type, query) {
            panic!("{data_type} {query}: {error}");
        }
    }
}

#[test]
fn unknown_fields_and_objects_are_refused_naming_the_field() {
    let error = check(DataType::Customers, "customerName=a && nosuch=1").unwrap_err();
    assert!(matches!(&error, ModelError::UnknownField { path, .. } if path == "nosuch"));
    assert_eq!(
        error.to_string(),
        "could not resolve property nosuch on commerce-customers"
    );
    let error = check(DataType::Payments, "paymentMethodRef.nosuch=1").unwrap_err();
    assert!(
        matches!(&error, ModelError::UnknownField { path, .. } if path == "paymentMethodRef.nosuch")
    );
    let error = check(DataType::Payments, "amount.value=1").unwrap_err();
    assert!(matches!(error, ModelError::UnknownField { .. }));
    let error = check(DataType::Payments, "supplementalData.content=1").unwrap_err();
    assert!(matches!(error, ModelError::UnknownField { .. }));
    let error = check(DataType::Orders, "customerRef=abc").unwrap_err();
    assert!(error.to_string().contains("customerRef.id"), "{error}");
}

#[test]
fn values_of_the_wrong_type_are_refused() {
    for (data_type, query, path) in [
        (DataType::Payments, "createdDate>yesterday", "createdDate"),
        (DataType::Payments, "createdDate=2024-02-30", "createdDate"),
        (DataType::Payments, "amount>ten", "amount"),
        (DataType::Payments, r#"amount="100""#, "amount"),
        (DataType::Payments, "amount=0x10", "amount"),
        (DataType::Products, "isGiftCard=yes", "isGiftCard"),
    ] {
        match check(data_type, query) {
            Err(ModelError::QueryValue { path: found, .. }) => assert_eq!(found, path, "{query}"),
            other => panic!("{query}: {other:?}"),
        }
    }
    let error = check(DataType::Payments, "createdDate>yesterday").unwrap_err();
    assert_eq!(
        error.to_string(),
        "createdDate is a date field, and \"yesterday\" is not an ISO 8601 date or date-time"
    );
}

#[test]
fn operators_a_type_does_not_take_are_refused() {
    for (data_type, query) in [
        (DataType::Payments, "amount~5"),
        (DataType::Payments, "createdDate~2024"),
        (DataType::Payments, "currency>EUR"),
        (DataType::Products, "isGiftCard>=true"),
    ] {
        assert!(
            matches!(
                check(data_type, query),
                Err(ModelError::QueryOperator { .. })
            ),
            "{query}"
        );
    }
    let error = check(DataType::Payments, "amount~5").unwrap_err();
    assert_eq!(
        error.to_string(),
        "operator ~ cannot be used on amount, a number field (it takes = != > < >= <=)"
    );
}

#[test]
fn order_by_takes_declared_value_fields_outside_lists() {
    assert!(OrderBy::parse_for(
        DataType::Payments,
        "-amount,createdDate,paymentMethodRef.id"
    )
    .is_ok());
    assert!(matches!(
        OrderBy::parse_for(DataType::Payments, "-nosuch"),
        Err(ModelError::UnknownField { .. })
    ));
    assert!(matches!(
        OrderBy::parse_for(DataType::Customers, "addresses.city"),
        Err(ModelError::OrderByList { .. })
    ));
    assert!(matches!(
        OrderBy::parse_for(DataType::Payments, "paymentMethodRef"),
        Err(ModelError::NotAValueField { .. })
    ));
}
