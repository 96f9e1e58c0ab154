//! Contract: every data route's response, filled by a real link and sync from a platform whose
//! records are Codat's own examples (read as typed model values), validates against the response
//! schemas of `Codat-Commerce.yaml`; companies, connections, data status and pull operations
//! validate against `Codat-Platform.yaml`.

use std::collections::BTreeMap;
use std::sync::Arc;

use commerce_model::platform::Record;
use commerce_model::schema_check::CodatSchemas;
use commerce_model::*;
use serde_json::Value;

use crate::fake::FakePlatform;
use crate::support::{browser, schema_names, shared, TestServer};

fn typed(data_type: DataType, value: &Value) -> Option<Record> {
    fn of<T: CommerceRecord>(value: &Value) -> Option<Record> {
        let typed: T = serde_json::from_value(value.clone()).ok()?;
        Record::new(&typed).ok()
    }
    match data_type {
        DataType::CompanyInfo => of::<CompanyInfo>(value),
        DataType::Customers => of::<Customer>(value),
        DataType::Disputes => of::<Dispute>(value),
        DataType::Locations => of::<Location>(value),
        DataType::Orders => of::<Order>(value),
        DataType::PaymentMethods => of::<PaymentMethod>(value),
        DataType::Payments => of::<Payment>(value),
        DataType::ProductCategories => of::<ProductCategory>(value),
        DataType::Products => of::<Product>(value),
        DataType::TaxComponents => of::<TaxComponent>(value),
        DataType::Transactions => of::<Transaction>(value),
        _ => None,
    }
}

