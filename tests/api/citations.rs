//! Citing attachments: at most 20 ids per list, one community per attachment, and what
//! citation does to the uploader's own access.

use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;
use crate::workflow::upload_photo;

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|_| uuid::Uuid::now_v7().to_string()).collect()
}

fn assert_too_many(r: &Resp, field: &str) {
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["type"], "/problems/validation");
    assert_eq!(r.error_code(field).as_deref(), Some("too_many"), "{:?}", r.body);
    let errors = r.body["errors"].as_array().map(Vec::len).unwrap_or_default();
    assert!(errors <= 2, "one problem for the list, not one per id: {errors}");
}

/// A community, a unit, an inspector of it and one open deadline hazard they found.
async fn a_hazard(app: &TestApp, code: &str) -> (String, String, String) {
    let c = app.community(code).await;
    let u = app.unit(&c, "restaurant").await;
    let t = app.user(&format!("insp_{}", code.to_lowercase()), "inspector", Some(vec![&c])).await;
    let r = app
        .post_as(
            Some(&t),
            "/api/v1/inspections",
            &inspection(&u, "2026-11-20T09:00:00+08:00", vec![deadline_hazard("gas", "2026-11-30")]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    (u, t, r.body["hazards"][0]["id"].as_str().unwrap_or_default().to_string())
}

fn rectification(evidence: Value) -> Value {
    json!({"measures": "更换燃气软管", "completed_at": "2026-11-24T15:00:00+08:00", "evidence_ids": evidence})
}

both_engines! {
    async fn at_most_twenty_ids_per_list(app) {
        let (u, t, hazard) = a_hazard(&app, "JML").await;
        let at = "2026-11-20T09:00:00+08:00";

        // Twenty unknown ids are twenty unknown attachments; twenty-one are too many.
        let mut body = inspection(&u, at, vec![]);
        body["attachment_ids"] = json!(ids(20));
        let r = app.post_as(Some(&t), "/api/v1/inspections", &body).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.error_code("attachment_ids[19]").as_deref(), Some("not_found"), "{:?}", r.body);
        body["attachment_ids"] = json!(ids(21));
        assert_too_many(&app.post_as(Some(&t), "/api/v1/inspections", &body).await, "attachment_ids");
        // What once answered 500 ("too many SQL variables").
        body["attachment_ids"] = json!(ids(40_000));
        assert_too_many(&app.post_as(Some(&t), "/api/v1/inspections", &body).await, "attachment_ids");

        let mut h = deadline_hazard("gas", "2026-12-01");
        h["photo_ids"] = json!(ids(21));
        let body = inspection(&u, at, vec![deadline_hazard("electrical", "2026-12-01"), h]);
        assert_too_many(&app.post_as(Some(&t), "/api/v1/inspections", &body).await, "hazards[1].photo_ids");

        let path = format!("/api/v1/hazards/{hazard}/rectifications");
        assert_too_many(&app.post_as(Some(&t), &path, &rectification(json!(ids(21)))).await, "evidence_ids");
        assert_too_many(&app.post_as(Some(&t), &path, &rectification(json!(ids(5000)))).await, "evidence_ids");

        // Twenty real photos are accepted.
        let mut photos = Vec::new();
        for seed in 0..20u8 {
            photos.push(upload_photo(&app, &t, seed + 1).await);
        }
        let r = app.post_as(Some(&t), &path, &rectification(json!(photos))).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["evidence_ids"].as_array().map(Vec::len), Some(20));
    }
}

/// Creates a user of this role and scope; answers (their id, their token).
async fn user_with_id(app: &TestApp, name: &str, role: &str, communities: Vec<&str>) -> (String, String) {
    let token = app.user(name, role, Some(communities)).await;
    let me = app.get_as(Some(&token), "/api/v1/auth/me").await;
    (me.body["id"].as_str().unwrap_or_default().to_string(), token)
}

