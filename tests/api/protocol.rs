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
        // A small limit, so the whole body is sent before the server answers and closes.
        let config = safetrace::config::AppConfig { max_json_bytes: 1024, ..test_config() };
        let small = TestApp::fresh_with(app.engine, config).await;
        let big = format!("{{\"name\":\"{}\",\"code\":\"X\"}}", "a".repeat(2048));
        let r = small.raw(Method::POST, "/api/v1/communities", "application/json", big.into_bytes()).await;
        assert_eq!(r.status, 413);
        assert_eq!(r.body["type"], "/problems/payload-too-large");
        assert_eq!(small.get("/api/v1/communities").await.body["items"], serde_json::json!([]));
        let fits = format!("{{\"name\":\"{}\",\"code\":\"X\"}}", "a".repeat(200));
        assert_eq!(small.raw(Method::POST, "/api/v1/communities", "application/json", fits.into_bytes()).await.status, 201);
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

/// The operations the API serves: the contract the OpenAPI document must describe.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("post", "/api/v1/communities"),
    ("get", "/api/v1/communities"),
    ("get", "/api/v1/communities/{id}"),
    ("patch", "/api/v1/communities/{id}"),
    ("post", "/api/v1/units"),
    ("get", "/api/v1/units"),
    ("get", "/api/v1/units.xlsx"),
    ("get", "/api/v1/units.csv"),
    ("get", "/api/v1/units/{id}"),
    ("patch", "/api/v1/units/{id}"),
    ("post", "/api/v1/campaigns"),
    ("get", "/api/v1/campaigns"),
    ("get", "/api/v1/campaigns/{id}"),
    ("patch", "/api/v1/campaigns/{id}"),
    ("post", "/api/v1/inspections"),
    ("get", "/api/v1/inspections"),
    ("get", "/api/v1/inspections/{id}"),
    ("get", "/api/v1/hazards"),
    ("get", "/api/v1/hazards.xlsx"),
    ("get", "/api/v1/hazards.csv"),
    ("get", "/api/v1/hazards/{id}"),
    ("post", "/api/v1/hazards/{id}/void"),
    ("put", "/api/v1/hazards/{id}/plan"),
    ("post", "/api/v1/hazards/{id}/supervision"),
    ("patch", "/api/v1/hazards/{id}/supervision"),
    ("post", "/api/v1/hazards/{id}/supervision/lift-request"),
    ("post", "/api/v1/hazards/{id}/supervision/lift"),
    ("post", "/api/v1/hazards/{id}/deadline"),
    ("post", "/api/v1/hazards/{id}/rectifications"),
    ("post", "/api/v1/rectifications/{id}/verification"),
    ("post", "/api/v1/inspections/{id}/notice"),
    ("get", "/api/v1/inspections/{id}/notice"),
    ("post", "/api/v1/rectifications/{id}/recheck-opinion"),
    ("get", "/api/v1/rectifications/{id}/recheck-opinion"),
    ("post", "/api/v1/attachments"),
    ("get", "/api/v1/attachments/{id}"),
    ("get", "/api/v1/attachments/{id}/content"),
    ("post", "/api/v1/imports/units"),
    ("post", "/api/v1/imports/communities"),
    ("get", "/api/v1/imports/units/template.xlsx"),
    ("get", "/api/v1/imports/{id}"),
    ("post", "/api/v1/enforcement-actions"),
    ("get", "/api/v1/enforcement-actions"),
    ("get", "/api/v1/enforcement-actions/{id}"),
    ("post", "/api/v1/units/{id}/reinstate"),
    ("get", "/api/v1/reports/summary"),
    ("get", "/api/v1/reports/monthly"),
    ("get", "/api/v1/reports/monthly.xlsx"),
    ("get", "/api/v1/reports/monthly.csv"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/auth/me"),
    ("post", "/api/v1/auth/password"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users"),
    ("get", "/api/v1/users/{id}"),
    ("patch", "/api/v1/users/{id}"),
    ("post", "/api/v1/users/{id}/deactivate"),
    ("post", "/api/v1/users/{id}/revoke-tokens"),
    ("post", "/api/v1/users/{id}/unlock"),
    ("post", "/api/v1/hazard-phrases"),
    ("get", "/api/v1/hazard-phrases"),
    ("get", "/api/v1/hazard-phrases/{id}"),
    ("patch", "/api/v1/hazard-phrases/{id}"),
    ("get", "/api/v1/me/tasks"),
    ("get", "/api/v1/me/tasks/counts"),
    ("get", "/api/v1/me/notifications"),
    ("post", "/api/v1/me/notifications/{id}/read"),
    ("post", "/api/v1/me/notifications/read-all"),
    ("get", "/api/v1/events"),
    ("post", "/api/v1/webhooks"),
    ("get", "/api/v1/webhooks"),
    ("get", "/api/v1/webhooks/{id}"),
    ("patch", "/api/v1/webhooks/{id}"),
    ("get", "/api/v1/webhooks/{id}/deliveries"),
    ("post", "/api/v1/webhooks/{id}/deliveries/{delivery_id}/retry"),
];

fn documented(doc: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                out.push((method.clone(), path.clone()));
            }
        }
    }
    out.sort();
    out
}

