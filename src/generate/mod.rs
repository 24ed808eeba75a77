//! `safetrace generate`: a realistic synthetic year for a subdistrict, the same records
//! for the same seed, loaded in batches (COPY on PostgreSQL, a prepared INSERT on SQLite).

mod bulk;
mod load;

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use crate::campaigns::model::Campaign;
use crate::communities::model::Community;
use crate::db::DbPool;
use crate::domain::time::local_date;
use crate::domain::*;
use crate::domain::{Id, Moment};
use crate::enforcement::model::{ActionRow, OutcomeRow};
use crate::hazards::model::{HazardEventRow, HazardRow};
use crate::inspections::model::InspectionRow;
use crate::rectifications::model::RectificationRow;
use crate::search::{self, UnitGram};
use crate::units::model::Unit;
use crate::users::model::UserRow;

/// What to generate.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    /// How many hazards (the other records follow the proportions of a real year).
    #[arg(long, default_value_t = 10_000)]
    pub hazards: usize,
    /// The same seed gives the same records, ids included.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Share of deadline hazards rectified and verified by the end of the year.
    #[arg(long, default_value_t = 0.75)]
    pub closure_rate: f64,
    /// The first day of the generated year.
    #[arg(long, default_value = "2026-01-01")]
    pub from: NaiveDate,
    /// Number of days covered.
    #[arg(long, default_value_t = 320)]
    pub days: i64,
    /// Spread the hazards evenly over this many years ending with the current one (each
    /// a whole year, the current one up to yesterday), instead of `--from` and `--days`.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub years: Option<u32>,
    /// Hide the progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// A stretch of days generated with its share of the hazards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: NaiveDate,
    pub days: i64,
    pub hazards: usize,
}

impl GenerateArgs {
    /// The stretches to generate: `--from` and `--days`, or `--years` ending with the year
    /// of `today`, the hazards shared evenly (the earliest years take the remainder).
    pub fn spans(&self, today: NaiveDate) -> Vec<Span> {
        let Some(years) = self.years else {
            return vec![Span { from: self.from, days: self.days, hazards: self.hazards }];
        };
        let n = years as usize;
        (0..n)
            .map(|i| {
                let year = today.year() - (n - 1 - i) as i32;
                let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
                // The current year up to yesterday: nothing is generated after now.
                let end = if year == today.year() {
                    today - Duration::days(1)
                } else {
                    NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or(today)
                };
                let hazards = self.hazards / n + usize::from(i < self.hazards % n);
                Span { from, days: (end - from).num_days().max(1), hazards }
            })
            .collect()
    }
}

const COMMUNITIES: &[&str] = &[
    "金茂路",
    "新开铺",
    "桂花坪",
    "赤岭路",
    "南湖",
    "书院路",
    "青园",
    "井湾子",
    "洞井",
    "黎托",
    "东塘",
    "侯家塘",
    "左家塘",
    "雨花亭",
    "砂子塘",
    "高桥",
    "东山",
    "圭塘",
    "同升",
    "跳马",
];

/// Deterministic ids and choices from the seed.
struct Gen {
    rng: ChaCha8Rng,
}

impl Gen {
    /// A v7 id carrying `at` as its time, with random bits from the seed.
    fn id(&mut self, at: Moment) -> Id {
        let mut bytes = [0u8; 10];
        self.rng.fill_bytes(&mut bytes);
        let millis = at.0.timestamp_millis().max(0) as u64;
        Id(uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid())
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    fn pick<T: Copy>(&mut self, weighted: &[(T, u32)]) -> T {
        let total: u32 = weighted.iter().map(|(_, w)| w).sum();
        let mut x = self.rng.random_range(0..total);
        for (v, w) in weighted {
            if x < *w {
                return *v;
            }
            x -= w;
        }
        weighted[0].0
    }
}

const KINDS: &[(UnitKind, u32)] = &[
    (UnitKind::Restaurant, 35),
    (UnitKind::Shop, 40),
    (UnitKind::Factory, 6),
    (UnitKind::Warehouse, 5),
    (UnitKind::ConstructionSite, 3),
    (UnitKind::Hotel, 5),
    (UnitKind::Market, 2),
    (UnitKind::Other, 4),
];

fn categories_for(kind: UnitKind) -> &'static [(HazardCategory, u32)] {
    use HazardCategory::*;
    match kind {
        UnitKind::Restaurant => {
            &[(Gas, 60), (FireEquipment, 12), (Electrical, 10), (Evacuation, 10), (FireSeparation, 4), (Other, 4)]
        }
        UnitKind::Shop => &[(FireSeparation, 35), (Electrical, 25), (Evacuation, 20), (FireEquipment, 15), (Other, 5)],
        UnitKind::Factory | UnitKind::Warehouse => &[
            (HazardousChemicals, 15),
            (Electrical, 20),
            (FireEquipment, 20),
            (Structural, 10),
            (Occupational, 15),
            (Evacuation, 15),
            (Other, 5),
        ],
        _ => &[(Electrical, 25), (FireEquipment, 25), (Evacuation, 25), (Structural, 10), (Gas, 10), (Other, 5)],
    }
}

