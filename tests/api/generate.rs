//! `safetrace generate`: a synthetic year the API then serves, the same for the same seed,
//! with every index and key of a freshly migrated database back in place; its user can
//! never log in, and the first start after it still makes `admin`.

use diesel::prelude::*;
use diesel::sql_types::Text;
use serde_json::{json, Value};

use safetrace::generate::{run, GenerateArgs};

use chrono::Datelike;

use crate::both_engines;
use crate::support::*;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The schema's indexes and (on PostgreSQL) validated keys, by name.
fn schema_objects(app: &TestApp) -> Vec<String> {
    let mut conn = app.state.pool.get().expect("connection");
    let q = match app.engine {
        Engine::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name",
        Engine::Postgres => {
            "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() UNION ALL \
             SELECT c.conname || CASE WHEN c.convalidated THEN '' ELSE ' (not valid)' END AS name \
             FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
             WHERE n.nspname = current_schema() ORDER BY name"
        }
    };
    diesel::sql_query(q).load::<Name>(&mut *conn).expect("schema").into_iter().map(|n| n.name).collect()
}

async fn generate(app: &TestApp, hazards: usize, seed: u64) -> String {
    generate_years(app, hazards, seed, None).await
}

async fn generate_years(app: &TestApp, hazards: usize, seed: u64, years: Option<u32>) -> String {
    let args = GenerateArgs {
        hazards,
        seed,
        closure_rate: 0.75,
        from: "2026-01-01".parse().expect("date"),
        days: 320,
        years,
        quiet: true,
    };
    let pool = app.state.pool.clone();
    actix_web::rt::task::spawn_blocking(move || run(&pool, &args, chrono_tz::Asia::Shanghai))
        .await
        .expect("join")
        .expect("generated")
}

/// The status of a login as the generator's user of seed 3.
async fn login_status(app: &TestApp, password: &str) -> u16 {
    let body = json!({"username": "generator-3", "password": password});
    app.post_as(None, "/api/v1/auth/login", &body).await.status
}

/// The `total` of a list asked with `count=true`.
async fn total(app: &TestApp, path: String) -> i64 {
    let r = app.get(&path).await;
    r.body["total"].as_i64().unwrap_or_else(|| panic!("{path}: {:?}", r.body))
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|h| h["id"].as_str().unwrap_or_default().to_string()).collect()
}

both_engines! {
    async fn a_generated_year_is_served_the_same_for_the_same_seed(app) {
        let before = schema_objects(&app);
        let summary = generate(&app, 3000, 7).await;
        assert!(summary.contains("3000 hazards"), "{summary}");
        assert_eq!(schema_objects(&app), before, "every index and key is back, validated");

        let s = app.get("/api/v1/reports/summary?from=2025-01-01&to=2026-12-31").await;
        assert_eq!(s.status, 200, "{:?}", s.body);
        let t = &s.body["totals"];
        assert_eq!(t["hazards_found"], 3000);
        let found = t["hazards_found"].as_i64().unwrap_or(0);
        let closed = t["hazards_closed"].as_i64().unwrap_or(0);
        assert!(closed * 100 > found * 55 && closed * 100 < found * 95, "a real year's closure: {t}");
        assert!(t["hazards_overdue"].as_i64().unwrap_or(0) > 0, "some overdue: {t}");
        assert!(s.body["enforcement"]["actions"].as_i64().unwrap_or(0) > 0, "{}", s.body["enforcement"]);
        // The search indexes are filled too: 燃气 is in every gas hazard's description, and
        // a unit's name starts with its community's.
        let gas = total(&app, "/api/v1/hazards?category=gas&count=true&limit=1".into()).await;
        assert!(gas > 0);
        assert_eq!(total(&app, format!("/api/v1/hazards?q={}&count=true&limit=1", crate::lists::urlencode("燃气"))).await, gas);
        let community = &app.get("/api/v1/communities?q=%E9%87%91%E8%8C%82").await.body["items"][0];
        assert_eq!(community["name"], "金茂路社区");
        let in_community = |kind: &'static str| format!("/api/v1/{kind}?community_id={}&count=true&limit=1", community["id"].as_str().unwrap_or_default());
        let q = crate::lists::urlencode("金茂");
        assert_eq!(total(&app, format!("/api/v1/units?q={q}&count=true&limit=1")).await, total(&app, in_community("units")).await);
        assert_eq!(total(&app, format!("/api/v1/hazards?q={q}&count=true&limit=1")).await, total(&app, in_community("hazards")).await);

        let first = app.get("/api/v1/hazards?limit=50").await;
        assert_eq!(first.status, 200);
        let first = ids(first.body["items"].as_array().expect("items"));
        assert_eq!(first.len(), 50);

        // Another database, the same seed: the same records, ids included.
        let other = TestApp::fresh_with(app.engine, test_config()).await;
        generate(&other, 3000, 7).await;
        let again = other.get("/api/v1/hazards?limit=50").await;
        assert_eq!(ids(again.body["items"].as_array().expect("items")), first);
        let s2 = other.get("/api/v1/reports/summary?from=2025-01-01&to=2026-12-31").await;
        assert_eq!(s2.body["totals"], s.body["totals"]);

        // A non-empty database takes a second seed on top, dropping nothing.
        generate(&app, 500, 8).await;
        assert_eq!(schema_objects(&app), before);
        let s3 = app.get("/api/v1/reports/summary?from=2025-01-01&to=2026-12-31").await;
        assert_eq!(s3.body["totals"]["hazards_found"], 3500);
    }
}