both_engines! {
    async fn openapi_document_matches_the_routes_served(app) {
        let r = app.get("/api/openapi.json").await;
        assert_eq!(r.status, 200);
        assert!(r.body["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
        let mut expected: Vec<(String, String)> = ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
        expected.sort();
        assert_eq!(documented(&r.body), expected);
        // Every documented operation is really served: no "no route" 404 and no 405.
        for (method, path) in documented(&r.body) {
            let concrete = path.replace("{id}", "0192f000-0000-7000-8000-000000000999");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let body = (method != "get").then(|| json!({}));
            let res = app.request(m, &concrete, body.as_ref()).await;
            assert_ne!(res.status, 405, "{method} {path}");
            let detail = res.body["detail"].as_str().unwrap_or_default();
            assert!(!detail.starts_with("no route"), "{method} {path} is documented but not served");
            assert!(res.status < 500, "{method} {path} answered {}", res.status);
        }
        // Every operation documents its error answers as problem+json.
        for (path, item) in r.body["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("item") {
                let responses = op["responses"].as_object().expect("responses");
                for (status, resp) in responses {
                    if status.starts_with('4') || status.starts_with('5') {
                        assert!(resp["content"]["application/problem+json"].is_object(), "{method} {path} {status}");
                    }
                }
                // What the body extractors answer before the handler runs.
                if op.get("requestBody").is_some() {
                    for status in ["400", "413", "415"] {
                        assert!(responses.contains_key(status), "{method} {path} does not document {status}");
                    }
                }
            }
        }
        // Every reference points at a schema the document holds.
        let mut refs = Vec::new();
        collect_refs(&r.body, &mut refs);
        assert!(!refs.is_empty());
        for reference in refs {
            let name = reference.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{reference}"));
            assert!(r.body["components"]["schemas"][name].is_object(), "{reference} does not resolve");
        }
    }
}

fn collect_refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("$ref", serde_json::Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(item, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

/// PostgreSQL restarts (here: every connection of the pool is ended from the server side).
/// Each lost connection fails one request with a 503 the client can retry, and is then
/// dropped by the pool: the service recovers by itself, it never keeps lending a dead one.
#[actix_web::test]
async fn a_lost_database_connection_fails_one_request_and_is_replaced() {
    let Some(app) = TestApp::postgres().await else {
        eprintln!("{PG_ENV} unset: not run");
        return;
    };
    let burst = || futures_util::future::join_all((0..4).map(|_| app.get("/api/v1/communities")));
    for r in burst().await {
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    assert!(app.terminate_database_connections() >= 1, "the pool had connections open");
    let mut failed = 0;
    for _ in 0..4 {
        for r in burst().await {
            match r.status {
                200 => {}
                503 => {
                    assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
                    failed += 1;
                }
                other => panic!("{other}: {:?}", r.body),
            }
        }
    }
    assert!(failed <= 4, "at most one failure per pooled connection (4), not {failed}");
    for r in burst().await {
        assert_eq!(r.status, 200, "recovered: {:?}", r.body);
    }
}
