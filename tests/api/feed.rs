//! The event feed: every kind in one order with snapshots, scoped; a consumer keeping its
//! cursor gets every event once, in order, even one whose transaction committed late.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::Connection;
use serde_json::{json, Value};

use crate::both_engines;
use crate::notifications::tick;
use crate::support::*;

/// Every event after `cursor` the token may see, and the cursor to go on from.
async fn read_all(app: &TestApp, token: &str, cursor: &str) -> (Vec<Value>, String) {
    let mut out = Vec::new();
    let mut cursor = cursor.to_string();
    loop {
        let r = app.get_as(Some(token), &format!("/api/v1/events?limit=3&cursor={cursor}")).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let items = r.body["items"].as_array().cloned().unwrap_or_default();
        let next = r.body["next_cursor"].as_str().expect("next_cursor always").to_string();
        let done = items.len() < 3;
        out.extend(items);
        cursor = next;
        if done {
            return (out, cursor);
        }
    }
}

fn kinds(events: &[Value]) -> Vec<String> {
    events.iter().map(|e| e["kind"].as_str().unwrap_or_default().to_string()).collect()
}

fn positions_increase(events: &[Value]) {
    let p: Vec<i64> = events.iter().map(|e| e["position"].as_i64().expect("position")).collect();
    assert!(p.windows(2).all(|w| w[0] < w[1]), "{p:?}");
}

both_engines! {
    async fn every_kind_in_one_order_with_snapshots_and_scope(app) {
        let c = app.community("JML").await;
        let c2 = app.community("XYL").await;
        let u = app.unit(&c, "restaurant").await;
        let other = app.user("other", "inspector", Some(vec![&c2])).await;
        let ins = app.user("ins", "inspector", Some(vec![&c])).await;
        let r = app.post_as(Some(&ins), "/api/v1/inspections", &inspection(&u, "2026-11-01T09:00:00+08:00", vec![deadline_hazard("gas", "2026-11-26")])).await;
        assert_eq!(r.status, 201);
        let hazard = r.body["hazards"][0]["id"].as_str().expect("id").to_string();
        let v = app.post(&format!("/api/v1/hazards/{hazard}/void"), &json!({"reason": "重复录入"})).await;
        assert_eq!(v.status, 200);

        let (events, cursor) = read_all(&app, &app.token, "").await;
        assert_eq!(kinds(&events), ["unit.created", "inspection.created", "hazard.created", "hazard.voided"]);
        positions_increase(&events);
        assert_eq!(events[2]["data"]["status"], "open", "a snapshot right after the event, not today's state");
        assert_eq!(events[3]["data"]["status"], "voided");
        assert_eq!(events[2]["resource"], "hazard");
        assert_eq!(events[2]["resource_id"], hazard.as_str());
        assert_eq!(events[1]["actor"], "ins");
        assert_eq!(events[0]["data"]["name"], "restaurant unit");

        // Nothing new: an empty page still gives the cursor to keep.
        let r = app.get(&format!("/api/v1/events?cursor={cursor}")).await;
        assert_eq!(r.body["items"], json!([]));
        assert_eq!(r.body["next_cursor"], cursor.as_str());
        // Another community's reader sees none of it, and moves past it.
        let (seen, past) = read_all(&app, &other, "").await;
        assert!(seen.is_empty(), "{seen:?}");
        assert_eq!(past, cursor);

        // A notification reaches only its recipients.
        let r = app.post_as(Some(&ins), "/api/v1/inspections", &inspection(&u, "2026-11-01T09:00:00+08:00", vec![deadline_hazard("gas", "2026-11-26")])).await;
        assert_eq!(r.status, 201);
        assert_eq!(tick(&app).await, 1);
        let (mine, _) = read_all(&app, &ins, &cursor).await;
        assert_eq!(kinds(&mine), ["inspection.created", "hazard.created", "notification.created"]);
        assert_eq!(mine[2]["data"]["kind"], "due_soon");
        let (admins, _) = read_all(&app, &app.token, &cursor).await;
        assert_eq!(kinds(&admins), ["inspection.created", "hazard.created"], "the admin is not a recipient of a due-soon notice");

        for bad in ["cursor=x", "cursor=-1", "limit=0", "limit=501", "wait=31", "since=1"] {
            let r = app.get(&format!("/api/v1/events?{bad}")).await;
            assert_eq!(r.status, 422, "{bad}: {:?}", r.body);
        }
    }

    async fn a_waiting_consumer_hears_of_an_event(app) {
        let c = app.community("JML").await;
        let (_, cursor) = read_all(&app, &app.token, "").await;
        let started = Instant::now();
        let r = app.get(&format!("/api/v1/events?cursor={cursor}&wait=1")).await;
        assert_eq!(r.body["items"], json!([]));
        assert!(started.elapsed() >= Duration::from_millis(900), "held about a second");
        let path = format!("/api/v1/events?cursor={cursor}&wait=20");
        let waiting = app.get(&path);
        let writing = async {
            actix_web::rt::time::sleep(Duration::from_millis(500)).await;
            app.unit(&c, "shop").await
        };
        let started = Instant::now();
        let (r, unit) = futures_util::future::join(waiting, writing).await;
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(kinds(r.body["items"].as_array().expect("items")), ["unit.created"]);
        assert_eq!(r.body["items"][0]["resource_id"], unit.as_str());
    }
}

