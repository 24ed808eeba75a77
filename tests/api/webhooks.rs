//! Webhooks: signed deliveries in feed order to receivers on 127.0.0.1, retried with
//! backoff (the test clock drives the worker), across a restart; refused URLs are never
//! called; a subscription failing for 3 days is switched off and the admins told.

use std::sync::{Arc, Mutex};

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Duration;
use serde_json::{json, Value};

use crate::both_engines;
use crate::notifications::count;
use crate::support::*;

/// What a receiver got: (webhook-id, webhook-timestamp, webhook-signature, body).
type Received = Arc<Mutex<Vec<(String, String, String, String)>>>;

/// A receiver on 127.0.0.1 that answers 500 to its first `fail` requests, then 200.
fn receiver(fail: usize) -> (actix_test::TestServer, Received) {
    let got: Received = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    let server = actix_test::start(move || {
        let seen = seen.clone();
        actix_web::App::new().route(
            "/hook",
            web::post().to(move |req: HttpRequest, body: web::Bytes| {
                let seen = seen.clone();
                async move {
                    let h =
                        |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                    let mut seen = seen.lock().expect("lock");
                    seen.push((
                        h("webhook-id"),
                        h("webhook-timestamp"),
                        h("webhook-signature"),
                        String::from_utf8_lossy(&body).into_owned(),
                    ));
                    if seen.len() <= fail {
                        HttpResponse::InternalServerError().finish()
                    } else {
                        HttpResponse::Ok().finish()
                    }
                }
            }),
        )
    });
    (server, got)
}

fn allowing_loopback() -> safetrace::config::AppConfig {
    let mut config = test_config();
    config.webhook_allow = safetrace::webhooks::allow::AllowList(vec!["127.0.0.1".parse().expect("entry")]);
    config
}

async fn deliver(app: &TestApp) -> usize {
    safetrace::webhooks::worker::tick(&app.state, app.clock_now()).await.expect("worker round")
}

fn got(r: &Received) -> Vec<(String, String, String, String)> {
    r.lock().expect("lock").clone()
}

