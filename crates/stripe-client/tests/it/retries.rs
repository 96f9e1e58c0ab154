//! Retries: what is retried, what is not, and the typed error once retries run out.

use std::time::{Duration, Instant};

use secrecy::SecretString;
use stripe_client::{ClientConfig, RetryPolicy, StripeClient, StripeError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{charge_json, client, config, error_json, Charge};

async fn mount_once(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path("/v1/charges/ch_1"))
        .respond_with(response)
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(server)
        .await;
}

async fn mount_success(server: &MockServer, times: u64) {
    Mock::given(method("GET"))
        .and(path("/v1/charges/ch_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(charge_json("ch_1", 7)))
        .expect(times)
        .with_priority(2)
        .mount(server)
        .await;
}

async fn get_charge(client: &StripeClient) -> Result<Charge, StripeError> {
    client.get::<Charge>("/v1/charges/ch_1", &[]).await
}

#[tokio::test]
async fn a_429_then_200_succeeds() {
    let server = MockServer::start().await;
    mount_once(
        &server,
        ResponseTemplate::new(429).set_body_json(error_json(
            "invalid_request_error",
            Some("rate_limit"),
            "Too many requests",
        )),
    )
    .await;
    mount_success(&server, 1).await;
    let charge = get_charge(&client(&server)).await.unwrap();
    assert_eq!(charge.amount, 7);
}

#[tokio::test]
async fn a_lock_timeout_409_is_retried() {
    let server = MockServer::start().await;
    mount_once(
        &server,
        ResponseTemplate::new(409).set_body_json(error_json(
            "invalid_request_error",
            Some("lock_timeout"),
            "This object cannot be accessed right now",
        )),
    )
    .await;
    mount_success(&server, 1).await;
    get_charge(&client(&server)).await.unwrap();
}

#[tokio::test]
async fn other_409s_are_not_retried() {
    let server = MockServer::start().await;
    mount_once(
        &server,
        ResponseTemplate::new(409).set_body_json(error_json(
            "idempotency_error",
            Some("idempotency_key_in_use"),
            "in use",
        )),
    )
    .await;
    mount_success(&server, 0).await;
    let error = get_charge(&client(&server)).await.unwrap_err();
    assert!(
        matches!(
            error,
            StripeError::Api {
                status: 409,
                attempts: 1,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn stripe_should_retry_false_on_a_500_is_not_retried() {
    let server = MockServer::start().await;
    mount_once(
        &server,
        ResponseTemplate::new(500)
            .insert_header("stripe-should-retry", "false")
            .insert_header("request-id", "req_no_retry")
            .set_body_json(error_json("api_error", None, "Something went wrong")),
    )
    .await;
    mount_success(&server, 0).await;
    let error = get_charge(&client(&server)).await.unwrap_err();
    assert!(
        matches!(
            error,
            StripeError::Api {
                status: 500,
                attempts: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.request_id(), Some("req_no_retry"));
}

#[tokio::test]
async fn stripe_should_retry_true_retries_even_a_400() {
    let server = MockServer::start().await;
    mount_once(
        &server,
        ResponseTemplate::new(400)
            .insert_header("stripe-should-retry", "true")
            .set_body_json(error_json("invalid_request_error", None, "try again")),
    )
    .await;
    mount_success(&server, 1).await;
    get_charge(&client(&server)).await.unwrap();
}

#[tokio::test]
async fn exhausted_retries_give_the_last_error_with_its_request_id() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/charges/ch_1"))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("request-id", "req_503")
                .set_body_json(error_json("api_error", None, "Service unavailable")),
        )
        .expect(3)
        .mount(&server)
        .await;
    // Without patience, a 429 is retried like any other retryable failure.
    let config = config(&server)
        .rate_limit_patience(Duration::ZERO)
        .build()
        .unwrap();
    let error = get_charge(&StripeClient::new(config).unwrap())
        .await
        .unwrap_err();
    match &error {
        StripeError::Api {
            status,
            error_type,
            attempts,
            request_id,
            ..
        } => {
            assert_eq!(*status, 503);
            assert_eq!(error_type.as_deref(), Some("api_error"));
            assert_eq!(*attempts, 3);
            assert_eq!(request_id.as_deref(), Some("req_503"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_persistent_429_is_rate_limited_after_retries() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/charges/ch_1"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("request-id", "req_429")
                .set_body_json(error_json(
                    "invalid_request_error",
                    Some("rate_limit"),
                    "Too many requests",
                )),
        )
        .expect(3)
        .mount(&server)
        .await;
    // Without patience, a 429 is retried like any other retryable failure.
    let config = config(&server)
        .rate_limit_patience(Duration::ZERO)
        .build()
        .unwrap();
    let error = get_charge(&StripeClient::new(config).unwrap())
        .await
        .unwrap_err();
    match &error {
        StripeError::RateLimited {
            attempts,
            code,
            request_id,
            ..
        } => {
            assert_eq!(*attempts, 3);
            assert_eq!(code.as_deref(), Some("rate_limit"));
            assert_eq!(request_id.as_deref(), Some("req_429"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.is_retryable());
}

#[tokio::test]
async fn retry_after_is_waited_for() {
    let server = MockServer::start().await;
    mount_once(
        &server,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "1")
            .set_body_json(error_json(
                "invalid_request_error",
                Some("rate_limit"),
                "slow down",
            )),
    )
    .await;
    mount_success(&server, 1).await;
    let started = Instant::now();
    get_charge(&client(&server)).await.unwrap();
    // The backoff alone would be at most 1 ms.
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_retry_after_beyond_the_time_budget_ends_the_retries() {
    let server = MockServer::start().await;
    mount_once(
        &server,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "30")
            .set_body_json(error_json(
                "invalid_request_error",
                Some("rate_limit"),
                "slow down",
            )),
    )
    .await;
    mount_success(&server, 0).await;
    let config = config(&server)
        .rate_limit_patience(Duration::ZERO)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(5)
                .with_max_elapsed(Duration::from_secs(5))
                .with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let error = get_charge(&StripeClient::new(config).unwrap())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    match error {
        StripeError::RateLimited {
            attempts,
            retry_after,
            ..
        } => {
            assert_eq!(attempts, 1);
            assert_eq!(retry_after, Some(Duration::from_secs(30)));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_slow_server_times_out_on_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/charges/ch_1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(charge_json("ch_1", 1))
                .set_delay(Duration::from_millis(500)),
        )
        .expect(2)
        .mount(&server)
        .await;
    let config = config(&server)
        .request_timeout(Duration::from_millis(100))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_backoff(Duration::from_millis(1), Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let error = get_charge(&StripeClient::new(config).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(error, StripeError::Timeout { attempts: 2, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_after_retries() {
    // Bind then release a port so nothing listens on it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let config = ClientConfig::builder(SecretString::from(crate::KEY))
        .api_base(format!("http://{address}"))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_backoff(Duration::from_millis(1), Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    let error = get_charge(&StripeClient::new(config).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(error, StripeError::Transport { attempts: 3, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(error.request_id(), None);
}

#[tokio::test]
async fn rate_limited_requests_are_retried_past_the_policy_until_the_patience_runs_out() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/charges/ch_1"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("stripe-rate-limited-reason", "global-rate")
                .set_body_json(error_json(
                    "invalid_request_error",
                    Some("rate_limit"),
                    "Too many requests",
                )),
        )
        .mount(&server)
        .await;
    let config = config(&server)
        .rate_limit(20)
        .rate_limit_patience(Duration::from_millis(1500))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = get_charge(&StripeClient::new(config).unwrap())
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(1500), "{elapsed:?}");
    match error {
        // Far more than the policy's 3 attempts, fewer than the first rate allows: the
        // budget shrank after each round of 429s.
        StripeError::RateLimited { attempts, .. } => {
            assert!((4..30).contains(&attempts), "{attempts}")
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_lock_timeout_429_is_retried_within_the_policy_only() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/charges/ch_1"))
        .respond_with(ResponseTemplate::new(429).set_body_json(error_json(
            "invalid_request_error",
            Some("lock_timeout"),
            "locked",
        )))
        .expect(3)
        .mount(&server)
        .await;
    let error = get_charge(&client(&server)).await.unwrap_err();
    assert!(
        matches!(error, StripeError::RateLimited { attempts: 3, .. }),
        "{error:?}"
    );
}
