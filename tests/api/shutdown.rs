//! Stopping on SIGTERM, on the real binary and a real port: an upload in flight is stored
//! whole or refused without a trace, never half; the process exits 0. Also: the metrics
//! listener, and the request id in the log lines, as `safetrace serve` runs them.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::*;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port()
}

/// The database a binary test runs on: a SQLite file in its data directory, or a fresh
/// PostgreSQL schema (dropped afterwards).
struct BinaryDb {
    url: String,
    schema: Option<(String, String)>,
}

impl BinaryDb {
    fn new(engine: Engine, data_dir: &Path) -> BinaryDb {
        match engine {
            Engine::Sqlite => {
                BinaryDb { url: data_dir.join("safetrace.db").to_string_lossy().into_owned(), schema: None }
            }
            Engine::Postgres => {
                let base = std::env::var(PG_ENV).expect("postgres url");
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let mut conn = diesel::PgConnection::establish(&base).expect("postgres");
                conn.batch_execute(&format!("CREATE SCHEMA {schema}")).expect("schema");
                let url = format!("{base}?options=-csearch_path%3D{schema}");
                BinaryDb { url, schema: Some((base, schema)) }
            }
        }
    }
}

impl Drop for BinaryDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = &self.schema {
            if let Ok(mut conn) = diesel::PgConnection::establish(base) {
                let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// `safetrace serve` on a free port, logging JSON lines to a file.
struct Service {
    child: Child,
    port: u16,
    metrics_port: u16,
    log: PathBuf,
}

impl Service {
    fn start(db: &BinaryDb, data_dir: &Path, shutdown_seconds: u64) -> Service {
        let (port, metrics_port) = (free_port(), free_port());
        let log = data_dir.with_extension(format!("{port}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_safetrace"))
            .env("DATABASE_URL", &db.url)
            .env("SAFETRACE_DATA_DIR", data_dir)
            .env("SAFETRACE_BIND", format!("127.0.0.1:{port}"))
            .env("SAFETRACE_METRICS_BIND", format!("127.0.0.1:{metrics_port}"))
            .env("SAFETRACE_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("SAFETRACE_SHUTDOWN_SECONDS", shutdown_seconds.to_string())
            .env("SAFETRACE_WORKERS", "2")
            .env("SAFETRACE_LOG", std::env::var("SHUTDOWN_TEST_LOG").unwrap_or("info".into()))
            .env("SAFETRACE_LOG_JSON", "true")
            .stdout(Stdio::from(out.try_clone().expect("log file")))
            .stderr(Stdio::from(out))
            .spawn()
            .expect("the binary starts");
        let service = Service { child, port, metrics_port, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        while http(port, "GET", "/healthz", &[], b"").0 != 200 {
            assert!(Instant::now() < deadline, "the service did not come up: {}", service.log_text());
            std::thread::sleep(Duration::from_millis(100));
        }
        service
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn terminate(&self) {
        // SAFETY: sends a signal to the child this test started.
        let rc = unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        assert_eq!(rc, 0);
    }

    /// Waits for the process to end and answers its exit code.
    fn wait(mut self, within: Duration) -> i32 {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the service did not stop within {within:?}: {}", self.log_text());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request on a new connection: status (0 when none came) and body.
fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, Vec<u8>) {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return (0, Vec::new()) };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    if stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(body)).is_err() {
        return (0, Vec::new());
    }
    read_response(&mut stream)
}

fn read_response(stream: &mut TcpStream) -> (u16, Vec<u8>) {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = match raw.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(i) => raw[i + 4..].to_vec(),
        None => Vec::new(),
    };
    (status, body)
}

fn login(port: u16) -> String {
    let body = serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD}).to_string();
    let (status, answer) =
        http(port, "POST", "/api/v1/auth/login", &[("Content-Type", "application/json")], body.as_bytes());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    let v: Value = serde_json::from_slice(&answer).expect("json");
    v["token"].as_str().expect("token").to_string()
}

const BOUNDARY: &str = "----safetrace-shutdown-test";

/// A multipart upload of a PNG-headed file of `size` bytes.
fn upload_body(size: usize) -> (Vec<u8>, String) {
    let mut file = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    file.extend_from_slice(b"IHDR");
    file.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
    file.extend((0..size).map(|i| (i * 31 % 251) as u8));
    let sha = hex::encode(Sha256::digest(&file));
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (body, sha)
}

/// How an upload is sent: the first `first` bytes at once, the rest in `pieces` pieces
/// spread over `over`.
struct Pace {
    first: usize,
    pieces: usize,
    over: Duration,
}

/// Sends the upload at this pace, calling `meanwhile` after the first part. Answers the
/// status and body, or 0 when the server closed the connection instead of answering.
fn slow_upload(
    port: u16,
    token: &str,
    request_id: &str,
    body: &[u8],
    pace: Pace,
    meanwhile: impl FnOnce(),
) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    let head = format!(
        "POST /api/v1/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\
         X-Request-Id: {request_id}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("head");
    let Pace { first, pieces, over } = pace;
    stream.write_all(&body[..first]).expect("first part");
    stream.flush().expect("flush");
    meanwhile();
    let rest = &body[first..];
    let piece = rest.len().div_ceil(pieces);
    for chunk in rest.chunks(piece) {
        std::thread::sleep(over / pieces as u32);
        if stream.write_all(chunk).is_err() {
            break;
        }
    }
    read_response(&mut stream)
}

/// Rows of `attachments` in the database, and files under the data directory's uploads
/// and temporary directories.
fn traces(db: &BinaryDb, data_dir: &Path) -> (i64, usize, usize) {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let pool = safetrace::db::connect(&db.url, 1).expect("database");
    let mut conn = pool.get().expect("connection");
    let rows = diesel::sql_query("SELECT COUNT(*) AS n FROM attachments").get_result::<N>(&mut *conn).expect("count").n;
    let count = |dir: PathBuf| -> usize {
        fn walk(p: &Path) -> usize {
            std::fs::read_dir(p)
                .map(|d| d.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
                .unwrap_or(0)
        }
        walk(&dir)
    };
    (rows, count(data_dir.join("attachments")), count(data_dir.join("tmp")))
}

fn engines() -> Vec<Engine> {
    let mut engines = vec![Engine::Sqlite];
    if std::env::var(PG_ENV).is_ok_and(|u| !u.is_empty()) {
        engines.push(Engine::Postgres);
    } else {
        eprintln!("{PG_ENV} unset: PostgreSQL case not run");
    }
    engines
}

fn an_upload_in_flight_at_sigterm_completes_whole(engine: Engine) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("data");
    let db = BinaryDb::new(engine, &data_dir);
    let service = Service::start(&db, &data_dir, 30);
    let token = login(service.port);

    // The metrics listener answers; the public port does not serve metrics.
    let (status, text) = http(service.metrics_port, "GET", "/metrics", &[], b"");
    assert_eq!(status, 200);
    let engine_label = if engine == Engine::Sqlite { "sqlite" } else { "postgresql" };
    let text = String::from_utf8_lossy(&text).into_owned();
    assert!(text.contains(&format!("engine=\"{engine_label}\"")), "{text}");
    assert!(
        text.contains("safetrace_http_requests_total{route=\"/api/v1/auth/login\",method=\"POST\",status=\"2xx\"} 1"),
        "{text}"
    );
    assert_eq!(http(service.port, "GET", "/metrics", &[], b"").0, 404);

    let (body, sha) = upload_body(600 * 1024);
    let port = service.port;
    let (status, answer) = slow_upload(
        port,
        &token,
        "slow-upload-1",
        &body,
        Pace { first: body.len() / 3, pieces: 10, over: Duration::from_secs(2) },
        || {
            // The request is being handled (a connection whose request has not been read yet
            // is closed at once: that client retries).
            std::thread::sleep(Duration::from_millis(500));
            service.terminate();
            std::thread::sleep(Duration::from_millis(300));
            assert_eq!(http(port, "GET", "/healthz", &[], b"").0, 0, "no new connection after SIGTERM");
        },
    );
    assert_eq!(
        status,
        201,
        "the upload in flight completes: {} {}",
        String::from_utf8_lossy(&answer),
        service.log_text()
    );
    let attachment: Value = serde_json::from_slice(&answer).expect("json");
    assert_eq!(attachment["sha256"], sha.as_str());
    let log = service.log_text();
    assert_eq!(service.wait(Duration::from_secs(30)), 0, "exit 0: {log}");

    // Every log line of that request carries its id, the access line with the status.
    let lines: Vec<Value> = std::fs::read_to_string(dir.path().join(format!("data.{port}.log")))
        .expect("log")
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let of_request: Vec<&Value> = lines.iter().filter(|l| l["span"]["path"] == "/api/v1/attachments").collect();
    assert!(!of_request.is_empty(), "{log}");
    assert!(of_request.iter().all(|l| l["span"]["request_id"] == "slow-upload-1"), "{log}");
    assert!(of_request.iter().any(|l| l["fields"]["message"] == "answered" && l["fields"]["status"] == 201), "{log}");
    assert!(lines.iter().any(|l| l["fields"]["message"] == "stopped"), "the last line is written: {log}");

    // Stored whole: after a restart the bytes are there, by their digest.
    let (rows, files, temps) = traces(&db, &data_dir);
    assert_eq!((rows, files, temps), (1, 1, 0));
    let stored = std::fs::read(data_dir.join("attachments").join(&sha[..2]).join(&sha)).expect("the stored file");
    assert_eq!(hex::encode(Sha256::digest(&stored)), sha);
    let service = Service::start(&db, &data_dir, 30);
    let token = login(service.port);
    let id = attachment["id"].as_str().expect("id");
    let auth = format!("Bearer {token}");
    let (status, bytes) =
        http(service.port, "GET", &format!("/api/v1/attachments/{id}/content"), &[("Authorization", &auth)], b"");
    assert_eq!(status, 200);
    assert_eq!(hex::encode(Sha256::digest(&bytes)), sha);
    service.terminate();
    assert_eq!(service.wait(Duration::from_secs(30)), 0);
}

fn an_upload_cut_off_by_the_shutdown_timeout_leaves_no_trace(engine: Engine) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("data");
    let db = BinaryDb::new(engine, &data_dir);
    let service = Service::start(&db, &data_dir, 1);
    let token = login(service.port);
    let (body, _) = upload_body(600 * 1024);
    let started = Instant::now();
    let (status, _) = slow_upload(
        service.port,
        &token,
        "cut-off-1",
        &body,
        Pace { first: body.len() / 3, pieces: 20, over: Duration::from_secs(4) },
        || {
            std::thread::sleep(Duration::from_millis(500));
            assert_eq!(traces(&db, &data_dir).2, 1, "the upload is being received");
            service.terminate()
        },
    );
    assert_ne!(status, 201, "a body still arriving after the shutdown timeout is not stored");
    assert_eq!(service.wait(Duration::from_secs(30)), 0);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(traces(&db, &data_dir), (0, 0, 0), "no row, no file, no temporary file");
}

#[test]
fn an_upload_in_flight_at_sigterm_is_stored_whole() {
    for engine in engines() {
        an_upload_in_flight_at_sigterm_completes_whole(engine);
    }
}

#[test]
fn an_upload_past_the_shutdown_timeout_is_refused_without_a_trace() {
    for engine in engines() {
        an_upload_cut_off_by_the_shutdown_timeout_leaves_no_trace(engine);
    }
}

#[test]
fn a_second_service_on_the_same_data_directory_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("data");
    let db = BinaryDb::new(Engine::Sqlite, &data_dir);
    let service = Service::start(&db, &data_dir, 30);
    let out = Command::new(env!("CARGO_BIN_EXE_safetrace"))
        .env("DATABASE_URL", &db.url)
        .env("SAFETRACE_DATA_DIR", &data_dir)
        .env("SAFETRACE_BIND", format!("127.0.0.1:{}", free_port()))
        .env("SAFETRACE_LOG", "error")
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("in use by another safetrace") && stderr.contains("pid"), "{stderr}");
    service.terminate();
    assert_eq!(service.wait(Duration::from_secs(30)), 0);
}
