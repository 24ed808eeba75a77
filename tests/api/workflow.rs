//! The rectification workflow: every transition allowed and refused, evidence, history,
//! idempotent resubmission, and races that must be won exactly once.

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;

/// A minimal PNG: the signature and an IHDR chunk, which is what type sniffing reads.
pub fn png_bytes(seed: u8) -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    b.extend_from_slice(&[0, 0, 0, 13]);
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
    b.extend_from_slice(&[seed, 0x90, 0x77, 0x53]);
    b
}

/// Uploads a photo as the given user and answers its id.
pub async fn upload_photo(app: &TestApp, token: &str, seed: u8) -> String {
    let boundary = "----safetrace-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
    body.extend_from_slice(&png_bytes(seed));
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = app
        .server
        .request(Method::POST, app.server.url("/api/v1/attachments"))
        .insert_header(("content-type", format!("multipart/form-data; boundary={boundary}")))
        .insert_header(("authorization", format!("Bearer {token}")));
    let mut res = req.send_body(body).await.expect("upload sent");
    let bytes = res.body().await.expect("upload body");
    let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    assert_eq!(res.status().as_u16(), 201, "{v:?}");
    v["id"].as_str().expect("attachment id").to_string()
}

struct Setup {
    hazard: String,
    supervisor: String,
    inspector: String,
}

