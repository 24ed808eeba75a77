//! Importing units: each row checked by every rule of `POST /units`, matched to an
//! existing unit (by credit code, else by community, name and address), and written in
//! batches: new units with their `created` events, changed ones with an `imported` event
//! naming the import, and their search pairs.
//!
//! Existing units are read in a few queries (by the file's credit codes, and the units of
//! the file's communities), never one per row.

use crate::feed::model::FeedKind;
use crate::feed::store::NewEvent;
use std::collections::HashMap;

use diesel::prelude::*;
use serde_json::json;

use super::sheet::{normalise, Sheet};
use super::{sorted, Checked, Columns, Progress};
use crate::communities::model::Community;
use crate::db::schema::{communities, unit_events, units};
use crate::db::sql::{Bind, Sql};
use crate::db::DbConn;
use crate::domain::access::Scope;
use crate::domain::actor::Actor;
use crate::domain::labels::{self, Lang};
use crate::domain::{Id, Moment, UnitKind, UnitStatus};
use crate::error::{ApiError, ApiResult};
use crate::imports::model::RowError;
use crate::search::{self, UnitChange};
use crate::units::model::{NewUnit, Unit, UnitEvent};
use crate::units::registry::Field;
use crate::units::store::diff;

/// What the good rows write: units to create, and units to change (before, after).
#[derive(Default)]
pub struct Writes {
    pub creates: Vec<Unit>,
    pub updates: Vec<(Unit, Unit)>,
}

fn fields() -> Vec<(Field, &'static str, &'static str)> {
    Field::ALL.iter().map(|f| (*f, f.header(), f.name())).collect()
}

/// A unit kind as a spreadsheet writes it: the Chinese label (or a usual synonym), or
/// the English value or label.
pub fn kind_of(text: &str) -> Option<UnitKind> {
    let synonym = match text {
        "门店" | "商店" => Some(UnitKind::Shop),
        "企业" => Some(UnitKind::Factory),
        "宾馆" | "酒店" => Some(UnitKind::Hotel),
        "工地" => Some(UnitKind::ConstructionSite),
        _ => None,
    };
    synonym.or_else(|| {
        UnitKind::ALL.iter().copied().find(|k| {
            text == labels::unit_kind(*k, Lang::Zh)
                || text.eq_ignore_ascii_case(k.as_str())
                || text.eq_ignore_ascii_case(labels::unit_kind(*k, Lang::En))
        })
    })
}

/// How a name or address is compared: normalised, without white space (金茂路 12号 is
/// 金茂路12号), ASCII letters in lower case.
fn key_text(s: &str) -> String {
    normalise(s).chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase()
}

/// A unit's identity without a credit code.
type Key = (Id, String, String);

/// What a unit is matched on, read for the file's communities and credit codes.
#[derive(Debug, Clone, Queryable)]
struct Known {
    id: Id,
    community_id: Id,
    name: String,
    address: String,
    credit_code: Option<String>,
}

/// The communities a row may name, by code and by name.
struct Communities {
    by_code: HashMap<String, Id>,
    by_name: HashMap<String, Vec<Id>>,
}

impl Communities {
    fn load(conn: &mut DbConn) -> ApiResult<Self> {
        let all: Vec<Community> = communities::table.select(Community::as_select()).load(conn)?;
        let mut by_name: HashMap<String, Vec<Id>> = HashMap::new();
        for c in &all {
            by_name.entry(key_text(&c.name)).or_default().push(c.id);
        }
        Ok(Communities { by_code: all.iter().map(|c| (c.code.clone(), c.id)).collect(), by_name })
    }

    /// The community a cell names (its code, or its name), if one in `scope` does.
    fn resolve(&self, text: &str, scope: &Scope) -> Result<Id, (&'static str, String)> {
        let not_found = || ("not_found", format!("no community in your scope has the name or code `{text}`"));
        if let Some(id) = self.by_code.get(text) {
            return if scope.allows(*id) { Ok(*id) } else { Err(not_found()) };
        }
        let named: Vec<Id> =
            self.by_name.get(&key_text(text)).into_iter().flatten().copied().filter(|id| scope.allows(*id)).collect();
        match named.as_slice() {
            [one] => Ok(*one),
            [] => Err(not_found()),
            _ => Err(("ambiguous", format!("several communities are named `{text}`: give the code"))),
        }
    }
}

const CHUNK: usize = 500;

