//! 待办: each caller's tasks (to verify, due soon, overdue) in scope, paged, and the badge.

use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;
use crate::workflow::upload_photo;

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|i| i["id"].as_str().unwrap_or_default().to_string()).collect()
}

async fn tasks(app: &TestApp, token: &str, kind: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = app.get_as(Some(token), &format!("/api/v1/me/tasks?kind={kind}&limit=1&cursor={cursor}")).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        out.extend(ids(r.body["items"].as_array().expect("items")));
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => return out,
        }
    }
}

async fn counts(app: &TestApp, token: &str) -> Value {
    let r = app.get_as(Some(token), "/api/v1/me/tasks/counts").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

async fn rectify(app: &TestApp, token: &str, hazard: &str, seed: u8) {
    let photo = upload_photo(app, token, seed).await;
    let body =
        json!({"measures": "更换燃气软管", "completed_at": "2026-11-24T15:00:00+08:00", "evidence_ids": [photo]});
    let r = app.post_as(Some(token), &format!("/api/v1/hazards/{hazard}/rectifications"), &body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

both_engines! {
    async fn each_caller_sees_its_own_tasks_in_scope(app) {
        let c = app.community("JML").await;
        let c2 = app.community("XYL").await;
        let u = app.unit(&c, "restaurant").await;
        let u2 = app.unit(&c2, "shop").await;
        let sup = app.user("sup", "supervisor", Some(vec![&c])).await;
        let ins = app.user("ins", "inspector", Some(vec![&c])).await;
        let hazards = vec![
            deadline_hazard("gas", "2026-11-27"),
            deadline_hazard("gas", "2026-11-24"),
            deadline_hazard("gas", "2026-11-16"),
            deadline_hazard("gas", "2026-12-31"),
            deadline_hazard("gas", "2026-12-31"),
            deadline_hazard("gas", "2026-12-31"),
        ];
        let r = app.post_as(Some(&ins), "/api/v1/inspections", &inspection(&u, "2026-11-01T09:00:00+08:00", hazards)).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let h = ids(r.body["hazards"].as_array().expect("hazards"));
        let (soon, late1, late9, far, own, other) = (&h[0], &h[1], &h[2], &h[3], &h[4], &h[5]);
        let r2 = app.submit(&inspection(&u2, "2026-11-01T09:00:00+08:00", vec![deadline_hazard("gas", "2026-11-20")])).await;
        let elsewhere = r2["hazards"][0]["id"].as_str().expect("id").to_string();
        rectify(&app, &sup, own, 1).await;
        rectify(&app, &ins, other, 2).await;

        // The supervisor verifies what others submitted, in scope.
        assert_eq!(tasks(&app, &sup, "verify").await, vec![other.clone()]);
        let mut both = vec![own.clone(), other.clone()];
        let admin_verify = tasks(&app, &app.token, "verify").await;
        assert_eq!(admin_verify.len(), 2);
        both.retain(|x| admin_verify.contains(x));
        assert_eq!(both.len(), 2);
        assert_eq!(tasks(&app, &ins, "verify").await, Vec::<String>::new(), "inspectors do not verify");

        assert_eq!(tasks(&app, &sup, "due_soon").await, vec![soon.clone()]);
        assert_eq!(tasks(&app, &sup, "overdue").await, vec![late9.clone(), late1.clone()], "most overdue first");
        assert_eq!(tasks(&app, &app.token, "overdue").await, vec![late9.clone(), elsewhere.clone(), late1.clone()]);
        assert!(!tasks(&app, &app.token, "due_soon").await.contains(far));

        assert_eq!(counts(&app, &sup).await, json!({"verify": 1, "due_soon": 1, "overdue": 2, "unread_notifications": 0}));
        assert_eq!(counts(&app, &ins).await, json!({"verify": 0, "due_soon": 1, "overdue": 2, "unread_notifications": 0}));
        assert_eq!(counts(&app, &app.token).await, json!({"verify": 2, "due_soon": 1, "overdue": 3, "unread_notifications": 0}));

        let r = app.get_as(Some(&sup), "/api/v1/me/tasks?kind=overdue&count=true").await;
        assert_eq!(r.body["total"], 2);
        assert_eq!(r.body["items"][0]["escalation"], 3);
        for bad in ["/api/v1/me/tasks", "/api/v1/me/tasks?kind=later", "/api/v1/me/tasks?kind=verify&status=open"] {
            let r = app.get_as(Some(&sup), bad).await;
            assert_eq!(r.status, 422, "{bad}: {:?}", r.body);
        }
        assert_eq!(app.get_as(None, "/api/v1/me/tasks/counts").await.status, 401);
    }
}
