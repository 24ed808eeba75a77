//! A major hazard's governance plan (五到位) and its formal supervision (挂牌督办): who may,
//! which hazards, every step of the supervision allowed and refused, versions, the void
//! refused while supervised, the list's filter and the events.

use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;
use crate::workflow::upload_photo;

pub struct Setup {
    pub community: String,
    pub unit: String,
    pub major: String,
    pub general: String,
    pub supervisor: String,
    pub inspector: String,
}

/// A major and a general deadline hazard, open, with a supervisor and an inspector in scope.
pub async fn setup(app: &TestApp) -> Setup {
    let community = app.community("JML").await;
    let unit = app.unit(&community, "restaurant").await;
    let supervisor = app.user("sup", "supervisor", Some(vec![&community])).await;
    let inspector = app.user("insp", "inspector", Some(vec![&community])).await;
    let mut major = deadline_hazard("gas", "2026-12-20");
    major["level"] = json!("major");
    let general = deadline_hazard("electrical", "2026-11-30");
    let r = app
        .post_as(
            Some(&inspector),
            "/api/v1/inspections",
            &inspection(&unit, "2026-11-20T09:00:00+08:00", vec![major, general]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = |i: usize| r.body["hazards"][i]["id"].as_str().unwrap_or_default().to_string();
    Setup { major: id(0), general: id(1), community, unit, supervisor, inspector }
}

/// Rectifies the hazard and passes it: it is closed.
pub async fn close(app: &TestApp, s: &Setup, hazard: &str) {
    let photo = upload_photo(app, &s.inspector, 7).await;
    let body =
        json!({"measures": "更换燃气管道", "completed_at": "2026-11-24T15:00:00+08:00", "evidence_ids": [photo]});
    let r = app.post_as(Some(&s.inspector), &format!("/api/v1/hazards/{hazard}/rectifications"), &body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let rect = r.id();
    let r = app
        .post_as(
            Some(&s.supervisor),
            &format!("/api/v1/rectifications/{rect}/verification"),
            &json!({"outcome": "pass"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

pub fn full_plan() -> Value {
    json!({"measures": "更换全部燃气管道", "funds": 12500.5, "deadline": "2026-12-20",
           "responsible_person": "王经理", "emergency_plan": "关阀疏散预案"})
}

fn kinds(h: &Value) -> Vec<String> {
    h["events"].as_array().expect("events").iter().map(|e| e["kind"].as_str().unwrap_or_default().to_string()).collect()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().map(|h| h["id"].as_str().unwrap_or_default().to_string()).collect()
}

both_engines! {
    async fn a_plan_is_complete_with_all_five_items_and_replaced_by_version(app) {
        let s = setup(&app).await;
        let path = format!("/api/v1/hazards/{}/plan", s.major);
        // Only supervisors and admins; only a major hazard.
        let r = app.request_as(Some(&s.inspector), actix_web::http::Method::PUT, &path, Some(&full_plan())).await;
        assert_eq!(r.status, 403);
        let general = format!("/api/v1/hazards/{}/plan", s.general);
        let r = app.request_as(Some(&s.supervisor), actix_web::http::Method::PUT, &general, Some(&full_plan())).await;
        assert_eq!(r.status, 409, "{:?}", r.body);
        // Three decimals are refused.
        let mut bad = full_plan();
        bad["funds"] = json!(1.005);
        let r = app.request_as(Some(&s.supervisor), actix_web::http::Method::PUT, &path, Some(&bad)).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.error_code("funds").as_deref(), Some("precision"));

        // A plan without its emergency plan is kept, incomplete.
        let mut partial = full_plan();
        partial["emergency_plan"] = json!(" ");
        partial["reason"] = json!("先行制定");
        let r = app.request_as(Some(&s.supervisor), actix_web::http::Method::PUT, &path, Some(&partial)).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["plan"]["state"], "incomplete");
        assert_eq!(r.body["plan"]["emergency_plan"], Value::Null);
        assert_eq!(r.body["plan"]["funds"], 12500.5);
        assert_eq!(r.body["plan"]["version"], 1);
        assert_eq!(r.body["plan_state"], "incomplete");
        // Replacing it needs its version.
        let r = app.request_as(Some(&s.supervisor), actix_web::http::Method::PUT, &path, Some(&full_plan())).await;
        assert_eq!(r.status, 409);
        let mut replaced = full_plan();
        replaced["version"] = json!(1);
        let r = app.request_as(Some(&s.supervisor), actix_web::http::Method::PUT, &path, Some(&replaced)).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["plan"]["state"], "complete");
        assert_eq!(r.body["plan"]["version"], 2);
        assert_eq!(r.body["plan_state"], "complete");
        let r = app.request_as(Some(&s.supervisor), actix_web::http::Method::PUT, &path, Some(&replaced)).await;
        assert_eq!(r.status, 409);
        assert_eq!(r.body["type"], "/problems/stale-version");
        let h = app.get(&format!("/api/v1/hazards/{}", s.major)).await.body;
        assert_eq!(kinds(&h), ["created", "plan_recorded", "plan_replaced"]);
        assert_eq!(h["events"][1]["reason"], "先行制定");
        assert_eq!(h["events"][1]["actor_user_id"], h["events"][2]["actor_user_id"]);
        assert_eq!(h["events"][2]["to_state"], "open");
        assert_eq!(h["status"], "open", "a plan leaves the hazard's state alone");

        // A closed hazard takes no plan.
        close(&app, &s, &s.major).await;
        replaced["version"] = json!(2);
        let r = app.request_as(Some(&s.supervisor), actix_web::http::Method::PUT, &path, Some(&replaced)).await;
        assert_eq!(r.status, 409);
        assert_eq!(r.body["type"], "/problems/illegal-transition");
    }

    async fn a_supervision_from_listing_to_lifting(app) {
        let s = setup(&app).await;
        let base = format!("/api/v1/hazards/{}/supervision", s.major);
        let listing = json!({"level": "city", "authority": "市应急管理局", "listed_on": "2026-11-24", "reason": "重大燃气隐患"});
        let r = app.post_as(Some(&s.inspector), &base, &listing).await;
        assert_eq!(r.status, 403);
        let r = app.post_as(Some(&s.supervisor), &format!("/api/v1/hazards/{}/supervision", s.general), &listing).await;
        assert_eq!(r.status, 409, "only a major hazard");
        let mut future = listing.clone();
        future["listed_on"] = json!("2026-12-01");
        assert_eq!(app.post_as(Some(&s.supervisor), &base, &future).await.status, 422);
        let r = app.post_as(Some(&s.supervisor), &base, &listing).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["supervision"]["state"], "listed");
        assert_eq!(r.body["supervision"]["level"], "city");
        assert_eq!(r.body["supervision"]["authority"], "市应急管理局");
        assert_eq!(r.body["supervision_state"], "listed");
        // One per hazard.
        assert_eq!(app.post_as(Some(&s.supervisor), &base, &listing).await.status, 409);

        // The list's filter.
        let supervised = app.get("/api/v1/hazards?supervised=true").await.body;
        assert_eq!(ids(&supervised), std::slice::from_ref(&s.major));
        let not = app.get("/api/v1/hazards?supervised=false").await.body;
        assert_eq!(ids(&not), std::slice::from_ref(&s.general));

        // Not voided while supervised.
        let r = app.post_as(Some(&s.supervisor), &format!("/api/v1/hazards/{}/void", s.major), &json!({"reason": "录入错误"})).await;
        assert_eq!(r.status, 409, "{:?}", r.body);
        // Its lifting waits for the hazard's closure; lifting waits for the request.
        let step = json!({"reason": "整改完成，申请摘牌"});
        let r = app.post_as(Some(&s.supervisor), &format!("{base}/lift-request"), &step).await;
        assert_eq!(r.status, 409);
        assert_eq!(r.body["type"], "/problems/illegal-transition");
        let r = app.post(&format!("{base}/lift"), &step).await;
        assert_eq!(r.status, 409);
        assert_eq!(r.body["type"], "/problems/illegal-transition");
        assert_eq!(r.body["current_state"], "listed");

        // Corrected with its version.
        let fix = json!({"level": "province", "version": 1, "reason": "省级挂牌"});
        let r = app.request_as(Some(&s.supervisor), actix_web::http::Method::PATCH, &base, Some(&fix)).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["supervision"]["level"], "province");
        assert_eq!(r.body["supervision"]["authority"], "市应急管理局");
        assert_eq!(r.body["supervision"]["version"], 2);
        assert_eq!(r.body["supervision_level"], "province");
        let r = app.request_as(Some(&s.supervisor), actix_web::http::Method::PATCH, &base, Some(&fix)).await;
        assert_eq!(r.status, 409);
        assert_eq!(r.body["type"], "/problems/stale-version");

        // The monthly report's major table shows it.
        let month = app.get("/api/v1/reports/monthly?month=2026-11").await;
        assert_eq!(month.status, 200, "{:?}", month.body);
        let line = month.body["major"].as_array().and_then(|l| l.first()).cloned().unwrap_or_default();
        assert_eq!(line["hazard_id"], json!(s.major));
        assert_eq!((line["supervision_level"].clone(), line["supervision_state"].clone()), (json!("province"), json!("listed")));
        assert_eq!(line["plan_state"], Value::Null);

        close(&app, &s, &s.major).await;
        let r = app.post_as(Some(&s.supervisor), &format!("{base}/lift-request"), &json!({"reason": " "})).await;
        assert_eq!(r.status, 422, "a step says why");
        let r = app.post_as(Some(&s.supervisor), &format!("{base}/lift-request"), &step).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["supervision"]["state"], "lift_requested");
        // Lifting is the admins'.
        let r = app.post_as(Some(&s.supervisor), &format!("{base}/lift"), &json!({"reason": "同意摘牌"})).await;
        assert_eq!(r.status, 403);
        let before_lift = app.clock_now();
        app.clock.advance(chrono::Duration::hours(1));
        let r = app.post(&format!("{base}/lift"), &json!({"reason": "同意摘牌", "version": 3})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        // The counters, now and as of before the lift.
        let summary = |as_of: Option<String>| {
            let q = as_of.map(|t| format!("&as_of={}", t.replace('+', "%2B"))).unwrap_or_default();
            format!("/api/v1/reports/summary?from=2026-11-01&to=2026-11-30{q}")
        };
        let now = app.get(&summary(None)).await.body["totals"].clone();
        let counts = |t: &Value| {
            ["major_supervised", "major_supervised_province", "major_supervised_lifted"].map(|k| t[k].as_i64().unwrap_or(-1))
        };
        assert_eq!(counts(&now), [1, 1, 1]);
        let then = app.get(&summary(Some(before_lift.to_string()))).await;
        assert_eq!(then.status, 200, "{:?}", then.body);
        assert_eq!(counts(&then.body["totals"]), [1, 1, 0]);
        assert_eq!(r.body["supervision"]["state"], "lifted");
        assert!(r.body["supervision"]["lifted_at"].is_string());
        assert_eq!(r.body["supervision_state"], "lifted");
        // Lifted is final.
        let again = json!({"authority": "省应急管理厅", "version": 4, "reason": "更正"});
        let r = app.request_as(None, actix_web::http::Method::PATCH, &base, Some(&again)).await;
        assert_eq!(r.status, 401);
        let r = app.patch(&base, &again).await;
        assert_eq!(r.status, 409);
        assert_eq!(r.body["type"], "/problems/illegal-transition");
        assert_eq!(r.body["current_state"], "lifted");
        assert_eq!(r.body["allowed_actions"], json!([]));

        let h = app.get(&format!("/api/v1/hazards/{}", s.major)).await.body;
        let k = kinds(&h);
        let governance: Vec<&str> = k.iter().map(String::as_str).filter(|k| k.starts_with("supervision")).collect();
        assert_eq!(governance, ["supervision_listed", "supervision_corrected", "supervision_lift_requested", "supervision_lifted"]);
        let lifted = h["events"].as_array().and_then(|e| e.last()).cloned().unwrap_or_default();
        assert_eq!(lifted["reason"], "同意摘牌");
        assert_eq!(lifted["actor"].as_str().map(|a| !a.is_empty()), Some(true));
        assert_eq!(lifted["details"], json!({"from": "lift_requested", "to": "lifted"}));
    }

    async fn a_supervision_out_of_scope_is_not_found(app) {
        let s = setup(&app).await;
        let other = app.community("XJL").await;
        let outsider = app.user("sup2", "supervisor", Some(vec![&other])).await;
        let listing = json!({"level": "county", "authority": "区应急管理局", "listed_on": "2026-11-24"});
        let r = app.post_as(Some(&outsider), &format!("/api/v1/hazards/{}/supervision", s.major), &listing).await;
        assert_eq!(r.status, 404);
        let r = app.post(&format!("/api/v1/hazards/{}/supervision/lift-request", s.general), &json!({"reason": "x"})).await;
        assert_eq!(r.status, 404, "no supervision to lift");
        let _ = (&s.community, &s.unit);
    }
}