/// Stored as the generator user's password hash: not a PHC string, so no password verifies
/// against it (as `!` locks an account in /etc/shadow).
const NO_PASSWORD: &str = "!";

/// Generates and loads the data set; answers a one-line summary.
pub fn run(pool: &DbPool, args: &GenerateArgs, tz: Tz) -> Result<String, String> {
    let started = std::time::Instant::now();
    let mut g = Gen { rng: ChaCha8Rng::seed_from_u64(args.seed) };
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let engine = conn.engine();
    let mut loader = load::Loader::prepare(&mut conn)?;
    let today = local_date(crate::clock::Clock::now(&crate::clock::SystemClock), tz);
    let spans = args.spans(today);
    let first = spans.first().map_or(args.from, |s| s.from);
    let t0 = Moment::new(morning(first, tz)? - Duration::days(30));

    // The people and places. The user the records name as their author is inactive and
    // has no password, so nobody logs in as it (and the first start still makes `admin`).
    let user = UserRow {
        id: g.id(t0),
        username: format!("generator-{}", args.seed),
        password_hash: NO_PASSWORD.into(),
        display_name: Some("数据生成".into()),
        role: Role::Supervisor,
        all_communities: true,
        active: false,
        version: 1,
        created_at: t0,
        updated_at: t0,
        created_by: None,
        must_change_password: false,
    };
    let n_communities = (args.hazards / 5_000).clamp(5, COMMUNITIES.len());
    let communities: Vec<Community> = COMMUNITIES[..n_communities]
        .iter()
        .enumerate()
        .map(|(i, name)| Community {
            id: g.id(t0),
            name: format!("{name}社区"),
            code: format!("G{}-{i:02}", args.seed),
            version: 1,
            created_at: t0,
            updated_at: t0,
            created_by: Some(user.id),
        })
        .collect();
    let n_units = (args.hazards / 3).max(20);
    let numbers = crate::units::store::next_numbers(&mut conn, n_units).map_err(|e| e.to_string())?;
    let mut units = Vec::with_capacity(n_units);
    for (i, unit_no) in numbers.into_iter().enumerate() {
        let community = &communities[g.rng.random_range(0..communities.len())];
        let kind = g.pick(KINDS);
        units.push(Unit {
            id: g.id(t0),
            community_id: community.id,
            name: format!(
                "{}{}号{}",
                community.name.trim_end_matches("社区"),
                i + 1,
                crate::domain::labels::unit_kind(kind, crate::domain::labels::Lang::Zh)
            ),
            kind,
            status: UnitStatus::Active,
            address: format!("{}{}号", community.name.trim_end_matches("社区"), i + 1),
            credit_code: None,
            contact_name: None,
            contact_phone: None,
            latitude: None,
            longitude: None,
            version: 1,
            created_at: t0,
            updated_at: t0,
            created_by: Some(user.id),
            unit_no,
        });
    }
    // Each stretch has its campaigns, on the same days of its year.
    let mut campaigns: Vec<Campaign> = Vec::new();
    for span in &spans {
        for (name, a, b) in [
            ("百日攻坚", 0, 100),
            ("燃气安全专项整治", 60, 150),
            ("消防安全大排查", 180, 240),
            ("节前安全检查", 280, 300),
        ] {
            campaigns.push(Campaign {
                id: g.id(t0),
                name: if spans.len() > 1 { format!("{}年{name}", span.from.year()) } else { name.to_string() },
                starts_on: span.from + Duration::days(a),
                ends_on: span.from + Duration::days(b),
                description: None,
                version: 1,
                created_at: t0,
                updated_at: t0,
                created_by: Some(user.id),
            });
        }
    }
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), "people and places made");
    let t = std::time::Instant::now();
    let mut unit_grams: Vec<UnitGram> = units.iter().flat_map(search::unit_grams).collect();
    unit_grams.sort_by(|a, b| (&a.gram, a.created_at, a.unit_id).cmp(&(&b.gram, b.created_at, b.unit_id)));
    loader.people_and_places(&mut conn, &user, &communities, &units, &unit_grams, &campaigns)?;
    drop(unit_grams);
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "people and places loaded");

    let bar =
        if args.quiet { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new(args.hazards as u64) };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} hazards {per_sec}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    // Generating (here) and loading (the database) side by side, one core each: a thread
    // makes the batches, in the seed's order, and hands them over two at most ahead.
    let world = World {
        args,
        tz,
        spans: &spans,
        user: user.id,
        communities: &communities,
        units: &units,
        campaigns: &campaigns,
    };
    let t = std::time::Instant::now();
    let totals = std::thread::scope(|s| -> Result<load::Counts, String> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<load::Ready>(2);
        let bar = &bar;
        let producer = s.spawn(move || produce(g, &world, bar, |batch| tx.send(load::ready(engine, batch)).is_ok()));
        let totals = loader.load(&mut conn, pool, rx)?;
        producer.join().map_err(|_| "the generating thread panicked".to_string())?;
        Ok(totals)
    })?;
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "generated and loaded");
    let t = std::time::Instant::now();
    loader.finish(&mut conn, pool)?;
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "finished");
    let t = std::time::Instant::now();
    crate::tallies::rebuild::rebuild(&mut conn, tz).map_err(|e| e.problem().detail)?;
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "counters rebuilt");
    bar.finish_and_clear();
    Ok(format!(
        "generated {} inspections, {} hazards, {} events, {} rectifications, {} enforcement actions in {:.1} s (seed {})",
        totals.inspections,
        totals.hazards,
        totals.events,
        totals.rectifications,
        totals.actions,
        started.elapsed().as_secs_f64(),
        args.seed
    ))
}

