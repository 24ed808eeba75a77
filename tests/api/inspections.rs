//! Submitting inspections: snapshots, both handling types, idempotency and races.

use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;

async fn listed(app: &TestApp, path: &str) -> Vec<String> {
    let r = app.get(path).await;
    assert_eq!(r.status, 200, "{path}: {:?}", r.body);
    ids(r.body["items"].as_array().expect("items"))
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|i| i["id"].as_str().unwrap_or_default().to_string()).collect()
}

both_engines! {
    async fn submission_stores_hazards_with_snapshots(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let camp = app.campaign("燃气安全").await;
        let mut body = inspection(&u, "2026-11-24T20:00:00Z", vec![deadline_hazard("gas", "2026-12-01"), spot_hazard("evacuation")]);
        body["leader_led"] = json!(true);
        body["campaign_id"] = json!(camp);
        let r = app.post("/api/v1/inspections", &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let ins = &r.body;
        assert_eq!(ins["community_id"], c);
        assert_eq!(ins["unit_kind"], "restaurant");
        // 20:00 UTC on the 24th is 04:00 on the 25th in the office's zone.
        assert_eq!(ins["inspected_on"], "2026-11-25");
        assert_eq!(ins["inspectors"], json!(["张三", "李四"]));
        let hazards = ins["hazards"].as_array().expect("hazards");
        assert_eq!(hazards.len(), 2);
        let deadline = hazards.iter().find(|h| h["handling_type"] == "deadline").expect("deadline hazard");
        let spot = hazards.iter().find(|h| h["handling_type"] == "on_the_spot").expect("spot hazard");
        assert_eq!(deadline["status"], "open");
        assert_eq!(deadline["closed_at"], Value::Null);
        assert_eq!(deadline["deadline"], "2026-12-01");
        assert_eq!(spot["status"], "closed");
        assert_eq!(spot["closed_at"], "2026-11-24T20:00:00Z");
        assert_eq!(spot["deadline"], Value::Null);
        assert_eq!(spot["note"], "当场清理");
        for h in hazards {
            assert_eq!(h["community_id"], c);
            assert_eq!(h["unit_kind"], "restaurant");
            assert_eq!(h["found_at"], "2026-11-24T20:00:00Z");
            assert_eq!(h["found_on"], "2026-11-25");
            assert_eq!(h["recorded_at"], "2026-11-25T02:00:00Z");
            assert_eq!(h["leader_led"], true);
            assert_eq!(h["campaign_id"], camp);
            assert_eq!(h["source"], "campaign", "source defaults to campaign inside a campaign");
        }
        let got = app.get(&format!("/api/v1/inspections/{}", ins["id"].as_str().unwrap_or_default())).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.body, r.body, "GET returns what POST answered");

        let detail = app.get(&format!("/api/v1/hazards/{}", deadline["id"].as_str().unwrap_or_default())).await;
        assert_eq!(detail.status, 200);
        let events = detail.body["events"].as_array().expect("events");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["kind"], "created");
        assert_eq!(events[0]["actor"], "Administrator", "the acting user, not a name from the body");
        assert!(events[0]["actor_user_id"].is_string());
        assert_eq!(events[0]["from_state"], Value::Null);
        assert_eq!(events[0]["to_state"], "open");
        assert_eq!(events[0]["at"], "2026-11-25T02:00:00Z");
    }

    async fn moments_are_returned_in_utc_to_the_microsecond(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "shop").await;
        let r = app.submit(&inspection(&u, "2026-11-24T09:30:00.123456789+08:00", vec![spot_hazard("gas")])).await;
        assert_eq!(r["inspected_at"], "2026-11-24T01:30:00.123456Z");
        let h = &r["hazards"][0];
        let got = app.get(&format!("/api/v1/hazards/{}", h["id"].as_str().unwrap_or_default())).await;
        assert_eq!(got.body["found_at"], "2026-11-24T01:30:00.123456Z");
    }

    async fn identical_replay_answers_200_changed_one_409(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let id = "0192f000-0000-7000-8000-0000000000aa";
        let mut body = inspection(&u, "2026-11-24T08:00:00+08:00", vec![deadline_hazard("gas", "2026-11-30"), spot_hazard("fire_equipment")]);
        body["id"] = json!(id);
        let first = app.post("/api/v1/inspections", &body).await;
        assert_eq!(first.status, 201, "{:?}", first.body);
        let again = app.post("/api/v1/inspections", &body).await;
        assert_eq!(again.status, 200);
        assert_eq!(again.body, first.body, "a replay answers the stored record");

        // The same moment written with another offset is the same request.
        let mut same = body.clone();
        same["inspected_at"] = json!("2026-11-24T00:00:00Z");
        assert_eq!(app.post("/api/v1/inspections", &same).await.status, 200);

        let mut changed = body.clone();
        changed["hazards"][0]["description"] = json!("另一个描述");
        let r = app.post("/api/v1/inspections", &changed).await;
        assert_eq!(r.status, 409);
        assert_eq!(r.body["type"], "/problems/conflict");
        let list = app.get("/api/v1/inspections").await;
        assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
        let hazards = app.get("/api/v1/hazards").await;
        assert_eq!(hazards.body["items"].as_array().map(Vec::len), Some(2), "no hazard stored twice");
        let detail = app.get(&format!("/api/v1/hazards/{}", first.body["hazards"][0]["id"].as_str().unwrap_or_default())).await;
        assert_eq!(detail.body["events"].as_array().map(Vec::len), Some(1), "no second creation event");
    }

    async fn replay_after_changes_answers_the_record_as_it_is_now(app) {
        let c = app.community("JML").await;
        let c2 = app.community("XYL").await;
        let u = app.unit(&c, "restaurant").await;
        let mut body = inspection(&u, "2026-11-24T08:00:00+08:00", vec![deadline_hazard("gas", "2026-11-30")]);
        body["id"] = json!("0192f000-0000-7000-8000-0000000000bb");
        let first = app.post("/api/v1/inspections", &body).await;
        assert_eq!(first.status, 201);
        assert_eq!(first.body["hazards"][0]["days_overdue"], Value::Null);
        // Time passes and the unit moves to another community.
        app.clock.set("2026-12-03T02:00:00Z".parse().expect("moment"));
        let moved = app.patch(&format!("/api/v1/units/{u}"), &json!({"version": 1, "community_id": c2})).await;
        assert_eq!(moved.status, 200, "{:?}", moved.body);
        let again = app.post("/api/v1/inspections", &body).await;
        assert_eq!(again.status, 200);
        assert_eq!(again.body["hazards"][0]["days_overdue"], 3, "the record as it is now");
        assert_eq!(again.body["hazards"][0]["community_id"], c, "snapshot kept");
        assert_eq!(again.body["community_id"], c);
    }

    async fn racing_identical_submissions_store_one_record(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let mut body = inspection(&u, "2026-11-24T08:00:00+08:00", vec![deadline_hazard("gas", "2026-11-30"), spot_hazard("gas")]);
        body["id"] = json!("0192f000-0000-7000-8000-0000000000cc");
        let sends = (0..8).map(|_| app.post("/api/v1/inspections", &body));
        let results = futures_util::future::join_all(sends).await;
        let mut statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
        statuses.sort();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 7, "{statuses:?}");
        for r in &results {
            assert_eq!(r.body["id"], "0192f000-0000-7000-8000-0000000000cc");
            assert_eq!(r.body["hazards"].as_array().map(Vec::len), Some(2));
        }
        let hazards = app.get("/api/v1/hazards").await;
        assert_eq!(hazards.body["items"].as_array().map(Vec::len), Some(2));
        assert_eq!(app.get("/api/v1/inspections").await.body["items"].as_array().map(Vec::len), Some(1));
    }

    async fn racing_different_submissions_under_one_id_give_one_winner(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let mut a = inspection(&u, "2026-11-24T08:00:00+08:00", vec![deadline_hazard("gas", "2026-11-30")]);
        a["id"] = json!("0192f000-0000-7000-8000-0000000000dd");
        let mut b = a.clone();
        b["hazards"][0]["category"] = json!("electrical");
        let (ra, rb) = futures_util::join!(app.post("/api/v1/inspections", &a), app.post("/api/v1/inspections", &b));
        let mut statuses = vec![ra.status, rb.status];
        statuses.sort();
        assert_eq!(statuses, vec![201, 409]);
        assert_eq!(app.get("/api/v1/hazards").await.body["items"].as_array().map(Vec::len), Some(1));
    }

    async fn an_inspection_without_hazards_is_recorded(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "shop").await;
        let r = app.submit(&inspection(&u, "2026-11-24T08:00:00+08:00", vec![])).await;
        assert_eq!(r["hazards"], json!([]));
        assert_eq!(app.get("/api/v1/inspections").await.body["items"].as_array().map(Vec::len), Some(1));
    }

    async fn a_hazard_id_already_stored_is_refused(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "shop").await;
        let mut h = deadline_hazard("gas", "2026-11-30");
        h["id"] = json!("0192f000-0000-7000-8000-0000000000ee");
        app.submit(&inspection(&u, "2026-11-24T08:00:00+08:00", vec![h.clone()])).await;
        let r = app.post("/api/v1/inspections", &inspection(&u, "2026-11-24T09:00:00+08:00", vec![spot_hazard("gas"), h])).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_code("hazards[1].id").as_deref(), Some("already_exists"));
        assert_eq!(app.get("/api/v1/inspections").await.body["items"].as_array().map(Vec::len), Some(1), "nothing half-written");
        assert_eq!(app.get("/api/v1/hazards").await.body["items"].as_array().map(Vec::len), Some(1));
    }

    async fn later_unit_changes_never_move_old_snapshots(app) {
        let c = app.community("JML").await;
        let c2 = app.community("XYL").await;
        let u = app.unit(&c, "restaurant").await;
        let old = app.submit(&inspection(&u, "2026-11-20T08:00:00+08:00", vec![spot_hazard("gas")])).await;
        let r = app.patch(&format!("/api/v1/units/{u}"), &json!({"version": 1, "community_id": c2, "kind": "hotel"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let new = app.submit(&inspection(&u, "2026-11-24T08:00:00+08:00", vec![spot_hazard("gas")])).await;
        let old_h = app.get(&format!("/api/v1/hazards/{}", old["hazards"][0]["id"].as_str().unwrap_or_default())).await;
        assert_eq!(old_h.body["community_id"], c);
        assert_eq!(old_h.body["unit_kind"], "restaurant");
        assert_eq!(new["hazards"][0]["community_id"], c2);
        assert_eq!(new["hazards"][0]["unit_kind"], "hotel");
        let in_c = app.get(&format!("/api/v1/hazards?community_id={c}")).await;
        assert_eq!(ids(in_c.body["items"].as_array().expect("items")), vec![old["hazards"][0]["id"].as_str().unwrap_or_default().to_string()]);
    }

    async fn inspection_list_filters(app) {
        let c1 = app.community("JML").await;
        let c2 = app.community("XYL").await;
        let u1 = app.unit(&c1, "restaurant").await;
        let u2 = app.unit(&c2, "shop").await;
        let camp = app.campaign("百日攻坚").await;
        // 15:59:59Z is 23:59:59 on the 20th in the office's zone, 16:00Z is the 21st.
        let a = app.submit(&inspection(&u1, "2026-11-20T15:59:59Z", vec![])).await;
        let mut b_body = inspection(&u1, "2026-11-20T16:00:00Z", vec![]);
        b_body["leader_led"] = json!(true);
        b_body["campaign_id"] = json!(camp);
        let b = app.submit(&b_body).await;
        let c = app.submit(&inspection(&u2, "2026-11-22T09:00:00+08:00", vec![])).await;
        let id = |v: &Value| v["id"].as_str().unwrap_or_default().to_string();
        assert_eq!(listed(&app, "/api/v1/inspections").await, vec![id(&c), id(&b), id(&a)], "newest first");
        assert_eq!(listed(&app, &format!("/api/v1/inspections?unit_id={u1}")).await, vec![id(&b), id(&a)]);
        assert_eq!(listed(&app, &format!("/api/v1/inspections?community_id={c2}")).await, vec![id(&c)]);
        assert_eq!(listed(&app, &format!("/api/v1/inspections?campaign_id={camp}")).await, vec![id(&b)]);
        assert_eq!(listed(&app, "/api/v1/inspections?leader_led=true").await, vec![id(&b)]);
        assert_eq!(listed(&app, "/api/v1/inspections?leader_led=false").await, vec![id(&c), id(&a)]);
        assert_eq!(listed(&app, "/api/v1/inspections?from=2026-11-20&to=2026-11-20").await, vec![id(&a)]);
        assert_eq!(listed(&app, "/api/v1/inspections?from=2026-11-21&to=2026-11-21").await, vec![id(&b)]);
        assert_eq!(listed(&app, "/api/v1/inspections?from=2026-11-21").await, vec![id(&c), id(&b)]);
        let r = app.get("/api/v1/inspections?leader_led=maybe").await;
        assert_eq!(r.status, 422);
        assert_eq!(app.get("/api/v1/inspections/0192f000-0000-7000-8000-000000000999").await.status, 404);
    }
}
