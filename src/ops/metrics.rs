//! Prometheus metrics: what the service counts, and the listener that serves them.
//!
//! Every app owns its own recorder (no process-global one): the binary has one app, and
//! the tests run many apps in one process, each of which must count only its own
//! requests. A record call sets the app's recorder for that call
//! ([`metrics::with_local_recorder`]); the fixed series are registered once and kept as
//! handles, so recording them is one atomic add.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::{http::header, web, App, HttpResponse};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};
use metrics::{Counter, Gauge, Histogram, Recorder};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusRecorder};

use crate::db::{DbConn, DbPool, Engine};
use crate::error::ApiResult;
use crate::http::AppState;

const HTTP_REQUESTS: &str = "safetrace_http_requests_total";
const HTTP_DURATION: &str = "safetrace_http_request_duration_seconds";
const POOL_WAIT: &str = "safetrace_db_pool_wait_seconds";

/// Seconds: from a cached read to a report or a slow upload.
const HTTP_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];
/// Seconds: a free connection is taken in microseconds; anything past a millisecond waited.
const POOL_BUCKETS: &[f64] = &[0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0];

/// The app's metrics: cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    recorder: PrometheusRecorder,
    h: Handles,
    /// Community codes that have hazard gauges, so one that disappears is set to zero.
    communities: Mutex<BTreeSet<String>>,
}

/// The series without variable labels, registered once.
struct Handles {
    pool_waits: Counter,
    pool_wait_seconds: Histogram,
    pool_in_use: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    reports_building: Gauge,
    reports_waiting: Gauge,
    uploads_stored: Counter,
    upload_bytes: Counter,
    logins_throttled: Counter,
    hazards_refreshed: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), HTTP_BUCKETS)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full(POOL_WAIT.into()), POOL_BUCKETS))
            .map(PrometheusBuilder::build_recorder)
            // Only an empty bucket list is refused; ours are constants.
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let h = metrics::with_local_recorder(&recorder, || {
            describe();
            Handles {
                pool_waits: metrics::counter!("safetrace_db_pool_waits_total"),
                pool_wait_seconds: metrics::histogram!(POOL_WAIT),
                pool_in_use: metrics::gauge!("safetrace_db_pool_connections", "state" => "in_use"),
                pool_idle: metrics::gauge!("safetrace_db_pool_connections", "state" => "idle"),
                pool_max: metrics::gauge!("safetrace_db_pool_max_connections"),
                reports_building: metrics::gauge!("safetrace_reports_building"),
                reports_waiting: metrics::gauge!("safetrace_reports_waiting"),
                uploads_stored: metrics::counter!("safetrace_uploads_stored_total"),
                upload_bytes: metrics::counter!("safetrace_uploads_stored_bytes_total"),
                logins_throttled: metrics::counter!("safetrace_logins_throttled_total"),
                hazards_refreshed: metrics::gauge!("safetrace_hazard_gauges_refreshed_timestamp_seconds"),
            }
        });
        Metrics { inner: Arc::new(Inner { recorder, h, communities: Mutex::new(BTreeSet::new()) }) }
    }

    fn with<T>(&self, f: impl FnOnce() -> T) -> T {
        metrics::with_local_recorder(&self.inner.recorder as &dyn Recorder, f)
    }

    /// One answered request: `route` is the matched template (`/api/v1/hazards/{id}`),
    /// never the raw path, so the series stay few.
    pub fn http_request(&self, route: &str, method: &actix_web::http::Method, status: u16, elapsed: Duration) {
        use actix_web::http::Method;
        let method = match *method {
            Method::GET => "GET",
            Method::HEAD => "HEAD",
            Method::POST => "POST",
            Method::PUT => "PUT",
            Method::PATCH => "PATCH",
            Method::DELETE => "DELETE",
            Method::OPTIONS => "OPTIONS",
            _ => "other",
        };
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.with(|| {
            let route = route.to_string();
            metrics::counter!(HTTP_REQUESTS, "route" => route.clone(), "method" => method, "status" => class)
                .increment(1);
            metrics::histogram!(HTTP_DURATION, "route" => route, "method" => method).record(elapsed.as_secs_f64());
        });
    }

    /// A connection taken from the pool after `waited`; `queued` when none was idle.
    pub fn pool_checkout(&self, waited: Duration, queued: bool) {
        if queued {
            self.inner.h.pool_waits.increment(1);
        }
        self.inner.h.pool_wait_seconds.record(waited.as_secs_f64());
    }

    pub fn upload_stored(&self, bytes: u64) {
        self.inner.h.uploads_stored.increment(1);
        self.inner.h.upload_bytes.increment(bytes);
    }

    pub fn login_throttled(&self) {
        self.inner.h.logins_throttled.increment(1);
    }

    /// Marks a report as waiting for a build permit until the returned guard becomes
    /// [`ReportGauge::building`] (or is dropped).
    pub fn report_waiting(&self) -> ReportGauge {
        self.inner.h.reports_waiting.increment(1.0);
        ReportGauge { metrics: self.clone(), building: false }
    }

    /// `safetrace_build_info{version, engine} 1`.
    pub fn build_info(&self, engine: Engine) {
        let engine = match engine {
            Engine::Sqlite => "sqlite",
            Engine::Postgresql => "postgresql",
        };
        self.with(|| {
            metrics::gauge!("safetrace_build_info", "version" => env!("CARGO_PKG_VERSION"), "engine" => engine).set(1.0)
        });
    }

    /// Sets the hazard gauges per community to these counts.
    fn set_hazards(&self, rows: &[CommunityHazards], at: chrono::DateTime<chrono::Utc>) {
        let mut known = self.inner.communities.lock().unwrap_or_else(PoisonError::into_inner);
        self.with(|| {
            let mut seen = BTreeSet::new();
            for r in rows {
                let c = r.community.clone();
                metrics::gauge!("safetrace_hazards_open", "community" => c.clone()).set(r.open as f64);
                metrics::gauge!("safetrace_hazards_overdue", "community" => c.clone()).set(r.overdue as f64);
                metrics::gauge!("safetrace_hazards_major_open", "community" => c.clone()).set(r.major_open as f64);
                seen.insert(c);
            }
            for gone in known.difference(&seen) {
                for name in ["safetrace_hazards_open", "safetrace_hazards_overdue", "safetrace_hazards_major_open"] {
                    metrics::gauge!(name, "community" => gone.clone()).set(0.0);
                }
            }
            known.extend(seen);
        });
        self.inner.h.hazards_refreshed.set(at.timestamp() as f64);
    }

    /// The Prometheus text, with the pool's gauges read now.
    pub fn render(&self, pool: &DbPool) -> String {
        let state = pool.state();
        self.inner.h.pool_in_use.set(f64::from(state.connections.saturating_sub(state.idle_connections)));
        self.inner.h.pool_idle.set(f64::from(state.idle_connections));
        self.inner.h.pool_max.set(f64::from(pool.max_size()));
        self.inner.recorder.handle().render()
    }

    /// Folds recorded histogram samples into their buckets; run every few seconds so a
    /// service nobody scrapes keeps no growing buffer.
    pub fn upkeep(&self) {
        self.inner.recorder.handle().run_upkeep();
    }
}

