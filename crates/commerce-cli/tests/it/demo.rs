//! `commerce demo` as a process: what it prints is what a newcomer sees.

use std::collections::BTreeMap;

use super::support::{commerce_in, temp_dir, text};

#[test]
fn the_demo_links_syncs_and_prints_the_merchants_data() {
    let dir = temp_dir("demo");
    let output = commerce_in(&dir.0)
        .args(["demo", "--size", "20", "--seed", "11"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stderr.is_empty(), "nothing on stderr: {stderr}");

    // The OAuth redirect flow, hop by hop, ending linked.
    let hops: Vec<&str> = stdout
        .lines()
        .filter(|line| line.trim_start().starts_with("GET "))
        .collect();
    assert_eq!(hops.len(), 3, "{stdout}");
    assert!(
        hops[0].contains("/link/") && hops[0].ends_with("-> 302"),
        "{}",
        hops[0]
    );
    assert!(
        hops[1].contains("/oauth/authorize") && hops[1].ends_with("-> 302"),
        "{}",
        hops[1]
    );
    assert!(
        hops[2].contains("/oauth/stripe/callback") && hops[2].ends_with("-> 200"),
        "{}",
        hops[2]
    );
    let linked = stdout
        .lines()
        .find(|line| line.contains("Linked to acct_"))
        .expect("a linked line");

    // Company info: the merchant's name, as linked.
    let name = linked
        .split_once('(')
        .unwrap()
        .1
        .trim_end_matches(')')
        .to_owned();
    assert!(!name.is_empty());
    let company_name = stdout
        .lines()
        .find_map(|line| line.trim_start().strip_prefix("Name"))
        .expect("a company name line")
        .trim();
    assert_eq!(company_name, name);
    assert!(stdout.contains(&format!("Company info\n  Name            {name}")));

    // Every supported type finished Complete, and its count is the stored count.
    let finished: BTreeMap<String, u64> = section(&stdout, "Syncing every data type:")
        .iter()
        .filter(|line| line.contains(" records"))
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(words[1], "Complete", "{line}");
            (words[0].to_owned(), words[2].parse().unwrap())
        })
        .collect();
    let counts: BTreeMap<String, u64> = section(&stdout, "Records per data type")
        .iter()
        .skip(3)
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            (words[0].to_owned(), words[1].parse().unwrap())
        })
        .collect();
    let types = [
        "commerce-companyInfo",
        "commerce-customers",
        "commerce-disputes",
        "commerce-payments",
        "commerce-products",
        "commerce-transactions",
    ];
    assert_eq!(counts.keys().map(String::as_str).collect::<Vec<_>>(), types);
    assert_eq!(finished, counts, "synced counts equal stored counts");
    assert_eq!(counts["commerce-companyInfo"], 1);
    assert_eq!(counts["commerce-customers"], 20);
    for (data_type, count) in &counts {
        assert!(*count > 0, "{data_type} is empty");
    }

    // Payment totals per currency add up to the number of payments.
    let totals = section(&stdout, "Payments per currency");
    let payments: u64 = totals
        .iter()
        .skip(3)
        .map(|line| {
            line.split_whitespace()
                .nth(1)
                .unwrap()
                .parse::<u64>()
                .unwrap()
        })
        .sum();
    assert_eq!(payments, counts["commerce-payments"]);

    // The latest transactions, newest first.
    let transactions = section(&stdout, "Latest transactions");
    assert!(transactions[0].contains(&format!("(10 of {})", counts["commerce-transactions"])));
    let rows: Vec<&String> = transactions.iter().skip(3).collect();
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(|row| row.trim_start().starts_with("txn_")));
    let dates: Vec<&str> = rows
        .iter()
        .map(|row| row.split_whitespace().last().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");

    // Where to go next: the server has stopped, so no URL of it; how to keep it running.
    assert!(
        !stdout.lines().any(|line| line.starts_with("Dashboard:")
            || line.starts_with("API:")
            || line.starts_with("Try:")),
        "{stdout}"
    );
    assert!(stdout.contains("with --serve"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|line| line.trim()
                == "commerce demo --serve --database-url sqlite://commerce-demo.db"),
        "{stdout}"
    );
    assert!(stdout.lines().last().unwrap().starts_with("Done in "));
}

/// `commerce demo --serve`: the dashboard, the API and the exact `Try:` curl line work while
/// it runs.
#[test]
fn the_served_demo_prints_a_curl_line_that_works() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("curl is needed (.ci/run installs it): apt-get install curl");
    }
    let dir = temp_dir("demo-serve");
    let mut child = commerce_in(&dir.0)
        .args(["demo", "--size", "10", "--seed", "3", "--serve"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Stops the demo (by this child's own id) however the test ends.
    struct Stop(std::process::Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stdout = child.stdout.take().unwrap();
    let _stop = Stop(child);
    let mut printed = Vec::new();
    let mut lines = BufReader::new(stdout).lines();
    let mut try_line = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        printed.push(line.clone());
        if let Some(command) = line.strip_prefix("Try:") {
            try_line = Some(command.trim().to_owned());
        }
        if line.starts_with("Serving until Ctrl-C") {
            break;
        }
    }
    let text = printed.join("\n");
    let command = try_line.unwrap_or_else(|| panic!("no Try: line in\n{text}"));
    assert!(command.starts_with("curl -u '"), "{command}");
    let dashboard = printed
        .iter()
        .find_map(|line| line.strip_prefix("Dashboard: "))
        .unwrap_or_else(|| panic!("no dashboard line in\n{text}"));
    assert!(dashboard.starts_with("http://127.0.0.1:"), "{dashboard}");

    // The exact line, through a shell, as a newcomer pastes it.
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{command} --silent --show-error --write-out '\\n%{{http_code}}'"
        ))
        .output()
        .unwrap();
    let (out, err) = text_of(&output);
    assert!(output.status.success(), "{command}: {err}");
    let (body, code) = out.rsplit_once('\n').unwrap();
    assert_eq!(code, "200", "{command}: {body}");
    let page: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(page["pageSize"], 5, "{body}");
    assert_eq!(page["results"].as_array().unwrap().len(), 5, "{body}");

    // The dashboard answers too (the key as password, as the line says).
    let key = printed
        .iter()
        .find_map(|line| line.strip_prefix("API key:"))
        .unwrap()
        .trim()
        .to_owned();
    let url = dashboard.split_whitespace().next().unwrap();
    let output = std::process::Command::new("curl")
        .args([
            "--silent",
            "--output",
            "/dev/null",
            "--write-out",
            "%{http_code}",
            "-u",
        ])
        .arg(format!("anyone:{key}"))
        .arg(url)
        .output()
        .unwrap();
    assert_eq!(text_of(&output).0, "200");
}

