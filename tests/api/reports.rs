//! Reports on a small data set whose every figure is known by hand: totals, the
//! leader-led block, enforcement, every grouping, filters, "as of" after later changes,
//! and the monthly report as JSON, XLSX and CSV.
//!
//! October 2026 in the office's zone (Asia/Shanghai); communities A and B.
//!
//! | insp | unit (kind, community) | local date | leader | campaign | hazards |
//! |------|------------------------|------------|--------|----------|---------|
//! | I1   | rA1 restaurant, A      | 10-05      | yes    | G        | h1 gas deadline 10-15; h2 gas on the spot; h3 fire_separation major deadline 10-20 |
//! | I2   | sA2 shop, A            | 10-08      |        |          | h4 fire_separation deadline 10-18; h5 electrical on the spot |
//! | I3   | rB1 restaurant, B      | 10-10      | yes    |          | h6 gas deadline 10-25 |
//! | I4   | fB2 factory, B         | 10-12      |        |          | h7 hazardous_chemicals major deadline 11-30 |
//! | I5   | hA3 hotel, A           | 10-15      |        |          | none |
//! | I6   | rA1                    | 11-01 (20:00 UTC on 10-31) | | | h8 gas on the spot |
//! | I7   | sA2, recorded 11-03    | 10-30      |        |          | h9 gas deadline 11-10 |
//!
//! In October: h1 rectified (10-21) and passed (10-22); h4 rectified, rejected, resubmitted
//! (pending at month end); h6 voided (10-26). After October: h7 closed (11-05/06), rB1
//! moved to A (11-07), h3 voided (11-08). Enforcement: E1 10-16 in A (rA1 warning ×2 violations, sA2 case
//! transferred ×1); E2 10-28 in B (fB2 suspension ×3, rB1 closure ×1); E3 11-02 (fB2 warning).

use std::io::Read;

use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;
use crate::workflow::upload_photo;

const END_OF_OCTOBER: &str = "2026-10-31T16:00:00Z";

struct World {
    a: String,
    b: String,
    campaign: String,
    h: Vec<String>,
}

fn at(app: &TestApp, moment: &str) {
    app.clock.set(moment.parse().expect("moment"));
}

/// Runs one SQL statement behind the API's back.
async fn execute(app: &TestApp, sql: String) {
    app.state
        .db(move |conn| Ok(diesel::RunQueryDsl::execute(diesel::sql_query(sql), conn)?))
        .await
        .expect("the statement runs");
}