fn by_credit_codes(conn: &mut DbConn, codes: &[String]) -> ApiResult<HashMap<String, Vec<Known>>> {
    let mut out: HashMap<String, Vec<Known>> = HashMap::new();
    for chunk in codes.chunks(CHUNK) {
        let rows: Vec<Known> = units::table
            .filter(units::credit_code.eq_any(chunk))
            .select((units::id, units::community_id, units::name, units::address, units::credit_code))
            .load(conn)?;
        for k in rows {
            if let Some(code) = k.credit_code.clone() {
                out.entry(code).or_default().push(k);
            }
        }
    }
    Ok(out)
}

fn by_keys(conn: &mut DbConn, communities: &[Id]) -> ApiResult<HashMap<Key, Vec<Known>>> {
    let mut out: HashMap<Key, Vec<Known>> = HashMap::new();
    for chunk in communities.chunks(CHUNK) {
        let rows: Vec<Known> = units::table
            .filter(units::community_id.eq_any(chunk))
            .select((units::id, units::community_id, units::name, units::address, units::credit_code))
            .load(conn)?;
        for k in rows {
            out.entry((k.community_id, key_text(&k.name), key_text(&k.address))).or_default().push(k);
        }
    }
    Ok(out)
}

fn full_units(conn: &mut DbConn, ids: &[Id]) -> ApiResult<HashMap<Id, Unit>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        for u in units::table.filter(units::id.eq_any(chunk)).select(Unit::as_select()).load::<Unit>(conn)? {
            out.insert(u.id, u);
        }
    }
    Ok(out)
}

/// The errors of one row, named by the file's headers.
struct RowErrors<'c> {
    row: u32,
    columns: &'c Columns<Field>,
    list: Vec<RowError>,
}

impl RowErrors<'_> {
    fn push(&mut self, field: Field, code: &str, message: impl Into<String>) {
        self.list.push(RowError {
            row: self.row,
            column: self.columns.header(field, field.header()),
            code: code.to_string(),
            message: message.into(),
        });
    }
}

/// One row, its cells read: the community named, the kind, the coordinates, and the
/// unit it matches (none: a new one).
struct Read<'r> {
    number: u32,
    cell: HashMap<Field, &'r str>,
    community: Option<Id>,
    kind: Option<UnitKind>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    matched: Option<Id>,
}

impl Read<'_> {
    fn text(&self, f: Field) -> Option<String> {
        self.cell.get(&f).map(|c| c.to_string())
    }

    fn credit_code(&self) -> Option<String> {
        self.cell.get(&Field::CreditCode).map(|c| c.to_ascii_uppercase())
    }
}

/// What rows are checked against: the file's columns, the caller's scope, the
/// communities, the units the file may match, and the rows seen so far.
struct Checker<'a> {
    columns: &'a Columns<Field>,
    scope: &'a Scope,
    communities: Communities,
    by_code: HashMap<String, Vec<Known>>,
    by_key: HashMap<Key, Vec<Known>>,
    seen_codes: HashMap<String, u32>,
    seen_units: HashMap<Id, u32>,
    seen_keys: HashMap<Key, u32>,
}

impl<'a> Checker<'a> {
    /// Reads what a file's rows may refer to, in a few queries.
    fn load(conn: &mut DbConn, sheet: &Sheet, columns: &'a Columns<Field>, scope: &'a Scope) -> ApiResult<Self> {
        let communities = Communities::load(conn)?;
        let mut codes: Vec<String> =
            sheet.rows.iter().filter_map(|r| columns.cell(r, Field::CreditCode)).map(str::to_ascii_uppercase).collect();
        codes.sort();
        codes.dedup();
        let mut named: Vec<Id> = sheet
            .rows
            .iter()
            .filter_map(|r| columns.cell(r, Field::Community))
            .filter_map(|c| communities.resolve(c, scope).ok())
            .collect();
        named.sort();
        named.dedup();
        Ok(Checker {
            columns,
            scope,
            by_code: by_credit_codes(conn, &codes)?,
            by_key: by_keys(conn, &named)?,
            communities,
            seen_codes: HashMap::new(),
            seen_units: HashMap::new(),
            seen_keys: HashMap::new(),
        })
    }