/// Hazards per batch (with their inspections and histories: about 3.5 rows each), written
/// in one transaction. Big batches rewrite fewer pages of the primary-key indexes, which
/// every batch touches all over (ids are random within the year).
const BATCH_HAZARDS: usize = 100_000;

/// What the records refer to.
struct World<'a> {
    args: &'a GenerateArgs,
    tz: Tz,
    spans: &'a [Span],
    user: Id,
    communities: &'a [Community],
    units: &'a [Unit],
    campaigns: &'a [Campaign],
}

/// Makes the inspections, hazards and their histories, then the enforcement actions, and
/// hands them to `emit` batch by batch (until it answers false: the loading stopped).
fn produce(mut g: Gen, w: &World, bar: &indicatif::ProgressBar, mut emit: impl FnMut(load::Batch) -> bool) {
    let mut batch = load::Batch::default();
    for span in w.spans {
        let Ok(start) = morning(span.from, w.tz) else { continue };
        if !produce_span(&mut g, w, *span, start, bar, &mut batch, &mut emit) {
            return;
        }
    }
    emit(batch);
}

/// The morning of a local date (08:00), when a generated stretch begins.
fn morning(day: NaiveDate, tz: Tz) -> Result<chrono::DateTime<Utc>, String> {
    tz.from_local_datetime(&day.and_hms_opt(8, 0, 0).unwrap_or_default())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("no 08:00 on {day} in {tz}"))
}

