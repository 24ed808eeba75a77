//! Importing units and communities from spreadsheets: XLSX and GB18030 CSV, dry runs that
//! write nothing, atomic and partial imports, matching (unchanged, updated with an event),
//! scope, idempotency on `id`, limits, the template, and an export edited in Excel
//! imported back.

use std::io::Cursor;

use actix_web::http::Method;
use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};

use crate::both_engines;
use crate::exports::sheet;
use crate::support::*;

/// A valid credit code for `n` (its check character computed).
fn credit_code(n: u32) -> String {
    let first17 = format!("91430100MA{n:07}");
    let check = safetrace::domain::credit_code::check_character(first17.as_bytes()).expect("17 characters");
    format!("{first17}{}", check as char)
}

const HEADERS: [&str; 9] =
    ["单位名称", "社区", "类型", "地址", "统一社会信用代码", "联系人", "联系电话", "纬度", "经度"];

/// 200 rows of units in the community named `community`; with `bad`, rows 6, 51 and 151
/// (data rows 5, 50, 150) have a wrong check character, an unknown kind, and an unknown
/// community.
fn registry(community: &str, bad: bool) -> Vec<Vec<String>> {
    let kinds = ["餐饮", "商铺", "工厂", "仓库", "建筑工地", "宾馆", "市场", "其他"];
    let mut rows = vec![HEADERS.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    for i in 1..=200u32 {
        let mut code = credit_code(i);
        let mut kind = kinds[i as usize % kinds.len()].to_string();
        let mut place = community.to_string();
        if bad && i == 5 {
            code.pop();
            code.push('0');
            if code == credit_code(i) {
                code.pop();
                code.push('1');
            }
        }
        if bad && i == 50 {
            kind = "火箭".into();
        }
        if bad && i == 150 {
            place = "不存在社区".into();
        }
        rows.push(vec![
            format!("测试单位{i}"),
            place,
            kind,
            format!("金茂路{i}号"),
            code,
            format!("联系人{i}"),
            format!("1380000{i:04}"),
            format!("28.{i:04}"),
            format!("112.{i:04}"),
        ]);
    }
    rows
}

fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // Coordinates and phone numbers as numbers, the way a person types them.
            match cell.parse::<f64>() {
                Ok(n) if r > 0 && (c == 6 || c == 7 || c == 8) => ws.write_number(r as u32, c as u16, n),
                _ => ws.write_string(r as u32, c as u16, cell),
            }
            .expect("cell");
        }
    }
    book.save_to_buffer().expect("workbook")
}

fn gb18030_csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    for r in rows {
        w.write_record(r).expect("record");
    }
    let text = String::from_utf8(w.into_inner().expect("csv")).expect("utf-8");
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really GB18030, not UTF-8");
    bytes.into_owned()
}

/// A multipart/form-data body of these parts (name, file name, bytes).
fn form(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----safetrace-import-boundary";
    let mut body = Vec::new();
    for (name, file_name, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes());
        if let Some(f) = file_name {
            body.extend_from_slice(format!("; filename=\"{f}\"\r\nContent-Type: application/octet-stream").as_bytes());
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &TestApp, token: &str, path: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Resp {
    let (content_type, body) = form(parts);
    let req = app
        .server
        .request(Method::POST, app.server.url(path))
        .insert_header(("content-type", content_type))
        .insert_header(("authorization", format!("Bearer {token}")));
    let mut res = req.send_body(body).await.expect("sent");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let raw = res.body().limit(64 * 1024 * 1024).await.expect("body").to_vec();
    Resp { status, headers, body: serde_json::from_slice(&raw).unwrap_or(Value::Null), raw }
}

/// Imports a file of units as the admin; `apply` writes.
async fn import(app: &TestApp, file: &[u8], name: &str, apply: bool) -> Resp {
    let dry = if apply { "false" } else { "true" };
    upload(app, &app.token, "/api/v1/imports/units", &[("file", Some(name), file), ("dry_run", None, dry.as_bytes())])
        .await
}

async fn unit_count(app: &TestApp) -> i64 {
    app.get("/api/v1/units?count=true&limit=1").await.body["total"].as_i64().expect("total")
}

fn errors(r: &Resp) -> Vec<(u64, String, String)> {
    r.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap_or(0),
                e["column"].as_str().unwrap_or("").into(),
                e["code"].as_str().unwrap_or("").into(),
            )
        })
        .collect()
}

