//! Forced and voluntary password changes: the first admin's generated password, a
//! password an admin set, a user created to change theirs; `POST /auth/password`.

use actix_web::http::Method;
use chrono::Duration as Span;
use serde_json::json;

use crate::both_engines;
use crate::support::*;

const CHANGE_REQUIRED: &str = "/problems/password-change-required";

async fn change(app: &TestApp, token: &str, current: &str, new: &str) -> Resp {
    app.post_as(Some(token), "/api/v1/auth/password", &json!({"current_password": current, "new_password": new})).await
}

/// Asserts that the token can do nothing but see itself, change its password, log out.
async fn assert_change_required(app: &TestApp, token: &str) {
    for (method, path) in [
        (Method::GET, "/api/v1/units"),
        (Method::GET, "/api/v1/hazards"),
        (Method::GET, "/api/v1/users"),
        (Method::POST, "/api/v1/communities"),
        (Method::GET, "/api/v1/reports/summary?from=2026-01-01&to=2026-12-31&group_by=community"),
    ] {
        let body = (method == Method::POST).then(|| json!({"name": "金茂路社区", "code": "JML"}));
        let r = app.request_as(Some(token), method.clone(), path, body.as_ref()).await;
        assert_eq!(r.status, 403, "{method} {path}: {:?}", r.body);
        assert_eq!(r.body["type"], CHANGE_REQUIRED, "{method} {path}");
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    }
    let me = app.get_as(Some(token), "/api/v1/auth/me").await;
    assert_eq!(me.status, 200, "{:?}", me.body);
    assert_eq!(me.body["must_change_password"], true);
}