fn text_of(output: &std::process::Output) -> (String, String) {
    text(output)
}

/// The lines of a section: from its title to the next blank line.
fn section(stdout: &str, title: &str) -> Vec<String> {
    stdout
        .lines()
        .skip_while(|line| !line.starts_with(title))
        .take_while(|line| !line.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// `commerce demo --serve` runs client webhooks like `commerce serve`: a consumer created
/// through its API on 127.0.0.1 (allowed in the demo) receives signed events.
#[test]
fn the_served_demo_delivers_webhooks_to_a_consumer_on_loopback() {
    use std::io::{BufRead as _, BufReader};
    use std::process::Stdio;

    let dir = temp_dir("demo-hooks");
    let mut child = commerce_in(&dir.0)
        .args(["demo", "--size", "10", "--seed", "3", "--serve"])
        .arg("--database-url")
        .arg(format!("sqlite://{}", dir.0.join("demo.db").display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stdout = child.stdout.take().unwrap();
    let _child = Kill(child);
    let mut try_line = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if line.trim_start().starts_with("Try:") {
            try_line = Some(line.clone());
        }
        if line.contains("Serving until Ctrl-C") {
            break;
        }
    }
    let try_line = try_line.expect("the demo prints a Try: line");
    let key = try_line.split('\'').nth(1).unwrap().trim_end_matches(':');
    let base = try_line
        .split_whitespace()
        .map(|word| word.trim_matches('\''))
        .find(|word| word.starts_with("http://"))
        .unwrap()
        .split("/companies")
        .next()
        .unwrap()
        .to_owned();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (sent, mut received) = tokio::sync::mpsc::unbounded_channel();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let sent = sent.clone();
                    async move {
                        let _ = sent.send((headers, body));
                        axum::http::StatusCode::NO_CONTENT
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });

        let client = reqwest::Client::new();
        let authorization = commerce_server::authorization_header(key);
        let response = client
            .post(format!("{base}/webhooks"))
            .header("authorization", &authorization)
            .json(&serde_json::json!({"url": hook_url, "eventTypes": ["company.created"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let consumer: serde_json::Value = response.json().await.unwrap();
        let secret =
            commerce_server::WebhookSecret::parse(consumer["secret"].as_str().unwrap()).unwrap();
        let response = client
            .post(format!("{base}/companies"))
            .header("authorization", &authorization)
            .json(&serde_json::json!({"name": "Hooked from the demo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let company: serde_json::Value = response.json().await.unwrap();

        let (headers, body) =
            tokio::time::timeout(std::time::Duration::from_secs(30), received.recv())
                .await
                .expect("no webhook within 30 s")
                .unwrap();
        commerce_server::verify_client_webhook(&secret, &headers, &body).unwrap();
        let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(event["eventType"], "company.created");
        assert_eq!(event["companyId"], company["id"]);
    });
}

#[test]
fn the_demo_links_through_a_stripe_app_with_link_app() {
    let dir = temp_dir("demo-app");
    let output = commerce_in(&dir.0)
        .args(["demo", "--size", "20", "--seed", "11", "--link", "app"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.contains("Linking through Stripe Apps OAuth"),
        "{stdout}"
    );
    let hops: Vec<&str> = stdout
        .lines()
        .filter(|line| line.trim_start().starts_with("GET "))
        .collect();
    assert_eq!(hops.len(), 3, "{stdout}");
    assert!(
        hops[1].contains("/apps/oauth/authorize") && hops[1].ends_with("-> 302"),
        "{}",
        hops[1]
    );
    assert!(
        hops[2].contains("/oauth/stripe/callback") && hops[2].ends_with("-> 200"),
        "{}",
        hops[2]
    );
    assert!(stdout.contains("commerce-customers"), "{stdout}");
}

#[test]
fn the_demo_links_with_a_pasted_restricted_key() {
    let dir = temp_dir("demo-key");
    let output = commerce_in(&dir.0)
        .args(["demo", "--size", "10", "--seed", "5", "--link", "key"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    // No OAuth redirect: the key went through the API, shown by its last four characters.
    assert!(
        !stdout.lines().any(|line| line.contains("/oauth/authorize")),
        "{stdout}"
    );
    let pasted = stdout
        .lines()
        .find(|line| line.contains("Pasting the merchant's restricted key"))
        .expect("a pasted-key line");
    let shown = pasted
        .split("rk_test_...")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    assert_eq!(shown.len(), 4, "{pasted}");
    assert!(stdout.contains("Linked to acct_"), "{stdout}");
    assert!(stdout.contains("Synced in"), "{stdout}");
}
