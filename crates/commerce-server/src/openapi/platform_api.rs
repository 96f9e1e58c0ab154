//! The operations and schemas of the rest of Codat's Platform API (integrations, profile, sync
//! settings, API keys, replace/update company), and the error statuses of every operation
//! shared with Codat: only statuses Codat's own OpenAPI documents for that operation.

use serde_json::{json, Value};

use super::{Answer, Operation};

const PAGED: &[&str] = &["page", "pageSize"];

/// The operations added to [`super::OPERATIONS`].
pub(crate) const PLATFORM_OPERATIONS: &[Operation] = &[
    op!("put" "/companies/{companyId}", "replace-company", "Replace company: name, description and tags (absent ones are cleared)", "Companies", auth: true, query: &[], body: Some("CompanyRequestBody"), Answer::Json(200, "Company")),
    op!("patch" "/companies/{companyId}", "update-company", "Update company: the name, description or tags given", "Companies", auth: true, query: &[], body: Some("CompanyUpdateRequest"), Answer::Json(200, "Company")),
    op!("get" "/integrations", "list-integrations", "List the integrations enabled on this server", "Integrations", auth: true, query: PAGED, body: None, Answer::Json(200, "Integrations")),
    op!("get" "/integrations/{platformKey}", "get-integration", "Get an integration (Codat's four-letter key, or this server's key)", "Integrations", auth: true, query: &[], body: None, Answer::Json(200, "Integration")),
    op!("get" "/integrations/{platformKey}/branding", "get-integrations-branding", "Get an integration's branding (logo and button images served by this server)", "Integrations", auth: true, query: &[], body: None, Answer::Json(200, "Branding")),
    op!("get" "/integrations/{platformKey}/images/{image}", "get-integration-image", "An integration's branding image (SVG; public)", "Integrations", auth: false, query: &[], body: None, Answer::Image),
    op!("get" "/profile", "get-profile", "Get profile", "Settings", auth: true, query: &[], body: None, Answer::Json(200, "Profile")),
    op!("put" "/profile", "update-profile", "Update profile (name, redirect URL)", "Settings", auth: true, query: &[], body: Some("Profile"), Answer::Json(200, "Profile")),
    op!("get" "/profile/syncSettings", "get-profile-syncSettings", "Get the sync settings in force for every data type", "Settings", auth: true, query: &[], body: None, Answer::Json(200, "SyncSettings")),
    op!("post" "/profile/syncSettings", "update-profile-syncSettings", "Replace the profile's sync settings", "Settings", auth: true, query: &[], body: Some("SyncSettings"), Answer::Empty(204)),
    op!("get" "/companies/{companyId}/syncSettings", "get-company-syncSettings", "Get a company's sync settings in force", "Settings", auth: true, query: &[], body: None, Answer::Json(200, "CompanySyncSettings")),
    op!("post" "/companies/{companyId}/syncSettings", "set-company-syncSettings", "Replace a company's own sync settings", "Settings", auth: true, query: &[], body: Some("CompanySyncSettings"), Answer::Empty(204)),
    op!("get" "/apiKeys", "list-api-keys", "List API keys (configured ones without their value)", "Settings", auth: true, query: &[], body: None, Answer::Json(200, "ApiKeys")),
    op!("post" "/apiKeys", "create-api-key", "Create an API key (its value is shown once)", "Settings", auth: true, query: &[], body: Some("CreateApiKey"), Answer::Json(201, "ApiKeyDetails")),
    op!("delete" "/apiKeys/{apiKeyId}", "delete-api-key", "Delete an API key (it stops working at once)", "Settings", auth: true, query: &[], body: None, Answer::Empty(204)),
    op!("get" "/ui/api-keys", "dashboard-api-keys", "Dashboard: API keys (admin page)", "Dashboard", auth: true, query: &["deleted"], body: None, Answer::Html),
    op!("post" "/ui/api-keys", "dashboard-create-api-key", "Dashboard form: make an API key (shown once on the page answered)", "Dashboard", auth: true, query: &[], body: Some("form:ApiKeyForm"), Answer::Html),
    op!("post" "/ui/api-keys/{apiKeyId}/delete", "dashboard-delete-api-key", "Dashboard form: delete an API key", "Dashboard", auth: true, query: &[], body: Some("form:SyncForm"), Answer::Html),
];

/// The error statuses an operation shared with Codat answers: each one Codat documents for
/// that operation (`Codat-Platform.yaml`, `Codat-Commerce.yaml`). `None` for this server's
/// own operations.
pub(crate) fn codat_errors(operation_id: &str) -> Option<&'static [u16]> {
    Some(match operation_id {
        "list-companies" | "create-company" => &[400, 401, 500],
        "get-company"
        | "delete-company"
        | "get-connection"
        | "delete-connection"
        | "get-company-data-status"
        | "get-pull-operation"
        | "get-integration"
        | "get-integrations-branding"
        | "get-company-syncSettings" => &[401, 404, 500],
        "create-connection" => &[401, 404, 500],
        "replace-company" | "update-company" => &[401, 403, 404, 500],
        "unlink-connection" => &[401, 403, 404, 500, 503],
        // 400: credentials refused (issue 14; Codat documents no 400 here, the one addition).
        "update-connection-authorization" => &[400, 401, 404, 500, 503],
        "list-connections"
        | "refresh-company-data"
        | "refresh-data-type"
        | "list-pull-operations"
        | "set-company-syncSettings" => &[400, 401, 404, 500],
        "list-integrations" => &[400, 401, 500],
        "get-profile" | "get-profile-syncSettings" | "list-api-keys" => &[401, 500],
        "update-profile" | "update-profile-syncSettings" => &[401, 403, 500],
        "create-api-key" => &[400, 401, 409, 500],
        "delete-api-key" => &[401, 403, 404, 500],
        "list-webhook-consumers" => &[401, 500],
        "create-webhook-consumer" => &[400, 401, 500],
        "delete-webhook-consumer" => &[401, 403, 404, 500],
        "list-data-commerce-locations" => &[401, 404, 409, 500],
        id if id.starts_with("list-data-") => &[400, 401, 404, 409, 500],
        id if id.starts_with("get-data-") => &[401, 404, 409, 500],
        _ => return None,
    })
}

