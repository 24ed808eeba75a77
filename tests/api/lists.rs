//! The lists' new parameters: the hazards' comma-listed `status`, their three sorts with
//! keyset pages in each, `count=true` on hazards, units and inspections, and text search
//! (`q`) through the bigram index: two characters and more, one character, combined with
//! the other filters, page by page, and kept current when a unit's text changes.

use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;
use crate::workflow::upload_photo;

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|i| i["id"].as_str().unwrap_or_default().to_string()).collect()
}

async fn listed(app: &TestApp, path: &str) -> Vec<String> {
    let r = app.get(path).await;
    assert_eq!(r.status, 200, "{path}: {:?}", r.body);
    ids(r.body["items"].as_array().expect("items"))
}

/// Every item, a page of `limit` at a time.
async fn paged(app: &TestApp, path: &str, limit: usize) -> Vec<String> {
    ids(&app.all_pages(path, limit).await)
}

/// Submits an inspection of `unit` at `at` and answers its hazards' ids in the order sent.
async fn found(app: &TestApp, unit: &str, at: &str, hazards: Vec<Value>) -> Vec<String> {
    let hazards: Vec<Value> = hazards
        .into_iter()
        .map(|mut h| {
            h["id"] = json!(uuid::Uuid::now_v7().to_string());
            h
        })
        .collect();
    let sent = ids(&hazards);
    app.submit(&inspection(unit, at, hazards)).await;
    sent
}

fn described(category: &str, deadline: Option<&str>, description: &str) -> Value {
    let mut h = match deadline {
        Some(d) => deadline_hazard(category, d),
        None => spot_hazard(category),
    };
    h["description"] = json!(description);
    h
}

