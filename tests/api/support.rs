//! The test application: a real server on a free port, over SQLite or PostgreSQL, each
//! test on its own database (a temporary SQLite file, or a fresh PostgreSQL schema).

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::Method;
use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl};
use serde_json::{json, Value};

use safetrace::clock::ManualClock;
use safetrace::config::AppConfig;
use safetrace::{app, db, AppState};

pub const PG_ENV: &str = "SAFETRACE_TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Owns the test database and removes it afterwards.
enum TestDb {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        base_url: String,
        schema: String,
    },
    /// A database the test owns itself (a restored copy, say).
    Borrowed,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { base_url, schema } = self {
            if let Ok(mut conn) = diesel::PgConnection::establish(base_url) {
                let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

pub const ADMIN_PASSWORD: &str = "safetrace-office-pw";

pub struct TestApp {
    pub server: actix_test::TestServer,
    /// The bootstrap admin's token, sent with every request unless another is given.
    pub token: String,
    pub clock: ManualClock,
    pub engine: Engine,
    pub state: AppState,
    /// The `DATABASE_URL` of this app's database (for the binary's subcommands).
    pub database_url: String,
    _db: TestDb,
    _data: DataDir,
}

/// Prefix of the data directories [`test_config`] makes.
const DATA_DIR_PREFIX: &str = "safetrace-test-";

/// Removes the app's data directory (uploads) afterwards, when it is one [`test_config`] made.
struct DataDir(std::path::PathBuf);

impl Drop for DataDir {
    fn drop(&mut self) {
        let ours = self.0.starts_with(std::env::temp_dir())
            && self.0.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(DATA_DIR_PREFIX));
        if ours {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A response, its body parsed as JSON where it is JSON.
#[derive(Debug)]
#[allow(dead_code)] // `raw` is read by the attachment tests only
pub struct Resp {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }

    /// The field paths of a validation problem.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or_default().to_string()).collect())
            .unwrap_or_default()
    }

    /// The code given for one field of a validation problem.
    pub fn error_code(&self, field: &str) -> Option<String> {
        self.body["errors"]
            .as_array()?
            .iter()
            .find(|e| e["field"] == field)
            .map(|e| e["code"].as_str().unwrap_or_default().to_string())
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("response has an id").to_string()
    }
}

/// The configuration tests run with: tokens outlive any clock move a test makes, and each
/// app has its own data directory (removed with the app), so no two tests share files.
pub fn test_config() -> AppConfig {
    let data_dir = std::env::temp_dir().join(format!("{DATA_DIR_PREFIX}{}", uuid::Uuid::new_v4().simple()));
    AppConfig { token_ttl_hours: 24 * 365 * 10, data_dir, ..AppConfig::default() }
}

/// "Now" for tests unless a test moves the clock: 2026-11-25 10:00 in Changsha.
pub fn default_now() -> DateTime<Utc> {
    "2026-11-25T02:00:00Z".parse().expect("valid moment")
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = dir.path().join("test.db").to_string_lossy().into_owned();
        Self::start(Engine::Sqlite, &url, TestDb::Sqlite(dir)).await
    }

    /// The PostgreSQL app, or `None` when `SAFETRACE_TEST_POSTGRES_URL` is unset.
    /// When it is set, an unreachable server fails the test.
    pub async fn postgres() -> Option<TestApp> {
        let base_url = std::env::var(PG_ENV).ok().filter(|u| !u.is_empty());
        let required = std::env::var("SAFETRACE_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        let base_url = match base_url {
            Some(url) => url,
            None if required => panic!("SAFETRACE_TEST_REQUIRE_POSTGRES=1 but {PG_ENV} is unset"),
            None => return None,
        };
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = diesel::PgConnection::establish(&base_url)
            .unwrap_or_else(|e| panic!("{PG_ENV} is set but PostgreSQL cannot be reached: {e}"));
        conn.batch_execute(&format!("CREATE SCHEMA {schema}")).expect("create test schema");
        let sep = if base_url.contains('?') { '&' } else { '?' };
        let url = format!("{base_url}{sep}options=-csearch_path%3D{schema}&application_name={schema}");
        Some(Self::start(Engine::Postgres, &url, TestDb::Postgres { base_url, schema }).await)
    }

    async fn start(engine: Engine, url: &str, guard: TestDb) -> TestApp {
        Self::start_with(engine, url, guard, test_config(), true).await
    }

    /// PostgreSQL only: ends every server-side connection of this app's pool, as a
    /// database restart would, and answers how many there were.
    pub fn terminate_database_connections(&self) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Ended {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let TestDb::Postgres { base_url, schema } = &self._db else { panic!("a PostgreSQL app") };
        let mut conn = diesel::PgConnection::establish(base_url).expect("postgres");
        diesel::sql_query(
            "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1",
        )
        .bind::<diesel::sql_types::Text, _>(schema)
        .get_result::<Ended>(&mut conn)
        .expect("terminate")
        .n
    }

    /// The current moment of the test clock.
    pub fn clock_now(&self) -> safetrace::Moment {
        safetrace::clock::Clock::now(&self.clock)
    }

    /// A new database of this engine with no user at all (and so no token).
    pub async fn without_users(engine: Engine) -> TestApp {
        Self::fresh(engine, test_config(), false).await
    }

    /// The same engine again, on a new database, with another configuration.
    pub async fn fresh_with(engine: Engine, config: AppConfig) -> TestApp {
        Self::fresh(engine, config, true).await
    }

    async fn fresh(engine: Engine, config: AppConfig, bootstrap: bool) -> TestApp {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = dir.path().join("test.db").to_string_lossy().into_owned();
                Self::start_with(engine, &url, TestDb::Sqlite(dir), config, bootstrap).await
            }
            Engine::Postgres => {
                let base_url = std::env::var(PG_ENV).expect("postgres url");
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let mut conn = diesel::PgConnection::establish(&base_url).expect("postgres");
                conn.batch_execute(&format!("CREATE SCHEMA {schema}")).expect("create test schema");
                let sep = if base_url.contains('?') { '&' } else { '?' };
                let url = format!("{base_url}{sep}options=-csearch_path%3D{schema}&application_name={schema}");
                Self::start_with(engine, &url, TestDb::Postgres { base_url, schema }, config, bootstrap).await
            }
        }
    }

    async fn start_with(engine: Engine, url: &str, guard: TestDb, config: AppConfig, bootstrap: bool) -> TestApp {
        let url_owned = url.to_string();
        let pool = actix_web::rt::task::spawn_blocking(move || db::connect(&url_owned, 4))
            .await
            .expect("join")
            .expect("database set-up");
        let clock = ManualClock::new(default_now());
        let data = DataDir(config.data_dir.clone());
        let state = AppState::new(pool, config, Arc::new(clock.clone()));
        let server_state = state.clone();
        let server = actix_test::start_with(
            actix_test::config().workers(2).client_request_timeout(Duration::from_secs(60)),
            move || app(server_state.clone()),
        );
        let database_url = url.to_string();
        let mut app =
            TestApp { server, clock, engine, state, database_url, token: String::new(), _db: guard, _data: data };
        if !bootstrap {
            return app;
        }
        let now = safetrace::Moment(default_now());
        let data_dir = app.state.config.data_dir.clone();
        app.state
            .db(move |conn| {
                safetrace::users::store::bootstrap_admin(conn, Some(ADMIN_PASSWORD.to_string()), &data_dir, now)
            })
            .await
            .expect("bootstrap admin");
        app.token = app.login("admin", ADMIN_PASSWORD).await;
        app
    }

    /// An app on a database the test made itself (and removes), logged in as the admin
    /// that database already has.
    pub async fn attach(engine: Engine, url: &str, config: AppConfig) -> TestApp {
        let mut app = Self::start_with(engine, url, TestDb::Borrowed, config, false).await;
        app.token = app.login("admin", ADMIN_PASSWORD).await;
        app
    }

    /// Logs in and answers the token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let r = self.post_as(None, "/api/v1/auth/login", &json!({"username": username, "password": password})).await;
        assert_eq!(r.status, 200, "login {username}: {:?}", r.body);
        r.body["token"].as_str().expect("token").to_string()
    }

    /// Logs in as the first admin with the generated password in `file` (which the first
    /// start wrote), changes it to [`ADMIN_PASSWORD`] as it must, and keeps the token.
    pub async fn take_over_first_admin(&mut self, file: &std::path::Path) {
        let generated = std::fs::read_to_string(file).expect("the password file");
        let generated = generated.trim_end();
        let token = self.login("admin", generated).await;
        let body = json!({"current_password": generated, "new_password": ADMIN_PASSWORD});
        let r = self.post_as(Some(&token), "/api/v1/auth/password", &body).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        self.token = token;
    }

    /// Creates a user with this role and scope (`None`: all communities) and logs them in.
    pub async fn user(&self, username: &str, role: &str, communities: Option<Vec<&str>>) -> String {
        let password = format!("{username}-Passw0rd-long").replace(username, "pw");
        let r = self
            .post(
                "/api/v1/users",
                &json!({"username": username, "password": password, "role": role, "community_ids": communities}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        self.login(username, &password).await
    }

    pub async fn request(&self, method: Method, path: &str, body: Option<&Value>) -> Resp {
        self.request_as(Some(&self.token), method, path, body).await
    }

    /// A request with the given token, or none.
    pub async fn request_as(&self, token: Option<&str>, method: Method, path: &str, body: Option<&Value>) -> Resp {
        self.request_with(token, method, path, body, &[]).await
    }

    /// A request with the given token, or none, and these extra headers.
    pub async fn request_with(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self.server.request(method, self.server.url(path));
        if let Some(t) = token {
            req = req.insert_header(("authorization", format!("Bearer {t}")));
        }
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        let result = match body {
            Some(b) => req.send_json(b).await,
            None => req.send().await,
        };
        read(result).await
    }

    pub async fn raw(&self, method: Method, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
        let req = self
            .server
            .request(method, self.server.url(path))
            .insert_header(("content-type", content_type))
            .insert_header(("authorization", format!("Bearer {}", self.token)));
        read(req.send_body(body).await).await
    }

    pub async fn get_as(&self, token: Option<&str>, path: &str) -> Resp {
        self.request_as(token, Method::GET, path, None).await
    }

    pub async fn post_as(&self, token: Option<&str>, path: &str, body: &Value) -> Resp {
        self.request_as(token, Method::POST, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.request(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.request(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Resp {
        self.request(Method::PATCH, path, Some(body)).await
    }

    // ---- fixtures -------------------------------------------------------------------

    pub async fn community(&self, code: &str) -> String {
        let r = self.post("/api/v1/communities", &json!({"name": format!("{code}社区"), "code": code})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.id()
    }

    pub async fn unit(&self, community_id: &str, kind: &str) -> String {
        let r = self
            .post(
                "/api/v1/units",
                &json!({"community_id": community_id, "name": format!("{kind} unit"), "kind": kind, "address": "金茂路1号"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.id()
    }

    pub async fn campaign(&self, name: &str) -> String {
        let r = self
            .post("/api/v1/campaigns", &json!({"name": name, "starts_on": "2026-01-01", "ends_on": "2026-12-31"}))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.id()
    }

    /// Submits an inspection and asserts it was stored.
    pub async fn submit(&self, body: &Value) -> Value {
        let r = self.post("/api/v1/inspections", body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body
    }

    /// Every item of a list, following `next_cursor` page by page.
    pub async fn all_pages(&self, path: &str, limit: usize) -> Vec<Value> {
        let mut out = Vec::new();
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
                None => format!("{path}{sep}limit={limit}"),
            };
            let r = self.get(&url).await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            let items = r.body["items"].as_array().cloned().unwrap_or_default();
            assert!(items.len() <= limit);
            out.extend(items);
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        out
    }
}

async fn read(
    result: Result<
        awc::ClientResponse<impl futures_core::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>>,
        awc::error::SendRequestError,
    >,
) -> Resp {
    let mut res = result.expect("request sent");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let raw = res.body().limit(64 * 1024 * 1024).await.expect("body read").to_vec();
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    Resp { status, headers, body, raw }
}

/// A deadline hazard as a phone would send it.
pub fn deadline_hazard(category: &str, deadline: &str) -> Value {
    json!({"category": category, "level": "general", "handling_type": "deadline",
           "description": "燃气软管老化", "deadline": deadline})
}

/// An on-the-spot hazard as a phone would send it.
pub fn spot_hazard(category: &str) -> Value {
    json!({"category": category, "level": "general", "handling_type": "on_the_spot",
           "description": "安全出口堵塞", "note": "当场清理"})
}

/// An inspection of `unit_id` at `inspected_at` with these hazards.
pub fn inspection(unit_id: &str, inspected_at: &str, hazards: Vec<Value>) -> Value {
    json!({"unit_id": unit_id, "inspected_at": inspected_at, "inspectors": ["张三", "李四"],
           "leader_led": false, "hazards": hazards})
}

/// Declares a test that runs once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! both_engines {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: $crate::support::TestApp) $body

                #[actix_web::test]
                async fn sqlite() {
                    run($crate::support::TestApp::sqlite().await).await
                }

                #[actix_web::test]
                async fn postgres() {
                    match $crate::support::TestApp::postgres().await {
                        Some(app) => run(app).await,
                        None => eprintln!("{} unset: PostgreSQL case not run", $crate::support::PG_ENV),
                    }
                }
            }
        )*
    };
}
