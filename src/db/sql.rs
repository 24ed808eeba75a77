//! Hand-written SQL for both engines: placeholders, the few functions that are spelled
//! differently, and typed binds, so a query diesel's DSL cannot express (the reports,
//! the searchable lists and their exports) is written once.

use chrono::NaiveDate;
use diesel::connection::DefaultLoadingMode;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Binary, Bool, Date, Double, Integer, Nullable, Text};
use diesel::QueryableByName;
use diesel::RunQueryDsl;

use super::types::{SqlMoment, SqlUuid};
use super::{DbConn, Engine, MultiBackend};
use crate::domain::{Id, Moment};

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub enum Bind {
    Id(Id),
    Moment(Moment),
    Date(NaiveDate),
    Text(String),
    Bool(bool),
    Int(i32),
    BigInt(i64),
    Bytes(Vec<u8>),
    /// Text or NULL.
    OptText(Option<String>),
    /// A number or NULL.
    OptDouble(Option<f64>),
    OptDate(Option<NaiveDate>),
    OptMoment(Option<Moment>),
}

/// SQL text with its binds, built in textual order.
#[derive(Debug, Clone)]
pub struct Sql {
    engine: Engine,
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    pub fn new(engine: Engine) -> Self {
        Sql { engine, text: String::with_capacity(256), binds: Vec::new() }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: Bind) -> &mut Self {
        self.binds.push(value);
        match self.engine {
            Engine::Postgresql => {
                let n = self.binds.len();
                self.text.push_str(&format!("${n}"));
            }
            Engine::Sqlite => self.text.push('?'),
        }
        self
    }

    /// `column IN (…)` over ids, or `FALSE` for an empty list.
    pub fn in_ids(&mut self, column: &str, ids: &[Id]) -> &mut Self {
        if ids.is_empty() {
            return self.push("1 = 0");
        }
        self.push(column).push(" IN (");
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(Bind::Id(*id));
        }
        self.push(")")
    }

    /// The `YYYY-MM` of a date column.
    pub fn month_of(&self, column: &str) -> String {
        match self.engine {
            Engine::Postgresql => format!("to_char({column}, 'YYYY-MM')"),
            Engine::Sqlite => format!("substr({column}, 1, 7)"),
        }
    }

    /// The first day of the month of a date column, as a date.
    pub fn month_start_of(&self, column: &str) -> String {
        match self.engine {
            Engine::Postgresql => format!("CAST(date_trunc('month', {column}) AS date)"),
            Engine::Sqlite => format!("(substr({column}, 1, 8) || '01')"),
        }
    }

    /// A NULL typed as a uuid.
    pub fn null_id(&self) -> &'static str {
        match self.engine {
            Engine::Postgresql => "CAST(NULL AS uuid)",
            Engine::Sqlite => "CAST(NULL AS BLOB)",
        }
    }

    /// A NULL typed as a moment.
    pub fn null_moment(&self) -> &'static str {
        match self.engine {
            Engine::Postgresql => "CAST(NULL AS timestamptz)",
            Engine::Sqlite => "CAST(NULL AS TEXT)",
        }
    }

    /// A NULL typed as text.
    pub fn null_text(&self) -> &'static str {
        "CAST(NULL AS TEXT)"
    }

    /// The query, ready to load.
    pub fn build(&self) -> BoxedSqlQuery<'static, MultiBackend, diesel::query_builder::SqlQuery> {
        let mut q = diesel::sql_query(self.text.clone()).into_boxed::<MultiBackend>();
        for b in &self.binds {
            q = match b.clone() {
                Bind::Id(v) => q.bind::<SqlUuid, _>(v),
                Bind::Moment(v) => q.bind::<SqlMoment, _>(v),
                Bind::Date(v) => q.bind::<Date, _>(v),
                Bind::Text(v) => q.bind::<Text, _>(v),
                Bind::Bool(v) => q.bind::<Bool, _>(v),
                Bind::Int(v) => q.bind::<Integer, _>(v),
                Bind::BigInt(v) => q.bind::<BigInt, _>(v),
                Bind::Bytes(v) => q.bind::<Binary, _>(v),
                Bind::OptText(v) => q.bind::<Nullable<Text>, _>(v),
                Bind::OptDouble(v) => q.bind::<Nullable<Double>, _>(v),
                Bind::OptDate(v) => q.bind::<Nullable<Date>, _>(v),
                Bind::OptMoment(v) => q.bind::<Nullable<SqlMoment>, _>(v),
            };
        }
        q
    }

    /// Runs the query and hands each row to `each` as it arrives, never holding the
    /// whole result: SQLite steps its statement row by row; PostgreSQL reads a
    /// server-side cursor `FETCH_ROWS` at a time (libpq would otherwise buffer it all).
    /// On PostgreSQL this must run inside a transaction (see `DbConn::read_snapshot`).
    pub fn for_each<R, E, F>(&self, conn: &mut DbConn, mut each: F) -> Result<(), E>
    where
        R: QueryableByName<MultiBackend> + 'static,
        E: From<diesel::result::Error>,
        F: FnMut(R) -> Result<(), E>,
    {
        const FETCH_ROWS: usize = 1000;
        match self.engine {
            Engine::Sqlite => {
                for row in self.build().load_iter::<R, DefaultLoadingMode>(conn)? {
                    each(row?)?;
                }
            }
            Engine::Postgresql => {
                let mut declare = Sql::new(self.engine);
                declare.text = format!("DECLARE lines NO SCROLL CURSOR FOR {}", self.text);
                declare.binds = self.binds.clone();
                declare.build().execute(conn)?;
                let fetch = format!("FETCH FORWARD {FETCH_ROWS} FROM lines");
                loop {
                    let rows: Vec<R> = diesel::sql_query(&fetch).load(conn)?;
                    let last = rows.len() < FETCH_ROWS;
                    for row in rows {
                        each(row)?;
                    }
                    if last {
                        break;
                    }
                }
                diesel::sql_query("CLOSE lines").execute(conn)?;
            }
        }
        Ok(())
    }
}
