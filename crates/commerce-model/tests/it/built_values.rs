//! Values built the way a platform mapper builds them validate against Codat's schemas, and every
//! field we write is one the schema declares (apart from the documented legacy fields).

use std::collections::BTreeMap;
use std::str::FromStr;

use commerce_model::{
    AccountBalance, Address, AddressType, CommerceRecord, CompanyInfo, Customer, CustomerRef,
    DataType, Dispute, DisputeStatus, Field, FieldContent, Location, LocationRef, NamedRef, Order,
    OrderDiscountAllocation, OrderLineItem, Page, Payment, PaymentMethod, PaymentMethodStatus,
    PaymentRef, PaymentStatus, PaymentType, PhoneNumber, PhoneNumberType, Product, ProductCategory,
    ProductInventory, ProductInventoryLocation, ProductPrice, ProductVariant, ProductVariantStatus,
    RecordRef, ServiceCharge, ServiceChargeType, SupplementalData, TaxComponent,
    TaxComponentAllocation, TaxComponentRef, Timestamp, Transaction, TransactionSourceRef,
    TransactionSourceType, TransactionType, ValueType, WebLink, WebLinkType,
};
use rust_decimal::Decimal;

fn money(text: &str) -> Option<Decimal> {
    Some(Decimal::from_str(text).unwrap())
}

fn date(seconds: i64) -> Option<Timestamp> {
    Timestamp::from_unix_seconds(seconds)
}

fn named(id: &str) -> NamedRef {
    NamedRef {
        id: id.to_owned(),
        name: Some(format!("{id} name")),
    }
}

fn address() -> Address {
    Address {
        address_type: Some(AddressType::Billing),
        line1: Some("1 High Street".into()),
        line2: Some("Floor 2".into()),
        city: Some("London".into()),
        region: Some("Greater London".into()),
        country: Some("GB".into()),
        postal_code: Some("N1 1AA".into()),
    }
}

fn supplemental() -> SupplementalData {
    let mut values = serde_json::Map::new();
    values.insert("riskScore".into(), serde_json::json!(12));
    SupplementalData {
        content: Some(BTreeMap::from([("charges".to_owned(), values)])),
    }
}

fn taxes() -> Vec<TaxComponentAllocation> {
    vec![TaxComponentAllocation {
        tax_component_ref: Some(TaxComponentRef {
            id: "tax_1".into(),
            name: "VAT".into(),
        }),
        rate: money("1.67"),
        tax_amount: None,
    }]
}

fn company_info() -> CompanyInfo {
    CompanyInfo {
        company_name: Some("Acme".into()),
        commerce_platform_ref: Some("acct_1".into()),
        company_legal_name: Some("Acme Ltd".into()),
        addresses: Some(vec![address()]),
        phone_numbers: Some(vec![PhoneNumber {
            number: Some("+441234".into()),
            phone_type: PhoneNumberType::Primary,
        }]),
        web_links: Some(vec![WebLink {
            link_type: Some(WebLinkType::Website),
            url: Some("https://acme.test".into()),
        }]),
        registration_number: Some("123".into()),
        base_currency: Some("GBP".into()),
        account_balances: Some(vec![AccountBalance {
            available: money("20053.23"),
            pending: money("2034.23"),
            reserved: money("517.23"),
            currency: Some("GBP".into()),
        }]),
        source_urls: Some(BTreeMap::from([(
            "Api".to_owned(),
            "https://example.test".to_owned(),
        )])),
        created_date: date(1_600_000_000),
        modified_date: date(1_600_000_100),
        source_modified_date: date(1_600_000_050),
    }
}

fn customer() -> Customer {
    Customer {
        id: "cus_1".into(),
        customer_name: Some("Jane".into()),
        email_address: Some("jane@example.test".into()),
        phone: Some("+447545309714".into()),
        default_currency: Some("GBP".into()),
        addresses: Some(vec![
            address(),
            Address {
                address_type: Some(AddressType::Delivery),
                ..address()
            },
        ]),
        note: Some("note".into()),
        created_date: date(1_600_000_000),
        modified_date: date(1_600_000_100),
        source_modified_date: date(1_600_000_050),
    }
}