/// One stretch's inspections, hazards with their histories (up to the stretch's end) and
/// enforcement actions, into `batch`, handed to `emit` when full. False when the loading
/// stopped.
fn produce_span(
    g: &mut Gen,
    w: &World,
    span: Span,
    start: chrono::DateTime<Utc>,
    bar: &indicatif::ProgressBar,
    batch: &mut load::Batch,
    emit: &mut impl FnMut(load::Batch) -> bool,
) -> bool {
    let World { args, tz, user, communities, units, campaigns, .. } = *w;
    let end = start + Duration::days(span.days);
    let mut made = 0usize;
    while made < span.hazards {
        // One inspection with 0–3 hazards (1.4 on average, as in a real year).
        let unit = &units[g.rng.random_range(0..units.len())];
        let offset = g.rng.random_range(0..(span.days * 86_400).max(1));
        let inspected_at = Moment::new(start + Duration::seconds(offset));
        let recorded_at = Moment::new(inspected_at.0 + Duration::seconds(g.rng.random_range(30..3_600)));
        let campaign = campaigns
            .iter()
            .find(|c| (c.starts_on..=c.ends_on).contains(&local_date(inspected_at, tz)) && g.chance(0.5))
            .map(|c| c.id);
        let leader_led = g.chance(0.04);
        let n_hazards = g.pick(&[(0usize, 15), (1, 45), (2, 30), (3, 10)]).min(span.hazards - made);
        let inspection_id = g.id(recorded_at);
        let found_on = local_date(inspected_at, tz);
        batch.inspections.push(InspectionRow {
            id: inspection_id,
            unit_id: unit.id,
            community_id: unit.community_id,
            unit_kind: unit.kind,
            campaign_id: campaign,
            inspected_at,
            inspected_on: found_on,
            inspectors: json!(["检查员甲", "检查员乙"]).to_string(),
            leader_led,
            latitude: None,
            longitude: None,
            notes: None,
            request_hash: format!("generated-{inspection_id}"),
            recorded_at,
            created_by: Some(user),
        });
        for _ in 0..n_hazards {
            hazard(g, batch, args, unit, inspection_id, campaign, leader_led, inspected_at, recorded_at, end, user, tz);
        }
        made += n_hazards;
        bar.inc(n_hazards as u64);
        if batch.hazards.len() >= BATCH_HAZARDS && !emit(std::mem::take(batch)) {
            return false;
        }
    }
    // Joint enforcement: about one action per hundred hazards.
    let n_actions = (span.hazards / 94).max(1);
    for _ in 0..n_actions {
        let held_on = span.from + Duration::days(g.rng.random_range(0..span.days));
        let at = Moment::new(
            tz.from_local_datetime(&held_on.and_hms_opt(18, 0, 0).unwrap_or_default())
                .single()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(start),
        );
        let action_id = g.id(at);
        let community = &communities[g.rng.random_range(0..communities.len())];
        batch.actions.push(ActionRow {
            id: action_id,
            held_on,
            lead_department: Department::PoliceStation,
            departments: json!(["police_station", "market_supervision", "fire"]).to_string(),
            community_id: Some(community.id),
            summary: "联合执法检查".into(),
            request_hash: format!("generated-{action_id}"),
            recorded_at: at,
            created_by: user,
        });
        let n_outcomes = g.pick(&[(1usize, 80), (2, 20)]);
        let mut used = Vec::new();
        for position in 0..n_outcomes {
            let unit = &units[g.rng.random_range(0..units.len())];
            if used.contains(&unit.id) {
                continue;
            }
            used.push(unit.id);
            let measure = g.pick(&[
                (Measure::Warning, 56),
                (Measure::CaseTransferred, 4),
                (Measure::SuspensionOrdered, 38),
                (Measure::Closure, 2),
            ]);
            batch.outcomes.push(OutcomeRow {
                id: g.id(at),
                action_id,
                position: position as i32,
                unit_id: unit.id,
                community_id: unit.community_id,
                unit_kind: unit.kind,
                violations_found: g.rng.random_range(1..3),
                violation_description: Some("违规使用燃气".into()),
                measure,
                transferred_to: (measure == Measure::CaseTransferred).then_some(Department::MarketSupervision),
            });
        }
    }
    true
}

