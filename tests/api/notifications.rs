//! Deadline notifications: written once per (hazard, deadline, kind, level) by the
//! scheduler, driven here with the test clock; across days, restarts, clock jumps and two
//! schedulers racing on one PostgreSQL.

use chrono::Duration;
use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;

pub async fn tick(app: &TestApp) -> usize {
    safetrace::notifications::scheduler::tick(&app.state, app.clock_now()).await.expect("scheduler round")
}

/// A number the database answers (`SELECT CAST(COUNT(*) AS BIGINT) AS n …`).
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let sql = sql.to_string();
    app.state
        .db(move |conn| Ok(diesel::RunQueryDsl::get_result::<N>(diesel::sql_query(sql), conn)?.n))
        .await
        .expect("count")
}

async fn notes(app: &TestApp, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = app.get_as(Some(token), &format!("/api/v1/me/notifications?limit=2&cursor={cursor}")).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        out.extend(r.body["items"].as_array().cloned().unwrap_or_default());
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => return out,
        }
    }
}

/// (hazard, kind, level) of each notification, sorted.
fn keys(items: &[Value]) -> Vec<(String, String, i64)> {
    let mut k: Vec<_> = items
        .iter()
        .map(|n| {
            (
                n["hazard_id"].as_str().unwrap_or_default().to_string(),
                n["kind"].as_str().unwrap_or_default().to_string(),
                n["level"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    k.sort();
    k
}

fn k(h: &str, kind: &str, level: i64) -> (String, String, i64) {
    (h.to_string(), kind.to_string(), level)
}

struct Setup {
    sup: String,
    sup2: String,
    ins: String,
    hazards: Vec<String>,
}

/// An inspector records hazards in one community (deadlines given), watched by `sup`;
/// `sup2` supervises another community.
async fn setup(app: &TestApp, deadlines: &[&str]) -> Setup {
    let c = app.community("JML").await;
    let c2 = app.community("XYL").await;
    let u = app.unit(&c, "restaurant").await;
    let sup = app.user("sup", "supervisor", Some(vec![&c])).await;
    let sup2 = app.user("sup2", "supervisor", Some(vec![&c2])).await;
    let ins = app.user("ins", "inspector", Some(vec![&c])).await;
    let hazards: Vec<Value> = deadlines.iter().map(|d| deadline_hazard("gas", d)).collect();
    let r = app.post_as(Some(&ins), "/api/v1/inspections", &inspection(&u, "2026-11-01T09:00:00+08:00", hazards)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let hazards = r.body["hazards"]
        .as_array()
        .expect("hazards")
        .iter()
        .map(|h| h["id"].as_str().unwrap_or_default().to_string())
        .collect();
    Setup { sup, sup2, ins, hazards }
}

both_engines! {
    async fn the_ladder_is_climbed_once_and_reaches_the_right_people(app) {
        // Today is 2026-11-25.
        let s = setup(&app, &["2026-11-27", "2026-11-24", "2026-12-31"]).await;
        let (a, b) = (&s.hazards[0], &s.hazards[1]);
        assert_eq!(tick(&app).await, 2);
        assert_eq!(tick(&app).await, 0, "a second round writes nothing");
        let want = vec![k(a, "due_soon", 0), k(b, "overdue", 1)];
        assert_eq!(keys(&notes(&app, &s.ins).await), want, "the recorder");
        assert_eq!(keys(&notes(&app, &s.sup).await), want, "the supervisor of the community");
        assert!(notes(&app, &s.sup2).await.is_empty(), "not another community's supervisor");
        assert!(notes(&app, &app.token).await.is_empty(), "admins only from level 3");
        let counts = app.get_as(Some(&s.ins), "/api/v1/me/tasks/counts").await;
        assert_eq!(counts.body["unread_notifications"], 2);

        let first = notes(&app, &s.sup).await;
        let soon = first.iter().find(|n| n["kind"] == "due_soon").expect("due soon");
        assert_eq!(soon["deadline"], "2026-11-27");
        assert_eq!(soon["read_at"], Value::Null);
        assert!(soon["message"].as_str().unwrap_or_default().contains("到期"), "{soon}");
        let id = soon["id"].as_str().expect("id");
        let r = app.post_as(Some(&s.sup), &format!("/api/v1/me/notifications/{id}/read"), &json!({})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert!(r.body["read_at"].is_string());
        let r = app.post_as(Some(&s.ins), &format!("/api/v1/me/notifications/{id}/read"), &json!({})).await;
        assert_eq!(r.status, 200, "the recorder has the same notification");
        let r = app.post_as(Some(&s.sup2), &format!("/api/v1/me/notifications/{id}/read"), &json!({})).await;
        assert_eq!(r.status, 404, "not theirs");

        // Three days later: a is overdue (level 1), b four days (level 2).
        app.clock.advance(Duration::days(3));
        assert_eq!(tick(&app).await, 2);
        let sup_notes = notes(&app, &s.sup).await;
        assert_eq!(sup_notes.len(), 4);
        assert_eq!(sup_notes[3]["kind"], "due_soon", "unread first, the read one last");
        assert_eq!(sup_notes[0]["read_at"], Value::Null);
        assert_eq!(keys(&notes(&app, &s.ins).await), vec![k(a, "due_soon", 0), k(a, "overdue", 1), k(b, "overdue", 1)], "level 2 is the supervisors'");
        // 2026-12-05: both at level 3; the admin hears of it.
        app.clock.set("2026-12-05T02:00:00Z".parse().expect("moment"));
        assert_eq!(tick(&app).await, 2);
        assert_eq!(keys(&notes(&app, &app.token).await), vec![k(a, "overdue", 3), k(b, "overdue", 3)]);
        let message = notes(&app, &app.token).await[0]["message"].as_str().unwrap_or_default().to_string();
        assert!(message.contains("三级督办"), "{message}");

        // An extension starts the ladder again for the new deadline; a void ends it.
        let r = app.post(&format!("/api/v1/hazards/{b}/deadline"), &json!({"deadline": "2026-12-07", "reason": "材料未到"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = app.post(&format!("/api/v1/hazards/{a}/void"), &json!({"reason": "重复录入"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(tick(&app).await, 1);
        app.clock.set("2026-12-10T02:00:00Z".parse().expect("moment"));
        assert_eq!(tick(&app).await, 1, "three days past the new deadline: level 2 at once");
        assert_eq!(tick(&app).await, 0);
        let sup_keys = keys(&notes(&app, &s.sup).await);
        assert!(sup_keys.contains(&k(b, "due_soon", 0)) && sup_keys.contains(&k(b, "overdue", 2)));
        assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM notifications").await, 8);

        let r = app.post_as(Some(&s.sup), "/api/v1/me/notifications/read-all", &json!({})).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["read"], 7);
        assert_eq!(app.get_as(Some(&s.sup), "/api/v1/me/tasks/counts").await.body["unread_notifications"], 0);
    }

    async fn a_server_down_for_days_writes_only_the_highest_level(app) {
        let s = setup(&app, &["2026-11-26", "2026-11-30"]).await;
        let (a, b) = (&s.hazards[0], &s.hazards[1]);
        assert_eq!(tick(&app).await, 1);
        // Down from 11-25 to 12-04: a is 8 days overdue, b 4.
        app.clock.set("2026-12-04T02:00:00Z".parse().expect("moment"));
        assert_eq!(tick(&app).await, 2);
        assert_eq!(keys(&notes(&app, &s.sup).await), vec![k(a, "due_soon", 0), k(a, "overdue", 3), k(b, "overdue", 2)]);
        // Restarted: a new service on the same database writes nothing again.
        let again = TestApp::attach(app.engine, &app.database_url, test_config()).await;
        again.clock.set("2026-12-04T02:00:00Z".parse().expect("moment"));
        assert_eq!(tick(&again).await, 0);
        again.clock.advance(Duration::hours(20));
        assert_eq!(tick(&again).await, 0);
        assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM notifications").await, 3);
    }
}

/// Two schedulers (two services, two pools) on one PostgreSQL at once: every notice is
/// written once, with its recipients once.
#[actix_web::test]
async fn two_schedulers_on_one_postgresql_write_each_notice_once() {
    let Some(app) = TestApp::postgres().await else {
        eprintln!("{PG_ENV} unset: not run");
        return;
    };
    let deadlines: Vec<String> = (0..30).map(|i| format!("2026-11-{:02}", 2 + i % 26)).collect();
    let refs: Vec<&str> = deadlines.iter().map(String::as_str).collect();
    let s = setup(&app, &refs).await;
    let other = TestApp::attach(app.engine, &app.database_url, test_config()).await;
    for round in 0..3 {
        let now = app.clock_now();
        let (x, y) = futures_util::future::join(
            safetrace::notifications::scheduler::tick(&app.state, now),
            safetrace::notifications::scheduler::tick(&other.state, now),
        )
        .await;
        let written = x.expect("first") + y.expect("second");
        let expected = if round == 0 { 30 } else { 0 };
        assert_eq!(written, expected, "round {round}");
        app.clock.advance(Duration::minutes(1));
    }
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM notifications").await, 30);
    let dupes = "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM (SELECT hazard_id FROM notifications GROUP BY hazard_id HAVING COUNT(*) > 1) d";
    assert_eq!(count(&app, dupes).await, 0);
    // Deadlines 2–18 November (21 hazards) are at level 3: the supervisor and the admin;
    // 19–22 (4) at level 2: the supervisor; 23–24 (2) at level 1 and 25–27 (3) due soon:
    // the recorder and the supervisor. 42 + 4 + 4 + 6.
    let recipients = count(&app, "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM notification_recipients").await;
    assert_eq!(recipients, 56);
    assert_eq!(notes(&app, &s.sup).await.len(), 30);
    assert!(notes(&app, &s.sup2).await.is_empty());
}