/// A report waiting for, then holding, a build permit.
pub struct ReportGauge {
    metrics: Metrics,
    building: bool,
}

impl ReportGauge {
    pub fn building(mut self) -> Self {
        self.metrics.inner.h.reports_waiting.decrement(1.0);
        self.metrics.inner.h.reports_building.increment(1.0);
        self.building = true;
        self
    }
}

impl Drop for ReportGauge {
    fn drop(&mut self) {
        if self.building {
            self.metrics.inner.h.reports_building.decrement(1.0);
        } else {
            self.metrics.inner.h.reports_waiting.decrement(1.0);
        }
    }
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(HTTP_REQUESTS, "HTTP requests answered, by route template, method and status class");
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "Time to answer an HTTP request (until the body starts)");
    describe_counter!("safetrace_db_pool_waits_total", "Connections taken from the pool when none was idle");
    describe_histogram!(POOL_WAIT, Unit::Seconds, "Time to take a connection from the pool");
    describe_gauge!("safetrace_db_pool_connections", "Pooled database connections, in use or idle");
    describe_gauge!("safetrace_db_pool_max_connections", "The pool's size (SAFETRACE_POOL_SIZE)");
    describe_gauge!("safetrace_reports_building", "Monthly reports being built");
    describe_gauge!("safetrace_reports_waiting", "Monthly reports waiting for a build permit");
    describe_counter!("safetrace_uploads_stored_total", "Attachments stored (201; replays not counted)");
    describe_counter!("safetrace_uploads_stored_bytes_total", Unit::Bytes, "Bytes of the attachments stored");
    describe_counter!("safetrace_logins_throttled_total", "Logins refused by the throttle (429)");
    describe_gauge!("safetrace_hazards_open", "Hazards open or pending verification, per community");
    describe_gauge!("safetrace_hazards_overdue", "Unresolved hazards past their deadline, per community");
    describe_gauge!("safetrace_hazards_major_open", "Unresolved major hazards, per community");
    describe_gauge!(
        "safetrace_hazard_gauges_refreshed_timestamp_seconds",
        "When the hazard gauges were last computed (Unix time)"
    );
    describe_gauge!("safetrace_build_info", "The running build: version and database engine");
}