/// SQLite has one writer at a time: the feed's order is the order the writes committed in.
#[actix_web::test]
async fn on_sqlite_the_feed_is_in_commit_order() {
    let app = TestApp::sqlite().await;
    let c = app.community("JML").await;
    let mut made = Vec::new();
    for kind in ["shop", "hotel", "market", "factory"] {
        made.push(app.unit(&c, kind).await);
    }
    let (events, _) = read_all(&app, &app.token, "").await;
    let ids: Vec<String> = events.iter().map(|e| e["resource_id"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(ids, made);
    positions_increase(&events);
}

/// On PostgreSQL a transaction may take its place in the feed, stay open while a later
/// one commits and a consumer reads, and commit after: the consumer still gets both, once
/// each, in feed order.
#[actix_web::test]
async fn on_postgresql_an_event_committed_late_is_not_skipped() {
    let Some(app) = TestApp::postgres().await else {
        eprintln!("{PG_ENV} unset: not run");
        return;
    };
    let c = app.community("JML").await;
    let (_, start) = read_all(&app, &app.token, "").await;
    let url = app.database_url.clone();
    let held_unit = "0192f000-0000-7000-8000-0000000000aa";
    // The first writer: its event goes in, and its transaction stays open.
    let held = actix_web::rt::task::spawn_blocking(move || {
        let mut conn = diesel::PgConnection::establish(&url).expect("postgres");
        conn.batch_execute(&format!(
            "BEGIN; INSERT INTO feed_events (at, kind, resource, resource_id, community_id, actor, data) \
             VALUES (now(), 'unit.updated', 'unit', '{held_unit}', NULL, 'held', '{{}}')"
        ))
        .expect("held insert");
        conn
    })
    .await
    .expect("join");
    // A second writer commits after it, and a consumer reads.
    let later = app.unit(&c, "shop").await;
    let (first, cursor) = read_all(&app, &app.token, &start).await;
    assert_eq!(
        first.iter().map(|e| e["resource_id"].as_str().unwrap_or_default()).collect::<Vec<_>>(),
        [later.as_str()]
    );
    // The first commits now.
    let mut held = actix_web::rt::task::spawn_blocking(move || {
        let mut held = held;
        held.batch_execute("COMMIT").expect("commit");
        held
    })
    .await
    .expect("join");
    let _ = held.batch_execute("SELECT 1");
    let (second, _) = read_all(&app, &app.token, &cursor).await;
    assert_eq!(second.iter().map(|e| e["resource_id"].as_str().unwrap_or_default()).collect::<Vec<_>>(), [held_unit]);
    // Read again from the start: both, once each, in feed order.
    let (all, _) = read_all(&app, &app.token, &start).await;
    let ids: Vec<&str> = all.iter().map(|e| e["resource_id"].as_str().unwrap_or_default()).collect();
    assert_eq!(ids, [later.as_str(), held_unit]);
    positions_increase(&all);
}