fn bad_rows() -> Vec<(u64, String, String)> {
    vec![
        (6, "统一社会信用代码".into(), "invalid_credit_code".into()),
        (51, "类型".into(), "invalid_choice".into()),
        (151, "社区".into(), "not_found".into()),
    ]
}

both_engines! {
    async fn a_registry_with_three_bad_rows_is_checked_fixed_and_imported(app) {
        app.community("JML").await;
        for (file, name) in [(xlsx(&registry("JML社区", true)), "units.xlsx"), (gb18030_csv(&registry("JML", true)), "units.csv")] {
            // The default is a dry run: every bad row reported, nothing written.
            let r = upload(&app, &app.token, "/api/v1/imports/units", &[("file", Some(name), &file)]).await;
            assert_eq!(r.status, 200, "{name}: {:?}", r.body);
            assert_eq!(errors(&r), bad_rows(), "{name}");
            assert_eq!((r.body["dry_run"].clone(), r.body["rows"].clone(), r.body["created"].clone()), (json!(true), json!(200), json!(197)));
            assert_eq!(r.body["ignored_columns"], json!([]));
            assert_eq!(unit_count(&app).await, 0, "{name}: a dry run writes nothing");

            // Applied without `partial`: refused row by row, nothing written.
            let r = import(&app, &file, name, true).await;
            assert_eq!(r.status, 422, "{:?}", r.body);
            assert_eq!(r.error_fields(), ["rows[6].统一社会信用代码", "rows[51].类型", "rows[151].社区"]);
            assert_eq!(unit_count(&app).await, 0);
        }

        // The fixed file imports, every unit with its `created` event naming the import.
        let fixed = xlsx(&registry("JML社区", false));
        let r = import(&app, &fixed, "units.xlsx", true).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!((r.body["created"].clone(), r.body["updated"].clone(), r.body["errors"].clone()), (json!(200), json!(0), json!([])));
        let import_id = r.id();
        assert_eq!(unit_count(&app).await, 200);
        let units = app.get(&format!("/api/v1/units?q={}", crate::lists::urlencode("测试单位17"))).await.body["items"].clone();
        let unit = &units.as_array().expect("items").iter().find(|u| u["name"] == "测试单位17").expect("unit").clone();
        assert_eq!((unit["kind"].clone(), unit["contact_phone"].clone(), unit["latitude"].clone()), (json!("shop"), json!("13800000017"), json!(28.0017)));
        let detail = app.get(&format!("/api/v1/units/{}", unit["id"].as_str().expect("id"))).await.body;
        assert_eq!(detail["events"][0]["kind"], "created");
        assert_eq!(detail["events"][0]["details"]["import_id"], json!(import_id));
        let stored = app.get(&format!("/api/v1/imports/{import_id}")).await;
        assert_eq!(stored.status, 200);
        assert_eq!((stored.body["kind"].clone(), stored.body["created"].clone(), stored.body["file_name"].clone()), (json!("units"), json!(200), json!("units.xlsx")));

        // Again, as GB18030 CSV naming the community by its code: nothing changes.
        let again = import(&app, &gb18030_csv(&registry("JML", false)), "again.csv", true).await;
        assert_eq!(again.status, 201, "{:?}", again.body);
        assert_eq!((again.body["unchanged"].clone(), again.body["created"].clone(), again.body["updated"].clone()), (json!(200), json!(0), json!(0)));

        // One phone number changed: one unit updated, with an `imported` event.
        let mut rows = registry("JML社区", false);
        rows[17][6] = "13999999999".into();
        let r = import(&app, &xlsx(&rows), "phone.xlsx", true).await;
        assert_eq!((r.body["updated"].clone(), r.body["unchanged"].clone()), (json!(1), json!(199)), "{:?}", r.body);
        let detail = app.get(&format!("/api/v1/units/{}", unit["id"].as_str().expect("id"))).await.body;
        assert_eq!(detail["contact_phone"], "13999999999");
        assert_eq!(detail["version"], 2);
        let last = detail["events"].as_array().expect("events").last().expect("event").clone();
        assert_eq!(last["kind"], "imported");
        assert_eq!(last["details"]["import_id"], r.body["id"]);
        assert_eq!(last["details"]["changes"], json!({"contact_phone": ["13800000017", "13999999999"]}));
    }

    async fn a_file_for_a_community_out_of_scope_is_refused_row_by_row(app) {
        let a = app.community("JML").await;
        let b = app.community("XYL").await;
        app.unit(&a, "restaurant").await;
        let supervisor = app.user("sup", "supervisor", Some(vec![&b])).await;
        let file = xlsx(&registry("JML社区", false)[..6]);
        let r = upload(&app, &supervisor, "/api/v1/imports/units", &[("file", Some("a.xlsx"), &file)]).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let codes: Vec<(u64, String, String)> = (2..=6).map(|row| (row, "社区".to_string(), "not_found".to_string())).collect();
        assert_eq!(errors(&r), codes);
        let r = upload(&app, &supervisor, "/api/v1/imports/units", &[("file", Some("a.xlsx"), &file), ("dry_run", None, b"false"), ("partial", None, b"true")]).await;
        assert_eq!((r.status, r.body["created"].clone()), (201, json!(0)));
        assert_eq!(unit_count(&app).await, 1);
        // The same file into their own community imports; a credit code of a unit outside
        // the scope is not theirs to update.
        assert_eq!(import(&app, &xlsx(&registry("JML社区", false)[..3]), "a.xlsx", true).await.status, 201);
        let mut rows = registry("XYL社区", false);
        rows.truncate(4);
        let r = upload(&app, &supervisor, "/api/v1/imports/units", &[("file", Some("b.xlsx"), &xlsx(&rows))]).await;
        assert_eq!(errors(&r), vec![(2, "统一社会信用代码".into(), "taken".into()), (3, "统一社会信用代码".into(), "taken".into())]);
        assert_eq!(r.body["created"], 1);
        let inspector = app.user("insp", "inspector", Some(vec![&b])).await;
        assert_eq!(upload(&app, &inspector, "/api/v1/imports/units", &[("file", Some("b.xlsx"), &xlsx(&rows))]).await.status, 403);
    }

    async fn partial_imports_write_the_good_rows_and_ids_replay(app) {
        app.community("JML").await;
        let file = gb18030_csv(&registry("JML社区", true));
        let id = "0192f000-0000-7000-8000-00000000e001";
        let parts = [("file", Some("units.csv"), &file[..]), ("dry_run", None, &b"false"[..]), ("partial", None, &b"true"[..]), ("id", None, id.as_bytes())];
        let r = upload(&app, &app.token, "/api/v1/imports/units", &parts).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!((r.body["id"].clone(), r.body["created"].clone()), (json!(id), json!(197)));
        assert_eq!(errors(&r), bad_rows());
        assert_eq!(unit_count(&app).await, 197);
        // Sent again: the same answer, nothing written twice.
        let again = upload(&app, &app.token, "/api/v1/imports/units", &parts).await;
        assert_eq!(again.status, 200);
        assert_eq!(again.body, r.body);
        assert_eq!(unit_count(&app).await, 197);
        // Another file under the same id is a conflict; another user cannot see it either.
        let other = xlsx(&registry("JML社区", false));
        let r = upload(&app, &app.token, "/api/v1/imports/units", &[("file", Some("x.xlsx"), &other[..]), ("dry_run", None, b"false"), ("id", None, id.as_bytes())]).await;
        assert_eq!(r.status, 409, "{:?}", r.body);
        let sup = app.user("sup", "supervisor", None).await;
        assert_eq!(app.get_as(Some(&sup), &format!("/api/v1/imports/{id}")).await.status, 404);
        assert_eq!(app.get(&format!("/api/v1/imports/{id}")).await.body["created"], 197);
        assert_eq!(app.get("/api/v1/imports/0192f000-0000-7000-8000-00000000e002").await.status, 404);
    }

    async fn the_form_and_the_file_are_checked(app) {
        app.community("JML").await;
        let path = "/api/v1/imports/units";
        let ok = xlsx(&registry("JML社区", false)[..2]);
        let code = |r: &Resp, field: &str| (r.status, r.error_code(field));
        assert_eq!(code(&upload(&app, &app.token, path, &[("dry_run", None, b"true")]).await, "file"), (422, Some("required".into())));
        assert_eq!(code(&upload(&app, &app.token, path, &[("file", Some("a.csv"), b"")]).await, "file"), (422, Some("empty".into())));
        assert_eq!(code(&upload(&app, &app.token, path, &[("file", Some("a.xlsx"), &ok), ("dry_run", None, b"yes")]).await, "dry_run"), (422, Some("invalid".into())));
        assert_eq!(code(&upload(&app, &app.token, path, &[("file", Some("a.xlsx"), &ok), ("id", None, b"nope")]).await, "id"), (422, Some("invalid".into())));
        assert_eq!(code(&upload(&app, &app.token, path, &[("file", Some("a.xlsx"), &ok), ("colour", None, b"red")]).await, "colour"), (422, Some("unknown_field".into())));
        assert_eq!(code(&upload(&app, &app.token, path, &[("file", Some("a.csv"), b"foo,bar\n1,2\n")]).await, "file"), (422, Some("no_columns".into())));
        assert_eq!(code(&upload(&app, &app.token, path, &[("file", Some("a.csv"), "单位名称,name\n1,2\n".as_bytes())]).await, "file"), (422, Some("duplicate_column".into())));
        assert_eq!(upload(&app, &app.token, path, &[("file", Some("a.xls"), &[0xD0, 0xCF, 0x11, 0xE0, 0, 0])]).await.status, 415);
        let many = format!("单位名称\n{}", "x\n".repeat(50_001));
        assert_eq!(upload(&app, &app.token, path, &[("file", Some("a.csv"), many.as_bytes())]).await.status, 413);
        let big = vec![b'a'; 20 * 1024 * 1024 + 1];
        assert_eq!(upload(&app, &app.token, path, &[("file", Some("a.csv"), &big)]).await.status, 413);
        let r = app.raw(Method::POST, path, "application/json", b"{}".to_vec()).await;
        assert_eq!(r.status, 415);

        // Unknown columns are listed, not errors; a row needs what a new unit needs.
        let csv = "单位名称,备注,类型,address\n湘味小厨,老客户,餐饮,金茂路1号\n";
        let r = upload(&app, &app.token, path, &[("file", Some("a.csv"), csv.as_bytes())]).await;
        assert_eq!(r.body["ignored_columns"], json!(["备注"]));
        assert_eq!(errors(&r), vec![(2, "社区".into(), "required".into())]);
        // Full-width characters, spaces, the exports' leading ' and English headers.
        let csv = "name,community,kind,address,contact_phone\n\u{3000}湘味小厨 ,'JML,restaurant,金茂路１２号,'+86 138-0000-0001\n";
        let r = upload(&app, &app.token, path, &[("file", Some("a.csv"), csv.as_bytes()), ("dry_run", None, b"false")]).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let unit = app.get("/api/v1/units").await.body["items"][0].clone();
        assert_eq!((unit["name"].clone(), unit["address"].clone(), unit["contact_phone"].clone()), (json!("湘味小厨"), json!("金茂路12号"), json!("+86 138-0000-0001")));
        // Two rows for one unit.
        let csv = "单位名称,社区,类型,地址\n湘味小厨,JML,餐饮,金茂路12号\n湘味小厨,JML社区,餐饮,金茂路 12号\n新店,JML,餐饮,金茂路1号\n新店,JML,商铺,金茂路1号\n";
        let r = upload(&app, &app.token, path, &[("file", Some("a.csv"), csv.as_bytes())]).await;
        assert_eq!(errors(&r), vec![(3, "单位名称".into(), "duplicate".into()), (5, "单位名称".into(), "duplicate".into())]);
        assert_eq!(r.body["unchanged"], 1);
    }

    async fn an_exported_registry_edited_in_excel_imports_back(app) {
        let c = app.community("JML").await;
        for i in 0..3 {
            let body = json!({"community_id": c, "name": format!("+{i}号店"), "kind": "hotel", "address": format!("=金茂路{i}号"),
                              "credit_code": credit_code(i + 1), "contact_phone": format!("-138000{i}"), "latitude": -28.5, "longitude": 112.25});
            assert_eq!(app.post("/api/v1/units", &body).await.status, 201);
        }
        app.unit(&c, "shop").await;
        let csv = app.get("/api/v1/units.csv").await;
        let r = upload(&app, &app.token, "/api/v1/imports/units", &[("file", Some("registry.csv"), &csv.raw), ("dry_run", None, b"false")]).await;
        assert_eq!((r.status, r.body["unchanged"].clone(), r.body["errors"].clone()), (201, json!(4), json!([])), "{:?}", r.body);
        let xlsx_file = app.get("/api/v1/units.xlsx").await;
        let r = upload(&app, &app.token, "/api/v1/imports/units", &[("file", Some("registry.xlsx"), &xlsx_file.raw)]).await;
        assert_eq!((r.body["unchanged"].clone(), r.body["errors"].clone()), (json!(4), json!([])), "{:?}", r.body);

        // Edited: one address changed, found by its new address afterwards.
        let mut rows = sheet(&xlsx_file, "单位名册");
        let edited = rows.iter().position(|r| r[0] == "+1号店").expect("row");
        rows[edited][3] = "书院路9号".into();
        let r = import(&app, &xlsx(&rows), "edited.xlsx", true).await;
        assert_eq!((r.body["updated"].clone(), r.body["unchanged"].clone()), (json!(1), json!(3)), "{:?}", r.body);
        let found = app.get(&format!("/api/v1/units?q={}", crate::lists::urlencode("书院路9"))).await;
        assert_eq!(found.body["items"][0]["name"], "+1号店");
        assert_eq!(found.body["items"][0]["latitude"], -28.5);
    }

    async fn the_template_has_the_columns_an_example_and_drop_down_lists(app) {
        let a = app.community("JML").await;
        app.community("XYL").await;
        let r = app.get("/api/v1/imports/units/template.xlsx").await;
        assert_eq!(r.status, 200);
        assert!(r.header("content-disposition").unwrap_or_default().contains("attachment"));
        let mut book = Xlsx::new(Cursor::new(r.raw.clone())).expect("workbook");
        assert_eq!(book.sheet_names(), vec!["单位名册".to_string(), "选项".to_string()]);
        let range = book.worksheet_range("单位名册").expect("sheet");
        let header: Vec<String> = range.rows().next().expect("header").iter().map(|c| c.to_string()).collect();
        assert_eq!(header, HEADERS);
        assert_eq!(range.get_value((1, 1)), Some(&Data::String("JML社区".into())));
        let lists = book.worksheet_range("选项").expect("lists");
        let communities: Vec<String> = lists.rows().filter_map(|r| r.get(1)).map(|c| c.to_string()).filter(|c| !c.is_empty()).collect();
        assert_eq!(communities, ["JML社区", "XYL社区"]);
        let xml = sheet_xml(&r.raw);
        assert!(xml.contains("dataValidation") && xml.contains("'选项'!$A$1:$A$8") && xml.contains("'选项'!$B$1:$B$2"), "{xml}");

        // A supervisor's list holds their communities only; the template imports as is.
        let sup = app.user("sup", "supervisor", Some(vec![&a])).await;
        let r = app.get_as(Some(&sup), "/api/v1/imports/units/template.xlsx").await;
        let xml = sheet_xml(&r.raw);
        assert!(xml.contains("'选项'!$B$1:$B$1"), "{xml}");
        let r = upload(&app, &sup, "/api/v1/imports/units", &[("file", Some("t.xlsx"), &r.raw), ("dry_run", None, b"false")]).await;
        assert_eq!((r.status, r.body["created"].clone()), (201, json!(1)), "{:?}", r.body);
        let viewer = app.user("viewer", "viewer", None).await;
        assert_eq!(app.get_as(Some(&viewer), "/api/v1/imports/units/template.xlsx").await.status, 403);
    }

    async fn communities_import_by_code_for_admins_only(app) {
        let existing = app.community("JML").await;
        let csv = "名称,代码\n金茂路社区,JML\n新开铺社区,XKP\n,BAD\n桂花坪社区,bad code\n新开铺社区,XKP\n";
        let path = "/api/v1/imports/communities";
        let r = upload(&app, &app.token, path, &[("file", Some("c.csv"), csv.as_bytes()), ("dry_run", None, b"false"), ("partial", None, b"true")]).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!((r.body["created"].clone(), r.body["updated"].clone()), (json!(1), json!(1)));
        assert_eq!(errors(&r), vec![(4, "名称".into(), "required".into()), (5, "代码".into(), "invalid_code".into()), (6, "代码".into(), "duplicate".into())]);
        let c = app.get(&format!("/api/v1/communities/{existing}")).await.body;
        assert_eq!((c["name"].clone(), c["version"].clone()), (json!("金茂路社区"), json!(2)));
        let sup = app.user("sup", "supervisor", None).await;
        assert_eq!(upload(&app, &sup, path, &[("file", Some("c.csv"), csv.as_bytes())]).await.status, 403);
    }
}

