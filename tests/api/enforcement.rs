//! Joint enforcement actions: outcomes and the unit status changes they make, their
//! checks, idempotency and races, list filters, scope, and reinstating a unit.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;

const ACTIONS: &str = "/api/v1/enforcement-actions";

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Counts of the enforcement tables and unit events, and the sum of unit versions:
/// equal before and after a refused request means the refusal wrote nothing.
async fn fingerprint(app: &TestApp) -> Vec<i64> {
    app.state
        .db(|conn| {
            let mut out = Vec::new();
            for q in [
                "SELECT COUNT(*) AS n FROM enforcement_actions",
                "SELECT COUNT(*) AS n FROM enforcement_outcomes",
                "SELECT COUNT(*) AS n FROM unit_events",
                "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) AS n FROM units",
            ] {
                out.push(diesel::sql_query(q).get_result::<Number>(conn)?.n);
            }
            Ok(out)
        })
        .await
        .expect("fingerprint")
}

fn outcome(unit: &str, measure: &str) -> Value {
    let mut o =
        json!({"unit_id": unit, "violations_found": 1, "violation_description": "无证经营", "measure": measure});
    if measure == "case_transferred" {
        o["transferred_to"] = json!("market_supervision");
    }
    o
}

fn action(held_on: &str, community: Option<&str>, outcomes: Vec<Value>) -> Value {
    json!({"held_on": held_on, "lead_department": "police_station",
           "departments": ["market_supervision", "fire"], "community_id": community,
           "summary": "联合检查燃气使用", "outcomes": outcomes})
}

