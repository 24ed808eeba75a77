//! Roles and scope: every endpoint × every role × in-scope / out-of-scope, with the
//! exact status, and nothing written when a request is refused.

use actix_web::http::Method;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Row counts and version sums of every domain table: equal before and after a refused
/// request means the refusal wrote nothing.
async fn fingerprint(app: &TestApp) -> Vec<i64> {
    app.state
        .db(|conn| {
            let mut out = Vec::new();
            let counted = [
                "communities",
                "units",
                "unit_events",
                "campaigns",
                "inspections",
                "hazards",
                "hazard_events",
                "users",
                "user_communities",
                "user_events",
            ];
            for t in counted {
                let q = format!("SELECT COUNT(*) AS n FROM {t}");
                out.push(diesel::sql_query(q).get_result::<Number>(conn)?.n);
            }
            for t in ["communities", "units", "campaigns", "hazards", "users", "rectifications"] {
                let q = format!("SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) AS n FROM {t}");
                out.push(diesel::sql_query(q).get_result::<Number>(conn)?.n);
            }
            let q = "SELECT COUNT(*) AS n FROM auth_tokens WHERE revoked_at IS NOT NULL";
            out.push(diesel::sql_query(q).get_result::<Number>(conn)?.n);
            Ok(out)
        })
        .await
        .expect("fingerprint")
}

struct World {
    a: String,
    b: String,
    unit_a: String,
    unit_b: String,
    campaign: String,
    inspection_a: String,
    inspection_b: String,
    hazard_a: String,
    hazard_b: String,
    victim: String,
    /// Hazards in `a` for the void, deadline and rectification cases.
    void_a: String,
    deadline_a: String,
    rect_a: String,
    /// A photo uploaded by the inspector, cited by a hazard in `b` and one in `a`.
    photo_a: String,
    photo_b: String,
    /// Tokens of admin, supervisor, inspector, viewer; all but admin scoped to `a`.
    tokens: [String; 4],
}

const ROLES: [&str; 4] = ["admin", "supervisor", "inspector", "viewer"];

async fn world(app: &TestApp) -> World {
    let a = app.community("A").await;
    let b = app.community("B").await;
    let unit_a = app.unit(&a, "restaurant").await;
    let unit_b = app.unit(&b, "shop").await;
    let campaign = app.campaign("燃气安全").await;
    let ia =
        app.submit(&inspection(&unit_a, "2026-11-20T09:00:00+08:00", vec![deadline_hazard("gas", "2026-12-01")])).await;
    let ib =
        app.submit(&inspection(&unit_b, "2026-11-21T09:00:00+08:00", vec![deadline_hazard("gas", "2026-12-01")])).await;
    let victim = app
        .post("/api/v1/users", &json!({"username": "victim", "password": "金茂路安全检查2026", "role": "viewer"}))
        .await
        .id();
    let sup = app.user("sup", "supervisor", Some(vec![&a])).await;
    let insp = app.user("insp", "inspector", Some(vec![&a])).await;
    let viewer = app.user("viewer", "viewer", Some(vec![&a])).await;
    let photo_a = crate::workflow::upload_photo(app, &insp, 21).await;
    let photo_b = crate::workflow::upload_photo(app, &app.token, 22).await;
    let mut cited_b = deadline_hazard("gas", "2026-12-01");
    cited_b["photo_ids"] = json!([photo_b]);
    app.submit(&inspection(&unit_b, "2026-11-21T10:00:00+08:00", vec![cited_b])).await;
    let three = vec![
        deadline_hazard("gas", "2026-12-01"),
        deadline_hazard("gas", "2026-12-01"),
        deadline_hazard("gas", "2026-12-01"),
    ];
    let more = app.submit(&inspection(&unit_a, "2026-11-22T09:00:00+08:00", three)).await;
    let id_of = |i: usize| more["hazards"][i]["id"].as_str().unwrap_or_default().to_string();
    let (void_a, deadline_a, rect_a) = (id_of(0), id_of(1), id_of(2));
    World {
        void_a,
        deadline_a,
        rect_a,
        photo_a,
        photo_b,
        inspection_a: ia["id"].as_str().unwrap_or_default().to_string(),
        inspection_b: ib["id"].as_str().unwrap_or_default().to_string(),
        hazard_a: ia["hazards"][0]["id"].as_str().unwrap_or_default().to_string(),
        hazard_b: ib["hazards"][0]["id"].as_str().unwrap_or_default().to_string(),
        tokens: [app.token.clone(), sup, insp, viewer],
        a,
        b,
        unit_a,
        unit_b,
        campaign,
        victim,
    }
}