fn dispute() -> Dispute {
    Dispute {
        id: "dp_1".into(),
        disputed_transactions: Some(vec![TransactionSourceRef {
            id: "txn_1".into(),
            source_type: TransactionSourceType::Payment,
        }]),
        total_amount: money("25"),
        currency: "GBP".into(),
        status: Some(DisputeStatus::EvidenceRequired),
        reason: Some("fraudulent".into()),
        due_date: date(1_606_953_599),
        created_date: date(1_600_000_000),
        modified_date: date(1_600_000_100),
        source_modified_date: date(1_600_000_050),
    }
}

fn location() -> Location {
    Location {
        id: "loc_1".into(),
        name: Some("Shop".into()),
        address: Some(Address {
            address_type: Some(AddressType::Inventory),
            ..address()
        }),
        modified_date: date(1_600_000_100),
        source_modified_date: date(1_600_000_050),
    }
}

fn order() -> Order {
    Order {
        id: "ord_1".into(),
        order_number: Some("1001".into()),
        country: Some("GBR".into()),
        currency: Some("GBP".into()),
        closed_date: date(1_600_000_200),
        total_amount: money("10.99"),
        total_refund: money("-1"),
        total_tax_amount: money("1.67"),
        total_discount: money("0.5"),
        total_gratuity: money("1"),
        order_line_items: Some(vec![OrderLineItem {
            id: "li_1".into(),
            quantity: money("1"),
            tax_percentage: money("20"),
            total_amount: money("10.99"),
            total_tax_amount: money("1.67"),
            unit_price: money("9.32"),
            taxes: Some(taxes()),
            product_ref: Some(named("prod_1")),
            product_variant_ref: Some(named("price_1")),
            discount_allocations: Some(vec![OrderDiscountAllocation {
                name: Some("Promo".into()),
                total_amount: money("0.5"),
            }]),
        }]),
        payments: Some(vec![PaymentRef {
            id: "pay_1".into(),
            amount: money("10.99"),
            currency: Some("GBP".into()),
            payment_type: Some(PaymentType::OnlineCard),
            status: Some(PaymentStatus::Paid),
            payment_provider: Some("Provider".into()),
            due_date: date(1_600_000_000),
            created_date: date(1_600_000_000),
            modified_date: date(1_600_000_100),
            source_modified_date: date(1_600_000_050),
        }]),
        service_charges: Some(vec![ServiceCharge {
            description: Some("Shipping".into()),
            total_amount: money("4.99"),
            tax_percentage: money("20"),
            tax_amount: money("0.83"),
            taxes: Some(taxes()),
            quantity: Some(1),
            charge_type: Some(ServiceChargeType::Shipping),
        }]),
        location_ref: Some(LocationRef {
            id: "loc_1".into(),
            name: None,
        }),
        customer_ref: Some(CustomerRef {
            id: "cus_1".into(),
            name: Some("Jane".into()),
        }),
        supplemental_data: Some(supplemental()),
        created_date: date(1_600_000_000),
        modified_date: date(1_600_000_100),
        source_modified_date: date(1_600_000_050),
    }
}

fn payment() -> Payment {
    Payment {
        id: "ch_1".into(),
        amount: money("10.99"),
        currency: Some("GBP".into()),
        payment_method_ref: Some(named("card")),
        status: Some(PaymentStatus::Authorized),
        payment_type: None,
        payment_provider: Some("Provider".into()),
        due_date: date(1_600_000_000),
        supplemental_data: Some(supplemental()),
        created_date: date(1_600_000_000),
        modified_date: date(1_600_000_100),
        source_modified_date: date(1_600_000_050),
    }
}

fn payment_method() -> PaymentMethod {
    PaymentMethod {
        id: "card".into(),
        name: Some("Card".into()),
        status: Some(PaymentMethodStatus::Active),
        modified_date: date(1_600_000_100),
        source_modified_date: date(1_600_000_050),
    }
}

fn product() -> Product {
    Product {
        id: "prod_1".into(),
        name: Some("Tee".into()),
        description: Some("A tee".into()),
        categorization: Some("Apparel".into()),
        is_gift_card: Some(false),
        product_category_refs: None,
        status: None,
        variants: Some(vec![ProductVariant {
            id: "price_1".into(),
            name: Some("Tee - Standard Price".into()),
            is_tax_enabled: Some(false),
            sku: Some("TEE-1".into()),
            barcode: Some("0123456789012".into()),
            unit_of_measure: Some("each".into()),
            vat_percentage: money("0"),
            quantity: None,
            prices: Some(vec![
                ProductPrice {
                    currency: Some("GBP".into()),
                    unit_price: money("15"),
                },
                ProductPrice {
                    currency: Some("JPY".into()),
                    unit_price: money("500"),
                },
            ]),
            inventory: Some(ProductInventory {
                total_quantity: money("3"),
                locations: Some(vec![ProductInventoryLocation {
                    quantity: money("3"),
                    location_ref: Some(named("loc_1")),
                }]),
            }),
            shipping_required: Some(true),
            status: Some(ProductVariantStatus::Published),
            created_date: date(1_600_000_000),
            modified_date: date(1_600_000_100),
            source_modified_date: date(1_600_000_050),
        }]),
        supplemental_data: Some(supplemental()),
        created_date: None,
        modified_date: None,
        source_modified_date: None,
    }
}

