//! Deadlines that chase themselves: `due_soon` and the escalation level, derived on the
//! office's date, filtered in SQL, moved by the clock and by an extension.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;

async fn listed(app: &TestApp, query: &str) -> BTreeSet<String> {
    let items = app.all_pages(&format!("/api/v1/hazards?{query}"), 2).await;
    items.iter().map(|i| i["id"].as_str().unwrap_or_default().to_string()).collect()
}

fn set(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

async fn view(app: &TestApp, id: &str) -> Value {
    let r = app.get(&format!("/api/v1/hazards/{id}")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

both_engines! {
    async fn due_soon_and_escalation_follow_the_clock_and_extensions(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        // Today is 2026-11-25 in the office.
        let deadlines = ["2026-11-25", "2026-11-28", "2026-11-29", "2026-11-24", "2026-11-22", "2026-11-18"];
        let hazards: Vec<Value> = deadlines.iter().map(|d| deadline_hazard("gas", d)).collect();
        let mut all = hazards;
        all.push(spot_hazard("gas"));
        let r = app.submit(&inspection(&u, "2026-11-01T09:00:00+08:00", all)).await;
        let ids: Vec<String> = r["hazards"].as_array().expect("hazards").iter().map(|h| h["id"].as_str().unwrap_or_default().to_string()).collect();
        let (today, in3, in4, late1, late3, late7, spot) = (&ids[0], &ids[1], &ids[2], &ids[3], &ids[4], &ids[5], &ids[6]);

        assert_eq!(r["hazards"][0]["due_soon"], true);
        assert_eq!(r["hazards"][0]["escalation"], 0);
        assert_eq!(listed(&app, "due_soon=true").await, set(&[today, in3]));
        assert_eq!(listed(&app, "due_soon=false").await, set(&[in4, late1, late3, late7, spot]));
        assert_eq!(listed(&app, "escalation=0").await.len(), 7);
        assert_eq!(listed(&app, "escalation=1").await, set(&[late1, late3, late7]));
        assert_eq!(listed(&app, "escalation=2").await, set(&[late3, late7]));
        assert_eq!(listed(&app, "escalation=3").await, set(&[late7]));
        assert_eq!(listed(&app, "escalation=4").await, BTreeSet::new());
        assert_eq!(listed(&app, "escalation=2&sort=deadline_asc").await, set(&[late3, late7]));
        let page = app.get("/api/v1/hazards?escalation=1&sort=deadline_asc").await;
        let order: Vec<&str> = page.body["items"].as_array().expect("items").iter().map(|h| h["id"].as_str().unwrap_or_default()).collect();
        assert_eq!(order, [late7.as_str(), late3.as_str(), late1.as_str()], "most overdue first");
        let levels: Vec<i64> = page.body["items"].as_array().expect("items").iter().map(|h| h["escalation"].as_i64().unwrap_or(-1)).collect();
        assert_eq!(levels, [3, 2, 1]);
        let bad = app.get("/api/v1/hazards?escalation=x").await;
        assert!(bad.status == 400 || bad.status == 422, "{}", bad.status);

        // One day later (the office's midnight): every hazard moves one day.
        app.clock.set("2026-11-25T16:00:00Z".parse().expect("moment"));
        assert_eq!(listed(&app, "due_soon=true").await, set(&[in3, in4]));
        assert_eq!(listed(&app, "escalation=1").await, set(&[today, late1, late3, late7]));
        assert_eq!(listed(&app, "escalation=2").await, set(&[late3, late7]));
        let v = view(&app, today).await;
        assert_eq!((v["due_soon"].clone(), v["escalation"].clone(), v["days_overdue"].clone()), (json!(false), json!(1), json!(1)));
        let v = view(&app, late1).await;
        assert_eq!((v["days_overdue"].clone(), v["escalation"].clone()), (json!(2), json!(1)), "two days overdue is not yet level 2");
        app.clock.advance(chrono::Duration::days(1));
        assert_eq!(view(&app, late1).await["escalation"], 2, "three days overdue is");
        app.clock.advance(chrono::Duration::days(-1));

        // An extension changes them at once.
        let r = app.post(&format!("/api/v1/hazards/{late7}/deadline"), &json!({"deadline": "2026-11-27", "reason": "设备到货延迟"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!((r.body["due_soon"].clone(), r.body["escalation"].clone()), (json!(true), json!(0)));
        assert_eq!(listed(&app, "escalation=3").await, BTreeSet::new());
        assert_eq!(listed(&app, "due_soon=true").await, set(&[in3, in4, late7]));

        // A void ends it.
        let r = app.post(&format!("/api/v1/hazards/{late3}/void"), &json!({"reason": "录入错误"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["escalation"], 0);
        assert_eq!(listed(&app, "escalation=1").await, set(&[today, late1]));
    }
}

#[actix_web::test]
async fn the_ladder_is_a_setting() {
    let mut config = test_config();
    config.ladder = safetrace::domain::hazard::Ladder { due_soon_days: 0, steps: "2".parse().expect("steps") };
    let app = TestApp::fresh_with(Engine::Sqlite, config).await;
    let c = app.community("JML").await;
    let u = app.unit(&c, "restaurant").await;
    let hazards = vec![
        deadline_hazard("gas", "2026-11-25"),
        deadline_hazard("gas", "2026-11-26"),
        deadline_hazard("gas", "2026-11-23"),
    ];
    let r = app.submit(&inspection(&u, "2026-11-01T09:00:00+08:00", hazards)).await;
    let h = r["hazards"].as_array().expect("hazards");
    assert_eq!([h[0]["due_soon"].clone(), h[1]["due_soon"].clone()], [json!(true), json!(false)]);
    assert_eq!(h[2]["escalation"], 2, "two days overdue is the top level with steps `2`");
    assert_eq!(listed(&app, "escalation=3").await, BTreeSet::new());
}
