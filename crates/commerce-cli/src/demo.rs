//! `commerce demo`: the whole job with no Stripe credentials.
//!
//! Starts `stripe-sandbox` in-process with one generated test-mode merchant, starts the server
//! on 127.0.0.1 with SQLite in a temporary directory, a generated encryption key and API key,
//! creates a company and a Stripe Test connection through the HTTP API, follows the real OAuth
//! redirect flow over HTTP (link URL -> sandbox authorize -> server callback), syncs every data
//! type with progress bars (`--link app`: through a Stripe App's install link instead, with
//! expiring access tokens), then prints the company info, the record count per data type, the
//! payment totals per currency, the latest transactions, and the dashboard URL and API key.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr as _;
use std::time::Instant;

use anyhow::{anyhow, bail, Context as _};
use clap::Args;
use commerce_model::DataType;
use commerce_server::{authorization_header, AppState, ClientWebhooks};
use commerce_store::{EncryptionKey, RecordQuery, Store, MAX_PAGE_SIZE};
use commerce_sync::SyncConfig;
use reqwest::header::{AUTHORIZATION, LOCATION};
use rust_decimal::Decimal;
use secrecy::ExposeSecret as _;
use serde_json::{json, Value};
use stripe_sandbox::{RateLimits, Sandbox, SandboxConfig};
use uuid::Uuid;

use crate::output::{at, cell, money, Table};
use crate::progress::SyncProgress;
use crate::{config, say};
use commerce_cli::platforms::PlatformOptions;

/// Arguments of `commerce demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Objects per resource in the generated merchant account (customers, products, payments...).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(10..=1_000_000))]
    size: u64,
    /// Seed of the generated merchant: the same seed gives the same data.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Keep the server, the sync workers and the sandbox running until Ctrl-C.
    #[arg(long)]
    serve: bool,
    /// Port of the server on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Database to use (e.g. sqlite://commerce-demo.db to keep the data); by default a new
    /// SQLite file in a temporary directory, removed at the end.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// How many of the latest transactions to print.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
    transactions: u32,
    /// How the merchant links: connect (Stripe Connect OAuth), app (a Stripe App's install
    /// link, with expiring access tokens refreshed as the sync runs) or key (the merchant's
    /// restricted API key, pasted through `PUT .../authorization`).
    #[arg(long, value_enum, default_value_t = LinkMethod::Connect)]
    link: LinkMethod,
}

/// `commerce demo --link`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LinkMethod {
    // Stripe Connect OAuth (authorize URL; the platform key with `Stripe-Account`).
    Connect,
    // Stripe Apps OAuth (install link; the account's access token, refreshed).
    App,
    // The merchant's restricted API key, pasted through the API (no redirect).
    Key,
}

mod key_link;

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The demo's HTTP client for the server's API.
struct Api {
    http: reqwest::Client,
    base: String,
    authorization: String,
}

impl Api {
    async fn send(&self, request: reqwest::RequestBuilder, what: &str) -> anyhow::Result<Value> {
        let response = request
            .header(AUTHORIZATION, &self.authorization)
            .send()
            .await
            .with_context(|| format!("{what}: the server did not answer"))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .with_context(|| format!("{what}: the answer is not JSON"))?;
        if !status.is_success() {
            bail!(
                "{what}: the server answered {status}: {}",
                body["error"].as_str().unwrap_or("no message")
            );
        }
        Ok(body)
    }

    async fn get(&self, path: &str, what: &str) -> anyhow::Result<Value> {
        self.send(self.http.get(format!("{}{path}", self.base)), what)
            .await
    }

    async fn post(&self, path: &str, body: Value, what: &str) -> anyhow::Result<Value> {
        self.send(
            self.http.post(format!("{}{path}", self.base)).json(&body),
            what,
        )
        .await
    }
}

