//! The dashboard in headless Chromium on a server filled from `stripe-sandbox`: a company linked
//! through the API and the real OAuth flow with the real `StripePlatform`, synced by the engine,
//! then every page loaded and checked against what the sandbox itself reports (the merchant's
//! name, its newest charge, its balance currencies, customers, products, disputes and balance
//! transactions), with paging, a query and an ordering followed like a person would, and one
//! screenshot per page under `target/tmp/ui-screenshots/`.

use std::collections::BTreeSet;

use chrono::Utc;
use commerce_model::DataType;
use serde_json::Value;

use super::{between, browser, next_href, unescape};
use crate::support::{sandbox_server, SandboxLink, API_KEY};

/// Objects per resource: a year of history with a few payments a week, enough for 4+ pages.
const SIZE: u64 = 100;
const COMPANY: &str = "Sandbox Dashboard Co";

/// The `<code>` ids of a records page's first column, in order.
fn row_ids(html: &str) -> Vec<String> {
    html.match_indices("<th scope=\"row\" class=\"code\"><code>")
        .filter_map(|(at, _)| between(&html[at..], "<code>", "</code>"))
        .map(str::to_owned)
        .collect()
}

/// The text of every row's `index`-th data cell (`<td>`, after the id in `<th>`), tags removed.
fn column_texts(html: &str, index: usize) -> Vec<String> {
    let body = between(html, "<tbody>", "</tbody>").unwrap_or_default();
    body.split("<tr>")
        .skip(1)
        .filter_map(|row| {
            let cell = row.split("<td").nth(index + 1)?;
            let cell = &cell[..cell.find("</td>")?];
            let mut text = String::new();
            let mut in_tag = true;
            for ch in cell.chars() {
                match ch {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    _ if !in_tag => text.push(ch),
                    _ => {}
                }
            }
            Some(unescape(&text))
        })
        .collect()
}

