//! The monthly workbook ready to send to the county: title and 填报 lines, 序号, units in
//! the headers, 本月 beside 本年累计, found and closed split into 一般 and 重大, 整改资金,
//! 合计 rows, the 按行业 sheet, the longer overdue and major lists; every sheet set to
//! print on A4 landscape one page wide with its header rows repeated (read back from the
//! file), and LibreOffice's PDF of it. The figures are checked against a data set
//! computed by hand:
//!
//! | insp | unit (kind, community) | local date | hazards |
//! |------|------------------------|------------|---------|
//! | I1   | rA restaurant, A       | 03-10      | g1 gas general deadline 03-20 (passed 03-15, 100.50 元); m1 fire_separation major deadline 03-25 (open) |
//! | I2   | rA                     | 11-05      | g2 gas general deadline 11-10 (open, overdue); s1 electrical on the spot |
//! | I3   | sB shop, B             | 11-06      | m2 gas major deadline 11-30 (passed 11-20, 2,000 元); g3 electrical general deadline 12-31 (open) |
//!
//! As of 2026-11-25, November: 2 inspections, 2 units, found 4 (3 general, 1 major), closed
//! 2 (1 general, 1 major), open 2, overdue 1, 2,000.00 元, 50 %. The year to date: 3
//! inspections, 2 units, found 6 (4 general, 2 major), closed 3 (2 general, 1 major),
//! open 3, overdue 2 (m1, g2), major open 1, 2,100.50 元, 50 %.

use std::io::Read;

use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};

use crate::both_engines;
use crate::support::*;

fn at(app: &TestApp, moment: &str) {
    app.clock.set(moment.parse().expect("moment"));
}

async fn found(app: &TestApp, unit: &str, when: &str, hazards: Vec<Value>) -> Vec<String> {
    let r = app.submit(&inspection(unit, when, hazards)).await;
    let mut hazards = r["hazards"].as_array().cloned().unwrap_or_default();
    hazards.sort_by_key(|h| h["description"].as_str().unwrap_or_default().to_string());
    hazards.iter().map(|h| h["id"].as_str().unwrap_or_default().to_string()).collect()
}

fn hazard(description: &str, category: &str, deadline: Option<&str>, major: bool) -> Value {
    let mut h = match deadline {
        Some(d) => deadline_hazard(category, d),
        None => spot_hazard(category),
    };
    h["description"] = json!(description);
    h["responsible_person"] = json!("刘店长");
    if major {
        h["level"] = json!("major");
    }
    h
}

