//! The office's papers: the 整改通知书 of an inspection and the 复查意见书 of a verified
//! rectification — numbered once per kind and year without gaps under concurrent issuing,
//! idempotent, a snapshot that later edits do not change, roles and scope.

use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;
use crate::workflow::upload_photo;

struct Setup {
    community: String,
    unit: String,
    inspector: String,
    supervisor: String,
}

async fn setup(app: &TestApp) -> Setup {
    let community = app.community("JML").await;
    let unit = app.unit(&community, "restaurant").await;
    let inspector = app.user("insp", "inspector", Some(vec![&community])).await;
    let supervisor = app.user("sup", "supervisor", Some(vec![&community])).await;
    Setup { community, unit, inspector, supervisor }
}

/// An inspection of the set-up's unit by the inspector, with these hazards.
async fn inspect(app: &TestApp, s: &Setup, hazards: Vec<Value>) -> Value {
    let r = app
        .post_as(Some(&s.inspector), "/api/v1/inspections", &inspection(&s.unit, "2026-11-20T09:00:00+08:00", hazards))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body
}

fn notice_path(inspection: &Value) -> String {
    format!("/api/v1/inspections/{}/notice", inspection["id"].as_str().unwrap_or_default())
}

fn with_basis(mut h: Value, basis: &str) -> Value {
    h["legal_basis"] = json!(basis);
    h
}

