//! `GET /openapi.json`: an OpenAPI 3.1 description of this server's API.
//!
//! [`OPERATIONS`] is the one list of what the router serves (method and path), with what each
//! operation takes and answers; the document is built from it, and the tests check it against
//! the router both ways (every listed operation is served, every served route is listed).
//!
//! Schemas use Codat's names and shapes for the routes shared with Codat (`Company`,
//! `Connection`, `PullOperation`, `DataStatus`, `Payments`, `Payment`, ...). The commerce record
//! schemas (`model-schemas.json`) are generated from `commerce-model`'s record types (field names,
//! required fields, enum values, descriptions) by `cargo xtask schemas`, and `cargo xtask ci`
//! fails when the file is stale; a test validates the records the API serves against them and
//! finds no field they do not declare. This module must not depend on a platform crate.

use axum::Json;
use commerce_model::DataType;
use serde_json::{json, Map, Value};

/// How an operation answers when it succeeds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Answer {
    /// JSON of this component schema.
    Json(u16, &'static str),
    /// No body.
    Empty(u16),
    /// An HTML page of the dashboard (or a redirect after one of its forms).
    Html,
    /// A redirect.
    Redirect,
    /// An SVG image.
    Image,
}

/// One operation the router serves.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Operation {
    /// `get`, `post`, `patch`, `delete`.
    pub(crate) method: &'static str,
    /// The OpenAPI path (`{companyId}` style).
    pub(crate) path: &'static str,
    pub(crate) id: &'static str,
    pub(crate) summary: &'static str,
    pub(crate) tag: &'static str,
    /// Whether it needs the API key.
    pub(crate) auth: bool,
    /// Query parameters, by name (see [`query_parameter`]).
    pub(crate) query: &'static [&'static str],
    /// The JSON request body's component schema.
    pub(crate) body: Option<&'static str>,
    pub(crate) answer: Answer,
}

const PAGED: &[&str] = &["page", "pageSize"];
const QUERIED: &[&str] = &["page", "pageSize", "query", "orderBy"];

macro_rules! op {
    ($method:literal $path:literal, $id:literal, $summary:literal, $tag:literal, auth: $auth:literal, query: $query:expr, body: $body:expr, $answer:expr) => {
        Operation {
            method: $method,
            path: $path,
            id: $id,
            summary: $summary,
            tag: $tag,
            auth: $auth,
            query: $query,
            body: $body,
            answer: $answer,
        }
    };
}

mod platform_api;