fn product_category() -> ProductCategory {
    ProductCategory {
        id: Some("cat_2".into()),
        name: Some("Shirts".into()),
        ancestor_refs: Some(vec![RecordRef {
            id: "cat_1".into(),
            record_type: "ProductCategory".into(),
        }]),
        has_children: Some(false),
        modified_date: date(1_600_000_100),
        source_modified_date: date(1_600_000_050),
    }
}

fn tax_component() -> TaxComponent {
    TaxComponent {
        id: "tax_1".into(),
        name: "VAT".into(),
        rate: money("0.2"),
        is_compound: Some(false),
        modified_date: date(1_600_000_100),
        source_modified_date: date(1_600_000_050),
    }
}

fn transaction() -> Transaction {
    Transaction {
        id: "txn_1:Stripe processing fees".into(),
        total_amount: money("-0.9"),
        currency: Some("GBP".into()),
        transaction_type: Some(TransactionType::PaymentFee),
        sub_type: Some("stripe_fee".into()),
        transaction_source_ref: Some(TransactionSourceRef {
            id: "ch_1".into(),
            source_type: TransactionSourceType::Payment,
        }),
        supplemental_data: Some(supplemental()),
        created_date: date(1_605_804_966),
        source_created_date: date(1_605_804_966),
        modified_date: date(1_664_536_708),
        source_modified_date: None,
    }
}

#[track_caller]
fn check<T: CommerceRecord + PartialEq + std::fmt::Debug>(value: T, allowed_undeclared: &[&str]) {
    let Some(schemas) = crate::codat_schemas() else {
        return;
    };
    let schema = T::DATA_TYPE.schema_name();
    let json = serde_json::to_value(&value).unwrap();
    if let Err(err) = schemas.validate(schema, &json) {
        panic!("{schema}: {err}\n{json:#}");
    }
    assert_eq!(
        schemas.undeclared_fields(schema, &json).unwrap(),
        allowed_undeclared,
        "{schema}"
    );
    // And back.
    let back: T = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, value);
    // The page envelope too.
    if let Some(page_schema) = T::DATA_TYPE.page_schema_name() {
        let page = Page::new(
            vec![json],
            1,
            100,
            1,
            "/companies/c/connections/k/data/x",
            &[],
        );
        let page_json = serde_json::to_value(&page).unwrap();
        schemas.validate(page_schema, &page_json).unwrap();
    }
}

#[test]
fn fully_populated_values_validate_against_codat_schemas() {
    check(company_info(), &[]);
    check(customer(), &[]);
    check(dispute(), &[]);
    check(location(), &[]);
    check(order(), &[]);
    check(payment(), &[]);
    check(payment_method(), &[]);
    check(product(), &[]);
    check(product_category(), &[]);
    check(tax_component(), &[]);
    check(transaction(), &[]);
}

#[test]
fn legacy_fields_from_codats_examples_are_the_only_undeclared_ones() {
    // Fields Codat's examples carry but its schemas do not declare (see the record docs).
    let product = Product {
        product_category_refs: Some(vec![named("cat_1")]),
        status: Some(ProductVariantStatus::Published),
        created_date: date(1),
        modified_date: date(2),
        source_modified_date: date(3),
        variants: Some(vec![ProductVariant {
            id: "v".into(),
            quantity: money("0"),
            ..Default::default()
        }]),
        ..product()
    };
    check(
        product,
        &[
            "createdDate",
            "modifiedDate",
            "productCategoryRefs",
            "sourceModifiedDate",
            "status",
            "variants[].quantity",
        ],
    );
    check(
        Payment {
            payment_type: Some(PaymentType::Card),
            ..payment()
        },
        &["type"],
    );
    let mut order = order();
    if let Some(items) = order.order_line_items.as_mut() {
        items[0].taxes = Some(vec![TaxComponentAllocation {
            tax_amount: money("0.45"),
            ..Default::default()
        }]);
    }
    check(order, &["orderLineItems[].taxes[].taxAmount"]);
}