both_engines! {
    async fn a_failing_receiver_gets_everything_in_order_once_it_answers(app) {
        let engine = app.engine;
        let app = TestApp::fresh_with(engine, allowing_loopback()).await;
        let (server, received) = receiver(3);
        let url = format!("http://127.0.0.1:{}/hook", server.addr().port());
        // An event before the subscription: not for it.
        let c = app.community("JML").await;
        app.unit(&c, "factory").await;
        let r = app.post("/api/v1/webhooks", &json!({"url": url, "event_kinds": ["unit.created"]})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let secret = r.body["secret"].as_str().expect("the secret, once").to_string();
        let hook = r.id();
        let again = app.get(&format!("/api/v1/webhooks/{hook}")).await;
        assert_eq!(again.body.get("secret"), None, "never shown again");
        let mut units = Vec::new();
        for kind in ["shop", "hotel", "market"] {
            units.push(app.unit(&c, kind).await);
        }
        assert_eq!(deliver(&app).await, 1, "the first fails and holds the others");
        assert_eq!(deliver(&app).await, 0, "not due before its backoff");
        let list = app.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
        assert_eq!(list.status, 200);
        let first = &list.body["items"][0];
        assert_eq!((first["status"].clone(), first["attempts"].clone(), first["response_code"].clone()), (json!("pending"), json!(1), json!(500)));
        assert!(first["next_try_at"].is_string());
        app.clock.advance(Duration::seconds(5));
        assert_eq!(deliver(&app).await, 1);
        // A restart between tries: a new service on the same database goes on.
        let url_db = app.database_url.clone();
        let restarted = TestApp::attach(engine, &url_db, allowing_loopback()).await;
        restarted.clock.set(app.clock_now().0);
        restarted.clock.advance(Duration::seconds(9));
        assert_eq!(deliver(&restarted).await, 0, "10 s after the second failure, not 9");
        restarted.clock.advance(Duration::seconds(1));
        assert_eq!(deliver(&restarted).await, 1);
        restarted.clock.advance(Duration::seconds(20));
        assert_eq!(deliver(&restarted).await, 3, "the fourth try passes, then the rest follow");
        assert_eq!(deliver(&restarted).await, 0);

        let calls = got(&received);
        assert_eq!(calls.len(), 6);
        assert!(calls[..4].iter().all(|c| c.0 == calls[0].0), "one message id across its tries");
        let delivered: Vec<Value> = calls[3..].iter().map(|c| serde_json::from_str(&c.3).expect("json")).collect();
        let ids: Vec<&str> = delivered.iter().map(|e| e["resource_id"].as_str().unwrap_or_default()).collect();
        assert_eq!(ids, units.iter().map(String::as_str).collect::<Vec<_>>(), "in feed order, once each");
        assert!(delivered.iter().all(|e| e["kind"] == "unit.created"));
        for (id, ts, sig, body) in &calls {
            let ts: i64 = ts.parse().expect("timestamp");
            let want = safetrace::webhooks::sign::signature(&secret, id, ts, body.as_bytes()).expect("signature");
            assert_eq!(sig, &want);
        }
        let list = app.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
        let statuses: Vec<&str> = list.body["items"].as_array().expect("items").iter().map(|d| d["status"].as_str().unwrap_or_default()).collect();
        assert_eq!(statuses, ["delivered"; 3]);
        // Sent again on request.
        let d = list.body["items"][2]["id"].as_str().expect("id");
        let r = app.post(&format!("/api/v1/webhooks/{hook}/deliveries/{d}/retry"), &json!({})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(deliver(&restarted).await, 1);
        assert_eq!(got(&received).len(), 7);
    }

    async fn a_url_not_allowed_is_refused_and_never_called(app) {
        let (server, received) = receiver(0);
        let url = format!("http://127.0.0.1:{}/hook", server.addr().port());
        // The default: no outbound calls at all.
        let r = app.post("/api/v1/webhooks", &json!({"url": url})).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.error_code("url").as_deref(), Some("not_allowed"));
        let mut config = test_config();
        config.webhook_allow = safetrace::webhooks::allow::AllowList(vec!["10.9.0.0/16".parse().expect("entry"), "hooks.example.org".parse().expect("entry")]);
        let app = TestApp::fresh_with(app.engine, config).await;
        for bad in [url.clone(), format!("http://localhost:{}/hook", server.addr().port()), "ftp://10.9.0.1/x".into(), "not a url".into()] {
            let r = app.post("/api/v1/webhooks", &json!({"url": bad})).await;
            assert_eq!(r.status, 422, "{bad}: {:?}", r.body);
        }
        let r = app.post("/api/v1/webhooks", &json!({"url": "http://10.9.0.1/hook", "event_kinds": ["hazard.exploded"]})).await;
        assert_eq!(r.status, 422, "an unknown kind: {:?}", r.body);
        let r = app.post("/api/v1/webhooks", &json!({"url": "http://10.9.0.1/hook"})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let hook = r.id();
        let r = app.patch(&format!("/api/v1/webhooks/{hook}"), &json!({"url": url, "version": 1})).await;
        assert_eq!(r.status, 422);
        let ins = app.user("ins", "inspector", None).await;
        assert_eq!(app.get_as(Some(&ins), "/api/v1/webhooks").await.status, 403);
        assert!(got(&received).is_empty(), "never called");
    }

    async fn a_subscription_failing_for_three_days_is_switched_off(app) {
        let app = TestApp::fresh_with(app.engine, allowing_loopback()).await;
        let (server, received) = receiver(usize::MAX);
        let url = format!("http://127.0.0.1:{}/hook", server.addr().port());
        let r = app.post("/api/v1/webhooks", &json!({"url": url})).await;
        assert_eq!(r.status, 201);
        let hook = r.id();
        let c = app.community("JML").await;
        app.unit(&c, "shop").await;
        app.unit(&c, "hotel").await;
        for _ in 0..20 {
            deliver(&app).await;
            app.clock.advance(Duration::hours(4));
        }
        let h = app.get(&format!("/api/v1/webhooks/{hook}")).await;
        assert_eq!(h.body["active"], false, "{:?}", h.body);
        let list = app.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
        let statuses: Vec<&str> = list.body["items"].as_array().expect("items").iter().map(|d| d["status"].as_str().unwrap_or_default()).collect();
        assert!(statuses.contains(&"failed"), "{statuses:?}");
        let notes = app.get("/api/v1/me/notifications").await;
        assert_eq!(notes.body["items"][0]["kind"], "webhook_disabled", "{:?}", notes.body);
        let tries = got(&received).len();
        deliver(&app).await;
        assert_eq!(got(&received).len(), tries, "switched off: no more calls");
        assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM notifications WHERE kind = 'webhook_disabled'").await, 1);
    }
}

/// The `standardwebhooks` reference library (Python) in `target/standardwebhooks-venv`,
/// installed on first use; `None` when the package index cannot be reached.
fn reference_python() -> Option<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("target/standardwebhooks-venv");
    let python = venv.join("bin/python");
    let has = |p: &std::path::Path| {
        std::process::Command::new(p).args(["-c", "import standardwebhooks"]).output().is_ok_and(|o| o.status.success())
    };
    if has(&python) {
        return Some(python);
    }
    let made =
        std::process::Command::new("python3").args(["-m", "venv"]).arg(&venv).status().is_ok_and(|s| s.success());
    let installed = made
        && std::process::Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "standardwebhooks"])
            .status()
            .is_ok_and(|s| s.success());
    (installed && has(&python)).then_some(python)
}

