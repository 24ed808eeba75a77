//! The report counters against the direct replay, on random histories: every figure of
//! the summary (totals, the leader-led block, every grouping) read from the counters must
//! equal the one replayed from every hazard's events, for random periods, filters and
//! moments, the exact moment of an event and the microsecond before it included. Then the
//! counters are rebuilt from the events and must come out as the writes left them.
//!
//! A history: inspections (some submitted days late, as an offline phone does), on-the-spot
//! and deadline hazards, rectifications passed and rejected and resubmitted, voids,
//! deadline extensions, units moving community and enforcement actions, with the clock
//! moving by hours across month ends.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use safetrace::config::AppConfig;
use safetrace::domain::labels::Lang;
use safetrace::domain::{HazardCategory, Id, Moment, UnitKind};
use safetrace::reports::model::{Filter, GroupBy};
use safetrace::reports::store::{self, Method};

use crate::support::*;

const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;
const KINDS: [&str; 3] = ["restaurant", "shop", "factory"];
const CATEGORIES: [&str; 3] = ["gas", "electrical", "fire_separation"];

#[derive(Debug, Clone)]
struct HazardState {
    id: String,
    status: String,
    deadline: Option<NaiveDate>,
    major: bool,
    /// The supervision's state, as the last governance step answered it.
    supervision: Option<String>,
}

struct History {
    rng: ChaCha8Rng,
    /// The governance steps' and self-checks' own choices, so that the rest of a history
    /// stays what it was before them.
    grng: ChaCha8Rng,
    communities: Vec<String>,
    units: Vec<String>,
    campaigns: Vec<String>,
    hazards: Vec<HazardState>,
    /// Rectifications waiting for verification.
    pending: Vec<String>,
    /// Every moment something was written.
    moments: Vec<DateTime<Utc>>,
}

fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&TZ).date_naive()
}

