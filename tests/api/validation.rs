//! Input validation: every rule of the inspection submission and of the catalogue
//! (units, communities, campaigns) answers 422 `/problems/validation` naming the exact
//! field path and code, and writes nothing.

use serde_json::{json, Value};

use crate::both_engines;
#[allow(unused_imports)]
use crate::support::*;

/// A moment safely before the test clock (2026-11-25T02:00:00Z).
const AT: &str = "2026-11-25T01:00:00Z";
/// An id no record has.
const MISSING: &str = "0192f000-0000-7000-8000-00000000dead";
/// A valid unified social credit code.
const CREDIT_CODE: &str = "91350100M000100Y43";

/// `n` Chinese characters (3 bytes each in UTF-8): limits count characters, not bytes.
fn zh(n: usize) -> String {
    "安".repeat(n)
}

/// Asserts a validation problem whose errors are exactly these (field, code) pairs.
#[track_caller]
fn assert_invalid(r: &Resp, expected: &[(&str, &str)]) {
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    assert_eq!(r.body["type"], "/problems/validation", "{:?}", r.body);
    assert_eq!(r.body["status"], 422);
    let mut got: Vec<(String, String)> = r.body["errors"]
        .as_array()
        .expect("errors listed")
        .iter()
        .map(|e| {
            (e["field"].as_str().unwrap_or_default().to_string(), e["code"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    got.sort();
    got.dedup();
    let mut want: Vec<(String, String)> = expected.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
    want.sort();
    assert_eq!(got, want, "{:?}", r.body);
    for (field, code) in expected {
        assert!(r.error_fields().iter().any(|f| f == field), "{field} not in {:?}", r.error_fields());
        assert_eq!(r.error_code(field).as_deref(), Some(*code), "{:?}", r.body);
        let message = r.body["errors"].as_array().and_then(|a| a.iter().find(|e| e["field"] == *field)).unwrap();
        assert!(message["message"].as_str().is_some_and(|m| !m.is_empty()), "a message for {field}");
    }
}

/// The items of the first page of a list.
async fn items(app: &TestApp, path: &str) -> Vec<Value> {
    let r = app.get(path).await;
    assert_eq!(r.status, 200, "{path}: {:?}", r.body);
    r.body["items"].as_array().cloned().expect("a list")
}

/// No inspection and no hazard is stored.
async fn assert_nothing_submitted(app: &TestApp) {
    assert_eq!(items(app, "/api/v1/inspections").await.len(), 0, "no inspection stored");
    assert_eq!(items(app, "/api/v1/hazards").await.len(), 0, "no hazard stored");
}

/// Posts an inspection that must be refused with exactly these errors, storing nothing.
async fn refused(app: &TestApp, body: &Value, expected: &[(&str, &str)]) {
    let r = app.post("/api/v1/inspections", body).await;
    assert_invalid(&r, expected);
    assert_nothing_submitted(app).await;
}

async fn a_unit(app: &TestApp) -> String {
    let c = app.community("JML").await;
    app.unit(&c, "restaurant").await
}

/// `base` with `key` set to `value` (on an object).
fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

/// `base` without `key`.
fn without(mut base: Value, key: &str) -> Value {
    base.as_object_mut().expect("an object").remove(key);
    base
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn unit_body(community_id: &str) -> Value {
    json!({"community_id": community_id, "name": "金茂楼餐馆", "kind": "restaurant", "address": "金茂路1号"})
}

/// Posts a unit that must be refused with exactly these errors; no unit is stored.
async fn unit_refused(app: &TestApp, body: &Value, expected: &[(&str, &str)]) {
    let before = items(app, "/api/v1/units").await.len();
    let r = app.post("/api/v1/units", body).await;
    assert_invalid(&r, expected);
    assert_eq!(items(app, "/api/v1/units").await.len(), before, "no unit stored");
}

/// Patches a unit with a change that must be refused; the unit is left as it was.
async fn unit_patch_refused(app: &TestApp, unit_id: &str, body: &Value, expected: &[(&str, &str)]) {
    let before = app.get(&format!("/api/v1/units/{unit_id}")).await;
    let r = app.patch(&format!("/api/v1/units/{unit_id}"), body).await;
    assert_invalid(&r, expected);
    let after = app.get(&format!("/api/v1/units/{unit_id}")).await;
    assert_eq!(after.status, 200);
    assert_eq!(after.body, before.body, "the unit and its events are unchanged");
}

both_engines! {
    // ---- inspections -----------------------------------------------------------------

    async fn inspection_text_lengths_count_characters(app) {
        let unit = a_unit(&app).await;
        let ok = || inspection(&unit, AT, vec![deadline_hazard("gas", "2026-12-01"), spot_hazard("evacuation")]);

        refused(&app, &with(ok(), "notes", json!(zh(2001))), &[("notes", "length")]).await;
        let mut b = ok();
        b["hazards"][0]["description"] = json!(zh(2001));
        refused(&app, &b, &[("hazards[0].description", "length")]).await;
        let mut b = ok();
        b["hazards"][1]["note"] = json!(zh(2001));
        refused(&app, &b, &[("hazards[1].note", "length")]).await;
        let mut b = ok();
        b["hazards"][0]["legal_basis"] = json!(zh(2001));
        refused(&app, &b, &[("hazards[0].legal_basis", "length")]).await;
        let mut b = ok();
        b["hazards"][0]["responsible_person"] = json!(zh(201));
        refused(&app, &b, &[("hazards[0].responsible_person", "length")]).await;
        refused(&app, &with(ok(), "inspectors", json!([zh(201)])), &[("inspectors[0]", "length")]).await;
        let mut b = ok();
        b["hazards"][0]["description"] = json!("");
        refused(&app, &b, &[("hazards[0].description", "required")]).await;
        let mut b = ok();
        b["hazards"][0]["description"] = json!("   ");
        refused(&app, &b, &[("hazards[0].description", "required")]).await;

        // At the limits, in Chinese (three bytes a character), everything is accepted.
        let mut b = with(ok(), "notes", json!(zh(2000)));
        b["inspectors"] = json!([zh(200)]);
        b["hazards"][0]["description"] = json!(zh(2000));
        b["hazards"][0]["legal_basis"] = json!(zh(2000));
        b["hazards"][0]["responsible_person"] = json!(zh(200));
        b["hazards"][1]["note"] = json!(zh(2000));
        let stored = app.submit(&b).await;
        assert_eq!(stored["notes"].as_str().map(|s| s.chars().count()), Some(2000));
        let found = items(&app, "/api/v1/hazards?category=gas").await;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0]["description"], json!(zh(2000)));
        assert_eq!(found[0]["responsible_person"], json!(zh(200)));
    }

    async fn inspection_unknown_enum_values(app) {
        let unit = a_unit(&app).await;
        let two = || {
            let hazards = vec![deadline_hazard("gas", "2026-12-01"), deadline_hazard("electrical", "2026-12-01")];
            inspection(&unit, AT, hazards)
        };
        let mut b = two();
        b["hazards"][1]["category"] = json!("gas_leak");
        refused(&app, &b, &[("hazards[1].category", "invalid_choice")]).await;
        let mut b = two();
        b["hazards"][0]["level"] = json!("critical");
        refused(&app, &b, &[("hazards[0].level", "invalid_choice")]).await;
        let mut b = two();
        b["hazards"][1]["handling_type"] = json!("later");
        refused(&app, &b, &[("hazards[1].handling_type", "invalid_choice")]).await;
        let mut b = two();
        b["hazards"][0]["source"] = json!("rumour");
        refused(&app, &b, &[("hazards[0].source", "invalid_choice")]).await;
        // Values are case-sensitive snake_case names.
        let mut b = two();
        b["hazards"][0]["category"] = json!("Gas");
        refused(&app, &b, &[("hazards[0].category", "invalid_choice")]).await;
    }

    async fn inspection_coordinates(app) {
        let unit = a_unit(&app).await;
        let at = |lat: Value, lon: Value| {
            let mut b = inspection(&unit, AT, vec![]);
            if !lat.is_null() {
                b["latitude"] = lat;
            }
            if !lon.is_null() {
                b["longitude"] = lon;
            }
            b
        };
        refused(&app, &at(json!(91), json!(112.9)), &[("latitude", "range")]).await;
        refused(&app, &at(json!(-90.5), json!(112.9)), &[("latitude", "range")]).await;
        refused(&app, &at(json!(28.2), json!(-181)), &[("longitude", "range")]).await;
        refused(&app, &at(json!(91), json!(181)), &[("latitude", "range"), ("longitude", "range")]).await;
        refused(&app, &at(json!(28.2), Value::Null), &[("longitude", "required")]).await;
        refused(&app, &at(Value::Null, json!(112.9)), &[("latitude", "required")]).await;
        refused(&app, &at(json!("north"), json!(112.9)), &[("latitude", "invalid_type")]).await;
        let stored = app.submit(&at(json!(90), json!(-180))).await;
        assert_eq!(stored["latitude"], json!(90.0));
        assert_eq!(stored["longitude"], json!(-180.0));
    }

    async fn inspected_at_needs_an_offset_and_not_the_future(app) {
        let unit = a_unit(&app).await;
        let at = |moment: &str| inspection(&unit, moment, vec![deadline_hazard("gas", "2026-12-31")]);
        refused(&app, &at("2026-11-25T09:00:00"), &[("inspected_at", "invalid")]).await;
        refused(&app, &at("2026-11-25"), &[("inspected_at", "invalid")]).await;
        refused(&app, &at("yesterday"), &[("inspected_at", "invalid")]).await;
        // The test clock stands at 02:00:00Z; 300 s of skew are allowed, no more.
        refused(&app, &at("2026-11-25T02:05:01Z"), &[("inspected_at", "in_future")]).await;
        refused(&app, &at("2026-11-25T10:05:01+08:00"), &[("inspected_at", "in_future")]).await;
        refused(&app, &at("2026-11-26T01:00:00Z"), &[("inspected_at", "in_future")]).await;

        // Two minutes ahead (a phone clock running fast) is accepted.
        let stored = app.submit(&at("2026-11-25T10:02:00+08:00")).await;
        assert_eq!(stored["inspected_at"], "2026-11-25T02:02:00Z");
        // So is the very edge of the allowed skew.
        app.submit(&at("2026-11-25T02:05:00Z")).await;
        assert_eq!(items(&app, "/api/v1/inspections").await.len(), 2);
    }

    async fn deadline_rules_use_the_local_found_date(app) {
        let unit = a_unit(&app).await;
        let mut no_deadline = deadline_hazard("gas", "2026-12-01");
        no_deadline.as_object_mut().unwrap().remove("deadline");
        refused(&app, &inspection(&unit, AT, vec![no_deadline]), &[("hazards[0].deadline", "required")]).await;
        refused(
            &app,
            &inspection(
                &unit,
                AT,
                vec![
                    spot_hazard("gas"),
                    deadline_hazard("gas", "2026-12-01"),
                    with(deadline_hazard("gas", "x"), "deadline", Value::Null),
                ],
            ),
            &[("hazards[2].deadline", "required")],
        )
        .await;
        refused(
            &app,
            &inspection(&unit, AT, vec![deadline_hazard("gas", "2026-11-31")]),
            &[("hazards[0].deadline", "invalid")],
        )
        .await;

        // 20:00 UTC on the 24th is 04:00 on the 25th in Changsha: found on the 25th.
        let evening = "2026-11-24T20:00:00Z";
        refused(
            &app,
            &inspection(&unit, evening, vec![deadline_hazard("gas", "2026-11-24")]),
            &[("hazards[0].deadline", "before_found")],
        )
        .await;
        refused(
            &app,
            &inspection(
                &unit,
                evening,
                vec![deadline_hazard("gas", "2026-12-01"), deadline_hazard("fire_separation", "2026-11-20")],
            ),
            &[("hazards[1].deadline", "before_found")],
        )
        .await;
        let stored = app.submit(&inspection(&unit, evening, vec![deadline_hazard("gas", "2026-11-25")])).await;
        assert_eq!(stored["inspected_on"], "2026-11-25");
        assert_eq!(stored["hazards"][0]["found_on"], "2026-11-25");
        assert_eq!(stored["hazards"][0]["deadline"], "2026-11-25");
        assert_eq!(stored["hazards"][0]["status"], "open");
    }

    async fn on_the_spot_and_deadline_fields_exclude_each_other(app) {
        let unit = a_unit(&app).await;
        let mut no_note = spot_hazard("evacuation");
        no_note.as_object_mut().unwrap().remove("note");
        refused(&app, &inspection(&unit, AT, vec![no_note]), &[("hazards[0].note", "required")]).await;
        refused(
            &app,
            &inspection(&unit, AT, vec![with(spot_hazard("evacuation"), "note", json!("  "))]),
            &[("hazards[0].note", "required")],
        )
        .await;
        refused(
            &app,
            &inspection(&unit, AT, vec![with(spot_hazard("evacuation"), "deadline", json!("2026-12-01"))]),
            &[("hazards[0].deadline", "not_allowed")],
        )
        .await;
        refused(
            &app,
            &inspection(
                &unit,
                AT,
                vec![
                    deadline_hazard("gas", "2026-12-01"),
                    with(deadline_hazard("gas", "2026-12-01"), "note", json!("已告知")),
                ],
            ),
            &[("hazards[1].note", "not_allowed")],
        )
        .await;
        let mut both_wrong = with(spot_hazard("evacuation"), "deadline", json!("2026-12-01"));
        both_wrong.as_object_mut().unwrap().remove("note");
        refused(
            &app,
            &inspection(&unit, AT, vec![both_wrong]),
            &[("hazards[0].deadline", "not_allowed"), ("hazards[0].note", "required")],
        )
        .await;
    }

    async fn at_most_one_hundred_hazards(app) {
        let unit = a_unit(&app).await;
        let many = |n: usize| {
            (0..n)
                .map(|i| deadline_hazard(if i % 2 == 0 { "gas" } else { "electrical" }, "2026-12-01"))
                .collect::<Vec<_>>()
        };
        refused(&app, &inspection(&unit, AT, many(101)), &[("hazards", "too_many")]).await;
        // Even when the hazards are otherwise wrong, too many is what is reported.
        let mut bad = many(150);
        bad[3].as_object_mut().unwrap().remove("deadline");
        refused(&app, &inspection(&unit, AT, bad), &[("hazards", "too_many")]).await;

        let stored = app.submit(&inspection(&unit, AT, many(100))).await;
        let id = stored["id"].as_str().unwrap().to_string();
        assert_eq!(stored["hazards"].as_array().map(Vec::len), Some(100));
        let listed = items(&app, &format!("/api/v1/hazards?inspection_id={id}&limit=500")).await;
        assert_eq!(listed.len(), 100);
        let mut ids: Vec<&str> = listed.iter().map(|h| h["id"].as_str().unwrap()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 100, "100 distinct hazards");
        let detail = app.get(&format!("/api/v1/inspections/{id}")).await;
        assert_eq!(detail.body["hazards"].as_array().map(Vec::len), Some(100));
    }

    async fn inspectors_one_to_ten_names(app) {
        let unit = a_unit(&app).await;
        let named = |names: Value| with(inspection(&unit, AT, vec![]), "inspectors", names);
        refused(&app, &named(json!([])), &[("inspectors", "length")]).await;
        let eleven: Vec<String> = (1..=11).map(|i| format!("检查员{i}")).collect();
        refused(&app, &named(json!(eleven)), &[("inspectors", "length")]).await;
        refused(&app, &named(json!(["", "李四"])), &[("inspectors[0]", "required")]).await;
        refused(&app, &named(json!(["张三", "　 "])), &[("inspectors[1]", "required")]).await;
        refused(&app, &named(json!("张三")), &[("inspectors", "invalid_type")]).await;
        refused(&app, &without(inspection(&unit, AT, vec![]), "inspectors"), &[("inspectors", "required")]).await;

        let ten: Vec<String> = (1..=10).map(|i| format!("检查员{i}")).collect();
        let stored = app.submit(&named(json!(ten))).await;
        assert_eq!(stored["inspectors"], json!(ten));
    }

    async fn duplicate_ids_in_one_submission(app) {
        let unit = a_unit(&app).await;
        let hid = new_id();
        let h = |id: &str| with(deadline_hazard("gas", "2026-12-01"), "id", json!(id));
        refused(&app, &inspection(&unit, AT, vec![h(&hid), h(&hid)]), &[("hazards[1].id", "duplicate")]).await;
        refused(
            &app,
            &inspection(&unit, AT, vec![h(&new_id()), h(&hid), spot_hazard("gas"), h(&hid)]),
            &[("hazards[3].id", "duplicate")],
        )
        .await;
        // A hazard may not carry the id of its own inspection.
        let iid = new_id();
        refused(
            &app,
            &with(inspection(&unit, AT, vec![h(&iid)]), "id", json!(iid)),
            &[("hazards[0].id", "duplicate")],
        )
        .await;
        // A photo cited twice by one hazard.
        let photo = new_id();
        let mut b = inspection(&unit, AT, vec![h(&new_id())]);
        b["hazards"][0]["photo_ids"] = json!([photo, photo]);
        refused(&app, &b, &[("hazards[0].photo_ids[1]", "duplicate")]).await;

        // A hazard id already stored by another submission is refused too.
        app.submit(&inspection(&unit, AT, vec![h(&hid)])).await;
        let r = app.post("/api/v1/inspections", &inspection(&unit, AT, vec![h(&new_id()), h(&hid)])).await;
        assert_invalid(&r, &[("hazards[1].id", "already_exists")]);
        assert_eq!(items(&app, "/api/v1/inspections").await.len(), 1, "only the first submission");
        assert_eq!(items(&app, "/api/v1/hazards").await.len(), 1);
    }

    async fn unknown_fields_are_refused_with_their_path(app) {
        let unit = a_unit(&app).await;
        refused(
            &app,
            &with(inspection(&unit, AT, vec![deadline_hazard("gas", "2026-12-01")]), "weather", json!("sunny")),
            &[("weather", "unknown_field")],
        )
        .await;
        refused(
            &app,
            &inspection(&unit, AT, vec![with(deadline_hazard("gas", "2026-12-01"), "colour", json!("red"))]),
            &[("hazards[0].colour", "unknown_field")],
        )
        .await;
        refused(
            &app,
            &inspection(
                &unit,
                AT,
                vec![spot_hazard("gas"), with(deadline_hazard("gas", "2026-12-01"), "status", json!("closed"))],
            ),
            &[("hazards[1].status", "unknown_field")],
        )
        .await;
    }

    async fn missing_required_fields(app) {
        let unit = a_unit(&app).await;
        let ok = || inspection(&unit, AT, vec![deadline_hazard("gas", "2026-12-01")]);
        refused(&app, &without(ok(), "unit_id"), &[("unit_id", "required")]).await;
        refused(&app, &without(ok(), "inspected_at"), &[("inspected_at", "required")]).await;
        refused(&app, &without(ok(), "leader_led"), &[("leader_led", "required")]).await;
        refused(&app, &without(ok(), "hazards"), &[("hazards", "required")]).await;
        let mut b = ok();
        b["hazards"][0].as_object_mut().unwrap().remove("category");
        refused(&app, &b, &[("hazards[0].category", "required")]).await;
        let mut b = ok();
        b["hazards"][0].as_object_mut().unwrap().remove("description");
        refused(&app, &b, &[("hazards[0].description", "required")]).await;
        refused(&app, &with(ok(), "unit_id", json!("not-a-uuid")), &[("unit_id", "invalid")]).await;
        refused(&app, &with(ok(), "leader_led", json!("yes")), &[("leader_led", "invalid_type")]).await;
        refused(&app, &with(ok(), "hazards", Value::Null), &[("hazards", "invalid_type")]).await;
        refused(&app, &with(ok(), "hazards", json!({})), &[("hazards", "invalid_type")]).await;
    }

    async fn references_to_missing_records(app) {
        let unit = a_unit(&app).await;
        let ok = || inspection(&unit, AT, vec![deadline_hazard("gas", "2026-12-01")]);
        refused(&app, &with(ok(), "unit_id", json!(MISSING)), &[("unit_id", "not_found")]).await;
        refused(&app, &with(ok(), "campaign_id", json!(MISSING)), &[("campaign_id", "not_found")]).await;
        refused(
            &app,
            &with(with(ok(), "campaign_id", json!(MISSING)), "unit_id", json!(new_id())),
            &[("campaign_id", "not_found"), ("unit_id", "not_found")],
        )
        .await;
        refused(&app, &with(ok(), "attachment_ids", json!([MISSING])), &[("attachment_ids[0]", "not_found")]).await;
        let mut b = ok();
        b["hazards"][0]["photo_ids"] = json!([MISSING]);
        refused(&app, &b, &[("hazards[0].photo_ids[0]", "not_found")]).await;
        // The id of another kind of record (a unit) is not a campaign either.
        refused(&app, &with(ok(), "campaign_id", json!(unit)), &[("campaign_id", "not_found")]).await;
    }

    async fn nul_characters_are_refused(app) {
        let unit = a_unit(&app).await;
        let mut b = inspection(&unit, AT, vec![spot_hazard("gas"), deadline_hazard("gas", "2026-12-01")]);
        b["hazards"][0]["description"] = json!("a\u{0}b");
        refused(&app, &b, &[("hazards[0].description", "nul_character")]).await;
        let mut b = inspection(&unit, AT, vec![deadline_hazard("gas", "2026-12-01")]);
        b["notes"] = json!("门口\u{0}");
        b["inspectors"] = json!(["张三", "\u{0}"]);
        refused(&app, &b, &[("inspectors[1]", "nul_character"), ("notes", "nul_character")]).await;

        let c = app.community("NUL").await;
        unit_refused(&app, &with(unit_body(&c), "name", json!("a\u{0}b")), &[("name", "nul_character")]).await;
        let before = items(&app, "/api/v1/communities").await.len();
        let r = app.post("/api/v1/communities", &json!({"name": "a\u{0}b", "code": "N2"})).await;
        assert_invalid(&r, &[("name", "nul_character")]);
        assert_eq!(items(&app, "/api/v1/communities").await.len(), before);
    }

    async fn every_problem_is_reported_at_once(app) {
        let unit = a_unit(&app).await;
        let mut no_deadline = deadline_hazard("gas", "2026-12-01");
        no_deadline.as_object_mut().unwrap().remove("deadline");
        let mut no_note = spot_hazard("evacuation");
        no_note.as_object_mut().unwrap().remove("note");
        let hazards = vec![deadline_hazard("gas", "2026-12-01"), no_deadline, no_note];
        let mut b = inspection(&unit, "2026-11-26T00:00:00Z", hazards);
        b["latitude"] = json!(91);
        b["longitude"] = json!(112.9);
        b["inspectors"] = json!([]);
        b["notes"] = json!(zh(2001));
        b["hazards"][0]["description"] = json!(zh(2001));
        let r = app.post("/api/v1/inspections", &b).await;
        assert_invalid(
            &r,
            &[
                ("hazards[0].description", "length"),
                ("hazards[1].deadline", "required"),
                ("hazards[2].note", "required"),
                ("inspected_at", "in_future"),
                ("inspectors", "length"),
                ("latitude", "range"),
                ("notes", "length"),
            ],
        );
        assert_eq!(r.body["detail"], "7 fields are invalid");
        // Sorted by field path.
        let fields = r.error_fields();
        let mut sorted = fields.clone();
        sorted.sort();
        assert_eq!(fields, sorted);
        assert_nothing_submitted(&app).await;
    }

    async fn bad_hazard_filters_are_422(app) {
        let unit = a_unit(&app).await;
        app.submit(&inspection(&unit, AT, vec![deadline_hazard("gas", "2026-12-01")])).await;
        for (query, field, code) in [
            ("status=bogus", "status", "invalid_choice"),
            ("category=gas_leak", "category", "invalid_choice"),
            ("limit=0", "limit", "out_of_range"),
            ("limit=501", "limit", "out_of_range"),
            ("limit=-1", "limit", "out_of_range"),
            ("limit=ten", "limit", "invalid"),
            ("found_from=2026-13-01", "found_from", "invalid"),
            ("found_to=yesterday", "found_to", "invalid"),
            ("cursor=garbage", "cursor", "invalid"),
            ("unit_id=123", "unit_id", "invalid"),
            ("overdue=maybe", "overdue", "invalid"),
        ] {
            let r = app.get(&format!("/api/v1/hazards?{query}")).await;
            assert_invalid(&r, &[(field, code)]);
        }
        let r = app.get("/api/v1/hazards?foo=1").await;
        assert_invalid(&r, &[("foo", "unknown_parameter")]);
        assert!(r.body["errors"][0]["message"].as_str().unwrap_or_default().contains("foo"), "{:?}", r.body);
        // The limits themselves are accepted.
        for query in ["limit=1", "limit=500", "status=open&found_from=2026-11-25&found_to=2026-11-25"] {
            let r = app.get(&format!("/api/v1/hazards?{query}")).await;
            assert_eq!(r.status, 200, "{query}: {:?}", r.body);
            assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1), "{query}");
        }
    }

    // ---- units ------------------------------------------------------------------------

    async fn unit_text_lengths(app) {
        let c = app.community("JML").await;
        unit_refused(&app, &with(unit_body(&c), "name", json!(zh(201))), &[("name", "length")]).await;
        unit_refused(&app, &with(unit_body(&c), "name", json!("")), &[("name", "required")]).await;
        unit_refused(&app, &with(unit_body(&c), "name", json!("  \t ")), &[("name", "required")]).await;
        unit_refused(&app, &with(unit_body(&c), "address", json!(zh(201))), &[("address", "length")]).await;
        unit_refused(&app, &with(unit_body(&c), "contact_name", json!(zh(201))), &[("contact_name", "length")]).await;
        unit_refused(&app, &without(unit_body(&c), "name"), &[("name", "required")]).await;
        unit_refused(&app, &without(unit_body(&c), "community_id"), &[("community_id", "required")]).await;
        unit_refused(&app, &with(unit_body(&c), "owner", json!("王五")), &[("owner", "unknown_field")]).await;

        let mut body = unit_body(&c);
        body["name"] = json!(zh(200));
        body["address"] = json!(zh(200));
        body["contact_name"] = json!(zh(200));
        let r = app.post("/api/v1/units", &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["name"], json!(zh(200)));
        assert_eq!(r.body["address"], json!(zh(200)));
        assert_eq!(r.body["contact_name"], json!(zh(200)));
    }

    async fn unit_kind_must_be_known(app) {
        let c = app.community("JML").await;
        unit_refused(&app, &with(unit_body(&c), "kind", json!("spaceport")), &[("kind", "invalid_choice")]).await;
        unit_refused(&app, &with(unit_body(&c), "kind", json!("")), &[("kind", "invalid_choice")]).await;
        unit_refused(&app, &with(unit_body(&c), "kind", json!(3)), &[("kind", "invalid_type")]).await;
        // Status is not the client's to set on creation.
        unit_refused(&app, &with(unit_body(&c), "status", json!("closed")), &[("status", "unknown_field")]).await;
        let r = app.get("/api/v1/units?kind=spaceport").await;
        assert_invalid(&r, &[("kind", "invalid_choice")]);
    }

    async fn unit_coordinates(app) {
        let c = app.community("JML").await;
        let at = |lat: f64, lon: f64| with(with(unit_body(&c), "latitude", json!(lat)), "longitude", json!(lon));
        unit_refused(&app, &at(91.0, 112.9), &[("latitude", "range")]).await;
        unit_refused(&app, &at(28.2, -181.0), &[("longitude", "range")]).await;
        unit_refused(&app, &with(unit_body(&c), "latitude", json!(28.2)), &[("longitude", "required")]).await;
        unit_refused(&app, &with(unit_body(&c), "longitude", json!(112.9)), &[("latitude", "required")]).await;
        let r = app.post("/api/v1/units", &at(-90.0, 180.0)).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["latitude"], json!(-90.0));
        assert_eq!(r.body["longitude"], json!(180.0));
    }

    async fn unit_contact_phone(app) {
        let c = app.community("JML").await;
        for bad in ["abc", "138-0000-000a", "1234", "++86 13800000000", "(0731) 8888 8888", "123456789012345678901"] {
            let body = with(unit_body(&c), "contact_phone", json!(bad));
            unit_refused(&app, &body, &[("contact_phone", "invalid_phone")]).await;
        }
        let r = app.post("/api/v1/units", &with(unit_body(&c), "contact_phone", json!("+86 138-0000-0000"))).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["contact_phone"], "+86 138-0000-0000");
        let r = app.post("/api/v1/units", &with(unit_body(&c), "contact_phone", json!("0731-88888888"))).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }

    async fn unit_credit_code(app) {
        let c = app.community("JML").await;
        let coded = |code: &str| with(unit_body(&c), "credit_code", json!(code));
        for bad in [
            "91350100M000100Y44", // wrong check character
            "91350100M000100Y4",  // 17 characters
            "91350100M000100Y433", // 19 characters
            "",
            "91350100I000100Y43", // forbidden letters: I, O, S, V, Z
            "91350100O000100Y43",
            "91350100S000100Y43",
            "91350100V000100Y43",
            "91350100Z000100Y43",
            "91350100m000100y43", // lower case
            "９1350100M000100Y43", // a full-width digit
        ] {
            unit_refused(&app, &coded(bad), &[("credit_code", "invalid_credit_code")]).await;
        }
        let r = app.post("/api/v1/units", &coded(CREDIT_CODE)).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["credit_code"], CREDIT_CODE);
        let r = app.post("/api/v1/units", &coded("911100001000079554")).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }

    async fn unit_community_must_exist(app) {
        app.community("JML").await;
        unit_refused(&app, &unit_body(MISSING), &[("community_id", "not_found")]).await;
        unit_refused(&app, &unit_body("nope"), &[("community_id", "invalid")]).await;
    }

    async fn unit_patch_is_validated(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "shop").await;
        let p = |field: &str, value: Value| json!({"version": 1, field: value});
        unit_patch_refused(&app, &u, &p("name", json!(zh(201))), &[("name", "length")]).await;
        unit_patch_refused(&app, &u, &p("name", json!(" ")), &[("name", "required")]).await;
        unit_patch_refused(&app, &u, &p("address", json!(zh(201))), &[("address", "length")]).await;
        unit_patch_refused(&app, &u, &p("contact_name", json!(zh(201))), &[("contact_name", "length")]).await;
        unit_patch_refused(&app, &u, &p("contact_phone", json!("abc")), &[("contact_phone", "invalid_phone")]).await;
        for bad in ["91350100M000100Y44", "91350100Z000100Y43", "91350100M000100Y4"] {
            let body = p("credit_code", json!(bad));
            unit_patch_refused(&app, &u, &body, &[("credit_code", "invalid_credit_code")]).await;
        }
        unit_patch_refused(&app, &u, &p("kind", json!("spaceport")), &[("kind", "invalid_choice")]).await;
        unit_patch_refused(&app, &u, &p("latitude", json!(91)), &[("latitude", "range")]).await;
        unit_patch_refused(&app, &u, &p("longitude", json!(-181)), &[("longitude", "range")]).await;
        unit_patch_refused(&app, &u, &p("latitude", json!(28.2)), &[("longitude", "required")]).await;
        unit_patch_refused(&app, &u, &p("longitude", json!(112.9)), &[("latitude", "required")]).await;
        unit_patch_refused(&app, &u, &p("community_id", json!(MISSING)), &[("community_id", "not_found")]).await;
        unit_patch_refused(&app, &u, &p("status", json!("closed")), &[("status", "unknown_field")]).await;
        unit_patch_refused(&app, &u, &p("name", json!("a\u{0}b")), &[("name", "nul_character")]).await;
        unit_patch_refused(&app, &u, &json!({"name": "新名"}), &[("version", "required")]).await;
        unit_patch_refused(&app, &u, &json!({"version": 99_999_999_999u64}), &[("version", "invalid")]).await;
        unit_patch_refused(&app, &u, &json!({"version": "1"}), &[("version", "invalid_type")]).await;
        unit_patch_refused(
            &app,
            &u,
            &json!({"version": 1, "name": zh(201), "contact_phone": "abc", "latitude": 91, "longitude": 0}),
            &[("contact_phone", "invalid_phone"), ("latitude", "range"), ("name", "length")],
        )
        .await;

        let ok = json!({"version": 1, "name": zh(200), "contact_phone": "+86 138-0000-0000"});
        let r = app.patch(&format!("/api/v1/units/{u}"), &ok).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["version"], 2);
        assert_eq!(r.body["name"], json!(zh(200)));
    }

    // ---- communities and campaigns ----------------------------------------------------

    async fn community_fields(app) {
        let refuse = |body: Value, expected: &'static [(&'static str, &'static str)]| {
            let app = &app;
            async move {
                let r = app.post("/api/v1/communities", &body).await;
                assert_invalid(&r, expected);
                assert_eq!(items(app, "/api/v1/communities").await.len(), 0, "no community stored");
            }
        };
        refuse(json!({"name": zh(201), "code": "JML"}), &[("name", "length")]).await;
        refuse(json!({"name": "", "code": "JML"}), &[("name", "required")]).await;
        refuse(json!({"name": "金茂路社区", "code": ""}), &[("code", "required")]).await;
        refuse(json!({"name": "金茂路社区", "code": "C".repeat(33)}), &[("code", "length")]).await;
        refuse(json!({"name": "金茂路社区", "code": "金茂"}), &[("code", "invalid_code")]).await;
        refuse(json!({"name": "金茂路社区", "code": "J M"}), &[("code", "invalid_code")]).await;
        refuse(json!({"name": "金茂路社区"}), &[("code", "required")]).await;
        refuse(json!({"name": "金茂路社区", "code": "JML", "area": 3}), &[("area", "unknown_field")]).await;
        refuse(json!({"name": zh(201), "code": "金茂"}), &[("code", "invalid_code"), ("name", "length")]).await;

        let r = app.post("/api/v1/communities", &json!({"name": zh(200), "code": "C".repeat(32)})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.id();
        let path = format!("/api/v1/communities/{id}");
        for (body, field, code) in [
            (json!({"version": 1, "name": zh(201)}), "name", "length"),
            (json!({"version": 1, "code": "金茂"}), "code", "invalid_code"),
            (json!({"name": "新名"}), "version", "required"),
            (json!({"version": 1, "name": "a\u{0}"}), "name", "nul_character"),
        ] {
            let r = app.patch(&path, &body).await;
            assert_invalid(&r, &[(field, code)]);
        }
        let after = app.get(&path).await;
        assert_eq!(after.body["version"], 1, "unchanged");
        assert_eq!(after.body["name"], json!(zh(200)));
    }

    async fn campaign_fields(app) {
        let ok = || json!({"name": "百日攻坚", "starts_on": "2026-01-01", "ends_on": "2026-04-10"});
        let refuse = |body: Value, expected: &'static [(&'static str, &'static str)]| {
            let app = &app;
            async move {
                let r = app.post("/api/v1/campaigns", &body).await;
                assert_invalid(&r, expected);
                assert_eq!(items(app, "/api/v1/campaigns").await.len(), 0, "no campaign stored");
            }
        };
        refuse(with(ok(), "name", json!(zh(201))), &[("name", "length")]).await;
        refuse(with(ok(), "name", json!(" ")), &[("name", "required")]).await;
        refuse(with(ok(), "description", json!(zh(2001))), &[("description", "length")]).await;
        refuse(with(ok(), "ends_on", json!("2025-12-31")), &[("ends_on", "before_start")]).await;
        refuse(with(ok(), "starts_on", json!("2026-02-30")), &[("starts_on", "invalid")]).await;
        refuse(with(ok(), "starts_on", json!("2026-01-01T00:00:00Z")), &[("starts_on", "invalid")]).await;
        refuse(without(ok(), "ends_on"), &[("ends_on", "required")]).await;
        refuse(with(ok(), "kind", json!("gas")), &[("kind", "unknown_field")]).await;
        refuse(with(ok(), "description", json!("燃气\u{0}")), &[("description", "nul_character")]).await;

        let at_limits = with(with(ok(), "name", json!(zh(200))), "description", json!(zh(2000)));
        let r = app.post("/api/v1/campaigns", &at_limits).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let path = format!("/api/v1/campaigns/{}", r.id());
        for (body, field, code) in [
            (json!({"version": 1, "description": zh(2001)}), "description", "length"),
            (json!({"version": 1, "name": zh(201)}), "name", "length"),
            (json!({"version": 1, "ends_on": "2025-06-01"}), "ends_on", "before_start"),
            (json!({"version": 1, "starts_on": "2026-05-01"}), "ends_on", "before_start"),
            (json!({"version": 1, "state": "done"}), "state", "unknown_field"),
        ] {
            let r = app.patch(&path, &body).await;
            assert_invalid(&r, &[(field, code)]);
        }
        let after = app.get(&path).await;
        assert_eq!(after.body["version"], 1, "unchanged");
        assert_eq!(after.body["starts_on"], "2026-01-01");
        assert_eq!(after.body["ends_on"], "2026-04-10");
        assert_eq!(after.body["description"], json!(zh(2000)));
    }
}
