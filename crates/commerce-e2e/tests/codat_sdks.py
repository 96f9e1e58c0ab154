"""Codat's published Python SDKs against a running commerce server.

Run by `tests/it/codat_sdks.rs` with one argument, a JSON context: baseUrl, apiKey, companyId
and connectionId (linked and synced), pendingCompanyId and pendingConnectionId (never linked),
platformKey (Codat's key of the enabled integration) and supported (the data type keys the
platform supports).

Every call runs with the SDK's retries off. A check passes when a success parses into the SDK's
typed model and an expected failure raises the SDK's typed `ErrorMessage` (codat-platform,
codat-lending) or returns it in `error_message` (codat-commerce) with the expected status. Any
`SDKError` (an undocumented status or an answer the SDK cannot parse) fails the check. Prints one
line per failure and `checks passed: N`; exits 1 when anything failed.
"""

import base64
import json
import sys
import traceback

CONTEXT = json.loads(sys.argv[1])
BASE = CONTEXT["baseUrl"]
KEY = CONTEXT["apiKey"]
COMPANY = CONTEXT["companyId"]
CONNECTION = CONTEXT["connectionId"]
PENDING_COMPANY = CONTEXT["pendingCompanyId"]
PENDING_CONNECTION = CONTEXT["pendingConnectionId"]
PLATFORM_KEY = CONTEXT["platformKey"]
SUPPORTED = set(CONTEXT["supported"])
MISSING = "00000000-0000-4000-8000-000000000000"

passed = 0
failures = []


def basic(text):
    return "Basic " + base64.b64encode(text.encode()).decode()


def check(name, call, expect=None, status=None):
    """Runs `call`; with `status`, expects the SDK's typed ErrorMessage with that status,
    otherwise an instance of `expect` (a class or tuple; None for no body)."""
    global passed
    try:
        result = call()
    except Exception as error:  # noqa: BLE001 - every failure is reported with its type
        kind = type(error).__name__
        code = getattr(error, "status_code", None)
        if status is not None and kind == "ErrorMessage" and code == status:
            data = getattr(error, "data", None)
            if data is None or not getattr(data, "error", None):
                failures.append(f"{name}: ErrorMessage {code} without its typed body")
                return None
            passed += 1
            return error
        body = getattr(error, "body", "")
        failures.append(f"{name}: raised {kind} (status {code}): {error} {str(body)[:300]}")
        if kind not in ("ErrorMessage", "SDKError"):
            failures.append(traceback.format_exc(limit=3))
        return None
    if status is not None:
        failures.append(f"{name}: expected ErrorMessage {status}, got {type(result).__name__}")
        return None
    if expect is None:
        if result is not None:
            failures.append(f"{name}: expected no body, got {type(result).__name__}")
            return None
    elif not isinstance(result, expect):
        failures.append(f"{name}: expected {expect}, got {type(result).__name__}: {result!r:.300}")
        return None
    passed += 1
    return result