    /// Reads a row's cells and matches it; `Err` with its errors.
    fn read<'r>(&mut self, row: &'r super::sheet::Row) -> Result<Read<'r>, Vec<RowError>> {
        let mut e = RowErrors { row: row.number, columns: self.columns, list: Vec::new() };
        let cell: HashMap<Field, &str> =
            Field::ALL.iter().filter_map(|f| self.columns.cell(row, *f).map(|c| (*f, c))).collect();
        let community = cell.get(&Field::Community).and_then(|text| match self.communities.resolve(text, self.scope) {
            Ok(id) => Some(id),
            Err((code, message)) => {
                e.push(Field::Community, code, message);
                None
            }
        });
        let kind = cell.get(&Field::Kind).and_then(|text| {
            let k = kind_of(text);
            if k.is_none() {
                let names: Vec<&str> = UnitKind::ALL.iter().map(|k| labels::unit_kind(*k, Lang::Zh)).collect();
                e.push(Field::Kind, "invalid_choice", format!("`{text}` is not a kind: {}", names.join("、")));
            }
            k
        });
        let mut number = |f: Field| {
            cell.get(&f).and_then(|text| match text.parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    e.push(f, "invalid", format!("`{text}` is not a number"));
                    None
                }
            })
        };
        let (latitude, longitude) = (number(Field::Latitude), number(Field::Longitude));
        let mut read = Read { number: row.number, cell, community, kind, latitude, longitude, matched: None };
        read.matched = self.matched(&read, &mut e);
        if e.list.is_empty() {
            Ok(read)
        } else {
            Err(e.list)
        }
    }

    /// The unit a row matches: the one with its credit code; else, when no unit has the
    /// code, the one with its community, name and address (and no credit code if the
    /// row gives one, which the row then sets).
    fn matched(&mut self, r: &Read<'_>, e: &mut RowErrors<'_>) -> Option<Id> {
        let code = r.credit_code();
        if let Some(c) = &code {
            if let Some(first) = self.seen_codes.insert(c.clone(), r.number) {
                e.push(Field::CreditCode, "duplicate", format!("the same credit code as row {first}"));
            }
        }
        let (matched, field) = match code.as_ref().and_then(|c| self.by_code.get(c)).map(Vec::as_slice) {
            Some([one]) if !self.scope.allows(one.community_id) => {
                e.push(Field::CreditCode, "taken", "this credit code belongs to a unit outside your communities");
                return None;
            }
            Some([one]) => (one.id, Field::CreditCode),
            Some([_, _, ..]) => {
                e.push(Field::CreditCode, "ambiguous", "several units have this credit code");
                return None;
            }
            _ => {
                let (Some(c), Some(n), Some(a)) = (r.community, r.cell.get(&Field::Name), r.cell.get(&Field::Address))
                else {
                    return None;
                };
                let key = (c, key_text(n), key_text(a));
                let candidates: Vec<&Known> = self
                    .by_key
                    .get(&key)
                    .into_iter()
                    .flatten()
                    .filter(|k| code.is_none() || k.credit_code.is_none())
                    .collect();
                match candidates.as_slice() {
                    [] => {
                        if let Some(first) = self.seen_keys.insert(key, r.number) {
                            e.push(Field::Name, "duplicate", format!("the same unit as row {first}"));
                        }
                        return None;
                    }
                    [one] => (one.id, Field::Name),
                    _ => {
                        let message = "several units have this community, name and address: give their credit codes";
                        e.push(Field::Name, "ambiguous", message);
                        return None;
                    }
                }
            }
        };
        if let Some(first) = self.seen_units.insert(matched, r.number) {
            e.push(field, "duplicate", format!("the same unit as row {first}"));
        }
        Some(matched)
    }
}

