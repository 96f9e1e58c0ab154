//! Process-level, against the sandbox: the `stripe_sync_worker` example (the engine over the
//! real `StripePlatform`) killed with SIGKILL mid-sync then restarted, and two worker processes
//! sharing one PostgreSQL. The sandbox runs in the test and its request log is the proof.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use commerce_model::DataType;
use commerce_store::DatasetStatus;
use commerce_stripe::SUPPORTED_DATA_TYPES;
use stripe_sandbox::{FaultRates, RequestRecord};

use super::{all_complete, assert_same, link, sandbox, snapshot, supported_statuses, StripeEnv};
use crate::sync_support::{wait_until, Kind, TestDb};

/// The example binary, built next to this test binary (`cargo test` builds examples); built
/// on demand when missing (e.g. `cargo test --test it`).
pub(crate) fn worker_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe.parent().unwrap().parent().unwrap();
    let binary = target.join("examples").join(format!(
        "stripe_sync_worker{}",
        std::env::consts::EXE_SUFFIX
    ));
    if !binary.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .args([
                "build",
                "-p",
                "commerce-e2e",
                "--example",
                "stripe_sync_worker",
            ])
            .status()
            .unwrap();
        assert!(
            status.success(),
            "building the stripe_sync_worker example failed"
        );
    }
    binary
}

