//! The HTTP contract: problem+json for every error, probes, the OpenAPI document.

use actix_web::http::Method;
use serde_json::json;

use crate::both_engines;
#[allow(unused_imports)]
use crate::support::*;

both_engines! {
    async fn health_and_readiness(app) {
        let r = app.get("/healthz").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["status"], "ok");
        let r = app.get("/readyz").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["status"], "ready");
    }

    async fn malformed_json_is_400_problem(app) {
        let r = app.raw(Method::POST, "/api/v1/communities", "application/json", b"{\"name\": ".to_vec()).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
        assert_eq!(r.body["type"], "/problems/bad-request");
        assert_eq!(r.body["status"], 400);
    }

    async fn wrong_content_type_is_415(app) {
        let r = app.raw(Method::POST, "/api/v1/communities", "text/plain", b"{\"name\":\"a\",\"code\":\"b\"}".to_vec()).await;
        assert_eq!(r.status, 415);
        assert_eq!(r.body["type"], "/problems/unsupported-media-type");
        let list = app.get("/api/v1/communities").await;
        assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0), "nothing written");
    }

    async fn oversized_body_is_413(app) {
        let big = format!("{{\"name\":\"{}\",\"code\":\"X\"}}", "a".repeat(3 * 1024 * 1024));
        let r = app.raw(Method::POST, "/api/v1/communities", "application/json", big.into_bytes()).await;
        assert_eq!(r.status, 413);
        assert_eq!(r.body["type"], "/problems/payload-too-large");
    }

    async fn unknown_route_is_404_and_wrong_method_405(app) {
        let r = app.get("/api/v1/nothing-here").await;
        assert_eq!(r.status, 404);
        assert_eq!(r.body["type"], "/problems/not-found");
        let r = app.request(Method::DELETE, "/api/v1/hazards", None).await;
        assert_eq!(r.status, 405);
        assert_eq!(r.body["type"], "/problems/method-not-allowed");
        assert_eq!(r.header("allow").as_deref(), Some("GET"));
        let r = app.request(Method::PUT, "/api/v1/communities/0192f000-0000-7000-8000-000000000001", Some(&json!({}))).await;
        assert_eq!(r.status, 405);
        assert_eq!(r.header("allow").as_deref(), Some("GET, PATCH"));
    }

    async fn malformed_id_in_path_is_404(app) {
        let r = app.get("/api/v1/hazards/not-a-uuid").await;
        assert_eq!(r.status, 404);
        assert_eq!(r.body["type"], "/problems/not-found");
    }
}
