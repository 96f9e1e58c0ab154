//! Isolation between companies, and the company/connection lifecycle (unlink, delete).

use commerce_model::platform::Record;
use commerce_model::{Customer, DataType};
use serde_json::json;

use crate::fake::{FakePlatform, ACCOUNT};
use crate::support::{linked_connection, TestServer};

const SUPPORTED: &[DataType] = &[DataType::CompanyInfo, DataType::Customers];

#[tokio::test]
async fn one_companys_ids_never_reveal_another_companys_data() {
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let customer = Customer {
        id: "cus_secret".into(),
        customer_name: Some("Secret".into()),
        ..Default::default()
    };
    platform.set_records(DataType::Customers, vec![Record::new(&customer).unwrap()]);
    let server = TestServer::start(vec![platform.clone()]).await;
    let (owner, connection) = linked_connection(&server, "fake-test", true).await;
    let other = server.create_company("Other", None).await;
    let (_, history) = server
        .get(&format!("/companies/{owner}/data/history"))
        .await;
    let dataset = history["results"][0]["id"].as_str().unwrap().to_owned();

    // The owner sees it.
    let (status, _) = server
        .get(&format!(
            "/companies/{owner}/connections/{connection}/data/commerce-customers/cus_secret"
        ))
        .await;
    assert_eq!(status, 200);
    // Through the other company: every route is 404 and says nothing of the data.
    for path in [
        format!("/companies/{other}/connections/{connection}"),
        format!("/companies/{other}/connections/{connection}/data/commerce-customers"),
        format!("/companies/{other}/connections/{connection}/data/commerce-customers/cus_secret"),
        format!("/companies/{other}/connections/{connection}/data/commerce-info"),
        format!("/companies/{other}/data/history/{dataset}"),
    ] {
        let (status, body) = server.get(&path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(!body.to_string().contains("Secret"), "{body}");
    }
    let (status, _) = server
        .post(
            &format!("/companies/{other}/data/queue/commerce-customers?connectionId={connection}"),
            json!({}),
        )
        .await;
    assert_eq!(status, 404);
    let response = server
        .client
        .delete(server.url(&format!("/companies/{other}/connections/{connection}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let (_, history) = server
        .get(&format!("/companies/{other}/data/history"))
        .await;
    assert_eq!(history["totalResults"], 0);
    let (_, statuses) = server.get(&format!("/companies/{other}/dataStatus")).await;
    assert!(statuses["commerce-customers"]
        .get("currentStatus")
        .is_none());
    let (_, connections) = server.get(&format!("/companies/{other}/connections")).await;
    assert_eq!(connections["totalResults"], 0);
}

#[tokio::test]
async fn companies_list_get_and_paging() {
    let server = TestServer::start(vec![]).await;
    let (status, bad) = server
        .post("/companies", json!({"description": "no name"}))
        .await;
    assert_eq!(status, 400);
    assert!(bad["error"].as_str().unwrap().contains("name"));
    let (status, _) = server
        .post(
            "/companies",
            json!({"name": "x", "redirect": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(status, 400);
    for n in 0..3 {
        server.create_company(&format!("Company {n}"), None).await;
    }
    let (_, page) = server.get("/companies?page=2&pageSize=2").await;
    assert_eq!(page["totalResults"], 3);
    assert_eq!(page["results"].as_array().unwrap().len(), 1);
    // Companies created in the same millisecond have no defined order: check the pages
    // together cover each company once.
    let (_, first) = server.get("/companies?page=1&pageSize=2").await;
    let mut names: Vec<String> = first["results"]
        .as_array()
        .unwrap()
        .iter()
        .chain(page["results"].as_array().unwrap())
        .map(|company| company["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["Company 0", "Company 1", "Company 2"]);
    assert_eq!(
        page["_links"]["previous"]["href"],
        "/companies?page=1&pageSize=2"
    );
    let (status, _) = server.get("/companies?query=name%3Dx").await;
    assert_eq!(status, 400);
    // No platform enabled: creating a connection says so.
    let id = page["results"][0]["id"].as_str().unwrap();
    let (status, body) = server
        .post(
            &format!("/companies/{id}/connections"),
            json!({"platformKey": "stripe"}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("enabled: none"),
        "{body}"
    );
}

#[tokio::test]
async fn unlinking_revokes_access_and_keeps_data_deleting_removes_it() {
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let customer = Customer {
        id: "cus_1".into(),
        ..Default::default()
    };
    platform.set_records(DataType::Customers, vec![Record::new(&customer).unwrap()]);
    let server = TestServer::start(vec![platform.clone()]).await;
    let (company, connection) = linked_connection(&server, "fake-test", true).await;
    let path = format!("/companies/{company}/connections/{connection}");

    let patch = |body: serde_json::Value| server.client.patch(server.url(&path)).json(&body).send();
    let response = patch(json!({"status": "Linked"})).await.unwrap();
    assert_eq!(response.status(), 400);
    let response = patch(json!({"status": "Unlinked"})).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "Unlinked");
    assert_eq!(platform.unlinked.lock().unwrap().as_slice(), [ACCOUNT]);
    assert!(server
        .store
        .get_credentials(connection.parse().unwrap())
        .await
        .unwrap()
        .is_none());
    let (status, _) = server
        .get(&format!("{path}/data/commerce-customers/cus_1"))
        .await;
    assert_eq!(status, 200, "data stays readable after unlinking");
    // Unlinking again: 200 with the connection unchanged (Codat documents no 409 here), and
    // the platform is not called again.
    let response = patch(json!({"status": "Unlinked"})).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "Unlinked");
    assert_eq!(platform.unlinked.lock().unwrap().len(), 1);

    // Delete: gone, with its data.
    let response = server
        .client
        .delete(server.url(&path))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (status, _) = server.get(&path).await;
    assert_eq!(status, 404);
    assert!(server
        .store
        .get_record(connection.parse().unwrap(), DataType::Customers, "cus_1")
        .await
        .is_err());

    // Deleting a company with a linked connection revokes it at the platform.
    let (company, _) = linked_connection(&server, "fake-test", false).await;
    let response = server
        .client
        .delete(server.url(&format!("/companies/{company}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(platform.unlinked.lock().unwrap().len(), 2);
    let (status, _) = server.get(&format!("/companies/{company}")).await;
    assert_eq!(status, 404);
}