fn spawn_worker(db: &TestDb, env: &StripeEnv, name: &str, workers: u32, lease_ms: u64) -> Child {
    Command::new(worker_binary())
        .env("COMMERCE_SYNC_DB_URL", &db.url)
        .env("COMMERCE_ENCRYPTION_KEY", db.key_base64())
        .env("SYNC_WORKER_NAME", name)
        // Paced as one sequence per list: these tests time pages and takeovers.
        .env("SYNC_BACKFILL_SEGMENTS", "1")
        .env("SYNC_WORKERS", workers.to_string())
        .env("SYNC_LEASE_MS", lease_ms.to_string())
        .env("STRIPE_API_BASE", env.sandbox.base_url())
        .env("STRIPE_CLIENT_ID", &env.client_id)
        .env("STRIPE_SECRET_KEY", &env.key)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for a worker process and returns how many datasets it finished.
fn finished_by(child: Child) -> usize {
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "worker failed: {:?}",
        output.status
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let words: Vec<&str> = stdout.split_whitespace().collect();
    assert_eq!(words.first(), Some(&"finished"), "{stdout}");
    words[1].parse().unwrap()
}

/// Every response of the sandbox takes `millis`, so a sync takes a while.
fn slow_down(env: &StripeEnv, millis: u64) {
    let mut rates = FaultRates::default();
    rates.slow = 1.0;
    rates.slow_delay = Duration::from_millis(millis);
    env.sandbox.set_fault_rates(rates).unwrap();
}

fn customer_pages(requests: &[RequestRecord]) -> Vec<String> {
    requests
        .iter()
        .filter(|request| request.path == "/v1/customers")
        .map(|request| request.query.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_stripe_sync_killed_then_restarted_resumes_from_its_last_committed_page() {
    killed_then_restarted(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stripe_sync_killed_then_restarted_resumes_from_its_last_committed_page() {
    killed_then_restarted(Kind::Postgres).await;
}

async fn killed_then_restarted(kind: Kind) {
    // 1,000 customers: 10 pages of 100.
    let env = sandbox(1000, |_| {}).await;
    let account = env.account().to_owned();
    let expected = env.expected(&account, DataType::Customers).await;
    assert_eq!(expected.len(), 1000);
    // The list order (newest first) decides the page boundaries.
    let newest_first = env.list_ids(&account, "/v1/customers").await;
    assert_eq!(newest_first.len(), 1000);
    env.sandbox.clear_requests();
    slow_down(&env, 60);

    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let conn = link(&store, &account).await;
    let dataset = store
        .queue_dataset(conn, DataType::Customers)
        .await
        .unwrap();

    let mut first = spawn_worker(&db, &env, "first", 1, 1000);
    wait_until("three pages are committed", || async {
        store.get_dataset(dataset.id).await.unwrap().pages >= 3
    })
    .await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let committed = store.get_dataset(dataset.id).await.unwrap();
    let k = usize::try_from(committed.pages).unwrap();
    assert!(committed.status.is_in_progress(), "{:?}", committed.status);
    assert!((3..10).contains(&k), "{k} pages committed");
    let stored_before = super::live(&store, conn, DataType::Customers).await;
    assert_eq!(stored_before.len(), 100 * k, "whole pages only");

    wait_until("the killed worker's lease expires", || async {
        store
            .get_dataset(dataset.id)
            .await
            .unwrap()
            .lease_expires_at
            .unwrap()
            < chrono::Utc::now()
    })
    .await;
    let first_run = customer_pages(&env.sandbox.requests());
    env.sandbox.clear_requests();
    let second = spawn_worker(&db, &env, "second", 1, 1000);
    let finished = tokio::task::spawn_blocking(move || finished_by(second))
        .await
        .unwrap();
    assert_eq!(finished, 1);
    let second_run = customer_pages(&env.sandbox.requests());

    // The first process read pages 1..=k (and maybe k+1, uncommitted); the second read
    // exactly pages k+1..=10, starting after the last customer of page k.
    assert!(first_run.len() >= k, "{first_run:?}");
    assert!(!first_run[0].contains("starting_after"), "{first_run:?}");
    assert_eq!(second_run.len(), 10 - k, "{second_run:?}");
    let resume_after = &newest_first[100 * k - 1];
    assert!(
        second_run[0].contains(&format!("starting_after={resume_after}")),
        "resumes after the last committed customer {resume_after}: {}",
        second_run[0]
    );
    if first_run.len() > k {
        assert_eq!(
            first_run[k], second_run[0],
            "the uncommitted page is read again"
        );
    }
    let earlier: BTreeSet<&String> = first_run[..k].iter().collect();
    assert!(second_run.iter().all(|query| !earlier.contains(query)));

    let done = store.get_dataset(dataset.id).await.unwrap();
    assert_eq!(done.status, DatasetStatus::Complete);
    assert_eq!((done.pages, done.records), (10, 1000));
    assert_eq!(
        super::live(&store, conn, DataType::Customers).await,
        expected
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_stripe_worker_processes_share_datasets_without_loss_or_duplication() {
    let env = sandbox(150, |config| config.accounts = 3).await;
    let db = TestDb::new(Kind::Postgres).await;
    let store = db.store().await;
    let mut connections = Vec::new();
    let queuer = env.engine(store.clone(), env.platform(1, 1000));
    for account in env.accounts.clone() {
        let conn = link(&store, &account).await;
        let queued = queuer.queue_all(conn).await.unwrap();
        assert_eq!(queued.queued.len(), SUPPORTED_DATA_TYPES.len());
        connections.push((conn, account));
    }
    let mut oracle = Vec::new();
    for (_, account) in &connections {
        oracle.push(env.expected_all(account).await);
    }
    env.sandbox.clear_requests();
    slow_down(&env, 5);

    let a = spawn_worker(&db, &env, "proc-a", 2, 30_000);
    let b = spawn_worker(&db, &env, "proc-b", 2, 30_000);
    let (done_a, done_b) = tokio::task::spawn_blocking(move || (finished_by(a), finished_by(b)))
        .await
        .unwrap();
    assert!(
        done_a > 0 && done_b > 0,
        "both processes worked: {done_a} / {done_b}"
    );
    // Unsupported types ended `NotSupported` when queued: no worker sees them.
    let unsupported = DataType::ALL.len() - SUPPORTED_DATA_TYPES.len();
    assert_eq!(
        done_a + done_b + connections.len() * unsupported,
        connections.len() * DataType::ALL.len(),
        "no dataset lost or done twice"
    );

    // No page was read twice, so no record was written twice.
    let requests = env.sandbox.requests();
    assert!(requests.iter().all(|request| request.status == Some(200)));
    let reads: Vec<(Option<String>, String, String)> = requests
        .iter()
        .filter(|request| request.path != "/v1/events")
        .map(|request| {
            (
                request.account.clone(),
                request.path.clone(),
                request.query.clone(),
            )
        })
        .collect();
    let unique: BTreeSet<&(Option<String>, String, String)> = reads.iter().collect();
    assert_eq!(unique.len(), reads.len(), "a page was read twice");

    for ((conn, account), expected) in connections.iter().zip(&oracle) {
        assert_eq!(supported_statuses(&store, *conn).await, all_complete());
        assert_same(&snapshot(&store, *conn).await, expected, account);
        let statuses = crate::sync_support::statuses(&store, *conn).await;
        assert!(statuses.values().all(|status| matches!(
            status,
            DatasetStatus::Complete | DatasetStatus::NotSupported
        )));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_sigkilled_workers_dataset_is_claimed_again_within_15_seconds() {
    sigkilled_dataset_is_taken_over(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_sigkilled_workers_dataset_is_claimed_again_within_15_seconds() {
    sigkilled_dataset_is_taken_over(Kind::Postgres).await;
}

/// Worker processes with the engine's default lease (heartbeats renew it): the one pulling is
/// killed with SIGKILL mid-pull; another, started at once and polling, claims the dataset
/// within 15 s of the kill and finishes it from the last committed page, nothing lost or read
/// twice.
async fn sigkilled_dataset_is_taken_over(kind: Kind) {
    let env = sandbox(1000, |_| {}).await;
    let account = env.account().to_owned();
    let expected = env.expected(&account, DataType::Customers).await;
    let newest_first = env.list_ids(&account, "/v1/customers").await;
    env.sandbox.clear_requests();
    // Slow enough (10 pages of 0.6 s) that the pull outlives a heartbeat period (lease / 3).
    slow_down(&env, 600);

    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let conn = link(&store, &account).await;
    let dataset = store
        .queue_dataset(conn, DataType::Customers)
        .await
        .unwrap();
    let spawn_default_lease = |name: &str| {
        Command::new(worker_binary())
            .env("COMMERCE_SYNC_DB_URL", &db.url)
            .env("COMMERCE_ENCRYPTION_KEY", db.key_base64())
            .env("SYNC_WORKER_NAME", name)
            // Paced as one sequence per list: these tests time pages and takeovers.
            .env("SYNC_BACKFILL_SEGMENTS", "1")
            .env("SYNC_WORKERS", "1")
            .env("STRIPE_API_BASE", env.sandbox.base_url())
            .env("STRIPE_CLIENT_ID", &env.client_id)
            .env("STRIPE_SECRET_KEY", &env.key)
            .env_remove("SYNC_LEASE_MS")
            .env("SYNC_WAIT_FOR_DATASET", dataset.id.to_string())
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut first = spawn_default_lease("first");
    wait_until("the first page is committed", || async {
        store.get_dataset(dataset.id).await.unwrap().pages >= 1
    })
    .await;
    let claimed = store.get_dataset(dataset.id).await.unwrap();
    assert_eq!(claimed.lease_owner.as_deref(), Some("first-0"));
    // The heartbeat renews the lease while the pull goes on.
    tokio::time::sleep(Duration::from_millis(3800)).await;
    let renewed = store.get_dataset(dataset.id).await.unwrap();
    assert!(
        renewed.lease_expires_at > claimed.lease_expires_at,
        "{:?} then {:?}",
        claimed.lease_expires_at,
        renewed.lease_expires_at
    );
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let killed_at = std::time::Instant::now();
    let committed = store.get_dataset(dataset.id).await.unwrap();
    let k = usize::try_from(committed.pages).unwrap();
    assert!(committed.status.is_in_progress(), "{:?}", committed.status);
    let first_run = customer_pages(&env.sandbox.requests());
    env.sandbox.clear_requests();

    // The other worker process starts now and polls: the dataset is claimable only once the
    // killed worker's lease runs out.
    let second = spawn_default_lease("second");
    let mut taken_over = None;
    while killed_at.elapsed() < Duration::from_secs(20) {
        let now = store.get_dataset(dataset.id).await.unwrap();
        if now.lease_owner.as_deref() == Some("second-0") || !now.status.is_in_progress() {
            taken_over = Some(killed_at.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let taken_over = taken_over.expect("the dataset was not claimed again within 20 s");
    eprintln!(
        "{kind:?}: claimed again {:.1} s after SIGKILL",
        taken_over.as_secs_f64()
    );
    assert!(
        taken_over < Duration::from_secs(15),
        "claimed again after {taken_over:?}"
    );
    let finished = tokio::task::spawn_blocking(move || finished_by(second))
        .await
        .unwrap();
    assert_eq!(finished, 1);

    // The second process resumed after the last committed customer and read each later page
    // once; every customer is stored exactly once.
    let second_run = customer_pages(&env.sandbox.requests());
    assert_eq!(second_run.len(), 10 - k, "{second_run:?}");
    assert!(
        second_run[0].contains(&format!("starting_after={}", newest_first[100 * k - 1])),
        "{}",
        second_run[0]
    );
    let earlier: BTreeSet<&String> = first_run[..k].iter().collect();
    assert!(second_run.iter().all(|query| !earlier.contains(query)));
    let done = store.get_dataset(dataset.id).await.unwrap();
    assert_eq!(done.status, DatasetStatus::Complete);
    assert_eq!((done.pages, done.records), (10, 1000));
    assert_eq!(
        super::live(&store, conn, DataType::Customers).await,
        expected
    );
}
