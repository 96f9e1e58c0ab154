//! The key never shows in logs, `Debug` or errors; request spans carry what an operator needs.

use std::io::Write;
use std::sync::{Arc, Mutex};

use stripe_client::{ListParams, Page};
use tracing_subscriber::fmt::format::FmtSpan;
use wiremock::matchers::{path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, config, error_json, list_json, Charge, KEY};

/// A `MakeWriter` collecting everything into one buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'writer> tracing_subscriber::fmt::MakeWriter<'writer> for Captured {
    type Writer = Captured;

    fn make_writer(&'writer self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn the_key_never_appears_in_trace_logs_debug_output_or_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/charges"))
        .and(query_param("limit", "100"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("request-id", "req_page")
                .set_body_json(list_json(&["ch_1"], false)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/charges/ch_retry"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("request-id", "req_retry")
                .set_body_json(error_json("api_error", None, "boom")),
        )
        .expect(3)
        .mount(&server)
        .await;
    // A server that echoes the whole key back must not get it into our error.
    Mock::given(path("/v1/charges/ch_echo"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("request-id", "req_echo")
                .set_body_json(error_json(
                    "invalid_request_error",
                    None,
                    &format!("Invalid API Key provided: {KEY}"),
                )),
        )
        .expect(1)
        .mount(&server)
        .await;

    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    // A process-wide subscriber: a thread-scoped one races with the other tests of this binary,
    // which register the same callsites with no subscriber and can leave them disabled.
    // Only this test installs one; logs of concurrent tests land in the capture too, harmlessly.
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let config = config(&server).build().unwrap();
    let merchant = client(&server).on_behalf_of("acct_1Traced").unwrap();
    let pages: Vec<Page<Charge>> =
        futures::TryStreamExt::try_collect(merchant.list("/v1/charges", ListParams::new()))
            .await
            .unwrap();
    assert_eq!(pages.len(), 1);
    let retried = merchant
        .get::<Charge>("/v1/charges/ch_retry", &[])
        .await
        .unwrap_err();
    let echoed = merchant
        .get::<Charge>("/v1/charges/ch_echo", &[])
        .await
        .unwrap_err();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // The capture works and the spans carry the request's facts...
    for expected in [
        "stripe_request",
        "method=\"GET\"",
        "path=/v1/charges",
        "stripe_account=\"acct_1Traced\"",
        "status=200",
        "request_id=\"req_page\"",
        "request_id=\"req_retry\"",
        "stripe_attempt{attempt=3",
        "attempts=3",
        "latency_ms=",
        "retrying stripe request",
    ] {
        assert!(logs.contains(expected), "missing {expected} in:\n{logs}");
    }
    // ...and never the key, not even its secret part.
    let secret_part = KEY.trim_start_matches("sk_test_");
    let everything = [
        logs,
        format!("{config:?}"),
        format!("{merchant:?}"),
        format!("{retried:?} {retried}"),
        format!("{echoed:?} {echoed}"),
    ];
    for text in &everything {
        assert!(!text.contains(secret_part), "key leaked in:\n{text}");
    }
    assert!(echoed.to_string().contains("[redacted]"), "{echoed}");
    assert_eq!(echoed.request_id(), Some("req_echo"));
}