pub(crate) async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();

    // The server's address first: the sandbox must know where to send webhooks.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
    let address = listener
        .local_addr()
        .context("reading the server address")?;
    let public_url = format!("http://{address}");

    say(&format!(
        "Starting a fake Stripe (stripe-sandbox) with one generated merchant (seed {}, size {})...",
        args.seed, args.size
    ));
    let mut sandbox_config = SandboxConfig::default();
    sandbox_config.seed = args.seed;
    sandbox_config.size = args.size;
    sandbox_config.accounts = 1;
    sandbox_config.live_accounts = 0;
    sandbox_config.rate_limits = RateLimits::unlimited();
    sandbox_config.redirect_uris = vec![format!(
        "{public_url}/oauth/{}/callback",
        commerce_stripe::CALLBACK_SEGMENT
    )];
    sandbox_config.webhook_url = Some(format!("{public_url}/webhooks/stripe"));
    let sandbox = Sandbox::start(sandbox_config)
        .await
        .context("starting the sandbox")?;
    let info = sandbox.info();
    let merchant = info
        .accounts
        .first()
        .ok_or_else(|| anyhow!("the sandbox has no merchant account"))?
        .clone();

    let (database_url, temp_dir) = match &args.database_url {
        Some(url) => (url.clone(), None),
        None => {
            let dir =
                std::env::temp_dir().join(format!("commerce-demo-{}", Uuid::new_v4().simple()));
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let url = format!("sqlite://{}", dir.join("commerce.db").display());
            (url, Some(TempDir(dir)))
        }
    };
    let api_key = config::random_key("demo");
    let encryption_key = EncryptionKey::generate().to_base64();
    let mut env: BTreeMap<String, String> = [
        ("COMMERCE_DATABASE_URL", database_url.clone()),
        ("COMMERCE_BIND", address.to_string()),
        ("COMMERCE_PUBLIC_URL", public_url.clone()),
        ("COMMERCE_API_KEYS", api_key.clone()),
        (
            "COMMERCE_ENCRYPTION_KEY",
            encryption_key.expose_secret().to_owned(),
        ),
        ("STRIPE_TEST_CLIENT_ID", info.test.client_id.clone()),
        (
            "STRIPE_TEST_SECRET_KEY",
            info.test.secret_key.expose_secret().to_owned(),
        ),
        (
            "STRIPE_TEST_WEBHOOK_SECRET",
            info.webhook_secret.expose_secret().to_owned(),
        ),
        ("STRIPE_API_BASE", info.base_url.clone()),
        ("STRIPE_CONNECT_BASE", info.base_url.clone()),
        // Webhook consumers on 127.0.0.1 are the point of a local demo.
        ("COMMERCE_WEBHOOK_ALLOW_PRIVATE_URLS", "true".to_owned()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect();
    if args.link == LinkMethod::App {
        env.insert(
            commerce_stripe::setting_names(stripe_connect::Mode::Test)
                .app_install_url
                .to_owned(),
            info.test.app_install_url.clone(),
        );
    }
    let config = config::from_sources(env, None)?;
    let engine = config::engine(
        &config,
        SyncConfig::default().with_workers(4),
        // The sandbox has no rate limit; the client's own limit only slows the demo down.
        PlatformOptions {
            rate_limit: Some(2_000),
        },
    )
    .await?;
    let store = engine.store().clone();
    // Client webhooks run as in `commerce serve`: consumers created through the API (or the
    // dashboard) receive the demo's events.
    let hooks = ClientWebhooks::new(
        store.clone(),
        config.client_webhooks.clone(),
        public_url.clone(),
    )
    .context("starting client webhooks")?;
    let state = AppState::new(engine.clone(), config.api_keys.clone(), &public_url)
        .with_client_webhooks(hooks.clone());
    let (stop_http, http_stopped) = tokio::sync::watch::channel(false);
    let mut http_stopped_wait = http_stopped.clone();
    let server = tokio::spawn(commerce_server::serve_http(listener, state, async move {
        let _ = http_stopped_wait.wait_for(|stopped| *stopped).await;
    }));
    let deliveries = {
        let engine = engine.clone();
        let mut stopped = http_stopped.clone();
        tokio::spawn(async move {
            hooks
                .run(Some(engine), async move {
                    let _ = stopped.wait_for(|stopped| *stopped).await;
                })
                .await;
        })
    };
    say(&format!(
        "Server listening on {public_url} (database {})",
        redact(&database_url)
    ));

    let api = Api {
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .context("building the HTTP client")?,
        base: public_url.clone(),
        authorization: authorization_header(&api_key),
    };

    // A company and a Stripe Test connection through the API, as a client would.
    let company = api
        .post(
            "/companies",
            json!({"name": merchant.business_name, "description": "Created by commerce demo"}),
            "creating the company",
        )
        .await?;
    let company_id = company["id"].as_str().unwrap_or_default().to_owned();
    let connection = api
        .post(
            &format!("/companies/{company_id}/connections"),
            json!({"platformKey": "stripe-test"}),
            "creating the connection",
        )
        .await?;
    let connection_id = connection["id"].as_str().unwrap_or_default().to_owned();
    let link_url = connection["linkUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    say(&format!(
        "Company {company_id} created; connection {connection_id} is PendingAuth"
    ));

    // The merchant's browser: the link URL, Stripe's authorize page (the sandbox approves at
    // once), the server's callback.
    let events = engine.subscribe();
    match args.link {
        LinkMethod::Connect | LinkMethod::App => {
            say(if args.link == LinkMethod::App {
                "Linking through Stripe Apps OAuth (the app's install link):"
            } else {
                "Linking through Stripe Connect OAuth:"
            });
            follow_link(&api.http, &link_url).await?;
        }
        LinkMethod::Key => {
            say("Linking with a restricted API key:");
            key_link::link(&api, &info, &merchant.id, &company_id, &connection_id).await?;
        }
    }
    let connection = api
        .get(
            &format!("/companies/{company_id}/connections/{connection_id}"),
            "reading the connection",
        )
        .await?;
    let status = connection["status"].as_str().unwrap_or_default();
    if status != "Linked" {
        bail!("the connection is {status} after the link flow, not Linked");
    }
    say(&format!(
        "  Linked to {} ({})",
        merchant.id, merchant.business_name
    ));

    say("Syncing every data type:");
    let connection_uuid = Uuid::parse_str(&connection_id).context("the connection id")?;
    let expected: Vec<(Uuid, DataType)> = commerce_stripe::SUPPORTED_DATA_TYPES
        .iter()
        .map(|data_type| (connection_uuid, *data_type))
        .collect();
    let sync_started = Instant::now();
    let (_, finished) = SyncProgress::new(&expected)
        .run_until_idle(&engine, events)
        .await?;
    let failed: Vec<String> = finished
        .iter()
        .filter(|done| done.status.is_errored())
        .map(|done| format!("{}: {}", done.data_type.key(), done.status))
        .collect();
    say(&format!(
        "  Synced in {:.1} s",
        sync_started.elapsed().as_secs_f64()
    ));
    if !failed.is_empty() {
        bail!("the sync failed for {}", failed.join(", "));
    }

    let base = format!("/companies/{company_id}/connections/{connection_id}/data");
    print_company(
        &api.get(&format!("{base}/commerce-info"), "reading company info")
            .await?,
    );
    print_counts(&store, connection_uuid).await?;
    print_totals(&store, connection_uuid).await?;
    let latest = api
        .get(
            &format!(
                "{base}/commerce-transactions?page=1&pageSize={}&orderBy=-createdDate",
                args.transactions
            ),
            "reading the latest transactions",
        )
        .await?;
    print_transactions(&latest);

    let dashboard = format!("{public_url}/ui");
    let has_dashboard = api
        .http
        .get(&dashboard)
        .send()
        .await
        .is_ok_and(|response| response.status() != reqwest::StatusCode::NOT_FOUND);
    say("");
    if args.serve {
        if has_dashboard {
            say(&format!(
                "Dashboard: {dashboard} (sign in with any user name and the API key as password)"
            ));
        }
        say(&format!("API:       {public_url}/companies"));
        say(&format!("API key:   {api_key}"));
        if args.database_url.is_some() {
            // Needed to read the stored credentials again (commerce serve, sync).
            say(&format!(
                "Encryption key (COMMERCE_ENCRYPTION_KEY): {}",
                encryption_key.expose_secret()
            ));
        }
        say(&format!(
            "Try:       curl -u '{api_key}:' '{public_url}{base}/commerce-payments?pageSize=5'"
        ));
    } else {
        // The server stops with this command: no URL that would no longer answer.
        say("The server, its dashboard and API stop now. To keep them running, run the demo again");
        say("with --serve (until Ctrl-C); add --database-url sqlite://commerce-demo.db to keep the data:");
        say("  commerce demo --serve --database-url sqlite://commerce-demo.db");
    }
    say(&format!(
        "Done in {:.1} s.",
        started.elapsed().as_secs_f64()
    ));

    if args.serve {
        say(&format!(
            "Serving until Ctrl-C (sandbox at {}, sync workers running)...",
            info.base_url
        ));
        engine
            .run(commerce_server::shutdown_signal())
            .await
            .context("the sync workers stopped")?;
    }
    let _ = stop_http.send(true);
    match server.await {
        Ok(result) => result.context("the server failed")?,
        Err(error) => bail!("the server task failed: {error}"),
    }
    if let Err(error) = deliveries.await {
        bail!("the webhook dispatcher failed: {error}");
    }
    store.close().await;
    sandbox.shutdown().await;
    drop(temp_dir);
    Ok(())
}

