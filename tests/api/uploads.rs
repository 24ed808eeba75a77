//! Disk: the daily upload quota per user, and the sweep of uploads no record cited in time.

use serde_json::json;

use safetrace::attachments::sweep;
use safetrace::config::AppConfig;

use crate::both_engines;
use crate::support::*;
use crate::workflow::{png_bytes, upload_photo};

const BOUNDARY: &str = "----safetrace-uploads";

/// Uploads `bytes` under the client id `id` (if any) as `token`: the answer.
async fn upload(app: &TestApp, token: &str, id: Option<&str>, bytes: &[u8]) -> Resp {
    let mut body = Vec::new();
    if let Some(id) = id {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n{id}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let req = app
        .server
        .request(actix_web::http::Method::POST, app.server.url("/api/v1/attachments"))
        .insert_header(("content-type", format!("multipart/form-data; boundary={BOUNDARY}")))
        .insert_header(("authorization", format!("Bearer {token}")));
    let mut res = req.send_body(body).await.expect("sent");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let raw = res.body().await.expect("body").to_vec();
    let body = serde_json::from_slice(&raw).unwrap_or(serde_json::Value::Null);
    Resp { status, headers, body, raw }
}

/// A PNG of about `size` bytes (its signature, then padding), different per `seed`.
fn photo(seed: u8, size: usize) -> Vec<u8> {
    let mut b = png_bytes(seed);
    b.resize(size, seed);
    b
}

fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|d| d.flatten().map(|e| if e.path().is_dir() { count(&e.path()) } else { 1 }).sum())
            .unwrap_or(0)
    }
    count(&app.state.config.data_dir.join("attachments"))
}

both_engines! {
    async fn uploads_stop_at_the_daily_quota_until_local_midnight(app) {
        let config = AppConfig { upload_quota_bytes: 10_000, ..test_config() };
        let app = TestApp::fresh_with(app.engine, config).await;
        let t = app.user("insp", "inspector", None).await;
        let other = app.user("insp2", "inspector", None).await;
        // 10:00 in Changsha (02:00Z): midnight is 14 hours away.
        let id = uuid::Uuid::now_v7().to_string();
        assert_eq!(upload(&app, &t, Some(&id), &photo(1, 6_000)).await.status, 201);
        assert_eq!(upload(&app, &t, None, &photo(2, 4_000)).await.status, 201, "exactly the quota");
        let r = upload(&app, &t, None, &photo(3, 100)).await;
        assert_eq!(r.status, 429, "{:?}", r.body);
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
        assert_eq!(r.header("retry-after").as_deref(), Some("50400"), "seconds until local midnight");
        // A replay costs nothing and is still answered.
        let replay = upload(&app, &t, Some(&id), &photo(1, 6_000)).await;
        assert_eq!(replay.status, 200, "{:?}", replay.body);
        // Another user has a quota of their own.
        assert_eq!(upload(&app, &other, None, &photo(4, 5_000)).await.status, 201);
        // A minute before local midnight, still refused; at midnight a new day begins.
        app.clock.set("2026-11-25T15:59:00Z".parse().expect("moment"));
        let r = upload(&app, &t, None, &photo(3, 100)).await;
        assert_eq!(r.status, 429);
        assert_eq!(r.header("retry-after").as_deref(), Some("60"));
        app.clock.set("2026-11-25T16:00:00Z".parse().expect("moment"));
        assert_eq!(upload(&app, &t, None, &photo(3, 100)).await.status, 201);
    }

    async fn uploads_nobody_cited_are_swept_and_cited_ones_stay(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let t = app.user("insp", "inspector", Some(vec![&c])).await;
        let cited = upload_photo(&app, &t, 1).await;
        let orphan = upload_photo(&app, &t, 2).await;
        // The same bytes as the orphan, under another id, uploaded later.
        let twin_bytes = png_bytes(2);
        let mut body = inspection(&u, "2026-11-25T09:00:00+08:00", vec![]);
        body["attachment_ids"] = json!([cited]);
        assert_eq!(app.post_as(Some(&t), "/api/v1/inspections", &body).await.status, 201);

        // 29 days on, nothing goes.
        app.clock.advance(chrono::Duration::days(29));
        let twin = upload(&app, &t, None, &twin_bytes).await;
        assert_eq!(twin.status, 201);
        let twin = twin.id();
        let files = stored_files(&app);
        assert_eq!(files, 2, "the twin shares the orphan's file");
        let swept = sweep::run(&app.state).await.expect("sweep").expect("the lock was free");
        assert_eq!(swept.uploads, 0);

        // At 30 days the orphan goes; its file stays while the twin keeps it.
        app.clock.advance(chrono::Duration::days(1) + chrono::Duration::seconds(1));
        let swept = sweep::run(&app.state).await.expect("sweep").expect("the lock was free");
        assert_eq!(swept, sweep::Swept { uploads: 1, files: 0 });
        let meta = app.get_as(Some(&t), &format!("/api/v1/attachments/{orphan}")).await;
        assert_eq!(meta.status, 200, "the row stays");
        assert!(meta.body["removed_at"].is_string(), "{:?}", meta.body);
        assert_eq!(app.get_as(Some(&t), &format!("/api/v1/attachments/{orphan}/content")).await.status, 404);
        assert_eq!(app.get_as(Some(&t), &format!("/api/v1/attachments/{twin}/content")).await.status, 200);
        assert_eq!(app.get_as(Some(&t), &format!("/api/v1/attachments/{cited}/content")).await.status, 200, "cited: kept");
        assert_eq!(stored_files(&app), 2);
        // A removed upload cannot be cited any more.
        let mut body = inspection(&u, "2026-12-25T09:00:00+08:00", vec![]);
        body["attachment_ids"] = json!([orphan]);
        let r = app.post_as(Some(&t), "/api/v1/inspections", &body).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_code("attachment_ids[0]").as_deref(), Some("not_found"));

        // When the twin goes too, so does the file; the cited one never does.
        app.clock.advance(chrono::Duration::days(40));
        let swept = sweep::run(&app.state).await.expect("sweep").expect("the lock was free");
        assert_eq!(swept, sweep::Swept { uploads: 1, files: 1 });
        assert_eq!(stored_files(&app), 1);
        assert_eq!(app.get_as(Some(&t), &format!("/api/v1/attachments/{cited}/content")).await.status, 200);
        let again = sweep::run(&app.state).await.expect("sweep").expect("the lock was free");
        assert_eq!(again, sweep::Swept::default(), "nothing twice");
    }

    async fn the_sweep_waits_for_the_maintenance_lock(app) {
        let t = app.user("insp", "inspector", None).await;
        upload_photo(&app, &t, 1).await;
        app.clock.advance(chrono::Duration::days(31));
        let held = safetrace::ops::lock::MaintenanceLock::acquire(&app.state.config.data_dir).expect("lock");
        assert_eq!(sweep::run(&app.state).await.expect("sweep"), None, "a backup holds the lock");
        assert_eq!(stored_files(&app), 1);
        drop(held);
        let swept = sweep::run(&app.state).await.expect("sweep").expect("free now");
        assert_eq!(swept, sweep::Swept { uploads: 1, files: 1 });
        assert_eq!(stored_files(&app), 0);
    }
}
