//! Process-level tests: the `sync_worker` example (the engine over the fake platform) run as
//! separate processes, killed with SIGKILL mid-sync, or two at once on one PostgreSQL.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use commerce_model::DataType;
use commerce_store::DatasetStatus;
use uuid::Uuid;

use crate::fake::{FakePlatform, SUPPORTED};
use crate::support::{
    config, engine, linked_connection, statuses, stored, wait_until, Kind, TestDb,
};

/// The example binary, built next to this test binary (`cargo test` builds examples); built
/// on demand when missing (e.g. `cargo test --test it`).
fn worker_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe.parent().unwrap().parent().unwrap();
    let binary = target
        .join("examples")
        .join(format!("sync_worker{}", std::env::consts::EXE_SUFFIX));
    if !binary.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .args(["build", "-p", "commerce-sync", "--example", "sync_worker"])
            .status()
            .unwrap();
        assert!(status.success(), "building the sync_worker example failed");
    }
    binary
}

struct WorkerSpec<'a> {
    name: &'a str,
    workers: u32,
    lease_ms: u64,
    page_size: usize,
    page_delay_ms: u64,
    accounts: &'a [String],
    records: usize,
    log: &'a Path,
}

fn spawn_worker(db: &TestDb, spec: &WorkerSpec<'_>) -> Child {
    Command::new(worker_binary())
        .env("COMMERCE_SYNC_DB_URL", &db.url)
        .env("COMMERCE_ENCRYPTION_KEY", db.key_base64())
        .env("SYNC_WORKER_NAME", spec.name)
        .env("SYNC_WORKERS", spec.workers.to_string())
        .env("SYNC_LEASE_MS", spec.lease_ms.to_string())
        .env("SYNC_PAGE_SIZE", spec.page_size.to_string())
        .env("SYNC_PAGE_DELAY_MS", spec.page_delay_ms.to_string())
        .env("SYNC_ACCOUNTS", spec.accounts.join(","))
        .env("SYNC_RECORDS", spec.records.to_string())
        .env("SYNC_LOG_FILE", spec.log)
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

/// `(account, data type key, pull cursor, what)` per page a worker process served.
fn read_log(path: &Path) -> Vec<(String, String, String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (
                fields[0].to_owned(),
                fields[1].to_owned(),
                fields[2].to_owned(),
                fields[3].to_owned(),
            )
        })
        .collect()
}

fn temp_log(label: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "commerce-sync-{label}-{}.log",
        Uuid::new_v4().simple()
    ))
}