/// Follows the link URL's redirects as a browser would, printing each hop.
async fn follow_link(http: &reqwest::Client, link_url: &str) -> anyhow::Result<()> {
    let mut url = link_url.to_owned();
    for _ in 0..5 {
        let response = http
            .get(&url)
            .send()
            .await
            .with_context(|| format!("GET {url}"))?;
        let parsed = url::Url::parse(&url).context("a link URL")?;
        let status = response.status();
        say(&format!(
            "  GET {} -> {}",
            without_query(&parsed),
            status.as_u16()
        ));
        if status.is_redirection() {
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|value| value.to_str().ok())
                .ok_or_else(|| anyhow!("a redirect from {url} without a Location"))?;
            url = parsed
                .join(location)
                .context("a redirect location")?
                .to_string();
            continue;
        }
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            bail!(
                "the link flow stopped at {url} with {status}: {}",
                page_title(&body)
            );
        }
        return Ok(());
    }
    bail!("the link flow redirected more than 5 times")
}

fn without_query(url: &url::Url) -> String {
    format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port()
            .map(|port| format!(":{port}"))
            .unwrap_or_default()
    ) + url.path()
}

fn page_title(html: &str) -> String {
    html.split_once("<h1>")
        .and_then(|(_, rest)| rest.split_once("</h1>"))
        .map(|(title, _)| title.to_owned())
        .unwrap_or_else(|| "no explanation".to_owned())
}

fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("redacted"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

fn print_company(info: &Value) {
    say("");
    say("Company info");
    for (label, path) in [
        ("Name", "companyName"),
        ("Legal name", "companyLegalName"),
        ("Stripe account", "commercePlatformRef"),
        ("Base currency", "baseCurrency"),
        ("Created", "createdDate"),
    ] {
        let value = cell(at(info, path));
        if !value.is_empty() {
            say(&format!("  {label:<16}{value}"));
        }
    }
    if let Some(balances) = info["accountBalances"].as_array() {
        let mut table = Table::new(["currency", "available", "pending", "reserved"]);
        for balance in balances {
            table.push([
                cell(balance.get("currency")),
                money(balance.get("available"), balance.get("currency")),
                money(balance.get("pending"), balance.get("currency")),
                money(balance.get("reserved"), balance.get("currency")),
            ]);
        }
        say("  Balances:");
        print_indented(&table.render());
    }
}

async fn print_counts(store: &Store, connection: Uuid) -> anyhow::Result<()> {
    let counts = store.count_records(connection).await?;
    let mut table = Table::new(["data type", "records"]);
    for data_type in commerce_stripe::SUPPORTED_DATA_TYPES {
        table.push([
            data_type.key().to_owned(),
            counts.get(&data_type).copied().unwrap_or(0).to_string(),
        ]);
    }
    say("");
    say("Records per data type");
    print_indented(&table.render());
    Ok(())
}

/// Every payment's amount summed per currency: all payments, and those `Paid` (refunds are
/// negative payments, so the paid total is net of refunds).
async fn print_totals(store: &Store, connection: Uuid) -> anyhow::Result<()> {
    #[derive(Default)]
    struct Total {
        count: u64,
        paid_count: u64,
        paid: Decimal,
    }
    let mut totals: BTreeMap<String, Total> = BTreeMap::new();
    let mut page = 1;
    loop {
        let records = store
            .query_records(
                connection,
                DataType::Payments,
                &RecordQuery::page(page, MAX_PAGE_SIZE),
            )
            .await?;
        for payment in &records.results {
            let currency = cell(payment.get("currency"));
            let total = totals.entry(currency).or_default();
            total.count += 1;
            if payment["status"] == "Paid" {
                let amount = payment
                    .get("amount")
                    .and_then(|amount| Decimal::from_str(&amount.to_string()).ok())
                    .unwrap_or_default();
                total.paid_count += 1;
                total.paid += amount;
            }
        }
        if u64::from(page) * u64::from(MAX_PAGE_SIZE) >= records.total_results {
            break;
        }
        page += 1;
    }
    let mut table = Table::new([
        "currency",
        "payments",
        "paid",
        "paid total (net of refunds)",
    ]);
    for (currency, total) in &totals {
        table.push([
            currency.clone(),
            total.count.to_string(),
            total.paid_count.to_string(),
            money(Some(&json!(total.paid)), Some(&json!(currency))),
        ]);
    }
    say("");
    say("Payments per currency");
    print_indented(&table.render());
    Ok(())
}

fn print_transactions(page: &Value) {
    let mut table = Table::new(["id", "type", "amount", "currency", "created"]);
    for transaction in page["results"].as_array().into_iter().flatten() {
        table.push([
            cell(transaction.get("id")),
            cell(transaction.get("type")),
            money(transaction.get("totalAmount"), transaction.get("currency")),
            cell(transaction.get("currency")),
            cell(transaction.get("createdDate")),
        ]);
    }
    say("");
    say(&format!(
        "Latest transactions ({} of {})",
        table.rows.len(),
        cell(page.get("totalResults"))
    ));
    print_indented(&table.render());
}

fn print_indented(text: &str) {
    for line in text.lines() {
        say(&format!("  {line}"));
    }
}
