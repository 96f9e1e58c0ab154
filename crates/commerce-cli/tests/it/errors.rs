//! Failures are one clear line on stderr and a non-zero exit, never a backtrace.

use super::support::{commerce_in, temp_dir, text};

#[test]
fn bad_configuration_is_one_line_per_problem() {
    let dir = temp_dir("config");
    let output = commerce_in(&dir.0)
        .arg("serve")
        .env("COMMERCE_API_KEYS", "a-long-enough-api-key-123")
        .env("COMMERCE_ENCRYPTION_KEY", "not base64!")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert_eq!(
        stderr,
        format!(
            "commerce: invalid configuration: COMMERCE_ENCRYPTION_KEY: {}\n",
            encryption_key_problem()
        ),
    );
    assert!(!stderr.contains("not base64!"), "the value is not echoed");

    // Two problems, two lines; a live key for the test integration is named, never shown.
    let output = commerce_in(&dir.0)
        .arg("status")
        .env("COMMERCE_DATABASE_URL", "mysql://localhost/db")
        .env("STRIPE_TEST_CLIENT_ID", "ca_123")
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(lines
        .iter()
        .all(|line| line.starts_with("commerce: invalid configuration: ")));
    assert!(
        stderr.contains("COMMERCE_DATABASE_URL must start with sqlite:, postgres: or postgresql:")
    );
    assert!(stderr.contains("STRIPE_TEST_CLIENT_ID is set but STRIPE_TEST_SECRET_KEY is not"));
    assert!(stderr.contains("COMMERCE_ENCRYPTION_KEY is not set"));
}

#[test]
fn rate_settings_are_validated_at_start() {
    let dir = temp_dir("rate");
    let output = commerce_in(&dir.0)
        .arg("status")
        .env(
            "COMMERCE_DATABASE_URL",
            format!("sqlite://{}/c.db", dir.0.display()),
        )
        .env(
            "COMMERCE_ENCRYPTION_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        )
        .env("STRIPE_TEST_RATE_LIMIT", "0")
        .env("STRIPE_RATE_LIMIT_SCOPE", "everyone")
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        stderr.contains("STRIPE_TEST_RATE_LIMIT") && stderr.contains("at least 1"),
        "{stderr}"
    );
    assert!(stderr.contains("STRIPE_RATE_LIMIT_SCOPE"), "{stderr}");
    assert!(stderr.contains("account"), "{stderr}");

    // Beyond the accepted range.
    let output = commerce_in(&dir.0)
        .arg("status")
        .env(
            "COMMERCE_DATABASE_URL",
            format!("sqlite://{}/c.db", dir.0.display()),
        )
        .env(
            "COMMERCE_ENCRYPTION_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        )
        .env("STRIPE_LIVE_RATE_LIMIT", "2000000")
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "commerce: invalid configuration: STRIPE_LIVE_RATE_LIMIT must be a whole number of requests per second from 1 to 1000000, got \"2000000\"\n"
    );

    let output = commerce_in(&dir.0)
        .arg("status")
        .env(
            "COMMERCE_DATABASE_URL",
            format!("sqlite://{}/c.db", dir.0.display()),
        )
        .env(
            "COMMERCE_ENCRYPTION_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        )
        .env("STRIPE_TEST_RATE_LIMIT", "10000")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("STRIPE_TEST_RATE_LIMIT=10000/s"),
        "{stdout}"
    );
    assert!(
        stdout.contains("STRIPE_ENDPOINT_RATE_LIMIT=25/s"),
        "{stdout}"
    );
    assert!(
        stdout.contains("STRIPE_RATE_LIMIT_SCOPE=account"),
        "{stdout}"
    );
}

/// What the store says about an undecodable key (the same text `commerce` prints).
fn encryption_key_problem() -> String {
    commerce_store::EncryptionKey::from_base64("not base64!")
        .err()
        .unwrap()
        .to_string()
}

#[test]
fn a_key_of_the_wrong_mode_stops_start_up_without_showing_it() {
    let dir = temp_dir("mode");
    let key = commerce_store::EncryptionKey::generate();
    let output = commerce_in(&dir.0)
        .arg("sync")
        .env(
            "COMMERCE_DATABASE_URL",
            format!("sqlite://{}/c.db", dir.0.display()),
        )
        .env(
            "COMMERCE_ENCRYPTION_KEY",
            secrecy::ExposeSecret::expose_secret(&key.to_base64()),
        )
        .env("STRIPE_TEST_CLIENT_ID", "ca_test123")
        .env("STRIPE_TEST_SECRET_KEY", "sk_live_abcdefhidden42")
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(
        stderr,
        "commerce: STRIPE_TEST_CLIENT_ID / STRIPE_TEST_SECRET_KEY: the secret key is a live key but test mode needs a test key (sk_test_... or rk_test_...)\n"
    );
    assert!(!stderr.contains("hidden42"));
}

#[test]
fn usage_errors_and_empty_databases_are_one_line() {
    let dir = temp_dir("usage");
    let key = commerce_store::EncryptionKey::generate();
    let env = |command: &mut std::process::Command| {
        command
            .env(
                "COMMERCE_DATABASE_URL",
                format!("sqlite://{}/c.db", dir.0.display()),
            )
            .env(
                "COMMERCE_ENCRYPTION_KEY",
                secrecy::ExposeSecret::expose_secret(&key.to_base64()),
            );
    };
    let mut command = commerce_in(&dir.0);
    command.args(["show", "commerce-payments"]);
    env(&mut command);
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output).1,
        "commerce: there is no connection yet: link one first (commerce link)\n"
    );

    let mut command = commerce_in(&dir.0);
    command.args(["sync"]);
    env(&mut command);
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output).1,
        "commerce: there is no Linked connection to sync: link one first (commerce link)\n"
    );

    let mut command = commerce_in(&dir.0);
    command.args(["link", "--integration", "stripe-test", "--port", "0"]);
    env(&mut command);
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output).1,
        "commerce: the stripe-test integration is not configured: set STRIPE_TEST_CLIENT_ID and STRIPE_TEST_SECRET_KEY\n"
    );

    let output = commerce_in(&dir.0)
        .args(["show", "commerce-nothing"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "clap's usage error");
}
