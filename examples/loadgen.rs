//! Load generator for `bench/run.sh`: drives a running safetrace over HTTP from its own
//! process with N concurrent clients for a bounded time and prints throughput and latency
//! percentiles as one JSON line per scenario.
//!
//! usage: loadgen <base-url> <token> <scenario> <clients> <seconds> [key=value…]
//! scenarios: submit (1 inspection + 3 hazards), rectify (rectification + verification of
//! one open hazard), list (the hazard list with filters), monthly (the monthly report),
//! summary (the year's summary: every grouping, with and without `as_of`, with each
//! filter, in turn), summary_as_of (the same mix, each as of a past moment),
//! search (a page of the hazard list for one of the searches `q=燃气,金茂`, in turn).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Shared {
    latencies: Vec<f64>,
    errors: usize,
    hazards: Vec<String>,
    seq: u64,
}

/// The `i`-th summary of a mix that goes through every grouping, filter and moment.
/// With `past_only`, every summary of the mix is as of a past moment.
fn summary_query(i: usize, year: &str, communities: &[String], past_only: bool) -> String {
    const GROUPS: [&str; 7] = ["", "community", "category", "level", "campaign", "unit_kind", "month"];
    const AS_OF: [&str; 5] = ["", "-03-10T01:00:00Z", "-06-15T12:34:56Z", "-09-01T00:00:00Z", "-09-15T12:34:56Z"];
    let mut q = format!("from={year}-01-01&to={year}-12-31");
    let group = GROUPS[i % GROUPS.len()];
    if !group.is_empty() {
        q.push_str(&format!("&group_by={group}"));
    }
    let moments = if past_only { &AS_OF[1..] } else { &AS_OF[..] };
    let as_of = moments[(i / GROUPS.len()) % moments.len()];
    if !as_of.is_empty() {
        q.push_str(&format!("&as_of={year}{as_of}"));
    }
    match (i / (GROUPS.len() * AS_OF.len())) % 5 {
        1 if !communities.is_empty() => q.push_str(&format!("&community_id={}", communities[i % communities.len()])),
        2 => q.push_str("&unit_kind=restaurant"),
        3 => q.push_str("&category=gas"),
        4 => q.push_str("&unit_kind=shop&category=fire_separation"),
        _ => {}
    }
    q
}

fn arg(extra: &[String], key: &str) -> Option<String> {
    extra.iter().find_map(|a| a.strip_prefix(&format!("{key}=")).map(str::to_string))
}

