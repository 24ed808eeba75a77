//! `safetrace backup` and `safetrace restore`, run as the real binary (a separate process
//! from the service, as an operator runs them) against a service taking submissions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::both_engines;
use crate::support::*;

/// Runs the binary with this database and data directory (and nothing from the
/// environment that could point it elsewhere).
pub fn safetrace(args: &[&str], database_url: &str, data_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_safetrace"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("DATABASE_URL", database_url)
        .env("SAFETRACE_DATA_DIR", data_dir)
        .env("SAFETRACE_LOG", "warn")
        .output()
        .expect("the binary runs")
}

async fn safetrace_async(args: Vec<String>, database_url: String, data_dir: PathBuf) -> Output {
    actix_web::rt::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        safetrace(&args, &database_url, &data_dir)
    })
    .await
    .expect("join")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A PNG signature and header, then `size` bytes unique to `n`.
fn photo(n: u32, size: usize) -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
    b.extend_from_slice(&n.to_be_bytes());
    let mut x = n.wrapping_mul(2_654_435_761).max(1);
    b.extend((0..size).map(|_| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x as u8
    }));
    b
}

/// One submission the service acknowledged: when, what it answered, and its photo.
#[derive(Debug, Clone)]
struct Acked {
    at: Instant,
    inspection: Value,
    photo_id: String,
    photo_sha256: String,
}

/// PostgreSQL: a database made for the restore, dropped afterwards.
struct RestoreDb {
    base_url: String,
    name: String,
}

impl Drop for RestoreDb {
    fn drop(&mut self) {
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.base_url) {
            let _ = diesel::connection::SimpleConnection::batch_execute(
                &mut conn,
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            );
        }
    }
}

/// Where a restore of `app`'s backup goes: a SQLite file in the new data directory, or a
/// new PostgreSQL database searched in the schema the dump recreates.
fn restore_target(app: &TestApp, data_dir: &Path) -> (String, Option<RestoreDb>) {
    match app.engine {
        Engine::Sqlite => (data_dir.join("safetrace.db").to_string_lossy().into_owned(), None),
        Engine::Postgres => {
            let base_url = std::env::var(PG_ENV).expect("postgres url");
            let name = format!("r_{}", uuid::Uuid::new_v4().simple());
            let mut conn = diesel::PgConnection::establish(&base_url).expect("postgres");
            diesel::connection::SimpleConnection::batch_execute(&mut conn, &format!("CREATE DATABASE {name}"))
                .expect("create database");
            let schema = app
                .database_url
                .split("search_path%3D")
                .nth(1)
                .and_then(|s| s.split('&').next())
                .expect("the test schema")
                .to_string();
            let (server, _) = base_url.rsplit_once('/').expect("a database in the url");
            let url = format!("{server}/{name}?options=-csearch_path%3D{schema}");
            (url, Some(RestoreDb { base_url, name }))
        }
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Rows per table of a database, as a service started on it would count them.
fn counts(url: &str, tables: &[String]) -> BTreeMap<String, i64> {
    let pool = safetrace::db::connect(url, 1).expect("the restored database opens");
    let mut conn = pool.get().expect("connection");
    tables
        .iter()
        .map(|t| {
            let n = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM \"{t}\""))
                .get_result::<Count>(&mut *conn)
                .expect("count")
                .n;
            (t.clone(), n)
        })
        .collect()
}