/// Every operation served except the commerce data routes, which [`operations`] adds per data
/// type (the router serves them through `.../data/{dataType}[/{recordId}]`).
pub(crate) const OPERATIONS: &[Operation] = &[
    op!("get" "/companies", "list-companies", "List companies", "Companies", auth: true, query: PAGED, body: None, Answer::Json(200, "Companies")),
    op!("post" "/companies", "create-company", "Create company", "Companies", auth: true, query: &[], body: Some("CompanyRequestBody"), Answer::Json(200, "Company")),
    op!("get" "/companies/{companyId}", "get-company", "Get company", "Companies", auth: true, query: &[], body: None, Answer::Json(200, "Company")),
    op!("delete" "/companies/{companyId}", "delete-company", "Delete a company (revokes access of its linked connections, deletes its data)", "Companies", auth: true, query: &[], body: None, Answer::Empty(204)),
    op!("get" "/companies/{companyId}/connections", "list-connections", "List connections", "Connections", auth: true, query: PAGED, body: None, Answer::Json(200, "Connections")),
    op!("post" "/companies/{companyId}/connections", "create-connection", "Create connection (PendingAuth, with a linkUrl)", "Connections", auth: true, query: &[], body: Some("ConnectionPrototype"), Answer::Json(200, "Connection")),
    op!("get" "/companies/{companyId}/connections/{connectionId}", "get-connection", "Get connection", "Connections", auth: true, query: &[], body: None, Answer::Json(200, "Connection")),
    op!("patch" "/companies/{companyId}/connections/{connectionId}", "unlink-connection", "Unlink connection (revokes access, keeps the data; a connection that is not Linked is answered as it is)", "Connections", auth: true, query: &[], body: Some("UpdateConnectionStatus"), Answer::Json(200, "Connection")),
    op!("delete" "/companies/{companyId}/connections/{connectionId}", "delete-connection", "Delete connection (revokes access, deletes the data; answers the deleted connection)", "Connections", auth: true, query: &[], body: None, Answer::Json(200, "Connection")),
    op!("put" "/companies/{companyId}/connections/{connectionId}/authorization", "update-connection-authorization", "Update authorization: link the connection with credentials the merchant handed over, e.g. {\"apiKey\": \"rk_test_...\"} (400 when the platform refuses them, saying why; the key shown by its last four characters only)", "Connections", auth: true, query: &[], body: Some("ConnectionAuthorization"), Answer::Json(200, "Connection")),
    op!("get" "/companies/{companyId}/dataStatus", "get-company-data-status", "Get data status", "Refresh data", auth: true, query: &[], body: None, Answer::Json(200, "DataStatuses")),
    op!("post" "/companies/{companyId}/data/all", "refresh-company-data", "Refresh all data", "Refresh data", auth: true, query: &[], body: None, Answer::Empty(204)),
    op!("post" "/companies/{companyId}/data/queue/{dataType}", "refresh-data-type", "Refresh data type (a pull of that type already queued or running is answered as it is)", "Refresh data", auth: true, query: &["connectionId"], body: None, Answer::Json(200, "PullOperation")),
    op!("get" "/companies/{companyId}/data/history", "list-pull-operations", "List pull operations", "Refresh data", auth: true, query: PAGED, body: None, Answer::Json(200, "PullOperations")),
    op!("get" "/companies/{companyId}/data/history/{datasetId}", "get-pull-operation", "Get pull operation", "Refresh data", auth: true, query: &[], body: None, Answer::Json(200, "PullOperation")),
    op!("get" "/webhooks", "list-webhook-consumers", "List webhook consumers", "Webhooks", auth: true, query: &[], body: None, Answer::Json(200, "WebhookConsumers")),
    op!("post" "/webhooks", "create-webhook-consumer", "Create webhook consumer (answers its signing secret, shown only this once)", "Webhooks", auth: true, query: &[], body: Some("WebhookConsumerPrototype"), Answer::Json(201, "CreatedWebhookConsumer")),
    op!("delete" "/webhooks/{webhookId}", "delete-webhook-consumer", "Delete webhook consumer", "Webhooks", auth: true, query: &[], body: None, Answer::Empty(204)),
    op!("get" "/webhooks/deliveries", "list-webhook-deliveries", "List client webhook deliveries (one per event and consumer), newest first", "Client webhooks", auth: true, query: &["page", "pageSize", "companyId", "status", "eventId", "consumerId"], body: None, Answer::Json(200, "WebhookDeliveries")),
    op!("get" "/webhooks/deliveries/{deliveryId}", "get-webhook-delivery", "Get a client webhook delivery with every attempt", "Client webhooks", auth: true, query: &[], body: None, Answer::Json(200, "WebhookDeliveryDetail")),
    op!("get" "/health", "get-health", "Health check", "Service", auth: false, query: &[], body: None, Answer::Json(200, "Health")),
    op!("get" "/openapi.json", "get-openapi", "This document", "Service", auth: false, query: &[], body: None, Answer::Json(200, "OpenApiDocument")),
    op!("get" "/ui", "dashboard-companies", "Dashboard: companies, connections and sync status", "Dashboard", auth: true, query: &["page"], body: None, Answer::Html),
    op!("get" "/ui/", "dashboard-companies-slash", "Dashboard: companies (same as /ui)", "Dashboard", auth: true, query: &["page"], body: None, Answer::Html),
    op!("get" "/ui/connections/{connectionId}", "dashboard-connection", "Dashboard: a connection (company info, balances, chart)", "Dashboard", auth: true, query: &[], body: None, Answer::Html),
    op!("post" "/ui/connections/{connectionId}/sync", "dashboard-sync-now", "Dashboard form: sync the connection now", "Dashboard", auth: true, query: &[], body: Some("form:SyncForm"), Answer::Html),
    op!("get" "/ui/connections/{connectionId}/{table}", "dashboard-records", "Dashboard: a table of records (payments, transactions, disputes, customers, products)", "Dashboard", auth: true, query: QUERIED, body: None, Answer::Html),
    op!("post" "/ui/companies/{companyId}/links", "dashboard-create-link", "Dashboard form: create a connection and show its link URL", "Dashboard", auth: true, query: &[], body: Some("form:LinkForm"), Answer::Html),
    op!("get" "/ui/webhooks", "dashboard-webhooks", "Dashboard: client webhook deliveries and their attempts", "Dashboard", auth: true, query: &["page"], body: None, Answer::Html),
    op!("get" "/ui/webhooks/consumers", "dashboard-webhook-consumers", "Dashboard: webhook consumers, with forms to create and delete them", "Dashboard", auth: true, query: &[], body: None, Answer::Html),
    op!("post" "/ui/webhooks/consumers", "dashboard-create-webhook-consumer", "Dashboard form: create a webhook consumer and show its secret once", "Dashboard", auth: true, query: &[], body: Some("form:ConsumerForm"), Answer::Html),
    op!("post" "/ui/webhooks/consumers/{consumerId}/delete", "dashboard-delete-webhook-consumer", "Dashboard form: delete a webhook consumer", "Dashboard", auth: true, query: &[], body: Some("form:SyncForm"), Answer::Html),
    op!("get" "/link/{connectionId}", "start-link", "Start linking a connection: redirects to the platform's authorization page (a platform may declare query parameters it needs, e.g. a shop)", "Link", auth: false, query: &[], body: None, Answer::Redirect),
    op!("post" "/link/{connectionId}/credentials", "link-with-credentials", "The link page's paste form (offered when the platform enables it): links the connection with the pasted credentials", "Link", auth: false, query: &[], body: Some("form:CredentialsForm"), Answer::Redirect),
    op!("get" "/oauth/{platform}/callback", "link-callback", "OAuth callback from the platform: finishes the link", "Link", auth: false, query: &["state", "code", "error", "error_description"], body: None, Answer::Redirect),
    op!("post" "/webhooks/{webhookId}", "receive-platform-webhook", "Webhook from a platform, at `/webhooks/{platform key}` (verified by its signature)", "Platform webhooks", auth: false, query: &[], body: None, Answer::Json(200, "WebhookReceipt")),
];

