//! The ledger and the registry as files: every row the list's filters select, in its
//! order, with Chinese headers, as a workbook and as CSV (BOM, CRLF), in the caller's
//! scope; and every CSV export formula-safe (the monthly report's tables too).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::json;

use crate::both_engines;
use crate::lists::urlencode;
use crate::support::*;
use crate::workflow::upload_photo;

/// A workbook's only sheet, as text cells (numbers as Excel shows them, dates as dates).
pub fn sheet(r: &Resp, name: &str) -> Vec<Vec<String>> {
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let mut book = Xlsx::new(Cursor::new(r.raw.clone())).expect("a workbook");
    assert_eq!(book.sheet_names(), vec![name.to_string()]);
    let range = book.worksheet_range(name).expect("the sheet");
    range.rows().map(|row| row.iter().map(cell_text).collect()).collect()
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::DateTime(d) => match d.to_ymd_hms_milli() {
            (y, mo, day, 0, 0, 0, 0) => format!("{y:04}-{mo:02}-{day:02}"),
            (y, mo, day, h, mi, _, _) => format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}"),
        },
        other => other.to_string(),
    }
}

/// A CSV file's records, after its byte-order mark; every line ends in CRLF.
pub fn csv_rows(r: &Resp) -> Vec<Vec<String>> {
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(r.header("content-type").unwrap_or_default().starts_with("text/csv"));
    assert_eq!(&r.raw[..3], &[0xEF, 0xBB, 0xBF], "a byte-order mark");
    let text = std::str::from_utf8(&r.raw[3..]).expect("utf-8");
    assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'), "CRLF line ends");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    reader.records().map(|r| r.expect("a record").iter().map(str::to_string).collect()).collect()
}

const LEDGER_HEADERS: [&str; 21] = [
    "序号",
    "发现日期",
    "社区",
    "单位",
    "地址",
    "类别",
    "等级",
    "隐患描述",
    "处置方式",
    "整改期限",
    "状态",
    "逾期天数",
    "整改措施",
    "整改完成时间",
    "复查人",
    "复查时间",
    "责任人",
    "联系电话",
    "整改资金(元)",
    "专项行动",
    "党政带队",
];

const REGISTRY_HEADERS: [&str; 9] =
    ["单位名称", "社区", "类型", "地址", "统一社会信用代码", "联系人", "联系电话", "纬度", "经度"];

fn column(headers: &[&str], name: &str) -> usize {
    headers.iter().position(|h| *h == name).expect("a column")
}