/// A community with a supervisor and an inspector, and one open deadline hazard.
async fn setup(app: &TestApp) -> Setup {
    let c = app.community("JML").await;
    let u = app.unit(&c, "restaurant").await;
    let supervisor = app.user("sup", "supervisor", Some(vec![&c])).await;
    let inspector = app.user("insp", "inspector", Some(vec![&c])).await;
    let r = app
        .post_as(
            Some(&inspector),
            "/api/v1/inspections",
            &inspection(&u, "2026-11-20T09:00:00+08:00", vec![deadline_hazard("gas", "2026-11-30")]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    Setup { hazard: r.body["hazards"][0]["id"].as_str().unwrap_or_default().to_string(), supervisor, inspector }
}

fn rectification(photo: &str) -> Value {
    json!({"measures": "更换燃气软管，加装报警器", "responsible_person": "王老板", "cost": 350.5,
           "completed_at": "2026-11-24T15:00:00+08:00", "evidence_ids": [photo]})
}

async fn submit(app: &TestApp, token: &str, hazard: &str, body: &Value) -> Resp {
    app.post_as(Some(token), &format!("/api/v1/hazards/{hazard}/rectifications"), body).await
}

async fn verify(app: &TestApp, token: &str, rect: &str, body: &Value) -> Resp {
    app.post_as(Some(token), &format!("/api/v1/rectifications/{rect}/verification"), body).await
}

async fn hazard(app: &TestApp, id: &str) -> Value {
    let r = app.get(&format!("/api/v1/hazards/{id}")).await;
    assert_eq!(r.status, 200);
    r.body
}

fn kinds(h: &Value) -> Vec<String> {
    h["events"].as_array().expect("events").iter().map(|e| e["kind"].as_str().unwrap_or_default().to_string()).collect()
}

both_engines! {
    async fn reject_then_resubmit_then_pass(app) {
        let s = setup(&app).await;
        let photo = upload_photo(&app, &s.inspector, 1).await;
        let r = submit(&app, &s.inspector, &s.hazard, &rectification(&photo)).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["status"], "pending");
        assert_eq!(r.body["cost"], 350.5);
        assert_eq!(r.body["evidence_ids"], json!([photo]));
        let first = r.id();
        assert_eq!(hazard(&app, &s.hazard).await["status"], "pending_verification");

        // Only one pending rectification at a time.
        let photo2 = upload_photo(&app, &s.inspector, 2).await;
        let r = submit(&app, &s.inspector, &s.hazard, &rectification(&photo2)).await;
        assert_eq!(r.status, 409);
        assert_eq!(r.body["type"], "/problems/illegal-transition");
        assert_eq!(r.body["current_state"], "pending_verification");
        assert_eq!(r.body["allowed_actions"], json!(["verify_pass", "verify_reject", "void", "extend_deadline"]));

        // A rejection needs a comment and sends the hazard back.
        let r = verify(&app, &s.supervisor, &first, &json!({"outcome": "reject"})).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.error_code("comment").as_deref(), Some("required"));
        let r = verify(&app, &s.supervisor, &first, &json!({"outcome": "reject", "comment": "报警器未安装"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["status"], "open");
        assert_eq!(r.body["rectifications"][0]["status"], "rejected");
        assert_eq!(r.body["rectifications"][0]["verification_comment"], "报警器未安装");
        // A verified rectification cannot be verified again.
        let r = verify(&app, &s.supervisor, &first, &json!({"outcome": "pass"})).await;
        assert_eq!(r.status, 409);

        app.clock.advance(chrono::Duration::hours(1));
        let r = submit(&app, &s.inspector, &s.hazard, &rectification(&photo2)).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let second = r.id();
        let r = verify(&app, &s.supervisor, &second, &json!({"outcome": "pass", "comment": "复查合格"})).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["status"], "closed");
        assert_eq!(r.body["closed_at"], "2026-11-25T03:00:00Z");
        assert_eq!(r.body["rectifications"].as_array().map(Vec::len), Some(2));
        assert_eq!(r.body["rectifications"][1]["status"], "passed");

        let h = hazard(&app, &s.hazard).await;
        assert_eq!(kinds(&h), vec!["created", "rectification_submitted", "rectification_rejected", "rectification_submitted", "rectification_passed"]);
        let events = h["events"].as_array().expect("events");
        let actors: Vec<&str> = events.iter().map(|e| e["actor"].as_str().unwrap_or_default()).collect();
        assert_eq!(actors, vec!["insp", "insp", "sup", "insp", "sup"]);
        let states: Vec<(Value, Value)> = events.iter().map(|e| (e["from_state"].clone(), e["to_state"].clone())).collect();
        assert_eq!(states, vec![
            (Value::Null, json!("open")),
            (json!("open"), json!("pending_verification")),
            (json!("pending_verification"), json!("open")),
            (json!("open"), json!("pending_verification")),
            (json!("pending_verification"), json!("closed")),
        ]);
        assert_eq!(events[2]["reason"], "报警器未安装");
        // Closed is final.
        for (path, body) in [
            ("void", json!({"reason": "x"})),
            ("deadline", json!({"deadline": "2027-01-01", "reason": "x"})),
            ("rectifications", rectification(&photo)),
        ] {
            let r = app.post_as(Some(&s.supervisor), &format!("/api/v1/hazards/{}/{path}", s.hazard), &body).await;
            assert_eq!(r.status, 409, "{path} on a closed hazard");
            assert_eq!(r.body["current_state"], "closed");
            assert_eq!(r.body["allowed_actions"], json!([]));
        }
        assert_eq!(kinds(&hazard(&app, &s.hazard).await).len(), 5, "refusals write no event");
    }

    async fn void_and_deadline_extension_keep_history(app) {
        let s = setup(&app).await;
        let r = app.post_as(Some(&s.supervisor), &format!("/api/v1/hazards/{}/deadline", s.hazard), &json!({"deadline": "2026-11-29", "reason": "x"})).await;
        assert_eq!(r.status, 422, "an extension moves the deadline later");
        assert_eq!(r.error_code("deadline").as_deref(), Some("not_later"));
        let r = app.post_as(Some(&s.supervisor), &format!("/api/v1/hazards/{}/deadline", s.hazard), &json!({"deadline": "2026-12-15", "reason": "等待配件", "version": 1})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["deadline"], "2026-12-15");
        assert_eq!(r.body["status"], "open");
        assert_eq!(r.body["version"], 2);
        let ext = &r.body["events"][1];
        assert_eq!(ext["kind"], "deadline_extended");
        assert_eq!(ext["details"], json!({"from": "2026-11-30", "to": "2026-12-15"}), "the original deadline stays in the history");
        assert_eq!(ext["reason"], "等待配件");
        // A stale version changes nothing.
        let r = app.post_as(Some(&s.supervisor), &format!("/api/v1/hazards/{}/void", s.hazard), &json!({"reason": "录入错误", "version": 1})).await;
        assert_eq!(r.status, 409);
        assert_eq!(r.body["type"], "/problems/stale-version");
        // An inspector may not void.
        let r = app.post_as(Some(&s.inspector), &format!("/api/v1/hazards/{}/void", s.hazard), &json!({"reason": "录入错误"})).await;
        assert_eq!(r.status, 403);
        let r = app.post_as(Some(&s.supervisor), &format!("/api/v1/hazards/{}/void", s.hazard), &json!({"reason": " "})).await;
        assert_eq!(r.status, 422);
        let r = app.post_as(Some(&s.supervisor), &format!("/api/v1/hazards/{}/void", s.hazard), &json!({"reason": "录入错误"})).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["status"], "voided");
        assert_eq!(kinds(&r.body), vec!["created", "deadline_extended", "voided"]);
        assert_eq!(r.body["events"][2]["reason"], "录入错误");
        // Voided hazards are still listed (nothing is deleted) and never overdue.
        app.clock.set("2027-01-01T00:00:00Z".parse().expect("moment"));
        let list = app.get("/api/v1/hazards?status=voided").await;
        assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
        assert_eq!(app.get("/api/v1/hazards?overdue=true").await.body["items"], json!([]));
    }

    async fn a_pending_hazard_can_be_voided_or_extended(app) {
        let s = setup(&app).await;
        let photo = upload_photo(&app, &s.inspector, 3).await;
        let rect = submit(&app, &s.inspector, &s.hazard, &rectification(&photo)).await.id();
        let r = app.post_as(Some(&s.supervisor), &format!("/api/v1/hazards/{}/deadline", s.hazard), &json!({"deadline": "2026-12-31", "reason": "复查排期"})).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["status"], "pending_verification");
        let r = app.post_as(Some(&s.supervisor), &format!("/api/v1/hazards/{}/void", s.hazard), &json!({"reason": "重复录入"})).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["status"], "voided");
        let r = verify(&app, &s.supervisor, &rect, &json!({"outcome": "pass"})).await;
        assert_eq!(r.status, 409, "a voided hazard cannot be closed");
        assert_eq!(r.body["current_state"], "voided");
        let h = hazard(&app, &s.hazard).await;
        assert_eq!(h["rectifications"][0]["status"], "pending", "the refused verification wrote nothing");
    }

    async fn evidence_is_required_and_must_be_citable(app) {
        let s = setup(&app).await;
        let mut body = rectification("0192f000-0000-7000-8000-000000000999");
        let r = submit(&app, &s.inspector, &s.hazard, &body).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.error_code("evidence_ids[0]").as_deref(), Some("not_found"));
        body["evidence_ids"] = json!([]);
        let r = submit(&app, &s.inspector, &s.hazard, &body).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.error_code("evidence_ids").as_deref(), Some("required"));
        // Someone else's uncited photo cannot be cited.
        let foreign = upload_photo(&app, &s.supervisor, 4).await;
        body["evidence_ids"] = json!([foreign]);
        let r = submit(&app, &s.inspector, &s.hazard, &body).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.error_code("evidence_ids[0]").as_deref(), Some("not_found"));
        let mine = upload_photo(&app, &s.inspector, 5).await;
        body["evidence_ids"] = json!([mine]);
        body["completed_at"] = json!("2026-11-19T09:00:00+08:00");
        let r = submit(&app, &s.inspector, &s.hazard, &body).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.error_code("completed_at").as_deref(), Some("before_found"));
        body["completed_at"] = json!("2026-11-24T09:00:00+08:00");
        body["cost"] = json!(1.005);
        let r = submit(&app, &s.inspector, &s.hazard, &body).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.error_code("cost").as_deref(), Some("precision"));
        assert_eq!(hazard(&app, &s.hazard).await["status"], "open", "refusals changed nothing");
        // Once cited, the photo is visible to whoever may see the hazard.
        body["cost"] = json!(12);
        assert_eq!(submit(&app, &s.inspector, &s.hazard, &body).await.status, 201);
        let r = app.get_as(Some(&s.supervisor), &format!("/api/v1/attachments/{mine}")).await;
        assert_eq!(r.status, 200);
    }

    async fn photos_cited_by_a_submission_are_listed_with_its_hazards(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let t = app.user("insp", "inspector", Some(vec![&c])).await;
        let p1 = upload_photo(&app, &t, 6).await;
        let p2 = upload_photo(&app, &t, 7).await;
        let mut h = deadline_hazard("gas", "2026-12-01");
        h["photo_ids"] = json!([p2, p1]);
        let mut body = inspection(&u, "2026-11-20T09:00:00+08:00", vec![h]);
        body["attachment_ids"] = json!([p1]);
        let r = app.post_as(Some(&t), "/api/v1/inspections", &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["attachment_ids"], json!([p1]));
        assert_eq!(r.body["hazards"][0]["photo_ids"], json!([p2, p1]), "in the order cited");
        let id = r.id();
        let got = app.get(&format!("/api/v1/inspections/{id}")).await;
        assert_eq!(got.body, r.body);
        let list = app.get("/api/v1/hazards").await;
        assert_eq!(list.body["items"][0]["photo_ids"], json!([p2, p1]));
    }

    async fn rectification_replay_answers_the_record_as_it_is_now(app) {
        let s = setup(&app).await;
        let photo = upload_photo(&app, &s.inspector, 8).await;
        let mut body = rectification(&photo);
        body["id"] = json!("0192f000-0000-7000-8000-00000000f001");
        let first = submit(&app, &s.inspector, &s.hazard, &body).await;
        assert_eq!(first.status, 201);
        let again = submit(&app, &s.inspector, &s.hazard, &body).await;
        assert_eq!(again.status, 200);
        assert_eq!(again.body, first.body);
        let rect = first.id();
        assert_eq!(verify(&app, &s.supervisor, &rect, &json!({"outcome": "pass"})).await.status, 200);
        let after = submit(&app, &s.inspector, &s.hazard, &body).await;
        assert_eq!(after.status, 200, "a replay after verification still answers the record");
        assert_eq!(after.body["status"], "passed");
        let mut changed = body.clone();
        changed["measures"] = json!("别的措施");
        assert_eq!(submit(&app, &s.inspector, &s.hazard, &changed).await.status, 409);
        let h = hazard(&app, &s.hazard).await;
        assert_eq!(h["rectifications"].as_array().map(Vec::len), Some(1));
        assert_eq!(kinds(&h), vec!["created", "rectification_submitted", "rectification_passed"]);
    }

    async fn racing_verifications_have_one_winner(app) {
        let s = setup(&app).await;
        let photo = upload_photo(&app, &s.inspector, 9).await;
        let rect = submit(&app, &s.inspector, &s.hazard, &rectification(&photo)).await.id();
        let sup2 = app.user("sup2", "supervisor", None).await;
        let pass = json!({"outcome": "pass"});
        let reject = json!({"outcome": "reject", "comment": "不合格"});
        let (a, b) = futures_util::join!(verify(&app, &s.supervisor, &rect, &pass), verify(&app, &sup2, &rect, &reject));
        let mut statuses = vec![a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, vec![200, 409], "{:?} / {:?}", a.body, b.body);
        let h = hazard(&app, &s.hazard).await;
        let k = kinds(&h);
        assert_eq!(k.len(), 3, "one history: {k:?}");
        let winner = if a.status == 200 { "rectification_passed" } else { "rectification_rejected" };
        assert_eq!(k[2], winner);
        assert_eq!(h["status"], if a.status == 200 { "closed" } else { "open" });
    }

    async fn racing_verification_and_void_have_one_winner(app) {
        let s = setup(&app).await;
        let photo = upload_photo(&app, &s.inspector, 10).await;
        let rect = submit(&app, &s.inspector, &s.hazard, &rectification(&photo)).await.id();
        let void_path = format!("/api/v1/hazards/{}/void", s.hazard);
        let void_body = json!({"reason": "录入错误"});
        let pass = json!({"outcome": "pass"});
        let (v, p) = futures_util::join!(
            app.post_as(Some(&s.supervisor), &void_path, &void_body),
            verify(&app, &s.supervisor, &rect, &pass)
        );
        let mut statuses = vec![v.status, p.status];
        statuses.sort();
        assert_eq!(statuses, vec![200, 409], "{:?} / {:?}", v.body, p.body);
        let h = hazard(&app, &s.hazard).await;
        assert_eq!(h["events"].as_array().map(Vec::len), Some(3));
        if v.status == 200 {
            assert_eq!(h["status"], "voided");
            assert_eq!(h["rectifications"][0]["status"], "pending");
        } else {
            assert_eq!(h["status"], "closed");
            assert_eq!(h["rectifications"][0]["status"], "passed");
        }
    }

    async fn racing_identical_rectifications_store_one(app) {
        let s = setup(&app).await;
        let photo = upload_photo(&app, &s.inspector, 11).await;
        let mut body = rectification(&photo);
        body["id"] = json!("0192f000-0000-7000-8000-00000000f002");
        let sends = (0..6).map(|_| submit(&app, &s.inspector, &s.hazard, &body));
        let results = futures_util::future::join_all(sends).await;
        let mut statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
        statuses.sort();
        assert_eq!(statuses, vec![200, 200, 200, 200, 200, 201]);
        let h = hazard(&app, &s.hazard).await;
        assert_eq!(h["rectifications"].as_array().map(Vec::len), Some(1));
        assert_eq!(kinds(&h), vec!["created", "rectification_submitted"]);
    }

    async fn a_viewer_and_another_community_cannot_act(app) {
        let s = setup(&app).await;
        let other = app.community("XYL").await;
        let outsider = app.user("outsider", "supervisor", Some(vec![&other])).await;
        let viewer = app.user("viewer", "viewer", None).await;
        let photo = upload_photo(&app, &s.inspector, 12).await;
        assert_eq!(submit(&app, &viewer, &s.hazard, &rectification(&photo)).await.status, 403);
        let r = app.post_as(Some(&outsider), &format!("/api/v1/hazards/{}/void", s.hazard), &json!({"reason": "x"})).await;
        assert_eq!(r.status, 404, "out of scope answers as if it did not exist");
        let rect = submit(&app, &s.inspector, &s.hazard, &rectification(&photo)).await.id();
        assert_eq!(verify(&app, &s.inspector, &rect, &json!({"outcome": "pass"})).await.status, 403);
        assert_eq!(verify(&app, &outsider, &rect, &json!({"outcome": "pass"})).await.status, 404);
        assert_eq!(hazard(&app, &s.hazard).await["status"], "pending_verification");
    }

    async fn nobody_verifies_a_rectification_they_submitted(app) {
        let s = setup(&app).await;
        let photo = upload_photo(&app, &s.supervisor, 41).await;
        let rect = submit(&app, &s.supervisor, &s.hazard, &rectification(&photo)).await.id();
        let before = hazard(&app, &s.hazard).await;
        let r = verify(&app, &s.supervisor, &rect, &json!({"outcome": "pass"})).await;
        assert_eq!(r.status, 409, "{:?}", r.body);
        assert_eq!(r.body["type"], "/problems/conflict");
        assert!(r.body["detail"].as_str().is_some_and(|d| d.contains("someone else")), "{:?}", r.body);
        assert_eq!(hazard(&app, &s.hazard).await, before, "the refusal wrote nothing");

        // Admins included: an admin's own rectification waits for someone else too.
        let r = verify(&app, &app.token, &rect, &json!({"outcome": "reject", "comment": "照片不清楚"})).await;
        assert_eq!(r.status, 200, "another person may verify: {:?}", r.body);
        let again = submit(&app, &app.token, &s.hazard, &rectification(&photo)).await.id();
        let r = verify(&app, &app.token, &again, &json!({"outcome": "pass"})).await;
        assert_eq!(r.status, 409, "{:?}", r.body);
        let r = verify(&app, &s.supervisor, &again, &json!({"outcome": "pass"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["status"], "closed");
    }

    async fn a_small_office_may_allow_self_verification(app) {
        let config = safetrace::config::AppConfig { allow_self_verification: true, ..test_config() };
        let app = TestApp::fresh_with(app.engine, config).await;
        let s = setup(&app).await;
        let photo = upload_photo(&app, &s.supervisor, 42).await;
        let rect = submit(&app, &s.supervisor, &s.hazard, &rectification(&photo)).await.id();
        let r = verify(&app, &s.supervisor, &rect, &json!({"outcome": "pass"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["status"], "closed");
    }
}