/// The unit a row makes: `old` (a matched unit) with the row's cells, or a new unit from
/// them; then every rule of `POST /units`.
fn unit_of(r: &Read<'_>, old: Option<&Unit>, e: &mut RowErrors<'_>, now: Moment, actor: &Actor) -> Unit {
    let mut next = match old {
        Some(u) => u.clone(),
        None => {
            let given = [
                (Field::Name, r.cell.contains_key(&Field::Name)),
                (Field::Community, r.community.is_some()),
                (Field::Kind, r.kind.is_some()),
                (Field::Address, r.cell.contains_key(&Field::Address)),
            ];
            for (f, _) in given.iter().filter(|(_, present)| !present) {
                e.push(*f, "required", "a new unit needs it");
            }
            Unit {
                id: Id::new_v7(),
                community_id: Id(uuid::Uuid::nil()),
                name: String::new(),
                kind: UnitKind::Other,
                status: UnitStatus::Active,
                address: String::new(),
                credit_code: None,
                contact_name: None,
                contact_phone: None,
                latitude: None,
                longitude: None,
                version: 1,
                created_at: now,
                updated_at: now,
                created_by: actor.user_id,
                // Numbered when written (see `apply`).
                unit_no: 0,
            }
        }
    };
    next.community_id = r.community.unwrap_or(next.community_id);
    next.kind = r.kind.unwrap_or(next.kind);
    next.name = r.text(Field::Name).unwrap_or(next.name);
    next.address = r.text(Field::Address).unwrap_or(next.address);
    next.credit_code = r.credit_code().or(next.credit_code);
    next.contact_name = r.text(Field::ContactName).or(next.contact_name);
    next.contact_phone = r.text(Field::ContactPhone).or(next.contact_phone);
    next.latitude = r.latitude.or(next.latitude);
    next.longitude = r.longitude.or(next.longitude);
    let rules = NewUnit {
        community_id: next.community_id,
        name: next.name.clone(),
        kind: next.kind,
        address: next.address.clone(),
        credit_code: next.credit_code.clone(),
        contact_name: next.contact_name.clone(),
        contact_phone: next.contact_phone.clone(),
        latitude: next.latitude,
        longitude: next.longitude,
    };
    if let Err(ApiError::Validation(list)) = rules.check() {
        for fe in list {
            e.push(field_named(&fe.field), &fe.code, fe.message);
        }
    }
    next
}

/// Checks every row against the rules and what exists, in the caller's transaction;
/// writes nothing.
pub fn check(
    conn: &mut DbConn,
    sheet: &Sheet,
    scope: &Scope,
    now: Moment,
    actor: &Actor,
    progress: &dyn Progress,
) -> ApiResult<Checked<Writes>> {
    let columns = Columns::find(&sheet.headers, &fields())?;
    let mut checker = Checker::load(conn, sheet, &columns, scope)?;
    progress.start("checked", sheet.rows.len() as u64);
    let mut errors = Vec::new();
    let mut read = Vec::new();
    for row in &sheet.rows {
        progress.advance(1);
        match checker.read(row) {
            Ok(r) => read.push(r),
            Err(e) => errors.extend(e),
        }
    }
    let matched: Vec<Id> = read.iter().filter_map(|r| r.matched).collect();
    let existing = full_units(conn, &matched)?;
    let mut writes = Writes::default();
    let mut unchanged = 0;
    for r in &read {
        let mut e = RowErrors { row: r.number, columns: &columns, list: Vec::new() };
        let old = r.matched.and_then(|id| existing.get(&id));
        let next = unit_of(r, old, &mut e, now, actor);
        if !e.list.is_empty() {
            errors.extend(e.list);
            continue;
        }
        match old {
            None => writes.creates.push(next),
            Some(old) if *old == next => unchanged += 1,
            Some(old) => writes.updates.push((old.clone(), next)),
        }
    }
    Ok(Checked {
        created: writes.creates.len(),
        updated: writes.updates.len(),
        unchanged,
        writes,
        errors: sorted(errors),
        ignored_columns: columns.ignored.clone(),
    })
}

/// The column of a field of `POST /units`.
fn field_named(name: &str) -> Field {
    match name {
        "community_id" => Field::Community,
        "kind" => Field::Kind,
        "address" => Field::Address,
        "credit_code" => Field::CreditCode,
        "contact_name" => Field::ContactName,
        "contact_phone" => Field::ContactPhone,
        "latitude" => Field::Latitude,
        "longitude" => Field::Longitude,
        _ => Field::Name,
    }
}

/// Rows per multi-row statement, under both engines' limits of bound values.
const ROWS_PER_INSERT: usize = 500;
const ROWS_PER_UPDATE: usize = 200;

