//! Headers: API answers are never cached nor sniffed, attachment content is revalidated,
//! logging out clears the browser's cache, HSTS under TLS, and the readiness probe keeps
//! the driver's words to the log.

use actix_web::http::Method;
use serde_json::json;

use crate::both_engines;
use crate::support::*;
use crate::workflow::upload_photo;

fn assert_api_headers(r: &Resp, what: &str) {
    assert_eq!(r.header("x-content-type-options").as_deref(), Some("nosniff"), "{what}");
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"), "{what}");
}

both_engines! {
    async fn api_answers_are_not_stored_and_not_sniffed(app) {
        let r = app.get("/api/v1/communities").await;
        assert_eq!(r.status, 200);
        assert_api_headers(&r, "a list");
        let r = app.post("/api/v1/communities", &json!({"name": "金茂社区", "code": "JML"})).await;
        assert_eq!(r.status, 201);
        assert_api_headers(&r, "a creation");
        let r = app.get(&format!("/api/v1/hazards/{}", uuid::Uuid::now_v7())).await;
        assert_eq!(r.status, 404);
        assert_api_headers(&r, "a problem");
        let r = app.get_as(None, "/api/v1/auth/me").await;
        assert_eq!(r.status, 401);
        assert_api_headers(&r, "a 401");
        assert_api_headers(&app.get("/api/openapi.json").await, "the document");
        assert_api_headers(&app.get("/readyz").await, "the probe");
        assert!(app.get("/api/v1/communities").await.header("strict-transport-security").is_none(), "no HSTS over HTTP");

        // The pages keep their revalidation.
        let page = app.get_as(None, "/").await;
        assert_eq!(page.status, 200);
        assert_eq!(page.header("cache-control").as_deref(), Some("no-cache"));
        assert_eq!(page.header("x-content-type-options").as_deref(), Some("nosniff"));
    }

    async fn attachment_content_is_private_and_revalidated(app) {
        let photo = upload_photo(&app, &app.token, 1).await;
        let path = format!("/api/v1/attachments/{photo}/content");
        let r = app.get(&path).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("cache-control").as_deref(), Some("private, no-cache"));
        assert_eq!(r.header("x-content-type-options").as_deref(), Some("nosniff"));
        let etag = r.header("etag").expect("an etag");
        let again = app.request_with(Some(&app.token), Method::GET, &path, None, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, 304);
        assert_eq!(again.header("etag"), Some(etag));
        assert_eq!(again.header("cache-control").as_deref(), Some("private, no-cache"));
        // Its metadata is an API answer like any other.
        assert_api_headers(&app.get(&format!("/api/v1/attachments/{photo}")).await, "metadata");
    }

    async fn logging_out_clears_the_site_cache(app) {
        let token = app.user("insp", "inspector", None).await;
        let r = app.request_as(Some(&token), Method::POST, "/api/v1/auth/logout", None).await;
        assert_eq!(r.status, 204);
        assert_eq!(r.header("clear-site-data").as_deref(), Some("\"cache\""));
        assert_eq!(app.get_as(Some(&token), "/api/v1/auth/me").await.status, 401);
    }

    async fn answers_carry_hsts_when_serving_tls(app) {
        let tls = TestApp::fresh_with(app.engine, safetrace::config::AppConfig { tls: true, ..test_config() }).await;
        for path in ["/api/v1/communities", "/", "/healthz"] {
            let r = tls.get(path).await;
            assert_eq!(r.header("strict-transport-security").as_deref(), Some("max-age=31536000"), "{path}");
        }
    }
}

/// A database that does not answer makes `/readyz` say so in three words; what the driver
/// said goes to the log. (PostgreSQL: its connections are ended from the server side.)
#[actix_web::test]
async fn readiness_says_database_unreachable_without_the_drivers_words() {
    let Some(app) = TestApp::postgres().await else {
        eprintln!("{PG_ENV} unset: not run");
        return;
    };
    let burst = || futures_util::future::join_all((0..4).map(|_| app.get("/api/v1/communities")));
    burst().await;
    assert!(app.terminate_database_connections() >= 1);
    let mut failed = 0;
    for _ in 0..8 {
        let r = app.get_as(None, "/readyz").await;
        if r.status == 503 {
            failed += 1;
            assert_eq!(r.body["detail"], "database unreachable", "{:?}", r.body);
            assert!(r.header("retry-after").is_some());
            assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
        } else {
            assert_eq!(r.status, 200, "{:?}", r.body);
        }
    }
    assert!(failed >= 1, "a lost connection was seen by the probe");
}
