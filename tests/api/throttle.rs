//! Login throttling: strangers cannot lock a user out, parallel guesses cannot outrun the
//! count, every attempt costs the same, and the counts stay bounded.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use actix_web::http::Method;
use chrono::Duration as Span;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;

/// The test server sits behind a "reverse proxy" on 127.0.0.1, so a request's
/// `X-Forwarded-For` says which client address it comes from.
fn behind_proxy() -> safetrace::config::AppConfig {
    let mut config = test_config();
    config.trusted_proxies = vec!["127.0.0.1".parse().expect("an address")];
    config
}

async fn login_from(app: &TestApp, address: &str, username: &str, password: &str) -> Resp {
    let body = json!({"username": username, "password": password});
    app.request_with(None, Method::POST, "/api/v1/auth/login", Some(&body), &[("x-forwarded-for", address)]).await
}

fn checks(app: &TestApp) -> u64 {
    app.state.password_checks.load(Ordering::SeqCst)
}

async fn throttle_rows(app: &TestApp) -> i64 {
    use safetrace::db::schema::login_throttle;
    app.state.db(|conn| Ok(login_throttle::table.count().get_result::<i64>(conn)?)).await.expect("count")
}

/// Five wrong passwords for `username` from `address`, waiting out the slow-down between them.
async fn lock_pair(app: &TestApp, address: &str, username: &str) {
    for i in 0..5 {
        let r = login_from(app, address, username, "not-the-password").await;
        assert_eq!(r.status, 401, "failure {i}: {:?}", r.body);
        app.clock.advance(Span::seconds(8));
    }
    let r = login_from(app, address, username, "still-not-it").await;
    assert_eq!(r.status, 429, "{:?}", r.body);
}