/// One hazard and its whole history: created; for deadline hazards, rectified and
/// verified (sometimes rejected first) to reach the closure rate, or voided, or left open.
#[allow(clippy::too_many_arguments)]
fn hazard(
    g: &mut Gen,
    batch: &mut load::Batch,
    args: &GenerateArgs,
    unit: &Unit,
    inspection_id: Id,
    campaign: Option<Id>,
    leader_led: bool,
    found_at: Moment,
    recorded_at: Moment,
    end: chrono::DateTime<Utc>,
    user: Id,
    tz: Tz,
) {
    let category = g.pick(categories_for(unit.kind));
    let level = if g.chance(0.012) { HazardLevel::Major } else { HazardLevel::General };
    let on_the_spot = g.chance(0.3);
    let found_on = local_date(found_at, tz);
    let id = g.id(recorded_at);
    let deadline = (!on_the_spot).then(|| found_on + Duration::days(g.pick(&[(7, 40), (15, 40), (30, 20)])));
    let mut status = if on_the_spot { HazardStatus::Closed } else { HazardStatus::Open };
    let event = |g: &mut Gen,
                 batch: &mut load::Batch,
                 at: Moment,
                 kind: &str,
                 from: Option<HazardStatus>,
                 to: HazardStatus,
                 dl: Option<NaiveDate>| {
        batch.events.push(HazardEventRow {
            id: g.id(at),
            hazard_id: id,
            at,
            actor: "数据生成".into(),
            actor_user_id: Some(user),
            kind: kind.into(),
            from_state: from,
            to_state: to,
            reason: None,
            details: None,
            deadline: dl,
            plan_state: None,
            supervision_level: None,
            supervision_state: None,
        });
    };
    event(g, batch, recorded_at, "created", None, status, deadline);
    let mut closed_at = on_the_spot.then_some(found_at);
    if let Some(dl) = deadline {
        let roll: f64 = g.rng.random();
        let mut t = recorded_at;
        let mut step = |g: &mut Gen, days: i64| {
            t = Moment::new(t.0 + Duration::hours(g.rng.random_range(12..24 * days.max(1))));
            t
        };
        if roll < 0.01 {
            let at = step(g, 5);
            if at.0 < end {
                event(g, batch, at, "voided", Some(status), HazardStatus::Voided, Some(dl));
                status = HazardStatus::Voided;
            }
        } else if roll < 0.01 + args.closure_rate {
            let rejected_first = g.chance(0.1);
            for attempt in 0..if rejected_first { 2 } else { 1 } {
                let submitted = step(g, 10);
                let verified = step(g, 3);
                if verified.0 >= end {
                    break;
                }
                let pass = attempt == 1 || !rejected_first;
                let rect = RectificationRow {
                    id: g.id(submitted),
                    hazard_id: id,
                    community_id: unit.community_id,
                    status: if pass { RectificationStatus::Passed } else { RectificationStatus::Rejected },
                    measures: "已按要求整改".into(),
                    responsible_person: None,
                    cost_cents: Some(g.rng.random_range(0..100_000)),
                    completed_at: submitted,
                    submitted_at: submitted,
                    submitted_by: user,
                    verified_at: Some(verified),
                    verified_by: Some(user),
                    verification_comment: (!pass).then(|| "整改不到位".to_string()),
                    request_hash: format!("generated-{id}-{attempt}"),
                    version: 2,
                };
                event(
                    g,
                    batch,
                    submitted,
                    "rectification_submitted",
                    Some(HazardStatus::Open),
                    HazardStatus::PendingVerification,
                    Some(dl),
                );
                let (kind, to) = if pass {
                    ("rectification_passed", HazardStatus::Closed)
                } else {
                    ("rectification_rejected", HazardStatus::Open)
                };
                event(g, batch, verified, kind, Some(HazardStatus::PendingVerification), to, Some(dl));
                batch.rectifications.push(rect);
                status = to;
                if pass {
                    closed_at = Some(verified);
                }
            }
        }
    }
    let description = format!("{}隐患", crate::domain::labels::category(category, crate::domain::labels::Lang::Zh));
    batch.grams.extend(search::hazard_grams(id, found_at, &description, (&unit.name, &unit.address)));
    batch.hazards.push(HazardRow {
        id,
        inspection_id,
        unit_id: unit.id,
        community_id: unit.community_id,
        unit_kind: unit.kind,
        campaign_id: campaign,
        leader_led,
        category,
        level,
        source: if campaign.is_some() { HazardSource::Campaign } else { HazardSource::Routine },
        handling_type: if on_the_spot { HandlingType::OnTheSpot } else { HandlingType::Deadline },
        description,
        legal_basis: None,
        responsible_person: None,
        note: on_the_spot.then(|| "当场整改".to_string()),
        deadline,
        status,
        found_at,
        found_on,
        recorded_at,
        closed_at,
        version: 1,
        created_by: Some(user),
        plan_state: None,
        supervision_level: None,
        supervision_state: None,
        recurrence_of: None,
        found_by: crate::domain::FoundBy::Inspection,
    });
}

#[cfg(test)]
mod span_tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: GenerateArgs,
    }

    fn args(line: &[&str]) -> GenerateArgs {
        Cli::parse_from(std::iter::once("generate").chain(line.iter().copied())).args
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn years_end_with_the_current_one_and_share_the_hazards() {
        let spans = args(&["--hazards", "10000003", "--years", "10"]).spans(d("2026-11-27"));
        assert_eq!(spans.len(), 10);
        assert_eq!(spans[0].from, d("2017-01-01"));
        assert_eq!(spans[0].days, 365);
        assert_eq!(spans[3].days, 366, "2020 is a leap year");
        assert_eq!(spans[9], Span { from: d("2026-01-01"), days: 329, hazards: 1_000_000 });
        assert_eq!(spans.iter().map(|s| s.hazards).sum::<usize>(), 10_000_003);
        assert_eq!(spans[0].hazards, 1_000_001);
    }

    #[test]
    fn without_years_one_stretch_from_the_given_day() {
        let spans = args(&["--hazards", "500", "--from", "2025-03-01", "--days", "30"]).spans(d("2026-11-27"));
        assert_eq!(spans, vec![Span { from: d("2025-03-01"), days: 30, hazards: 500 }]);
    }
}
