//! Writing the counters, in the transaction of the change they count: each hazard change's
//! deltas (raw, and summed into the three rollups), and the units each inspection and
//! hazard adds to the sets of distinct units.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary, Bool, Date, Integer, Text};

use super::model::{campaign_key, CellKey, ChangeRow, Dims, Grain, Presence, PresenceGrain, RollupKey, Source};
use super::unit_set;
use crate::db::sql::{Bind, Sql};
use crate::db::types::{SqlMoment, SqlUuid};
use crate::db::{DbConn, Engine};
use crate::domain::tally::Tally;
use crate::domain::{Id, Moment, UnitKind};
use crate::error::{ApiError, ApiResult};

/// Rows per multi-row statement: well under both engines' limits on bound values.
const ROWS_PER_STATEMENT: usize = 500;

/// The key columns of the `hazard_tallies_*` rollups, and of the `*_by_category` ones.
const ROLLUP_KEY: &str = "found_bucket, at_bucket, community_id, unit_kind, campaign_key, leader_led";
const ROLLUP_KEY_BY_CATEGORY: &str =
    "found_bucket, at_bucket, community_id, unit_kind, category, level, campaign_key, leader_led";

/// The key columns of `unit_presence`, in [`CellKey`]'s order.
const CELL_KEY: &str =
    "source, grain, recorded_bucket, found_bucket, community_id, unit_kind, category, level, campaign_key, leader_led";

fn engine(conn: &DbConn) -> Engine {
    match conn {
        DbConn::Postgresql(_) => Engine::Postgresql,
        DbConn::Sqlite(_) => Engine::Sqlite,
    }
}

/// `(?, ?, …)` of `values`.
fn push_tuple(sql: &mut Sql, values: Vec<Bind>) {
    sql.push("(");
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(v);
    }
    sql.push(")");
}

fn tally_binds(t: &Tally) -> impl Iterator<Item = Bind> {
    t.values().into_iter().map(Bind::BigInt)
}

/// Records the changes of one write: the raw rows, and their sums in every rollup. Rows
/// are written in key order, so that two writers lock shared rollup rows in the same order.
/// On PostgreSQL a write's rows go in one statement (data-modifying `WITH` clauses: one
/// round trip instead of seven); SQLite, in the process, runs them one by one.
pub fn record(conn: &mut DbConn, changes: &[ChangeRow]) -> ApiResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut sums: BTreeMap<RollupKey, Tally> = BTreeMap::new();
    for c in changes {
        for grain in Grain::ALL {
            for by_category in [false, true] {
                sums.entry(RollupKey::new(grain, by_category, &c.dims, c.at_day)).or_default().add(&c.tally);
            }
        }
    }
    let rows_per_table = Grain::ALL.len() * 2;
    let small = changes.len() <= ROWS_PER_STATEMENT && sums.len() <= ROWS_PER_STATEMENT * rows_per_table;
    if !(small && matches!(conn, DbConn::Postgresql(_))) {
        insert_changes(conn, changes)?;
        return add_to_rollups(conn, &sums);
    }
    let mut sql = Sql::new(Engine::Postgresql);
    sql.push("WITH changes AS (");
    push_insert_changes(&mut sql, changes);
    for (i, (grain, by_category)) in tables().enumerate() {
        let rows = rollup_rows(&sums, grain, by_category);
        if rows.is_empty() {
            continue;
        }
        sql.push(&format!("), rollup{i} AS ("));
        push_rollup_upsert(&mut sql, grain, by_category, &rows);
    }
    sql.push(") SELECT 1");
    sql.build().execute(conn)?;
    Ok(())
}

/// Every rollup table, as (grain, by category), in the order writers lock them.
fn tables() -> impl Iterator<Item = (Grain, bool)> {
    Grain::ALL.into_iter().flat_map(|g| [(g, false), (g, true)])
}

fn rollup_rows(sums: &BTreeMap<RollupKey, Tally>, grain: Grain, by_category: bool) -> Vec<(&RollupKey, &Tally)> {
    sums.iter().filter(|(k, t)| k.grain == grain && k.by_category.is_some() == by_category && !t.is_zero()).collect()
}