both_engines! {
    async fn citation_ends_the_uploaders_private_access(app) {
        let a = app.community("JML").await;
        let b = app.community("XYL").await;
        let unit_a = app.unit(&a, "restaurant").await;
        let (uploader_id, uploader) = user_with_id(&app, "insp", "inspector", vec![&a]).await;
        let photo = upload_photo(&app, &uploader, 1).await;
        let uncited = upload_photo(&app, &uploader, 2).await;
        let mut body = inspection(&unit_a, "2026-11-20T09:00:00+08:00", vec![]);
        body["attachment_ids"] = json!([photo]);
        let r = app.post_as(Some(&uploader), "/api/v1/inspections", &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);

        // The uploader is moved to community B: the cited photo goes with the record.
        let me = app.get(&format!("/api/v1/users/{uploader_id}")).await;
        let r = app.patch(&format!("/api/v1/users/{uploader_id}"), &json!({"version": me.body["version"], "community_ids": [b]})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        // (A change of scope ends the user's tokens: they sign in again.)
        let uploader = app.login("insp", "pw-Passw0rd-long").await;
        for path in [format!("/api/v1/attachments/{photo}"), format!("/api/v1/attachments/{photo}/content")] {
            let r = app.get_as(Some(&uploader), &path).await;
            assert_eq!(r.status, 404, "{path}: cited by a record they may no longer see");
            assert_eq!(app.get(&path).await.status, 200, "{path}: the admin sees the record");
        }
        // An uncited upload stays its uploader's.
        assert_eq!(app.get_as(Some(&uploader), &format!("/api/v1/attachments/{uncited}")).await.status, 200);
        assert_eq!(app.get(&format!("/api/v1/attachments/{uncited}")).await.status, 404);
        // Nor may they cite the photo again.
        let unit_b = app.unit(&b, "restaurant").await;
        let mut body = inspection(&unit_b, "2026-11-21T09:00:00+08:00", vec![]);
        body["attachment_ids"] = json!([photo]);
        let r = app.post_as(Some(&uploader), "/api/v1/inspections", &body).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.error_code("attachment_ids[0]").as_deref(), Some("not_found"));
    }

    async fn an_attachment_stays_in_one_community(app) {
        let a = app.community("JML").await;
        let b = app.community("XYL").await;
        let (unit_a, unit_b) = (app.unit(&a, "restaurant").await, app.unit(&b, "restaurant").await);
        let t = app.user("insp", "inspector", Some(vec![&a, &b])).await;
        let photo = upload_photo(&app, &t, 1).await;
        let at = "2026-11-20T09:00:00+08:00";

        // One submission of community A cites it twice (the visit and a hazard): fine.
        let mut h = deadline_hazard("gas", "2026-11-30");
        h["photo_ids"] = json!([photo]);
        let mut body = inspection(&unit_a, at, vec![h]);
        body["attachment_ids"] = json!([photo]);
        let r = app.post_as(Some(&t), "/api/v1/inspections", &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let hazard_a = r.body["hazards"][0]["id"].as_str().unwrap_or_default().to_string();

        // A record of community B may not cite it: as a visit's attachment, a hazard's
        // photo or a rectification's evidence.
        let mut body = inspection(&unit_b, at, vec![]);
        body["attachment_ids"] = json!([photo]);
        let r = app.post_as(Some(&t), "/api/v1/inspections", &body).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_code("attachment_ids[0]").as_deref(), Some("other_community"));
        let mut h = deadline_hazard("gas", "2026-11-30");
        h["photo_ids"] = json!([photo]);
        let r = app.post_as(Some(&t), "/api/v1/inspections", &inspection(&unit_b, at, vec![h])).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_code("hazards[0].photo_ids[0]").as_deref(), Some("other_community"));
        let r = app
            .post_as(Some(&t), "/api/v1/inspections", &inspection(&unit_b, at, vec![deadline_hazard("gas", "2026-11-30")]))
            .await;
        let hazard_b = r.body["hazards"][0]["id"].as_str().unwrap_or_default().to_string();
        let r = app.post_as(Some(&t), &format!("/api/v1/hazards/{hazard_b}/rectifications"), &rectification(json!([photo]))).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_code("evidence_ids[0]").as_deref(), Some("other_community"));

        // A record of community A still may.
        let r = app.post_as(Some(&t), &format!("/api/v1/hazards/{hazard_a}/rectifications"), &rectification(json!([photo]))).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
}