def platform_checks():
    from codat_platform import CodatPlatform
    from codat_platform import models as m
    from codat_platform.models.shared.security import Security
    from codat_platform.utils.retries import RetryConfig

    def client(header):
        return CodatPlatform(
            security=Security(auth_header=header),
            server_url=BASE,
            retry_config=RetryConfig("none"),
            timeout_ms=30000,
        )

    codat = client(basic(KEY))
    curl = client(basic(KEY + ":"))
    wrong = client(basic("not-a-key-0123456789"))

    # Companies.
    companies = check("list companies", lambda: codat.companies.list(request={"page": 1, "page_size": 10}), m.Companies)
    if companies is not None and not any(c.id == COMPANY for c in companies.results or []):
        failures.append("list companies: the linked company is missing")
    check("list companies (curl's Basic form)", lambda: curl.companies.list(request={"page": 1}), m.Companies)
    check("list companies with a wrong key", lambda: wrong.companies.list(request={"page": 1}), status=401)
    check("list companies with a query", lambda: codat.companies.list(request={"query": "name=x"}), status=400)
    company = check("get company", lambda: codat.companies.get(request={"company_id": COMPANY}), m.Company)
    if company is not None and not company.data_connections:
        failures.append("get company: no dataConnections parsed")
    check("get unknown company", lambda: codat.companies.get(request={"company_id": MISSING}), status=404)
    created = check(
        "create company",
        lambda: codat.companies.create(request={"name": "SDK Made", "description": "by the SDK", "tags": {"ref": "sdk-1"}}),
        m.Company,
    )
    check("create company without a name", lambda: codat.companies.create(request={"name": ""}), status=400)
    if created is not None:
        if (created.tags or {}).get("ref") != "sdk-1":
            failures.append(f"create company: tags not kept: {created.tags}")
        check(
            "replace company",
            lambda: codat.companies.replace(request={"company_id": created.id, "company_request_body": {"name": "SDK Replaced"}}),
            m.Company,
        )
        updated = check(
            "update company",
            lambda: codat.companies.update(request={"company_id": created.id, "company_update_request": {"description": "patched"}}),
            m.Company,
        )
        if updated is not None and (updated.name != "SDK Replaced" or updated.description != "patched"):
            failures.append(f"update company: got {updated.name!r} {updated.description!r}")
        check(
            "update unknown company",
            lambda: codat.companies.update(request={"company_id": MISSING, "company_update_request": {"name": "x"}}),
            status=404,
        )
        settings = check(
            "get company sync settings",
            lambda: codat.companies.get_company_sync_settings(request={"company_id": created.id}),
            m.CompanySyncSettings,
        )
        if settings is not None and len(settings.settings or []) < 5:
            failures.append(f"get company sync settings: {settings}")
        check(
            "set company sync settings",
            lambda: codat.companies.set_company_sync_settings(request={
                "company_id": created.id,
                "request_body": {
                    "company_id": created.id,
                    "settings": [{"data_type": "commerce-payments", "fetch_on_first_link": False, "sync_schedule": 6, "sync_order": 0}],
                    "overrides_defaults": True,
                },
            }),
            None,
        )
        check(
            "set company sync settings for an accounting data type",
            lambda: codat.companies.set_company_sync_settings(request={
                "company_id": created.id,
                "request_body": {
                    "company_id": created.id,
                    "settings": [{"data_type": "invoices", "fetch_on_first_link": True, "sync_schedule": 6, "sync_order": 0}],
                    "overrides_defaults": True,
                },
            }),
            status=400,
        )
        check("delete company", lambda: codat.companies.delete(request={"company_id": created.id}), None)
        check("delete deleted company", lambda: codat.companies.delete(request={"company_id": created.id}), status=404)

    # Connections.
    check("list connections", lambda: codat.connections.list(request={"company_id": COMPANY, "page": 1}), m.Connections)
    connection = check(
        "get connection",
        lambda: codat.connections.get(request={"company_id": COMPANY, "connection_id": CONNECTION}),
        m.Connection,
    )
    if connection is not None and str(getattr(connection.status, "value", connection.status)) != "Linked":
        failures.append(f"get connection: status {connection.status}")
    made = check(
        "create connection",
        lambda: codat.connections.create(request={"company_id": PENDING_COMPANY, "request_body": {"platform_key": PLATFORM_KEY}}),
        m.Connection,
    )
    for key in ("zzzz", "exgd"):
        error = check(
            f"create connection on {key}",
            lambda key=key: codat.connections.create(request={"company_id": PENDING_COMPANY, "request_body": {"platform_key": key}}),
            status=404,
        )
        if error is not None and PLATFORM_KEY not in error.data.error:
            failures.append(f"create connection on {key}: the error does not name {PLATFORM_KEY}: {error.data.error}")
    unlinked = check(
        "unlink a pending connection",
        lambda: codat.connections.unlink(request={
            "company_id": PENDING_COMPANY,
            "connection_id": PENDING_CONNECTION,
            "update_connection_status": {"status": "Unlinked"},
        }),
        m.Connection,
    )
    if unlinked is not None and str(getattr(unlinked.status, "value", unlinked.status)) != "PendingAuth":
        failures.append(f"unlink a pending connection: status {unlinked.status}")
    if made is not None:
        check(
            "delete connection",
            lambda: codat.connections.delete(request={"company_id": PENDING_COMPANY, "connection_id": made.id}),
            None,
        )
        check(
            "get deleted connection",
            lambda: codat.connections.get(request={"company_id": PENDING_COMPANY, "connection_id": made.id}),
            status=404,
        )

    # Integrations.
    integrations = check("list integrations", lambda: codat.integrations.list(request={"page": 1}), m.Integrations)
    if integrations is not None and [i.key for i in integrations.results or []] != [PLATFORM_KEY]:
        failures.append(f"list integrations: {integrations}")
    integration = check("get integration", lambda: codat.integrations.get(request={"platform_key": PLATFORM_KEY}), m.Integration)
    if integration is not None and str(getattr(integration.source_type, "value", integration.source_type)) != "Commerce":
        failures.append(f"get integration: sourceType {integration.source_type}")
    check("get unknown integration", lambda: codat.integrations.get(request={"platform_key": "zzzz"}), status=404)
    branding = check("get branding", lambda: codat.integrations.get_branding(request={"platform_key": PLATFORM_KEY}), m.Branding)
    if branding is not None:
        src = branding.logo.square.image.src if branding.logo and branding.logo.square else ""
        if not str(src).startswith(BASE):
            failures.append(f"get branding: logo not served here: {src}")

    # Refresh data.
    check("get data status", lambda: codat.refresh_data.get(request={"company_id": COMPANY}), m.DataStatuses)
    operations = check(
        "list pull operations",
        lambda: codat.refresh_data.list_pull_operations(request={"company_id": COMPANY, "page": 1}),
        m.PullOperations,
    )
    if operations is not None and operations.results:
        first = operations.results[0].id
        check(
            "get pull operation",
            lambda: codat.refresh_data.get_pull_operation(request={"company_id": COMPANY, "dataset_id": first}),
            m.PullOperation,
        )
    check(
        "get unknown pull operation",
        lambda: codat.refresh_data.get_pull_operation(request={"company_id": COMPANY, "dataset_id": MISSING}),
        status=404,
    )
    check(
        "refresh data type",
        lambda: codat.refresh_data.by_data_type(request={"company_id": COMPANY, "data_type": "commerce-customers"}),
        m.PullOperation,
    )
    check(
        "refresh data type again (already queued)",
        lambda: codat.refresh_data.by_data_type(request={"company_id": COMPANY, "data_type": "commerce-customers"}),
        m.PullOperation,
    )
    check(
        "refresh data type without a linked connection",
        lambda: codat.refresh_data.by_data_type(request={"company_id": PENDING_COMPANY, "data_type": "commerce-customers"}),
        status=400,
    )
    check("refresh all data", lambda: codat.refresh_data.all(request={"company_id": COMPANY}), None)

    # Settings: profile, sync settings, API keys.
    check("get profile", lambda: codat.settings.get_profile(), m.Profile)
    profile = check(
        "update profile",
        lambda: codat.settings.update_profile(request={"name": "SDK Profile", "redirect_url": "https://example.com/{companyId}"}),
        m.Profile,
    )
    if profile is not None and profile.name != "SDK Profile":
        failures.append(f"update profile: {profile}")
    check("update profile without a name", lambda: codat.settings.update_profile(request={"name": "", "redirect_url": ""}), status=403)
    check("get profile sync settings", lambda: codat.settings.get_sync_settings(), m.SyncSettings)
    check(
        "update profile sync settings",
        lambda: codat.settings.update_sync_settings(request={
            "client_id": MISSING,
            "settings": [{"data_type": "commerce-disputes", "fetch_on_first_link": True, "sync_schedule": 12, "sync_order": 0}],
            "overrides_defaults": True,
        }),
        None,
    )
    keys = check("list api keys", lambda: codat.settings.list_api_keys(), m.APIKeys)
    configured = (keys.results or [None])[0] if keys is not None else None
    made_key = check("create api key", lambda: codat.settings.create_api_key(request={"name": "sdk"}), m.APIKeyDetails)
    check("create api key with a long name", lambda: codat.settings.create_api_key(request={"name": "n" * 51}), status=400)
    if made_key is not None:
        fresh = client(basic(made_key.api_key))
        check("list companies with the new key", lambda: fresh.companies.list(request={"page": 1}), m.Companies)
        # Codat's OAS gives delete-api-key's 204 an ErrorMessage body (a slip in its spec: the
        # 204 entry also refers to Too-Many-Requests), so this SDK cannot parse the empty 204
        # that HTTP requires and raises ResponseValidationError for it. That, with status 204,
        # is the success; the key must then be refused.
        global passed
        try:
            codat.settings.delete_api_key(request={"api_key_id": made_key.id})
            passed += 1
        except Exception as error:  # noqa: BLE001
            if type(error).__name__ == "ResponseValidationError" and "204" in str(getattr(error, "status_code", "")) + str(error):
                passed += 1
            else:
                failures.append(f"delete api key: raised {type(error).__name__}: {error}"[:500])
        check("list companies with the deleted key", lambda: fresh.companies.list(request={"page": 1}), status=401)
        check("delete deleted api key", lambda: codat.settings.delete_api_key(request={"api_key_id": made_key.id}), status=404)
    if configured is not None:
        check("delete a configured api key", lambda: codat.settings.delete_api_key(request={"api_key_id": configured.id}), status=403)

    # Webhook consumers (created disabled, so the running dispatcher sends them nothing).
    consumers = check("list webhook consumers", lambda: codat.webhooks.list_consumers(), m.WebhookConsumers)
    before = len(consumers.results or []) if consumers is not None else 0
    consumer = check(
        "create webhook consumer",
        lambda: codat.webhooks.create_consumer(request={
            "url": "https://hooks.example.com/codat-sdk",
            "event_types": ["read.completed", "connection.connected"],
            "company_tags": ["ref:sdk-1"],
            "disabled": True,
        }),
        m.WebhookConsumer,
    )
    check(
        "create webhook consumer with an unknown event type",
        lambda: codat.webhooks.create_consumer(request={"url": "https://hooks.example.com/x", "event_types": ["no.such.event"]}),
        status=400,
    )
    check(
        "create webhook consumer without a URL",
        lambda: codat.webhooks.create_consumer(request={"event_types": ["read.completed"]}),
        status=400,
    )
    if consumer is not None:
        if consumer.event_types != ["read.completed", "connection.connected"] or consumer.disabled is not True:
            failures.append(f"create webhook consumer: not kept as sent: {consumer}")
        listed = check("list webhook consumers after create", lambda: codat.webhooks.list_consumers(), m.WebhookConsumers)
        if listed is not None and len(listed.results or []) != before + 1:
            failures.append(f"list webhook consumers: {before} before, {len(listed.results or [])} after one create")
        check("delete webhook consumer", lambda: codat.webhooks.delete_consumer(request={"webhook_id": consumer.id}), None)
        check("delete deleted webhook consumer", lambda: codat.webhooks.delete_consumer(request={"webhook_id": consumer.id}), status=404)
    check("list webhook consumers with a wrong key", lambda: wrong.webhooks.list_consumers(), status=401)


