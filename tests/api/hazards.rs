//! Listing and reading hazards: every filter, keyset pages, overdue by the office's date.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|i| i["id"].as_str().unwrap_or_default().to_string()).collect()
}

async fn listed(app: &TestApp, query: &str) -> Vec<String> {
    let r = app.get(&format!("/api/v1/hazards?{query}")).await;
    assert_eq!(r.status, 200, "{query}: {:?}", r.body);
    ids(r.body["items"].as_array().expect("items"))
}

fn hazard_ids(inspection: &Value) -> Vec<String> {
    ids(inspection["hazards"].as_array().expect("hazards"))
}

both_engines! {
    async fn every_filter_selects_exactly_its_hazards(app) {
        let c1 = app.community("JML").await;
        let c2 = app.community("XYL").await;
        let rest = app.unit(&c1, "restaurant").await;
        let shop = app.unit(&c2, "shop").await;
        let camp = app.campaign("燃气安全").await;

        let mut gas = deadline_hazard("gas", "2026-12-31");
        gas["level"] = json!("major");
        gas["source"] = json!("complaint");
        let mut body = inspection(&rest, "2026-11-01T09:00:00+08:00", vec![gas, spot_hazard("fire_separation")]);
        body["campaign_id"] = json!(camp);
        let a = app.submit(&body).await;
        let b = app.submit(&inspection(&shop, "2026-11-10T09:00:00+08:00", vec![deadline_hazard("electrical", "2026-11-20")])).await;
        let (a_gas, a_fire) = (hazard_ids(&a)[0].clone(), hazard_ids(&a)[1].clone());
        let b_elec = hazard_ids(&b)[0].clone();

        // Newest found first; within one inspection by id, descending.
        let mut a_sorted = vec![a_gas.clone(), a_fire.clone()];
        a_sorted.sort();
        a_sorted.reverse();
        let mut all = vec![b_elec.clone()];
        all.extend(a_sorted.clone());
        assert_eq!(listed(&app, "").await, all);

        assert_eq!(listed(&app, "status=open").await, vec![b_elec.clone(), a_gas.clone()]);
        assert_eq!(listed(&app, "status=closed").await, vec![a_fire.clone()]);
        assert_eq!(listed(&app, "status=voided").await, Vec::<String>::new());
        assert_eq!(listed(&app, &format!("community_id={c1}")).await, a_sorted.clone());
        assert_eq!(listed(&app, &format!("community_id={c2}")).await, vec![b_elec.clone()]);
        assert_eq!(listed(&app, &format!("unit_id={shop}")).await, vec![b_elec.clone()]);
        assert_eq!(listed(&app, "unit_kind=restaurant").await, a_sorted.clone());
        assert_eq!(listed(&app, "unit_kind=hotel").await, Vec::<String>::new());
        assert_eq!(listed(&app, "category=gas").await, vec![a_gas.clone()]);
        assert_eq!(listed(&app, "level=major").await, vec![a_gas.clone()]);
        assert_eq!(listed(&app, "level=general").await, vec![b_elec.clone(), a_fire.clone()]);
        assert_eq!(listed(&app, &format!("campaign_id={camp}")).await, a_sorted.clone());
        assert_eq!(listed(&app, "handling_type=on_the_spot").await, vec![a_fire.clone()]);
        assert_eq!(listed(&app, "handling_type=deadline").await, vec![b_elec.clone(), a_gas.clone()]);
        assert_eq!(listed(&app, &format!("inspection_id={}", b["id"].as_str().unwrap_or_default())).await, vec![b_elec.clone()]);
        assert_eq!(listed(&app, "found_from=2026-11-02").await, vec![b_elec.clone()]);
        assert_eq!(listed(&app, "found_to=2026-11-09").await, a_sorted.clone());
        assert_eq!(listed(&app, "found_from=2026-11-01&found_to=2026-11-01").await, a_sorted.clone());
        // Today is 2026-11-25: only the electrical hazard's deadline (11-20) has passed.
        assert_eq!(listed(&app, "overdue=true").await, vec![b_elec.clone()]);
        assert_eq!(listed(&app, "overdue=false").await, a_sorted.clone());
        // Filters combine.
        assert_eq!(listed(&app, &format!("community_id={c1}&status=open&category=gas&level=major")).await, vec![a_gas.clone()]);
        assert_eq!(listed(&app, &format!("community_id={c1}&overdue=true")).await, Vec::<String>::new());

        let detail = app.get(&format!("/api/v1/hazards/{a_gas}")).await;
        assert_eq!(detail.body["source"], "complaint");
        assert_eq!(detail.body["days_overdue"], Value::Null);
        let overdue = app.get(&format!("/api/v1/hazards/{b_elec}")).await;
        assert_eq!(overdue.body["days_overdue"], 5);
    }

    async fn found_dates_follow_the_office_time_zone(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "shop").await;
        // 20:00 UTC on 30 November is 04:00 on 1 December in Changsha.
        app.clock.set("2026-12-02T00:00:00Z".parse().expect("moment"));
        let r = app.submit(&inspection(&u, "2026-11-30T20:00:00Z", vec![spot_hazard("gas")])).await;
        assert_eq!(r["hazards"][0]["found_on"], "2026-12-01");
        assert_eq!(listed(&app, "found_from=2026-12-01&found_to=2026-12-01").await, hazard_ids(&r));
        assert_eq!(listed(&app, "found_to=2026-11-30").await, Vec::<String>::new());
    }

    async fn overdue_turns_at_midnight_in_the_office_zone(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let r = app.submit(&inspection(&u, "2026-11-20T09:00:00+08:00", vec![deadline_hazard("gas", "2026-11-25"), spot_hazard("gas")])).await;
        let deadline_id = hazard_ids(&r)[0].clone();
        // 23:59:59 on the deadline day in Changsha: the deadline day itself is not overdue.
        app.clock.set("2026-11-25T15:59:59Z".parse().expect("moment"));
        assert_eq!(listed(&app, "overdue=true").await, Vec::<String>::new());
        let h = app.get(&format!("/api/v1/hazards/{deadline_id}")).await;
        assert_eq!(h.body["days_overdue"], Value::Null);
        // One second later it is the 26th in Changsha (still the 25th in UTC).
        app.clock.set("2026-11-25T16:00:00Z".parse().expect("moment"));
        assert_eq!(listed(&app, "overdue=true").await, vec![deadline_id.clone()]);
        let h = app.get(&format!("/api/v1/hazards/{deadline_id}")).await;
        assert_eq!(h.body["days_overdue"], 1);
        app.clock.set("2026-12-05T03:00:00Z".parse().expect("moment"));
        let page = app.get("/api/v1/hazards?overdue=true").await;
        assert_eq!(page.body["items"][0]["days_overdue"], 10);
        assert_eq!(page.body["items"].as_array().map(Vec::len), Some(1), "on-the-spot hazards are never overdue");
    }

    async fn pages_survive_inserts_between_them(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let mut expected = Vec::new();
        for day in 1..=6 {
            let r = app.submit(&inspection(&u, &format!("2026-11-{day:02}T09:00:00+08:00"), vec![deadline_hazard("gas", "2026-12-31"), deadline_hazard("electrical", "2026-12-31")])).await;
            expected.extend(hazard_ids(&r));
        }
        let mut seen = Vec::new();
        let first = app.get("/api/v1/hazards?category=gas&limit=2").await;
        assert_eq!(first.status, 200);
        seen.extend(ids(first.body["items"].as_array().expect("items")));
        let mut cursor = first.body["next_cursor"].as_str().expect("more pages").to_string();
        let mut inserted = Vec::new();
        let mut round = 0;
        loop {
            // Between pages: one newer and one older gas hazard arrive (older than any
            // page read so far, at a moment of its own).
            round += 1;
            let newer = app.submit(&inspection(&u, "2026-11-24T09:00:00+08:00", vec![deadline_hazard("gas", "2026-12-31")])).await;
            let older_at = format!("2026-10-{:02}T09:00:00+08:00", 28 - round);
            let older = app.submit(&inspection(&u, &older_at, vec![deadline_hazard("gas", "2026-12-31")])).await;
            inserted.push((hazard_ids(&newer)[0].clone(), hazard_ids(&older)[0].clone()));
            let r = app.get(&format!("/api/v1/hazards?category=gas&limit=2&cursor={cursor}")).await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            seen.extend(ids(r.body["items"].as_array().expect("items")));
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = c.to_string(),
                None => break,
            }
        }
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "no hazard repeated: {seen:?}");
        let gas_ids: Vec<String> = expected.iter().step_by(2).cloned().collect();
        for id in &gas_ids {
            assert!(seen.contains(id), "hazard {id} lost");
        }
        for (newer, older) in &inserted {
            assert!(!seen.contains(newer), "a hazard newer than the cursor does not appear on later pages");
            assert!(seen.contains(older), "an older hazard inserted meanwhile appears on a later page");
        }
        // Fresh pagination sees everything exactly once.
        let all = app.all_pages("/api/v1/hazards?category=gas", 3).await;
        assert_eq!(all.len(), gas_ids.len() + 2 * inserted.len());
        let all_ids: HashSet<String> = ids(&all).into_iter().collect();
        assert_eq!(all_ids.len(), all.len());
    }

    async fn same_moment_hazards_page_by_id(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let hazards: Vec<Value> = (0..7).map(|_| deadline_hazard("gas", "2026-12-31")).collect();
        let r = app.submit(&inspection(&u, "2026-11-20T09:00:00+08:00", hazards)).await;
        let mut expected = hazard_ids(&r);
        expected.sort();
        expected.reverse();
        let all = app.all_pages("/api/v1/hazards", 2).await;
        assert_eq!(ids(&all), expected);
    }

    async fn unknown_hazard_is_404(app) {
        let r = app.get("/api/v1/hazards/0192f000-0000-7000-8000-000000000999").await;
        assert_eq!(r.status, 404);
        assert_eq!(r.body["type"], "/problems/not-found");
    }
}