async fn newest(stripe: &stripe_client::StripeClient, path: &str) -> Value {
    let list: Value = stripe.get(path, &[("limit", "1")]).await.unwrap();
    list["data"][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_in_headless_chromium_on_sandbox_data() {
    let Some(browser) = browser::browser() else {
        return;
    };
    // "Now" for the sandbox: today at 00:00 UTC, so the history ends in the chart's window and
    // the data are the same all day.
    let today = Utc::now().timestamp().div_euclid(86_400) * 86_400;
    let setup = sandbox_server(SIZE, today, false).await;
    let SandboxLink {
        company,
        connection,
        account,
    } = setup.link(COMPANY).await;
    let server = &setup.server;
    let summary = server.engine.run_until_idle().await.unwrap();
    // The six types Stripe supports are pulled; the rest end `NotSupported` when queued.
    assert!(
        summary.outcomes.len() >= commerce_stripe::SUPPORTED_DATA_TYPES.len(),
        "{summary:?}"
    );
    let counts = server
        .store
        .count_records(connection.parse().unwrap())
        .await
        .unwrap();
    let payments_count = counts[&DataType::Payments];
    assert!(payments_count > 50, "{counts:?}");

    // What Stripe (the sandbox) says about the merchant.
    let stripe = setup.stripe_for(&account);
    let merchant: Value = stripe.get("/v1/account", &[]).await.unwrap();
    let merchant_name = merchant["business_profile"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let charge = newest(&stripe, "/v1/charges").await;
    let charge_id = charge["id"].as_str().unwrap().to_owned();
    let charge_currency = charge["currency"].as_str().unwrap().to_uppercase();
    let balance: Value = stripe.get("/v1/balance", &[]).await.unwrap();
    let balance_currencies: BTreeSet<String> = balance["available"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["currency"].as_str().unwrap().to_uppercase())
        .collect();
    let customer = newest(&stripe, "/v1/customers").await;
    let product = newest(&stripe, "/v1/products").await;
    let dispute = newest(&stripe, "/v1/disputes").await;
    let balance_transaction = newest(&stripe, "/v1/balance_transactions").await;

    let shots = browser::screenshot_dir();
    let authority = server.base.trim_start_matches("http://").to_owned();
    let url = |path: &str| format!("http://ui:{API_KEY}@{authority}{path}");
    let shoot = |path: String, file: &'static str, height: u32| {
        let target = url(&path);
        let file = shots.join(file);
        let browser = &browser;
        async move { browser.screenshot(&target, &file, height).await }
    };

    // 1. Companies: ours, its Stripe connection to the sandbox account, statuses and counts.
    let dom = browser.dom(&url("/ui")).await;
    assert!(
        dom.contains(&format!("<h2 id=\"company-{company}\">{COMPANY}</h2>")),
        "{dom}"
    );
    assert!(dom.contains(&account), "{dom}");
    assert!(
        dom.contains(&format!(
            "<th scope=\"row\"><a href=\"/ui/connections/{connection}/payments\">Payments</a></th>"
        )),
        "{dom}"
    );
    assert!(dom.contains(">Complete<"));
    assert!(dom.contains(&format!("<td class=\"amount\">{payments_count}</td>")));
    shoot("/ui".to_owned(), "1-companies.png", 1300).await;

    // 2. The connection: the merchant's name as Stripe has it, balances, the chart.
    let overview = format!("/ui/connections/{connection}");
    let dom = browser.dom(&url(&overview)).await;
    assert!(
        dom.contains(&format!(
            "<dt>Name</dt><dd>{}</dd>",
            html_escape(&merchant_name)
        )),
        "{merchant_name}: {dom}"
    );
    for currency in &balance_currencies {
        assert!(
            dom.contains(&format!("<th scope=\"row\">{currency}</th>")),
            "balance in {currency}: {dom}"
        );
    }
    assert!(dom.contains("<svg class=\"chart\""), "{dom}");
    assert!(dom.contains("<rect "), "bars on the chart: {dom}");
    assert!(dom.contains(">Sync now</button>"));
    shoot(overview.clone(), "2-connection.png", 2000).await;

    // 3. Payments: newest first through the form's order box shows the newest charge.
    let payments = format!("/ui/connections/{connection}/payments");
    let dom = browser.dom(&url(&payments)).await;
    assert!(dom.contains("<label for=\"query\">Query</label>"));
    let action = unescape(between(&dom, "<form method=\"get\" action=\"", "\"").unwrap());
    assert_eq!(action, payments);
    let pages = payments_count.div_ceil(25);
    assert!(dom.contains(&format!("Page 1 of {pages}")), "{dom}");
    let newest_first = format!("{action}?query=&orderBy=-createdDate");
    let dom = browser.dom(&url(&newest_first)).await;
    let ids = row_ids(&dom);
    assert!(ids.contains(&charge_id), "{charge_id} not in {ids:?}");
    // Every column shown has a value somewhere on the page (ones the platform leaves empty are
    // left out and named).
    let headers = dom.matches("<th scope=\"col\"").count();
    for index in 0..headers - 1 {
        let texts = column_texts(&dom, index);
        assert!(texts.iter().any(|text| !text.is_empty()), "column {index}");
    }
    shoot(newest_first.clone(), "3-payments.png", 1500).await;

    // Paging: the Next link (keeping the order) shows page 2 with other records.
    let next = next_href(&dom).unwrap();
    assert!(next.contains("orderBy=-createdDate") && next.contains("page=2"));
    let dom2 = browser.dom(&url(&next)).await;
    assert!(dom2.contains(&format!("Page 2 of {pages}")), "{dom2}");
    let ids2 = row_ids(&dom2);
    assert_eq!(ids2.len(), 25);
    assert!(ids2.iter().all(|id| !ids.contains(id)));
    shoot(next, "4-payments-page-2.png", 1500).await;

    // A query through the form's GET URL: the newest charge's currency only.
    let query = format!("{action}?query=currency%3D{charge_currency}");
    let dom = browser.dom(&url(&query)).await;
    assert!(
        dom.contains(&format!("matching <code>currency={charge_currency}</code>")),
        "{dom}"
    );
    let currencies = column_texts(&dom, 2);
    assert!(!currencies.is_empty(), "{dom}");
    assert!(
        currencies
            .iter()
            .all(|currency| *currency == charge_currency),
        "{currencies:?}"
    );
    shoot(query, "5-payments-query.png", 1300).await;

    // 4. The other tables each show the sandbox's newest object of their kind.
    let customer_name = customer["name"]
        .as_str()
        .or(customer["email"].as_str())
        .unwrap()
        .to_owned();
    for (slug, expect, file) in [
        (
            "transactions",
            balance_transaction["id"].as_str().unwrap().to_owned(),
            "6-transactions.png",
        ),
        (
            "disputes",
            dispute["id"].as_str().unwrap().to_owned(),
            "7-disputes.png",
        ),
        ("customers", customer_name, "8-customers.png"),
        (
            "products",
            product["name"].as_str().unwrap().to_owned(),
            "9-products.png",
        ),
    ] {
        let path = format!("/ui/connections/{connection}/{slug}?orderBy=-createdDate");
        let dom = browser.dom(&url(&path)).await;
        assert!(
            dom.contains(&html_escape(&expect)),
            "{slug}: {expect}: {dom}"
        );
        assert!(dom.contains("<th scope=\"col\""));
        shoot(path, file, 1300).await;
    }
    eprintln!("screenshots in {}", shots.display());
}

/// Text as Chromium serializes it in `--dump-dom` (quotes are left alone).
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