/// The path segment, operation-id stem and schema names of a commerce data type's routes,
/// as Codat names them.
pub(crate) fn data_routes() -> Vec<(DataType, &'static str, &'static str, Option<&'static str>)> {
    DataType::ALL
        .iter()
        .map(|data_type| {
            let (item, list) = match data_type {
                DataType::CompanyInfo => ("CompanyInfo", None),
                DataType::Customers => ("Customer", Some("Customers")),
                DataType::Disputes => ("Dispute", Some("Disputes")),
                DataType::Locations => ("Location", Some("Locations")),
                DataType::Orders => ("Order", Some("Orders")),
                DataType::PaymentMethods => ("PaymentMethod", Some("PaymentMethods")),
                DataType::Payments => ("Payment", Some("Payments")),
                DataType::ProductCategories => ("ProductCategory", Some("ProductCategories")),
                DataType::Products => ("Product", Some("Products")),
                DataType::TaxComponents => ("TaxComponent", Some("TaxComponents")),
                DataType::Transactions => ("Transaction", Some("Transactions")),
                _ => ("Record", Some("Records")),
            };
            (*data_type, data_type.url_segment(), item, list)
        })
        .collect()
}

/// Every operation: [`OPERATIONS`] plus the commerce data routes.
pub(crate) fn operations() -> Vec<(String, Operation)> {
    let mut all: Vec<(String, Operation)> = OPERATIONS
        .iter()
        .chain(platform_api::PLATFORM_OPERATIONS)
        .map(|operation| (operation.path.to_owned(), *operation))
        .collect();
    for (data_type, segment, item, list) in data_routes() {
        let base = format!("/companies/{{companyId}}/connections/{{connectionId}}/data/{segment}");
        let item: &'static str = item;
        match list {
            None => all.push((
                base,
                op!("get" "", "get-data", "", "Commerce data", auth: true, query: &[], body: None, Answer::Json(200, item)),
            )),
            Some(list) => {
                let list_op = if data_type == DataType::Locations {
                    // Codat's list-locations takes no query or orderBy.
                    op!("get" "", "list-data", "", "Commerce data", auth: true, query: PAGED, body: None, Answer::Json(200, list))
                } else {
                    op!("get" "", "list-data", "", "Commerce data", auth: true, query: QUERIED, body: None, Answer::Json(200, list))
                };
                all.push((base.clone(), list_op));
                all.push((
                    format!("{base}/{{recordId}}"),
                    op!("get" "", "get-data-record", "", "Commerce data", auth: true, query: &[], body: None, Answer::Json(200, item)),
                ));
            }
        }
    }
    all
}

