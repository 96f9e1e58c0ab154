//! `commerce link` against the sandbox: the browser step is done by following the printed
//! authorize URL's redirects; then `commerce sync`, `status` and `show` on what it linked.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use secrecy::ExposeSecret;
use serde_json::Value;
use stripe_sandbox::{RateLimits, Resource, Sandbox, SandboxConfig, SandboxHandle};

use super::support::{commerce_in, temp_dir, text, TempDir};

struct Env {
    dir: TempDir,
    sandbox: SandboxHandle,
    encryption_key: String,
}

impl Env {
    async fn start(consent_page: bool) -> Env {
        let mut config = SandboxConfig::default();
        config.size = 30;
        config.accounts = 1;
        config.live_accounts = 0;
        config.rate_limits = RateLimits::unlimited();
        config.consent_page = consent_page;
        let sandbox = Sandbox::start(config).await.unwrap();
        let key = commerce_store::EncryptionKey::generate();
        Env {
            dir: temp_dir("link"),
            sandbox,
            encryption_key: key.to_base64().expose_secret().to_owned(),
        }
    }

    fn commerce(&self, args: &[&str]) -> std::process::Command {
        let info = self.sandbox.info();
        let mut command = commerce_in(&self.dir.0);
        command
            .args(args)
            .env(
                "COMMERCE_DATABASE_URL",
                format!("sqlite://{}/commerce.db", self.dir.0.display()),
            )
            .env("COMMERCE_ENCRYPTION_KEY", &self.encryption_key)
            .env("STRIPE_TEST_CLIENT_ID", &info.test.client_id)
            .env(
                "STRIPE_TEST_SECRET_KEY",
                info.test.secret_key.expose_secret(),
            )
            .env("STRIPE_API_BASE", self.sandbox.base_url())
            .env("STRIPE_CONNECT_BASE", self.sandbox.base_url());
        command
    }

    /// Starts `commerce link` and returns it with the authorize URL it printed.
    fn start_link(&self) -> (Child, String, mpsc::Receiver<String>) {
        let mut child = self
            .commerce(&[
                "link",
                "--integration",
                "stripe-test",
                "--port",
                "0",
                "--no-browser",
                "--company-name",
                "Terminal Bakery",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let url = loop {
            let line = received
                .recv_timeout(Duration::from_secs(30))
                .expect("commerce link printed no authorize URL");
            if line.contains("/oauth/authorize?") {
                break line.trim().to_owned();
            }
        };
        (child, url, received)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn link_then_sync_status_and_show() {
    let env = Env::start(false).await;
    let (child, url, _) = env.start_link();
    assert!(
        url.starts_with(&format!("{}/oauth/authorize?", env.sandbox.base_url())),
        "{url}"
    );
    assert!(
        url.contains("response_type=code") && url.contains("scope=read_only"),
        "{url}"
    );

    // The browser: Stripe approves and redirects to the terminal's callback listener.
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Account linked"));

    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let account = env.sandbox.info().test_accounts()[0].to_owned();

    let status = env
        .commerce(&["status", "--format", "json"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&status);
    assert!(status.status.success(), "{stderr}");
    let connections: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(connections.as_array().unwrap().len(), 1);
    assert_eq!(connections[0]["status"], "Linked");
    assert_eq!(connections[0]["account"], account.as_str());
    assert_eq!(connections[0]["companyName"], "Terminal Bakery");
    let connection = connections[0]["connectionId"].as_str().unwrap().to_owned();

    // The initial sync was queued by the callback; `commerce sync` runs it.
    let sync = env
        .commerce(&["sync", "--connection", &connection])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&sync);
    assert!(sync.status.success(), "{stdout}{stderr}");
    let customers = env.sandbox.count(&account, Resource::Customers).unwrap();
    let line = stdout
        .lines()
        .find(|line| line.trim_start().starts_with("commerce-customers"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words[1], "Complete");
    assert_eq!(words[2], customers.to_string());

    let show = env
        .commerce(&[
            "show",
            "commerce-customers",
            "--format",
            "json",
            "--page-size",
            "7",
            "--order-by",
            "-createdDate",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&show);
    assert!(show.status.success(), "{stderr}");
    let page: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(page["totalResults"], customers);
    let results = page["results"].as_array().unwrap();
    assert_eq!(results.len(), 7);
    let dates: Vec<&str> = results
        .iter()
        .map(|c| c["createdDate"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|pair| pair[0] >= pair[1]), "{dates:?}");

    let csv = env
        .commerce(&[
            "show",
            "commerce-payments",
            "--format",
            "csv",
            "--page-size",
            "3",
        ])
        .output()
        .unwrap();
    let (stdout, _) = text(&csv);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "id,amount,currency,status,method,createdDate");
    assert_eq!(lines.len(), 4);

    let status = env.commerce(&["status"]).output().unwrap();
    let (stdout, _) = text(&status);
    assert!(
        stdout.contains(&format!("Terminal Bakery — stripe-test Linked {account}")),
        "{stdout}"
    );
    assert!(stdout
        .lines()
        .any(|line| line.trim_start().starts_with("commerce-customers")
            && line.contains("Complete")
            && line.trim_end().ends_with(&customers.to_string())));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declined_link_is_one_line_and_links_nothing() {
    let env = Env::start(true).await;
    let (child, url, _) = env.start_link();
    // The consent page's Deny button.
    let query = url.split_once('?').unwrap().1.to_owned();
    let denied = reqwest::Client::new()
        .post(format!(
            "{}/oauth/authorize/decision",
            env.sandbox.base_url()
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("{query}&decision=deny"))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), reqwest::StatusCode::OK);
    assert!(denied.text().await.unwrap().contains("Access not granted"));

    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("commerce: the link was not completed"),
        "{stderr}"
    );
    assert!(stderr.contains("stays PendingAuth"));

    let status = env
        .commerce(&["status", "--format", "json"])
        .output()
        .unwrap();
    let connections: Value = serde_json::from_str(&text(&status).0).unwrap();
    assert_eq!(connections[0]["status"], "PendingAuth");
}
