//! State checks on the callback: forged, replayed, expired and mismatched states are typed
//! errors and never reach the token endpoint; declined callbacks are typed outcomes.

use std::sync::Arc;
use std::time::Duration;

use stripe_connect::{
    AuthorizeErrorCode, Callback, CallbackOutcome, ConnectError, IntegrationKind, LinkOutcome,
    StateBinding, TokioClock,
};
use wiremock::{MockServer, ResponseTemplate};

use crate::support::{
    binding, flow, flow_with_clock, issue_state, mount_token, success_callback, token_body,
};

#[tokio::test]
async fn a_replayed_state_is_refused_and_the_code_is_exchanged_once() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        ResponseTemplate::new(200).set_body_json(token_body(false)),
        1,
    )
    .await;
    let flow = flow(IntegrationKind::Test, &server);
    let state = issue_state(&flow).await;

    let first = flow
        .complete(success_callback(&state), Some(&binding()))
        .await;
    assert!(matches!(
        first.unwrap().outcome(),
        LinkOutcome::Connected(_)
    ));
    let replay = flow
        .complete(success_callback(&state), Some(&binding()))
        .await;
    assert!(
        matches!(replay, Err(ConnectError::UnknownState)),
        "{replay:?}"
    );
}

#[tokio::test]
async fn a_forged_state_is_refused_without_a_token_request() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        ResponseTemplate::new(200).set_body_json(token_body(false)),
        0,
    )
    .await;
    let flow = flow(IntegrationKind::Test, &server);
    let _real = issue_state(&flow).await;

    let forged = "Zm9yZ2VkLXN0YXRlLXRoYXQtd2FzLW5ldmVyLWlzc3VlZA";
    let result = flow.complete(success_callback(forged), None).await;
    assert!(
        matches!(result, Err(ConnectError::UnknownState)),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_state_for_another_connection_is_refused_and_burnt() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        ResponseTemplate::new(200).set_body_json(token_body(false)),
        0,
    )
    .await;
    let flow = flow(IntegrationKind::Test, &server);
    let state = issue_state(&flow).await;

    let other = StateBinding::new("company-1", "connection-2");
    let result = flow.complete(success_callback(&state), Some(&other)).await;
    assert!(
        matches!(result, Err(ConnectError::StateMismatch)),
        "{result:?}"
    );
    let other_company = StateBinding::new("company-2", "connection-1");
    let state = issue_state(&flow).await;
    let result = flow.verify_state(&state, Some(&other_company)).await;
    assert!(
        matches!(result, Err(ConnectError::StateMismatch)),
        "{result:?}"
    );
    // A mismatched attempt consumed the state: the rightful callback cannot reuse it.
    let retry = flow.verify_state(&state, Some(&binding())).await;
    assert!(
        matches!(retry, Err(ConnectError::UnknownState)),
        "{retry:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_state_expires_after_ten_minutes() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        ResponseTemplate::new(200).set_body_json(token_body(false)),
        0,
    )
    .await;
    let flow = flow_with_clock(&server, Arc::new(TokioClock::new()));

    let fresh = issue_state(&flow).await;
    tokio::time::advance(Duration::from_secs(9 * 60 + 59)).await;
    assert_eq!(flow.verify_state(&fresh, None).await.unwrap(), binding());

    let state = issue_state(&flow).await;
    tokio::time::advance(Duration::from_secs(10 * 60 + 5)).await;
    let result = flow
        .complete(success_callback(&state), Some(&binding()))
        .await;
    assert!(
        matches!(
            result,
            Err(ConnectError::ExpiredState {
                expired_for_secs: 5
            })
        ),
        "{result:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_state_lifetime_is_configurable() {
    let server = MockServer::start().await;
    let clock = Arc::new(TokioClock::new());
    let flow = flow_with_clock(&server, clock).with_state_ttl(Duration::from_secs(60));

    let state = issue_state(&flow).await;
    tokio::time::advance(Duration::from_secs(61)).await;
    let result = flow.verify_state(&state, None).await;
    assert!(
        matches!(
            result,
            Err(ConnectError::ExpiredState {
                expired_for_secs: 1
            })
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_declined_callback_is_a_typed_outcome_without_a_token_request() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        ResponseTemplate::new(200).set_body_json(token_body(false)),
        0,
    )
    .await;
    let flow = flow(IntegrationKind::Test, &server);
    let state = issue_state(&flow).await;

    let callback = Callback::from_query(&format!(
        "?error=access_denied&error_description=The+user+denied+your+request&state={state}"
    ))
    .unwrap();
    let link = flow.complete(callback, Some(&binding())).await.unwrap();
    assert_eq!(link.binding(), &binding());
    match link.outcome() {
        LinkOutcome::Denied { error, description } => {
            assert_eq!(error, &AuthorizeErrorCode::AccessDenied);
            assert_eq!(description.as_deref(), Some("The user denied your request"));
        }
        other => panic!("expected a denial, got {other:?}"),
    }
}

#[tokio::test]
async fn a_declined_callback_with_a_forged_state_is_still_refused() {
    let server = MockServer::start().await;
    let flow = flow(IntegrationKind::Test, &server);
    let callback = Callback::from_query("error=access_denied&state=forged").unwrap();
    let result = flow.complete(callback, None).await;
    assert!(
        matches!(result, Err(ConnectError::UnknownState)),
        "{result:?}"
    );
}

#[track_caller]
fn check_callback(query: &str, expect: &str) {
    let actual = match Callback::from_query(query) {
        Ok(callback) => match callback.outcome() {
            CallbackOutcome::Authorized { scope, .. } => {
                format!("authorized state={} scope={scope:?}", callback.state())
            }
            CallbackOutcome::Denied { error, description } => {
                format!("denied state={} {error} {description:?}", callback.state())
            }
            other => format!("{other:?}"),
        },
        Err(error) => format!("error: {error}"),
    };
    assert_eq!(actual, expect);
}

#[test]
fn callback_parsing() {
    check_callback(
        "scope=read_write&code=ac_123&state=abc",
        r#"authorized state=abc scope=Some("read_write")"#,
    );
    check_callback("?code=ac_123&state=abc", "authorized state=abc scope=None");
    check_callback(
        "error=invalid_scope&error_description=Invalid+scope&state=abc",
        r#"denied state=abc invalid_scope Some("Invalid scope")"#,
    );
    check_callback(
        "error=server_error&state=abc",
        "denied state=abc server_error None",
    );
    check_callback("code=ac_123", "error: the callback has no state parameter");
    check_callback(
        "code=ac_123&state=",
        "error: the callback has no state parameter",
    );
    check_callback(
        "state=abc",
        "error: the callback is malformed: it has neither a code nor an error",
    );
    check_callback(
        "state=abc&state=def&code=ac_1",
        "error: the callback is malformed: the state parameter appears more than once",
    );
}

#[tokio::test]
async fn two_concurrent_callbacks_with_one_state_let_only_one_through() {
    let server = MockServer::start().await;
    let flow = Arc::new(flow(IntegrationKind::Test, &server));
    for _ in 0..20 {
        let state = issue_state(&flow).await;
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let flow = flow.clone();
                let state = state.clone();
                tokio::spawn(async move { flow.verify_state(&state, Some(&binding())).await })
            })
            .collect();
        let mut accepted = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => accepted += 1,
                Err(ConnectError::UnknownState) => {}
                Err(other) => panic!("unexpected error {other:?}"),
            }
        }
        assert_eq!(accepted, 1);
    }
}

#[tokio::test(start_paused = true)]
async fn the_memory_store_takes_once_and_sweeps_expired_states() {
    use std::time::SystemTime;
    use stripe_connect::{Clock, MemoryStateStore, StateStore};

    let clock = Arc::new(TokioClock::new());
    let store = MemoryStateStore::with_clock(clock.clone());
    let ttl = Duration::from_secs(600);
    store
        .save("key-1", &binding(), clock.now() + ttl)
        .await
        .unwrap();
    store
        .save("key-2", &binding(), clock.now() + ttl)
        .await
        .unwrap();
    assert_eq!(store.len(), 2);

    let taken = store.take("key-1").await.unwrap().unwrap();
    assert_eq!(taken.binding, binding());
    assert!(taken.expires_at > SystemTime::UNIX_EPOCH);
    assert!(store.take("key-1").await.unwrap().is_none());

    // key-2 is never taken; once it has expired, the next save drops it.
    tokio::time::advance(ttl + Duration::from_secs(1)).await;
    store
        .save("key-3", &binding(), clock.now() + ttl)
        .await
        .unwrap();
    assert_eq!(store.len(), 1);
    assert!(store.take("key-2").await.unwrap().is_none());
}