/// The current version of a record, read as admin.
async fn version(app: &TestApp, path: &str) -> i64 {
    app.get(path).await.body["version"].as_i64().expect("version")
}

struct Case {
    method: Method,
    path: String,
    /// Expected status for admin, supervisor, inspector, viewer.
    expect: [u16; 4],
}

fn case(method: Method, path: String, expect: [u16; 4]) -> Case {
    Case { method, path, expect }
}

async fn body_for(app: &TestApp, w: &World, c: &Case, role: &str, n: usize) -> Option<Value> {
    let p = c.path.as_str();
    let unique = format!("{role}{n}");
    let v = match (c.method.as_str(), p) {
        ("GET", _) => return None,
        ("POST", "/api/v1/communities") => json!({"name": "新社区", "code": unique}),
        ("POST", "/api/v1/campaigns") => json!({"name": unique, "starts_on": "2026-01-01", "ends_on": "2026-03-01"}),
        ("POST", "/api/v1/units") => {
            json!({"community_id": if n == 0 { &w.a } else { &w.b }, "name": unique, "kind": "shop", "address": "x路1号"})
        }
        ("POST", "/api/v1/inspections") => {
            let unit = if n == 0 { &w.unit_a } else { &w.unit_b };
            inspection(unit, "2026-11-24T09:00:00+08:00", vec![spot_hazard("gas")])
        }
        ("POST", "/api/v1/users") => json!({"username": unique, "password": "金茂路安全检查2026", "role": "viewer"}),
        ("POST", _) if p.ends_with("/deactivate") => json!({"reason": "test"}),
        ("POST", _) if p.ends_with("/void") => json!({"reason": "录入错误"}),
        ("POST", _) if p.ends_with("/deadline") => {
            let day = if role == "admin" { "2027-02-01" } else { "2027-01-01" };
            json!({"deadline": day, "reason": "延期"})
        }
        ("POST", _) if p.ends_with("/rectifications") => {
            // One client id for the in-scope case: later roles replay the first submission.
            let id = if n == 0 {
                "0192f000-0000-7000-8000-00000000aaaa".to_string()
            } else {
                uuid::Uuid::now_v7().to_string()
            };
            // Evidence of the hazard's own community: a photo belongs to one community.
            let photo = if n == 0 { &w.photo_a } else { &w.photo_b };
            json!({"id": id, "measures": "已整改", "completed_at": "2026-11-24T09:00:00+08:00", "evidence_ids": [photo]})
        }
        ("POST", _) if p.ends_with("/verification") => json!({"outcome": "pass"}),
        ("POST", _) => json!({}),
        ("PATCH", _) if p.starts_with("/api/v1/users/") => {
            json!({"version": version(app, p).await, "display_name": unique})
        }
        ("PATCH", _) if p.starts_with("/api/v1/communities/") => {
            json!({"version": version(app, p).await, "name": unique})
        }
        ("PATCH", _) if p.starts_with("/api/v1/campaigns/") => {
            json!({"version": version(app, p).await, "name": unique})
        }
        ("PATCH", _) => json!({"version": version(app, p).await, "address": unique}),
        _ => return None,
    };
    Some(v)
}

