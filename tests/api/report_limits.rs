//! Reports under a time limit: past `SAFETRACE_REPORT_TIMEOUT_SECONDS` a report answers 503
//! with `Retry-After`, and its connection goes back to the pool clean.

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use safetrace::config::AppConfig;
use safetrace::generate::{run, GenerateArgs};

use crate::both_engines;
use crate::support::*;

async fn generate(app: &TestApp, hazards: usize) {
    let args = GenerateArgs {
        hazards,
        seed: 7,
        closure_rate: 0.75,
        from: "2026-01-01".parse().expect("date"),
        days: 320,
        years: None,
        quiet: true,
    };
    let pool = app.state.pool.clone();
    actix_web::rt::task::spawn_blocking(move || run(&pool, &args, chrono_tz::Asia::Shanghai))
        .await
        .expect("join")
        .expect("generated");
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    statement_timeout: String,
}

/// A statement that takes far longer than a millisecond, on every pooled connection at
/// once: none may still carry a report's limit.
async fn pool_is_clean(app: &TestApp) {
    let engine = app.engine;
    let runs = (0..8).map(|_| {
        app.state.db(move |conn| {
            let long = match engine {
                Engine::Sqlite => {
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) \
                     SELECT COUNT(*) AS n FROM c"
                }
                Engine::Postgres => "SELECT COUNT(*) AS n FROM generate_series(1, 2000000)",
            };
            let n = diesel::sql_query(long).get_result::<Count>(conn)?.n;
            if engine == Engine::Postgres {
                let s = diesel::sql_query("SHOW statement_timeout").get_result::<Setting>(conn)?;
                assert_eq!(s.statement_timeout, "0", "no limit left on the connection");
            }
            Ok(n)
        })
    });
    for n in futures_util::future::join_all(runs).await {
        assert!(n.expect("a long statement on a clean connection") >= 300_000);
    }
}

fn assert_retry_later(r: &Resp, what: &str) {
    assert_eq!(r.status, 503, "{what}: {:?}", r.body);
    assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    assert_eq!(r.body["type"], "/problems/unavailable", "{what}");
    let after: u64 = r.header("retry-after").and_then(|v| v.parse().ok()).expect("Retry-After seconds");
    assert!(after >= 1);
}

both_engines! {
    async fn a_report_past_its_time_limit_is_503_and_leaves_its_connection_clean(app) {
        let config = AppConfig { report_timeout: Duration::from_millis(1), ..test_config() };
        let slow = TestApp::fresh_with(app.engine, config).await;
        generate(&slow, 4000).await;
        let r = slow.get("/api/v1/reports/monthly?month=2026-06").await;
        assert_retry_later(&r, "the monthly report");
        let r = slow.get("/api/v1/reports/monthly.xlsx?month=2026-06").await;
        assert_retry_later(&r, "the monthly workbook");
        let r = slow.get("/api/v1/hazards.csv").await;
        assert_retry_later(&r, "the ledger");
        let r = slow
            .get("/api/v1/reports/summary?from=2026-01-01&to=2026-11-20&as_of=2026-10-01T00:00:00Z&group_by=community")
            .await;
        assert_retry_later(&r, "a summary");
        pool_is_clean(&slow).await;
        let r = slow.get("/api/v1/hazards?limit=5").await;
        assert_eq!(r.status, 200, "other requests are served: {:?}", r.body);

        // Under the default limit the same reports are built.
        generate(&app, 4000).await;
        assert_eq!(app.get("/api/v1/reports/monthly?month=2026-06").await.status, 200);
        let r = app
            .get("/api/v1/reports/summary?from=2026-01-01&to=2026-11-20&as_of=2026-10-01T00:00:00Z&group_by=community")
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        pool_is_clean(&app).await;
    }
}
