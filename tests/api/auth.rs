//! Authentication: login, tokens that expire and are revoked, throttling, the first admin.

use actix_web::http::Method;
use diesel::prelude::*;
use serde_json::json;

use crate::both_engines;
use crate::support::*;

/// `last_used_at` of the token, read straight from the database.
async fn last_used(app: &TestApp, token: &str) -> safetrace::Moment {
    use safetrace::db::schema::auth_tokens;
    let digest = safetrace::auth::token::digest(token);
    app.state
        .db(move |conn| {
            Ok(auth_tokens::table
                .filter(auth_tokens::token_hash.eq(digest))
                .select(auth_tokens::last_used_at)
                .first::<safetrace::Moment>(conn)?)
        })
        .await
        .expect("token row")
}

async fn attempt(app: &TestApp, password: &str) -> Resp {
    app.post_as(None, "/api/v1/auth/login", &json!({"username": "admin", "password": password})).await
}

both_engines! {
    async fn a_burst_of_logins_queues_for_hashing_and_every_one_gets_in(app) {
        // Password checks run one per core at a time; the rest wait, none is refused. (Six
        // people from one office address: a burst of one username from one address is
        // slowed like guesses, since each attempt counts before its password is checked.)
        let names: Vec<String> = (0..6).map(|i| format!("user{i}")).collect();
        for name in &names {
            let r = app.post("/api/v1/users", &json!({"username": name, "password": "jinmao-road-2026", "role": "viewer"})).await;
            assert_eq!(r.status, 201, "{:?}", r.body);
        }
        let logins = names.iter().map(|name| app.login(name, "jinmao-road-2026"));
        let tokens = futures_util::future::join_all(logins).await;
        let mut distinct = tokens.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 6, "six sessions");
        for t in &tokens {
            assert_eq!(app.get_as(Some(t), "/api/v1/auth/me").await.status, 200);
        }
    }

    async fn login_gives_a_token_and_wrong_credentials_a_401(app) {
        let r = app.post_as(None, "/api/v1/auth/login", &json!({"username": "admin", "password": ADMIN_PASSWORD})).await;
        assert_eq!(r.status, 200);
        let token = r.body["token"].as_str().expect("token");
        assert!(token.len() > 40);
        assert_eq!(r.body["expires_at"], "2036-11-22T02:00:00Z", "ten years in tests");
        assert_eq!(r.body["user"]["role"], "admin");
        assert!(r.body["user"].get("password_hash").is_none());
        let me = app.get_as(Some(token), "/api/v1/auth/me").await;
        assert_eq!(me.status, 200);
        assert_eq!(me.body["username"], "admin");

        let wrong = app.post_as(None, "/api/v1/auth/login", &json!({"username": "admin", "password": "not-the-password"})).await;
        assert_eq!(wrong.status, 401);
        assert_eq!(wrong.body["type"], "/problems/unauthorized");
        let unknown = app.post_as(None, "/api/v1/auth/login", &json!({"username": "nobody", "password": "not-the-password"})).await;
        assert_eq!(unknown.status, 401);
        // Each answer names its own request (`instance`); nothing else may differ.
        let without_instance = |mut v: serde_json::Value| {
            v.as_object_mut().map(|o| o.remove("instance"));
            v
        };
        assert_eq!(
            without_instance(unknown.body),
            without_instance(wrong.body),
            "the answer never tells whether the username exists"
        );
    }

    async fn requests_without_a_valid_token_are_401(app) {
        for path in ["/api/v1/hazards", "/api/v1/units", "/api/v1/communities", "/api/v1/users", "/api/v1/auth/me"] {
            let r = app.get_as(None, path).await;
            assert_eq!(r.status, 401, "{path}");
            assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"));
            assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
            let r = app.get_as(Some("st_not-a-real-token"), path).await;
            assert_eq!(r.status, 401, "{path}");
        }
        let r = app.post_as(None, "/api/v1/communities", &json!({"name": "x", "code": "X"})).await;
        assert_eq!(r.status, 401);
        assert_eq!(app.get("/api/v1/communities").await.body["items"].as_array().map(Vec::len), Some(0));
        for path in ["/healthz", "/readyz", "/api/openapi.json"] {
            assert_eq!(app.get_as(None, path).await.status, 200, "{path} needs no token");
        }
    }

    async fn tokens_expire_after_their_lifetime(app) {
        let app = TestApp::fresh_with(app.engine, safetrace::config::AppConfig::default()).await;
        let token = app.login("admin", ADMIN_PASSWORD).await;
        app.clock.advance(chrono::Duration::hours(12) - chrono::Duration::seconds(1));
        assert_eq!(app.get_as(Some(&token), "/api/v1/auth/me").await.status, 200);
        app.clock.advance(chrono::Duration::seconds(1));
        let r = app.get_as(Some(&token), "/api/v1/auth/me").await;
        assert_eq!(r.status, 401, "expired after 12 hours");
    }

    async fn last_use_is_written_at_most_once_a_minute(app) {
        let token = app.login("admin", ADMIN_PASSWORD).await;
        let at_login = last_used(&app, &token).await;
        app.clock.advance(chrono::Duration::seconds(30));
        assert_eq!(app.get_as(Some(&token), "/api/v1/auth/me").await.status, 200);
        assert_eq!(last_used(&app, &token).await, at_login, "a read 30 s later writes nothing");
        app.clock.advance(chrono::Duration::seconds(31));
        assert_eq!(app.get_as(Some(&token), "/api/v1/auth/me").await.status, 200);
        assert_eq!(last_used(&app, &token).await, app.clock_now(), "a minute later the use is recorded");
    }

    async fn logout_and_admin_revocation_end_sessions(app) {
        let c = app.community("JML").await;
        let t1 = app.user("zhang", "inspector", Some(vec![&c])).await;
        let t2 = app.login("zhang", "pw-Passw0rd-long").await;
        let r = app.request_as(Some(&t1), Method::POST, "/api/v1/auth/logout", None).await;
        assert_eq!(r.status, 204);
        assert_eq!(app.get_as(Some(&t1), "/api/v1/hazards").await.status, 401);
        assert_eq!(app.get_as(Some(&t2), "/api/v1/hazards").await.status, 200, "other sessions go on");

        let me = app.get_as(Some(&t2), "/api/v1/auth/me").await;
        let id = me.id();
        let r = app.post(&format!("/api/v1/users/{id}/revoke-tokens"), &json!({})).await;
        assert_eq!(r.status, 204);
        assert_eq!(app.get_as(Some(&t2), "/api/v1/hazards").await.status, 401, "a lost phone is shut out at once");

        let t3 = app.login("zhang", "pw-Passw0rd-long").await;
        let r = app.post(&format!("/api/v1/users/{id}/deactivate"), &json!({"reason": "left the office"})).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["active"], false);
        assert_eq!(app.get_as(Some(&t3), "/api/v1/hazards").await.status, 401);
        let again = app.post_as(None, "/api/v1/auth/login", &json!({"username": "zhang", "password": "pw-Passw0rd-long"})).await;
        assert_eq!(again.status, 401, "a deactivated user cannot log in");
    }

    async fn failed_logins_are_slowed_then_locked(app) {
        for _ in 0..3 {
            assert_eq!(attempt(&app, "wrong-password").await.status, 401);
        }
        // After three failures each attempt waits: 1 s, then 2 s.
        let r = attempt(&app, ADMIN_PASSWORD).await;
        assert_eq!(r.status, 429);
        assert_eq!(r.header("retry-after").as_deref(), Some("1"));
        assert_eq!(r.body["type"], "/problems/rate-limited");
        app.clock.advance(chrono::Duration::seconds(1));
        assert_eq!(attempt(&app, "wrong-password").await.status, 401);
        let r = attempt(&app, "wrong-password").await;
        assert_eq!(r.status, 429);
        assert_eq!(r.header("retry-after").as_deref(), Some("2"));
        app.clock.advance(chrono::Duration::seconds(2));
        assert_eq!(attempt(&app, "wrong-password").await.status, 401);
        // Five failures: locked for 15 minutes, even with the right password.
        let r = attempt(&app, ADMIN_PASSWORD).await;
        assert_eq!(r.status, 429);
        assert_eq!(r.header("retry-after").as_deref(), Some("900"));
        app.clock.advance(chrono::Duration::seconds(899));
        assert_eq!(attempt(&app, ADMIN_PASSWORD).await.status, 429);
        app.clock.advance(chrono::Duration::seconds(1));
        assert_eq!(attempt(&app, ADMIN_PASSWORD).await.status, 200, "the lock lifts");
        // An unknown username is throttled the same way.
        for _ in 0..3 {
            let r = app.post_as(None, "/api/v1/auth/login", &json!({"username": "ghost", "password": "x-x-x-x-x-x"})).await;
            assert_eq!(r.status, 401);
        }
        let r = app.post_as(None, "/api/v1/auth/login", &json!({"username": "ghost", "password": "x-x-x-x-x-x"})).await;
        assert_eq!(r.status, 429);
    }

    async fn the_first_admin_is_created_once(app) {
        let now = safetrace::Moment(default_now());
        // The harness started this database with an admin, so a second start creates none.
        let data_dir = app.state.config.data_dir.clone();
        let again = app
            .state
            .db(move |conn| safetrace::users::store::bootstrap_admin(conn, None, &data_dir, now))
            .await
            .expect("bootstrap");
        assert_eq!(again, None);
        let mut empty = TestApp::without_users(app.engine).await;
        let data_dir = empty.state.config.data_dir.clone();
        let file = empty
            .state
            .db(move |conn| safetrace::users::store::bootstrap_admin(conn, None, &data_dir, now))
            .await
            .expect("bootstrap")
            .expect("a generated password");
        empty.take_over_first_admin(&file).await;
        let me = empty.get("/api/v1/auth/me").await;
        assert_eq!(me.body["role"], "admin");
        assert_eq!(me.body["community_ids"], serde_json::Value::Null, "all communities");
    }

    async fn passwords_follow_the_policy(app) {
        for (password, why) in [("short-pw", "too short"), ("zhangsan-2026-pw", "contains the username"), ("aaaaaaaaaaaa", "one character")] {
            let r = app.post("/api/v1/users", &json!({"username": "zhangsan", "password": password, "role": "viewer"})).await;
            assert_eq!(r.status, 422, "{why}");
            assert_eq!(r.error_code("password").as_deref(), Some("weak_password"), "{why}");
        }
        let r = app.post("/api/v1/users", &json!({"username": "zhangsan", "password": "金茂路安全检查2026", "role": "viewer"})).await;
        assert_eq!(r.status, 201);
        let dup = app.post("/api/v1/users", &json!({"username": "zhangsan", "password": "金茂路安全检查2026", "role": "viewer"})).await;
        assert_eq!(dup.status, 409);
    }

    async fn the_acting_user_is_recorded_never_the_body(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let t = app.user("lisi", "inspector", Some(vec![&c])).await;
        let me = app.get_as(Some(&t), "/api/v1/auth/me").await.id();
        let r = app.post_as(Some(&t), "/api/v1/inspections", &inspection(&u, "2026-11-24T08:00:00+08:00", vec![deadline_hazard("gas", "2026-12-01")])).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["created_by"], me);
        assert_eq!(r.body["inspectors"], json!(["张三", "李四"]), "the people present stay as sent");
        let h = &r.body["hazards"][0];
        assert_eq!(h["created_by"], me);
        let detail = app.get(&format!("/api/v1/hazards/{}", h["id"].as_str().unwrap_or_default())).await;
        assert_eq!(detail.body["events"][0]["actor"], "lisi");
        assert_eq!(detail.body["events"][0]["actor_user_id"], me);
        let unit = app.get(&format!("/api/v1/units/{u}")).await;
        assert_eq!(unit.body["events"][0]["actor"], "Administrator");
    }

    async fn the_last_active_admin_can_be_neither_demoted_nor_deactivated(app) {
        let me = app.get("/api/v1/auth/me").await.id();
        let path = format!("/api/v1/users/{me}");
        let last = |r: &Resp| {
            assert_eq!(r.status, 409, "{:?}", r.body);
            assert_eq!(r.body["type"], "/problems/conflict");
            assert!(r.body["detail"].as_str().is_some_and(|d| d.contains("last active admin")), "{:?}", r.body);
        };
        last(&app.patch(&path, &json!({"version": 1, "role": "supervisor"})).await);
        last(&app.patch(&path, &json!({"version": 1, "active": false})).await);
        last(&app.post(&format!("{path}/deactivate"), &json!({"reason": "离职"})).await);
        let still = app.get(&path).await;
        assert_eq!((still.body["role"].clone(), still.body["active"].clone(), still.body["version"].clone()), (json!("admin"), json!(true), json!(1)));
        // Other edits of the last admin are fine.
        assert_eq!(app.patch(&path, &json!({"version": 1, "display_name": "办公室"})).await.status, 200);

        // A second admin, deactivated, does not count; once active again, the first may step down.
        let li = app.user("li", "admin", None).await;
        let li_id = app.get_as(Some(&li), "/api/v1/auth/me").await.id();
        assert_eq!(app.post(&format!("/api/v1/users/{li_id}/deactivate"), &json!({})).await.status, 200);
        last(&app.patch(&path, &json!({"version": 2, "role": "viewer"})).await);
        assert_eq!(app.patch(&format!("/api/v1/users/{li_id}"), &json!({"version": 2, "active": true})).await.status, 200);
        let r = app.patch(&path, &json!({"version": 2, "role": "supervisor"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["role"], "supervisor");
        // Now li is the last one.
        let li = app.login("li", "pw-Passw0rd-long").await;
        let r = app.post_as(Some(&li), &format!("/api/v1/users/{li_id}/deactivate"), &json!({})).await;
        last(&r);
    }

    async fn two_admins_demoting_each_other_at_once_leave_one(app) {
        let a_id = app.get("/api/v1/auth/me").await.id();
        let b_token = app.user("li", "admin", None).await;
        let b_id = app.get_as(Some(&b_token), "/api/v1/auth/me").await.id();
        let mut a_token = app.token.clone();
        let mut b_token = b_token;
        for round in 0..4 {
            let va = app.get_as(Some(&a_token), &format!("/api/v1/users/{a_id}")).await.body["version"].clone();
            let vb = app.get_as(Some(&a_token), &format!("/api/v1/users/{b_id}")).await.body["version"].clone();
            let (path_a, path_b) = (format!("/api/v1/users/{a_id}"), format!("/api/v1/users/{b_id}"));
            let (body_a, body_b) = (json!({"version": va, "role": "supervisor"}), json!({"version": vb, "role": "supervisor"}));
            let demote_b = app.request_as(Some(&a_token), Method::PATCH, &path_b, Some(&body_b));
            let demote_a = app.request_as(Some(&b_token), Method::PATCH, &path_a, Some(&body_a));
            let (rb, ra) = futures_util::join!(demote_b, demote_a);
            let mut statuses = [ra.status, rb.status];
            statuses.sort();
            assert!(statuses == [200, 401] || statuses == [200, 409], "round {round}: {:?} {:?}", ra.body, rb.body);
            // Exactly one active admin is left; it promotes the other back for the next round.
            let (admin_token, demoted, demoted_name) = if ra.status == 200 { (b_token.clone(), a_id.clone(), "admin") } else { (a_token.clone(), b_id.clone(), "li") };
            let admins = app.get_as(Some(&admin_token), "/api/v1/users?role=admin&active=true").await;
            assert_eq!(admins.body["items"].as_array().map(Vec::len), Some(1), "round {round}: {:?}", admins.body);
            let v = app.get_as(Some(&admin_token), &format!("/api/v1/users/{demoted}")).await.body["version"].clone();
            let r = app.request_as(Some(&admin_token), Method::PATCH, &format!("/api/v1/users/{demoted}"), Some(&json!({"version": v, "role": "admin"}))).await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            let password = if demoted_name == "admin" { ADMIN_PASSWORD } else { "pw-Passw0rd-long" };
            let fresh = app.login(demoted_name, password).await;
            if demoted_name == "admin" { a_token = fresh } else { b_token = fresh }
        }
    }

    async fn common_passwords_are_refused_by_the_api_the_cli_and_the_first_start(app) {
        let too_common = |r: &Resp, field: &str| {
            assert_eq!(r.status, 422, "{:?}", r.body);
            assert_eq!(r.error_code(field).as_deref(), Some("weak_password"), "{:?}", r.body);
            let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(message.contains("too common") && message.contains("10,000"), "{message}");
        };
        // Long enough, yet among the 10,000 most used, or one of them with digits added.
        for password in ["qwertyuiop", "1234567890", "Password2026!", "iloveyou1314"] {
            let r = app.post("/api/v1/users", &json!({"username": "zhangsan", "password": password, "role": "viewer"})).await;
            too_common(&r, "password");
        }
        let r = app.post("/api/v1/users", &json!({"username": "zhangsan", "password": "jinmao-road-2026", "role": "viewer"})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let r = app.patch(&format!("/api/v1/users/{}", r.id()), &json!({"version": 1, "password": "password123"})).await;
        too_common(&r, "password");

        // The command line says the same and stores nothing.
        let add = safetrace::config::UserCommand::Add {
            username: "lisi".into(), role: safetrace::domain::Role::Viewer, display_name: None,
            communities: vec![], password: Some("Qwertyuiop!".into()), must_change_password: false,
        };
        let (pool, data_dir) = (app.state.pool.clone(), app.state.config.data_dir.clone());
        let err = actix_web::rt::task::spawn_blocking(move || safetrace::cli::run(&pool, &data_dir, add)).await.expect("join").expect_err("refused");
        assert!(err.contains("password") && err.contains("too common"), "{err}");
        let passwd = safetrace::config::UserCommand::Passwd { username: "zhangsan".into(), password: Some("1234567890".into()) };
        let (pool, data_dir) = (app.state.pool.clone(), app.state.config.data_dir.clone());
        let err = actix_web::rt::task::spawn_blocking(move || safetrace::cli::run(&pool, &data_dir, passwd)).await.expect("join").expect_err("refused");
        assert!(err.contains("too common"), "{err}");
        assert_eq!(app.get("/api/v1/users?role=viewer").await.body["items"].as_array().map(Vec::len), Some(1));
        app.login("zhangsan", "jinmao-road-2026").await; // the password is unchanged

        // The first start refuses a common SAFETRACE_ADMIN_PASSWORD and creates no one.
        let empty = TestApp::without_users(app.engine).await;
        let now = safetrace::Moment(default_now());
        let data_dir = empty.state.config.data_dir.clone();
        let err = empty
            .state
            .db(move |conn| safetrace::users::store::bootstrap_admin(conn, Some("Password1234".into()), &data_dir, now))
            .await
            .expect_err("refused");
        let detail = err.problem().detail;
        assert!(detail.starts_with("SAFETRACE_ADMIN_PASSWORD: this password is too common"), "{detail}");
        let r = empty.post_as(None, "/api/v1/auth/login", &json!({"username": "admin", "password": "Password1234"})).await;
        assert_eq!(r.status, 401);
    }
}