both_engines! {
    async fn a_notice_is_issued_once_with_its_number_snapshot_and_events(app) {
        let s = setup(&app).await;
        let found = inspect(&app, &s, vec![
            with_basis(deadline_hazard("gas", "2026-11-30"), "《城镇燃气管理条例》第二十八条"),
            deadline_hazard("electrical", "2026-12-05"),
            spot_hazard("evacuation"),
        ]).await;
        let path = notice_path(&found);
        assert_eq!(app.get_as(Some(&s.inspector), &path).await.status, 404, "none issued yet");

        let r = app.post_as(Some(&s.inspector), &path, &json!({})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let notice = r.body.clone();
        assert_eq!(notice["number"], "安隐改〔2026〕0001号");
        assert_eq!((notice["year"].as_i64(), notice["sequence"].as_i64()), (Some(2026), Some(1)));
        assert_eq!(notice["inspection_id"], found["id"]);
        assert_eq!(notice["issued_at"], json!(app.clock_now()));
        assert_eq!(notice["issued_by_name"], "insp");
        let snap = &notice["snapshot"];
        assert_eq!(snap["unit"]["name"], "restaurant unit");
        assert_eq!(snap["unit"]["address"], "金茂路1号");
        assert_eq!(snap["unit"]["community_name"], "JML社区");
        assert_eq!(snap["inspectors"], json!(["张三", "李四"]));
        assert_eq!(snap["inspected_on"], "2026-11-20");
        let deadline = snap["deadline_hazards"].as_array().cloned().unwrap_or_default();
        assert_eq!(deadline.len(), 2);
        assert_eq!(deadline.iter().filter(|h| h["legal_basis"] == "《城镇燃气管理条例》第二十八条").count(), 1);
        assert!(deadline.iter().any(|h| h["deadline"] == "2026-12-05"));
        assert_eq!(snap["on_the_spot_hazards"].as_array().map(Vec::len), Some(1));
        assert_eq!(snap["on_the_spot_hazards"][0]["status"], "closed");

        // Again: the same notice, 200; and GET reads it.
        let again = app.post_as(Some(&s.inspector), &path, &json!({})).await;
        assert_eq!(again.status, 200, "{:?}", again.body);
        assert_eq!(again.body, notice);
        let read = app.get_as(Some(&s.inspector), &path).await;
        assert_eq!((read.status, &read.body), (200, &notice));

        // Each deadline hazard has one notice_issued event with the number; the spot one none.
        for h in found["hazards"].as_array().cloned().unwrap_or_default() {
            let detail = app.get(&format!("/api/v1/hazards/{}", h["id"].as_str().unwrap_or_default())).await.body;
            let events: Vec<Value> = detail["events"].as_array().cloned().unwrap_or_default()
                .into_iter().filter(|e| e["kind"] == "notice_issued").collect();
            if h["handling_type"] == "deadline" {
                assert_eq!(events.len(), 1, "{detail:?}");
                assert_eq!(events[0]["details"]["number"], "安隐改〔2026〕0001号");
                assert_eq!(events[0]["from_state"], events[0]["to_state"], "a notice changes no state");
                assert_eq!(events[0]["actor"], "insp");
            } else {
                assert!(events.is_empty());
            }
        }

        // A later edit of the unit does not change what the notice says.
        let unit = app.get(&format!("/api/v1/units/{}", s.unit)).await.body;
        let r = app.patch(&format!("/api/v1/units/{}", s.unit),
            &json!({"version": unit["version"], "name": "改名后的饭店", "address": "新地址9号"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let read = app.get(&path).await;
        assert_eq!(read.body["snapshot"]["unit"]["name"], "restaurant unit");
        assert_eq!(read.body["snapshot"]["unit"]["address"], "金茂路1号");
    }

    async fn no_deadline_hazard_no_notice(app) {
        let s = setup(&app).await;
        let spot_only = inspect(&app, &s, vec![spot_hazard("gas")]).await;
        let r = app.post_as(Some(&s.inspector), &notice_path(&spot_only), &json!({})).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_code("hazards").as_deref(), Some("no_deadline_hazard"));
        let clean = inspect(&app, &s, vec![]).await;
        let r = app.post_as(Some(&s.inspector), &notice_path(&clean), &json!({})).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        // A voided deadline hazard is not one to notify either.
        let voided = inspect(&app, &s, vec![deadline_hazard("gas", "2026-11-30")]).await;
        let hazard = voided["hazards"][0]["id"].as_str().unwrap_or_default().to_string();
        let r = app.post_as(Some(&s.supervisor), &format!("/api/v1/hazards/{hazard}/void"), &json!({"reason": "录错了"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = app.post_as(Some(&s.inspector), &notice_path(&voided), &json!({})).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        // Nothing was numbered: the next notice is the first.
        let good = inspect(&app, &s, vec![deadline_hazard("gas", "2026-11-30")]).await;
        let r = app.post_as(Some(&s.inspector), &notice_path(&good), &json!({})).await;
        assert_eq!((r.status, r.body["number"].as_str()), (201, Some("安隐改〔2026〕0001号")));
    }

    async fn notices_follow_roles_and_scope(app) {
        let s = setup(&app).await;
        let found = inspect(&app, &s, vec![deadline_hazard("gas", "2026-11-30")]).await;
        let path = notice_path(&found);
        let viewer = app.user("viewer", "viewer", Some(vec![&s.community])).await;
        let other = app.community("XYZ").await;
        let outsider = app.user("outsider", "inspector", Some(vec![&other])).await;
        assert_eq!(app.post_as(Some(&viewer), &path, &json!({})).await.status, 403);
        assert_eq!(app.post_as(Some(&outsider), &path, &json!({})).await.status, 404);
        assert_eq!(app.post_as(None, &path, &json!({})).await.status, 401);
        assert_eq!(app.post_as(Some(&s.inspector), "/api/v1/inspections/0193a3b4-0000-7000-8000-000000000000/notice", &json!({})).await.status, 404);
        assert_eq!(app.post_as(Some(&s.inspector), &path, &json!({})).await.status, 201);
        assert_eq!(app.get_as(Some(&viewer), &path).await.status, 200);
        assert_eq!(app.get_as(Some(&outsider), &path).await.status, 404);
    }

    async fn concurrent_notices_take_every_number_once(app) {
        let s = setup(&app).await;
        let mut paths = Vec::new();
        for _ in 0..20 {
            paths.push(notice_path(&inspect(&app, &s, vec![deadline_hazard("gas", "2026-11-30")]).await));
        }
        // Each twice, all at once: 20 notices, each answered the same both times.
        let empty = json!({});
        let sends = paths.iter().chain(paths.iter()).map(|p| app.post_as(Some(&s.inspector), p, &empty));
        let answers = futures_util::future::join_all(sends).await;
        let mut numbers = std::collections::BTreeMap::new();
        for (p, r) in paths.iter().chain(paths.iter()).zip(&answers) {
            assert!(r.status == 201 || r.status == 200, "{:?}", r.body);
            let seq = r.body["sequence"].as_i64().unwrap_or_default();
            if let Some(before) = numbers.insert(p.clone(), seq) {
                assert_eq!(before, seq, "the same notice both times");
            }
        }
        assert_eq!(answers.iter().filter(|r| r.status == 201).count(), 20);
        let mut seqs: Vec<i64> = numbers.values().copied().collect();
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=20).collect::<Vec<i64>>(), "no gap, no duplicate");
    }

    async fn numbers_start_again_each_local_year_and_follow_the_settings(app) {
        let office = safetrace::config::Office {
            name: "金茂街道办事处".into(),
            phone: "0731-8888 0000".into(),
            doc_prefix: "金安改".into(),
            recheck_prefix: "金安复".into(),
        };
        let app = TestApp::fresh_with(app.engine, safetrace::config::AppConfig { office, ..test_config() }).await;
        let s = setup(&app).await;
        let a = inspect(&app, &s, vec![deadline_hazard("gas", "2026-11-30")]).await;
        let b = inspect(&app, &s, vec![deadline_hazard("gas", "2026-11-30")]).await;
        let c = inspect(&app, &s, vec![deadline_hazard("gas", "2026-11-30")]).await;
        // 23:30 on 31 December in the office's zone: still 2026.
        app.clock.set("2026-12-31T15:30:00Z".parse().expect("moment"));
        let r = app.post_as(Some(&s.inspector), &notice_path(&a), &json!({})).await;
        assert_eq!(r.body["number"], "金安改〔2026〕0001号", "{:?}", r.body);
        assert_eq!(r.body["snapshot"]["office_name"], "金茂街道办事处");
        assert_eq!(r.body["snapshot"]["office_phone"], "0731-8888 0000");
        // 00:30 on 1 January local (still 31 December in UTC): 2027 starts at 1.
        app.clock.set("2026-12-31T16:30:00Z".parse().expect("moment"));
        let r = app.post_as(Some(&s.inspector), &notice_path(&b), &json!({})).await;
        assert_eq!((r.body["number"].as_str(), r.body["year"].as_i64()), (Some("金安改〔2027〕0001号"), Some(2027)));
        let r = app.post_as(Some(&s.inspector), &notice_path(&c), &json!({})).await;
        assert_eq!(r.body["number"], "金安改〔2027〕0002号");
    }

    async fn a_recheck_opinion_follows_verification(app) {
        let s = setup(&app).await;
        let found = inspect(&app, &s, vec![deadline_hazard("gas", "2026-11-30"), deadline_hazard("electrical", "2026-11-30")]).await;
        assert_eq!(app.post_as(Some(&s.inspector), &notice_path(&found), &json!({})).await.status, 201);
        let photo = upload_photo(&app, &s.inspector, 7).await;
        let mut rects = Vec::new();
        for h in found["hazards"].as_array().cloned().unwrap_or_default() {
            let body = json!({"measures": "更换燃气软管，加装报警器", "responsible_person": "王老板", "cost": 350.5,
                              "completed_at": "2026-11-24T15:00:00+08:00", "evidence_ids": [photo]});
            let r = app.post_as(Some(&s.inspector), &format!("/api/v1/hazards/{}/rectifications", h["id"].as_str().unwrap_or_default()), &body).await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            rects.push(r.id());
        }
        let path = |id: &str| format!("/api/v1/rectifications/{id}/recheck-opinion");
        let r = app.post_as(Some(&s.supervisor), &path(&rects[0]), &json!({})).await;
        assert_eq!(r.status, 409, "not verified yet: {:?}", r.body);
        assert_eq!(app.get(&path(&rects[0])).await.status, 404);

        let r = app.post_as(Some(&s.supervisor), &format!("/api/v1/rectifications/{}/verification", rects[0]), &json!({"outcome": "pass", "comment": "已整改到位"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = app.post_as(Some(&s.supervisor), &format!("/api/v1/rectifications/{}/verification", rects[1]), &json!({"outcome": "reject", "comment": "报警器未安装"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);

        assert_eq!(app.post_as(Some(&s.inspector), &path(&rects[0]), &json!({})).await.status, 403, "supervisors and up");
        let r = app.post_as(Some(&s.supervisor), &path(&rects[0]), &json!({})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let opinion = r.body.clone();
        assert_eq!(opinion["number"], "安隐复〔2026〕0001号");
        assert_eq!(opinion["rectification_id"].as_str(), Some(rects[0].as_str()));
        let snap = &opinion["snapshot"];
        assert_eq!(snap["outcome"], "pass");
        assert_eq!(snap["comment"], "已整改到位");
        assert_eq!(snap["verified_by_name"], "sup");
        assert_eq!(snap["measures"], "更换燃气软管，加装报警器");
        assert_eq!(snap["cost"], 350.5);
        assert_eq!(snap["notice_number"], "安隐改〔2026〕0001号");
        assert_eq!(snap["unit"]["name"], "restaurant unit");
        assert_eq!(snap["hazard"]["status"], "closed");
        let again = app.post_as(Some(&s.supervisor), &path(&rects[0]), &json!({})).await;
        assert_eq!((again.status, &again.body), (200, &opinion));
        assert_eq!(app.get_as(Some(&s.inspector), &path(&rects[0])).await.body, opinion);

        let r = app.post_as(Some(&s.supervisor), &path(&rects[1]), &json!({})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["number"], "安隐复〔2026〕0002号", "its own sequence");
        assert_eq!(r.body["snapshot"]["outcome"], "reject");
        assert_eq!(r.body["snapshot"]["hazard"]["status"], "open");
        let other = app.community("XYZ").await;
        let outsider = app.user("outsider", "supervisor", Some(vec![&other])).await;
        assert_eq!(app.get_as(Some(&outsider), &path(&rects[1])).await.status, 404);
    }
}