const VERIFY: &str = r#"
import json, sys
from standardwebhooks.webhooks import Webhook
secret, msg_id, ts, sig, body = sys.argv[1:6]
# The specification's published test vector first, then a real delivery.
vector = Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
from datetime import datetime, timezone
assert vector.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", datetime.fromtimestamp(1614265330, tz=timezone.utc), '{"test": 2432232314}') == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
payload = Webhook(secret).verify(body, {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": sig})
print(json.dumps(payload))
"#;

/// A delivery verified by the specification's reference library.
#[actix_web::test]
async fn the_reference_library_verifies_a_delivery() {
    let Some(python) = reference_python() else {
        eprintln!("the standardwebhooks package could not be installed: only the unit test's vector was checked");
        return;
    };
    let app = TestApp::fresh_with(Engine::Sqlite, allowing_loopback()).await;
    // The library checks the timestamp against the real clock.
    app.clock.set(chrono::Utc::now());
    let (server, received) = receiver(0);
    let url = format!("http://127.0.0.1:{}/hook", server.addr().port());
    let r = app.post("/api/v1/webhooks", &json!({"url": url})).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let secret = r.body["secret"].as_str().expect("secret").to_string();
    let c = app.community("JML").await;
    let unit = app.unit(&c, "shop").await;
    assert_eq!(deliver(&app).await, 1);
    let (id, ts, sig, body) = got(&received).remove(0);
    let out = std::process::Command::new(python)
        .args(["-c", VERIFY, &secret, &id, &ts, &sig, &body])
        .output()
        .expect("python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let payload: Value = serde_json::from_slice(&out.stdout).expect("payload");
    assert_eq!(payload["resource_id"], unit.as_str());
    let tampered = body.replace("shop", "shoq");
    let out = std::process::Command::new(reference_python().expect("python"))
        .args(["-c", VERIFY, &secret, &id, &ts, &sig, &tampered])
        .output()
        .expect("python");
    assert!(!out.status.success(), "a changed body fails verification");
}
