//! The bigram indexes behind `q` (the rules are `domain::search`): which text of a hazard
//! and of a unit is indexed, writing a record's pairs in the record's own transaction (and
//! again when its text changes), and what a search adds to a list's SQL.
//!
//! Each pair is stored beside the key its list is sorted by (`found_at`, `created_at`), so
//! a search reads its matches in list order straight from the index and stops after a
//! page, however common the pair: measured at 1,000,000 hazards, see docs/benchmarks.md.

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;

use crate::db::escape_like;
use crate::db::schema::{hazard_search, hazards, unit_search};
use crate::db::sql::{Bind, Sql};
use crate::db::DbConn;
use crate::domain::search::bigrams_of;
use crate::domain::{Id, Moment};
use crate::error::ApiResult;
use crate::units::model::Unit;

/// One pair of a hazard's text: its description and its unit's name and address.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = hazard_search)]
pub struct HazardGram {
    pub gram: String,
    pub found_at: Moment,
    pub hazard_id: Id,
}

/// One pair of a unit's text: its name, address, credit code and contact.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = unit_search)]
pub struct UnitGram {
    pub gram: String,
    pub created_at: Moment,
    pub unit_id: Id,
}

/// The pairs of a hazard.
pub fn hazard_grams(hazard_id: Id, found_at: Moment, description: &str, unit: (&str, &str)) -> Vec<HazardGram> {
    hazard_pairs(description, unit).into_iter().map(|gram| HazardGram { gram, found_at, hazard_id }).collect()
}

fn hazard_pairs(description: &str, (unit_name, unit_address): (&str, &str)) -> BTreeSet<String> {
    bigrams_of([description, unit_name, unit_address])
}

/// The pairs of a unit.
pub fn unit_grams(u: &Unit) -> Vec<UnitGram> {
    unit_pairs(u).into_iter().map(|gram| UnitGram { gram, created_at: u.created_at, unit_id: u.id }).collect()
}

fn unit_pairs(u: &Unit) -> BTreeSet<String> {
    let texts = [Some(u.name.as_str()), Some(u.address.as_str()), u.credit_code.as_deref(), u.contact_name.as_deref()];
    bigrams_of(texts.into_iter().flatten())
}

/// Rows per INSERT, far under either engine's limit of bound values.
const ROWS_PER_INSERT: usize = 1_000;

/// Bound values per DELETE of exact keys.
const BINDS_PER_DELETE: usize = 900;

pub fn insert_hazard_grams(conn: &mut DbConn, rows: &[HazardGram]) -> ApiResult<()> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        crate::on_engine!(&mut *conn, |c| diesel::insert_into(hazard_search::table).values(chunk).execute(c))?;
    }
    Ok(())
}

pub fn insert_unit_grams(conn: &mut DbConn, rows: &[UnitGram]) -> ApiResult<()> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        crate::on_engine!(&mut *conn, |c| diesel::insert_into(unit_search::table).values(chunk).execute(c))?;
    }
    Ok(())
}

/// Pairs to remove from one record: its sort key, its id, and the pairs.
struct Removal {
    at: Moment,
    id: Id,
    grams: Vec<String>,
}

/// Deletes exact keys, several records per statement: `(at = ? AND id = ? AND gram IN
/// (…)) OR …`, each group found through the index's primary key on both engines.
fn delete_keys(conn: &mut DbConn, table: &str, at: &str, id: &str, removals: Vec<Removal>) -> ApiResult<()> {
    let mut removals = removals.into_iter().filter(|r| !r.grams.is_empty()).peekable();
    while removals.peek().is_some() {
        let mut sql = Sql::new(conn.engine());
        sql.push(&format!("DELETE FROM {table} WHERE "));
        let mut binds = 0;
        while let Some(r) = removals.next_if(|r| binds == 0 || binds + r.grams.len() + 2 <= BINDS_PER_DELETE) {
            if binds > 0 {
                sql.push(" OR ");
            }
            sql.push(&format!("({at} = ")).bind(Bind::Moment(r.at));
            sql.push(&format!(" AND {id} = ")).bind(Bind::Id(r.id));
            sql.push(" AND gram IN (");
            for (i, g) in r.grams.into_iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(Bind::Text(g));
                binds += 1;
            }
            sql.push("))");
            binds += 2;
        }
        sql.build().execute(conn)?;
    }
    Ok(())
}

/// A unit before and after a change.
pub struct UnitChange<'a> {
    pub old: &'a Unit,
    pub new: &'a Unit,
}

