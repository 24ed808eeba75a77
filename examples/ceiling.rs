//! What the database itself can do, for `bench/run.sh` to compare safetrace against:
//!
//! * `sqlite-submit <sqlite-file> <seconds>`: the INSERTs of one phone submission (an
//!   inspection, three hazards, their three events) in one `BEGIN IMMEDIATE` transaction,
//!   from a bare Rust loop on one connection: no HTTP, no JSON, no checks.
//! * `report <database-url> <YYYY-MM> <runs>`: the monthly report's SQL run directly
//!   through the library, without HTTP or JSON.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::json;

use safetrace::db::schema::{inspections, units};
use safetrace::domain::actor::Actor;
use safetrace::domain::*;
use safetrace::hazards::model::{NewHazard, Origin};
use safetrace::inspections::model::InspectionRow;
use safetrace::{Id, Moment};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("sqlite-submit") => sqlite_submit(&args[2], args[3].parse().unwrap_or(10)),
        Some("report") => report(&args[2], &args[3], args[4].parse().unwrap_or(5)),
        _ => {
            eprintln!("usage: ceiling sqlite-submit <file> <seconds> | report <url> <YYYY-MM> <runs>");
            std::process::exit(2);
        }
    }
}

fn sqlite_submit(file: &str, seconds: u64) {
    let pool = safetrace::db::connect(file, 1).expect("database");
    let mut conn = pool.get().expect("connection");
    let (unit_id, community_id, unit_no, unit_name, unit_address): (Id, Id, i64, String, String) = units::table
        .select((units::id, units::community_id, units::unit_no, units::name, units::address))
        .first(&mut conn)
        .expect("a unit (run generate first)");
    let actor = Actor::named("ceiling");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut n = 0u64;
    let mut latencies = Vec::new();
    while Instant::now() < deadline {
        let t = Instant::now();
        let now = Moment::new(chrono::Utc::now());
        let inspection_id = Id::new_v7();
        let row = InspectionRow {
            id: inspection_id,
            unit_id,
            community_id,
            unit_kind: UnitKind::Restaurant,
            campaign_id: None,
            inspected_at: now,
            inspected_on: now.0.date_naive(),
            inspectors: json!(["张三", "李四"]).to_string(),
            leader_led: false,
            latitude: None,
            longitude: None,
            notes: None,
            request_hash: "ceiling".into(),
            recorded_at: now,
            created_by: None,
        };
        let due = Some(now.0.date_naive() + chrono::Duration::days(30));
        let hazards: Vec<NewHazard> = [HazardCategory::Gas, HazardCategory::Electrical, HazardCategory::Evacuation]
            .into_iter()
            .map(|category| NewHazard {
                id: None,
                category,
                level: HazardLevel::General,
                handling_type: HandlingType::Deadline,
                description: "燃气软管老化".into(),
                deadline: due,
                note: None,
                source: Some(HazardSource::Routine),
                found_by: None,
                legal_basis: None,
                responsible_person: None,
                photo_ids: Vec::new(),
            })
            .collect();
        let origin = Origin {
            inspection_id,
            unit_id,
            community_id,
            unit_kind: UnitKind::Restaurant,
            campaign_id: None,
            leader_led: false,
            found_at: now,
            found_on: now.0.date_naive(),
            recorded_at: now,
            unit_no,
            unit_name: unit_name.clone(),
            unit_address: unit_address.clone(),
            recurrence_days: 365,
        };
        conn.write(|c| -> Result<(), safetrace::error::ApiError> {
            diesel::insert_into(inspections::table).values(&row).execute(c)?;
            safetrace::hazards::store::create_batch(c, &origin, hazards, &actor, chrono_tz::Asia::Shanghai, None)?;
            Ok(())
        })
        .expect("insert");
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        n += 1;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{}",
        json!({"ceiling": "sqlite-submit", "transactions": n, "seconds": elapsed, "throughput": n as f64 / elapsed,
               "p50_ms": p(0.5), "p99_ms": p(0.99)})
    );
}

fn report(url: &str, month: &str, runs: usize) {
    let pool = safetrace::db::connect(url, 1).expect("database");
    let mut conn = pool.get().expect("connection");
    let (from, to) = safetrace::reports::model::month_range(month).expect("month");
    let tz = chrono_tz::Asia::Shanghai;
    let as_of = Moment::new(chrono::Utc::now());
    let f = safetrace::reports::model::Filter {
        from,
        to,
        as_of,
        as_of_date: safetrace::domain::time::local_date(as_of, tz),
        community_id: None,
        unit_kind: None,
        category: None,
        campaign_id: None,
        scope: None,
        leader_led_only: false,
        tz,
    };
    use safetrace::reports::{as_of, lines, model::GroupBy, store};
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        // The same queries in the same snapshot, rows decoded and dropped: no JSON, no file.
        conn.read_snapshot(|conn| -> safetrace::error::ApiResult<()> {
            let state = as_of::StateAsOf::at(conn, f.as_of)?;
            let groups = [GroupBy::Community, GroupBy::Category];
            store::figures(conn, &f, &groups, store::Method::Counters, labels::Lang::Zh)?;
            store::enforcement(conn, &f)?;
            lines::hazards(conn, &f, state, lines::HazardList::Overdue, |_| Ok(()))?;
            lines::hazards(conn, &f, state, lines::HazardList::Major, |_| Ok(()))?;
            lines::enforcement(conn, &f, |_| Ok(()))?;
            lines::leader_led(conn, &f, state, |_| Ok(()))
        })
        .expect("the report's queries");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{}",
        json!({"ceiling": "report-sql", "runs": runs, "p50_ms": times[times.len() / 2], "min_ms": times[0]})
    );
}
