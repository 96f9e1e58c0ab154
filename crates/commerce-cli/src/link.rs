//! `commerce link --integration stripe-test|stripe`: links a merchant from a terminal.
//!
//! Creates (or uses) a company and a `PendingAuth` connection in the database, serves the
//! server's link and callback routes on a listener on 127.0.0.1, prints the authorize URL (and
//! opens it in a browser when it can), and waits until the callback has exchanged the code
//! and stored the connection as `Linked`. The initial sync is queued as the server does; run
//! `commerce sync` (or `commerce serve`/`worker`) to pull it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use clap::{Args, ValueEnum};
use commerce_server::{build_router, ApiKeys, AppState};
use commerce_store::{ConnectionStatus, NewCompany, StoreError};
use commerce_sync::SyncConfig;
use uuid::Uuid;

use crate::config::{self, Needs};
use crate::say;
use commerce_cli::platforms::{self, PlatformOptions};

/// The integrations a terminal can link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum IntegrationArg {
    /// Stripe test mode (`STRIPE_TEST_*`).
    #[value(name = "stripe-test")]
    StripeTest,
    /// Stripe live mode (`STRIPE_LIVE_*`).
    #[value(name = "stripe")]
    Stripe,
}

impl IntegrationArg {
    fn platform_key(self) -> &'static str {
        match self {
            IntegrationArg::StripeTest => "stripe-test",
            IntegrationArg::Stripe => "stripe",
        }
    }
}

/// Arguments of `commerce link`.
#[derive(Debug, Args)]
pub(crate) struct LinkArgs {
    /// Which integration to link.
    #[arg(long, value_enum)]
    integration: IntegrationArg,
    /// The company to add the connection to (default: a new company).
    #[arg(long, value_name = "ID")]
    company: Option<Uuid>,
    /// The name of the new company (when --company is not given).
    #[arg(long, value_name = "NAME", default_value = "Linked from the terminal")]
    company_name: String,
    /// Port of the callback listener on 127.0.0.1 (0 picks a free one). The redirect URI
    /// `http://127.0.0.1:<port>/oauth/stripe/callback` must be registered in Stripe's Connect
    /// settings.
    #[arg(long, default_value_t = 8765)]
    port: u16,
    /// The public URL the callback listener is reached at, when not
    /// `http://127.0.0.1:<port>` (live mode needs https, e.g. through a tunnel).
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Do not try to open a browser; only print the URL.
    #[arg(long)]
    no_browser: bool,
    /// How long to wait for the merchant, in seconds.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
}

/// What the callback route answered, seen by a middleware.
#[derive(Debug, Clone, Default)]
struct Seen {
    callback_status: Option<u16>,
    /// The page's message to the merchant (why the link did not complete).
    callback_message: Option<String>,
}

pub(crate) async fn run(args: LinkArgs) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
    let address = listener
        .local_addr()
        .context("reading the listener address")?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"))
        .trim_end_matches('/')
        .to_owned();
    let mut config = config::load(Needs::Store)?;
    config.public_url = public_url.clone();
    let engine = config::engine(&config, SyncConfig::default(), PlatformOptions::default()).await?;
    let key = args.integration.platform_key();
    if engine.registry().get(key).is_none() {
        bail!(
            "the {key} integration is not configured: set {}",
            platforms::required_settings(&platforms::declared(&platforms::shipped()), key)
        );
    }
    let store = engine.store().clone();
    let company = match args.company {
        Some(id) => match store.get_company(id).await {
            Ok(company) => company,
            Err(StoreError::NotFound { .. }) => bail!("no company has the id {id}"),
            Err(error) => return Err(error.into()),
        },
        None => {
            let mut new = NewCompany::named(args.company_name.clone());
            new.description = Some("Created by commerce link".to_owned());
            store.create_company(&new).await?
        }
    };
    let connection = store.create_connection(company.id, key).await?;

    // The server's own link and callback routes; the API itself is unused (random key).
    let state = AppState::new(
        engine.clone(),
        ApiKeys::new([config::random_key("unused")]),
        &public_url,
    );
    let seen = Arc::new(Mutex::new(Seen::default()));
    let watcher = Arc::clone(&seen);
    let router = build_router(state).layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let watcher = Arc::clone(&watcher);
            async move {
                let is_callback = request.uri().path().starts_with("/oauth/");
                let response: Response = next.run(request).await;
                if !is_callback {
                    return response;
                }
                let (parts, body) = response.into_parts();
                let bytes = axum::body::to_bytes(body, 1 << 20)
                    .await
                    .unwrap_or_default();
                if let Ok(mut seen) = watcher.lock() {
                    seen.callback_status = Some(parts.status.as_u16());
                    seen.callback_message = page_message(&String::from_utf8_lossy(&bytes));
                }
                Response::from_parts(parts, axum::body::Body::from(bytes))
            }
        },
    ));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut stopped_wait = stopped.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped_wait.wait_for(|stopped| *stopped).await;
            })
            .await
    });

    // The authorize URL, from the server's link route (which saves the OAuth state).
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .context("building the HTTP client")?;
    let link = format!("http://{address}/link/{}", connection.id);
    let response = http.get(&link).send().await.context("starting the link")?;
    let authorize_url = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("starting the link failed ({})", response.status()))?;
    say(&format!(
        "Company {} ({}), connection {} ({key}) is PendingAuth.",
        company.name, company.id, connection.id
    ));
    let segment = engine
        .registry()
        .get(key)
        .map(|platform| platform.info().callback_segment.clone())
        .unwrap_or_default();
    say(&format!(
        "Waiting for the callback on {public_url}/oauth/{segment}/callback (register this redirect URI in Stripe)."
    ));
    say("Open this URL in a browser and approve the connection:");
    say(&format!("  {authorize_url}"));
    if !args.no_browser {
        open_browser(&authorize_url);
    }

    let deadline = Instant::now() + Duration::from_secs(args.timeout);
    let result = loop {
        let current = store.get_connection(connection.id).await?;
        if current.status == ConnectionStatus::Linked {
            break Ok(current);
        }
        let answered = seen.lock().ok().and_then(|seen| {
            seen.callback_status
                .map(|status| (status, seen.callback_message.clone()))
        });
        if let Some((status, message)) = answered {
            // The callback answered: linked just now, or declined or refused.
            let current = store.get_connection(connection.id).await?;
            if current.status == ConnectionStatus::Linked {
                break Ok(current);
            }
            break Err(anyhow!(
                "the link was not completed ({}); connection {} stays {}",
                message.unwrap_or_else(|| format!("the callback answered {status}")),
                connection.id,
                current.status
            ));
        }
        if Instant::now() >= deadline {
            break Err(anyhow!(
                "no callback within {} s; connection {} stays PendingAuth",
                args.timeout,
                connection.id
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let _ = stop.send(true);
    let _ = server.await;
    store.close().await;
    let linked = result?;
    say(&format!(
        "Linked {} to connection {} (company {}).",
        linked
            .external_account_id
            .as_deref()
            .unwrap_or("the account"),
        linked.id,
        company.id
    ));
    say(&format!(
        "The initial sync is queued: run `commerce sync --connection {}`.",
        linked.id
    ));
    Ok(())
}

/// The paragraph of one of the server's plain pages, unescaped.
fn page_message(html: &str) -> Option<String> {
    let (_, rest) = html.split_once("<p>")?;
    let (text, _) = rest.split_once("</p>")?;
    Some(
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

/// Opens `url` in a browser if a known opener exists; best effort, silent on failure.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    let has_display = cfg!(any(target_os = "macos", target_os = "windows"))
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if !has_display {
        return;
    }
    let _ = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