fn query_parameter(name: &str) -> Value {
    let (schema, description) = match name {
        "page" => (
            json!({"type": "integer", "format": "int32", "minimum": 1, "maximum": commerce_model::MAX_PAGE_NUMBER, "default": 1}),
            "Page number, from 1.",
        ),
        "pageSize" => (
            json!({"type": "integer", "format": "int32", "minimum": 1, "maximum": commerce_store::MAX_PAGE_SIZE, "default": commerce_store::DEFAULT_PAGE_SIZE}),
            "Number of records per page.",
        ),
        "query" => (
            json!({"type": "string", "maxLength": commerce_model::query::MAX_QUERY_LENGTH}),
            "Codat query language, e.g. `currency=GBP&&amount>10`.",
        ),
        "orderBy" => (
            json!({"type": "string"}),
            "Field to order by; `-` first for descending.",
        ),
        "connectionId" => (
            json!({"type": "string", "format": "uuid"}),
            "The data connection (default: the company's first Linked connection).",
        ),
        "companyId" => (
            json!({"type": "string", "format": "uuid"}),
            "Only this company's events.",
        ),
        "status" => (
            json!({"type": "string", "enum": ["Pending", "Delivered", "Failed"]}),
            "Only deliveries in this state.",
        ),
        "eventId" => (
            json!({"type": "string", "format": "uuid"}),
            "Only deliveries of this event.",
        ),
        "consumerId" => (
            json!({"type": "string", "format": "uuid"}),
            "Only deliveries to this webhook consumer.",
        ),
        other => (
            json!({"type": "string"}),
            match other {
                "state" => "The state given to the platform with the authorization request.",
                "code" => "The authorization code.",
                "error" => "Set by the platform when the merchant declined.",
                "deleted" => "Set after a key was deleted: the page says so.",
                _ => "Set by the platform.",
            },
        ),
    };
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let schema = match name {
                "companyId" | "connectionId" | "datasetId" | "deliveryId" | "consumerId"
                | "eventId" | "apiKeyId" => {
                    json!({"type": "string", "format": "uuid"})
                }
                "image" => json!({"type": "string", "enum": crate::routes::integrations::IMAGES}),
                "dataType" => json!({"type": "string", "enum": DataType::ALL.iter().map(|t| t.key()).collect::<Vec<_>>()}),
                _ => json!({"type": "string"}),
            };
            json!({"name": name, "in": "path", "required": true, "schema": schema})
        })
        .collect()
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorMessage"}}}})
}

