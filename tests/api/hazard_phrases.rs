//! Common hazard phrases (隐患库): the seeded list, reading by any signed-in user, adding
//! and editing by admins (versioned, with history), no deletes (active = false).

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::both_engines;
#[allow(unused_imports)]
use crate::support::*;

const CATEGORIES: [&str; 9] = [
    "gas",
    "fire_separation",
    "electrical",
    "evacuation",
    "fire_equipment",
    "hazardous_chemicals",
    "structural",
    "occupational",
    "other",
];

both_engines! {
    async fn phrases_are_seeded_for_every_category(app) {
        let all = app.all_pages("/api/v1/hazard-phrases", 20).await;
        for category in CATEGORIES {
            let mine: Vec<&Value> = all.iter().filter(|p| p["category"] == category).collect();
            assert!(mine.len() >= 5, "{category}: {} phrases", mine.len());
            assert!(mine.iter().all(|p| p["active"] == true && p["version"] == 1));
            assert!(mine.iter().all(|p| p["text"].as_str().is_some_and(|t| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))));
        }
        assert!(all.iter().any(|p| p["legal_basis"].as_str().is_some_and(|b| b.contains("消防法"))));
        let gas = app.get("/api/v1/hazard-phrases?category=gas").await;
        assert_eq!(gas.status, 200);
        assert!(gas.body["items"].as_array().is_some_and(|i| i.iter().all(|p| p["category"] == "gas")));
        // Every signed-in user reads them; nobody without a token.
        let inspector = app.user("xiaowang", "inspector", None).await;
        let r = app.get_as(Some(&inspector), "/api/v1/hazard-phrases?category=electrical&active=true").await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert!(r.body["items"].as_array().is_some_and(|i| i.len() >= 5));
        assert_eq!(app.get_as(None, "/api/v1/hazard-phrases").await.status, 401);
    }

    async fn admins_add_and_edit_phrases_with_history(app) {
        let r = app.post("/api/v1/hazard-phrases", &json!({
            "category": "gas", "text": "  燃气灶具无熄火保护装置 ", "legal_basis": "《家用燃气灶具》GB 16410"
        })).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.id();
        assert_eq!(r.body["text"], "燃气灶具无熄火保护装置");
        assert_eq!(r.body["active"], true);
        assert_eq!(r.body["version"], 1);

        // An edit: text and category; then retired (no delete), the basis cleared.
        let r = app.patch(&format!("/api/v1/hazard-phrases/{id}"), &json!({"version": 1, "category": "other", "text": "灶具无熄火保护"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!((r.body["category"].as_str(), r.body["version"].as_i64()), (Some("other"), Some(2)));
        let r = app.patch(&format!("/api/v1/hazard-phrases/{id}"), &json!({"version": 2, "active": false, "legal_basis": null})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["active"], false);
        assert!(r.body["legal_basis"].is_null());
        // A stale version is refused.
        let r = app.patch(&format!("/api/v1/hazard-phrases/{id}"), &json!({"version": 2, "active": true})).await;
        assert_eq!(r.status, 409, "{:?}", r.body);
        assert_eq!(r.body["type"], "/problems/stale-version");

        let d = app.get(&format!("/api/v1/hazard-phrases/{id}")).await;
        assert_eq!(d.status, 200);
        let kinds: Vec<&str> = d.body["events"].as_array().expect("events").iter().filter_map(|e| e["kind"].as_str()).collect();
        assert_eq!(kinds, ["created", "updated", "updated"]);
        assert_eq!(d.body["events"][2]["details"]["active"], json!([true, false]));

        // Kept, and found by its state.
        let inactive = app.get("/api/v1/hazard-phrases?active=false").await;
        assert!(inactive.body["items"].as_array().is_some_and(|i| i.iter().any(|p| p["id"] == id.as_str())));
        let active = app.all_pages("/api/v1/hazard-phrases?active=true", 100).await;
        assert!(!active.iter().any(|p| p["id"] == id.as_str()));
        // No delete.
        let r = app.request(Method::DELETE, &format!("/api/v1/hazard-phrases/{id}"), None).await;
        assert_eq!(r.status, 405, "{:?}", r.body);
    }

    async fn only_admins_write_and_input_is_checked(app) {
        let supervisor = app.user("laoli", "supervisor", None).await;
        let r = app.post_as(Some(&supervisor), "/api/v1/hazard-phrases", &json!({"category": "gas", "text": "x"})).await;
        assert_eq!(r.status, 403, "{:?}", r.body);
        let first = app.get("/api/v1/hazard-phrases?limit=1").await;
        let id = first.body["items"][0]["id"].as_str().expect("a phrase").to_string();
        let r = app.request_as(Some(&supervisor), Method::PATCH, &format!("/api/v1/hazard-phrases/{id}"), Some(&json!({"version": 1, "active": false}))).await;
        assert_eq!(r.status, 403, "{:?}", r.body);

        let r = app.post("/api/v1/hazard-phrases", &json!({"category": "gas", "text": "   ", "legal_basis": "法".repeat(2001)})).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_code("text").as_deref(), Some("required"));
        assert_eq!(r.error_code("legal_basis").as_deref(), Some("length"));
        let r = app.post("/api/v1/hazard-phrases", &json!({"category": "volcano", "text": "火山"})).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_code("category").as_deref(), Some("invalid_choice"));
        let r = app.patch(&format!("/api/v1/hazard-phrases/{id}"), &json!({"version": 1, "legal_basis": "法".repeat(2001)})).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_code("legal_basis").as_deref(), Some("length"));
        let r = app.patch("/api/v1/hazard-phrases/0192f000-0000-7000-8000-00000000dead", &json!({"version": 1, "active": false})).await;
        assert_eq!(r.status, 404, "{:?}", r.body);
    }
}