async fn send(
    client: &awc::Client,
    method: &str,
    url: &str,
    token: &str,
    body: Option<&Value>,
) -> Result<Value, String> {
    let req = match method {
        "POST" => client.post(url),
        _ => client.get(url),
    }
    .insert_header(("authorization", format!("Bearer {token}")));
    let mut res = match body {
        Some(b) => req.send_json(b).await,
        None => req.send().await,
    }
    .map_err(|e| e.to_string())?;
    let bytes = res.body().limit(256 * 1024 * 1024).await.map_err(|e| e.to_string())?;
    if !res.status().is_success() {
        return Err(format!("{} {}", res.status(), String::from_utf8_lossy(&bytes[..bytes.len().min(300)])));
    }
    Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 6 {
        eprintln!("usage: loadgen <base-url> <token> <scenario> <clients> <seconds> [key=value…]");
        std::process::exit(2);
    }
    let (base, token, scenario) = (args[1].clone(), args[2].clone(), args[3].clone());
    let clients: usize = args[4].parse().unwrap_or(1);
    let seconds: u64 = args[5].parse().unwrap_or(10);
    let extra: Vec<String> = args[6..].to_vec();
    actix_rt::System::new().block_on(async move {
        let client = awc::Client::builder().timeout(Duration::from_secs(120)).finish();
        let units: Vec<String> = arg(&extra, "units").map(|s| s.split(',').map(str::to_string).collect()).unwrap_or_default();
        let communities: Vec<String> =
            arg(&extra, "communities").map(|s| s.split(',').map(str::to_string).collect()).unwrap_or_default();
        let month = arg(&extra, "month").unwrap_or_else(|| "2026-06".into());
        let year = arg(&extra, "year").unwrap_or_else(|| "2026".into());
        let searches: Vec<String> = arg(&extra, "q")
            .map(|s| s.split(',').map(|q| form_urlencoded::byte_serialize(q.as_bytes()).collect()).collect())
            .unwrap_or_default();
        let shared = Rc::new(RefCell::new(Shared { latencies: Vec::new(), errors: 0, hazards: Vec::new(), seq: 0 }));
        if scenario == "rectify" {
            // Open hazards to rectify, gathered before the clock starts.
            let mut cursor = String::new();
            while shared.borrow().hazards.len() < clients * seconds as usize * 200 {
                let url = format!("{base}/api/v1/hazards?status=open&handling_type=deadline&limit=500&cursor={cursor}");
                let page = match send(&client, "GET", &url, &token, None).await {
                    Ok(p) => p,
                    Err(e) => {
                        eprintln!("{e}");
                        break;
                    }
                };
                let items = page["items"].as_array().cloned().unwrap_or_default();
                shared.borrow_mut().hazards.extend(items.iter().filter_map(|h| h["id"].as_str().map(str::to_string)));
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = c.to_string(),
                    None => break,
                }
            }
        }
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for worker in 0..clients {
            let (client, base, token, shared) = (client.clone(), base.clone(), token.clone(), shared.clone());
            let (units, communities, month, scenario) = (units.clone(), communities.clone(), month.clone(), scenario.clone());
            let year = year.clone();
            let searches = searches.clone();
            tasks.push(actix_rt::spawn(async move {
                let mut i = worker;
                while Instant::now() < deadline {
                    i += clients;
                    let t = Instant::now();
                    let result = match scenario.as_str() {
                        "submit" => {
                            let unit = &units[i % units.len().max(1)];
                            let h = |c: &str| json!({"category": c, "level": "general", "handling_type": "deadline",
                                                      "description": "燃气软管老化", "deadline": "2026-12-31"});
                            let body = json!({"unit_id": unit, "inspected_at": "2026-11-20T10:00:00+08:00",
                                              "inspectors": ["张三", "李四"], "leader_led": false,
                                              "hazards": [h("gas"), h("electrical"), h("evacuation")]});
                            send(&client, "POST", &format!("{base}/api/v1/inspections"), &token, Some(&body)).await.map(|_| ())
                        }
                        "rectify" => {
                            let next = shared.borrow_mut().hazards.pop();
                            match next {
                                None => break,
                                Some(hazard) => {
                                    let body = json!({"measures": "已整改", "completed_at": "2026-11-24T10:00:00+08:00", "evidence_ids": []});
                                    let url = format!("{base}/api/v1/hazards/{hazard}/rectifications");
                                    match send(&client, "POST", &url, &token, Some(&body)).await {
                                        Ok(r) => {
                                            let id = r["id"].as_str().unwrap_or_default().to_string();
                                            let url = format!("{base}/api/v1/rectifications/{id}/verification");
                                            send(&client, "POST", &url, &token, Some(&json!({"outcome": "pass"}))).await.map(|_| ())
                                        }
                                        Err(e) => Err(e),
                                    }
                                }
                            }
                        }
                        "list" => {
                            let c = &communities[i % communities.len().max(1)];
                            let url = format!("{base}/api/v1/hazards?community_id={c}&status=open&limit=50");
                            send(&client, "GET", &url, &token, None).await.map(|_| ())
                        }
                        "search" => {
                            let q = searches.get(i % searches.len().max(1)).cloned().unwrap_or_default();
                            let url = format!("{base}/api/v1/hazards?q={q}&limit=50");
                            send(&client, "GET", &url, &token, None).await.map(|_| ())
                        }
                        "monthly" => {
                            let url = format!("{base}/api/v1/reports/monthly?month={month}");
                            send(&client, "GET", &url, &token, None).await.map(|_| ())
                        }
                        "summary" | "summary_as_of" => {
                            let past_only = scenario == "summary_as_of";
                            let query = summary_query(i, &year, &communities, past_only);
                            let url = format!("{base}/api/v1/reports/summary?{query}");
                            send(&client, "GET", &url, &token, None).await.map(|_| ())
                        }
                        other => Err(format!("unknown scenario {other}")),
                    };
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    let mut s = shared.borrow_mut();
                    match result {
                        Ok(()) => s.latencies.push(ms),
                        Err(e) => {
                            if s.errors < 3 {
                                eprintln!("error: {e}");
                            }
                            s.errors += 1;
                        }
                    }
                    s.seq += 1;
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
        let elapsed = started.elapsed().as_secs_f64();
        let mut s = shared.borrow_mut();
        s.latencies.sort_by(|a, b| a.total_cmp(b));
        let n = s.latencies.len();
        let out = json!({
            "scenario": scenario, "clients": clients, "seconds": elapsed, "requests": n, "errors": s.errors,
            "throughput": n as f64 / elapsed,
            "p50_ms": percentile(&s.latencies, 0.50), "p95_ms": percentile(&s.latencies, 0.95),
            "p99_ms": percentile(&s.latencies, 0.99),
        });
        println!("{out}");
    });
}