# The commerce data types: (SDK group, list method, get method, list field, get field,
# data type key, list request, get request, record id parameter).
COMMERCE = [
    ("customers", "list", "get", "customers", "customer", "commerce-customers", "ListCustomersRequest", "GetCustomerRequest", "customer_id"),
    ("disputes", "list", "get", "disputes", "dispute", "commerce-disputes", "ListDisputesRequest", "GetDisputeRequest", "dispute_id"),
    ("locations", "list", "get", "locations", "location", "commerce-locations", "ListLocationsRequest", "GetLocationRequest", "location_id"),
    ("orders", "list", "get", "orders", "order", "commerce-orders", "ListOrdersRequest", "GetOrderRequest", "order_id"),
    ("payments", "list", "get", "payments", "payment", "commerce-payments", "ListPaymentsRequest", "GetPaymentRequest", "payment_id"),
    ("payments", "list_methods", "get_method", "payment_methods", "payment_method", "commerce-paymentMethods", "ListPaymentMethodsRequest", "GetPaymentMethodRequest", "payment_method_id"),
    ("products", "list", "get", "products", "product", "commerce-products", "ListProductsRequest", "GetProductRequest", "product_id"),
    ("products", "list_categories", "get_category", "product_categories", "product_category", "commerce-productCategories", "ListProductCategoriesRequest", "GetProductCategoryRequest", "product_id"),
    ("tax_components", "list", "get", "tax_components", "tax_component", "commerce-taxComponents", "ListTaxComponentsRequest", "GetTaxComponentRequest", "tax_id"),
    ("transactions", "list", "get", "transactions", "transaction", "commerce-transactions", "ListTransactionsRequest", "GetTransactionRequest", "transaction_id"),
]


