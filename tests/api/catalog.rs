//! The catalogue: communities, units and campaigns — create, read, list with filters and
//! pagination, and versioned updates.

use chrono::Duration;
use serde_json::{json, Value};

use crate::both_engines;
#[allow(unused_imports)]
use crate::support::*;

const MISSING: &str = "0192f000-0000-7000-8000-00000000dead";
const NOW: &str = "2026-11-25T02:00:00Z";

/// The ids of a list's items, in order.
fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|i| i["id"].as_str().expect("an id").to_string()).collect()
}

/// The items of the first page of a list.
async fn items(app: &TestApp, path: &str) -> Vec<Value> {
    let r = app.get(path).await;
    assert_eq!(r.status, 200, "{path}: {:?}", r.body);
    r.body["items"].as_array().cloned().expect("a list")
}

/// Asserts the ids of a list, in any order.
#[track_caller]
fn assert_same_set(got: &[Value], want: &[&String]) {
    let mut got = ids(got);
    got.sort();
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(got, want);
}

/// A record as `GET /{id}` shows it, less its history: what create and update answer.
fn without_events(detail: &Value) -> Value {
    let mut v = detail.clone();
    if let Some(o) = v.as_object_mut() {
        assert!(o.remove("events").is_some_and(|e| e.is_array()), "a detail has its events");
    }
    v
}

#[track_caller]
fn assert_problem(r: &Resp, status: u16, slug: &str) {
    assert_eq!(r.status, status, "{:?}", r.body);
    assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    assert_eq!(r.body["type"], format!("/problems/{slug}"), "{:?}", r.body);
    assert_eq!(r.body["status"], status);
}

/// Pages through `path` with page size `limit`, checking that no item is lost or
/// repeated and that the first page is full and has a cursor when more follow.
async fn paged(app: &TestApp, path: &str, limit: usize, total: usize) -> Vec<Value> {
    let all = app.all_pages(path, limit).await;
    assert_eq!(all.len(), total, "every item once");
    let mut unique = ids(&all);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), total, "no duplicates across pages");
    let sep = if path.contains('?') { '&' } else { '?' };
    let first = app.get(&format!("{path}{sep}limit={limit}")).await;
    assert_eq!(first.body["items"].as_array().map(Vec::len), Some(limit.min(total)));
    assert_eq!(first.body["next_cursor"].is_string(), total > limit, "{:?}", first.body["next_cursor"]);
    all
}

