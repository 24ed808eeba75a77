//! Importing communities (admins only): each row checked by the rules of
//! `POST /communities`, matched by its code, and written in batches.

use std::collections::HashMap;

use diesel::prelude::*;

use super::sheet::Sheet;
use super::{sorted, Checked, Columns, Progress};
use crate::communities::model::{Community, NewCommunity};
use crate::db::schema::communities;
use crate::db::sql::{Bind, Sql};
use crate::db::DbConn;
use crate::domain::actor::Actor;
use crate::domain::{Id, Moment};
use crate::error::{ApiError, ApiResult};
use crate::imports::model::RowError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Code,
}

const FIELDS: [(Field, &str, &str); 2] = [(Field::Name, "名称", "name"), (Field::Code, "代码", "code")];

/// What the good rows write: communities to create, and names to change (before, after).
#[derive(Default)]
pub struct Writes {
    pub creates: Vec<Community>,
    pub updates: Vec<(Community, Community)>,
}

/// Checks every row against the rules and what exists; writes nothing.
pub fn check(
    conn: &mut DbConn,
    sheet: &Sheet,
    now: Moment,
    actor: &Actor,
    progress: &dyn Progress,
) -> ApiResult<Checked<Writes>> {
    let columns = Columns::find(&sheet.headers, &FIELDS)?;
    let header = |f: Field| columns.header(f, FIELDS.iter().find(|(g, _, _)| *g == f).map_or("", |(_, zh, _)| *zh));
    let existing: HashMap<String, Community> = communities::table
        .select(Community::as_select())
        .load::<Community>(conn)?
        .into_iter()
        .map(|c| (c.code.clone(), c))
        .collect();
    progress.start("checked", sheet.rows.len() as u64);
    let mut errors = Vec::new();
    let mut writes = Writes::default();
    let mut unchanged = 0;
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in &sheet.rows {
        progress.advance(1);
        let mut e = Vec::new();
        let mut push = |f: Field, code: &str, message: String| {
            e.push(RowError { row: row.number, column: header(f), code: code.into(), message })
        };
        let name = columns.cell(row, Field::Name);
        let Some(code) = columns.cell(row, Field::Code) else {
            push(Field::Code, "required", "a community is known by its code".into());
            errors.extend(e);
            continue;
        };
        if let Some(first) = seen.insert(code.to_string(), row.number) {
            push(Field::Code, "duplicate", format!("the same code as row {first}"));
        }
        let next = match existing.get(code) {
            Some(c) => Community { name: name.map(str::to_string).unwrap_or_else(|| c.name.clone()), ..c.clone() },
            None => {
                if name.is_none() {
                    push(Field::Name, "required", "a new community needs it".into());
                }
                Community {
                    id: Id::new_v7(),
                    name: name.unwrap_or_default().to_string(),
                    code: code.to_string(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                    created_by: actor.user_id,
                }
            }
        };
        if let Err(ApiError::Validation(list)) =
            (NewCommunity { name: next.name.clone(), code: next.code.clone() }).check()
        {
            for fe in list {
                let field = if fe.field == "code" { Field::Code } else { Field::Name };
                push(field, &fe.code, fe.message);
            }
        }
        if !e.is_empty() {
            errors.extend(e);
            continue;
        }
        match existing.get(code) {
            None => writes.creates.push(next),
            Some(old) if old.name == next.name => unchanged += 1,
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

/// Rows per statement, under both engines' limits of bound values.
const ROWS: usize = 300;

/// Writes the checked rows in the caller's transaction, in batches.
pub fn apply(conn: &mut DbConn, w: &Writes, now: Moment, progress: &dyn Progress) -> ApiResult<()> {
    progress.start("written", (w.creates.len() + w.updates.len()) as u64);
    for chunk in w.creates.chunks(ROWS) {
        crate::on_engine!(&mut *conn, |c| diesel::insert_into(communities::table).values(chunk).execute(c))?;
        progress.advance(chunk.len() as u64);
    }
    for chunk in w.updates.chunks(ROWS) {
        let mut sql = Sql::new(conn.engine());
        sql.push("UPDATE communities SET name = v.column2, version = communities.version + 1, updated_at = ");
        sql.bind(Bind::Moment(now)).push(" FROM (VALUES ");
        for (i, (old, new)) in chunk.iter().enumerate() {
            sql.push(if i > 0 { ", (" } else { "(" }).bind(Bind::Id(new.id));
            sql.push(", ").bind(Bind::Text(new.name.clone()));
            sql.push(", ").bind(Bind::Int(old.version)).push(")");
        }
        sql.push(") AS v WHERE communities.id = v.column1 AND communities.version = v.column3");
        if sql.build().execute(conn)? != chunk.len() {
            return Err(ApiError::Conflict(
                "communities were changed while the file was imported; import it again".into(),
            ));
        }
        progress.advance(chunk.len() as u64);
    }
    Ok(())
}
