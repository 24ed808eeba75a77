//! Which units a list selects, newest first, written once in SQL for both engines and
//! read three ways: a page (keyset), its total, and the registry export. A search with
//! pairs reads the index in list order (see `crate::search`).

use diesel::sql_types::BigInt;
use diesel::{QueryableByName, RunQueryDsl};

use super::model::{Unit, UnitFilter};
use crate::db::sql::{Bind, Sql};
use crate::db::{DbConn, Engine};
use crate::domain::access::Scope;
use crate::domain::search::Search;
use crate::error::ApiResult;
use crate::http::page::{Cursor, PageRequest};
use crate::search::{self, UNIT_INDEX};

/// The units a filter selects for a caller.
pub struct Selection<'a> {
    pub filter: &'a UnitFilter,
    pub scope: &'a Scope,
}

impl Selection<'_> {
    fn search(&self) -> Option<Search> {
        Search::parse(self.filter.q.as_deref())
    }

    /// The sort key and id columns: the index's when it drives.
    fn keys(search: &Option<Search>) -> (&'static str, &'static str) {
        match search {
            Some(s) if !s.grams.is_empty() => ("s.created_at", "s.unit_id"),
            _ => ("u.created_at", "u.id"),
        }
    }

    /// `FROM … WHERE …` of the selection (the unit is `u`), after `after` when given;
    /// `joins` are appended to the FROM clause.
    fn push_from_where(&self, sql: &mut Sql, joins: &str, after: Option<&Cursor>) {
        let search = self.search();
        let drives = search.as_ref().is_some_and(|s| !s.grams.is_empty());
        sql.push(if drives { " FROM unit_search s CROSS JOIN units u" } else { " FROM units u" });
        sql.push(joins);
        sql.push(" WHERE 1 = 1");
        if let Some(search) = &search {
            if drives {
                sql.push(" AND ");
                UNIT_INDEX.push_pairs(sql, "s", &search.grams);
                sql.push(" AND u.id = s.unit_id");
            }
            sql.push(" AND ");
            search::push_like(sql, &["u.name", "u.address", "u.credit_code", "u.contact_name"], &search.text);
        }
        let f = self.filter;
        if let Some(ids) = self.scope.restriction() {
            sql.push(" AND ");
            sql.in_ids("u.community_id", ids);
        }
        if let Some(c) = f.community_id {
            sql.push(" AND u.community_id = ").bind(Bind::Id(c));
        }
        if let Some(k) = f.kind {
            sql.push(" AND u.kind = ").bind(Bind::Text(k.as_str().into()));
        }
        if let Some(s) = f.status {
            sql.push(" AND u.status = ").bind(Bind::Text(s.as_str().into()));
        }
        if let Some(c) = after {
            let (key, id) = Self::keys(&search);
            sql.push(&format!(" AND ({key} < ")).bind(Bind::Moment(c.at));
            sql.push(&format!(" OR ({key} = ")).bind(Bind::Moment(c.at));
            sql.push(&format!(" AND {id} < ")).bind(Bind::Id(c.id));
            sql.push("))");
        }
    }

    fn push_order(&self, sql: &mut Sql) {
        let (key, id) = Self::keys(&self.search());
        sql.push(&format!(" ORDER BY {key} DESC, {id} DESC"));
    }

    /// One page, newest first.
    pub fn page(&self, conn: &mut DbConn, page: &PageRequest) -> ApiResult<Vec<Unit>> {
        let mut sql = Sql::new(conn.engine());
        sql.push("SELECT u.*");
        self.push_from_where(&mut sql, "", page.after.as_ref());
        self.push_order(&mut sql);
        sql.push(" LIMIT ").bind(Bind::BigInt(page.fetch_limit()));
        Ok(sql.build().load(conn)?)
    }

    /// How many units the selection holds.
    pub fn count(&self, conn: &mut DbConn) -> ApiResult<i64> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut sql = Sql::new(conn.engine());
        sql.push("SELECT CAST(COUNT(*) AS BIGINT) AS n");
        self.push_from_where(&mut sql, "", None);
        Ok(sql.build().get_result::<Count>(conn)?.n)
    }

    /// The whole selection, newest first, with `columns` selected and `joins` added, for
    /// a cursor to read (`Sql::for_each`).
    pub fn all(&self, engine: Engine, columns: &str, joins: &str) -> Sql {
        let mut sql = Sql::new(engine);
        sql.push("SELECT ").push(columns);
        self.push_from_where(&mut sql, joins, None);
        self.push_order(&mut sql);
        sql
    }
}