/// Appends raw change rows.
pub fn insert_changes(conn: &mut DbConn, changes: &[ChangeRow]) -> ApiResult<()> {
    for chunk in changes.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(engine(conn));
        push_insert_changes(&mut sql, chunk);
        sql.build().execute(conn)?;
    }
    Ok(())
}

/// `INSERT INTO hazard_tally_changes …` of these rows.
fn push_insert_changes(sql: &mut Sql, changes: &[ChangeRow]) {
    let columns = format!(
        "at, at_day, found_on, community_id, unit_kind, category, level, campaign_key, leader_led, {}",
        Tally::COLUMNS.join(", ")
    );
    sql.push(&format!("INSERT INTO hazard_tally_changes ({columns}) VALUES "));
    for (i, c) in changes.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        let d = &c.dims;
        let mut values = vec![
            Bind::Moment(c.at),
            Bind::Date(c.at_day),
            Bind::Date(d.found_on),
            Bind::Id(d.community_id),
            Bind::Text(d.unit_kind.as_str().into()),
            Bind::Text(d.category.as_str().into()),
            Bind::Text(d.level.as_str().into()),
            Bind::Id(campaign_key(d.campaign_id)),
            Bind::Bool(d.leader_led),
        ];
        values.extend(tally_binds(&c.tally));
        push_tuple(sql, values);
    }
}

/// Appends raw change rows in bulk: COPY on PostgreSQL (a rebuild writes millions).
pub fn copy_changes(conn: &mut DbConn, changes: &[ChangeRow]) -> ApiResult<()> {
    use std::fmt::Write as _;
    let DbConn::Postgresql(pg) = conn else {
        return insert_changes(conn, changes);
    };
    let mut text = String::with_capacity(changes.len() * 160);
    for c in changes {
        let d = &c.dims;
        let _ = write!(
            text,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            c.at.to_rfc3339(),
            c.at_day,
            d.found_on,
            d.community_id,
            d.unit_kind.as_str(),
            d.category.as_str(),
            d.level.as_str(),
            campaign_key(d.campaign_id),
            if d.leader_led { 't' } else { 'f' },
        );
        for v in c.tally.values() {
            let _ = write!(text, "\t{v}");
        }
        text.push('\n');
    }
    use crate::db::schema::hazard_tally_changes as t;
    diesel::copy_from(t::table)
        .from_raw_data(
            (
                t::at,
                t::at_day,
                t::found_on,
                t::community_id,
                t::unit_kind,
                t::category,
                t::level,
                t::campaign_key,
                t::leader_led,
                t::found,
                t::closed,
                t::voided,
                t::open,
                t::pending,
                t::major_open,
                t::found_major,
                t::closed_major,
                t::major_with_plan,
                t::major_plan_complete,
                t::major_supervised,
                t::major_supervised_province,
                t::major_supervised_lifted,
                t::hazards_recurrent,
                t::overdue,
                t::rectification_cost_cents,
            ),
            |w| {
                std::io::Write::write_all(w, text.as_bytes())
                    .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
            },
        )
        .execute(pg)?;
    Ok(())
}

/// Adds sums to the rollup rows (creating them as needed), table by table in key order.
pub fn add_to_rollups(conn: &mut DbConn, sums: &BTreeMap<RollupKey, Tally>) -> ApiResult<()> {
    for (grain, by_category) in tables() {
        let rows = rollup_rows(sums, grain, by_category);
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut sql = Sql::new(engine(conn));
            push_rollup_upsert(&mut sql, grain, by_category, chunk);
            sql.build().execute(conn)?;
        }
    }
    Ok(())
}

/// `INSERT INTO <rollup> … ON CONFLICT … DO UPDATE` adding these sums.
fn push_rollup_upsert(sql: &mut Sql, grain: Grain, by_category: bool, rows: &[(&RollupKey, &Tally)]) {
    let table = grain.table(by_category);
    let key = if by_category { ROLLUP_KEY_BY_CATEGORY } else { ROLLUP_KEY };
    let measures = Tally::COLUMNS.join(", ");
    let additions: Vec<String> = Tally::COLUMNS.iter().map(|c| format!("{c} = {table}.{c} + excluded.{c}")).collect();
    sql.push(&format!("INSERT INTO {table} ({key}, {measures}) VALUES "));
    for (i, (k, t)) in rows.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        let mut values = vec![
            Bind::Date(k.found_bucket),
            Bind::Date(k.at_bucket),
            Bind::Id(k.community_id),
            Bind::Text(k.unit_kind.as_str().into()),
        ];
        if let Some((category, level)) = k.by_category {
            values.push(Bind::Text(category.as_str().into()));
            values.push(Bind::Text(level.as_str().into()));
        }
        values.extend([Bind::Id(k.campaign_key), Bind::Bool(k.leader_led)]);
        values.extend(tally_binds(t));
        push_tuple(sql, values);
    }
    sql.push(&format!(" ON CONFLICT ({key}) DO UPDATE SET {}", additions.join(", ")));
}