/// The schemas of [`PLATFORM_OPERATIONS`], in Codat's names and shapes.
pub(crate) fn schemas(data_type_keys: &[&str]) -> Value {
    let image = json!({"type": "object", "properties": {"image": {"type": "object", "properties": {
        "src": {"type": "string", "format": "uri"}, "alt": {"type": "string"}
    }}}});
    let setting = json!({"type": "object", "properties": {
        "dataType": {"type": "string", "enum": data_type_keys},
        "fetchOnFirstLink": {"type": "boolean", "description": "Whether the data type is queued when a connection is linked; when false, its first pull comes `syncSchedule` hours after the link."},
        "syncSchedule": {"type": "integer", "minimum": 1, "maximum": 8784, "description": "Hours between pulls."},
        "syncOrder": {"type": "integer", "description": "Data types are queued lowest first."},
        "syncFromUtc": {"$ref": "#/components/schemas/DateTime"},
        "syncFromWindow": {"type": "integer"},
        "monthsToSync": {"type": "integer"},
        "isLocked": {"type": "boolean"}
    }, "required": ["dataType", "fetchOnFirstLink", "syncSchedule", "syncOrder"]});
    let tags = json!({"type": "object", "maxProperties": 10, "propertyNames": {"minLength": 1, "maxLength": 27}, "additionalProperties": {"type": "string", "maxLength": 100}});
    json!({
        "Tags": tags,
        "CompanyUpdateRequest": {"type": "object", "properties": {
            "name": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "tags": {"$ref": "#/components/schemas/Tags"},
            "redirect": {"type": "string", "format": "uri", "description": "Where the link flow sends the merchant at the end (this server's extension)."}
        }},
        "Integration": {"type": "object", "properties": {
            "key": {"type": "string", "description": "Codat's four-letter integration key."},
            "logoUrl": {"type": "string", "format": "uri"},
            "name": {"type": "string"},
            "enabled": {"type": "boolean"},
            "sourceId": {"type": "string", "format": "uuid"},
            "sourceType": {"type": "string", "enum": ["Accounting", "Banking", "BankFeed", "Commerce", "Expense", "Other", "Unknown"]},
            "integrationId": {"type": "string", "format": "uuid"},
            "isOfflineConnector": {"type": "boolean"},
            "isBeta": {"type": "boolean"},
            "dataProvidedBy": {"type": "string"},
            "datatypeFeatures": {"type": "array", "items": {"type": "object", "properties": {
                "datatype": {"type": "string", "enum": data_type_keys},
                "supportedFeatures": {"type": "array", "items": {"type": "object", "properties": {
                    "featureType": {"type": "string", "enum": ["Get"]},
                    "featureState": {"type": "string", "enum": ["Release", "NotSupported"]}
                }, "required": ["featureType", "featureState"]}}
            }, "required": ["datatype", "supportedFeatures"]}}
        }, "required": ["key", "logoUrl", "name", "enabled"]},
        "Integrations": super::paged("Integration"),
        "Branding": {"type": "object", "properties": {
            "logo": {"type": "object", "properties": {"full": image.clone(), "square": image.clone()}},
            "button": {"type": "object", "properties": {"default": image.clone(), "hover": image}},
            "sourceId": {"type": "string", "format": "uuid"}
        }},
        "Svg": {"type": "string", "description": "An SVG image (`image/svg+xml`)."},
        "Profile": {"type": "object", "properties": {
            "name": {"type": "string", "minLength": 1},
            "redirectUrl": {"type": "string", "description": "Where the link flow sends merchants whose company has no redirect (`{companyId}` is replaced); empty: the link flow ends on its own page."}
        }, "required": ["name", "redirectUrl"]},
        "SyncSetting": setting,
        "SyncSettings": {"type": "object", "properties": {
            "clientId": {"type": "string", "format": "uuid"},
            "settings": {"type": "array", "items": {"$ref": "#/components/schemas/SyncSetting"}},
            "overridesDefaults": {"type": "boolean"}
        }, "required": ["settings"]},
        "CompanySyncSettings": {"type": "object", "properties": {
            "companyId": {"type": "string", "format": "uuid"},
            "settings": {"type": "array", "items": {"$ref": "#/components/schemas/SyncSetting"}},
            "overridesDefaults": {"type": "boolean"}
        }, "required": ["settings"]},
        "ApiKeyDetails": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string", "maxLength": 50},
            "apiKey": {"type": "string", "description": "The key; only in the answer that creates it."},
            "createdDate": {"$ref": "#/components/schemas/DateTime"},
            "deletable": {"type": "boolean", "description": "False for keys from COMMERCE_API_KEYS (this server's extension)."}
        }, "required": ["id", "deletable"]},
        "ApiKeys": {"type": "object", "properties": {
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/ApiKeyDetails"}}
        }, "required": ["results"]},
        "ApiKeyForm": {"type": "object", "description": "The dashboard's new-key form.", "properties": {
            "csrf": {"type": "string", "description": "The page's anti-forgery token."},
            "name": {"type": "string", "maxLength": 50}
        }, "required": ["csrf"]},
        "CreateApiKey": {"type": "object", "properties": {
            "name": {"type": "string", "maxLength": 50}
        }},
    })
}
