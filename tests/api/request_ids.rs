//! Request ids: kept from the client when safe, made otherwise, returned, and carried by
//! every problem as its `instance`. (That they are in the log lines is checked on the real
//! binary, in `shutdown.rs`.)

use serde_json::json;

use crate::both_engines;
use crate::support::*;

async fn get_with_id(app: &TestApp, path: &str, id: &str) -> Resp {
    let mut res = app
        .server
        .get(path)
        .insert_header(("x-request-id", id))
        .insert_header(("authorization", format!("Bearer {}", app.token)))
        .send()
        .await
        .expect("sent");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let raw = res.body().await.expect("body").to_vec();
    let body = serde_json::from_slice(&raw).unwrap_or(serde_json::Value::Null);
    Resp { status, headers, body, raw }
}

fn well_formed(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

both_engines! {
    async fn a_safe_client_id_is_kept_and_returned(app) {
        let r = get_with_id(&app, "/api/v1/communities", "phone-42.retry_1").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-request-id").as_deref(), Some("phone-42.retry_1"));

        let r = get_with_id(&app, &format!("/api/v1/hazards/{}", uuid::Uuid::now_v7()), "screenshot-1").await;
        assert_eq!(r.status, 404);
        assert_eq!(r.header("x-request-id").as_deref(), Some("screenshot-1"));
        assert_eq!(r.body["instance"], "urn:safetrace:request:screenshot-1");
        assert_eq!(r.body["type"], "/problems/not-found", "the rest of the problem is as it was");
    }

    async fn an_unsafe_or_missing_id_is_replaced_by_a_new_one(app) {
        let long = "a".repeat(65);
        let mut seen = Vec::new();
        for given in [long.as_str(), "has space", "semi;colon", "%2e%2e"] {
            let r = get_with_id(&app, "/nothing-here", given).await;
            assert_eq!(r.status, 404);
            let id = r.header("x-request-id").expect("an id");
            assert_ne!(id, given);
            assert!(well_formed(&id), "{id}");
            assert_eq!(r.body["instance"], format!("urn:safetrace:request:{id}"));
            seen.push(id);
        }
        let r = app.get("/healthz").await;
        let id = r.header("x-request-id").expect("every answer has an id");
        assert!(well_formed(&id));
        seen.push(id);
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 5, "each request its own id");
    }

    async fn every_kind_of_problem_carries_its_instance(app) {
        // 422 (validation), 401 (no token), 405 (method), 413 (size), 400 (unreadable JSON).
        let r = app.post("/api/v1/communities", &json!({"name": "", "code": ""})).await;
        assert_eq!(r.status, 422);
        let id = r.header("x-request-id").expect("id");
        assert_eq!(r.body["instance"], format!("urn:safetrace:request:{id}"));
        assert!(r.body["errors"].is_array(), "fields kept");

        let r = app.get_as(None, "/api/v1/hazards").await;
        assert_eq!(r.status, 401);
        assert!(r.body["instance"].as_str().is_some_and(|i| i.starts_with("urn:safetrace:request:")));

        let r = app.request(actix_web::http::Method::DELETE, "/api/v1/hazards", None).await;
        assert_eq!(r.status, 405);
        assert!(r.body["instance"].as_str().is_some_and(|i| i.starts_with("urn:safetrace:request:")));

        let r = app.raw(actix_web::http::Method::POST, "/api/v1/communities", "application/json", b"{".to_vec()).await;
        assert_eq!(r.status, 400);
        let id = r.header("x-request-id").expect("id");
        assert_eq!(r.body["instance"], format!("urn:safetrace:request:{id}"));
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    }
}

#[actix_web::test]
async fn the_openapi_document_declares_the_instance() {
    let app = TestApp::sqlite().await;
    let doc = app.get("/api/openapi.json").await.body;
    let instance = &doc["components"]["schemas"]["Problem"]["properties"]["instance"];
    let types = instance["type"].as_array().cloned().unwrap_or_else(|| vec![instance["type"].clone()]);
    assert!(types.contains(&serde_json::json!("string")), "{instance}");
    assert!(instance["description"].as_str().is_some_and(|d| d.contains("urn:safetrace:request:")));
}