/// Writes the checked rows in the caller's transaction, in batches.
pub fn apply(
    conn: &mut DbConn,
    w: &Writes,
    import_id: Id,
    now: Moment,
    actor: &Actor,
    progress: &dyn Progress,
) -> ApiResult<()> {
    progress.start("written", (w.creates.len() + w.updates.len()) as u64);
    let event = |unit_id: Id, kind: &str, to: Option<UnitStatus>, details: serde_json::Value| UnitEvent {
        id: Id::new_v7(),
        unit_id,
        at: now,
        actor: actor.name.clone(),
        actor_user_id: actor.user_id,
        kind: kind.to_string(),
        from_status: None,
        to_status: to,
        reason: None,
        details: Some(details.to_string()),
    };
    for chunk in w.creates.chunks(ROWS_PER_INSERT) {
        let numbers = crate::units::store::next_numbers(conn, chunk.len())?;
        let chunk: Vec<Unit> = chunk.iter().zip(numbers).map(|(u, unit_no)| Unit { unit_no, ..u.clone() }).collect();
        let chunk = chunk.as_slice();
        let events: Vec<UnitEvent> = chunk
            .iter()
            .map(|u| event(u.id, "created", Some(UnitStatus::Active), json!({"import_id": import_id})))
            .collect();
        crate::on_engine!(&mut *conn, |c| {
            diesel::insert_into(units::table).values(chunk).execute(c)?;
            diesel::insert_into(unit_events::table).values(&events).execute(c)?;
        });
        let fed: Vec<NewEvent<'_>> = chunk
            .iter()
            .map(|u| NewEvent {
                at: now,
                kind: FeedKind::UnitCreated,
                resource_id: u.id,
                community_id: Some(u.community_id),
                actor: Some(actor),
                data: serde_json::to_value(u).unwrap_or_default(),
            })
            .collect();
        crate::feed::store::append(conn, &fed)?;
        let grams: Vec<_> = chunk.iter().flat_map(search::unit_grams).collect();
        search::insert_unit_grams(conn, &grams)?;
        progress.advance(chunk.len() as u64);
    }
    for chunk in w.updates.chunks(ROWS_PER_UPDATE) {
        update_batch(conn, chunk, now)?;
        let events: Vec<UnitEvent> = chunk
            .iter()
            .map(|(old, new)| {
                event(new.id, "imported", None, json!({"import_id": import_id, "changes": diff(old, new)}))
            })
            .collect();
        crate::on_engine!(&mut *conn, |c| diesel::insert_into(unit_events::table).values(&events).execute(c))?;
        let fed: Vec<NewEvent<'_>> = chunk
            .iter()
            .map(|(_, new)| NewEvent {
                at: now,
                kind: FeedKind::UnitUpdated,
                resource_id: new.id,
                community_id: Some(new.community_id),
                actor: Some(actor),
                data: serde_json::to_value(new).unwrap_or_default(),
            })
            .collect();
        crate::feed::store::append(conn, &fed)?;
        let changes: Vec<UnitChange<'_>> = chunk.iter().map(|(old, new)| UnitChange { old, new }).collect();
        search::reindex_units(conn, &changes)?;
        progress.advance(chunk.len() as u64);
    }
    Ok(())
}

/// Updates units in one statement (`UPDATE … FROM (VALUES …)`, on both engines), each
/// only if still at the version read: a unit changed meanwhile is a conflict.
fn update_batch(conn: &mut DbConn, rows: &[(Unit, Unit)], now: Moment) -> ApiResult<()> {
    let mut sql = Sql::new(conn.engine());
    sql.push("UPDATE units SET community_id = v.column2, name = v.column3, kind = v.column4, address = v.column5, ");
    sql.push("credit_code = v.column6, contact_name = v.column7, contact_phone = v.column8, latitude = v.column9, ");
    sql.push("longitude = v.column10, version = units.version + 1, updated_at = ").bind(Bind::Moment(now));
    sql.push(" FROM (VALUES ");
    for (i, (old, new)) in rows.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(").bind(Bind::Id(new.id));
        sql.push(", ").bind(Bind::Id(new.community_id));
        sql.push(", ").bind(Bind::Text(new.name.clone()));
        sql.push(", ").bind(Bind::Text(new.kind.as_str().into()));
        sql.push(", ").bind(Bind::Text(new.address.clone()));
        sql.push(", ").bind(Bind::OptText(new.credit_code.clone()));
        sql.push(", ").bind(Bind::OptText(new.contact_name.clone()));
        sql.push(", ").bind(Bind::OptText(new.contact_phone.clone()));
        sql.push(", ").bind(Bind::OptDouble(new.latitude));
        sql.push(", ").bind(Bind::OptDouble(new.longitude));
        sql.push(", ").bind(Bind::Int(old.version));
        sql.push(")");
    }
    sql.push(") AS v WHERE units.id = v.column1 AND units.version = v.column11");
    let changed = sql.build().execute(conn)?;
    if changed != rows.len() {
        return Err(ApiError::Conflict("units were changed while the file was imported; import it again".into()));
    }
    Ok(())
}