both_engines! {
    async fn the_ledger_exports_every_filtered_hazard_with_its_rectification(app) {
        let c = app.community("JML").await;
        let other = app.community("XYL").await;
        let body = json!({"community_id": c, "name": "湘味小厨", "kind": "restaurant", "address": "金茂路12号", "contact_phone": "13800000001"});
        let unit = app.post("/api/v1/units", &body).await.id();
        let far = app.unit(&other, "shop").await;
        let camp = app.campaign("燃气安全专项").await;
        let mut insp = inspection(&unit, "2026-11-02T09:30:00+08:00", vec![deadline_hazard("gas", "2026-11-10"), spot_hazard("evacuation")]);
        insp["campaign_id"] = json!(camp);
        insp["leader_led"] = json!(true);
        insp["hazards"][0]["responsible_person"] = json!("王老板");
        let first = app.submit(&insp).await;
        app.submit(&inspection(&unit, "2026-11-20T09:00:00+08:00", vec![deadline_hazard("electrical", "2026-12-20")])).await;
        app.submit(&inspection(&far, "2026-11-21T09:00:00+08:00", vec![deadline_hazard("gas", "2026-12-20")])).await;
        let gas = first["hazards"].as_array().expect("hazards").iter().find(|h| h["category"] == "gas").expect("gas")["id"].as_str().expect("id").to_string();

        // The gas hazard rectified and verified by a supervisor with a display name.
        let r = app.post("/api/v1/users", &json!({"username": "lifuch", "password": "verifier-Passw0rd-long", "role": "supervisor", "display_name": "李复查"})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let supervisor = app.login("lifuch", "verifier-Passw0rd-long").await;
        let photo = upload_photo(&app, &app.token, 1).await;
        app.clock.set("2026-11-12T02:00:00Z".parse().expect("moment"));
        let rect = app.post(&format!("/api/v1/hazards/{gas}/rectifications"), &json!({"measures": "更换燃气软管", "cost": 350.5,
            "completed_at": "2026-11-11T16:30:00+08:00", "evidence_ids": [photo]})).await;
        assert_eq!(rect.status, 201, "{:?}", rect.body);
        app.clock.set("2026-11-13T06:15:00Z".parse().expect("moment"));
        let v = app.post_as(Some(&supervisor), &format!("/api/v1/rectifications/{}/verification", rect.id()), &json!({"outcome": "pass"})).await;
        assert_eq!(v.status, 200, "{:?}", v.body);
        app.clock.set(default_now());

        let filter = format!("community_id={c}");
        let r = app.get(&format!("/api/v1/hazards.xlsx?{filter}")).await;
        let disposition = r.header("content-disposition").unwrap_or_default();
        assert!(disposition.contains("attachment") && disposition.contains(&urlencode("隐患台账-2026-11-25.xlsx").replace('+', "%20")), "{disposition}");
        assert_eq!(r.header("content-length"), Some(r.raw.len().to_string()));
        let rows = sheet(&r, "隐患台账");
        assert_eq!(rows[0], LEDGER_HEADERS);
        let listed = app.get(&format!("/api/v1/hazards?{filter}")).await.body["items"].as_array().cloned().expect("items");
        assert_eq!(rows.len() - 1, listed.len(), "every hazard the list selects");
        assert_eq!(rows.len(), 4);
        let at = |name: &str| column(&LEDGER_HEADERS, name);
        let numbers: Vec<&str> = rows[1..].iter().map(|r| r[at("序号")].as_str()).collect();
        assert_eq!(numbers, ["1", "2", "3"]);
        let descriptions: Vec<&str> = rows[1..].iter().map(|r| r[at("隐患描述")].as_str()).collect();
        let listed_descriptions: Vec<&str> = listed.iter().map(|h| h["description"].as_str().unwrap_or_default()).collect();
        assert_eq!(descriptions, listed_descriptions, "in the list's order");
        let row = rows.iter().find(|r| r[at("类别")] == "燃气" && r[at("发现日期")] == "2026-11-02").expect("the gas hazard");
        let want = [
            ("发现日期", "2026-11-02"), ("社区", "JML社区"), ("单位", "湘味小厨"), ("地址", "金茂路12号"), ("等级", "一般"),
            ("隐患描述", "燃气软管老化"), ("处置方式", "限期整改"), ("整改期限", "2026-11-10"), ("状态", "已整改"), ("逾期天数", ""),
            ("整改措施", "更换燃气软管"), ("整改完成时间", "2026-11-11 16:30"), ("复查人", "李复查"), ("复查时间", "2026-11-13 14:15"),
            ("责任人", "王老板"), ("联系电话", "13800000001"), ("整改资金(元)", "350.5"), ("专项行动", "燃气安全专项"), ("党政带队", "是"),
        ];
        for (name, value) in want {
            assert_eq!(row[at(name)], value, "{name}");
        }
        let spot = rows.iter().find(|r| r[at("类别")] == "疏散通道").expect("the on-the-spot hazard");
        assert_eq!((spot[at("处置方式")].as_str(), spot[at("整改期限")].as_str(), spot[at("复查人")].as_str()), ("即查即改", "", ""));

        // The CSV: the same rows, the overdue ones most overdue first when sorted so.
        let all = csv_rows(&app.get("/api/v1/hazards.csv").await);
        assert_eq!(all[0], LEDGER_HEADERS);
        assert_eq!(all.len(), 5);
        let overdue = csv_rows(&app.get("/api/v1/hazards.csv?overdue=true&sort=deadline_asc").await);
        assert_eq!(overdue.len(), 1, "the gas hazard closed: none overdue");
        let open = csv_rows(&app.get("/api/v1/hazards.csv?status=open&sort=deadline_asc").await);
        assert_eq!(open.len(), 3);
        assert_eq!(open[1][at("整改资金(元)")], "", "no passed rectification");
        let searched = csv_rows(&app.get("/api/v1/hazards.csv?q=shop").await);
        assert_eq!(searched.len(), 2, "{searched:?}");
        assert_eq!(searched[1][at("单位")], "shop unit");
        let money = csv_rows(&app.get(&format!("/api/v1/hazards.csv?{filter}&category=gas")).await);
        assert_eq!(money[1][at("整改资金(元)")], "350.50");

        // Scoped like the list; a bad filter is a 422 as in the list.
        let token = app.user("insp", "inspector", Some(vec![&other])).await;
        let mine = app.get_as(Some(&token), "/api/v1/hazards.csv").await;
        assert_eq!(csv_rows(&mine).len(), 2);
        assert_eq!(app.get("/api/v1/hazards.xlsx?sort=sideways").await.status, 422);
        assert_eq!(app.get("/api/v1/hazards.csv?limit=5").await.error_code("limit").as_deref(), Some("unknown_parameter"), "no pages");
        assert_eq!(app.get_as(None, "/api/v1/hazards.csv").await.status, 401);
    }

    async fn the_registry_exports_with_the_template_columns(app) {
        let c = app.community("JML").await;
        let body = json!({"community_id": c, "name": "湘味小厨", "kind": "restaurant", "address": "金茂路12号",
                          "credit_code": "91430100MA4L16JQ9D", "contact_name": "王建国", "contact_phone": "+86 138-0000-0001",
                          "latitude": 28.1941, "longitude": 112.9788});
        assert_eq!(app.post("/api/v1/units", &body).await.status, 201);
        app.unit(&c, "hotel").await;
        let other = app.community("XYL").await;
        app.unit(&other, "shop").await;

        let rows = sheet(&app.get(&format!("/api/v1/units.xlsx?community_id={c}")).await, "单位名册");
        assert_eq!(rows[0], REGISTRY_HEADERS);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1][2], "旅馆", "newest first, kinds in Chinese");
        assert_eq!(rows[2], ["湘味小厨", "JML社区", "餐饮", "金茂路12号", "91430100MA4L16JQ9D", "王建国", "+86 138-0000-0001", "28.1941", "112.9788"]);

        let csv = csv_rows(&app.get(&format!("/api/v1/units.csv?q={}", urlencode("小厨"))).await);
        assert_eq!(csv[0], REGISTRY_HEADERS);
        assert_eq!(csv[1], ["湘味小厨", "JML社区", "餐饮", "金茂路12号", "91430100MA4L16JQ9D", "王建国", "'+86 138-0000-0001", "28.1941", "112.9788"], "text starting with + is neutralised");
        assert_eq!(csv_rows(&app.get("/api/v1/units.csv?kind=shop").await).len(), 2);
        assert_eq!(csv_rows(&app.get("/api/v1/units.csv").await).len(), 4);
        assert_eq!(app.get("/api/v1/units.csv?kind=castle").await.status, 422);
    }

    async fn every_csv_export_is_formula_safe(app) {
        let formulas = ["=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)", "-2+3"];
        let r = app.post("/api/v1/communities", &json!({"name": formulas[0], "code": "EVIL"})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let c = r.id();
        let body = json!({"community_id": c, "name": formulas[1], "kind": "restaurant", "address": formulas[3]});
        let unit = app.post("/api/v1/units", &body).await.id();
        let mut insp = inspection(&unit, "2026-11-02T09:00:00+08:00", vec![deadline_hazard("gas", "2026-11-10")]);
        insp["inspectors"] = json!([formulas[2], formulas[3]]);
        insp["leader_led"] = json!(true);
        insp["hazards"][0]["level"] = json!("major");
        insp["hazards"][0]["description"] = json!(formulas[2]);
        app.submit(&insp).await;
        let action = json!({"held_on": "2026-11-05", "lead_department": "police_station", "departments": ["fire"], "community_id": c,
            "summary": formulas[0], "outcomes": [{"unit_id": unit, "violations_found": 1, "violation_description": formulas[3], "measure": "warning"}]});
        let r = app.post("/api/v1/enforcement-actions", &action).await;
        assert_eq!(r.status, 201, "{:?}", r.body);

        let mut files = vec!["/api/v1/hazards.csv".to_string(), "/api/v1/units.csv".to_string()];
        for table in ["summary", "by_community", "by_category", "overdue", "major", "enforcement", "leader_led"] {
            files.push(format!("/api/v1/reports/monthly.csv?month=2026-11&table={table}"));
        }
        for path in &files {
            let rows = csv_rows(&app.get(path).await);
            let cells: Vec<&String> = rows.iter().flatten().collect();
            for cell in &cells {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{path}: {cell}");
            }
            let neutralised = cells.iter().filter(|c| formulas.iter().any(|f| c.contains(&format!("'{f}")))).count();
            let expected = match path.as_str() {
                p if p.ends_with("summary") || p.ends_with("by_category") => 0,
                _ => 1,
            };
            assert!(neutralised >= expected, "{path}: {rows:?}");
        }

        // In workbooks the same text is a string cell, as written.
        let rows = sheet(&app.get("/api/v1/units.xlsx").await, "单位名册");
        assert_eq!((rows[1][0].as_str(), rows[1][1].as_str(), rows[1][3].as_str()), (formulas[1], formulas[0], formulas[3]));
        let r = app.get("/api/v1/reports/monthly.xlsx?month=2026-11").await;
        let mut book = Xlsx::new(Cursor::new(r.raw.clone())).expect("workbook");
        let range = book.worksheet_range("党政带队").expect("sheet");
        let inspectors = range.get_value((3, 4)).cloned();
        assert_eq!(inspectors, Some(Data::String(format!("{}、{}", formulas[2], formulas[3]))));
    }
}