fn operation_json(path: &str, operation: &Operation) -> Value {
    let mut object = Map::new();
    let (id, summary) = if operation.path.is_empty() {
        let segment = path
            .split("/data/")
            .nth(1)
            .unwrap_or_default()
            .split('/')
            .next()
            .unwrap_or_default();
        let summary = match operation.id {
            "list-data" => format!("List {segment} records (paged, with query and orderBy)"),
            "get-data-record" => format!("Get one {segment} record"),
            _ => format!("Get {segment}"),
        };
        (format!("{}-{segment}", operation.id), summary)
    } else {
        (operation.id.to_owned(), operation.summary.to_owned())
    };
    object.insert("operationId".into(), json!(id));
    object.insert("summary".into(), json!(summary));
    object.insert("tags".into(), json!([operation.tag]));
    let mut parameters = path_parameters(path);
    parameters.extend(operation.query.iter().map(|name| query_parameter(name)));
    if !parameters.is_empty() {
        object.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some(form) = operation.body.and_then(|body| body.strip_prefix("form:")) {
        object.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": format!("#/components/schemas/{form}")}}}}),
        );
    } else if let Some(body) = operation.body {
        object.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{body}")}}}}),
        );
    }
    let is_page = matches!(operation.answer, Answer::Redirect | Answer::Html);
    let mut responses = Map::new();
    match operation.answer {
        Answer::Json(status, schema) => {
            responses.insert(
                status.to_string(),
                json!({"description": "Success", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}}),
            );
        }
        Answer::Empty(status) => {
            responses.insert(status.to_string(), json!({"description": "Done"}));
        }
        Answer::Image => {
            responses.insert(
                "200".into(),
                json!({"description": "The image", "content": {"image/svg+xml": {"schema": {"$ref": "#/components/schemas/Svg"}}}}),
            );
            responses.insert("404".into(), error_response("Unknown integration or image"));
        }
        Answer::Html => {
            for (status, description) in [
                ("200", "The page"),
                ("303", "After a form: back to a page"),
                ("400", "A form or parameter was refused"),
                (
                    "401",
                    "Missing or unknown API key (the browser asks for one)",
                ),
                (
                    "403",
                    "A form from another origin or without its token was refused",
                ),
                ("404", "Unknown connection, company or table"),
                ("409", "The form's action is not possible now"),
                ("500", "A problem on the server"),
            ] {
                responses.insert(
                    status.into(),
                    json!({"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}),
                );
            }
        }
        Answer::Redirect => {
            responses.insert(
                "302".into(),
                json!({"description": "Redirect (to the platform, or to the company's redirect URL)", "headers": {"Location": {"schema": {"type": "string"}}}}),
            );
            responses.insert(
                "200".into(),
                json!({"description": "A page for the merchant (success, declined)", "content": {"text/html": {"schema": {"type": "string"}}}}),
            );
            for (status, description) in [
                (
                    "400",
                    "The link was refused (forged, used or expired state; failed link)",
                ),
                ("404", "Unknown link"),
                ("409", "Already linked"),
                ("500", "A problem on the server"),
                ("502", "The platform could not complete the link"),
                ("503", "The integration is not enabled"),
            ] {
                responses.insert(
                    status.into(),
                    json!({"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}),
                );
            }
        }
    }
    if let Some(errors) = platform_api::codat_errors(&id) {
        // An operation shared with Codat: exactly the error statuses it answers, each one
        // Codat documents for it.
        object.insert("security".into(), json!([{"basicAuth": []}]));
        for status in errors {
            let description = match status {
                400 => "The request made is not valid (parameters, query or body)",
                401 => "Missing or unknown API key",
                403 => "The change is not allowed (see the error; Codat documents no 400 here)",
                404 => "Unknown id, data type or integration",
                409 => {
                    "The data type was never synced, the latest pull failed, or a limit is reached"
                }
                503 => "The platform could not complete the request",
                _ => "A problem on the server",
            };
            responses.insert(status.to_string(), error_response(description));
        }
        object.insert("responses".into(), Value::Object(responses));
        return Value::Object(object);
    }
    if operation.auth {
        object.insert("security".into(), json!([{"basicAuth": []}]));
        if !is_page {
            responses.insert("401".into(), error_response("Missing or unknown API key"));
        }
    }
    if !is_page && (!path_parameters(path).is_empty() || operation.body.is_some()) {
        responses.insert(
            "404".into(),
            error_response("Unknown id, data type or resource"),
        );
    }
    if !is_page && (!operation.query.is_empty() || operation.body.is_some()) {
        responses.insert("400".into(), error_response("Bad parameters or body"));
    }
    if operation.id == "delete-webhook-consumer" {
        responses.insert(
            "403".into(),
            error_response("The consumer is configured by COMMERCE_WEBHOOK_URL and cannot be deleted through the API"),
        );
    }
    if operation.id == "receive-platform-webhook" {
        responses.insert(
            "400".into(),
            error_response("Refused: bad or stale signature, or not a webhook of that platform"),
        );
    }
    if operation.id.ends_with("-data")
        || operation.id.starts_with("get-data")
        || operation.id.starts_with("list-data")
        || operation.id == "refresh-data-type"
    {
        responses.insert(
            "409".into(),
            error_response("The data type was never synced, or a pull of it is in progress"),
        );
    }
    object.insert("responses".into(), Value::Object(responses));
    Value::Object(object)
}

/// The OpenAPI document.
pub(crate) fn document() -> Value {
    let mut paths = Map::new();
    for (path, operation) in operations() {
        let entry = paths
            .entry(path.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(methods) = entry {
            methods.insert(
                operation.method.to_owned(),
                operation_json(&path, &operation),
            );
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Commerce API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "A Codat-compatible Commerce API over data linked from commerce platforms. Companies, connections, data status, pull operations and the commerce read routes follow Codat's Platform and Commerce APIs; client webhook deliveries, the link flow and platform webhooks are this server's own. Authenticate with `Authorization: Basic <base64 of an API key>`."
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "Companies"}, {"name": "Connections"}, {"name": "Refresh data"},
            {"name": "Commerce data"}, {"name": "Integrations"}, {"name": "Settings"},
            {"name": "Webhooks"}, {"name": "Client webhooks"}, {"name": "Link"},
            {"name": "Platform webhooks"}, {"name": "Dashboard"}, {"name": "Service"}
        ],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "basicAuth": {"type": "http", "scheme": "basic", "description": "The API key, base64-encoded, as Codat's `Authorization: Basic <key>`."}
            },
            "schemas": schemas(),
        }
    })
}

/// `GET /openapi.json`.
pub(crate) async fn serve() -> Json<Value> {
    Json(document())
}

const MODEL_SCHEMAS: &str = include_str!("model-schemas.json");

fn paged(item: &str) -> Value {
    json!({
        "allOf": [
            {"type": "object", "properties": {"results": {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}}}},
            {"$ref": "#/components/schemas/PagingInfo"}
        ]
    })
}