async fn login_answer(app: &TestApp, username: &str, password: &str) -> Resp {
    let r = app.post_as(None, "/api/v1/auth/login", &json!({"username": username, "password": password})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r
}

both_engines! {
    async fn a_generated_first_admin_password_is_in_a_private_file_and_must_be_changed(app) {
        let empty = TestApp::without_users(app.engine).await;
        let now = safetrace::Moment(default_now());
        let data_dir = empty.state.config.data_dir.clone();
        let dir = data_dir.clone();
        let file = empty
            .state
            .db(move |conn| safetrace::users::store::bootstrap_admin(conn, None, &dir, now))
            .await
            .expect("bootstrap")
            .expect("the password file");
        assert_eq!(file, data_dir.join("initial-admin-password"), "the start says where, not what");
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).expect("the file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "readable by the service's account only");
        }
        let generated = std::fs::read_to_string(&file).expect("readable").trim_end().to_string();
        assert_eq!(generated.chars().count(), 20);

        let r = login_answer(&empty, "admin", &generated).await;
        assert_eq!(r.body["must_change_password"], true);
        assert_eq!(r.body["user"]["must_change_password"], true);
        let token = r.body["token"].as_str().expect("token").to_string();
        let other = login_answer(&empty, "admin", &generated).await.body["token"].as_str().expect("token").to_string();
        assert_change_required(&empty, &token).await;

        // The new password follows the rules and must be new; the current one must be right.
        let r = change(&empty, &token, &generated, "1234567890").await;
        assert_eq!((r.status, r.error_code("new_password")), (422, Some("weak_password".into())), "{:?}", r.body);
        let r = change(&empty, &token, &generated, &generated).await;
        assert_eq!((r.status, r.error_code("new_password")), (422, Some("same_password".into())), "{:?}", r.body);
        let r = change(&empty, &token, "not-the-password", "jinmao-office-2026").await;
        assert_eq!((r.status, r.error_code("current_password")), (422, Some("wrong_password".into())), "{:?}", r.body);
        assert!(file.exists(), "nothing changed yet");

        let r = change(&empty, &token, &generated, "jinmao-office-2026").await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["must_change_password"], false);
        assert!(!file.exists(), "the file goes at the first change");
        assert_eq!(empty.get_as(Some(&token), "/api/v1/units").await.status, 200, "this session goes on");
        assert_eq!(empty.get_as(Some(&other), "/api/v1/auth/me").await.status, 401, "other sessions end");
        assert_eq!(login_answer(&empty, "admin", "jinmao-office-2026").await.body["must_change_password"], false);
        let r = empty.post_as(None, "/api/v1/auth/login", &json!({"username": "admin", "password": generated})).await;
        assert_eq!(r.status, 401, "the generated password is over");
    }

    async fn a_given_first_admin_password_need_not_be_changed(app) {
        let r = login_answer(&app, "admin", ADMIN_PASSWORD).await;
        assert_eq!(r.body["must_change_password"], false);
        assert_eq!(r.body["user"]["must_change_password"], false);
        assert!(!app.state.config.data_dir.join("initial-admin-password").exists(), "no file: the password came from outside");
        assert_eq!(app.get("/api/v1/units").await.status, 200);
        // Every user may change their own password whenever they like.
        let token = r.body["token"].as_str().expect("token");
        let r = change(&app, token, ADMIN_PASSWORD, "jinmao-office-2027").await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(app.get("/api/v1/units").await.status, 401, "the harness's other session ended");
        assert_eq!(app.get_as(Some(token), "/api/v1/units").await.status, 200);
    }

    async fn a_password_an_admin_set_must_be_changed_by_its_user(app) {
        let r = app.post("/api/v1/users", &json!({"username": "zhang", "password": "jinmao-road-2026", "role": "inspector"})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["must_change_password"], false, "by default");
        let id = r.id();
        let r = app.patch(&format!("/api/v1/users/{id}"), &json!({"version": 1, "password": "jinmao-temp-2026"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["must_change_password"], true);
        let token = login_answer(&app, "zhang", "jinmao-temp-2026").await.body["token"].as_str().expect("token").to_string();
        assert_change_required(&app, &token).await;
        let r = app.request_as(Some(&token), Method::POST, "/api/v1/auth/logout", None).await;
        assert_eq!(r.status, 204, "logging out is allowed");
        let token = login_answer(&app, "zhang", "jinmao-temp-2026").await.body["token"].as_str().expect("token").to_string();
        assert_eq!(change(&app, &token, "jinmao-temp-2026", "zhang-own-choice-2026").await.status, 422, "contains the username");
        assert_eq!(change(&app, &token, "jinmao-temp-2026", "my-own-choice-2026").await.status, 200);
        assert_eq!(app.get_as(Some(&token), "/api/v1/hazards").await.status, 200);

        // An admin's new password for themselves is theirs: nothing to change again.
        let me = app.get("/api/v1/auth/me").await;
        let r = app.patch(&format!("/api/v1/users/{}", me.id()), &json!({"version": me.body["version"], "password": "jinmao-office-2027"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["must_change_password"], false);

        // `safetrace user passwd` sets a password for someone: they change it too.
        let (pool, data_dir) = (app.state.pool.clone(), app.state.config.data_dir.clone());
        let cmd = safetrace::config::UserCommand::Passwd { username: "zhang".into(), password: Some("jinmao-reset-2026".into()) };
        actix_web::rt::task::spawn_blocking(move || safetrace::cli::run(&pool, &data_dir, cmd)).await.expect("join").expect("set");
        let r = login_answer(&app, "zhang", "jinmao-reset-2026").await;
        assert_eq!(r.body["must_change_password"], true);
    }

    async fn a_user_created_to_change_their_password_must_change_it(app) {
        let body = json!({"username": "li", "password": "jinmao-first-2026", "role": "viewer", "must_change_password": true});
        let r = app.post("/api/v1/users", &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["must_change_password"], true);
        let token = login_answer(&app, "li", "jinmao-first-2026").await.body["token"].as_str().expect("token").to_string();
        assert_change_required(&app, &token).await;
        assert_eq!(change(&app, &token, "jinmao-first-2026", "li-chose-this-2026").await.status, 422, "contains the username");
        assert_eq!(change(&app, &token, "jinmao-first-2026", "chosen-by-me-2026").await.status, 200);
        assert_eq!(app.get_as(Some(&token), "/api/v1/units").await.status, 200);
        // The same from the command line.
        let (pool, data_dir) = (app.state.pool.clone(), app.state.config.data_dir.clone());
        let cmd = safetrace::config::UserCommand::Add {
            username: "wang".into(), role: safetrace::domain::Role::Viewer, display_name: None, communities: vec![],
            password: Some("jinmao-first-2026".into()), must_change_password: true,
        };
        actix_web::rt::task::spawn_blocking(move || safetrace::cli::run(&pool, &data_dir, cmd)).await.expect("join").expect("added");
        assert_eq!(login_answer(&app, "wang", "jinmao-first-2026").await.body["must_change_password"], true);
    }

    async fn a_wrong_current_password_counts_as_a_failed_login(app) {
        let token = app.user("zhang", "viewer", None).await;
        for i in 0..5 {
            let r = change(&app, &token, "not-my-password", "jinmao-new-2026").await;
            assert_eq!(r.status, 422, "attempt {i}: {:?}", r.body);
            assert_eq!(r.error_code("current_password").as_deref(), Some("wrong_password"));
            app.clock.advance(Span::seconds(8));
        }
        // Five failures for zhang from this address: locked, for the login as for the change.
        let r = app.post_as(None, "/api/v1/auth/login", &json!({"username": "zhang", "password": "pw-Passw0rd-long"})).await;
        assert_eq!(r.status, 429, "{:?}", r.body);
        let r = change(&app, &token, "pw-Passw0rd-long", "jinmao-new-2026").await;
        assert_eq!(r.status, 429, "{:?}", r.body);
        assert!(r.header("retry-after").is_some());
    }
}