async fn create_unit(app: &TestApp, body: Value) -> Value {
    let r = app.post("/api/v1/units", &body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body
}

both_engines! {
    // ---- communities ------------------------------------------------------------------

    async fn community_create_and_get(app) {
        let r = app.post("/api/v1/communities", &json!({"name": "  金茂路社区 ", "code": "JML-01"})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.id();
        assert_eq!(uuid::Uuid::parse_str(&id).map(|u| u.get_version_num()), Ok(7), "a v7 id");
        assert_eq!(r.body["name"], "金茂路社区", "the name is trimmed");
        assert_eq!(r.body["code"], "JML-01");
        assert_eq!(r.body["version"], 1);
        assert_eq!(r.body["created_at"], NOW);
        assert_eq!(r.body["updated_at"], NOW);

        let got = app.get(&format!("/api/v1/communities/{id}")).await;
        assert_eq!(got.status, 200);
        assert_eq!(without_events(&got.body), r.body);

        let missing = app.get(&format!("/api/v1/communities/{MISSING}")).await;
        assert_problem(&missing, 404, "not-found");
        let listed = items(&app, "/api/v1/communities").await;
        assert_eq!(listed, vec![r.body]);
    }

    async fn community_list_pages_newest_first(app) {
        let mut created = Vec::new();
        for i in 0..7 {
            created.push(app.community(&format!("C{i}")).await);
            app.clock.advance(Duration::seconds(1));
        }
        let all = paged(&app, "/api/v1/communities", 3, 7).await;
        let newest_first: Vec<String> = created.iter().rev().cloned().collect();
        assert_eq!(ids(&all), newest_first);
        assert_eq!(ids(&paged(&app, "/api/v1/communities", 7, 7).await), newest_first);
        assert_eq!(ids(&paged(&app, "/api/v1/communities", 1, 7).await), newest_first);
        // Search by part of the name or of the code.
        let c3 = items(&app, "/api/v1/communities?q=C3").await;
        assert_eq!(ids(&c3), vec![created[3].clone()]);
        assert_eq!(items(&app, "/api/v1/communities?q=%E7%A4%BE%E5%8C%BA").await.len(), 7, "q=社区");
    }

    async fn community_list_pages_records_made_at_one_moment(app) {
        // The clock stands still: the pages are ordered by id alone.
        let mut created = Vec::new();
        for i in 0..7 {
            created.push(app.community(&format!("S{i}")).await);
        }
        let all = paged(&app, "/api/v1/communities", 3, 7).await;
        let got = ids(&all);
        let mut by_id_desc = got.clone();
        by_id_desc.sort_by(|a, b| b.cmp(a));
        assert_eq!(got, by_id_desc);
        assert_same_set(&all, &created.iter().collect::<Vec<_>>());
        assert_eq!(ids(&paged(&app, "/api/v1/communities", 2, 7).await), got);
    }

    async fn community_patch_with_version(app) {
        let id = app.community("JML").await;
        let path = format!("/api/v1/communities/{id}");
        app.clock.advance(Duration::hours(1));
        let r = app.patch(&path, &json!({"version": 1, "name": "金茂路社区（新）"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["version"], 2);
        assert_eq!(r.body["name"], "金茂路社区（新）");
        assert_eq!(r.body["code"], "JML", "absent fields are kept");
        assert_eq!(r.body["created_at"], NOW);
        assert_eq!(r.body["updated_at"], "2026-11-25T03:00:00Z");
        let got = app.get(&path).await;
        assert_eq!(without_events(&got.body), r.body);

        // The same version again is stale: 409, and nothing changes.
        let stale = app.patch(&path, &json!({"version": 1, "name": "旧名", "code": "OLD"})).await;
        assert_problem(&stale, 409, "stale-version");
        let ahead = app.patch(&path, &json!({"version": 3, "name": "未来"})).await;
        assert_problem(&ahead, 409, "stale-version");
        let after = app.get(&path).await;
        assert_eq!(without_events(&after.body), r.body, "nothing changed");

        let r = app.patch(&path, &json!({"version": 2, "code": "JML2"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["version"], 3);
        assert_eq!(r.body["code"], "JML2");
        assert_eq!(r.body["name"], "金茂路社区（新）");

        let unknown = app.patch(&format!("/api/v1/communities/{MISSING}"), &json!({"version": 1, "name": "x"})).await;
        assert_problem(&unknown, 404, "not-found");
    }

    async fn duplicate_community_code_is_409(app) {
        let first = app.community("JML").await;
        let r = app.post("/api/v1/communities", &json!({"name": "另一个社区", "code": "JML"})).await;
        assert_problem(&r, 409, "conflict");
        let listed = items(&app, "/api/v1/communities").await;
        assert_eq!(ids(&listed), vec![first.clone()], "nothing written");

        let second = app.community("XH").await;
        let path = format!("/api/v1/communities/{second}");
        let r = app.patch(&path, &json!({"version": 1, "code": "JML"})).await;
        assert_problem(&r, 409, "conflict");
        let got = app.get(&path).await;
        assert_eq!(got.body["code"], "XH");
        assert_eq!(got.body["version"], 1);
        // Keeping one's own code is no conflict.
        let r = app.patch(&path, &json!({"version": 1, "code": "XH", "name": "新河社区"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["version"], 2);
    }

    // ---- units ------------------------------------------------------------------------

    async fn unit_create_and_get(app) {
        let c = app.community("JML").await;
        let body = json!({"community_id": c, "name": " 湘味小厨 ", "kind": "restaurant", "address": "金茂路18号",
                          "credit_code": "91350100M000100Y43", "contact_name": "王五",
                          "contact_phone": "+86 138-0000-0000", "latitude": 28.19, "longitude": 112.97});
        let unit = create_unit(&app, body).await;
        let id = unit["id"].as_str().unwrap().to_string();
        assert_eq!(unit["community_id"], c);
        assert_eq!(unit["name"], "湘味小厨");
        assert_eq!(unit["kind"], "restaurant");
        assert_eq!(unit["status"], "active");
        assert_eq!(unit["address"], "金茂路18号");
        assert_eq!(unit["credit_code"], "91350100M000100Y43");
        assert_eq!(unit["contact_name"], "王五");
        assert_eq!(unit["contact_phone"], "+86 138-0000-0000");
        assert_eq!(unit["latitude"], 28.19);
        assert_eq!(unit["longitude"], 112.97);
        assert_eq!(unit["version"], 1);
        assert_eq!(unit["created_at"], NOW);

        let got = app.get(&format!("/api/v1/units/{id}")).await;
        assert_eq!(got.status, 200);
        for (k, v) in unit.as_object().unwrap() {
            assert_eq!(&got.body[k], v, "{k}");
        }
        let events = got.body["events"].as_array().expect("events");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["kind"], "created");
        assert_eq!(events[0]["to_status"], "active");
        assert_eq!(events[0]["from_status"], Value::Null);
        assert_eq!(events[0]["at"], NOW);

        // Optional fields may be left out.
        let bare = json!({"community_id": c, "name": "小卖部", "kind": "shop", "address": "金茂路2号"});
        let bare = create_unit(&app, bare).await;
        for k in ["credit_code", "contact_name", "contact_phone", "latitude", "longitude"] {
            assert_eq!(bare[k], Value::Null, "{k}");
        }

        assert_problem(&app.get(&format!("/api/v1/units/{MISSING}")).await, 404, "not-found");
    }

    async fn unit_list_pages_newest_first(app) {
        let c = app.community("JML").await;
        let mut created = Vec::new();
        for _ in 0..7 {
            created.push(app.unit(&c, "shop").await);
            app.clock.advance(Duration::seconds(1));
        }
        let newest_first: Vec<String> = created.iter().rev().cloned().collect();
        assert_eq!(ids(&paged(&app, "/api/v1/units", 3, 7).await), newest_first);
        assert_eq!(ids(&paged(&app, &format!("/api/v1/units?community_id={c}"), 2, 7).await), newest_first);
    }

    async fn unit_list_filters(app) {
        let a = app.community("A").await;
        let b = app.community("B").await;
        let u = |community: &str, name: &str, kind: &str, address: &str| {
            json!({"community_id": community, "name": name, "kind": kind, "address": address})
        };
        let noodle = create_unit(&app, u(&a, "湘味粉面馆", "restaurant", "金茂路1号")).await;
        let hotpot = create_unit(&app, u(&b, "老码头火锅", "restaurant", "新河路8号")).await;
        let shop = create_unit(&app, u(&a, "百分百便利店", "shop", "金茂路3号")).await;
        let pct = create_unit(&app, u(&b, "100%安全五金", "shop", "新河路9号")).await;
        let mut coded = u(&a, "星城机械厂", "factory", "工业园5栋");
        coded["credit_code"] = json!("91350100M000100Y43");
        let factory = create_unit(&app, coded).await;
        let id = |v: &Value| v["id"].as_str().unwrap().to_string();
        let (noodle, hotpot, shop, pct, factory) = (id(&noodle), id(&hotpot), id(&shop), id(&pct), id(&factory));

        assert_same_set(&items(&app, &format!("/api/v1/units?community_id={a}")).await, &[&noodle, &shop, &factory]);
        assert_same_set(&items(&app, &format!("/api/v1/units?community_id={b}")).await, &[&hotpot, &pct]);
        assert_same_set(&items(&app, &format!("/api/v1/units?community_id={MISSING}")).await, &[]);
        assert_same_set(&items(&app, "/api/v1/units?kind=restaurant").await, &[&noodle, &hotpot]);
        assert_same_set(&items(&app, "/api/v1/units?kind=hotel").await, &[]);
        assert_same_set(&items(&app, &format!("/api/v1/units?community_id={a}&kind=shop")).await, &[&shop]);
        assert_same_set(&items(&app, "/api/v1/units?status=active").await, &[&noodle, &hotpot, &shop, &pct, &factory]);
        assert_same_set(&items(&app, "/api/v1/units?status=suspended").await, &[]);
        // q: part of the name (Chinese, URL-encoded), of the address, or of the credit code.
        assert_same_set(&items(&app, "/api/v1/units?q=%E7%81%AB%E9%94%85").await, &[&hotpot]); // 火锅
        assert_same_set(&items(&app, "/api/v1/units?q=%E9%87%91%E8%8C%82%E8%B7%AF").await, &[&noodle, &shop]); // 金茂路
        assert_same_set(&items(&app, "/api/v1/units?q=M000100").await, &[&factory]);
        // LIKE wildcards in q match themselves only.
        assert_same_set(&items(&app, "/api/v1/units?q=100%25").await, &[&pct]);
        assert_same_set(&items(&app, "/api/v1/units?q=%25").await, &[&pct]);
        assert_same_set(&items(&app, "/api/v1/units?q=_").await, &[]);
        let combined = format!("/api/v1/units?q=%E9%87%91%E8%8C%82%E8%B7%AF&kind=shop&community_id={a}");
        assert_same_set(&items(&app, &combined).await, &[&shop]);
        // Filters combine with pagination.
        assert_same_set(&paged(&app, "/api/v1/units?kind=restaurant", 1, 2).await, &[&noodle, &hotpot]);
    }

    async fn unit_patch_with_version(app) {
        let c = app.community("JML").await;
        let id = app.unit(&c, "shop").await;
        let path = format!("/api/v1/units/{id}");
        app.clock.advance(Duration::minutes(30));
        let r = app
            .patch(&path, &json!({"version": 1, "name": "惠民超市", "kind": "market", "contact_phone": "0731-88888888"}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["version"], 2);
        assert_eq!(r.body["name"], "惠民超市");
        assert_eq!(r.body["kind"], "market");
        assert_eq!(r.body["contact_phone"], "0731-88888888");
        assert_eq!(r.body["address"], "金茂路1号", "absent fields are kept");
        assert_eq!(r.body["status"], "active");
        assert_eq!(r.body["updated_at"], "2026-11-25T02:30:00Z");
        assert_eq!(r.body["created_at"], NOW);

        let got = app.get(&path).await;
        assert_eq!(got.body["name"], "惠民超市");
        assert_eq!(got.body["version"], 2);
        let events = got.body["events"].as_array().unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["created", "updated"]);
        assert_eq!(events[1]["at"], "2026-11-25T02:30:00Z");
        assert_eq!(events[1]["details"]["name"], json!(["shop unit", "惠民超市"]));
        assert_eq!(events[1]["details"]["kind"], json!(["shop", "market"]));
        assert_eq!(events[1]["details"]["contact_phone"], json!([null, "0731-88888888"]));
        assert!(events[1]["details"].get("address").is_none(), "only what changed: {:?}", events[1]["details"]);
    }

    async fn unit_patch_with_stale_version_changes_nothing(app) {
        let c = app.community("JML").await;
        let other = app.community("XH").await;
        let id = app.unit(&c, "shop").await;
        let path = format!("/api/v1/units/{id}");
        let r = app.patch(&path, &json!({"version": 1, "name": "第一次修改"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let before = app.get(&path).await;

        for version in [1, 3, 0] {
            let stale = app.patch(&path, &json!({"version": version, "name": "过期修改", "community_id": other})).await;
            assert_problem(&stale, 409, "stale-version");
        }
        let after = app.get(&path).await;
        assert_eq!(after.body, before.body, "nothing changed, no event written");
        assert_eq!(after.body["name"], "第一次修改");
        assert_eq!(after.body["community_id"], c);
        assert_eq!(after.body["events"].as_array().map(Vec::len), Some(2));

        let unknown = app.patch(&format!("/api/v1/units/{MISSING}"), &json!({"version": 1, "name": "x"})).await;
        assert_problem(&unknown, 404, "not-found");
    }

    async fn moving_a_unit_writes_an_event(app) {
        let from = app.community("JML").await;
        let to = app.community("XH").await;
        let id = app.unit(&from, "restaurant").await;
        let path = format!("/api/v1/units/{id}");
        app.clock.advance(Duration::days(1));
        let r = app.patch(&path, &json!({"version": 1, "community_id": to})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["community_id"], to);
        assert_eq!(r.body["version"], 2);

        let got = app.get(&path).await;
        assert_eq!(got.body["community_id"], to);
        let events = got.body["events"].as_array().expect("events");
        let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["created", "updated"]);
        assert_eq!(events[0]["at"], NOW);
        assert_eq!(events[1]["at"], "2026-11-26T02:00:00Z");
        assert_eq!(events[1]["details"]["community_id"], json!([from, to]), "{:?}", events[1]);
        assert_eq!(events[1]["details"].as_object().map(|d| d.len()), Some(1), "only the community changed");
        assert!(events[1]["actor"].is_string());

        // The unit is now listed under its new community only.
        assert_eq!(ids(&items(&app, &format!("/api/v1/units?community_id={to}")).await), vec![id.clone()]);
        assert!(items(&app, &format!("/api/v1/units?community_id={from}")).await.is_empty());
    }

    async fn patch_null_clears_an_optional_field(app) {
        let c = app.community("JML").await;
        let unit = create_unit(
            &app,
            json!({"community_id": c, "name": "湘味小厨", "kind": "restaurant", "address": "金茂路18号",
                   "contact_name": "王五", "contact_phone": "13800000000", "credit_code": "91350100M000100Y43",
                   "latitude": 28.19, "longitude": 112.97}),
        )
        .await;
        let path = format!("/api/v1/units/{}", unit["id"].as_str().unwrap());
        let r = app.patch(&path, &json!({"version": 1, "contact_phone": null})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["contact_phone"], Value::Null);
        assert_eq!(r.body["contact_name"], "王五", "absent is kept");
        assert_eq!(r.body["credit_code"], "91350100M000100Y43");
        let got = app.get(&path).await;
        assert_eq!(got.body["contact_phone"], Value::Null);
        assert_eq!(got.body["contact_name"], "王五");
        assert_eq!(got.body["events"][1]["details"]["contact_phone"], json!(["13800000000", null]));

        // Coordinates are cleared together.
        let clear = json!({"version": 2, "latitude": null, "longitude": null, "credit_code": null});
        let r = app.patch(&path, &clear).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["latitude"], Value::Null);
        assert_eq!(r.body["longitude"], Value::Null);
        assert_eq!(r.body["credit_code"], Value::Null);
        assert_eq!(r.body["version"], 3);
    }

    // ---- campaigns --------------------------------------------------------------------

    async fn campaign_create_get_and_list(app) {
        let r = app
            .post("/api/v1/campaigns", &json!({"name": "燃气安全专项整治", "starts_on": "2026-03-01", "ends_on": "2026-05-31",
                                               "description": "餐饮场所燃气安全"}))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.id();
        assert_eq!(r.body["name"], "燃气安全专项整治");
        assert_eq!(r.body["starts_on"], "2026-03-01");
        assert_eq!(r.body["ends_on"], "2026-05-31");
        assert_eq!(r.body["description"], "餐饮场所燃气安全");
        assert_eq!(r.body["version"], 1);
        assert_eq!(r.body["created_at"], NOW);
        let got = app.get(&format!("/api/v1/campaigns/{id}")).await;
        assert_eq!(got.status, 200);
        assert_eq!(without_events(&got.body), r.body);
        assert_problem(&app.get(&format!("/api/v1/campaigns/{MISSING}")).await, 404, "not-found");

        let mut created = vec![id];
        for i in 0..6 {
            app.clock.advance(Duration::seconds(1));
            created.push(app.campaign(&format!("专项行动{i}")).await);
        }
        let newest_first: Vec<String> = created.iter().rev().cloned().collect();
        assert_eq!(ids(&paged(&app, "/api/v1/campaigns", 3, 7).await), newest_first);
        assert_eq!(ids(&items(&app, "/api/v1/campaigns?q=%E7%87%83%E6%B0%94").await), vec![created[0].clone()]); // 燃气
    }

    async fn campaigns_active_on_a_date(app) {
        let make = |name: &str, starts: &str, ends: &str| json!({"name": name, "starts_on": starts, "ends_on": ends});
        let mut made = Vec::new();
        for body in [
            make("百日攻坚", "2026-01-01", "2026-04-10"),
            make("燃气安全", "2026-04-10", "2026-06-30"),
            make("国庆节前检查", "2026-07-01", "2026-07-01"),
        ] {
            let r = app.post("/api/v1/campaigns", &body).await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            made.push(r.id());
        }
        let (hundred, gas, holiday) = (&made[0], &made[1], &made[2]);
        let on = |day: &str| format!("/api/v1/campaigns?active_on={day}");
        assert_same_set(&items(&app, &on("2026-01-01")).await, &[hundred]);
        assert_same_set(&items(&app, &on("2026-04-10")).await, &[hundred, gas]);
        assert_same_set(&items(&app, &on("2026-04-11")).await, &[gas]);
        assert_same_set(&items(&app, &on("2026-06-30")).await, &[gas]);
        assert_same_set(&items(&app, &on("2026-07-01")).await, &[holiday]);
        assert_same_set(&items(&app, &on("2026-07-02")).await, &[]);
        assert_same_set(&items(&app, &on("2025-12-31")).await, &[]);
        assert_same_set(&items(&app, "/api/v1/campaigns").await, &[hundred, gas, holiday]);
        let bad = app.get("/api/v1/campaigns?active_on=2026-02-30").await;
        assert_problem(&bad, 422, "validation");
        assert_eq!(bad.error_code("active_on").as_deref(), Some("invalid"));
    }

    async fn campaign_patch_with_version(app) {
        let r = app
            .post("/api/v1/campaigns", &json!({"name": "百日攻坚", "starts_on": "2026-01-01", "ends_on": "2026-04-10",
                                               "description": "第一阶段"}))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let path = format!("/api/v1/campaigns/{}", r.id());
        app.clock.advance(Duration::hours(2));
        let r = app.patch(&path, &json!({"version": 1, "ends_on": "2026-05-10", "name": "百日攻坚（延长）"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["version"], 2);
        assert_eq!(r.body["ends_on"], "2026-05-10");
        assert_eq!(r.body["starts_on"], "2026-01-01");
        assert_eq!(r.body["name"], "百日攻坚（延长）");
        assert_eq!(r.body["description"], "第一阶段", "absent is kept");
        assert_eq!(r.body["updated_at"], "2026-11-25T04:00:00Z");

        let stale = app.patch(&path, &json!({"version": 1, "name": "过期"})).await;
        assert_problem(&stale, 409, "stale-version");
        let got = app.get(&path).await;
        assert_eq!(without_events(&got.body), r.body, "nothing changed");

        let r = app.patch(&path, &json!({"version": 2, "description": null})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["description"], Value::Null);
        assert_eq!(r.body["version"], 3);
        assert_eq!(app.get(&path).await.body["description"], Value::Null);

        let unknown = app.patch(&format!("/api/v1/campaigns/{MISSING}"), &json!({"version": 1, "name": "x"})).await;
        assert_problem(&unknown, 404, "not-found");
    }

    // ---- histories --------------------------------------------------------------------

    async fn community_history_says_who_changed_what_and_when(app) {
        let r = app.post("/api/v1/communities", &json!({"name": "金茂路", "code": "JML"})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let path = format!("/api/v1/communities/{}", r.id());
        let created = app.get(&path).await;
        let events = created.body["events"].as_array().expect("events");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["kind"], "created");
        assert_eq!(events[0]["actor"], "Administrator");
        assert_eq!(events[0]["at"], NOW);
        assert_eq!(events[0]["community_id"], r.id());

        // Another admin renames it an hour later; a stale edit leaves no trace.
        let other = app.user("wangwu", "admin", None).await;
        let other_id = app.get_as(Some(&other), "/api/v1/auth/me").await.id();
        app.clock.advance(Duration::hours(1));
        let r2 = app
            .request_as(Some(&other), actix_web::http::Method::PATCH, &path, Some(&json!({"version": 1, "name": "金茂路社区"})))
            .await;
        assert_eq!(r2.status, 200, "{:?}", r2.body);
        assert_problem(&app.patch(&path, &json!({"version": 1, "code": "OLD"})).await, 409, "stale-version");
        let got = app.get(&path).await;
        let events = got.body["events"].as_array().expect("events");
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(events[1]["kind"], "updated");
        assert_eq!(events[1]["actor_user_id"], other_id);
        assert_eq!(events[1]["actor"], "wangwu");
        assert_eq!(events[1]["at"], "2026-11-25T03:00:00Z");
        assert_eq!(events[1]["details"], json!({"name": ["金茂路", "金茂路社区"]}), "only what changed");
        assert_eq!(without_events(&got.body), r2.body);
    }

    async fn campaign_history_says_who_changed_what_and_when(app) {
        let r = app
            .post("/api/v1/campaigns", &json!({"name": "百日攻坚", "starts_on": "2026-01-01", "ends_on": "2026-04-10",
                                               "description": "第一阶段"}))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let path = format!("/api/v1/campaigns/{}", r.id());
        app.clock.advance(Duration::minutes(30));
        let r2 = app.patch(&path, &json!({"version": 1, "ends_on": "2026-05-10", "description": null})).await;
        assert_eq!(r2.status, 200, "{:?}", r2.body);
        // An inspector reads the history too (campaigns are subdistrict-wide).
        let c = app.community("JML").await;
        let inspector = app.user("zhang", "inspector", Some(vec![&c])).await;
        let got = app.get_as(Some(&inspector), &path).await;
        assert_eq!(got.status, 200, "{:?}", got.body);
        let events = got.body["events"].as_array().expect("events");
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(events[0]["kind"], "created");
        assert_eq!(events[0]["campaign_id"], r.id());
        assert_eq!(events[0]["details"], Value::Null);
        assert_eq!(events[1]["kind"], "updated");
        assert_eq!(events[1]["actor"], "Administrator");
        assert_eq!(events[1]["at"], "2026-11-25T02:30:00Z");
        assert_eq!(
            events[1]["details"],
            json!({"ends_on": ["2026-04-10", "2026-05-10"], "description": ["第一阶段", null]})
        );
    }
}