both_engines! {
    async fn the_command_line_writes_unless_told_to_dry_run(app) {
        app.community("JML").await;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("units.csv");
        std::fs::write(&path, gb18030_csv(&registry("JML", true))).expect("file");
        let run = |dry_run: bool, partial: bool| {
            let (pool, file) = (app.state.pool.clone(), path.clone());
            let args = safetrace::imports::cli::ImportArgs { file, dry_run, partial, quiet: true };
            actix_web::rt::task::spawn_blocking(move || safetrace::imports::cli::run(&pool, safetrace::imports::cli::ImportCommand::Units(args)))
        };
        let refused = run(false, false).await.expect("join");
        assert!(refused.as_ref().is_err_and(|e| e.contains("3 rows")), "{refused:?}");
        assert!(run(true, true).await.expect("join").is_err(), "a dry run with errors fails too");
        assert_eq!(unit_count(&app).await, 0);
        run(false, true).await.expect("join").expect("partial: the good rows written");
        assert_eq!(unit_count(&app).await, 197);
        std::fs::write(&path, gb18030_csv(&registry("JML", false))).expect("file");
        run(true, false).await.expect("join").expect("a clean dry run");
        assert_eq!(unit_count(&app).await, 197);
        run(false, false).await.expect("join").expect("imported");
        assert_eq!(unit_count(&app).await, 200);
        let detail = app.get("/api/v1/units?limit=1").await.body["items"][0]["id"].as_str().map(str::to_string).expect("a unit");
        let events = app.get(&format!("/api/v1/units/{detail}")).await.body["events"].clone();
        assert_eq!(events[0]["actor"], "cli");
    }
}

/// The first sheet's XML of a workbook.
fn sheet_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").expect("sheet1"), &mut xml)
        .expect("xml");
    xml
}