/// What is added to one cell of distinct units.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub units: Vec<u32>,
    pub row_count: i64,
    pub last_recorded_at: Option<Moment>,
}

impl Cell {
    pub fn add(&mut self, unit_no: i64, recorded_at: Moment) -> ApiResult<()> {
        let no = u32::try_from(unit_no).map_err(|e| ApiError::internal("a unit number out of range", e))?;
        self.units.push(no);
        self.row_count += 1;
        self.last_recorded_at = self.last_recorded_at.max(Some(recorded_at));
        Ok(())
    }
}

fn cell_key_binds(k: &CellKey) -> Vec<Bind> {
    vec![
        Bind::Text(k.source.as_str().into()),
        Bind::Int(k.grain as i32),
        Bind::Date(k.recorded_bucket),
        Bind::Date(k.found_bucket),
        Bind::Id(k.community_id),
        Bind::Text(k.unit_kind.as_str().into()),
        Bind::Text(k.category.clone()),
        Bind::Text(k.level.clone()),
        Bind::Id(k.campaign_key),
        Bind::Bool(k.leader_led),
    ]
}

#[derive(QueryableByName)]
struct StoredCell {
    #[diesel(sql_type = Text)]
    source: String,
    #[diesel(sql_type = Integer)]
    grain: i32,
    #[diesel(sql_type = Date)]
    recorded_bucket: NaiveDate,
    #[diesel(sql_type = Date)]
    found_bucket: NaiveDate,
    #[diesel(sql_type = SqlUuid)]
    community_id: Id,
    #[diesel(sql_type = Text)]
    unit_kind: UnitKind,
    #[diesel(sql_type = Text)]
    category: String,
    #[diesel(sql_type = Text)]
    level: String,
    #[diesel(sql_type = SqlUuid)]
    campaign_key: Id,
    #[diesel(sql_type = Bool)]
    leader_led: bool,
    #[diesel(sql_type = Binary)]
    units: Vec<u8>,
    #[diesel(sql_type = BigInt)]
    row_count: i64,
    #[diesel(sql_type = SqlMoment)]
    last_recorded_at: Moment,
}

impl StoredCell {
    fn key(&self) -> ApiResult<CellKey> {
        let source = Source::parse(&self.source)
            .ok_or_else(|| ApiError::internal("a stored unit set has an unknown source", &self.source))?;
        let grain = match self.grain {
            0 => PresenceGrain::Months,
            1 => PresenceGrain::Days,
            other => return Err(ApiError::internal("a stored unit set has an unknown grain", other)),
        };
        Ok(CellKey {
            source,
            grain,
            recorded_bucket: self.recorded_bucket,
            found_bucket: self.found_bucket,
            community_id: self.community_id,
            unit_kind: self.unit_kind,
            category: self.category.clone(),
            level: self.level.clone(),
            campaign_key: self.campaign_key,
            leader_led: self.leader_led,
        })
    }
}

/// Adds inspections or hazards to the sets of distinct units.
pub fn count_presence(conn: &mut DbConn, items: &[Presence], tz: chrono_tz::Tz) -> ApiResult<()> {
    let mut added: BTreeMap<CellKey, Cell> = BTreeMap::new();
    for p in items {
        for key in p.cells(tz) {
            added.entry(key).or_default().add(p.unit_no, p.recorded_at)?;
        }
    }
    add_to_cells(conn, added)
}