def commerce_checks():
    """codat-commerce (an older generator): typed models on success, `error_message` (typed)
    on documented failures; nothing raises for a documented status."""
    from codatcommerce import CodatCommerce
    from codatcommerce.models import operations
    from codatcommerce.utils.retries import BackoffStrategy, RetryConfig

    codat = CodatCommerce(
        auth_header=basic(KEY),
        server_url=BASE,
        retry_config=RetryConfig("none", BackoffStrategy(1, 1, 1, 1), False),
    )

    def run(name, call, field, status):
        global passed
        try:
            response = call()
        except Exception as error:  # noqa: BLE001
            failures.append(f"{name}: raised {type(error).__name__}: {error}"[:500])
            return None
        if response.status_code != status:
            failures.append(f"{name}: status {response.status_code}, expected {status}: {response.raw_response.text[:300]}")
            return None
        if status == 200:
            value = getattr(response, field)
            if value is None:
                failures.append(f"{name}: no typed {field}")
                return None
        else:
            if response.error_message is None or response.error_message.status_code != status:
                failures.append(f"{name}: no typed error_message for {status}")
                return None
            value = response.error_message
        passed += 1
        return value

    info = run(
        "commerce: company info",
        lambda: codat.company_info.get(operations.GetCompanyInfoRequest(company_id=COMPANY, connection_id=CONNECTION)),
        "company_info",
        200,
    )
    if info is not None and not info.company_name:
        failures.append("commerce: company info without companyName")
    run(
        "commerce: company info of a pending connection",
        lambda: codat.company_info.get(operations.GetCompanyInfoRequest(company_id=PENDING_COMPANY, connection_id=PENDING_CONNECTION)),
        "company_info",
        409,
    )
    for group, list_method, get_method, list_field, get_field, key, list_request, get_request, id_param in COMMERCE:
        sdk_group = getattr(codat, group)
        # Codat's list-locations takes no paging.
        paging = {} if key == "commerce-locations" else {"page": 1, "page_size": 20}
        listing = lambda: getattr(sdk_group, list_method)(getattr(operations, list_request)(company_id=COMPANY, connection_id=CONNECTION, **paging))
        if key not in SUPPORTED:
            run(f"commerce: {key} (not supported)", listing, list_field, 404)
            continue
        page = run(f"commerce: list {key}", listing, list_field, 200)
        if page is None:
            continue
        results = page.results or []
        if not results:
            failures.append(f"commerce: list {key}: no records")
            continue
        record_id = results[0].id
        run(
            f"commerce: get {key}",
            lambda: getattr(sdk_group, get_method)(getattr(operations, get_request)(company_id=COMPANY, connection_id=CONNECTION, **{id_param: record_id})),
            get_field,
            200,
        )
        run(
            f"commerce: get unknown {key}",
            lambda: getattr(sdk_group, get_method)(getattr(operations, get_request)(company_id=COMPANY, connection_id=CONNECTION, **{id_param: "no-such-record"})),
            get_field,
            404,
        )
        if key != "commerce-locations":
            run(
                f"commerce: list {key} with a bad query",
                lambda: getattr(sdk_group, list_method)(getattr(operations, list_request)(company_id=COMPANY, connection_id=CONNECTION, query="===")),
                list_field,
                400,
            )
        run(
            f"commerce: list {key} of a pending connection",
            lambda: getattr(sdk_group, list_method)(getattr(operations, list_request)(company_id=PENDING_COMPANY, connection_id=PENDING_CONNECTION)),
            list_field,
            409,
        )