fn schemas() -> Value {
    let mut schemas: Map<String, Value> = serde_json::from_str(MODEL_SCHEMAS).unwrap_or_default();
    let keys: Vec<&str> = DataType::ALL.iter().map(|t| t.key()).collect();
    if let Value::Object(more) = platform_api::schemas(&keys) {
        schemas.extend(more);
    }
    for (_, _, item, list) in data_routes() {
        if let Some(list) = list {
            schemas.insert(list.to_owned(), paged(item));
        }
    }
    let data_type_keys: Vec<&str> = DataType::ALL.iter().map(|t| t.key()).collect();
    let statuses = [
        "Initial",
        "Queued",
        "Fetching",
        "MapQueued",
        "Mapping",
        "Complete",
        "FetchError",
        "MapError",
        "InternalError",
        "ProcessingQueued",
        "Processing",
        "ProcessingError",
        "ValidationQueued",
        "Validating",
        "ValidationError",
        "AuthError",
        "Cancelled",
        "NotSupported",
        "RateLimitError",
        "PermissionsError",
        "PrerequisiteNotMet",
    ];
    let platform = json!({
        "DateTime": {"type": "string", "description": "A date-time as Codat writes it: `2022-10-23T00:00:00Z`, with an offset, without zone (local to the business), or a date alone."},
        "halRef": {"type": "object", "properties": {"href": {"type": "string", "format": "uri-reference"}}, "required": ["href"]},
        "links": {"type": "object", "properties": {
            "self": {"$ref": "#/components/schemas/halRef"},
            "current": {"$ref": "#/components/schemas/halRef"},
            "next": {"$ref": "#/components/schemas/halRef"},
            "previous": {"$ref": "#/components/schemas/halRef"}
        }, "required": ["self", "current"]},
        "PagingInfo": {"type": "object", "properties": {
            "pageNumber": {"type": "integer"}, "pageSize": {"type": "integer"},
            "totalResults": {"type": "integer"}, "_links": {"$ref": "#/components/schemas/links"}
        }, "required": ["pageNumber", "pageSize", "totalResults", "_links"]},
        "ErrorMessage": {"type": "object", "properties": {
            "statusCode": {"type": "integer"}, "service": {"type": "string"}, "error": {"type": "string"},
            "correlationId": {"type": "string"},
            "validation": {"type": "object", "properties": {
                "errors": {"type": "array", "items": {"type": "object", "properties": {"itemId": {"type": "string"}, "message": {"type": "string"}, "validatorName": {"type": "string"}}}},
                "warnings": {"type": "array", "items": {"type": "object", "properties": {"itemId": {"type": "string"}, "message": {"type": "string"}, "validatorName": {"type": "string"}}}}
            }},
            "canBeRetried": {"type": "string"}, "detailedErrorCode": {"type": "integer"}
        }},
        "CompanyRequestBody": {"type": "object", "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": crate::text::MAX_COMPANY_NAME_CHARS,
                "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$",
                "description": "Not blank; no control characters."},
            "description": {"type": "string", "maxLength": crate::text::MAX_COMPANY_DESCRIPTION_CHARS,
                "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$",
                "description": "No control characters other than line breaks and tabs."},
            "redirect": {"type": "string", "format": "uri", "description": "Where the link flow sends the merchant at the end (an extension of Codat's body)."},
            "tags": {"$ref": "#/components/schemas/Tags"}
        }, "required": ["name"]},
        "Company": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
            "description": {"type": "string"}, "redirect": {"type": "string", "format": "uri"},
            "tags": {"$ref": "#/components/schemas/Tags"},
            "lastSync": {"$ref": "#/components/schemas/DateTime"},
            "created": {"$ref": "#/components/schemas/DateTime"},
            "dataConnections": {"type": "array", "items": {"$ref": "#/components/schemas/Connection"}}
        }, "required": ["id", "name", "redirect"]},
        "Companies": paged("Company"),
        "ConnectionPrototype": {"type": "object", "properties": {
            "platformKey": {"type": "string", "description": "The key of a platform registered on this server, or its Codat key."}
        }, "required": ["platformKey"]},
        "UpdateConnectionStatus": {"type": "object", "properties": {
            "status": {"type": "string", "enum": ["Unlinked"]}
        }, "required": ["status"]},
        "DataConnectionError": {"type": "object", "properties": {
            "statusCode": {"type": "string"}, "statusText": {"type": "string"}, "errorMessage": {"type": "string"},
            "erroredOnUtc": {"$ref": "#/components/schemas/DateTime"},
            "status": {"type": "string", "enum": ["Active", "Resolved"]}
        }},
        "Connection": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"},
            "integrationId": {"type": "string", "format": "uuid"},
            "integrationKey": {"type": "string"},
            "sourceId": {"type": "string", "format": "uuid"},
            "platformName": {"type": "string"},
            "linkUrl": {"type": "string", "format": "uri"},
            "status": {"type": "string", "enum": ["PendingAuth", "Linked", "Unlinked", "Deauthorized"]},
            "lastSync": {"$ref": "#/components/schemas/DateTime"},
            "created": {"$ref": "#/components/schemas/DateTime"},
            "sourceType": {"type": "string", "enum": ["Accounting", "Banking", "BankFeed", "Commerce", "Expense", "Other", "Unknown"]},
            "dataConnectionErrors": {"type": "array", "items": {"$ref": "#/components/schemas/DataConnectionError"}}
        }, "required": ["id", "integrationId", "integrationKey", "sourceId", "platformName", "linkUrl", "status", "created", "sourceType"]},
        "Connections": paged("Connection"),
        "PullOperation": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"},
            "companyId": {"type": "string", "format": "uuid"},
            "connectionId": {"type": "string", "format": "uuid"},
            "dataType": {"type": "string", "enum": data_type_keys},
            "status": {"type": "string", "enum": statuses},
            "statusDescription": {"type": "string", "description": "Why the pull ended as it did (e.g. the platform's message for a missing permission, or why a full pull ran instead of an incremental one)"},
            "errorMessage": {"type": "string"},
            "requested": {"$ref": "#/components/schemas/DateTime"},
            "completed": {"$ref": "#/components/schemas/DateTime"},
            "progress": {"type": "integer"},
            "isCompleted": {"type": "boolean"},
            "isErrored": {"type": "boolean"}
        }, "required": ["id", "companyId", "connectionId", "dataType", "status", "requested", "progress", "isCompleted", "isErrored"]},
        "PullOperations": paged("PullOperation"),
        "DataStatus": {"type": "object", "properties": {
            "dataType": {"type": "string", "enum": data_type_keys},
            "currentStatus": {"type": "string", "enum": statuses},
            "latestSyncId": {"type": "string", "format": "uuid"},
            "latestSuccessfulSyncId": {"type": "string", "format": "uuid"},
            "lastSuccessfulSync": {"$ref": "#/components/schemas/DateTime"}
        }, "required": ["dataType"]},
        "DataStatuses": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/DataStatus"}},
        "WebhookDeliveryAttempt": {"type": "object", "properties": {
            "attempt": {"type": "integer", "minimum": 1},
            "time": {"$ref": "#/components/schemas/DateTime"},
            "statusCode": {"type": "integer", "description": "The receiver's HTTP status, when it answered."},
            "error": {"type": "string"},
            "durationMs": {"type": "integer"}
        }, "required": ["attempt", "time", "durationMs"]},
        "WebhookDelivery": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid", "description": "The delivery's id (one per event and consumer)."},
            "eventId": {"type": "string", "format": "uuid", "description": "The event's id (in its body and the `webhook-id` header)."},
            "consumerId": {"type": "string", "format": "uuid", "description": "The webhook consumer it goes to."},
            "eventType": {"type": "string", "enum": crate::client_webhooks::EVENT_TYPES},
            "companyId": {"type": "string", "format": "uuid"},
            "connectionId": {"type": "string", "format": "uuid"},
            "status": {"type": "string", "enum": ["Pending", "Delivered", "Failed"]},
            "attemptCount": {"type": "integer"},
            "created": {"$ref": "#/components/schemas/DateTime"},
            "nextAttempt": {"$ref": "#/components/schemas/DateTime"},
            "completed": {"$ref": "#/components/schemas/DateTime"},
            "lastAttempt": {"type": "object", "properties": {
                "time": {"$ref": "#/components/schemas/DateTime"},
                "statusCode": {"type": "integer"}, "error": {"type": "string"}
            }, "required": ["time"]}
        }, "required": ["id", "eventId", "eventType", "companyId", "status", "attemptCount", "created"]},
        "WebhookDeliveries": paged("WebhookDelivery"),
        "WebhookDeliveryDetail": {"allOf": [
            {"$ref": "#/components/schemas/WebhookDelivery"},
            {"type": "object", "properties": {
                "event": {"type": "object", "description": "The body as sent: `id`, `eventType`, `generatedDate`, `companyId`, `connectionId`, `payload` (Codat's ConnectionWebhook / ReadCompletedWebhook)."},
                "attempts": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookDeliveryAttempt"}}
            }, "required": ["event", "attempts"]}
        ]},
        "WebhookReceipt": {"type": "object", "properties": {
            "received": {"type": "boolean"}, "duplicate": {"type": "boolean"}
        }, "required": ["received", "duplicate"]},
        "SyncForm": {"type": "object", "description": "The dashboard's sync-now form.", "properties": {
            "csrf": {"type": "string", "description": "The page's anti-forgery token."}
        }, "required": ["csrf"]},
        "LinkForm": {"type": "object", "description": "The dashboard's create-link form.", "properties": {
            "csrf": {"type": "string", "description": "The page's anti-forgery token."},
            "platform": {"type": "string", "description": "The key of a platform registered on this server."}
        }, "required": ["csrf", "platform"]},
        "Health": {"type": "object", "properties": {"status": {"type": "string", "enum": ["ok"]}}, "required": ["status"]},
        "OpenApiDocument": {"type": "object", "description": "An OpenAPI 3.1 document.", "properties": {
            "openapi": {"type": "string"}, "info": {"type": "object"}, "servers": {"type": "array"},
            "tags": {"type": "array"}, "paths": {"type": "object"}, "components": {"type": "object"}
        }, "required": ["openapi", "info", "paths"]},
    });
    if let Value::Object(platform) = platform {
        schemas.extend(platform);
        if let Some(Value::Object(properties)) = schemas
            .get_mut("Connection")
            .and_then(|connection| connection.get_mut("properties"))
        {
            properties.insert(
                "platformAccessRevoked".into(),
                json!({"type": "boolean", "description": "Only in the unlink answer: whether access was revoked at the platform (false while another linked connection shares the account's grant, or for a connection linked with the merchant's own key)"}),
            );
        }
        schemas.insert(
            "ConnectionAuthorization".into(),
            json!({"type": "object", "description": "Credentials the merchant handed over, as Codat's body: an object of strings (e.g. apiKey).", "additionalProperties": {"type": "string"}}),
        );
        schemas.insert(
            "CredentialsForm".into(),
            json!({"type": "object", "description": "The link page's paste form: the credential fields the platform declares (e.g. apiKey).", "additionalProperties": {"type": "string"}}),
        );
    }
    if let Value::Object(consumers) = consumer_schemas() {
        schemas.extend(consumers);
    }
    Value::Object(schemas)
}