impl History {
    fn now(app: &TestApp) -> DateTime<Utc> {
        app.clock_now().0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.rng.random_range(0..items.len())])
        }
    }

    fn wrote(&mut self, app: &TestApp) {
        self.moments.push(Self::now(app));
    }

    async fn inspect(&mut self, app: &TestApp) {
        let now = Self::now(app);
        // Most visits are sent within hours; some wait days on a phone without signal.
        let back = if self.rng.random_bool(0.15) {
            Duration::hours(self.rng.random_range(72..480))
        } else {
            Duration::minutes(self.rng.random_range(0..2_880))
        };
        let inspected_at = now - back;
        let found_on = local_date(inspected_at);
        let mut hazards = Vec::new();
        for _ in 0..self.rng.random_range(0..4) {
            let category = CATEGORIES[self.rng.random_range(0..CATEGORIES.len())];
            let mut h = if self.rng.random_bool(0.3) {
                spot_hazard(category)
            } else {
                let deadline = found_on + Duration::days(self.rng.random_range(0..12));
                deadline_hazard(category, &deadline.to_string())
            };
            if self.rng.random_bool(0.2) {
                h["level"] = json!("major");
            }
            if self.grng.random_bool(0.25) {
                h["found_by"] = json!("self_check");
            }
            hazards.push(h);
        }
        let unit = self.pick(&self.units.clone()).cloned().unwrap_or_default();
        let mut body = inspection(&unit, &inspected_at.to_rfc3339(), hazards);
        body["leader_led"] = json!(self.rng.random_bool(0.2));
        if self.rng.random_bool(0.3) {
            body["campaign_id"] = json!(self.pick(&self.campaigns.clone()).cloned());
        }
        let stored = app.submit(&body).await;
        for h in stored["hazards"].as_array().cloned().unwrap_or_default() {
            self.hazards.push(HazardState {
                id: h["id"].as_str().unwrap_or_default().to_string(),
                status: h["status"].as_str().unwrap_or_default().to_string(),
                deadline: h["deadline"].as_str().and_then(|d| d.parse().ok()),
                major: h["level"] == "major",
                supervision: None,
            });
        }
        self.wrote(app);
    }

    fn unresolved(&self, status: &[&str]) -> Vec<usize> {
        (0..self.hazards.len()).filter(|i| status.contains(&self.hazards[*i].status.as_str())).collect()
    }

    fn track(&mut self, detail: &Value) {
        let id = detail["id"].as_str().unwrap_or_default();
        if let Some(h) = self.hazards.iter_mut().find(|h| h.id == id) {
            h.status = detail["status"].as_str().unwrap_or_default().to_string();
            h.deadline = detail["deadline"].as_str().and_then(|d| d.parse().ok());
        }
    }

    async fn rectify(&mut self, app: &TestApp) {
        let open = self.unresolved(&["open"]);
        let Some(&i) = self.pick(&open) else { return };
        let id = self.hazards[i].id.clone();
        let mut body = json!({"measures": "更换软管", "completed_at": Self::now(app).to_rfc3339()});
        if self.rng.random_bool(0.7) {
            body["cost"] = json!(f64::from(self.rng.random_range(1..200_000)) / 100.0);
        }
        let r = app.post(&format!("/api/v1/hazards/{id}/rectifications"), &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        self.pending.push(r.id());
        self.hazards[i].status = "pending_verification".into();
        self.wrote(app);
    }

    async fn verify(&mut self, app: &TestApp) {
        if self.pending.is_empty() {
            return;
        }
        let k = self.rng.random_range(0..self.pending.len());
        let id = self.pending.swap_remove(k);
        let body = if self.rng.random_bool(0.7) {
            json!({"outcome": "pass"})
        } else {
            json!({"outcome": "reject", "comment": "软管仍未固定"})
        };
        let r = app.post(&format!("/api/v1/rectifications/{id}/verification"), &body).await;
        if r.status == 409 && r.body["type"] == "/problems/illegal-transition" {
            return; // its hazard was voided meanwhile
        }
        assert_eq!(r.status, 200, "{:?}", r.body);
        self.track(&r.body);
        self.wrote(app);
    }

    async fn void(&mut self, app: &TestApp) {
        let unresolved = self.unresolved(&["open", "pending_verification"]);
        let Some(&i) = self.pick(&unresolved) else { return };
        let id = self.hazards[i].id.clone();
        let r = app.post(&format!("/api/v1/hazards/{id}/void"), &json!({"reason": "录入错误"})).await;
        if r.status == 409 && r.body["type"] == "/problems/conflict" {
            return; // under a formal supervision
        }
        assert_eq!(r.status, 200, "{:?}", r.body);
        self.track(&r.body);
        self.wrote(app);
    }

    async fn extend(&mut self, app: &TestApp) {
        let unresolved: Vec<usize> = self
            .unresolved(&["open", "pending_verification"])
            .into_iter()
            .filter(|i| self.hazards[*i].deadline.is_some())
            .collect();
        let Some(&i) = self.pick(&unresolved) else { return };
        let h = self.hazards[i].clone();
        let today = local_date(Self::now(app));
        let base = h.deadline.map_or(today, |d| d.max(today));
        let deadline = base + Duration::days(self.rng.random_range(1..10));
        let body = json!({"deadline": deadline.to_string(), "reason": "需要采购设备"});
        let r = app.post(&format!("/api/v1/hazards/{}/deadline", h.id), &body).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        self.track(&r.body);
        self.wrote(app);
    }

    /// A step of a major hazard's governance: its plan recorded or replaced, its
    /// supervision listed, corrected, its lifting requested (once closed), lifted.
    async fn govern(&mut self, app: &TestApp) {
        // Mostly a supervision further along, so that histories reach its lifting.
        let along: Vec<usize> = (0..self.hazards.len())
            .filter(|i| match self.hazards[*i].supervision.as_deref() {
                Some("lift_requested") => true,
                Some("listed") => self.hazards[*i].status == "closed",
                _ => false,
            })
            .collect();
        let majors: Vec<usize> = (0..self.hazards.len()).filter(|i| self.hazards[*i].major).collect();
        let candidates = if !along.is_empty() && self.grng.random_bool(0.6) { along } else { majors };
        if candidates.is_empty() {
            return;
        }
        let i = candidates[self.grng.random_range(0..candidates.len())];
        let id = self.hazards[i].id.clone();
        let h = app.get(&format!("/api/v1/hazards/{id}")).await.body;
        let unresolved = h["status"] == "open" || h["status"] == "pending_verification";
        let today = local_date(Self::now(app));
        let levels = ["county", "city", "province"];
        let level = levels[self.grng.random_range(0..3)];
        let plan_first = unresolved && self.grng.random_bool(if h["plan"].is_null() { 0.5 } else { 0.2 });
        let r = if plan_first {
            let mut plan = json!({"measures": "停用整改", "funds": 1000.5, "deadline": today.to_string(),
                                  "responsible_person": "王经理", "emergency_plan": "疏散预案"});
            if self.grng.random_bool(0.4) {
                plan["emergency_plan"] = Value::Null;
            }
            plan["version"] = h["plan"]["version"].clone();
            app.request(actix_web::http::Method::PUT, &format!("/api/v1/hazards/{id}/plan"), Some(&plan)).await
        } else {
            let version = h["supervision"]["version"].clone();
            match h["supervision"]["state"].as_str() {
                None if unresolved => {
                    let body = json!({"level": level, "authority": "应急管理局", "listed_on": today.to_string()});
                    app.post(&format!("/api/v1/hazards/{id}/supervision"), &body).await
                }
                Some("listed") if h["status"] == "closed" => {
                    let body = json!({"reason": "整改完成", "version": version});
                    app.post(&format!("/api/v1/hazards/{id}/supervision/lift-request"), &body).await
                }
                Some("lift_requested") => {
                    let body = json!({"reason": "同意摘牌", "version": version});
                    app.post(&format!("/api/v1/hazards/{id}/supervision/lift"), &body).await
                }
                Some("listed") => {
                    let body = json!({"level": level, "reason": "更正", "version": version});
                    app.patch(&format!("/api/v1/hazards/{id}/supervision"), &body).await
                }
                _ => return,
            }
        };
        assert_eq!(r.status, 200, "{:?}", r.body);
        self.hazards[i].supervision = r.body["supervision"]["state"].as_str().map(String::from);
        self.wrote(app);
    }

    async fn move_unit(&mut self, app: &TestApp) {
        let unit = self.pick(&self.units.clone()).cloned().unwrap_or_default();
        let to = self.pick(&self.communities.clone()).cloned().unwrap_or_default();
        let current = app.get(&format!("/api/v1/units/{unit}")).await;
        let version = current.body["version"].clone();
        let r = app.patch(&format!("/api/v1/units/{unit}"), &json!({"community_id": to, "version": version})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        self.wrote(app);
    }

    async fn enforce(&mut self, app: &TestApp) {
        let unit = self.pick(&self.units.clone()).cloned().unwrap_or_default();
        let measure = if self.rng.random_bool(0.5) { "warning" } else { "case_transferred" };
        let mut outcome = json!({"unit_id": unit, "violations_found": 1, "measure": measure});
        if measure == "case_transferred" {
            outcome["transferred_to"] = json!("market_supervision");
        }
        let body = json!({
            "held_on": local_date(Self::now(app)).to_string(), "lead_department": "fire", "departments": ["police_station"],
            "summary": "联合检查", "outcomes": [outcome],
        });
        let r = app.post("/api/v1/enforcement-actions", &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        self.wrote(app);
    }
}

/// Builds a history of `steps` writes.
async fn history(app: &TestApp, seed: u64, steps: usize) -> History {
    app.clock.set("2026-01-25T02:00:00Z".parse().expect("moment"));
    let mut h = History {
        rng: ChaCha8Rng::seed_from_u64(seed),
        grng: ChaCha8Rng::seed_from_u64(seed ^ 0x5eed),
        communities: Vec::new(),
        units: Vec::new(),
        campaigns: Vec::new(),
        hazards: Vec::new(),
        pending: Vec::new(),
        moments: Vec::new(),
    };
    for code in ["PA", "PB", "PC"] {
        h.communities.push(app.community(&format!("{code}{seed}")).await);
    }
    for i in 0..6 {
        let community = h.communities[i % 3].clone();
        h.units.push(app.unit(&community, KINDS[i % KINDS.len()]).await);
    }
    h.campaigns.push(app.campaign(&format!("百日攻坚{seed}")).await);
    h.campaigns.push(app.campaign(&format!("燃气专项{seed}")).await);
    for _ in 0..steps {
        let hours = h.rng.random_range(1..30);
        app.clock.advance(Duration::hours(hours) + Duration::microseconds(h.rng.random_range(0..1_000_000)));
        match h.rng.random_range(0..100) {
            0..=39 => h.inspect(app).await,
            40..=59 => h.rectify(app).await,
            60..=79 => h.verify(app).await,
            80..=86 => h.void(app).await,
            87..=93 => h.extend(app).await,
            94..=96 => h.move_unit(app).await,
            _ => h.enforce(app).await,
        }
        if h.grng.random_bool(0.15) {
            app.clock.advance(Duration::minutes(h.grng.random_range(1..120)));
            h.govern(app).await;
        }
    }
    h
}

/// Moments to ask about: exact moments of writes and the microsecond before, the local
/// midnights overdue periods begin at, random moments, and now.
fn moments(h: &mut History, now: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
    let first = h.moments.first().copied().unwrap_or(now);
    let mut out = vec![now];
    for _ in 0..count {
        let m = match h.rng.random_range(0..4) {
            0 => h.moments[h.rng.random_range(0..h.moments.len())],
            1 => h.moments[h.rng.random_range(0..h.moments.len())] - Duration::microseconds(1),
            2 => {
                let day = local_date(first) + Duration::days(h.rng.random_range(0..((now - first).num_days() + 2)));
                safetrace::domain::tally::start_of_day(day, TZ).0
            }
            _ => first + Duration::seconds(h.rng.random_range(0..(now - first).num_seconds().max(1))),
        };
        out.push(m.min(now));
    }
    out
}

/// A random period around the history: whole months, odd days, one day.
fn period(h: &mut History, first: NaiveDate, last: NaiveDate) -> (NaiveDate, NaiveDate) {
    let span = (last - first).num_days().max(1);
    match h.rng.random_range(0..4) {
        0 => (
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or(first),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or(last),
        ),
        1 => {
            let m = first + Duration::days(h.rng.random_range(0..span));
            let start = m.with_day0(0).unwrap_or(m);
            let end = start.checked_add_months(chrono::Months::new(1)).unwrap_or(start) - Duration::days(1);
            (start, end)
        }
        2 => {
            let a = first + Duration::days(h.rng.random_range(-5..span));
            (a, a)
        }
        _ => {
            let a = first + Duration::days(h.rng.random_range(-5..span));
            let b = a + Duration::days(h.rng.random_range(0..span + 10));
            (a, b)
        }
    }
}

use chrono::Datelike;

fn filter(h: &mut History, from: NaiveDate, to: NaiveDate, as_of: DateTime<Utc>) -> Filter {
    let id = |s: &String| s.parse::<Id>().expect("id");
    let community_id = if h.rng.random_bool(0.25) { h.pick(&h.communities.clone()).map(id) } else { None };
    let campaign_id = if h.rng.random_bool(0.2) { h.pick(&h.campaigns.clone()).map(id) } else { None };
    let unit_kind = if h.rng.random_bool(0.2) { Some(UnitKind::ALL[h.rng.random_range(0..3)]) } else { None };
    let category =
        if h.rng.random_bool(0.2) { CATEGORIES[h.rng.random_range(0..3)].parse::<HazardCategory>().ok() } else { None };
    let scope = if h.rng.random_bool(0.2) { Some(h.communities[..2].iter().map(id).collect()) } else { None };
    let as_of = Moment::new(as_of);
    Filter {
        from,
        to,
        as_of,
        as_of_date: local_date(as_of.0),
        community_id,
        unit_kind,
        category,
        campaign_id,
        scope,
        leader_led_only: false,
        tz: TZ,
    }
}

/// Every figure of a summary, from the counters and from the replay: equal.
async fn compare(app: &TestApp, f: Filter, context: String) {
    let result = app
        .state
        .db(move |conn| {
            let replay = Method::replay(conn, f.as_of)?;
            let groups = [
                GroupBy::Community,
                GroupBy::Category,
                GroupBy::Level,
                GroupBy::Campaign,
                GroupBy::UnitKind,
                GroupBy::Month,
            ];
            let mut pairs = Vec::new();
            // Asked alone (the summary's way), then all together (the monthly report's).
            let mut asked: Vec<Vec<GroupBy>> = groups.iter().map(|g| vec![*g]).collect();
            asked.push(Vec::new());
            asked.push(groups.to_vec());
            for gs in asked {
                let fast = store::figures(conn, &f, &gs, Method::Counters, Lang::Zh)?;
                let slow = store::figures(conn, &f, &gs, replay, Lang::Zh)?;
                let json = |x: &store::Figures| json!({"totals": x.totals, "leader_led": x.leader_led, "rows": x.rows});
                pairs.push((format!("{gs:?}"), json(&fast), json(&slow)));
            }
            Ok((f, pairs))
        })
        .await
        .expect("the reports run");
    let (f, pairs) = result;
    for (what, fast, slow) in pairs {
        assert_eq!(fast, slow, "{what} differs from the replay ({context}): {f:?}");
    }
}

/// The counters' tables, every row that counts something, in key order.
async fn counter_tables(app: &TestApp) -> Vec<String> {
    app.state
        .db(|conn| {
            use diesel::prelude::*;
            use safetrace::db::schema::{
                hazard_tallies_days, hazard_tallies_days_by_category, hazard_tallies_edges,
                hazard_tallies_edges_by_category, hazard_tallies_months, hazard_tallies_months_by_category,
                unit_presence as p,
            };
            type Key = (NaiveDate, NaiveDate, Id, String, Id, bool);
            type KeyByCategory = (NaiveDate, NaiveDate, Id, String, String, String, Id, bool);
            type Sums = (i64, i64, i64, i64, i64, i64, i64);
            type Governed = (i64, i64, i64, i64, i64, i64);
            let mut out: Vec<String> = Vec::new();
            macro_rules! rollup {
                ($t:ident, $key:ty, ($($k:ident),+)) => {{
                    let rows: Vec<($key, Sums, Governed)> = $t::table
                        .select((
                            ($($t::$k),+),
                            ($t::found, $t::closed, $t::voided, $t::open, $t::pending, $t::major_open, $t::overdue),
                            (
                                $t::major_with_plan,
                                $t::major_plan_complete,
                                $t::major_supervised,
                                $t::major_supervised_province,
                                $t::major_supervised_lifted,
                                $t::hazards_recurrent,
                            ),
                        ))
                        .load(conn)?;
                    out.extend(
                        rows.into_iter()
                            .filter(|r| r.1 != (0, 0, 0, 0, 0, 0, 0) || r.2 != (0, 0, 0, 0, 0, 0))
                            .map(|r| format!("{} {r:?}", stringify!($t))),
                    );
                }};
            }
            macro_rules! rollups {
                ($($coarse:ident / $fine:ident),+) => {$(
                    rollup!($coarse, Key, (found_bucket, at_bucket, community_id, unit_kind, campaign_key, leader_led));
                    rollup!($fine, KeyByCategory, (found_bucket, at_bucket, community_id, unit_kind, category, level, campaign_key, leader_led));
                )+};
            }
            rollups!(
                hazard_tallies_months / hazard_tallies_months_by_category,
                hazard_tallies_days / hazard_tallies_days_by_category,
                hazard_tallies_edges / hazard_tallies_edges_by_category
            );
            type CellKey = (String, i32, NaiveDate, NaiveDate, Id, String, String, String, Id, bool);
            type Cell = (Vec<u8>, i64, Moment);
            let cells: Vec<(CellKey, Cell)> = p::table
                .select((
                    (
                        p::source,
                        p::grain,
                        p::recorded_bucket,
                        p::found_bucket,
                        p::community_id,
                        p::unit_kind,
                        p::category,
                        p::level,
                        p::campaign_key,
                        p::leader_led,
                    ),
                    (p::units, p::row_count, p::last_recorded_at),
                ))
                .load(conn)?;
            out.extend(cells.into_iter().filter(|c| c.1 .1 > 0).map(|c| format!("{c:?}")));
            out.sort();
            Ok(out)
        })
        .await
        .expect("the counters read")
}

async fn run(engine: Engine) {
    // One account records and verifies: the office of one person the setting is for.
    let mut config = AppConfig { require_evidence: false, allow_self_verification: true, ..test_config() };
    config.clock_skew_seconds = 300;
    let seeds: u64 = std::env::var("SAFETRACE_PROPERTY_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let steps: usize = std::env::var("SAFETRACE_PROPERTY_STEPS").ok().and_then(|s| s.parse().ok()).unwrap_or(160);
    let mut lifted = 0;
    for seed in 0..seeds {
        let app = TestApp::fresh_with(engine, AppConfig { data_dir: test_config().data_dir, ..config.clone() }).await;
        let mut h = history(&app, seed, steps).await;
        let now = app.clock_now().0;
        // The history holds what the counters must get right.
        let year = app.get("/api/v1/reports/summary?from=2026-01-01&to=2026-12-31&group_by=month").await;
        let t = &year.body["totals"];
        for counter in [
            "hazards_closed",
            "hazards_voided",
            "hazards_overdue",
            "hazards_found_major",
            "hazards_pending_verification",
            "major_with_plan",
            "major_plan_complete",
            "major_supervised",
            "hazards_recurrent",
        ] {
            assert!(t[counter].as_i64().unwrap_or(0) > 0, "seed {seed}: no {counter} in {t}");
        }
        assert!(t["rectification_cost"].as_f64().unwrap_or(0.0) > 0.0, "seed {seed}: no cost in {t}");
        lifted += t["major_supervised_lifted"].as_i64().unwrap_or(0);
        let first = local_date(h.moments.first().copied().unwrap_or(now)) - Duration::days(20);
        let last = local_date(now);
        for (k, as_of) in moments(&mut h, now, 24).into_iter().enumerate() {
            let (from, to) = period(&mut h, first, last);
            let f = filter(&mut h, from, to, as_of);
            compare(&app, f, format!("seed {seed}, question {k}")).await;
        }
        // Rebuilt from the events, the counters are what the writes made them.
        let written = counter_tables(&app).await;
        let tz = TZ;
        app.state.db(move |conn| safetrace::tallies::rebuild::rebuild(conn, tz)).await.expect("the counters rebuild");
        assert_eq!(counter_tables(&app).await, written, "seed {seed}: the rebuild differs from the writes");
        let f = filter(&mut h, first, last, now);
        compare(&app, f, format!("seed {seed}, after the rebuild")).await;
    }
    assert!(seeds < 3 || lifted > 0, "no history lifted a supervision");
}

mod counters_match_the_replay {
    use super::*;

    #[actix_web::test]
    async fn sqlite() {
        run(Engine::Sqlite).await
    }

    #[actix_web::test]
    async fn postgres() {
        if std::env::var(PG_ENV).ok().filter(|u| !u.is_empty()).is_none() {
            eprintln!("{PG_ENV} unset: PostgreSQL case not run");
            return;
        }
        run(Engine::Postgres).await
    }
}