both_engines! {
    async fn every_endpoint_every_role_in_and_out_of_scope(app) {
        let w = world(&app).await;
        let (a, b) = (&w.a, &w.b);
        let cases = vec![
            case(Method::GET, "/api/v1/communities".into(), [200, 200, 200, 200]),
            case(Method::GET, format!("/api/v1/communities/{a}"), [200, 200, 200, 200]),
            case(Method::GET, format!("/api/v1/communities/{b}"), [200, 200, 200, 200]),
            case(Method::POST, "/api/v1/communities".into(), [201, 403, 403, 403]),
            case(Method::PATCH, format!("/api/v1/communities/{b}"), [200, 403, 403, 403]),
            case(Method::GET, "/api/v1/campaigns".into(), [200, 200, 200, 200]),
            case(Method::GET, format!("/api/v1/campaigns/{}", w.campaign), [200, 200, 200, 200]),
            case(Method::POST, "/api/v1/campaigns".into(), [201, 403, 403, 403]),
            case(Method::PATCH, format!("/api/v1/campaigns/{}", w.campaign), [200, 403, 403, 403]),
            case(Method::GET, "/api/v1/units".into(), [200, 200, 200, 200]),
            case(Method::GET, format!("/api/v1/units/{}", w.unit_a), [200, 200, 200, 200]),
            case(Method::GET, format!("/api/v1/units/{}", w.unit_b), [200, 404, 404, 404]),
            case(Method::POST, "/api/v1/units".into(), [201, 201, 403, 403]),
            case(Method::PATCH, format!("/api/v1/units/{}", w.unit_a), [200, 200, 403, 403]),
            case(Method::PATCH, format!("/api/v1/units/{}", w.unit_b), [200, 404, 403, 403]),
            case(Method::POST, "/api/v1/inspections".into(), [201, 201, 201, 403]),
            case(Method::GET, "/api/v1/inspections".into(), [200, 200, 200, 200]),
            case(Method::GET, format!("/api/v1/inspections/{}", w.inspection_a), [200, 200, 200, 200]),
            case(Method::GET, format!("/api/v1/inspections/{}", w.inspection_b), [200, 404, 404, 404]),
            case(Method::GET, "/api/v1/hazards".into(), [200, 200, 200, 200]),
            case(Method::GET, format!("/api/v1/hazards/{}", w.hazard_a), [200, 200, 200, 200]),
            case(Method::GET, format!("/api/v1/hazards/{}", w.hazard_b), [200, 404, 404, 404]),
            // Roles are tried viewer first, admin last: after the supervisor voids, the
            // admin meets a voided hazard.
            case(Method::POST, format!("/api/v1/hazards/{}/void", w.void_a), [409, 200, 403, 403]),
            case(Method::POST, format!("/api/v1/hazards/{}/void", w.hazard_b), [200, 404, 403, 403]),
            case(Method::POST, format!("/api/v1/hazards/{}/deadline", w.deadline_a), [200, 200, 403, 403]),
            case(Method::POST, format!("/api/v1/hazards/{}/deadline", w.hazard_b), [409, 404, 403, 403]),
            // The inspector submits; supervisor and admin resend the same request: a replay.
            case(Method::POST, format!("/api/v1/hazards/{}/rectifications", w.rect_a), [200, 200, 201, 403]),
            case(Method::GET, format!("/api/v1/attachments/{}", w.photo_a), [200, 200, 200, 200]),
            case(Method::GET, format!("/api/v1/attachments/{}/content", w.photo_a), [200, 200, 200, 200]),
            case(Method::GET, format!("/api/v1/attachments/{}", w.photo_b), [200, 404, 404, 404]),
            case(Method::GET, "/api/v1/auth/me".into(), [200, 200, 200, 200]),
            case(Method::POST, "/api/v1/users".into(), [201, 403, 403, 403]),
            case(Method::GET, "/api/v1/users".into(), [200, 403, 403, 403]),
            case(Method::GET, format!("/api/v1/users/{}", w.victim), [200, 403, 403, 403]),
            case(Method::PATCH, format!("/api/v1/users/{}", w.victim), [200, 403, 403, 403]),
            case(Method::POST, format!("/api/v1/users/{}/revoke-tokens", w.victim), [204, 403, 403, 403]),
            case(Method::POST, format!("/api/v1/users/{}/deactivate", w.victim), [200, 403, 403, 403]),
        ];
        // Writes that name a record by reference: in scope (n = 0) and out of scope (n = 1).
        let rect_b = format!("/api/v1/hazards/{}/rectifications", w.hazard_b);
        let out_of_scope_creates = [
            (Method::POST, "/api/v1/units", [201, 422, 403, 403]),
            (Method::POST, "/api/v1/inspections", [201, 422, 422, 403]),
            // hazard_b was voided above, so even the admin is refused, by the life cycle.
            (Method::POST, rect_b.as_str(), [409, 404, 404, 403]),
        ];
        // Refusals first (viewer … admin), so a success cannot hide a later refusal's write.
        for c in &cases {
            for i in (0..4).rev() {
                let body = body_for(&app, &w, c, ROLES[i], 0).await;
                let before = fingerprint(&app).await;
                let r = app.request_as(Some(&w.tokens[i]), c.method.clone(), &c.path, body.as_ref()).await;
                assert_eq!(r.status, c.expect[i], "{} {} as {}: {:?}", c.method, c.path, ROLES[i], r.body);
                if r.status >= 400 {
                    assert_eq!(fingerprint(&app).await, before, "{} {} as {} wrote on refusal", c.method, c.path, ROLES[i]);
                    assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
                }
            }
        }
        // The rectification submitted above, verified: the supervisor wins, the admin is late.
        let detail = app.get(&format!("/api/v1/hazards/{}", w.rect_a)).await;
        let rect = detail.body["rectifications"][0]["id"].as_str().unwrap_or_default().to_string();
        assert!(!rect.is_empty(), "{:?}", detail.body);
        let verification = case(Method::POST, format!("/api/v1/rectifications/{rect}/verification"), [409, 200, 403, 403]);
        for i in (0..4).rev() {
            let body = body_for(&app, &w, &verification, ROLES[i], 0).await;
            let before = fingerprint(&app).await;
            let r = app.request_as(Some(&w.tokens[i]), Method::POST, &verification.path, body.as_ref()).await;
            assert_eq!(r.status, verification.expect[i], "verification as {}: {:?}", ROLES[i], r.body);
            if r.status >= 400 {
                assert_eq!(fingerprint(&app).await, before, "verification as {} wrote on refusal", ROLES[i]);
            }
        }
        for (method, path, expect) in out_of_scope_creates {
            let c = case(method, path.to_string(), expect);
            for i in (0..4).rev() {
                let body = body_for(&app, &w, &c, ROLES[i], 1).await;
                let before = fingerprint(&app).await;
                let r = app.request_as(Some(&w.tokens[i]), c.method.clone(), &c.path, body.as_ref()).await;
                assert_eq!(r.status, c.expect[i], "{} {} (community B) as {}: {:?}", c.method, c.path, ROLES[i], r.body);
                if r.status >= 400 {
                    assert_eq!(fingerprint(&app).await, before, "{} {} as {} wrote on refusal", c.method, c.path, ROLES[i]);
                }
            }
        }
        // Lists show only what is in scope.
        for (token, role) in w.tokens.iter().zip(ROLES).skip(1) {
            let t = Some(token.as_str());
            for (path, key) in [("/api/v1/units", "community_id"), ("/api/v1/hazards", "community_id"), ("/api/v1/inspections", "community_id")] {
                let r = app.get_as(t, path).await;
                let items = r.body["items"].as_array().expect("items");
                assert!(!items.is_empty(), "{path} as {role}");
                assert!(items.iter().all(|it| it[key] == w.a.as_str()), "{path} as {role} shows another community");
            }
            let r = app.get_as(t, &format!("/api/v1/hazards?community_id={b}")).await;
            assert_eq!(r.body["items"], json!([]), "asking for another community finds nothing");
        }
    }

    async fn a_narrow_scope_still_gets_full_pages(app) {
        let a = app.community("A").await;
        let b = app.community("B").await;
        let ua = app.unit(&a, "restaurant").await;
        let ub = app.unit(&b, "restaurant").await;
        let mut mine = Vec::new();
        for day in 1..=7 {
            // Interleaved in time: B's hazards sit between A's on every page.
            let ra = app.submit(&inspection(&ua, &format!("2026-11-{day:02}T09:00:00+08:00"), vec![spot_hazard("gas")])).await;
            app.submit(&inspection(&ub, &format!("2026-11-{day:02}T10:00:00+08:00"), vec![spot_hazard("gas"), spot_hazard("gas")])).await;
            mine.push(ra["hazards"][0]["id"].as_str().unwrap_or_default().to_string());
        }
        mine.reverse();
        let t = app.user("insp", "inspector", Some(vec![&a])).await;
        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        let mut cursor = String::new();
        loop {
            let r = app.get_as(Some(&t), &format!("/api/v1/hazards?limit=3&cursor={cursor}")).await;
            assert_eq!(r.status, 200);
            let items = r.body["items"].as_array().expect("items");
            sizes.push(items.len());
            seen.extend(items.iter().map(|h| h["id"].as_str().unwrap_or_default().to_string()));
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = c.to_string(),
                None => break,
            }
        }
        assert_eq!(sizes, vec![3, 3, 1], "pages are filled from the caller's scope");
        assert_eq!(seen, mine);
    }

    async fn supervisors_may_scope_several_communities(app) {
        let a = app.community("A").await;
        let b = app.community("B").await;
        let c = app.community("C").await;
        for cid in [&a, &b, &c] {
            let u = app.unit(cid, "shop").await;
            app.submit(&inspection(&u, "2026-11-20T09:00:00+08:00", vec![spot_hazard("gas")])).await;
        }
        let t = app.user("sup", "supervisor", Some(vec![&a, &b])).await;
        let r = app.get_as(Some(&t), "/api/v1/hazards").await;
        let mut communities: Vec<String> = r.body["items"].as_array().expect("items").iter().map(|h| h["community_id"].as_str().unwrap_or_default().to_string()).collect();
        communities.sort();
        let mut expected = vec![a.clone(), b.clone()];
        expected.sort();
        assert_eq!(communities, expected);
        // Narrowing the scope ends the user's sessions.
        let me = app.get_as(Some(&t), "/api/v1/auth/me").await;
        let r = app.patch(&format!("/api/v1/users/{}", me.id()), &json!({"version": me.body["version"], "community_ids": [a]})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["community_ids"], json!([a]));
        assert_eq!(app.get_as(Some(&t), "/api/v1/hazards").await.status, 401);
    }
}
