//! The web pages (the phone form and the dashboard) served beside the API, and HTTPS.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;

use crate::both_engines;
#[allow(unused_imports)]
use crate::support::*;

both_engines! {
    async fn the_page_is_served_at_the_root(app) {
        for path in ["/", "/index.html"] {
            let r = app.get(path).await;
            assert_eq!(r.status, 200, "{path}");
            assert_eq!(r.header("content-type").as_deref(), Some("text/html; charset=utf-8"), "{path}");
            assert_eq!(r.header("cache-control").as_deref(), Some("no-cache"));
            assert!(r.header("content-security-policy").is_some_and(|v| v.contains("default-src 'self'")));
            let html = String::from_utf8_lossy(&r.raw);
            assert!(html.contains("<html lang=\"zh-CN\">"), "Chinese by default");
            assert!(html.contains("/assets/js/main.js"));
        }
        // A second request with the ETag is answered 304 without a body.
        let first = app.get("/").await;
        let etag = first.header("etag").expect("an ETag");
        let res = app.server.get("/").insert_header(("if-none-match", etag.as_str())).send().await.expect("sent");
        assert_eq!(res.status().as_u16(), 304);
    }

    async fn assets_have_their_content_types(app) {
        let cases = [
            ("/assets/js/main.js", "text/javascript; charset=utf-8"),
            ("/assets/app.css", "text/css; charset=utf-8"),
            ("/assets/icon.svg", "image/svg+xml"),
            ("/manifest.webmanifest", "application/manifest+json"),
        ];
        for (path, content_type) in cases {
            let r = app.get(path).await;
            assert_eq!(r.status, 200, "{path}");
            assert_eq!(r.header("content-type").as_deref(), Some(content_type), "{path}");
            assert_eq!(r.header("x-content-type-options").as_deref(), Some("nosniff"));
        }
    }

    async fn the_service_worker_is_served_from_the_root_with_this_build(app) {
        let r = app.get("/sw.js").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type").as_deref(), Some("text/javascript; charset=utf-8"));
        assert_eq!(r.header("service-worker-allowed").as_deref(), Some("/"));
        let script = String::from_utf8_lossy(&r.raw);
        let version = safetrace::webapp::version();
        assert!(script.contains(&format!("const VERSION = '{version}';")), "the build's version is written in");
        assert!(!script.contains("__SAFETRACE_"), "every marker is replaced");
        assert!(script.contains("\"/assets/js/main.js\"") && script.contains("\"/index.html\""), "the file list is written in");
        assert!(!script.contains("tests/"), "test files are not embedded");
    }

    async fn other_paths_still_answer_problem_json(app) {
        for path in ["/nothing-here", "/assets/nope.js", "/assets/../Cargo.toml", "/web/tests/e2e.test.mjs", "/package.json"] {
            let r = app.get(path).await;
            assert_eq!(r.status, 404, "{path}");
            assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"), "{path}");
        }
        let r = app.request(actix_web::http::Method::POST, "/", Some(&serde_json::json!({}))).await;
        assert_eq!(r.status, 404);
        assert_eq!(r.body["type"], "/problems/not-found");
        assert_eq!(app.get("/healthz").await.status, 200);
        assert_eq!(app.get("/api/openapi.json").await.status, 200);
        assert_eq!(app.get("/api/v1/nothing").await.body["type"], "/problems/not-found");
    }
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls").join(name)
}

#[test]
fn tls_configuration_needs_a_matching_certificate_and_key() {
    assert!(safetrace::tls::server_config(&fixture("localhost.pem"), &fixture("localhost.key")).is_ok());
    let missing = safetrace::tls::server_config(&fixture("nope.pem"), &fixture("localhost.key")).unwrap_err();
    assert!(missing.contains("nope.pem"), "{missing}");
    let no_key = safetrace::tls::server_config(&fixture("localhost.pem"), &fixture("ca.pem")).unwrap_err();
    assert!(no_key.contains("private key"), "{no_key}");
    let ca_only = safetrace::tls::server_config(&fixture("ca.pem"), &fixture("localhost.key")).unwrap_err();
    assert!(ca_only.contains("do not fit"), "{ca_only}");
}

/// safetrace serves the pages and the API over HTTPS when given a certificate and key:
/// a client that trusts the fixture CA gets the page from `https://localhost`.
#[actix_web::test]
async fn https_serves_the_page_with_the_given_certificate() {
    let app = TestApp::sqlite().await;
    let config =
        safetrace::tls::server_config(&fixture("localhost.pem"), &fixture("localhost.key")).expect("tls config");
    let state = app.state.clone();
    let server = actix_web::HttpServer::new(move || safetrace::app(state.clone()))
        .workers(1)
        .bind_rustls_0_23(("127.0.0.1", 0), config)
        .expect("bind");
    let addr = server.addrs()[0];
    let running = server.run();
    let handle = running.handle();
    actix_web::rt::spawn(running);

    let response = actix_web::rt::task::spawn_blocking(move || {
        let mut roots = rustls::RootCertStore::empty();
        let ca = rustls::pki_types::CertificateDer::from_pem_file(fixture("ca.pem")).expect("ca");
        roots.add(ca).expect("add ca");
        let client = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
        let conn = rustls::ClientConnection::new(Arc::new(client), name).expect("client");
        let tcp = std::net::TcpStream::connect(addr).expect("connect");
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        tls.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").expect("write");
        let mut out = Vec::new();
        let _ = tls.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    })
    .await
    .expect("join");
    handle.stop(true).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.to_ascii_lowercase().contains("content-type: text/html; charset=utf-8"));
}