/// POSTs every body to the login at once, each from its own task with its own client,
/// and answers the statuses in the order given.
async fn parallel_logins(app: &TestApp, bodies: Vec<Value>) -> Vec<u16> {
    let url = app.server.url("/api/v1/auth/login");
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let url = url.clone();
            actix_web::rt::spawn(async move {
                let client = awc::Client::builder().timeout(Duration::from_secs(60)).finish();
                let res = client.post(url).send_json(&body).await.expect("request sent");
                res.status().as_u16()
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

both_engines! {
    async fn a_stranger_cannot_lock_a_user_out(app) {
        let app = TestApp::fresh_with(app.engine, behind_proxy()).await;
        lock_pair(&app, "203.0.113.5", "admin").await;
        // The right password from another address gets in at once…
        let r = login_from(&app, "198.51.100.7", "admin", ADMIN_PASSWORD).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        // …while the guesser's address stays locked for this username, right password or not.
        let r = login_from(&app, "203.0.113.5", "admin", ADMIN_PASSWORD).await;
        assert_eq!(r.status, 429, "{:?}", r.body);
        assert_eq!(r.body["type"], "/problems/rate-limited");
        let retry: u64 = r.header("retry-after").and_then(|v| v.parse().ok()).expect("Retry-After");
        assert!((850..=900).contains(&retry), "{retry}");
        // A lock lifts by itself.
        app.clock.advance(Span::seconds(retry as i64));
        assert_eq!(login_from(&app, "203.0.113.5", "admin", ADMIN_PASSWORD).await.status, 200);
    }

    async fn forwarded_addresses_count_only_behind_a_trusted_proxy(app) {
        // No trusted proxy (the default): X-Forwarded-For is the client's word and ignored,
        // so a guesser cannot dodge the count by inventing addresses.
        for i in 0..3 {
            let r = login_from(&app, &format!("198.51.100.{i}"), "admin", "not-the-password").await;
            assert_eq!(r.status, 401);
        }
        let r = login_from(&app, "198.51.100.99", "admin", "not-the-password").await;
        assert_eq!(r.status, 429, "every attempt came from 127.0.0.1: {:?}", r.body);
        // Behind the proxy, its own address in the header is skipped: the client is the
        // right-most entry the proxy did not add.
        let app = TestApp::fresh_with(app.engine, behind_proxy()).await;
        for _ in 0..3 {
            let r = login_from(&app, "6.6.6.6, 203.0.113.5, 127.0.0.1", "admin", "not-the-password").await;
            assert_eq!(r.status, 401);
        }
        assert_eq!(login_from(&app, "1.1.1.1, 203.0.113.5", "admin", "x-x-x-x-x-x").await.status, 429);
        assert_eq!(login_from(&app, "203.0.113.5, 198.51.100.7", "admin", ADMIN_PASSWORD).await.status, 200);
    }

    async fn an_address_is_locked_after_fifty_failures_with_any_usernames(app) {
        let app = TestApp::fresh_with(app.engine, behind_proxy()).await;
        for i in 0..50 {
            let r = login_from(&app, "203.0.113.5", &format!("guess{i}"), "not-the-password").await;
            assert_eq!(r.status, 401, "failure {i}: {:?}", r.body);
        }
        let r = login_from(&app, "203.0.113.5", "admin", ADMIN_PASSWORD).await;
        assert_eq!(r.status, 429, "the address is locked: {:?}", r.body);
        assert_eq!(r.header("retry-after").as_deref(), Some("900"));
        assert_eq!(login_from(&app, "203.0.113.6", "admin", ADMIN_PASSWORD).await.status, 200, "another address is not");
        app.clock.advance(Span::seconds(900));
        assert_eq!(login_from(&app, "203.0.113.5", "admin", ADMIN_PASSWORD).await.status, 200);
    }

    async fn a_username_under_attack_is_slowed_but_never_refused(app) {
        let mut config = behind_proxy();
        config.throttle.hold_unit = Duration::from_millis(100);
        let app = TestApp::fresh_with(app.engine, config).await;
        // Twelve failures from twelve addresses: none is refused; from the tenth on each
        // answer is held (100, 200, 400 ms here; 1, 2, 4 … 8 s by default).
        for i in 0..12 {
            let started = Instant::now();
            let r = login_from(&app, &format!("198.51.100.{i}"), "admin", "not-the-password").await;
            assert_eq!(r.status, 401, "failure {i}: {:?}", r.body);
            if i >= 9 {
                let held = Duration::from_millis(100 << (i - 9));
                assert!(started.elapsed() >= held, "failure {i} answered after {:?}", started.elapsed());
            }
        }
        // The right password from a fresh address gets in, held 800 ms (the longest).
        let started = Instant::now();
        let r = login_from(&app, "203.0.113.77", "admin", ADMIN_PASSWORD).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert!(started.elapsed() >= Duration::from_millis(800), "{:?}", started.elapsed());
        // Fifteen minutes later the username's count is forgotten.
        app.clock.advance(Span::minutes(15));
        let started = Instant::now();
        assert_eq!(login_from(&app, "203.0.113.78", "admin", ADMIN_PASSWORD).await.status, 200);
        assert!(started.elapsed() < Duration::from_millis(800));
    }

    async fn unlock_and_new_passwords_clear_a_username(app) {
        let app = TestApp::fresh_with(app.engine, behind_proxy()).await;
        let r = app.post("/api/v1/users", &json!({"username": "zhang", "password": "jinmao-road-2026", "role": "viewer"})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let zhang = r.id();
        // An admin's unlock.
        lock_pair(&app, "203.0.113.5", "zhang").await;
        let r = app.post(&format!("/api/v1/users/{zhang}/unlock"), &json!({})).await;
        assert_eq!(r.status, 204, "{:?}", r.body);
        assert_eq!(login_from(&app, "203.0.113.5", "zhang", "jinmao-road-2026").await.status, 200);
        let inspector = app.user("li", "inspector", None).await;
        let r = app.post_as(Some(&inspector), &format!("/api/v1/users/{zhang}/unlock"), &json!({})).await;
        assert_eq!(r.status, 403, "admins only");
        // `safetrace user unlock NAME`.
        lock_pair(&app, "203.0.113.5", "zhang").await;
        let (pool, data_dir) = (app.state.pool.clone(), app.state.config.data_dir.clone());
        let cmd = safetrace::config::UserCommand::Unlock { username: "Zhang".into() };
        actix_web::rt::task::spawn_blocking(move || safetrace::cli::run(&pool, &data_dir, cmd)).await.expect("join").expect("unlocked");
        assert_eq!(login_from(&app, "203.0.113.5", "zhang", "jinmao-road-2026").await.status, 200);
        // A new password set by an admin.
        lock_pair(&app, "203.0.113.5", "zhang").await;
        let version = app.get(&format!("/api/v1/users/{zhang}")).await.body["version"].clone();
        let r = app.patch(&format!("/api/v1/users/{zhang}"), &json!({"version": version, "password": "jinmao-lead-2027"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(login_from(&app, "203.0.113.5", "zhang", "jinmao-lead-2027").await.status, 200);
    }

    async fn parallel_guesses_get_no_more_checks_than_the_limit(app) {
        // No slow-down before the lock here, so the limit itself is what stops them.
        let mut config = test_config();
        config.throttle.slow_after = 5;
        let app = TestApp::fresh_with(app.engine, config).await;
        let before = checks(&app);
        let guesses = (0..100).map(|i| json!({"username": "admin", "password": format!("guess-number-{i}")})).collect();
        let statuses = parallel_logins(&app, guesses).await;
        let count = |s: u16| statuses.iter().filter(|x| **x == s).count();
        assert_eq!((count(401), count(429), count(401) + count(429)), (5, 95, 100), "{statuses:?}");
        assert_eq!(checks(&app) - before, 5, "five passwords checked, no more");
        assert_eq!(app.post_as(None, "/api/v1/auth/login", &json!({"username": "admin", "password": ADMIN_PASSWORD})).await.status, 429);
    }

    async fn a_right_password_hidden_among_parallel_guesses_gets_no_extra_tries(app) {
        // The clock stands still: after 3 counted attempts the pair must wait 1 s, so every
        // later one is refused unchecked, as if the 30 had come one after another in the
        // order their counts were taken. The right password (tenth as sent) gets in only
        // if it was among the 3 let through; then it clears the count, as any success
        // does, and at most 3 more guesses are checked.
        let before = checks(&app);
        let bodies = (0..30)
            .map(|i| {
                let password = if i == 9 { ADMIN_PASSWORD.to_string() } else { format!("guess-number-{i}") };
                json!({"username": "admin", "password": password})
            })
            .collect();
        let statuses = parallel_logins(&app, bodies).await;
        let checked = checks(&app) - before;
        let count = |s: u16| statuses.iter().filter(|x| **x == s).count() as u64;
        assert_eq!(count(200) + count(401) + count(429), 30, "{statuses:?}");
        assert_eq!(count(200) + count(401), checked, "only checked attempts get an answer but 429: {statuses:?}");
        if statuses[9] == 200 {
            assert!(count(401) <= 2 + 3, "{statuses:?}");
        } else {
            assert_eq!(statuses[9], 429);
            assert_eq!((count(200), count(401)), (0, 3), "{statuses:?}");
        }
    }

    async fn every_attempt_costs_one_verification_whatever_the_account(app) {
        let app = TestApp::fresh_with(app.engine, behind_proxy()).await;
        for name in ["active", "inactive"] {
            let r = app.post("/api/v1/users", &json!({"username": name, "password": "jinmao-road-2026", "role": "viewer"})).await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            if name == "inactive" {
                assert_eq!(app.post(&format!("/api/v1/users/{}/deactivate", r.id()), &json!({})).await.status, 200);
            }
        }
        let cases = [
            ("active", "jinmao-road-2026", 200),
            ("active", "jinmao-road-2027", 401),
            ("inactive", "jinmao-road-2026", 401),
            ("inactive", "jinmao-road-2027", 401),
            ("nobody", "jinmao-road-2026", 401),
        ];
        for (i, (name, password, status)) in cases.into_iter().enumerate() {
            let before = checks(&app);
            let r = login_from(&app, &format!("198.51.100.{i}"), name, password).await;
            assert_eq!(r.status, status, "{name}: {:?}", r.body);
            assert_eq!(checks(&app) - before, 1, "{name} with {password}: one verification");
        }
    }

    async fn throttle_rows_are_bounded_and_purged(app) {
        let mut config = behind_proxy();
        config.throttle.max_rows = 12;
        let app = TestApp::fresh_with(app.engine, config).await;
        // A flood of random usernames from many addresses: 3 rows each, at most 12 kept.
        for i in 0..20 {
            let r = login_from(&app, &format!("198.51.100.{i}"), &format!("random{i}"), "not-the-password").await;
            assert_eq!(r.status, 401);
            assert!(throttle_rows(&app).await <= 12, "after attempt {i}: {}", throttle_rows(&app).await);
            app.clock.advance(Span::seconds(1));
        }
        assert_eq!(throttle_rows(&app).await, 12);
        // The newest counts are the ones kept: the last guesser is still counted.
        for _ in 0..2 {
            assert_eq!(login_from(&app, "198.51.100.19", "random19", "not-the-password").await.status, 401);
        }
        assert_eq!(login_from(&app, "198.51.100.19", "random19", "not-the-password").await.status, 429);
        // Once their window has passed, rows are purged.
        app.clock.advance(Span::minutes(16));
        assert_eq!(login_from(&app, "198.51.100.200", "admin", "not-the-password").await.status, 401);
        assert_eq!(throttle_rows(&app).await, 3, "only the newest attempt's rows");
    }
}
