//! Recurrence (`recurrence_of`: where a rectification did not last) and who found a hazard
//! (`found_by`): recorded at creation, shown, and filtered.

use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().map(|h| h["id"].as_str().unwrap_or_default().to_string()).collect()
}

both_engines! {
    async fn a_hazard_recurs_the_latest_closed_one_of_its_unit_and_category_within_the_window(app) {
        let c = app.community("JML").await;
        let unit = app.unit(&c, "restaurant").await;
        let other = app.unit(&c, "shop").await;
        // Closed on the spot more than 365 days before, and twice within them.
        let long_ago = app.submit(&inspection(&unit, "2024-12-01T09:00:00+08:00", vec![spot_hazard("gas")])).await;
        let first = app.submit(&inspection(&unit, "2026-01-10T09:00:00+08:00", vec![spot_hazard("gas")])).await;
        let latest = app.submit(&inspection(&unit, "2026-06-10T09:00:00+08:00", vec![spot_hazard("gas"), deadline_hazard("electrical", "2026-06-30")])).await;
        assert_eq!(long_ago["hazards"][0]["recurrence_of"], Value::Null);
        assert_eq!(first["hazards"][0]["recurrence_of"], Value::Null, "the earlier one is outside the window");
        assert_eq!(latest["hazards"][0]["recurrence_of"], first["hazards"][0]["id"]);

        let again = app
            .submit(&inspection(&unit, "2026-11-20T09:00:00+08:00", vec![
                deadline_hazard("gas", "2026-11-30"),
                deadline_hazard("electrical", "2026-11-30"),
                deadline_hazard("evacuation", "2026-11-30"),
            ]))
            .await;
        // The latest gas hazard closed; the electrical one is still open; no evacuation one.
        assert_eq!(again["hazards"][0]["recurrence_of"], latest["hazards"][0]["id"]);
        assert_eq!(again["hazards"][1]["recurrence_of"], Value::Null);
        assert_eq!(again["hazards"][2]["recurrence_of"], Value::Null);
        // Another unit's hazards are not its recurrences.
        let elsewhere = app.submit(&inspection(&other, "2026-11-21T09:00:00+08:00", vec![deadline_hazard("gas", "2026-11-30")])).await;
        assert_eq!(elsewhere["hazards"][0]["recurrence_of"], Value::Null);

        let recurrent = app.get("/api/v1/hazards?recurrent=true").await;
        assert_eq!(recurrent.status, 200);
        let mut want = vec![again["hazards"][0]["id"].as_str().unwrap_or_default().to_string(), latest["hazards"][0]["id"].as_str().unwrap_or_default().to_string()];
        want.sort();
        let mut got = ids(&recurrent.body);
        got.sort();
        assert_eq!(got, want);
        let not = app.get("/api/v1/hazards?recurrent=false&limit=100").await;
        assert_eq!(ids(&not.body).len(), 6);
        let h = app.get(&format!("/api/v1/hazards/{}", again["hazards"][0]["id"].as_str().unwrap_or_default())).await;
        assert_eq!(h.body["recurrence_of"], latest["hazards"][0]["id"]);

        // The summary counts them where they were found.
        let year = app.get("/api/v1/reports/summary?from=2026-01-01&to=2026-12-31&group_by=month").await;
        assert_eq!(year.status, 200, "{:?}", year.body);
        assert_eq!(year.body["totals"]["hazards_recurrent"], 2);
        let months: Vec<(String, i64)> = year.body["rows"].as_array().expect("rows").iter()
            .map(|r| (r["key"].as_str().unwrap_or_default().to_string(), r["hazards_recurrent"].as_i64().unwrap_or(0)))
            .filter(|(_, n)| *n > 0)
            .collect();
        assert_eq!(months, [("2026-06".to_string(), 1), ("2026-11".to_string(), 1)]);
    }

    async fn who_found_a_hazard(app) {
        let c = app.community("JML").await;
        let unit = app.unit(&c, "restaurant").await;
        let mut own = deadline_hazard("gas", "2026-11-30");
        own["found_by"] = json!("self_check");
        let r = app.submit(&inspection(&unit, "2026-11-20T09:00:00+08:00", vec![own, spot_hazard("evacuation")])).await;
        assert_eq!(r["hazards"][0]["found_by"], "self_check");
        assert_eq!(r["hazards"][1]["found_by"], "inspection", "the default");
        let listed = app.get("/api/v1/hazards?found_by=self_check").await;
        assert_eq!(ids(&listed.body), [r["hazards"][0]["id"].as_str().unwrap_or_default().to_string()]);
        let listed = app.get("/api/v1/hazards?found_by=inspection").await;
        assert_eq!(ids(&listed.body), [r["hazards"][1]["id"].as_str().unwrap_or_default().to_string()]);
        assert_eq!(app.get("/api/v1/hazards?found_by=neighbour").await.status, 422);
        let by = app.get("/api/v1/reports/summary?from=2026-11-01&to=2026-11-30&group_by=found_by").await;
        assert_eq!(by.status, 200, "{:?}", by.body);
        let rows: Vec<(String, String, i64)> = by.body["rows"].as_array().expect("rows").iter()
            .map(|r| (r["key"].as_str().unwrap_or_default().to_string(), r["label"].as_str().unwrap_or_default().to_string(),
                      r["hazards_found"].as_i64().unwrap_or(0)))
            .collect();
        assert_eq!(rows, [("inspection".to_string(), "检查发现".to_string(), 1), ("self_check".to_string(), "企业自查".to_string(), 1)]);
        assert_eq!(by.body["totals"]["hazards_found"], 2);
        let mut bad = deadline_hazard("gas", "2026-11-30");
        bad["found_by"] = json!("neighbour");
        let r = app.post("/api/v1/inspections", &inspection(&unit, "2026-11-21T09:00:00+08:00", vec![bad])).await;
        assert_eq!(r.status, 422);
    }
}
