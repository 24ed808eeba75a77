//! Metrics: scraped from the metrics listener's app (never the public port), each app with
//! its own recorder, so every delta below is exactly what this test sent.

use std::time::Duration;

use serde_json::json;

use crate::both_engines;
use crate::support::*;
use crate::workflow::upload_photo;

/// The metrics listener of this app, as `safetrace serve` starts it on `SAFETRACE_METRICS_BIND`.
fn metrics_server(app: &TestApp) -> actix_test::TestServer {
    let state = app.state.clone();
    actix_test::start(move || safetrace::ops::metrics::app(state.clone()))
}

async fn scrape(server: &actix_test::TestServer) -> String {
    let mut res = server.get("/metrics").send().await.expect("scrape sent");
    assert_eq!(res.status().as_u16(), 200);
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    String::from_utf8(res.body().await.expect("body").to_vec()).expect("utf-8")
}

/// The value of one series (name with its labels, as rendered); 0 when absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .map(|v| v.trim().parse().expect("a number"))
        .unwrap_or(0.0)
}

fn requests(route: &str, method: &str, status: &str) -> String {
    format!("safetrace_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}}")
}

both_engines! {
    async fn counters_move_by_exactly_what_was_sent(app) {
        let metrics = metrics_server(&app);
        let before = scrape(&metrics).await;

        for _ in 0..3 {
            let r = app.get(&format!("/api/v1/hazards/{}", uuid::Uuid::now_v7())).await;
            assert_eq!(r.status, 404);
        }
        for _ in 0..2 {
            assert_eq!(app.get("/api/v1/communities").await.status, 200);
        }
        assert_eq!(app.get("/no/such/path").await.status, 404);
        let photo = upload_photo(&app, &app.token, 7).await;
        let size = app.get(&format!("/api/v1/attachments/{photo}")).await.body["size"].as_f64().expect("size");
        // Three wrong passwords slow the username down: the fourth attempt is refused.
        for _ in 0..3 {
            let r = app.post_as(None, "/api/v1/auth/login", &json!({"username": "nobody", "password": "wrong-password"})).await;
            assert_eq!(r.status, 401);
        }
        let r = app.post_as(None, "/api/v1/auth/login", &json!({"username": "nobody", "password": "wrong-password"})).await;
        assert_eq!(r.status, 429);

        let after = scrape(&metrics).await;
        let delta = |series: &str| value(&after, series) - value(&before, series);
        assert_eq!(delta(&requests("/api/v1/hazards/{id}", "GET", "4xx")), 3.0, "by route template:\n{after}");
        assert_eq!(delta(&requests("/api/v1/communities", "GET", "2xx")), 2.0);
        assert_eq!(delta(&requests("unmatched", "GET", "4xx")), 1.0);
        assert_eq!(delta(&requests("/api/v1/attachments", "POST", "2xx")), 1.0);
        assert_eq!(delta(&requests("/api/v1/auth/login", "POST", "4xx")), 4.0);
        assert!(!after.contains("/no/such/path"), "never a raw path");
        assert_eq!(
            delta("safetrace_http_request_duration_seconds_count{route=\"/api/v1/hazards/{id}\",method=\"GET\"}"),
            3.0
        );
        assert!(after.contains("safetrace_http_request_duration_seconds_bucket{route=\"/api/v1/hazards/{id}\",method=\"GET\",le=\"0.005\"}"));
        assert_eq!(delta("safetrace_uploads_stored_total"), 1.0);
        assert_eq!(delta("safetrace_uploads_stored_bytes_total"), size);
        assert_eq!(delta("safetrace_logins_throttled_total"), 1.0);

        let pool = value(&after, "safetrace_db_pool_max_connections");
        assert_eq!(pool, 4.0, "the test pool's size");
        let in_use = value(&after, "safetrace_db_pool_connections{state=\"in_use\"}");
        let idle = value(&after, "safetrace_db_pool_connections{state=\"idle\"}");
        assert!(in_use >= 0.0 && idle >= 1.0 && in_use + idle <= pool, "in use {in_use}, idle {idle}");
        assert!(value(&after, "safetrace_db_pool_wait_seconds_count") > value(&before, "safetrace_db_pool_wait_seconds_count"));

        // The public port has no metrics.
        let r = app.get("/metrics").await;
        assert_eq!(r.status, 404);
        assert_eq!(r.body["type"], "/problems/not-found");
    }

    async fn reports_waiting_for_a_permit_are_counted(app) {
        let metrics = metrics_server(&app);
        // Hold every build permit, as reports being built would.
        let permits = app.state.report_builds.clone().acquire_many_owned(2).await.expect("permits");
        let url = app.server.url("/api/v1/reports/monthly?month=2026-11");
        let token = app.token.clone();
        let waiting = actix_web::rt::spawn(async move {
            awc::Client::default().get(url).bearer_auth(token).send().await.map(|r| r.status().as_u16())
        });
        let mut seen = 0.0;
        for _ in 0..100 {
            seen = value(&scrape(&metrics).await, "safetrace_reports_waiting");
            if seen == 1.0 {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(seen, 1.0, "the report waits for a permit");
        assert_eq!(value(&scrape(&metrics).await, "safetrace_reports_building"), 0.0);
        drop(permits);
        assert_eq!(waiting.await.expect("join").expect("answered"), 200);
        let text = scrape(&metrics).await;
        assert_eq!(value(&text, "safetrace_reports_waiting"), 0.0);
        assert_eq!(value(&text, "safetrace_reports_building"), 0.0);
    }

    async fn hazard_gauges_per_community_are_refreshed_not_computed_per_scrape(app) {
        let metrics = metrics_server(&app);
        let c = app.community("G01").await;
        let unit = app.unit(&c, "restaurant").await;
        app.community("G02").await;
        // Found on 2026-11-01: one deadline long past (overdue on 2026-11-25), one major
        // with a deadline to come, and one fixed on the spot (closed).
        let mut major = deadline_hazard("gas", "2026-12-31");
        major["level"] = json!("major");
        app.submit(&inspection(&unit, "2026-11-01T02:00:00Z", vec![
            deadline_hazard("fire_separation", "2026-11-10"),
            major,
            spot_hazard("evacuation"),
        ])).await;

        let stale = scrape(&metrics).await;
        assert!(!stale.contains("safetrace_hazards_open{community=\"G01\"}"), "nothing before the first refresh");
        safetrace::ops::metrics::refresh_hazards(&app.state).await.expect("refresh");
        let text = scrape(&metrics).await;
        assert_eq!(value(&text, "safetrace_hazards_open{community=\"G01\"}"), 2.0, "{text}");
        assert_eq!(value(&text, "safetrace_hazards_overdue{community=\"G01\"}"), 1.0);
        assert_eq!(value(&text, "safetrace_hazards_major_open{community=\"G01\"}"), 1.0);
        assert!(text.contains("safetrace_hazards_open{community=\"G02\"} 0"), "a quiet community shows 0");
        assert!(value(&text, "safetrace_hazard_gauges_refreshed_timestamp_seconds") > 0.0);

        // A new hazard moves the gauges at the next refresh, not at the next scrape.
        app.submit(&inspection(&unit, "2026-11-02T02:00:00Z", vec![deadline_hazard("gas", "2026-11-05")])).await;
        let text = scrape(&metrics).await;
        assert_eq!(value(&text, "safetrace_hazards_open{community=\"G01\"}"), 2.0);
        safetrace::ops::metrics::refresh_hazards(&app.state).await.expect("refresh");
        let text = scrape(&metrics).await;
        assert_eq!(value(&text, "safetrace_hazards_open{community=\"G01\"}"), 3.0);
        assert_eq!(value(&text, "safetrace_hazards_overdue{community=\"G01\"}"), 2.0);
    }
}

#[test]
fn build_info_names_the_version_and_the_engine() {
    let metrics = safetrace::ops::metrics::Metrics::new();
    metrics.build_info(safetrace::db::Engine::Postgresql);
    let pool = diesel::r2d2::Pool::builder()
        .max_size(1)
        .min_idle(Some(0))
        .build_unchecked(diesel::r2d2::ConnectionManager::<safetrace::db::DbConn>::new(":memory:"));
    let text = metrics.render(&pool);
    let series = format!("safetrace_build_info{{version=\"{}\",engine=\"postgresql\"}} 1", env!("CARGO_PKG_VERSION"));
    assert!(text.contains(&series), "{text}");
    assert!(text.contains("# HELP safetrace_build_info"), "described");
}
