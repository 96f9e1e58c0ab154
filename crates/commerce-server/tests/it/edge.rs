//! The HTTP edge under idle, slow and oversized clients: timeouts, the connection cap and 413s.
//!
//! Bounds on time are generous: they check that something happens, not how fast.

use std::time::Duration;

use commerce_model::DataType;
use commerce_server::{authorization_header, HttpLimits};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::fake::FakePlatform;
use crate::support::{Options, TestServer, API_KEY};

async fn server(limits: Option<HttpLimits>) -> TestServer {
    let platform = FakePlatform::start("fake-test", "fktt", &[DataType::Customers]).await;
    TestServer::start_with(
        vec![platform],
        Options {
            http_limits: limits,
            ..Options::default()
        },
    )
    .await
}

fn address(server: &TestServer) -> String {
    server.base.trim_start_matches("http://").to_owned()
}

/// Sends raw bytes and reads the whole answer until the server closes the connection.
async fn raw(server: &TestServer, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address(server)).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let _ = timeout(Duration::from_secs(30), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// The JSON body of a raw `Connection: close` answer.
fn body_of(answer: &str) -> Value {
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body)
        .unwrap_or("");
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {answer}"))
}

/// Whether the server has closed `stream` (a read sees the end, or the connection reset).
async fn closed_by_server(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buffer = [0_u8; 1024];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // An answer (e.g. a 408): keep reading until the close.
            Ok(Ok(_)) => continue,
        }
    }
}

fn slow_upload_head(server: &TestServer) -> String {
    format!(
        "POST /companies HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"name\": \"",
        address(server),
        authorization_header(API_KEY)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_reads_answer_while_idle_and_slow_clients_hold_connections() {
    let server = server(None).await;
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(TcpStream::connect(address(&server)).await.unwrap());
    }
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(address(&server)).await.unwrap();
        stream
            .write_all(slow_upload_head(&server).as_bytes())
            .await
            .unwrap();
        slow.push(stream);
    }
    // A client on new connections (no pooled one from before).
    let client = reqwest::Client::builder()
        .default_headers(server.client_headers())
        .build()
        .unwrap();
    let health = timeout(
        Duration::from_secs(1),
        client.get(server.url("/health")).send(),
    )
    .await
    .expect("GET /health answers within a second")
    .unwrap();
    assert_eq!(health.status(), 200);
    let read = timeout(
        Duration::from_secs(1),
        client.get(server.url("/companies")).send(),
    )
    .await
    .expect("an authenticated read answers within a second")
    .unwrap();
    assert_eq!(read.status(), 200);
    // The idle and slow clients were still connected all along (none was refused).
    for stream in idle.iter_mut().chain(slow.iter_mut()) {
        assert!(!closed_by_server(stream, Duration::from_millis(1)).await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_slow_heads_and_slow_bodies_are_closed_after_their_timeouts() {
    let limits = HttpLimits::default()
        .with_header_read_timeout(Duration::from_secs(2))
        .with_keep_alive_timeout(Duration::from_secs(1))
        .with_body_timeout(Duration::from_secs(1));
    let server = server(Some(limits)).await;

    // Nothing sent: closed after the keep-alive timeout.
    let mut idle = TcpStream::connect(address(&server)).await.unwrap();
    assert!(closed_by_server(&mut idle, Duration::from_secs(20)).await);

    // A kept-alive connection after one exchange: closed too.
    let mut kept = TcpStream::connect(address(&server)).await.unwrap();
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = [0_u8; 512];
    let read = kept.read(&mut buffer).await.unwrap();
    assert!(String::from_utf8_lossy(&buffer[..read]).starts_with("HTTP/1.1 200"));
    assert!(closed_by_server(&mut kept, Duration::from_secs(20)).await);

    // A head sent a header line at a time, each within the keep-alive timeout: closed by
    // the header read timeout.
    let mut trickle = TcpStream::connect(address(&server)).await.unwrap();
    trickle
        .write_all(b"GET /health HTTP/1.1\r\n")
        .await
        .unwrap();
    let mut closed = false;
    for line in 0..60 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        if trickle
            .write_all(format!("X-Line-{line}: a\r\n").as_bytes())
            .await
            .is_err()
            || closed_by_server(&mut trickle, Duration::from_millis(1)).await
        {
            closed = true;
            break;
        }
    }
    assert!(closed, "a head trickled for 18 s was never cut off");

    // A body that stops arriving: a Codat-shaped 408, then the close.
    let mut stream = TcpStream::connect(address(&server)).await.unwrap();
    stream
        .write_all(slow_upload_head(&server).as_bytes())
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = timeout(Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let body = body_of(&answer);
    assert_eq!(body["statusCode"], 408);
    assert_eq!(body["service"], "PublicApi");
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("not received within 1 seconds"));
    // Nothing was created from the partial body.
    let (_, companies) = server.get("/companies").await;
    assert_eq!(companies["totalResults"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_connection_cap_new_connections_wait_for_a_free_slot() {
    let limits = HttpLimits::default()
        .with_max_connections(3)
        .with_keep_alive_timeout(Duration::from_secs(1));
    let server = server(Some(limits)).await;
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(TcpStream::connect(address(&server)).await.unwrap());
    }
    // The fourth is answered, but only once the server has let an idle one go.
    let answer = raw(
        &server,
        b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let mut freed = 0;
    for stream in &mut idle {
        if closed_by_server(stream, Duration::from_millis(50)).await {
            freed += 1;
        }
    }
    assert!(freed >= 1, "answered while all 3 slots were held");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_get_a_codat_shaped_413_on_every_route() {
    let limits = HttpLimits::default().with_max_body_bytes(4096);
    let server = server(Some(limits)).await;
    let company = server.create_company("Acme", None).await;
    let big = format!("{{\"name\": \"{}\"}}", "a".repeat(5000));
    let auth = authorization_header(API_KEY);
    for path in [
        "/companies".to_owned(),
        format!("/companies/{company}/connections"),
        "/webhooks/fake-test".to_owned(),
        "/webhooks/no-such-platform".to_owned(),
        "/no/such/route".to_owned(),
    ] {
        // Declared with Content-Length, and chunked without one.
        for chunked in [false, true] {
            let request = if chunked {
                format!(
                    "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n\
                     Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\
                     {:x}\r\n{big}\r\n0\r\n\r\n",
                    big.len()
                )
            } else {
                format!(
                    "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n\
                     Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{big}",
                    big.len()
                )
            };
            let answer = raw(&server, request.as_bytes()).await;
            assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
            let body = body_of(&answer);
            assert_eq!(body["statusCode"], 413, "{path}");
            assert_eq!(body["service"], "PublicApi");
            assert!(body["error"].as_str().unwrap().contains("4096 bytes"));
        }
    }
    // Within the limit the same route works.
    let (status, _) = server
        .post("/companies", serde_json::json!({"name": "Small"}))
        .await;
    assert_eq!(status, 200);
}
