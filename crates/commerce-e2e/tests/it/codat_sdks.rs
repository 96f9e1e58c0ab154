//! Codat's own Python SDKs against this server: `codat-platform`, `codat-commerce` and
//! `codat-lending` from PyPI, in a virtual environment this test creates (kept under
//! `target/codat-sdks/` so reruns do not reinstall). The server runs with the real
//! `StripePlatform` against `stripe-sandbox`, linked and synced; `tests/codat_sdks.py` calls
//! every Platform operation this server serves and every commerce read through the SDKs, with
//! their retries off, and checks that each answer parses into the SDK's typed model and that
//! the expected failures raise (or return) the SDK's typed `ErrorMessage`.
//!
//! Needs `python3` with `venv` and pip access to PyPI. `COMMERCE_SKIP_CODAT_SDKS=1` skips it
//! with one line (for machines without either); otherwise a missing Python is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use commerce_model::platform::Platform;
use serde_json::json;

use crate::support::{sandbox_server, API_KEY};

/// The SDK versions the test was written against (their models are checked, so a new major
/// version is a deliberate bump here).
const SDKS: &[&str] = &[
    "codat-platform==6.0.0",
    "codat-commerce==0.34.0",
    "codat-lending==12.0.0",
];

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    }
}

/// The virtual environment with the SDKs, created on first use.
fn venv() -> Result<PathBuf, String> {
    let dir = target_dir().join("codat-sdks");
    let venv = dir.join("venv");
    let python = venv.join("bin/python");
    let marker = dir.join(format!("installed-{}", SDKS.join("+")));
    if python.exists() && marker.exists() {
        return Ok(python);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let run = |command: &mut Command| -> Result<(), String> {
        let output = command
            .output()
            .map_err(|e| format!("cannot run {command:?}: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{command:?} failed: {}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    };
    if !python.exists() {
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    }
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(SDKS))?;
    std::fs::write(&marker, b"").map_err(|e| format!("cannot write the marker: {e}"))?;
    Ok(python)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codat_sdks_parse_every_answer_and_raise_their_typed_errors() {
    if std::env::var_os("COMMERCE_SKIP_CODAT_SDKS").is_some_and(|v| v == "1") {
        eprintln!("skipped: COMMERCE_SKIP_CODAT_SDKS=1");
        return;
    }
    let python = tokio::task::spawn_blocking(venv).await.unwrap();
    let python = python.unwrap_or_else(|error| panic!("the Codat SDKs' virtualenv: {error}"));

    let setup = sandbox_server(12, 1_800_000_000, false).await;
    let link = setup.link("SDK Merchant").await;
    setup.server.engine.run_until_idle().await.unwrap();
    // A second company with a connection never linked (PendingAuth, never synced).
    let other = setup.server.create_company("SDK Pending", None).await;
    let pending = setup.server.create_connection(&other, "yzth").await;

    let context = json!({
        "baseUrl": setup.server.base,
        "apiKey": API_KEY,
        "companyId": link.company,
        "connectionId": link.connection,
        "pendingCompanyId": other,
        "pendingConnectionId": pending["id"],
        "platformKey": "yzth",
        "supported": setup.platform.supports().iter().map(|t| t.key()).collect::<Vec<_>>(),
    });
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/codat_sdks.py");
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .arg(context.to_string())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the Codat SDK checks failed:\n{stdout}\n{stderr}"
    );
    // The script reports how many checks ran; a run that checked nothing is a failure.
    let checks: usize = stdout
        .lines()
        .find_map(|line| line.strip_prefix("checks passed: "))
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or(0);
    assert!(checks >= 100, "only {checks} checks ran:\n{stdout}");
    eprintln!("Codat SDK checks passed: {checks}");
}