#[test]
fn minimal_values_validate_too() {
    check(
        Customer {
            id: "cus_1".into(),
            ..Default::default()
        },
        &[],
    );
    check(
        Dispute {
            id: "dp_1".into(),
            currency: "XXX".into(),
            ..Default::default()
        },
        &[],
    );
    check(
        TaxComponent {
            id: "t".into(),
            name: "VAT".into(),
            ..Default::default()
        },
        &[],
    );
    check(CompanyInfo::default(), &[]);
    check(ProductCategory::default(), &[]);
    assert_eq!(DataType::ALL.len(), 11);
}

#[test]
fn required_fields_are_written_even_when_empty() {
    let json = serde_json::to_value(Dispute::default()).unwrap();
    assert_eq!(json, serde_json::json!({"id": "", "currency": ""}));
    let json = serde_json::to_value(PhoneNumber::default()).unwrap();
    assert_eq!(json, serde_json::json!({"type": "Unknown"}));
}

/// Checks every field of `json` against `fields`: declared, of the declared type, a list
/// exactly where declared; `skip` names fields left out of the declarations on purpose.
#[track_caller]
fn assert_declared(at: &str, json: &serde_json::Value, fields: &[Field], skip: &[&str]) {
    use serde_json::Value;
    let Value::Object(members) = json else {
        panic!("{at} is not an object: {json}");
    };
    for (name, value) in members {
        let path = if at.is_empty() {
            name.clone()
        } else {
            format!("{at}.{name}")
        };
        if skip.contains(&path.as_str()) {
            continue;
        }
        let field = fields
            .iter()
            .find(|field| field.name == name)
            .unwrap_or_else(|| panic!("{path} is written but not declared"));
        let items: Vec<&Value> = match (field.list, value) {
            (true, Value::Array(items)) => items.iter().collect(),
            (false, value) if !value.is_array() => vec![value],
            _ => panic!("{path}: declared list={}, written {value}", field.list),
        };
        for item in items {
            match field.content {
                FieldContent::Object(inner) => assert_declared(&path, item, inner, skip),
                FieldContent::Value(value_type) => {
                    let fits = match value_type {
                        ValueType::Number => item.is_number(),
                        ValueType::Boolean => item.is_boolean(),
                        ValueType::Date => item
                            .as_str()
                            .is_some_and(|text| text.parse::<Timestamp>().is_ok()),
                        _ => item.is_string(),
                    };
                    assert!(fits, "{path}: declared {value_type:?}, written {item}");
                }
            }
        }
    }
}

#[test]
fn every_field_a_built_value_writes_is_declared_with_its_type() {
    fn declared<T: CommerceRecord>(value: T, skip: &[&str]) {
        let json = serde_json::to_value(&value).unwrap();
        assert_declared("", &json, T::DATA_TYPE.fields(), skip);
    }
    // Not queryable: supplemental data (Codat says so) and a map with platform-chosen keys.
    let skip = &["supplementalData", "sourceUrls"];
    declared(company_info(), skip);
    declared(customer(), skip);
    declared(dispute(), skip);
    declared(location(), skip);
    declared(order(), skip);
    declared(payment(), skip);
    declared(payment_method(), skip);
    declared(product(), skip);
    declared(product_category(), skip);
    declared(tax_component(), skip);
    declared(transaction(), skip);
    // The fields Codat's examples carry beyond its schemas are declared too.
    declared(
        Product {
            product_category_refs: Some(vec![named("cat_1")]),
            status: Some(ProductVariantStatus::Published),
            created_date: date(1),
            modified_date: date(2),
            source_modified_date: date(3),
            variants: Some(vec![ProductVariant {
                id: "v".into(),
                quantity: money("0"),
                ..Default::default()
            }]),
            ..product()
        },
        skip,
    );
    declared(
        Payment {
            payment_type: Some(PaymentType::Card),
            ..payment()
        },
        skip,
    );
    let mut order = order();
    for item in order.order_line_items.iter_mut().flatten() {
        item.taxes = Some(vec![TaxComponentAllocation {
            tax_amount: money("0.45"),
            ..Default::default()
        }]);
    }
    declared(order, skip);
}