both_engines! {
    async fn after_generate_the_first_start_makes_admin_and_nobody_logs_in_as_the_generator(app) {
        let mut app = TestApp::without_users(app.engine).await;
        generate(&app, 300, 3).await;
        assert_eq!(login_status(&app, "generated-user-password").await, 401, "the password once written in the code");

        // The service's start sees nobody who can log in: it makes `admin`, once.
        let now = safetrace::Moment(default_now());
        let data_dir = app.state.config.data_dir.clone();
        let bootstrap =
            move |conn: &mut safetrace::db::DbConn| safetrace::users::store::bootstrap_admin(conn, None, &data_dir, now);
        let file = app.state.db(bootstrap.clone()).await.expect("bootstrap").expect("admin made on the first start");
        app.take_over_first_admin(&file).await;
        assert_eq!(app.state.db(bootstrap).await.expect("bootstrap"), None, "not on the next start");

        // The generator's user stands in the records as their author, inactive.
        let users = app.get("/api/v1/users?limit=50").await;
        assert_eq!(users.status, 200, "{:?}", users.body);
        let names: Vec<&str> = users.body["items"].as_array().expect("items").iter().filter_map(|u| u["username"].as_str()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
        let generator = users.body["items"].as_array().expect("items").iter().find(|u| u["username"] == "generator-3").expect("generator user").clone();
        assert_eq!(generator["active"], false);
        let hazards = app.get("/api/v1/hazards?limit=1").await;
        let hazard = app.get(&format!("/api/v1/hazards/{}", hazards.body["items"][0]["id"].as_str().expect("hazard id"))).await;
        assert_eq!(hazard.status, 200, "{:?}", hazard.body);
        let created = &hazard.body["events"][0];
        assert_eq!(created["kind"], "created");
        assert_eq!(created["actor"], "数据生成");
        assert_eq!(created["actor_user_id"], generator["id"]);

        // Made active again, it still has no password that logs in.
        let id = generator["id"].as_str().expect("id");
        let r = app.patch(&format!("/api/v1/users/{id}"), &json!({"version": generator["version"], "active": true})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["active"], true);
        assert_eq!(login_status(&app, "generated-user-password").await, 401);
        assert_eq!(login_status(&app, "").await, 401);
    }
}

both_engines! {
    async fn years_spread_the_hazards_evenly_each_year_with_its_history(app) {
        let summary = generate_years(&app, 3_000, 5, Some(3)).await;
        // The years end with the real current one; ask as of the real now.
        app.clock.set(chrono::Utc::now());
        assert!(summary.contains("3000 hazards"), "{summary}");
        let this_year = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive().year();
        let mut found = Vec::new();
        for year in this_year - 2..=this_year {
            let r = app.get(&format!("/api/v1/reports/summary?from={year}-01-01&to={year}-12-31")).await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            let totals = &r.body["totals"];
            found.push(totals["hazards_found"].as_i64().unwrap_or(-1));
            // Each year has its history: closures and open hazards, not only findings.
            assert!(totals["hazards_closed"].as_i64().unwrap_or(0) > 0, "{year}: {totals}");
            assert!(totals["hazards_open"].as_i64().unwrap_or(0) > 0, "{year}: {totals}");
        }
        assert_eq!(found, vec![1_000, 1_000, 1_000]);
        let before = app.get(&format!("/api/v1/reports/summary?from={}-01-01&to={}-12-31", this_year - 3, this_year - 3)).await;
        assert_eq!(before.body["totals"]["hazards_found"], 0);
    }
}