fn page_number(what: &str) -> usize {
    what.strip_prefix("full:").unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_sigkill_mid_sync_then_restart_resumes_from_the_last_committed_page() {
    sigkill_mid_sync_then_restart_resumes_from_the_last_committed_page(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sigkill_mid_sync_then_restart_resumes_from_the_last_committed_page() {
    sigkill_mid_sync_then_restart_resumes_from_the_last_committed_page(Kind::Postgres).await;
}

async fn sigkill_mid_sync_then_restart_resumes_from_the_last_committed_page(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let accounts = vec!["acct_1".to_owned()];
    let conn = linked_connection(&store, "acct_1").await;
    let dataset = store
        .queue_dataset(conn, DataType::Customers)
        .await
        .unwrap();
    let (log_a, log_b) = (temp_log("a"), temp_log("b"));
    let spec = |name, log| WorkerSpec {
        name,
        workers: 1,
        lease_ms: 1000,
        page_size: 2,
        page_delay_ms: 40,
        accounts: &accounts,
        records: 40,
        log,
    };

    let mut first = spawn_worker(&db, &spec("first", &log_a));
    wait_until("five pages are committed", || async {
        store.get_dataset(dataset.id).await.unwrap().pages >= 5
    })
    .await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let committed = store.get_dataset(dataset.id).await.unwrap();
    let committed_pages = usize::try_from(committed.pages).unwrap();
    assert!(
        committed.status.is_in_progress(),
        "killed before the end: {:?}",
        committed.status
    );
    assert!(committed_pages < 20);
    let served_first: Vec<usize> = read_log(&log_a)
        .iter()
        .map(|line| page_number(&line.3))
        .collect();
    assert_eq!(
        served_first[..committed_pages],
        (1..=committed_pages).collect::<Vec<_>>()[..]
    );

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
    let second = spawn_worker(&db, &spec("second", &log_b));
    assert_eq!(finished_by(second), 1);

    // The restarted process asked for nothing before the last committed page.
    let served_second = read_log(&log_b);
    let resume_cursor = format!("full:{committed_pages}");
    assert!(
        served_second.iter().all(|line| line.2 == resume_cursor),
        "{served_second:?}"
    );
    let pages: Vec<usize> = served_second
        .iter()
        .map(|line| page_number(&line.3))
        .collect();
    assert_eq!(pages, (committed_pages + 1..=20).collect::<Vec<_>>());

    let done = store.get_dataset(dataset.id).await.unwrap();
    assert_eq!(done.status, DatasetStatus::Complete);
    assert_eq!((done.pages, done.records), (20, 40));
    let expected = FakePlatform::new(2);
    expected.seed("acct_1", DataType::Customers, 40);
    assert_eq!(
        stored(&store, conn, DataType::Customers).await,
        expected.live("acct_1", DataType::Customers)
    );
    let _ = std::fs::remove_file(log_a);
    let _ = std::fs::remove_file(log_b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_worker_processes_share_datasets_without_loss_or_duplication() {
    let db = TestDb::new(Kind::Postgres).await;
    let store = db.store().await;
    let accounts: Vec<String> = (0..8).map(|i| format!("acct_{i}")).collect();
    let queuer = engine(
        store.clone(),
        &Arc::new(FakePlatform::new(2)),
        config("queuer"),
    );
    let mut connections = Vec::new();
    for account in &accounts {
        let conn = linked_connection(&store, account).await;
        queuer.queue_all(conn).await.unwrap();
        connections.push((conn, account.clone()));
    }
    let (log_a, log_b) = (temp_log("pa"), temp_log("pb"));
    let spec = |name, log| WorkerSpec {
        name,
        workers: 2,
        lease_ms: 30_000,
        page_size: 2,
        page_delay_ms: 20,
        accounts: &accounts,
        records: 8,
        log,
    };
    let a = spawn_worker(&db, &spec("proc-a", &log_a));
    let b = spawn_worker(&db, &spec("proc-b", &log_b));
    let (done_a, done_b) = tokio::task::spawn_blocking(move || (finished_by(a), finished_by(b)))
        .await
        .unwrap();
    assert!(
        done_a > 0 && done_b > 0,
        "both processes worked: {done_a} / {done_b}"
    );
    assert_eq!(
        done_a + done_b,
        accounts.len() * SUPPORTED.len(),
        "no dataset lost or done twice"
    );

    let mut served = read_log(&log_a);
    served.extend(read_log(&log_b));
    let unique: BTreeSet<(String, String, String)> = served
        .iter()
        .map(|line| (line.0.clone(), line.1.clone(), line.3.clone()))
        .collect();
    assert_eq!(
        unique.len(),
        served.len(),
        "no page fetched (and written) twice"
    );
    assert_eq!(served.len(), accounts.len() * SUPPORTED.len() * 4);

    let expected = FakePlatform::new(2);
    for (conn, account) in &connections {
        for data_type in SUPPORTED {
            expected.seed(account, data_type, 8);
            assert_eq!(
                stored(&store, *conn, data_type).await,
                expected.live(account, data_type)
            );
        }
        assert!(statuses(&store, *conn)
            .await
            .values()
            .all(|status| matches!(
                status,
                DatasetStatus::Complete | DatasetStatus::NotSupported
            )));
    }
    let _ = std::fs::remove_file(log_a);
    let _ = std::fs::remove_file(log_b);
}