#[derive(Debug, QueryableByName)]
struct CommunityHazards {
    #[diesel(sql_type = Text)]
    community: String,
    #[diesel(sql_type = BigInt)]
    open: i64,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
    #[diesel(sql_type = BigInt)]
    major_open: i64,
}

/// One aggregate over every community: open, overdue (on the office's date today) and
/// major open hazards.
fn hazard_counts(conn: &mut DbConn, today: chrono::NaiveDate) -> QueryResult<Vec<CommunityHazards>> {
    let param = match conn.engine() {
        Engine::Sqlite => "?",
        Engine::Postgresql => "$1",
    };
    let unresolved = "h.status IN ('open', 'pending_verification')";
    let sql = format!(
        "SELECT c.code AS community, \
         CAST(COALESCE(SUM(CASE WHEN {unresolved} THEN 1 ELSE 0 END), 0) AS BIGINT) AS open, \
         CAST(COALESCE(SUM(CASE WHEN {unresolved} AND h.deadline < {param} THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, \
         CAST(COALESCE(SUM(CASE WHEN {unresolved} AND h.level = 'major' THEN 1 ELSE 0 END), 0) AS BIGINT) AS major_open \
         FROM communities c LEFT JOIN hazards h ON h.community_id = c.id GROUP BY c.code"
    );
    diesel::sql_query(sql).bind::<Date, _>(today).load(conn)
}

/// Waits for a permit to build a monthly report (`SAFETRACE_REPORT_CONCURRENCY`), counted
/// as waiting meanwhile and as building while the permit is held.
pub async fn report_permit(state: &AppState) -> ApiResult<(tokio::sync::SemaphorePermit<'_>, ReportGauge)> {
    let gauge = state.metrics.report_waiting();
    let permit = state
        .report_builds
        .acquire()
        .await
        .map_err(|e| crate::error::ApiError::internal("the report queue is closed", e))?;
    Ok((permit, gauge.building()))
}

/// Waits for a permit to compute a summary (`SAFETRACE_SUMMARY_CONCURRENCY`): summaries
/// have their own bound, apart from the monthly reports and exports.
pub async fn summary_permit(state: &AppState) -> ApiResult<tokio::sync::SemaphorePermit<'_>> {
    state.summaries.acquire().await.map_err(|e| crate::error::ApiError::internal("the summary queue is closed", e))
}

/// Recomputes the hazard gauges (one query, on the blocking pool).
pub async fn refresh_hazards(state: &AppState) -> ApiResult<()> {
    let now = state.clock.now();
    let today = crate::domain::time::local_date(now, state.config.timezone);
    let rows = state.db(move |conn| Ok(hazard_counts(conn, today)?)).await?;
    state.metrics.set_hazards(&rows, now.0);
    Ok(())
}

/// Refreshes the hazard gauges every `every`, and folds histograms every few seconds,
/// until the runtime stops.
pub fn spawn_refresh(state: AppState, every: Duration) {
    actix_web::rt::spawn(async move {
        let mut next = Instant::now();
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            state.metrics.upkeep();
            if Instant::now() >= next {
                if let Err(e) = refresh_hazards(&state).await {
                    tracing::warn!(error = %e, "cannot refresh the hazard gauges");
                }
                next = Instant::now() + every;
            }
        }
    });
}

/// The metrics listener's app: `GET /metrics` and nothing else.
pub fn app(
    state: AppState,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new().app_data(web::Data::new(state)).route("/metrics", web::get().to(scrape))
}

async fn scrape(state: web::Data<AppState>) -> HttpResponse {
    let text = state.metrics.render(&state.pool);
    HttpResponse::Ok().insert_header((header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")).body(text)
}