async fn unit(app: &TestApp, id: &str) -> Value {
    let r = app.get(&format!("/api/v1/units/{id}")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

fn kinds(unit: &Value) -> Vec<String> {
    unit["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn ids(items: &Value) -> Vec<String> {
    items.as_array().expect("items").iter().map(|i| i["id"].as_str().unwrap_or_default().to_string()).collect()
}

async fn created(app: &TestApp, body: Value) -> String {
    let r = app.post(ACTIONS, &body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.id()
}

async fn listed_as(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let r = app.get_as(Some(token), &format!("{ACTIONS}{query}")).await;
    assert_eq!(r.status, 200, "{query}: {:?}", r.body);
    ids(&r.body["items"])
}

both_engines! {
    async fn every_measure_is_recorded_and_changes_the_unit(app) {
        let c = app.community("JML").await;
        let warned = app.unit(&c, "restaurant").await;
        let transferred = app.unit(&c, "shop").await;
        let suspended = app.unit(&c, "factory").await;
        let closed = app.unit(&c, "warehouse").await;
        let sup = app.user("sup", "supervisor", Some(vec![&c])).await;
        let body = action("2026-11-24", Some(&c), vec![
            outcome(&warned, "warning"),
            outcome(&transferred, "case_transferred"),
            outcome(&suspended, "suspension_ordered"),
            outcome(&closed, "closure"),
        ]);
        let r = app.post_as(Some(&sup), ACTIONS, &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.id();
        assert_eq!(r.body["held_on"], "2026-11-24");
        assert_eq!(r.body["lead_department"], "police_station");
        assert_eq!(r.body["departments"], json!(["police_station", "market_supervision", "fire"]), "the lead is added first");
        assert_eq!(r.body["community_id"], c);
        assert_eq!(r.body["recorded_at"], "2026-11-25T02:00:00Z");
        let outcomes = r.body["outcomes"].as_array().expect("outcomes");
        let measures: Vec<&str> = outcomes.iter().map(|o| o["measure"].as_str().unwrap_or_default()).collect();
        assert_eq!(measures, vec!["warning", "case_transferred", "suspension_ordered", "closure"], "in the order sent");
        let kinds_snap: Vec<&str> = outcomes.iter().map(|o| o["unit_kind"].as_str().unwrap_or_default()).collect();
        assert_eq!(kinds_snap, vec!["restaurant", "shop", "factory", "warehouse"]);
        assert!(outcomes.iter().all(|o| o["community_id"] == c.as_str() && o["violations_found"] == 1));
        assert_eq!(outcomes[1]["transferred_to"], "market_supervision");
        assert_eq!(outcomes[0]["transferred_to"], Value::Null);
        let got = app.get_as(Some(&sup), &format!("{ACTIONS}/{id}")).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.body, r.body, "GET returns what POST answered");

        for (u, status, version) in [(&warned, "active", 1), (&transferred, "active", 1), (&suspended, "suspended", 2), (&closed, "closed", 2)] {
            let v = unit(&app, u).await;
            assert_eq!(v["status"], status, "{u}");
            assert_eq!(v["version"], version, "{u}");
        }
        let s = unit(&app, &suspended).await;
        assert_eq!(kinds(&s), vec!["created", "suspended"]);
        let e = &s["events"][1];
        assert_eq!(e["from_status"], "active");
        assert_eq!(e["to_status"], "suspended");
        assert_eq!(e["reason"], "联合检查燃气使用");
        assert_eq!(e["details"], json!({"enforcement_action_id": id}));
        assert_eq!(e["actor"], "sup");
        assert_eq!(e["at"], "2026-11-25T02:00:00Z");
        let cl = unit(&app, &closed).await;
        assert_eq!(kinds(&cl), vec!["created", "closed"]);
        assert_eq!(cl["events"][1]["to_status"], "closed");
        assert_eq!(kinds(&unit(&app, &warned).await), vec!["created"], "a warning changes no status");

        // A closed unit stays closed: neither suspension nor closure again.
        let before = fingerprint(&app).await;
        let r = app.post_as(Some(&sup), ACTIONS, &action("2026-11-25", None, vec![
            outcome(&warned, "warning"),
            outcome(&closed, "suspension_ordered"),
        ])).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_fields(), vec!["outcomes[1].measure"]);
        assert_eq!(r.error_code("outcomes[1].measure").as_deref(), Some("unit_closed"));
        let r = app.post_as(Some(&sup), ACTIONS, &action("2026-11-25", None, vec![outcome(&closed, "closure")])).await;
        assert_eq!(r.error_code("outcomes[0].measure").as_deref(), Some("unit_closed"));
        assert_eq!(fingerprint(&app).await, before, "refusals wrote nothing");
        // A warning for a closed unit is recorded and leaves it closed.
        let r = app.post_as(Some(&sup), ACTIONS, &action("2026-11-25", None, vec![outcome(&closed, "warning")])).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(unit(&app, &closed).await["status"], "closed");

        // A suspended unit may be suspended again (a new order) and then closed.
        app.clock.advance(chrono::Duration::hours(1));
        let r = app.post_as(Some(&sup), ACTIONS, &action("2026-11-25", None, vec![outcome(&suspended, "suspension_ordered")])).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let r = app.post_as(Some(&sup), ACTIONS, &action("2026-11-25", None, vec![outcome(&suspended, "closure")])).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let s = unit(&app, &suspended).await;
        assert_eq!(s["status"], "closed");
        assert_eq!(s["version"], 4);
        assert_eq!(kinds(&s), vec!["created", "suspended", "suspended", "closed"]);
        let states: Vec<(Value, Value)> = s["events"].as_array().expect("events").iter().map(|e| (e["from_status"].clone(), e["to_status"].clone())).collect();
        assert_eq!(states[2], (json!("suspended"), json!("suspended")));
        assert_eq!(states[3], (json!("suspended"), json!("closed")));
        assert_eq!(s["events"][3]["details"], json!({"enforcement_action_id": r.id()}));
    }

    async fn every_problem_is_reported_at_once_and_nothing_written(app) {
        let c = app.community("JML").await;
        let u1 = app.unit(&c, "restaurant").await;
        let u2 = app.unit(&c, "shop").await;
        let other = app.community("XYL").await;
        let foreign = app.unit(&other, "shop").await;
        let sup = app.user("sup", "supervisor", Some(vec![&c])).await;
        let before = fingerprint(&app).await;
        let mut transferred_without = outcome(&u1, "case_transferred");
        transferred_without.as_object_mut().expect("object").remove("transferred_to");
        let mut warning_with = outcome(&u2, "warning");
        warning_with["transferred_to"] = json!("fire");
        let mut too_many = outcome(&u1, "closure");
        too_many["violations_found"] = json!(10001);
        too_many["violation_description"] = json!("x".repeat(2001));
        let body = json!({
            "held_on": "2026-11-26", "lead_department": "fire", "departments": ["fire", "urban_management", "fire"],
            "summary": "  ", "outcomes": [transferred_without, warning_with, too_many],
        });
        let r = app.post(ACTIONS, &body).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.body["type"], "/problems/validation");
        assert_eq!(r.error_fields(), vec![
            "departments[2]",
            "held_on",
            "outcomes[0].transferred_to",
            "outcomes[1].transferred_to",
            "outcomes[2].unit_id",
            "outcomes[2].violation_description",
            "outcomes[2].violations_found",
            "summary",
        ]);
        assert_eq!(r.error_code("held_on").as_deref(), Some("in_future"));
        assert_eq!(r.error_code("departments[2]").as_deref(), Some("duplicate"));
        assert_eq!(r.error_code("outcomes[0].transferred_to").as_deref(), Some("required"));
        assert_eq!(r.error_code("outcomes[1].transferred_to").as_deref(), Some("not_allowed"));
        assert_eq!(r.error_code("outcomes[2].unit_id").as_deref(), Some("duplicate"));
        assert_eq!(r.error_code("outcomes[2].violations_found").as_deref(), Some("range"));
        assert_eq!(r.error_code("outcomes[2].violation_description").as_deref(), Some("length"));
        assert_eq!(r.error_code("summary").as_deref(), Some("required"));

        // References: every missing or out-of-scope record at once.
        let missing = "0192f000-0000-7000-8000-000000000999";
        let r = app.post_as(Some(&sup), ACTIONS, &action("2026-11-24", Some(&other), vec![
            outcome(&u1, "warning"), outcome(missing, "warning"), outcome(&foreign, "closure"),
        ])).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_fields(), vec!["community_id", "outcomes[1].unit_id", "outcomes[2].unit_id"]);
        assert!(r.body["errors"].as_array().expect("errors").iter().all(|e| e["code"] == "not_found"));
        let r = app.post(ACTIONS, &action("2026-11-24", Some(missing), vec![outcome(&u1, "warning")])).await;
        assert_eq!(r.error_fields(), vec!["community_id"]);

        // Shapes and sizes.
        let mut b = action("2026-11-24", None, vec![]);
        b["departments"] = json!([]);
        let r = app.post(ACTIONS, &b).await;
        assert_eq!(r.error_code("outcomes").as_deref(), Some("required"));
        assert_eq!(r.error_code("departments").as_deref(), Some("required"));
        let r = app.post(ACTIONS, &action("2026-11-24", None, (0..101).map(|_| outcome(&u1, "warning")).collect())).await;
        assert_eq!(r.error_fields(), vec!["outcomes"]);
        assert_eq!(r.error_code("outcomes").as_deref(), Some("too_many"));
        let mut b = action("2026-11-24", None, vec![outcome(&u1, "warning")]);
        b["outcomes"][0]["measure"] = json!("demolition");
        assert_eq!(app.post(ACTIONS, &b).await.error_code("outcomes[0].measure").as_deref(), Some("invalid_choice"));
        let mut b = action("2026-11-24", None, vec![outcome(&u1, "warning")]);
        b["lead_department"] = json!("army");
        assert_eq!(app.post(ACTIONS, &b).await.error_code("lead_department").as_deref(), Some("invalid_choice"));
        let mut b = action("2026-11-24", None, vec![outcome(&u1, "warning")]);
        b["outcomes"][0]["violations_found"] = json!(-1);
        assert_eq!(app.post(ACTIONS, &b).await.error_code("outcomes[0].violations_found").as_deref(), Some("range"));
        b["outcomes"][0]["violations_found"] = json!(1.5);
        assert_eq!(app.post(ACTIONS, &b).await.error_code("outcomes[0].violations_found").as_deref(), Some("invalid_type"));
        let mut b = action("2026-11-24", None, vec![outcome(&u1, "warning")]);
        b["outcomes"][0]["fine"] = json!(500);
        assert_eq!(app.post(ACTIONS, &b).await.error_code("outcomes[0].fine").as_deref(), Some("unknown_field"));
        let mut b = action("2026-11-24", None, vec![outcome(&u1, "warning")]);
        b.as_object_mut().expect("object").remove("held_on");
        assert_eq!(app.post(ACTIONS, &b).await.error_code("held_on").as_deref(), Some("required"));
        assert_eq!(fingerprint(&app).await, before, "nothing written");

        // "Today" is the office's date: 16:30 UTC on the 24th is already the 25th in Changsha.
        app.clock.set("2026-11-24T16:30:00Z".parse().expect("moment"));
        let r = app.post(ACTIONS, &action("2026-11-25", None, vec![outcome(&u1, "warning")])).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        // The lead already among the departments is not added twice.
        let mut b = action("2026-11-24", None, vec![outcome(&u1, "warning")]);
        b["departments"] = json!(["fire", "police_station"]);
        let r = app.post(ACTIONS, &b).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["departments"], json!(["fire", "police_station"]));
    }

    async fn replay_answers_the_record_as_it_is_now_and_a_changed_request_is_409(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let sup = app.user("sup", "supervisor", Some(vec![&c])).await;
        let mut body = action("2026-11-24", Some(&c), vec![outcome(&u, "suspension_ordered")]);
        body["id"] = json!("0192f000-0000-7000-8000-00000000e001");
        let first = app.post_as(Some(&sup), ACTIONS, &body).await;
        assert_eq!(first.status, 201, "{:?}", first.body);
        assert_eq!(first.id(), "0192f000-0000-7000-8000-00000000e001");
        let again = app.post_as(Some(&sup), ACTIONS, &body).await;
        assert_eq!(again.status, 200);
        assert_eq!(again.body, first.body);
        // The unit moves on; a replay neither suspends it again nor fails.
        let r = app.post_as(Some(&sup), &format!("/api/v1/units/{u}/reinstate"), &json!({"reason": "整改完毕"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let before = fingerprint(&app).await;
        let later = app.post_as(Some(&sup), ACTIONS, &body).await;
        assert_eq!(later.status, 200);
        assert_eq!(later.body, first.body);
        assert_eq!(unit(&app, &u).await["status"], "active");
        assert_eq!(fingerprint(&app).await, before, "a replay writes nothing");

        let mut changed = body.clone();
        changed["summary"] = json!("另一次行动");
        let r = app.post_as(Some(&sup), ACTIONS, &changed).await;
        assert_eq!(r.status, 409);
        assert_eq!(r.body["type"], "/problems/conflict");
        // The same request from someone who cannot see the action is refused, not revealed.
        let other = app.community("XYL").await;
        let outsider = app.user("outsider", "supervisor", Some(vec![&other])).await;
        let r = app.post_as(Some(&outsider), ACTIONS, &body).await;
        assert_eq!(r.status, 409);
        assert!(r.body.get("outcomes").is_none());
        assert_eq!(fingerprint(&app).await, before, "refusals wrote nothing");
        assert_eq!(listed_as(&app, &app.token, "").await.len(), 1);
    }

    async fn racing_identical_requests_store_one_action(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let u2 = app.unit(&c, "shop").await;
        let mut body = action("2026-11-24", Some(&c), vec![outcome(&u, "suspension_ordered"), outcome(&u2, "closure")]);
        body["id"] = json!("0192f000-0000-7000-8000-00000000e002");
        let sends = (0..8).map(|_| app.post(ACTIONS, &body));
        let results = futures_util::future::join_all(sends).await;
        let mut statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
        statuses.sort();
        assert_eq!(statuses, vec![200, 200, 200, 200, 200, 200, 200, 201], "{:?}", results.iter().map(|r| &r.body).collect::<Vec<_>>());
        for r in &results {
            assert_eq!(r.body["id"], "0192f000-0000-7000-8000-00000000e002");
            assert_eq!(r.body["outcomes"].as_array().map(Vec::len), Some(2));
        }
        assert_eq!(listed_as(&app, &app.token, "").await.len(), 1);
        let s = unit(&app, &u).await;
        assert_eq!(kinds(&s), vec!["created", "suspended"], "one status change");
        assert_eq!(s["version"], 2);
        assert_eq!(kinds(&unit(&app, &u2).await), vec!["created", "closed"]);
        assert_eq!(fingerprint(&app).await[..2], [1, 2]);
    }

    async fn list_filters_and_pages(app) {
        let a = app.community("A").await;
        let b = app.community("B").await;
        let ua = app.unit(&a, "restaurant").await;
        let ua2 = app.unit(&a, "shop").await;
        let ub = app.unit(&b, "shop").await;
        // Held in A, a warning in A.
        let x1 = created(&app, action("2026-11-01", Some(&a), vec![outcome(&ua, "warning")])).await;
        // Held nowhere in particular, a unit of B suspended; led by the fire department.
        let mut b2 = action("2026-11-10", None, vec![outcome(&ub, "suspension_ordered")]);
        b2["lead_department"] = json!("fire");
        b2["departments"] = json!(["emergency_management"]);
        let x2 = created(&app, b2).await;
        // Held in B, with a case transferred for a unit of A.
        let mut b3 = action("2026-11-10", Some(&b), vec![outcome(&ua2, "case_transferred")]);
        b3["departments"] = json!(["urban_management"]);
        let x3 = created(&app, b3).await;
        let x4 = created(&app, action("2026-11-20", Some(&a), vec![outcome(&ua, "closure")])).await;
        let t = app.token.clone();
        // Newest held_on first; on the same day, by id.
        let mut same_day = vec![x2.clone(), x3.clone()];
        same_day.sort();
        same_day.reverse();
        let all = [vec![x4.clone()], same_day, vec![x1.clone()]].concat();
        assert_eq!(listed_as(&app, &t, "").await, all);
        let paged: Vec<String> = app.all_pages(ACTIONS, 1).await.iter().map(|i| i["id"].as_str().unwrap_or_default().to_string()).collect();
        assert_eq!(paged, all, "pages of one give the same order");
        assert_eq!(listed_as(&app, &t, "?from=2026-11-10&to=2026-11-10").await.len(), 2);
        assert_eq!(listed_as(&app, &t, "?from=2026-11-11").await, vec![x4.clone()]);
        assert_eq!(listed_as(&app, &t, "?to=2026-11-01").await, vec![x1.clone()]);
        // Community: held there, or with an outcome for a unit there.
        let mut in_a = listed_as(&app, &t, &format!("?community_id={a}")).await;
        in_a.sort();
        let mut expected = vec![x1.clone(), x3.clone(), x4.clone()];
        expected.sort();
        assert_eq!(in_a, expected);
        let mut in_b = listed_as(&app, &t, &format!("?community_id={b}")).await;
        in_b.sort();
        let mut expected = vec![x2.clone(), x3.clone()];
        expected.sort();
        assert_eq!(in_b, expected);
        // Department: leading or taking part.
        assert_eq!(listed_as(&app, &t, "?department=fire").await, vec![x4.clone(), x2.clone(), x1.clone()], "fire leads x2 and takes part in x1 and x4");
        assert_eq!(listed_as(&app, &t, "?department=emergency_management").await, vec![x2.clone()]);
        assert_eq!(listed_as(&app, &t, "?department=urban_management").await, vec![x3.clone()]);
        assert_eq!(listed_as(&app, &t, "?department=police_station").await.len(), 3);
        assert_eq!(listed_as(&app, &t, "?department=other").await, Vec::<String>::new());
        // Measure: with an outcome of that measure.
        assert_eq!(listed_as(&app, &t, "?measure=warning").await, vec![x1.clone()]);
        assert_eq!(listed_as(&app, &t, "?measure=suspension_ordered").await, vec![x2.clone()]);
        assert_eq!(listed_as(&app, &t, "?measure=case_transferred").await, vec![x3.clone()]);
        assert_eq!(listed_as(&app, &t, "?measure=closure&from=2026-11-15").await, vec![x4.clone()]);
        assert_eq!(listed_as(&app, &t, &format!("?measure=closure&community_id={b}")).await, Vec::<String>::new());
        // The page carries each action's outcomes.
        let r = app.get(&format!("{ACTIONS}?limit=2")).await;
        assert_eq!(r.body["items"][0]["outcomes"][0]["measure"], "closure");
        assert!(r.body["next_cursor"].is_string());
        for bad in ["?department=army", "?measure=fine", "?from=2026-13-01", "?community_id=x", "?limit=0", "?cursor=zzz", "?sort=held_on"] {
            let r = app.get(&format!("{ACTIONS}{bad}")).await;
            assert_eq!(r.status, 422, "{bad}: {:?}", r.body);
        }
        assert_eq!(app.get(&format!("{ACTIONS}/0192f000-0000-7000-8000-000000000999")).await.status, 404);
    }

    async fn scope_limits_what_is_seen_and_cited(app) {
        let a = app.community("A").await;
        let b = app.community("B").await;
        let ua = app.unit(&a, "restaurant").await;
        let ub = app.unit(&b, "shop").await;
        let sup_a = app.user("sup_a", "supervisor", Some(vec![&a])).await;
        let sup_b = app.user("sup_b", "supervisor", Some(vec![&b])).await;
        let viewer_a = app.user("viewer_a", "viewer", Some(vec![&a])).await;
        let insp_a = app.user("insp_a", "inspector", Some(vec![&a])).await;
        // In A only.
        let r = app.post_as(Some(&sup_a), ACTIONS, &action("2026-11-20", Some(&a), vec![outcome(&ua, "warning")])).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let only_a = r.id();
        // Subdistrict-wide: a closure in A, a warning in B.
        let r = app.post(ACTIONS, &action("2026-11-21", None, vec![outcome(&ua, "closure"), outcome(&ub, "warning")])).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let both = r.id();

        // B's supervisor sees the shared action with B's outcome only, and nothing of A's.
        let r = app.get_as(Some(&sup_b), ACTIONS).await;
        assert_eq!(ids(&r.body["items"]), vec![both.clone()]);
        let outcomes = r.body["items"][0]["outcomes"].as_array().expect("outcomes");
        assert_eq!(outcomes.len(), 1);
        assert_eq!(outcomes[0]["unit_id"], ub);
        let r = app.get_as(Some(&sup_b), &format!("{ACTIONS}/{only_a}")).await;
        assert_eq!(r.status, 404);
        assert_eq!(r.body["type"], "/problems/not-found");
        let r = app.get_as(Some(&sup_b), &format!("{ACTIONS}/{both}")).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["outcomes"].as_array().map(Vec::len), Some(1));
        assert_eq!(listed_as(&app, &sup_b, "?measure=closure").await, Vec::<String>::new(), "A's closure is not B's to see");
        assert_eq!(listed_as(&app, &sup_b, "?measure=warning").await, vec![both.clone()]);
        assert_eq!(listed_as(&app, &sup_b, &format!("?community_id={a}")).await, Vec::<String>::new());
        // A's viewer and inspector read both, with every outcome in A.
        for t in [&viewer_a, &insp_a, &sup_a] {
            assert_eq!(listed_as(&app, t, "").await, vec![both.clone(), only_a.clone()]);
            let r = app.get_as(Some(t), &format!("{ACTIONS}/{both}")).await;
            assert_eq!(r.body["outcomes"].as_array().map(Vec::len), Some(1));
            assert_eq!(r.body["outcomes"][0]["unit_id"], ua);
        }
        // The admin sees every outcome.
        let r = app.get(&format!("{ACTIONS}/{both}")).await;
        assert_eq!(r.body["outcomes"].as_array().map(Vec::len), Some(2));

        // Recording: supervisors and admins only, and only in scope.
        let before = fingerprint(&app).await;
        let body = action("2026-11-22", Some(&b), vec![outcome(&ub, "suspension_ordered")]);
        assert_eq!(app.post_as(Some(&insp_a), ACTIONS, &body).await.status, 403);
        let r = app.post_as(Some(&viewer_a), ACTIONS, &body).await;
        assert_eq!(r.status, 403);
        assert_eq!(r.body["type"], "/problems/forbidden");
        let r = app.post_as(Some(&sup_a), ACTIONS, &body).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.error_fields(), vec!["community_id", "outcomes[0].unit_id"]);
        assert!(r.body["errors"].as_array().expect("errors").iter().all(|e| e["code"] == "not_found"));
        assert_eq!(fingerprint(&app).await, before, "refusals wrote nothing");
        assert_eq!(unit(&app, &ub).await["status"], "active");
        assert_eq!(app.post_as(Some(&sup_b), ACTIONS, &body).await.status, 201);
        assert_eq!(unit(&app, &ub).await["status"], "suspended");
    }

    async fn reinstatement_lifts_a_suspension_only(app) {
        let c = app.community("JML").await;
        let other = app.community("XYL").await;
        let u = app.unit(&c, "restaurant").await;
        let closed = app.unit(&c, "shop").await;
        let sup = app.user("sup", "supervisor", Some(vec![&c])).await;
        let insp = app.user("insp", "inspector", Some(vec![&c])).await;
        let outsider = app.user("outsider", "supervisor", Some(vec![&other])).await;
        let r = app.post_as(Some(&sup), ACTIONS, &action("2026-11-24", Some(&c), vec![
            outcome(&u, "suspension_ordered"), outcome(&closed, "closure"),
        ])).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let path = format!("/api/v1/units/{u}/reinstate");
        let reason = json!({"reason": "整改完毕，复查合格"});

        let before = fingerprint(&app).await;
        assert_eq!(app.post_as(Some(&insp), &path, &reason).await.status, 403);
        assert_eq!(app.post_as(Some(&outsider), &path, &reason).await.status, 404, "out of scope answers as if missing");
        let r = app.post_as(Some(&sup), &path, &json!({"reason": " "})).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.error_code("reason").as_deref(), Some("required"));
        assert_eq!(app.post_as(Some(&sup), &path, &json!({})).await.error_code("reason").as_deref(), Some("required"));
        let r = app.post_as(Some(&sup), &path, &json!({"reason": "x", "version": 1})).await;
        assert_eq!(r.status, 409);
        assert_eq!(r.body["type"], "/problems/stale-version");
        let r = app.post_as(Some(&sup), "/api/v1/units/0192f000-0000-7000-8000-000000000999/reinstate", &reason).await;
        assert_eq!(r.status, 404);
        assert_eq!(fingerprint(&app).await, before, "refusals wrote nothing");

        app.clock.advance(chrono::Duration::days(3));
        let r = app.post_as(Some(&sup), &path, &json!({"reason": "整改完毕，复查合格", "version": 2})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["status"], "active");
        assert_eq!(r.body["version"], 3);
        assert_eq!(kinds(&r.body), vec!["created", "suspended", "reinstated"]);
        let e = &r.body["events"][2];
        assert_eq!(e["from_status"], "suspended");
        assert_eq!(e["to_status"], "active");
        assert_eq!(e["reason"], "整改完毕，复查合格");
        assert_eq!(e["actor"], "sup");
        assert_eq!(e["at"], "2026-11-28T02:00:00Z");
        assert_eq!(unit(&app, &u).await, r.body);

        let before = fingerprint(&app).await;
        let r = app.post_as(Some(&sup), &path, &reason).await;
        assert_eq!(r.status, 409);
        assert_eq!(r.body["type"], "/problems/illegal-transition");
        assert_eq!(r.body["current_state"], "active");
        assert_eq!(r.body["allowed_actions"], json!(["suspend", "close"]));
        let r = app.post_as(Some(&sup), &format!("/api/v1/units/{closed}/reinstate"), &reason).await;
        assert_eq!(r.status, 409);
        assert_eq!(r.body["type"], "/problems/illegal-transition");
        assert_eq!(r.body["current_state"], "closed");
        assert_eq!(r.body["allowed_actions"], json!([]));
        assert_eq!(fingerprint(&app).await, before, "refusals wrote nothing");
        // An admin may reinstate anywhere.
        let r = app.post(ACTIONS, &action("2026-11-25", None, vec![outcome(&u, "suspension_ordered")])).await;
        assert_eq!(r.status, 201);
        assert_eq!(app.post(&path, &reason).await.status, 200);
    }

    async fn racing_actions_on_the_same_units_apply_one_after_the_other(app) {
        let c = app.community("JML").await;
        let u1 = app.unit(&c, "restaurant").await;
        let u2 = app.unit(&c, "shop").await;
        // The same units in opposite orders: both orders of a new suspension are allowed.
        let a = action("2026-11-24", None, vec![outcome(&u1, "suspension_ordered"), outcome(&u2, "suspension_ordered")]);
        let b = action("2026-11-24", None, vec![outcome(&u2, "suspension_ordered"), outcome(&u1, "suspension_ordered")]);
        let (ra, rb) = futures_util::join!(app.post(ACTIONS, &a), app.post(ACTIONS, &b));
        assert_eq!((ra.status, rb.status), (201, 201), "{:?} / {:?}", ra.body, rb.body);
        for u in [&u1, &u2] {
            let v = unit(&app, u).await;
            assert_eq!(kinds(&v), vec!["created", "suspended", "suspended"]);
            assert_eq!(v["version"], 3);
            let froms: Vec<&str> = v["events"].as_array().expect("events").iter().skip(1).map(|e| e["from_status"].as_str().unwrap_or_default()).collect();
            assert_eq!(froms, vec!["active", "suspended"], "each event starts where the other left the unit");
        }
        // A closure against a new suspension: whichever comes first, no unit is reopened.
        let u3 = app.unit(&c, "factory").await;
        let u4 = app.unit(&c, "hotel").await;
        let close = action("2026-11-24", None, vec![outcome(&u3, "closure"), outcome(&u4, "closure")]);
        let suspend = action("2026-11-24", None, vec![outcome(&u4, "suspension_ordered"), outcome(&u3, "suspension_ordered")]);
        let (rc, rs) = futures_util::join!(app.post(ACTIONS, &close), app.post(ACTIONS, &suspend));
        assert_eq!(rc.status, 201, "{:?}", rc.body);
        assert!([201, 409, 422].contains(&rs.status), "{:?}", rs.body);
        for u in [&u3, &u4] {
            let v = unit(&app, u).await;
            assert_eq!(v["status"], "closed");
            let expected = if rs.status == 201 { vec!["created", "suspended", "closed"] } else { vec!["created", "closed"] };
            assert_eq!(kinds(&v), expected);
        }
        assert_eq!(listed_as(&app, &app.token, "").await.len(), if rs.status == 201 { 4 } else { 3 });
    }

    async fn racing_reinstatements_have_one_winner(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let r = app.post(ACTIONS, &action("2026-11-24", Some(&c), vec![outcome(&u, "suspension_ordered")])).await;
        assert_eq!(r.status, 201);
        let path = format!("/api/v1/units/{u}/reinstate");
        let body = json!({"reason": "整改完毕"});
        let results = futures_util::future::join_all((0..4).map(|_| app.post(&path, &body))).await;
        let mut statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
        statuses.sort();
        assert_eq!(statuses, vec![200, 409, 409, 409], "{:?}", results.iter().map(|r| &r.body).collect::<Vec<_>>());
        let v = unit(&app, &u).await;
        assert_eq!(kinds(&v), vec!["created", "suspended", "reinstated"]);
        assert_eq!(v["version"], 3);
    }
}