async fn pass(app: &TestApp, hazard: &str, cost: f64) {
    let body = json!({"measures": "更换软管并加装报警器", "cost": cost, "completed_at": app.clock_now().to_rfc3339(), "evidence_ids": []});
    let r = app.post(&format!("/api/v1/hazards/{hazard}/rectifications"), &body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = app.post(&format!("/api/v1/rectifications/{}/verification", r.id()), &json!({"outcome": "pass"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

struct World {
    app: TestApp,
    a: String,
    b: String,
    /// The 填报人's token.
    clerk: String,
}

async fn world(engine: Engine) -> World {
    let office = safetrace::config::Office {
        name: "金茂街道办事处".into(),
        phone: "0731-8520 1234".into(),
        ..safetrace::config::Office::default()
    };
    let config = safetrace::config::AppConfig {
        office,
        require_evidence: false,
        allow_self_verification: true,
        ..test_config()
    };
    let app = TestApp::fresh_with(engine, config).await;
    at(&app, "2026-03-01T00:00:00Z");
    let a = app.community("A").await;
    let b = app.community("B").await;
    let unit = |community: String, kind: &'static str, name: &'static str, address: &'static str| {
        let app = &app;
        async move {
            let body = json!({"community_id": community, "name": name, "kind": kind, "address": address,
                              "contact_name": "刘店长", "contact_phone": "138-0731-0000"});
            let r = app.post("/api/v1/units", &body).await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            r.id()
        }
    };
    let ra = unit(a.clone(), "restaurant", "湘味小厨", "金茂路12号").await;
    let sb = unit(b.clone(), "shop", "白沙便利店", "白沙路8号").await;
    let r = app
        .post("/api/v1/users", &json!({"username": "clerk", "password": "tianbao-Passw0rd-long", "role": "supervisor", "display_name": "王填报"}))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let clerk = app.login("clerk", "tianbao-Passw0rd-long").await;

    at(&app, "2026-03-12T02:00:00Z");
    let march = found(
        &app,
        &ra,
        "2026-03-10T10:00:00+08:00",
        vec![
            hazard("a 燃气软管老化", "gas", Some("2026-03-20"), false),
            hazard("b 防火分隔缺失", "fire_separation", Some("2026-03-25"), true),
        ],
    )
    .await;
    at(&app, "2026-03-15T02:00:00Z");
    pass(&app, &march[0], 100.5).await;

    at(&app, "2026-11-06T08:00:00Z");
    found(
        &app,
        &ra,
        "2026-11-05T10:00:00+08:00",
        vec![
            hazard("c 燃气管道无警示标识", "gas", Some("2026-11-10"), false),
            hazard("d 插线板串接", "electrical", None, false),
        ],
    )
    .await;
    let november = found(
        &app,
        &sb,
        "2026-11-06T10:00:00+08:00",
        vec![
            hazard("e 液化气瓶存放于地下室", "gas", Some("2026-11-30"), true),
            hazard("f 配电箱无漏电保护", "electrical", Some("2026-12-31"), false),
        ],
    )
    .await;
    at(&app, "2026-11-20T02:00:00Z");
    pass(&app, &november[0], 2000.0).await;
    at(&app, "2026-11-25T02:00:00Z");
    World { app, a, b, clerk }
}

/// [inspections, units inspected, units with hazards, found, general, major, closed,
/// general closed, major closed, open, overdue, major open, cost, rate %]
fn figures(c: &Value) -> Value {
    json!([
        c["inspections"],
        c["units_inspected"],
        c["units_with_hazards"],
        c["hazards_found"],
        c["hazards_found_general"],
        c["hazards_found_major"],
        c["hazards_closed"],
        c["hazards_closed_general"],
        c["hazards_closed_major"],
        c["hazards_open"],
        c["hazards_overdue"],
        c["major_open"],
        c["rectification_cost"],
        c["closure_rate_pct"]
    ])
}

fn keyed<'a>(rows: &'a Value, key: &str) -> &'a Value {
    rows.as_array().and_then(|r| r.iter().find(|r| r["key"] == key)).unwrap_or_else(|| panic!("no row {key} in {rows}"))
}

/// The cell's value, as calamine reads it, or Empty.
fn cell(sheet: &calamine::Range<Data>, r: u32, c: u32) -> Data {
    sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty)
}

fn s(v: &str) -> Data {
    Data::String(v.to_string())
}

fn n(v: f64) -> Data {
    Data::Float(v)
}

/// Turns the workbook into a PDF with LibreOffice and answers its text, page by page.
fn libreoffice_pages(xlsx: &[u8]) -> Vec<String> {
    let soffice = ["/usr/bin/soffice", "/usr/bin/libreoffice", "/usr/lib/libreoffice/program/soffice"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("LibreOffice (soffice) is needed to print the workbook: install libreoffice-calc");
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("report.xlsx");
    std::fs::write(&file, xlsx).expect("write the workbook");
    let profile = format!("-env:UserInstallation=file://{}", dir.path().join("profile").display());
    let out = std::process::Command::new(soffice)
        .args([profile.as_str(), "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("soffice runs");
    let pdf = dir.path().join("report.pdf");
    assert!(pdf.exists(), "soffice made no PDF: {}", String::from_utf8_lossy(&out.stderr));
    // SAFETRACE_WORKBOOK_SHOTS=<dir>: the printed pages as PNGs too (docs/screenshots).
    if let Ok(shots) = std::env::var("SAFETRACE_WORKBOOK_SHOTS") {
        let prefix = std::path::Path::new(&shots).join("workbook-print");
        let made = std::process::Command::new("pdftoppm")
            .args(["-png", "-r", "70", "-f", "1", "-l", "4"])
            .arg(&pdf)
            .arg(&prefix)
            .status();
        assert!(made.is_ok_and(|s| s.success()), "pdftoppm runs");
    }
    let text =
        std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext (poppler-utils) runs");
    assert!(text.status.success());
    String::from_utf8_lossy(&text.stdout).split('\u{c}').filter(|p| !p.trim().is_empty()).map(str::to_string).collect()
}

both_engines! {
    async fn the_json_report_has_the_split_counters_by_unit_kind_and_the_year_to_date(app) {
        let w = world(app.engine).await;
        let app = &w.app;
        let r = app.get("/api/v1/reports/monthly?month=2026-11").await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let m = &r.body;
        assert_eq!(figures(&m["totals"]), json!([2, 2, 2, 4, 3, 1, 2, 1, 1, 2, 1, 0, 2000.00, "50.00%"]));
        let ytd = &m["year_to_date"];
        assert_eq!(ytd["period"]["from"], "2026-01-01");
        assert_eq!(ytd["period"]["to"], "2026-11-30");
        assert_eq!(figures(&ytd["totals"]), json!([3, 2, 2, 6, 4, 2, 3, 2, 1, 3, 2, 1, 2100.50, "50.00%"]));
        assert_eq!(figures(keyed(&ytd["rows"], &w.a)), json!([2, 1, 1, 4, 3, 1, 2, 2, 0, 2, 2, 1, 100.50, "50.00%"]));
        assert_eq!(figures(keyed(&ytd["rows"], &w.b)), json!([1, 1, 1, 2, 1, 1, 1, 0, 1, 1, 0, 0, 2000.00, "50.00%"]));
        assert_eq!(figures(keyed(&m["by_community"], &w.a)), json!([1, 1, 1, 2, 2, 0, 1, 1, 0, 1, 1, 0, 0.00, "50.00%"]));
        assert_eq!(figures(keyed(&m["by_unit_kind"], "shop")), json!([1, 1, 1, 2, 1, 1, 1, 0, 1, 1, 0, 0, 2000.00, "50.00%"]));
        assert_eq!(keyed(&m["by_unit_kind"], "restaurant")["label"], "餐饮");
        let overdue = m["overdue"].as_array().cloned().unwrap_or_default();
        assert_eq!(overdue.len(), 2, "m1 and g2");
        assert_eq!(overdue[0]["description"], "b 防火分隔缺失");
        assert_eq!(overdue[0]["unit_address"], "金茂路12号");
        assert_eq!(overdue[0]["contact_phone"], "138-0731-0000");
        assert_eq!(overdue[0]["responsible_person"], "刘店长");
        assert_eq!(overdue[0]["measures"], Value::Null);
        // CSV: the new table, plain: a header row and data rows only.
        let r = app.get("/api/v1/reports/monthly.csv?month=2026-11&table=by_unit_kind").await;
        assert_eq!(r.status, 200);
        let text = String::from_utf8(r.raw[3..].to_vec()).expect("utf-8");
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 3, "header and two kinds, no title and no 合计: {text}");
        assert!(lines[0].starts_with("行业,检查单位数（家）,检查次数（次）,有隐患单位数（家）,发现隐患（项）,发现一般隐患（项）"), "{text}");
        assert!(lines.iter().any(|l| l.starts_with("商铺,1,1,1,2,1,1,1,0,1,0,1,0,0,0,50.00%,2000.00")), "{text}");
        let r = app.get("/api/v1/reports/monthly.csv?month=2026-11&table=by_community").await;
        let text = String::from_utf8(r.raw[3..].to_vec()).expect("utf-8");
        assert!(text.starts_with("社区,本月检查单位数（家）,本月检查次数（次）"), "{text}");
        assert!(text.contains(",本年累计检查单位数（家）,"), "{text}");
    }

    async fn the_workbook_is_ready_to_print_and_send(app) {
        let w = world(app.engine).await;
        let app = &w.app;
        let r = app.get_as(Some(&w.clerk), "/api/v1/reports/monthly.xlsx?month=2026-11").await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.raw.clone())).expect("a workbook");
        let names = book.sheet_names();
        assert_eq!(names, vec!["汇总", "按社区", "按类别", "按行业", "逾期隐患", "重大隐患", "联合执法", "党政带队", "复发隐患"]);
        for name in &names {
            let sheet = book.worksheet_range(name).expect("sheet");
            assert_eq!(cell(&sheet, 0, 0), s("金茂街道办事处安全隐患排查治理月报表（2026年11月）"), "{name}");
            let Data::String(line) = cell(&sheet, 1, 0) else { panic!("{name}: no 填报 line") };
            for part in ["填报单位：金茂街道办事处", "填报人：王填报", "审核人：", "填报日期：2026年11月25日", "联系电话：0731-8520 1234"] {
                assert!(line.contains(part), "{name}: {line}");
            }
            assert_eq!(cell(&sheet, 2, 0), s("序号"), "{name}");
        }
        let summary = book.worksheet_range("汇总").expect("summary");
        assert_eq!((cell(&summary, 2, 1), cell(&summary, 2, 2), cell(&summary, 2, 3)), (s("项目"), s("本月"), s("本年累计")));
        let row = |label: &str| (3..40).find(|r| cell(&summary, *r, 1) == s(label)).unwrap_or_else(|| panic!("no row {label}"));
        let found = row("发现隐患（项）");
        assert_eq!((cell(&summary, found, 2), cell(&summary, found, 3)), (n(4.0), n(6.0)));
        assert_eq!((cell(&summary, found + 1, 2), cell(&summary, found + 1, 3)), (n(3.0), n(4.0)), "of which general");
        assert_eq!((cell(&summary, found + 2, 2), cell(&summary, found + 2, 3)), (n(1.0), n(2.0)), "of which major");
        let cost = row("整改资金（元）");
        assert_eq!((cell(&summary, cost, 2), cell(&summary, cost, 3)), (n(2000.0), n(2100.5)));
        assert_eq!(cell(&summary, 3, 0), n(1.0), "numbered");

        // 按社区: two header rows (本月 | 本年累计 over the figures), A and B, then 合计.
        let communities = book.worksheet_range("按社区").expect("by community");
        assert_eq!((cell(&communities, 2, 2), cell(&communities, 2, 13)), (s("本月"), s("本年累计")));
        assert_eq!((cell(&communities, 3, 2), cell(&communities, 3, 13)), (s("检查单位数（家）"), s("检查单位数（家）")));
        assert_eq!(cell(&communities, 2, 1), s("社区"));
        let total = (4..10).find(|r| cell(&communities, *r, 1) == s("合计")).expect("a 合计 row");
        assert_eq!(total, 6, "A, B, then 合计");
        assert_eq!(cell(&communities, total, 0), Data::Empty, "合计 is not numbered");
        assert_eq!(cell(&communities, total, 2 + 1), n(2.0), "inspections this month");
        assert_eq!(cell(&communities, total, 13 + 1), n(3.0), "inspections this year");
        assert_eq!(cell(&communities, total, 12), n(2000.0), "the month's cost");
        assert_eq!(cell(&communities, total, 23), n(2100.5), "the year's cost");
        for name in ["按类别", "按行业"] {
            let sheet = book.worksheet_range(name).expect("sheet");
            let last = sheet.height() as u32 - 1;
            assert_eq!(cell(&sheet, last, 1), s("合计"), "{name}");
        }
        let kinds = book.worksheet_range("按行业").expect("by kind");
        assert_eq!(cell(&kinds, 2, 1), s("行业"));
        let overdue = book.worksheet_range("逾期隐患").expect("overdue");
        let headers: Vec<Data> = (0..14).map(|c| cell(&overdue, 2, c)).collect();
        for h in ["隐患描述", "地址", "整改措施", "责任人", "联系电话"] {
            assert!(headers.contains(&s(h)), "{h} in {headers:?}");
        }
        assert_eq!(cell(&overdue, 3, 0), n(1.0));
        assert_eq!(cell(&overdue, 3, 1), s("湘味小厨"));

        // The print set-up, as stored: every sheet A4 landscape, fit to one page wide (any
        // number of pages high; Excel's default width of 1 is not written), its header rows
        // repeated; 按社区's two header rows, the others' one.
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.raw.clone())).expect("zip");
        for i in 1..=names.len() {
            let mut xml = String::new();
            zip.by_name(&format!("xl/worksheets/sheet{i}.xml")).expect("sheet").read_to_string(&mut xml).expect("read");
            assert!(xml.contains("<pageSetUpPr fitToPage=\"1\"/>"), "sheet{i}: fit to page");
            let setup = &xml[xml.find("<pageSetup ").expect("a page set-up")..];
            let setup = &setup[..setup.find("/>").expect("end")];
            assert!(setup.contains("paperSize=\"9\""), "A4: {setup}");
            assert!(setup.contains("orientation=\"landscape\""), "{setup}");
            assert!(setup.contains("fitToHeight=\"0\""), "{setup}");
            assert!(!setup.contains("fitToWidth") || setup.contains("fitToWidth=\"1\""), "one page wide: {setup}");
            assert!(xml.contains("<mergeCell ref=\"A1:"), "sheet{i}: the title across the table");
        }
        let mut workbook = String::new();
        zip.by_name("xl/workbook.xml").expect("workbook").read_to_string(&mut workbook).expect("read");
        for (i, name) in names.iter().enumerate() {
            let rows = if *name == "按社区" { "$3:$4" } else { "$3:$3" };
            let defined = format!("<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{i}\">{name}!{rows}</definedName>");
            let quoted = format!("<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{i}\">'{name}'!{rows}</definedName>");
            assert!(workbook.contains(&defined) || workbook.contains(&quoted), "{name}'s header rows repeat: {workbook}");
        }
    }

    async fn libreoffice_prints_the_workbook_with_its_titles_totals_and_headers_on_every_page(app) {
        let w = world(app.engine).await;
        let app = &w.app;
        // A long overdue list: 80 more hazards overdue since 11-10, so that sheet runs over pages.
        let units = app.get("/api/v1/units?limit=1").await.body;
        let unit = units["items"][0]["id"].as_str().unwrap_or_default().to_string();
        let many: Vec<Value> = (0..80).map(|i| hazard(&format!("货架第{i}排灭火器过期"), "fire_equipment", Some("2026-11-10"), false)).collect();
        at(app, "2026-11-08T02:00:00Z");
        app.submit(&inspection(&unit, "2026-11-08T09:00:00+08:00", many)).await;
        at(app, "2026-11-25T02:00:00Z");
        let r = app.get_as(Some(&w.clerk), "/api/v1/reports/monthly.xlsx?month=2026-11").await;
        assert_eq!(r.status, 200);
        let pages = libreoffice_pages(&r.raw);
        let all = pages.join("\n");
        assert!(all.contains("金茂街道办事处安全隐患排查治理月报表（2026年11月）"), "the title");
        assert!(all.contains("合计"), "the 合计 rows");
        assert!(all.contains("2100.50") || all.contains("2,100.50"), "the year's cost");
        assert!(all.contains("填报人：王填报"));
        let overdue_pages: Vec<&String> = pages.iter().filter(|p| p.contains("货架第")).collect();
        assert!(overdue_pages.len() >= 2, "a long sheet over several pages: {} pages in all", pages.len());
        for (i, page) in pages.iter().enumerate() {
            assert!(page.contains("序号"), "page {} starts with its sheet's header: {page}", i + 1);
        }
        for page in overdue_pages {
            assert!(page.contains("隐患描述") && page.contains("逾期天数"), "every page of the overdue list has its header: {page}");
        }
    }
}