/// After units changed, in the same transaction: rewrites the pairs of those whose text
/// changed, and of their hazards when the name or address did (a hazard is found by its
/// unit's current name and address). Only the pairs that differ are written.
pub fn reindex_units(conn: &mut DbConn, changes: &[UnitChange<'_>]) -> ApiResult<()> {
    let mut removed = Vec::new();
    let mut added = Vec::new();
    for c in changes {
        let (old, new) = (unit_pairs(c.old), unit_pairs(c.new));
        if old != new {
            removed.push(Removal {
                at: c.old.created_at,
                id: c.old.id,
                grams: old.difference(&new).cloned().collect(),
            });
            added.extend(new.difference(&old).map(|g| UnitGram {
                gram: g.clone(),
                created_at: c.new.created_at,
                unit_id: c.new.id,
            }));
        }
    }
    delete_keys(conn, "unit_search", "created_at", "unit_id", removed)?;
    insert_unit_grams(conn, &added)?;

    let moved: HashMap<Id, &UnitChange<'_>> = changes
        .iter()
        .filter(|c| c.old.name != c.new.name || c.old.address != c.new.address)
        .map(|c| (c.new.id, c))
        .collect();
    if moved.is_empty() {
        return Ok(());
    }
    let ids: Vec<Id> = moved.keys().copied().collect();
    let mut removed = Vec::new();
    let mut added = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(Id, Moment, String, Id)> = hazards::table
            .filter(hazards::unit_id.eq_any(chunk))
            .select((hazards::id, hazards::found_at, hazards::description, hazards::unit_id))
            .load(conn)?;
        for (hazard_id, found_at, description, unit_id) in rows {
            let Some(c) = moved.get(&unit_id) else { continue };
            let old = hazard_pairs(&description, (&c.old.name, &c.old.address));
            let new = hazard_pairs(&description, (&c.new.name, &c.new.address));
            removed.push(Removal { at: found_at, id: hazard_id, grams: old.difference(&new).cloned().collect() });
            added.extend(new.difference(&old).map(|g| HazardGram { gram: g.clone(), found_at, hazard_id }));
        }
    }
    delete_keys(conn, "hazard_search", "found_at", "hazard_id", removed)?;
    insert_hazard_grams(conn, &added)
}

/// An index as a list's SQL reads it.
pub struct Index {
    table: &'static str,
    /// The column of the list's sort key.
    key: &'static str,
    /// The column of the record's id.
    id: &'static str,
}

pub const HAZARD_INDEX: Index = Index { table: "hazard_search", key: "found_at", id: "hazard_id" };
pub const UNIT_INDEX: Index = Index { table: "unit_search", key: "created_at", id: "unit_id" };

impl Index {
    pub fn table(&self) -> &'static str {
        self.table
    }

    pub fn key(&self) -> &'static str {
        self.key
    }

    pub fn id(&self) -> &'static str {
        self.id
    }

    /// For the index row `alias` (`FROM <table> alias`): `alias.gram = <first pair>`, and
    /// every other pair present for the same record.
    pub fn push_pairs(&self, sql: &mut Sql, alias: &str, grams: &[String]) {
        let Some((first, rest)) = grams.split_first() else {
            sql.push("1 = 1");
            return;
        };
        sql.push(&format!("{alias}.gram = ")).bind(Bind::Text(first.clone()));
        let Index { table, key, id } = self;
        for (i, g) in rest.iter().enumerate() {
            let other = format!("{alias}_{i}");
            sql.push(&format!(" AND EXISTS (SELECT 1 FROM {table} {other} WHERE {other}.gram = "));
            sql.bind(Bind::Text(g.clone()));
            sql.push(&format!(" AND {other}.{key} = {alias}.{key} AND {other}.{id} = {alias}.{id})"));
        }
    }

    /// `column IN (the records holding every pair)`.
    pub fn push_in(&self, sql: &mut Sql, column: &str, grams: &[String]) {
        sql.push(&format!("{column} IN (SELECT s.{} FROM {} s WHERE ", self.id, self.table));
        self.push_pairs(sql, "s", grams);
        sql.push(")");
    }
}

/// `(a LIKE ? OR b LIKE ? …)`: the search as a substring of one of the columns.
pub fn push_like(sql: &mut Sql, columns: &[&str], text: &str) {
    let pattern = format!("%{}%", escape_like(text));
    sql.push("(");
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push(&format!("{c} LIKE ")).bind(Bind::Text(pattern.clone()));
        sql.push(" ESCAPE '\\'");
    }
    sql.push(")");
}