both_engines! {
    async fn a_backup_taken_while_inspections_arrive_restores_whole(app) {
        let c = app.community("BK1").await;
        let unit = app.unit(&c, "restaurant").await;
        let token = app.user("bkinspector", "inspector", Some(vec![&c])).await;

        // A phone submitting inspections with photos, photo first, until told to stop.
        let stop = Arc::new(AtomicBool::new(false));
        let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
        let client = {
            let (stop, acked, unit) = (stop.clone(), acked.clone(), unit.clone());
            let url = app.server.url("/");
            let server_token = token.clone();
            let base = url.trim_end_matches('/').to_string();
            actix_web::rt::spawn(async move {
                let client = awc::Client::builder().timeout(Duration::from_secs(60)).finish();
                for n in 0..400u32 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let bytes = photo(n, 48 * 1024);
                    let photo_id = uuid::Uuid::now_v7().to_string();
                    let boundary = "----safetrace-backup-test";
                    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n{photo_id}\r\n").into_bytes();
                    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
                    body.extend_from_slice(&bytes);
                    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
                    let up = client
                        .post(format!("{base}/api/v1/attachments"))
                        .insert_header(("content-type", format!("multipart/form-data; boundary={boundary}")))
                        .bearer_auth(&server_token)
                        .send_body(body)
                        .await
                        .expect("upload answered");
                    assert_eq!(up.status().as_u16(), 201);
                    let mut hazard = deadline_hazard("gas", "2026-12-31");
                    hazard["photo_ids"] = json!([photo_id]);
                    let mut body = inspection(&unit, "2026-11-24T02:00:00Z", vec![hazard, spot_hazard("evacuation")]);
                    body["id"] = json!(uuid::Uuid::now_v7().to_string());
                    let mut res = client
                        .post(format!("{base}/api/v1/inspections"))
                        .bearer_auth(&server_token)
                        .send_json(&body)
                        .await
                        .expect("submission answered");
                    let answer: Value = serde_json::from_slice(&res.body().await.expect("body")).expect("json");
                    assert_eq!(res.status().as_u16(), 201, "{answer}");
                    acked.lock().expect("lock").push(Acked {
                        at: Instant::now(),
                        inspection: answer,
                        photo_id,
                        photo_sha256: sha256_hex(&bytes),
                    });
                }
            })
        };
        let wait_for = |n: usize| {
            let acked = acked.clone();
            async move {
                for _ in 0..600 {
                    if acked.lock().expect("lock").len() >= n {
                        return;
                    }
                    actix_web::rt::time::sleep(Duration::from_millis(20)).await;
                }
                panic!("the client did not get {n} submissions through");
            }
        };
        wait_for(5).await;

        let backup_dir = tempfile::tempdir().expect("temp dir");
        let backup = backup_dir.path().join("nightly");
        let data_dir = app.state.config.data_dir.clone();
        let began = Instant::now();
        let acked_before = acked.lock().expect("lock").len();
        let out = safetrace_async(
            vec!["backup".into(), "--to".into(), backup.to_string_lossy().into_owned()],
            app.database_url.clone(),
            data_dir.clone(),
        )
        .await;
        assert!(out.status.success(), "backup: {}", text(&out));
        assert!(text(&out).contains("backup written to"), "{}", text(&out));
        // The phone keeps going a little after the backup, then stops.
        let so_far = acked.lock().expect("lock").len();
        wait_for(so_far + 2).await;
        stop.store(true, Ordering::SeqCst);
        client.await.expect("the client ran to the end");
        let acked = acked.lock().expect("lock").clone();
        let before: Vec<&Acked> = acked.iter().filter(|a| a.at < began).collect();
        assert!(before.len() >= acked_before.max(5), "{} acknowledged before the backup began", before.len());
        assert!(acked.len() > before.len(), "submissions went on after the backup began");

        let manifest: Value = serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).expect("manifest")).expect("json");
        let engine = if app.engine == Engine::Sqlite { "sqlite" } else { "postgresql" };
        assert_eq!(manifest["engine"], engine);
        assert!(manifest["created_at"].is_string());
        let files = manifest["files"].as_array().expect("files");
        assert!(files.iter().all(|f| f["sha256"].as_str().is_some_and(|s| s.len() == 64)));
        let tables: BTreeMap<String, i64> = serde_json::from_value(manifest["tables"].clone()).expect("tables");
        for t in ["inspections", "hazards", "hazard_events", "attachments", "attachment_links", "users"] {
            assert!(tables.get(t).is_some_and(|n| *n > 0), "{t} counted: {tables:?}");
        }
        assert_eq!(tables["attachments"] as usize, files.iter().filter(|f| f["path"].as_str().is_some_and(|p| p.starts_with("attachments/"))).count(), "every cited upload is copied");

        // --verify passes as written.
        let out = safetrace_async(vec!["backup".into(), "--verify".into(), backup.to_string_lossy().into_owned()], app.database_url.clone(), data_dir.clone()).await;
        assert!(out.status.success(), "verify: {}", text(&out));

        // Restore into a fresh data directory (and database).
        let restored_dir = tempfile::tempdir().expect("temp dir");
        let (restored_url, _restored_db) = restore_target(&app, restored_dir.path());
        let restore = |force: bool, dir: PathBuf| {
            let mut args = vec!["restore".to_string(), "--from".into(), backup.to_string_lossy().into_owned()];
            if force {
                args.push("--force".into());
            }
            safetrace_async(args, restored_url.clone(), dir)
        };
        let out = restore(false, restored_dir.path().to_path_buf()).await;
        assert!(out.status.success(), "restore: {}", text(&out));
        assert!(text(&out).contains("as the manifest says"), "{}", text(&out));

        // Not again over what is there now, nor into a directory a service uses.
        let out = restore(false, restored_dir.path().to_path_buf()).await;
        assert!(!out.status.success());
        assert!(text(&out).contains("is not empty"), "{}", text(&out));
        {
            let _serving = safetrace::ops::lock::ServiceLock::acquire(restored_dir.path()).expect("lock");
            let out = restore(true, restored_dir.path().to_path_buf()).await;
            assert!(!out.status.success());
            assert!(text(&out).contains("a running safetrace uses"), "{}", text(&out));
        }

        let names: Vec<String> = tables.keys().cloned().collect();
        let (url, n) = (restored_url.clone(), names.clone());
        let restored_counts = actix_web::rt::task::spawn_blocking(move || counts(&url, &n)).await.expect("join");
        assert_eq!(restored_counts, tables, "the restored counts are the manifest's");
        let config = safetrace::config::AppConfig { data_dir: restored_dir.path().to_path_buf(), ..test_config() };
        let copy = TestApp::attach(app.engine, &restored_url, config).await;

        for a in &before {
            let id = a.inspection["id"].as_str().expect("id");
            let got = copy.get(&format!("/api/v1/inspections/{id}")).await;
            assert_eq!(got.status, 200, "inspection {id} acknowledged before the backup");
            assert_eq!(got.body, a.inspection, "whole, with its hazards");
            for h in a.inspection["hazards"].as_array().expect("hazards") {
                let hid = h["id"].as_str().expect("hazard id");
                let original = app.get(&format!("/api/v1/hazards/{hid}")).await;
                let restored = copy.get(&format!("/api/v1/hazards/{hid}")).await;
                assert_eq!(restored.status, 200);
                assert!(!restored.body["events"].as_array().expect("events").is_empty());
                assert_eq!(restored.body, original.body, "the hazard and its events");
            }
            let content = copy.get(&format!("/api/v1/attachments/{}/content", a.photo_id)).await;
            assert_eq!(content.status, 200);
            assert_eq!(sha256_hex(&content.raw), a.photo_sha256, "the photo's bytes");
        }
        // Whatever else the copy holds is whole too: every photo it cites can be read.
        let hazards = copy.all_pages("/api/v1/hazards", 100).await;
        assert_eq!(hazards.len() as i64, tables["hazards"]);
        for h in hazards {
            for p in h["photo_ids"].as_array().expect("photo ids") {
                let content = copy.get(&format!("/api/v1/attachments/{}/content", p.as_str().expect("id"))).await;
                assert_eq!(content.status, 200, "photo {p} of a restored hazard");
            }
        }

        // One byte of one upload changed: --verify fails and says which file.
        let victim = files
            .iter()
            .filter_map(|f| f["path"].as_str())
            .find(|p| p.starts_with("attachments/"))
            .expect("an upload");
        let path = victim.split('/').fold(backup.clone(), |acc, p| acc.join(p));
        let mut bytes = std::fs::read(&path).expect("read");
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x01;
        std::fs::write(&path, &bytes).expect("write");
        let out = safetrace_async(vec!["backup".into(), "--verify".into(), backup.to_string_lossy().into_owned()], app.database_url.clone(), data_dir.clone()).await;
        assert!(!out.status.success(), "a changed byte fails the check");
        assert!(text(&out).contains(victim), "{}", text(&out));
        // And a restore refuses such a backup.
        let elsewhere = tempfile::tempdir().expect("temp dir");
        let out = safetrace_async(
            vec!["restore".into(), "--from".into(), backup.to_string_lossy().into_owned()],
            restored_url.clone(),
            elsewhere.path().to_path_buf(),
        )
        .await;
        assert!(!out.status.success());
        assert!(text(&out).contains("does not match its manifest"), "{}", text(&out));
    }

    async fn a_backup_goes_into_a_new_directory_and_waits_for_the_sweep_lock(app) {
        let data_dir = app.state.config.data_dir.clone();
        std::fs::create_dir_all(&data_dir).expect("data dir");
        let target = tempfile::tempdir().expect("temp dir");
        std::fs::write(target.path().join("old"), b"x").expect("write");
        let out = safetrace_async(vec!["backup".into(), "--to".into(), target.path().to_string_lossy().into_owned()], app.database_url.clone(), data_dir.clone()).await;
        assert!(!out.status.success());
        assert!(text(&out).contains("not empty"), "{}", text(&out));

        // While the maintenance lock is held (an upload sweep running), the backup waits.
        let sweep = safetrace::ops::lock::MaintenanceLock::acquire(&data_dir).expect("lock");
        let to = target.path().join("b");
        let backup = actix_web::rt::spawn(safetrace_async(
            vec!["backup".into(), "--to".into(), to.to_string_lossy().into_owned()],
            app.database_url.clone(),
            data_dir.clone(),
        ));
        actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
        assert!(!to.join("manifest.json").exists(), "no backup while the sweep holds the lock");
        assert!(!backup.is_finished());
        drop(sweep);
        let out = backup.await.expect("join");
        assert!(out.status.success(), "{}", text(&out));
        assert!(to.join("manifest.json").exists());
    }
}