async fn unit_named(app: &TestApp, community: &str, name: &str, address: &str) -> Value {
    let r = app
        .post(
            "/api/v1/units",
            &json!({"community_id": community, "name": name, "kind": "restaurant", "address": address}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body
}

both_engines! {
    async fn status_takes_one_value_or_a_comma_list(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let open = found(&app, &u, "2026-11-01T09:00:00+08:00", vec![deadline_hazard("gas", "2026-12-01")]).await;
        let spot = found(&app, &u, "2026-11-02T09:00:00+08:00", vec![spot_hazard("gas")]).await;
        assert_eq!(listed(&app, "/api/v1/hazards?status=open").await, open);
        assert_eq!(listed(&app, "/api/v1/hazards?status=closed").await, spot);
        let both = listed(&app, "/api/v1/hazards?status=open,closed").await;
        assert_eq!(both, [spot.clone(), open.clone()].concat());
        assert_eq!(listed(&app, "/api/v1/hazards?status=open%2Cpending_verification").await, open);
        for bad in ["open,nope", "open,,closed", ""] {
            let r = app.get(&format!("/api/v1/hazards?status={bad}")).await;
            assert_eq!(r.status, 422, "{bad}: {:?}", r.body);
            assert_eq!(r.error_fields(), ["status"], "{bad}");
            assert_eq!(r.error_code("status").as_deref(), Some("invalid_choice"), "{bad}");
        }
    }

    async fn count_adds_the_total_on_every_page(app) {
        let c = app.community("JML").await;
        let other = app.community("XYL").await;
        for i in 0..5 {
            let u = app.unit(&c, "restaurant").await;
            let at = format!("2026-11-0{}T09:00:00+08:00", i + 1);
            found(&app, &u, &at, vec![deadline_hazard("gas", "2026-12-01"), spot_hazard("gas")]).await;
        }
        let u = app.unit(&other, "shop").await;
        found(&app, &u, "2026-11-08T09:00:00+08:00", vec![spot_hazard("electrical")]).await;

        let r = app.get("/api/v1/hazards?limit=3").await;
        assert!(r.body.get("total").is_none(), "only when asked: {:?}", r.body);
        for (path, total) in [
            ("/api/v1/hazards?count=true&limit=3", 11),
            (&format!("/api/v1/hazards?count=true&limit=3&community_id={c}&status=closed") as &str, 5),
            (&format!("/api/v1/hazards?count=true&limit=3&q={}", urlencode("燃气")), 5),
            ("/api/v1/units?count=true&limit=2", 6),
            (&format!("/api/v1/units?count=true&limit=2&community_id={other}"), 1),
            ("/api/v1/inspections?count=true&limit=4", 6),
            (&format!("/api/v1/inspections?count=true&limit=4&community_id={c}&from=2026-11-03"), 3),
        ] {
            let mut seen = 0;
            let mut cursor = String::new();
            loop {
                let r = app.get(&format!("{path}&cursor={cursor}")).await;
                assert_eq!(r.status, 200, "{path}: {:?}", r.body);
                assert_eq!(r.body["total"], total, "{path}");
                seen += r.body["items"].as_array().map(Vec::len).unwrap_or(0);
                match r.body["next_cursor"].as_str() {
                    Some(c) => cursor = c.to_string(),
                    None => break,
                }
            }
            assert_eq!(seen, total as usize, "{path}");
        }
        let r = app.get("/api/v1/hazards?count=true&limit=1&status=voided").await;
        assert_eq!((r.body["total"].clone(), r.body["items"].clone()), (json!(0), json!([])));
        assert_eq!(app.get("/api/v1/units?count=maybe").await.error_code("count").as_deref(), Some("invalid"));
    }

    async fn deadline_asc_lists_the_most_overdue_first(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        // Today is 2026-11-25: 11-10 and 11-20 are overdue, 12-01 is not.
        let late = found(&app, &u, "2026-11-01T09:00:00+08:00", vec![deadline_hazard("gas", "2026-11-20")]).await;
        let later = found(&app, &u, "2026-11-02T09:00:00+08:00", vec![deadline_hazard("gas", "2026-11-10"), deadline_hazard("electrical", "2026-12-01"), spot_hazard("gas")]).await;
        let twins = found(&app, &u, "2026-11-03T09:00:00+08:00", vec![deadline_hazard("gas", "2026-11-20"), deadline_hazard("evacuation", "2026-11-20")]).await;
        let mut same_day = vec![late[0].clone(), twins[0].clone(), twins[1].clone()];
        same_day.sort();
        let mut want = vec![later[0].clone()];
        want.extend(same_day);
        want.push(later[1].clone());
        want.push(later[2].clone());
        assert_eq!(listed(&app, "/api/v1/hazards?sort=deadline_asc").await, want, "no deadline comes last");
        assert_eq!(paged(&app, "/api/v1/hazards?sort=deadline_asc", 1).await, want, "page by page");
        assert_eq!(paged(&app, "/api/v1/hazards?sort=deadline_asc", 2).await, want);
        let overdue = &want[..4];
        assert_eq!(paged(&app, "/api/v1/hazards?sort=deadline_asc&overdue=true", 1).await, overdue);
        assert_eq!(paged(&app, "/api/v1/hazards?sort=deadline_asc&handling_type=deadline", 2).await, &want[..5]);
        let r = app.get("/api/v1/hazards?sort=deadline_asc&overdue=true&limit=1").await;
        assert_eq!(r.body["items"][0]["days_overdue"], 15, "the most overdue: 11-10");

        // A cursor is for the sort it came from.
        let cursor = r.body["next_cursor"].as_str().expect("more").to_string();
        let r = app.get(&format!("/api/v1/hazards?cursor={cursor}")).await;
        assert_eq!((r.status, r.error_code("cursor").as_deref()), (422, Some("invalid")));
        let newest = app.get("/api/v1/hazards?limit=1").await.body["next_cursor"].as_str().expect("more").to_string();
        let r = app.get(&format!("/api/v1/hazards?sort=deadline_asc&cursor={newest}")).await;
        assert_eq!(r.status, 422);
        assert_eq!(app.get("/api/v1/hazards?sort=sideways").await.error_code("sort").as_deref(), Some("invalid_choice"));
    }

    async fn waiting_longest_lists_the_oldest_pending_verification_first(app) {
        let c = app.community("JML").await;
        let u = app.unit(&c, "restaurant").await;
        let hazards = found(&app, &u, "2026-11-01T09:00:00+08:00", (0..4).map(|_| deadline_hazard("gas", "2026-12-20")).collect()).await;
        let photo = upload_photo(&app, &app.token, 1).await;
        // Submitted at 10:00 on the 22nd (h2), the 23rd (h0) and the 24th (h3); h1 stays open.
        for (hazard, day) in [(2, 22), (0, 23), (3, 24)] {
            app.clock.set(format!("2026-11-{day}T02:00:00Z").parse().expect("moment"));
            let body = json!({"measures": "已整改", "completed_at": format!("2026-11-{day}T01:00:00Z"), "evidence_ids": [photo]});
            let r = app.post(&format!("/api/v1/hazards/{}/rectifications", hazards[hazard]), &body).await;
            assert_eq!(r.status, 201, "{:?}", r.body);
        }
        let pending = vec![hazards[2].clone(), hazards[0].clone(), hazards[3].clone()];
        let path = "/api/v1/hazards?sort=waiting_longest&status=pending_verification";
        assert_eq!(listed(&app, path).await, pending);
        assert_eq!(paged(&app, path, 1).await, pending);
        let mut all = pending.clone();
        all.push(hazards[1].clone());
        assert_eq!(paged(&app, "/api/v1/hazards?sort=waiting_longest", 1).await, all, "the others come last");
        assert_eq!(paged(&app, "/api/v1/hazards?sort=waiting_longest&status=open,pending_verification", 3).await, all);
    }

    async fn q_finds_hazards_by_description_unit_name_and_address(app) {
        let c = app.community("JML").await;
        let other = app.community("XYL").await;
        let jinmao = unit_named(&app, &c, "金茂大酒店", "芙蓉路8号").await["id"].as_str().expect("id").to_string();
        let noodle = unit_named(&app, &c, "湘味粉店", "金茂路12号").await["id"].as_str().expect("id").to_string();
        let far = unit_named(&app, &other, "Lakeside Café", "湖滨路1号").await["id"].as_str().expect("id").to_string();
        let a = found(&app, &jinmao, "2026-11-01T09:00:00+08:00", vec![described("gas", Some("2026-12-01"), "燃气软管老化"), described("electrical", None, "私拉电线")]).await;
        let b = found(&app, &noodle, "2026-11-02T09:00:00+08:00", vec![described("gas", Some("2026-12-01"), "未安装燃气报警器")]).await;
        let d = found(&app, &far, "2026-11-03T09:00:00+08:00", vec![described("fire_equipment", Some("2026-12-01"), "灭火器过期, GAS leak")]).await;

        let q = |q: &str| format!("/api/v1/hazards?q={}", urlencode(q));
        assert_eq!(listed(&app, &q("燃气")).await, vec![b[0].clone(), a[0].clone()], "two characters: the description");
        let mut jinmao_hazards = a.clone();
        jinmao_hazards.sort();
        jinmao_hazards.reverse();
        assert_eq!(listed(&app, &q("金茂")).await, [b.clone(), jinmao_hazards.clone()].concat(), "the unit's name or address");
        assert_eq!(listed(&app, &q("燃气报警")).await, b, "more characters: every pair, then the substring");
        assert_eq!(listed(&app, &q("报警燃气")).await, Vec::<String>::new(), "the pairs alone are not enough");
        assert_eq!(listed(&app, &q("气")).await, vec![b[0].clone(), a[0].clone()], "one character: LIKE alone");
        assert_eq!(listed(&app, &q("酒")).await, jinmao_hazards, "one character of the unit's name");
        assert_eq!(listed(&app, &q("  燃气  ")).await.len(), 2, "trimmed");
        assert_eq!(listed(&app, &q("100%")).await, Vec::<String>::new(), "wildcards are literal");
        assert_eq!(listed(&app, &q("GAS")).await, d);
        let lower = listed(&app, &q("gas")).await;
        match app.engine {
            Engine::Sqlite => assert_eq!(lower, d, "SQLite's LIKE ignores ASCII case"),
            Engine::Postgres => assert_eq!(lower, Vec::<String>::new(), "PostgreSQL's LIKE does not"),
        }
        assert_eq!(listed(&app, &format!("{}&community_id={other}", q("燃气"))).await, Vec::<String>::new(), "with the other filters");
        assert_eq!(listed(&app, &format!("{}&status=closed", q("电线"))).await, vec![a[1].clone()]);
        assert_eq!(listed(&app, &format!("{}&unit_id={noodle}", q("金茂"))).await, b);
        assert_eq!(paged(&app, &q("金茂"), 1).await, listed(&app, &q("金茂")).await, "page by page");
        for sort in ["deadline_asc", "waiting_longest"] {
            let mut got = paged(&app, &format!("{}&sort={sort}", q("金茂")), 1).await;
            got.sort();
            let mut want = listed(&app, &q("金茂")).await;
            want.sort();
            assert_eq!(got, want, "{sort}: the same hazards");
        }

        // An inspector sees only their scope.
        let token = app.user("insp", "inspector", Some(vec![&other])).await;
        let r = app.get_as(Some(&token), &q("燃气")).await;
        assert_eq!(r.body["items"], json!([]));

        // The unit renamed and moved: found by its new name and address, not the old.
        let unit = app.get(&format!("/api/v1/units/{jinmao}")).await.body;
        let r = app.patch(&format!("/api/v1/units/{jinmao}"), &json!({"version": unit["version"], "name": "芙蓉宾馆", "address": "韶山路3号"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(listed(&app, &q("金茂")).await, b, "金茂 is only the noodle shop's address now");
        assert_eq!(listed(&app, &q("芙蓉宾馆")).await.len(), 2);
        assert_eq!(listed(&app, &q("韶山")).await.len(), 2);
        assert_eq!(listed(&app, &q("芙蓉路")).await, Vec::<String>::new());
        assert_eq!(listed(&app, &q("燃气软管")).await, vec![a[0].clone()], "the description still");
    }

    async fn q_finds_units_by_name_address_credit_code_and_contact(app) {
        let c = app.community("JML").await;
        let body = json!({"community_id": c, "name": "湘味小厨", "kind": "restaurant", "address": "金茂路12号",
                          "credit_code": "91430100MA4L16JQ9D", "contact_name": "王建国"});
        let r = app.post("/api/v1/units", &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let xiang = r.id();
        let other = unit_named(&app, &c, "老街五金店", "书院路3号").await["id"].as_str().expect("id").to_string();
        let q = |q: &str| format!("/api/v1/units?q={}", urlencode(q));
        for (text, want) in [("小厨", vec![&xiang]), ("金茂", vec![&xiang]), ("4L16JQ", vec![&xiang]), ("王建国", vec![&xiang]),
                             ("五金", vec![&other]), ("路", vec![&other, &xiang]), ("建国路", vec![])] {
            let want: Vec<String> = want.into_iter().cloned().collect();
            assert_eq!(listed(&app, &q(text)).await, want, "{text}");
        }
        assert_eq!(listed(&app, &format!("{}&kind=shop", q("路"))).await, Vec::<String>::new());
        assert_eq!(paged(&app, &q("路"), 1).await, vec![other.clone(), xiang.clone()]);

        let unit = app.get(&format!("/api/v1/units/{xiang}")).await.body;
        let r = app.patch(&format!("/api/v1/units/{xiang}"), &json!({"version": unit["version"], "contact_name": null, "credit_code": null})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(listed(&app, &q("王建国")).await, Vec::<String>::new());
        assert_eq!(listed(&app, &q("4L16JQ")).await, Vec::<String>::new());
        assert_eq!(listed(&app, &q("小厨")).await, vec![xiang.clone()]);
    }
}

/// Percent-encodes a query value.
pub fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
