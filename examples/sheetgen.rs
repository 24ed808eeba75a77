//! A registry spreadsheet for `bench/import.sh`: N units with every column filled, valid
//! credit codes, spread over the given communities (by name).
//!
//! usage: sheetgen <rows> <out.xlsx | out.csv> <community>…   (CSV is written in GB18030)

use safetrace::domain::credit_code::check_character;
use safetrace::units::registry::Field;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: sheetgen <rows> <out.xlsx | out.csv> <community>…");
        std::process::exit(2);
    }
    let rows: u32 = args[1].parse().expect("a number of rows");
    let out = &args[2];
    let communities = &args[3..];
    let kinds = ["餐饮", "商铺", "工厂", "仓库", "建筑工地", "宾馆", "市场", "其他"];
    let header: Vec<String> = Field::ALL.iter().map(|f| f.header().to_string()).collect();
    let line = |i: u32| -> Vec<String> {
        let first17 = format!("91430100MA{i:07}");
        let code = format!("{first17}{}", check_character(first17.as_bytes()).expect("17 characters") as char);
        let community = &communities[i as usize % communities.len()];
        vec![
            format!("{}{i}号{}", community.trim_end_matches("社区"), kinds[i as usize % kinds.len()]),
            community.clone(),
            kinds[i as usize % kinds.len()].to_string(),
            format!("{}{i}号", community.trim_end_matches("社区")),
            code,
            format!("联系人{i}"),
            format!("138{i:08}"),
            format!("28.{:04}", i % 10_000),
            format!("112.{:04}", i % 10_000),
        ]
    };
    if out.ends_with(".csv") {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        w.write_record(&header).expect("header");
        for i in 1..=rows {
            w.write_record(line(i)).expect("row");
        }
        let text = String::from_utf8(w.into_inner().expect("csv")).expect("utf-8");
        let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
        std::fs::write(out, bytes).expect("write");
    } else {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        for (c, h) in header.iter().enumerate() {
            ws.write_string(0, c as u16, h).expect("header");
        }
        for i in 1..=rows {
            for (c, v) in line(i).iter().enumerate() {
                match c {
                    7 | 8 => ws.write_number(i, c as u16, v.parse::<f64>().expect("number")),
                    _ => ws.write_string(i, c as u16, v),
                }
                .expect("cell");
            }
        }
        book.save(out).expect("write");
    }
}