/// Codat's `WebhookConsumer` and its prototype, and the dashboard's consumer form.
fn consumer_schemas() -> Value {
    json!({
        "WebhookConsumer": {"type": "object", "description": "Codat's WebhookConsumer.", "properties": {
            "id": {"type": "string", "format": "uuid"},
            "url": {"type": "string", "format": "uri"},
            "disabled": {"type": ["boolean", "null"], "default": false},
            "eventTypes": {"type": "array", "items": {"type": "string", "enum": crate::client_webhooks::EVENT_TYPES}, "description": "Empty: every event type."},
            "companyTags": {"type": ["array", "null"], "items": {"type": "string", "maxLength": 128}, "maxItems": 10, "description": "`tagKey:tagValue`: only events of companies with one of these tags."}
        }, "required": ["id", "url", "eventTypes"]},
        "WebhookConsumerPrototype": {"type": "object", "additionalProperties": false, "properties": {
            "url": {"type": "string", "format": "uri", "maxLength": 2048},
            "disabled": {"type": ["boolean", "null"], "default": false},
            "eventTypes": {"type": ["array", "null"], "items": {"type": "string", "enum": crate::client_webhooks::EVENT_TYPES}},
            "companyTags": {"type": ["array", "null"], "items": {"type": "string", "maxLength": 128}, "maxItems": 10}
        }, "required": ["url"]},
        "CreatedWebhookConsumer": {"allOf": [
            {"$ref": "#/components/schemas/WebhookConsumer"},
            {"type": "object", "properties": {
                "secret": {"type": "string", "pattern": "^whsec_", "description": "The signing secret, `whsec_<base64>`: shown only in this answer."}
            }, "required": ["secret"]}
        ]},
        "WebhookConsumers": {"type": "object", "properties": {
            "results": {"type": "array", "maxItems": 51, "items": {"$ref": "#/components/schemas/WebhookConsumer"}}
        }, "required": ["results"]},
        "ConsumerForm": {"type": "object", "description": "The dashboard's create-consumer form.", "properties": {
            "csrf": {"type": "string", "description": "The page's anti-forgery token."},
            "url": {"type": "string"},
            "eventTypes": {"type": "string", "description": "Repeated, one per event type."},
            "companyTags": {"type": "string", "description": "Comma-separated."},
            "disabled": {"type": "string"}
        }, "required": ["csrf", "url"]}
    })
}