# codat-lending's sales group: (group, data type key, record id parameter).
LENDING = [
    ("customers", "commerce-customers", "customer_id"),
    ("disputes", "commerce-disputes", "dispute_id"),
    ("locations", "commerce-locations", "location_id"),
    ("orders", "commerce-orders", "order_id"),
    ("payment_methods", "commerce-paymentMethods", "payment_method_id"),
    ("payments", "commerce-payments", "payment_id"),
    ("product_categories", "commerce-productCategories", "product_id"),
    ("products", "commerce-products", "product_id"),
    ("transactions", "commerce-transactions", "transaction_id"),
]


def lending_checks():
    from codat_lending import CodatLending
    from codat_lending.models.shared.security import Security
    from codat_lending.utils.retries import RetryConfig
    from pydantic import BaseModel as Model  # every codat-lending model is one

    codat = CodatLending(
        security=Security(auth_header=basic(KEY)),
        server_url=BASE,
        retry_config=RetryConfig("none"),
        timeout_ms=30000,
    )
    check("lending: list companies", lambda: codat.companies.list(request={"page": 1}), Model)
    check("lending: get company", lambda: codat.companies.get(request={"company_id": COMPANY}), Model)
    check("lending: list connections", lambda: codat.connections.list(request={"company_id": COMPANY, "page": 1}), Model)
    check(
        "lending: commerce profile",
        lambda: codat.company_info.get_commerce_profile(request={"company_id": COMPANY, "connection_id": CONNECTION}),
        Model,
    )
    for group, key, id_param in LENDING:
        sales = getattr(codat.sales, group)
        listing = lambda: sales.list(request={"company_id": COMPANY, "connection_id": CONNECTION, "page": 1, "page_size": 20})
        if key not in SUPPORTED:
            check(f"lending: {key} (not supported)", listing, status=404)
            continue
        page = check(f"lending: list {key}", listing, Model)
        if page is None:
            continue
        results = getattr(page, "results", None) or []
        if not all(isinstance(record, Model) for record in results):
            failures.append(f"lending: list {key}: records not parsed into models")
        if not results:
            failures.append(f"lending: list {key}: no records")
            continue
        record_id = results[0].id
        check(
            f"lending: get {key}",
            lambda: sales.get(request={"company_id": COMPANY, "connection_id": CONNECTION, id_param: record_id}),
            Model,
        )
        check(
            f"lending: list {key} of a pending connection",
            lambda: sales.list(request={"company_id": PENDING_COMPANY, "connection_id": PENDING_CONNECTION, "page": 1}),
            status=409,
        )


for section in (platform_checks, commerce_checks, lending_checks):
    try:
        section()
    except Exception:  # noqa: BLE001
        failures.append(f"{section.__name__} stopped:\n{traceback.format_exc()}")

for failure in failures:
    print("FAILED", failure)
print(f"checks passed: {passed}")
print(f"checks failed: {len(failures)}")
sys.exit(1 if failures else 0)