async fn insp(
    app: &TestApp,
    unit: &str,
    when: &str,
    leader: bool,
    campaign: Option<&str>,
    hazards: Vec<Value>,
) -> Vec<String> {
    let mut body = inspection(unit, when, hazards);
    body["leader_led"] = json!(leader);
    if let Some(c) = campaign {
        body["campaign_id"] = json!(c);
    }
    let r = app.submit(&body).await;
    // Hazards come back ordered by id; give them back in the order sent.
    let sent = body["hazards"].as_array().cloned().unwrap_or_default();
    let ids: Vec<String> = sent.iter().map(|h| h["id"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(r["hazards"].as_array().map(Vec::len), Some(ids.len()));
    ids
}

fn hz(id: u32, category: &str, deadline: Option<&str>, major: bool) -> Value {
    let mut h = match deadline {
        Some(d) => deadline_hazard(category, d),
        None => spot_hazard(category),
    };
    h["id"] = json!(format!("0192f000-0000-7000-8000-{id:012}"));
    if major {
        h["level"] = json!("major");
    }
    h
}

/// Submits a rectification of `hazard` with its own evidence (a photo belongs to the records
/// of one community, and the hazards here are of several).
async fn rectify(app: &TestApp, hazard: &str) -> String {
    let photo = upload_photo(app, &app.token, 31).await;
    let body = json!({"measures": "已整改", "completed_at": app.clock_now().to_rfc3339(), "evidence_ids": [photo]});
    let r = app.post(&format!("/api/v1/hazards/{hazard}/rectifications"), &body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.id()
}

/// Verifies as `checker`: the admin submitted the rectifications, and nobody verifies their own.
async fn verify(app: &TestApp, checker: &str, rect: &str, pass: bool) {
    let body = if pass { json!({"outcome": "pass"}) } else { json!({"outcome": "reject", "comment": "未完成"}) };
    let r = app.post_as(Some(checker), &format!("/api/v1/rectifications/{rect}/verification"), &body).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

async fn enforce(app: &TestApp, held_on: &str, community: &str, outcomes: Value) {
    let body = json!({"held_on": held_on, "lead_department": "police_station", "departments": ["police_station", "fire"],
                      "community_id": community, "summary": "联合执法检查", "outcomes": outcomes});
    let r = app.post("/api/v1/enforcement-actions", &body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

async fn world(app: &TestApp) -> World {
    at(app, "2026-10-01T00:00:00Z");
    let a = app.community("A").await;
    let b = app.community("B").await;
    let unit = |community: String, kind: &'static str, name: &'static str| async move {
        let r = app
            .post("/api/v1/units", &json!({"community_id": community, "name": name, "kind": kind, "address": "x"}))
            .await;
        assert_eq!(r.status, 201);
        r.id()
    };
    let ra1 = unit(a.clone(), "restaurant", "湘味小厨").await;
    let sa2 = unit(a.clone(), "shop", "便民超市").await;
    let ha3 = unit(a.clone(), "hotel", "如家旅馆").await;
    let rb1 = unit(b.clone(), "restaurant", "老街面馆").await;
    let fb2 = unit(b.clone(), "factory", "五金加工厂").await;
    let campaign = app.campaign("燃气安全专项").await;

    at(app, "2026-10-20T00:00:00Z");
    let mut h = Vec::new();
    h.extend(
        insp(
            app,
            &ra1,
            "2026-10-05T10:00:00+08:00",
            true,
            Some(&campaign),
            vec![
                hz(1, "gas", Some("2026-10-15"), false),
                hz(2, "gas", None, false),
                hz(3, "fire_separation", Some("2026-10-20"), true),
            ],
        )
        .await,
    );
    h.extend(
        insp(
            app,
            &sa2,
            "2026-10-08T09:00:00+08:00",
            false,
            None,
            vec![hz(4, "fire_separation", Some("2026-10-18"), false), hz(5, "electrical", None, false)],
        )
        .await,
    );
    h.extend(
        insp(app, &rb1, "2026-10-10T14:00:00+08:00", true, None, vec![hz(6, "gas", Some("2026-10-25"), false)]).await,
    );
    h.extend(
        insp(
            app,
            &fb2,
            "2026-10-12T09:00:00+08:00",
            false,
            None,
            vec![hz(7, "hazardous_chemicals", Some("2026-11-30"), true)],
        )
        .await,
    );
    insp(app, &ha3, "2026-10-15T09:00:00+08:00", false, None, vec![]).await;
    enforce(app, "2026-10-16", &a, json!([
        {"unit_id": ra1, "violations_found": 2, "violation_description": "燃气报警器缺失", "measure": "warning"},
        {"unit_id": sa2, "violations_found": 1, "measure": "case_transferred", "transferred_to": "market_supervision"}
    ])).await;
    let checker = app.user("checker", "supervisor", None).await;

    at(app, "2026-10-21T02:00:00Z");
    let r1 = rectify(app, &h[0]).await;
    let r4 = rectify(app, &h[3]).await;
    at(app, "2026-10-22T02:00:00Z");
    verify(app, &checker, &r1, true).await;
    verify(app, &checker, &r4, false).await;
    at(app, "2026-10-23T02:00:00Z");
    rectify(app, &h[3]).await;
    at(app, "2026-10-26T02:00:00Z");
    let r = app.post(&format!("/api/v1/hazards/{}/void", h[5]), &json!({"reason": "重复录入"})).await;
    assert_eq!(r.status, 200);
    at(app, "2026-10-28T09:00:00Z");
    enforce(
        app,
        "2026-10-28",
        &b,
        json!([
            {"unit_id": fb2, "violations_found": 3, "measure": "suspension_ordered"},
            {"unit_id": rb1, "violations_found": 1, "measure": "closure"}
        ]),
    )
    .await;

    // November: a visit at 20:00 UTC on 31 October is on 1 November in the office's zone.
    at(app, "2026-11-01T01:00:00Z");
    h.extend(insp(app, &ra1, "2026-10-31T20:00:00Z", false, None, vec![hz(8, "gas", None, false)]).await);
    enforce(app, "2026-11-01", &b, json!([{"unit_id": fb2, "violations_found": 1, "measure": "warning"}])).await;
    // A phone that was offline sends an October visit on 3 November.
    at(app, "2026-11-03T02:00:00Z");
    h.extend(
        insp(app, &sa2, "2026-10-30T10:00:00+08:00", false, None, vec![hz(9, "gas", Some("2026-11-10"), false)]).await,
    );
    at(app, "2026-11-05T02:00:00Z");
    let r7 = rectify(app, &h[6]).await;
    at(app, "2026-11-06T02:00:00Z");
    verify(app, &checker, &r7, true).await;
    at(app, "2026-11-07T02:00:00Z");
    let moved = app.patch(&format!("/api/v1/units/{rb1}"), &json!({"version": 2, "community_id": a})).await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    // A supervisor voids h3 on 8 November: the October figures as of month end keep it open.
    at(app, "2026-11-08T02:00:00Z");
    let r = app.post(&format!("/api/v1/hazards/{}/void", h[2]), &json!({"reason": "复查确认不属实"})).await;
    assert_eq!(r.status, 200);
    at(app, "2026-11-25T02:00:00Z");
    World { a, b, campaign, h }
}

async fn summary(app: &TestApp, query: &str) -> Value {
    let r = app.get(&format!("/api/v1/reports/summary?{query}")).await;
    assert_eq!(r.status, 200, "{query}: {:?}", r.body);
    r.body
}

/// The counters of a block, in a fixed order, for compact assertions:
/// [units_inspected, units_with_hazards, inspections, found, closed, voided, open, pending, overdue, major_open]
fn figures(c: &Value) -> Vec<Value> {
    [
        "units_inspected",
        "units_with_hazards",
        "inspections",
        "hazards_found",
        "hazards_closed",
        "hazards_voided",
        "hazards_open",
        "hazards_pending_verification",
        "hazards_overdue",
        "major_open",
    ]
    .iter()
    .map(|k| c[*k].clone())
    .collect()
}

fn nums(v: &[i64]) -> Vec<Value> {
    v.iter().map(|n| json!(n)).collect()
}

fn rate(c: &Value) -> (Value, Value) {
    (c["closure_rate"].clone(), c["closure_rate_pct"].clone())
}

fn row<'a>(s: &'a Value, key: &str) -> &'a Value {
    s["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key} in {s}"))
}

const OCT: &str = "from=2026-10-01&to=2026-10-31";

both_engines! {
    async fn october_as_of_month_end_and_now(app) {
        let w = world(&app).await;
        let s = summary(&app, &format!("{OCT}&as_of={END_OF_OCTOBER}")).await;
        assert_eq!(s["period"], json!({"from": "2026-10-01", "to": "2026-10-31", "as_of": END_OF_OCTOBER}));
        assert_eq!(figures(&s["totals"]), nums(&[5, 4, 5, 7, 3, 1, 2, 1, 2, 2]));
        assert_eq!(rate(&s["totals"]), (json!(0.5), json!("50.00%")));
        let raw = app.get(&format!("/api/v1/reports/summary?{OCT}&as_of={END_OF_OCTOBER}")).await.raw;
        let text = String::from_utf8(raw).expect("utf-8");
        assert!(text.contains("\"closure_rate\":0.5000,\"closure_rate_pct\":\"50.00%\""), "four decimals in the JSON text: {text}");
        assert_eq!(figures(&s["leader_led"]), nums(&[2, 2, 2, 4, 2, 1, 1, 0, 1, 1]));
        assert_eq!(rate(&s["leader_led"]), (json!(0.6667), json!("66.67%")));
        assert_eq!(s["enforcement"], json!({"actions": 2, "units_involved": 4, "violations": 7, "cases_transferred": 1,
                                             "warnings": 1, "suspensions": 1, "closures": 1}));
        assert_eq!(s["group_by"], Value::Null);
        assert_eq!(s["rows"], json!([]));

        // Now: the late submission counts, h7 was closed and h3 voided after the month,
        // h9 is overdue.
        let now = summary(&app, OCT).await;
        assert_eq!(now["period"]["as_of"], "2026-11-25T02:00:00Z");
        assert_eq!(figures(&now["totals"]), nums(&[5, 4, 6, 8, 4, 2, 1, 1, 2, 0]));
        assert_eq!(rate(&now["totals"]), (json!(0.6667), json!("66.67%")));
        assert_eq!(figures(&now["leader_led"]), nums(&[2, 2, 2, 4, 2, 2, 0, 0, 0, 0]));
        assert_eq!(rate(&now["leader_led"]), (json!(1.0), json!("100.00%")));
        // And the October question asked as of month end still answers as before.
        let again = summary(&app, &format!("{OCT}&as_of={END_OF_OCTOBER}")).await;
        assert_eq!(again["totals"], s["totals"]);
        let _ = w;
    }

    async fn every_grouping(app) {
        let w = world(&app).await;
        let q = format!("{OCT}&as_of={END_OF_OCTOBER}");
        let s = summary(&app, &format!("{q}&group_by=community")).await;
        assert_eq!(s["group_by"], "community");
        assert_eq!(s["rows"].as_array().map(Vec::len), Some(2));
        let a = row(&s, &w.a);
        assert_eq!(a["label"], "A社区");
        assert_eq!(figures(a), nums(&[3, 2, 3, 5, 3, 0, 1, 1, 2, 1]));
        assert_eq!(rate(a), (json!(0.6), json!("60.00%")));
        let b = row(&s, &w.b);
        assert_eq!(figures(b), nums(&[2, 2, 2, 2, 0, 1, 1, 0, 0, 1]));
        assert_eq!(rate(b), (json!(0.0), json!("0.00%")));
        // After rB1 moved to A, its October hazard still counts for B.
        let now = summary(&app, &format!("{OCT}&group_by=community")).await;
        assert_eq!(row(&now, &w.b)["hazards_found"], 2);

        let s = summary(&app, &format!("{q}&group_by=category")).await;
        let keys: Vec<&str> = s["rows"].as_array().expect("rows").iter().map(|r| r["key"].as_str().unwrap_or_default()).collect();
        assert_eq!(keys, vec!["gas", "fire_separation", "electrical", "hazardous_chemicals"]);
        let gas = row(&s, "gas");
        assert_eq!(gas["label"], "燃气");
        assert_eq!(figures(gas), vec![Value::Null, json!(2), Value::Null, json!(3), json!(2), json!(1), json!(0), json!(0), json!(0), json!(0)]);
        assert_eq!(rate(gas), (json!(1.0), json!("100.00%")));
        assert_eq!(figures(row(&s, "fire_separation"))[3..].to_vec(), nums(&[2, 0, 0, 1, 1, 2, 1]));
        assert_eq!(figures(row(&s, "electrical"))[3..5].to_vec(), nums(&[1, 1]));
        assert_eq!(figures(row(&s, "hazardous_chemicals"))[3..].to_vec(), nums(&[1, 0, 0, 1, 0, 0, 1]));

        let s = summary(&app, &format!("{q}&group_by=level")).await;
        assert_eq!(figures(row(&s, "general"))[3..].to_vec(), nums(&[5, 3, 1, 0, 1, 1, 0]));
        assert_eq!(rate(row(&s, "general")), (json!(0.75), json!("75.00%")));
        assert_eq!(figures(row(&s, "major"))[3..].to_vec(), nums(&[2, 0, 0, 2, 0, 1, 2]));

        let s = summary(&app, &format!("{q}&group_by=campaign")).await;
        let g = row(&s, &w.campaign);
        assert_eq!(g["label"], "燃气安全专项");
        assert_eq!(figures(g), nums(&[1, 1, 1, 3, 2, 0, 1, 0, 1, 1]));
        let none = s["rows"].as_array().expect("rows").iter().find(|r| r["key"].is_null()).expect("no-campaign row");
        assert_eq!(none["label"], "无专项行动");
        assert_eq!(figures(none), nums(&[4, 3, 4, 4, 1, 1, 1, 1, 1, 1]));
        assert_eq!(rate(none), (json!(0.3333), json!("33.33%")));

        let s = summary(&app, &format!("{q}&group_by=unit_kind")).await;
        let keys: Vec<&str> = s["rows"].as_array().expect("rows").iter().map(|r| r["key"].as_str().unwrap_or_default()).collect();
        assert_eq!(keys, vec!["restaurant", "shop", "factory", "hotel"]);
        assert_eq!(figures(row(&s, "restaurant")), nums(&[2, 2, 2, 4, 2, 1, 1, 0, 1, 1]));
        assert_eq!(figures(row(&s, "shop")), nums(&[1, 1, 1, 2, 1, 0, 0, 1, 1, 0]));
        assert_eq!(figures(row(&s, "hotel")), nums(&[1, 0, 1, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(rate(row(&s, "hotel")), (Value::Null, Value::Null));
        assert_eq!(row(&s, "hotel")["label"], "旅馆");

        let s = summary(&app, "from=2026-10-01&to=2026-11-30&group_by=month").await;
        assert_eq!(figures(row(&s, "2026-10")), nums(&[5, 4, 6, 8, 4, 2, 1, 1, 2, 0]));
        assert_eq!(figures(row(&s, "2026-11")), nums(&[1, 1, 1, 1, 1, 0, 0, 0, 0, 0]));
        assert_eq!(figures(&s["totals"]), nums(&[5, 4, 7, 9, 5, 2, 1, 1, 2, 0]));
    }

    async fn filters_combine_with_each_other_and_with_groups(app) {
        let w = world(&app).await;
        let q = format!("{OCT}&as_of={END_OF_OCTOBER}");
        // "restaurants checked, gas hazards": one call.
        let s = summary(&app, &format!("{q}&unit_kind=restaurant&category=gas")).await;
        assert_eq!(figures(&s["totals"]), nums(&[2, 2, 2, 3, 2, 1, 0, 0, 0, 0]));
        // "shops, without fire separation".
        let s = summary(&app, &format!("{q}&unit_kind=shop&category=fire_separation")).await;
        assert_eq!(figures(&s["totals"]), nums(&[1, 1, 1, 1, 0, 0, 0, 1, 1, 0]));
        let s = summary(&app, &format!("{q}&community_id={}&group_by=category", w.a)).await;
        assert_eq!(figures(&s["totals"]), nums(&[3, 2, 3, 5, 3, 0, 1, 1, 2, 1]));
        assert_eq!(s["enforcement"]["actions"], 1);
        assert_eq!(s["enforcement"]["units_involved"], 2);
        assert_eq!(s["enforcement"]["violations"], 3);
        assert_eq!(figures(row(&s, "gas"))[3..5].to_vec(), nums(&[2, 2]));
        let s = summary(&app, &format!("{q}&campaign_id={}", w.campaign)).await;
        assert_eq!(figures(&s["totals"]), nums(&[1, 1, 1, 3, 2, 0, 1, 0, 1, 1]));
        // A scoped viewer sees only A's figures, whatever they ask.
        let viewer = app.user("viewer", "viewer", Some(vec![&w.a])).await;
        let r = app.get_as(Some(&viewer), &format!("/api/v1/reports/summary?{q}")).await;
        assert_eq!(figures(&r.body["totals"]), nums(&[3, 2, 3, 5, 3, 0, 1, 1, 2, 1]));
        assert_eq!(r.body["enforcement"]["actions"], 1);
        let r = app.get_as(Some(&viewer), &format!("/api/v1/reports/summary?{q}&community_id={}", w.b)).await;
        assert_eq!(figures(&r.body["totals"]), nums(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        // Bad parameters.
        for bad in ["from=2026-10-31&to=2026-10-01", "from=2026-10-01", "from=2026-10-01&to=2026-10-31&group_by=street",
                    "from=2026-10-01&to=2026-10-31&as_of=2026-10-31", "from=2026-10-01&to=2026-10-31&as_of=2027-01-01T00:00:00Z"] {
            assert_eq!(app.get(&format!("/api/v1/reports/summary?{bad}")).await.status, 422, "{bad}");
        }
    }

    async fn monthly_report_json_csv_and_xlsx(app) {
        let w = world(&app).await;
        let r = app.get(&format!("/api/v1/reports/monthly?month=2026-10&as_of={END_OF_OCTOBER}")).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let m = &r.body;
        assert_eq!(m["month"], "2026-10");
        assert_eq!(figures(&m["totals"]), nums(&[5, 4, 5, 7, 3, 1, 2, 1, 2, 2]));
        assert_eq!(m["enforcement_totals"]["actions"], 2);
        let overdue: Vec<(&str, i64)> = m["overdue"].as_array().expect("overdue").iter()
            .map(|l| (l["hazard_id"].as_str().unwrap_or_default(), l["days_overdue"].as_i64().unwrap_or(-1))).collect();
        assert_eq!(overdue, vec![(w.h[3].as_str(), 14), (w.h[2].as_str(), 12)]);
        let major: Vec<&str> = m["major"].as_array().expect("major").iter().map(|l| l["hazard_id"].as_str().unwrap_or_default()).collect();
        assert_eq!(major, vec![w.h[2].as_str(), w.h[6].as_str()]);
        assert_eq!(m["leader_led"].as_array().map(Vec::len), Some(2));
        assert_eq!(m["leader_led"][0]["hazards_found"], 3);
        assert_eq!(m["leader_led"][0]["hazards_closed"], 2);
        assert_eq!(m["leader_led"][0]["unit_name"], "湘味小厨");
        assert_eq!(m["enforcement"].as_array().map(Vec::len), Some(4));
        assert_eq!(m["by_community"].as_array().map(Vec::len), Some(2));
        assert_eq!(m["by_category"].as_array().map(Vec::len), Some(4));
        // Now: the overdue table lists what is overdue today, whenever found.
        let now = app.get("/api/v1/reports/monthly?month=2026-10").await.body;
        let overdue: Vec<i64> = now["overdue"].as_array().expect("overdue").iter().map(|l| l["days_overdue"].as_i64().unwrap_or(-1)).collect();
        assert_eq!(overdue, vec![38, 15]);
        assert_eq!(now["major"], json!([]), "h3 voided, h7 closed");

        // CSV: BOM, CRLF, Chinese headers, one line per row.
        let r = app.get(&format!("/api/v1/reports/monthly.csv?month=2026-10&table=by_community&as_of={END_OF_OCTOBER}")).await;
        assert_eq!(r.status, 200);
        assert!(r.header("content-type").unwrap_or_default().starts_with("text/csv"));
        assert!(r.header("content-disposition").unwrap_or_default().contains("2026-10"));
        assert_eq!(&r.raw[..3], &[0xEF, 0xBB, 0xBF]);
        let text = String::from_utf8(r.raw[3..].to_vec()).expect("utf-8");
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines.len(), 4, "header, two communities, and the final line end: {text:?}");
        assert!(!text.replace("\r\n", "").contains('\n'), "every line ends in CRLF");
        let block = "检查单位数（家）,{}检查次数（次）,{}有隐患单位数（家）,{}发现一般隐患（项）,{}发现重大隐患（项）,{}整改一般隐患（项）,{}整改重大隐患（项）,{}待整改（项）,{}逾期（项）,{}整改率（%）,{}整改资金（元）";
        let month = block.replace("{}", "本月");
        let year = block.replace("{}", "本年累计");
        assert_eq!(lines[0], format!("社区,本月{month},本年累计{year}"));
        // As of October's end, the year so far is October.
        assert_eq!(lines[1], "A社区,3,3,2,4,1,3,0,1,2,60.00%,0.00,3,3,2,4,1,3,0,1,2,60.00%,0.00");
        assert_eq!(lines[2], "B社区,2,2,2,1,1,0,0,1,0,0.00%,0.00,2,2,2,1,1,0,0,1,0,0.00%,0.00");
        assert_eq!(lines[3], "");
        let r = app.get(&format!("/api/v1/reports/monthly.csv?month=2026-10&table=overdue&lang=en&as_of={END_OF_OCTOBER}")).await;
        let text = String::from_utf8(r.raw[3..].to_vec()).expect("utf-8");
        assert!(text.starts_with("Unit,Community,Address,Category,Level,Description,Found on,Deadline,Days overdue,Status,Measures,Responsible,Telephone\r\n"), "{text}");
        assert!(text.contains("便民超市,A社区,x,Fire separation,General,燃气软管老化,2026-10-08,2026-10-18,14,Pending verification,已整改,,\r\n"), "{text}");
        assert_eq!(app.get("/api/v1/reports/monthly.csv?month=2026-10").await.status, 422, "a table must be named");
        assert_eq!(app.get("/api/v1/reports/monthly.csv?month=2026-10&table=nope").await.status, 422);
        assert_eq!(app.get("/api/v1/reports/monthly?month=2026-1").await.status, 422);

        // XLSX: the sheets, their cells, dates as dates, bold frozen headers.
        let r = app.get(&format!("/api/v1/reports/monthly.xlsx?month=2026-10&as_of={END_OF_OCTOBER}")).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type").as_deref(), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        assert!(r.header("content-disposition").unwrap_or_default().contains("filename*=UTF-8''"));
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.raw.clone())).expect("a workbook");
        assert_eq!(book.sheet_names(), vec!["汇总", "按社区", "按类别", "按行业", "逾期隐患", "重大隐患", "联合执法", "党政带队", "复发隐患"]);
        // Below the title and 填报 lines, 序号 first.
        let summary = book.worksheet_range("汇总").expect("summary sheet");
        assert_eq!(summary.get_value((2, 1)), Some(&Data::String("项目".into())));
        assert_eq!(summary.get_value((6, 1)), Some(&Data::String("发现隐患（项）".into())));
        assert_eq!(summary.get_value((6, 2)), Some(&Data::Float(7.0)));
        assert_eq!(summary.get_value((6, 4)), Some(&Data::Float(4.0)));
        assert_eq!(summary.get_value((17, 1)), Some(&Data::String("整改率（%）".into())));
        assert_eq!(summary.get_value((17, 2)), Some(&Data::Float(0.5)));
        let overdue = book.worksheet_range("逾期隐患").expect("overdue sheet");
        assert_eq!(overdue.get_value((3, 1)), Some(&Data::String("便民超市".into())));
        assert!(matches!(overdue.get_value((3, 7)), Some(Data::DateTime(_))), "found on is a date: {:?}", overdue.get_value((3, 7)));
        assert_eq!(overdue.get_value((3, 9)), Some(&Data::Float(14.0)));
        let enforcement = book.worksheet_range("联合执法").expect("enforcement sheet");
        assert_eq!(enforcement.height(), 7);
        // Sheet XML: a frozen first row in bold; rates formatted as percentages.
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.raw.clone())).expect("zip");
        let mut sheet1 = String::new();
        zip.by_name("xl/worksheets/sheet1.xml").expect("sheet1").read_to_string(&mut sheet1).expect("read");
        assert!(sheet1.contains("state=\"frozen\""), "{sheet1}");
        assert!(sheet1.contains("ySplit=\"3\""));
        let mut styles = String::new();
        zip.by_name("xl/styles.xml").expect("styles").read_to_string(&mut styles).expect("read");
        assert!(styles.contains("<b/>"), "a bold font");
        assert!(styles.contains("0.00%"), "a percentage format");
        assert!(styles.contains("yyyy-mm-dd"), "a date format");
        let english = app.get(&format!("/api/v1/reports/monthly.xlsx?month=2026-10&lang=en&as_of={END_OF_OCTOBER}")).await;
        let book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(english.raw)).expect("a workbook");
        assert_eq!(book.sheet_names()[0], "Summary");
    }

    async fn a_long_overdue_list_arrives_whole_and_in_order_in_every_format(app) {
        // 2,100 overdue hazards: more than two of the chunks a PostgreSQL cursor is read in.
        at(&app, "2026-10-01T00:00:00Z");
        let a = app.community("A").await;
        let unit = app.unit(&a, "shop").await;
        at(&app, "2026-10-20T00:00:00Z");
        let mut ids = Vec::new();
        for i in 0..21u32 {
            let hazards: Vec<Value> = (0..100u32)
                .map(|j| deadline_hazard("fire_separation", &format!("2026-10-{:02}", 2 + (i * 7 + j) % 17)))
                .collect();
            let when = format!("2026-10-01T{:02}:00:00+08:00", 8 + i % 10);
            let r = app.submit(&inspection(&unit, &when, hazards)).await;
            ids.extend(r["hazards"].as_array().expect("hazards").iter().map(|h| h["id"].as_str().unwrap_or_default().to_string()));
        }
        assert_eq!(ids.len(), 2100);
        let path = "/api/v1/reports/monthly?month=2026-10";
        // More reports at once than are built at once: the others wait their turn.
        let all = futures_util::future::join_all((0..3).map(|_| app.get(path))).await;
        for r in &all {
            assert_eq!(r.status, 200, "{:?}", r.body);
            assert_eq!(r.raw, all[0].raw, "the same report every time");
        }
        let m = &all[0].body;
        let lines = m["overdue"].as_array().expect("overdue");
        let key = |l: &Value| (l["deadline"].as_str().unwrap_or_default().to_string(), l["found_on"].as_str().unwrap_or_default().to_string(), l["hazard_id"].as_str().unwrap_or_default().to_string());
        let keys: Vec<_> = lines.iter().map(key).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "by deadline, found on, id");
        let mut listed: Vec<String> = keys.into_iter().map(|k| k.2).collect();
        listed.sort();
        ids.sort();
        assert_eq!(listed, ids, "each overdue hazard once");
        assert_eq!(m["totals"]["hazards_overdue"], 2100);
        assert_eq!(lines[0]["days_overdue"], 18, "deadline 10-02, and the office's date is 10-20");
        assert_eq!(m["major"], json!([]));

        let csv = app.get("/api/v1/reports/monthly.csv?month=2026-10&table=overdue").await;
        assert_eq!(csv.status, 200);
        assert_eq!(csv.header("content-length").as_deref(), Some(csv.raw.len().to_string().as_str()));
        let text = String::from_utf8(csv.raw[3..].to_vec()).expect("utf-8");
        assert_eq!(text.split("\r\n").filter(|l| !l.is_empty()).count(), 2101, "the header and every line");

        let r = app.get("/api/v1/reports/monthly.xlsx?month=2026-10").await;
        assert_eq!(r.status, 200);
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.raw.clone())).expect("a workbook");
        let overdue = book.worksheet_range("逾期隐患").expect("overdue sheet");
        assert_eq!(overdue.height(), 2103, "the title, 填报 and header rows, and every line");
        assert_eq!(overdue.get_value((2102, 10)), Some(&Data::String("待整改".into())));
    }

    async fn a_corrupt_stored_list_is_an_internal_error_not_an_empty_one(app) {
        at(&app, "2026-10-01T00:00:00Z");
        let a = app.community("A").await;
        let unit = app.unit(&a, "shop").await;
        at(&app, "2026-10-20T00:00:00Z");
        insp(&app, &unit, "2026-10-05T10:00:00+08:00", true, None, vec![]).await;
        enforce(&app, "2026-10-16", &a, json!([{"unit_id": unit, "violations_found": 1, "measure": "warning"}])).await;
        let path = "/api/v1/reports/monthly?month=2026-10";
        let r = app.get(path).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["leader_led"][0]["inspectors"], json!(["张三", "李四"]));
        assert_eq!(r.body["enforcement"][0]["departments"], json!(["police_station", "fire"]));
        for (table, column, stored) in [
            ("inspections", "inspectors", r#"["张三", "李四"]"#),
            ("enforcement_actions", "departments", r#"["police_station", "fire"]"#),
        ] {
            execute(&app, format!("UPDATE {table} SET {column} = 'not a list'")).await;
            for path in [path, "/api/v1/reports/monthly.xlsx?month=2026-10"] {
                let r = app.get(path).await;
                assert_eq!(r.status, 500, "{table}.{column} in {path}: {:?}", r.body);
                assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
            }
            execute(&app, format!("UPDATE {table} SET {column} = '{stored}'")).await;
            assert_eq!(app.get(path).await.status, 200, "{table}.{column} restored");
        }
    }
}