/// Codat's response examples as model records, per data type (records that the model cannot
/// read or that are invalid against their schema are left out; each type keeps at least one).
pub fn example_records(schemas: &CodatSchemas) -> BTreeMap<DataType, Vec<Record>> {
    let mut records: BTreeMap<DataType, BTreeMap<String, Record>> = BTreeMap::new();
    for example in schemas.response_examples() {
        for &data_type in DataType::ALL {
            let (list, single) = schema_names(data_type);
            let values: Vec<Value> = if example.schema == single && data_type.is_paged() {
                vec![example.value.clone()]
            } else if example.schema == list && data_type.is_paged() {
                example.value["results"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            } else if example.schema == single {
                vec![example.value.clone()]
            } else {
                continue;
            };
            for value in values {
                if let Some(record) = typed(data_type, &value) {
                    if schemas.validate(single, &record.json).is_ok() {
                        records
                            .entry(data_type)
                            .or_default()
                            .insert(record.id.clone(), record);
                    }
                }
            }
        }
    }
    records
        .into_iter()
        .map(|(data_type, by_id)| (data_type, by_id.into_values().collect()))
        .collect()
}

#[tokio::test]
async fn every_route_answers_in_codats_shapes() {
    let (Some(commerce), Some(platform_yaml)) = (
        shared("codat-openapi/Codat-Commerce.yaml"),
        shared("codat-openapi/Codat-Platform.yaml"),
    ) else {
        return;
    };
    let commerce = CodatSchemas::load(commerce).unwrap();
    // The Platform file points at a company id schema inside `paths` through a percent-encoded
    // JSON pointer, which the checker cannot follow; put that schema (a UUID string) in place.
    let platform_text = std::fs::read_to_string(platform_yaml).unwrap().replace(
        "$ref: '#/paths/~1companies~1%7BcompanyId%7D~1syncSettings/post/requestBody/content/application~1json/schema/allOf/0/properties/companyId'",
        "{ type: string, format: uuid }",
    );
    let platform_schemas = CodatSchemas::from_yaml_str(&platform_text).unwrap();
    let examples = example_records(&commerce);
    for &data_type in DataType::ALL {
        assert!(
            examples
                .get(&data_type)
                .is_some_and(|records| !records.is_empty()),
            "no usable example for {data_type}"
        );
    }

    let platform = FakePlatform::start("fake-test", "fktt", DataType::ALL).await;
    for (data_type, records) in &examples {
        platform.set_records(*data_type, records.clone());
    }
    let server = TestServer::start(vec![platform.clone() as Arc<_>]).await;
    let company = server.create_company("Contract Co", None).await;
    let connection = server.create_connection(&company, "fake-test").await;
    platform_schemas
        .validate("Connection", &connection)
        .unwrap();
    let connection_id = connection["id"].as_str().unwrap().to_owned();
    let linked = browser()
        .get(connection["linkUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(linked.status(), 200);
    server.engine.run_until_idle().await.unwrap();

    let base = format!("/companies/{company}/connections/{connection_id}/data");
    let mut checked = 0;
    for (&data_type, records) in &examples {
        let (list_schema, single_schema) = schema_names(data_type);
        let path = format!("{base}/{}", data_type.url_segment());
        let (status, body) = server.get(&path).await;
        assert_eq!(status, 200, "{path}: {body}");
        commerce
            .validate(list_schema, &body)
            .unwrap_or_else(|error| panic!("{path}: {error}\n{body}"));
        // The server adds no field the schema does not declare (a few of Codat's own examples
        // carry such fields; those may come back as they were sent).
        let mut sent_extra = std::collections::BTreeSet::new();
        for record in records {
            for field in commerce
                .undeclared_fields(single_schema, &record.json)
                .unwrap()
            {
                sent_extra.insert(if data_type.is_paged() {
                    format!("results[].{field}")
                } else {
                    field
                });
            }
        }
        for field in commerce.undeclared_fields(list_schema, &body).unwrap() {
            assert!(
                sent_extra.contains(&field),
                "{path}: undeclared field {field}"
            );
        }
        if data_type.is_paged() {
            assert_eq!(body["totalResults"], records.len(), "{path}");
            assert_eq!(body["_links"]["self"]["href"], path);
            for record in records {
                let one = format!("{path}{}", path_segment(&record.id));
                let (status, value) = server.get(&one).await;
                assert_eq!(status, 200, "{one}: {value}");
                commerce.validate(single_schema, &value).unwrap();
                assert_same_record(&value, &record.json, &one);
                checked += 1;
            }
        } else {
            assert_same_record(&body, &records[0].json, &path);
            checked += 1;
        }
    }
    assert!(checked >= 11, "only {checked} records checked");

    // The platform-side shapes.
    let (_, company_json) = server.get(&format!("/companies/{company}")).await;
    platform_schemas.validate("Company", &company_json).unwrap();
    let (_, companies) = server.get("/companies").await;
    platform_schemas.validate("Companies", &companies).unwrap();
    let (_, connections) = server
        .get(&format!("/companies/{company}/connections"))
        .await;
    platform_schemas
        .validate("Connections", &connections)
        .unwrap();
    assert_eq!(connections["results"][0]["status"], "Linked");
    assert!(connections["results"][0]["lastSync"].is_string());
    let (_, statuses) = server
        .get(&format!("/companies/{company}/dataStatus"))
        .await;
    platform_schemas
        .validate("DataStatuses", &statuses)
        .unwrap();
    for &data_type in DataType::ALL {
        assert_eq!(
            statuses[data_type.key()]["currentStatus"],
            "Complete",
            "{statuses}"
        );
    }
    let (_, history) = server
        .get(&format!("/companies/{company}/data/history"))
        .await;
    platform_schemas
        .validate("PullOperations", &history)
        .unwrap();
    let first = history["results"][0]["id"].as_str().unwrap();
    let (_, operation) = server
        .get(&format!("/companies/{company}/data/history/{first}"))
        .await;
    platform_schemas
        .validate("PullOperation", &operation)
        .unwrap();
    assert_eq!(operation["isCompleted"], true);
    assert_eq!(operation["progress"], 100);
}

/// The served record is the platform's, except `modifiedDate`, which the store sets when it
/// writes (Codat's meaning: when the record last changed in the cache).
fn assert_same_record(served: &Value, sent: &Value, path: &str) {
    let mut served = served.clone();
    let mut sent = sent.clone();
    assert!(
        served["modifiedDate"].is_string(),
        "{path}: no modifiedDate"
    );
    served.as_object_mut().unwrap().remove("modifiedDate");
    sent.as_object_mut().unwrap().remove("modifiedDate");
    assert_eq!(served, sent, "{path}");
}

/// `/` followed by `id` percent-encoded as one path segment.
fn path_segment(id: &str) -> String {
    let mut url = url::Url::parse("http://localhost/").unwrap();
    url.path_segments_mut().unwrap().clear().push(id);
    url.path().to_owned()
}
