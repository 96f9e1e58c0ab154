//! Headless Chromium from Debian (`/usr/bin/chromium`), driven from the command line: one
//! process per page, `--dump-dom` for the DOM after rendering and `--screenshot` for a PNG.
//! The API key travels as URL userinfo (`http://ui:KEY@host/...`), which Chromium answers the
//! server's Basic challenge with, as a person typing it into the prompt would.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::support::TempDir;

pub const CHROMIUM: &str = "/usr/bin/chromium";

pub struct Browser {
    profile: TempDir,
}

/// The browser, or `None` when `COMMERCE_SKIP_BROWSER=1` and Chromium is missing. A missing
/// Chromium otherwise fails the test (CI installs it).
pub fn browser() -> Option<Browser> {
    if Path::new(CHROMIUM).exists() {
        return Some(Browser {
            profile: TempDir::new(),
        });
    }
    if std::env::var("COMMERCE_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("skipped: {CHROMIUM} not found and COMMERCE_SKIP_BROWSER=1");
        return None;
    }
    panic!(
        "{CHROMIUM} not found: install it (`apt-get install -y chromium`; .ci/run does) or set \
         COMMERCE_SKIP_BROWSER=1 to skip the browser test"
    );
}

/// Where screenshots go: `<target>/tmp/ui-screenshots/`, emptied of earlier runs' PNGs.
pub fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|extension| extension == "png") {
            let _ = std::fs::remove_file(path);
        }
    }
    dir
}

impl Browser {
    async fn run(&self, extra: &[String], url: &str) -> Vec<u8> {
        let mut command = tokio::process::Command::new(CHROMIUM);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", self.profile.0.display()))
            .args(extra)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let output = tokio::time::timeout(Duration::from_secs(90), command.output())
            .await
            .unwrap_or_else(|_| panic!("chromium did not finish within 90 s for {url}"))
            .unwrap();
        assert!(
            output.status.success(),
            "chromium failed for {url}: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }

    /// The DOM of `url` after loading, serialized.
    pub async fn dom(&self, url: &str) -> String {
        String::from_utf8(self.run(&["--dump-dom".to_owned()], url).await).unwrap()
    }

    /// Saves a screenshot of `url` to `file` (1280 pixels wide, `height` high).
    pub async fn screenshot(&self, url: &str, file: &Path, height: u32) {
        let _ = std::fs::remove_file(file);
        self.run(
            &[
                format!("--screenshot={}", file.display()),
                format!("--window-size=1280,{height}"),
            ],
            url,
        )
        .await;
        let bytes = std::fs::read(file).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
            "{} is not a real screenshot ({} bytes)",
            file.display(),
            bytes.len()
        );
    }
}
