//! The OpenAPI document is committed (`tests/openapi.json`) and compared with the one the
//! service serves, so every change of the API is a visible diff in review. After an
//! intended change, refresh the snapshot:
//!
//!     SAFETRACE_UPDATE_OPENAPI=1 cargo test --test api openapi_snapshot

use serde_json::Value;

use crate::support::*;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/openapi.json");

#[actix_web::test]
async fn openapi_snapshot() {
    let app = TestApp::sqlite().await;
    let r = app.get("/api/openapi.json").await;
    assert_eq!(r.status, 200);
    let served = serde_json::to_string_pretty(&r.body).expect("json") + "\n";
    if std::env::var("SAFETRACE_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(SNAPSHOT, &served).expect("write the snapshot");
        return;
    }
    let committed = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    let committed: Value = serde_json::from_str(&committed).unwrap_or(Value::Null);
    assert!(
        committed == r.body,
        "the served OpenAPI document differs from tests/openapi.json; if the change is intended, run \
         `SAFETRACE_UPDATE_OPENAPI=1 cargo test --test api openapi_snapshot` and commit the file"
    );
}