/// Writes cells that are not stored yet (a rebuild, month by month).
pub fn insert_cells(conn: &mut DbConn, cells: BTreeMap<CellKey, Cell>) -> ApiResult<()> {
    let columns = format!("{CELL_KEY}, units, row_count, last_recorded_at");
    let epoch = Moment::new(chrono::DateTime::UNIX_EPOCH);
    let all: Vec<(CellKey, Cell)> = cells.into_iter().collect();
    for chunk in all.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(engine(conn));
        sql.push(&format!("INSERT INTO unit_presence ({columns}) VALUES "));
        for (i, (k, c)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            let mut values = cell_key_binds(k);
            let units = unit_set::with(&[], &c.units)?;
            values.extend([
                Bind::Bytes(units),
                Bind::BigInt(c.row_count),
                Bind::Moment(c.last_recorded_at.unwrap_or(epoch)),
            ]);
            push_tuple(&mut sql, values);
        }
        sql.build().execute(conn)?;
    }
    Ok(())
}

/// Merges cells into the stored ones, read and written back under their row locks
/// (PostgreSQL: made to exist first, then locked in key order; SQLite writes one
/// transaction at a time).
pub fn add_to_cells(conn: &mut DbConn, added: BTreeMap<CellKey, Cell>) -> ApiResult<()> {
    if added.is_empty() {
        return Ok(());
    }
    let keys: Vec<&CellKey> = added.keys().collect();
    let postgres = matches!(conn, DbConn::Postgresql(_));
    let epoch = Moment::new(chrono::DateTime::UNIX_EPOCH);
    let columns = format!("{CELL_KEY}, units, row_count, last_recorded_at");
    for chunk in keys.chunks(ROWS_PER_STATEMENT) {
        if postgres {
            let mut sql = Sql::new(Engine::Postgresql);
            sql.push(&format!("INSERT INTO unit_presence ({columns}) VALUES "));
            for (i, k) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                let mut values = cell_key_binds(k);
                values.extend([Bind::Bytes(Vec::new()), Bind::BigInt(0), Bind::Moment(epoch)]);
                push_tuple(&mut sql, values);
            }
            sql.push(" ON CONFLICT DO NOTHING");
            sql.build().execute(conn)?;
        }
        let mut sql = Sql::new(engine(conn));
        sql.push(&format!("SELECT {columns} FROM unit_presence WHERE ({CELL_KEY}) IN ("));
        for (i, k) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            push_tuple(&mut sql, cell_key_binds(k));
        }
        sql.push(&format!(") ORDER BY {CELL_KEY}"));
        if postgres {
            sql.push(" FOR UPDATE");
        }
        let mut stored: BTreeMap<CellKey, StoredCell> = BTreeMap::new();
        for r in sql.build().load::<StoredCell>(conn)? {
            stored.insert(r.key()?, r);
        }
        let mut sql = Sql::new(engine(conn));
        sql.push(&format!("INSERT INTO unit_presence ({columns}) VALUES "));
        for (i, k) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            let more = added.get(*k).cloned().unwrap_or_default();
            let (units, row_count, last) = match stored.remove(*k) {
                Some(old) if old.row_count > 0 => (
                    unit_set::with(&old.units, &more.units)?,
                    old.row_count + more.row_count,
                    more.last_recorded_at.max(Some(old.last_recorded_at)),
                ),
                _ => (unit_set::with(&[], &more.units)?, more.row_count, more.last_recorded_at),
            };
            let mut values = cell_key_binds(k);
            values.extend([Bind::Bytes(units), Bind::BigInt(row_count), Bind::Moment(last.unwrap_or(epoch))]);
            push_tuple(&mut sql, values);
        }
        sql.push(&format!(
            " ON CONFLICT ({CELL_KEY}) DO UPDATE SET units = excluded.units, row_count = excluded.row_count, \
             last_recorded_at = excluded.last_recorded_at"
        ));
        sql.build().execute(conn)?;
    }
    Ok(())
}

/// The changes of a hazard group as deltas at moments: what [`record`] takes. A change
/// dated otherwise than the hazard's finding counts on its own date.
pub fn change_rows(dims: Dims, changes: &[crate::domain::tally::Change], tz: chrono_tz::Tz) -> Vec<ChangeRow> {
    changes
        .iter()
        .map(|c| ChangeRow::new(c.at, Dims { found_on: c.dated.unwrap_or(dims.found_on), ..dims }, c.tally, tz))
        .collect()
}
