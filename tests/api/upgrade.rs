//! Upgrades: migrations run at start; one that fails leaves the database at the last that
//! succeeded, and the service refuses to start, saying which failed and why.

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::backup::safetrace;
use crate::both_engines;
use crate::support::*;

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

fn versions(app: &TestApp) -> Vec<String> {
    let mut conn = app.state.pool.get().expect("connection");
    diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
        .load::<Version>(&mut *conn)
        .expect("versions")
        .into_iter()
        .map(|v| v.version)
        .collect()
}

both_engines! {
    async fn a_failed_migration_stops_the_start_and_leaves_the_last_good_one(app) {
        let before = versions(&app);
        let (last, previous) = match before.as_slice() {
            [.., previous, last] => (last.clone(), previous.clone()),
            _ => panic!("at least two migrations: {before:?}"),
        };
        // The record of the last migration is lost: at the next start it runs again and
        // fails on the tables it made the first time.
        {
            let mut conn = app.state.pool.get().expect("connection");
            diesel::sql_query(format!("DELETE FROM __diesel_schema_migrations WHERE version = '{last}'"))
                .execute(&mut *conn)
                .expect("delete");
        }
        let data = tempfile::tempdir().expect("temp dir");
        let url = app.database_url.clone();
        let dir = data.path().to_path_buf();
        let out = actix_web::rt::task::spawn_blocking(move || safetrace(&["serve"], &url, &dir)).await.expect("join");
        assert!(!out.status.success(), "the service refuses to start");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let name_prefix = format!("{}-{}-{}-{}", &last[..4], &last[4..6], &last[6..8], &last[8..]);
        assert!(stderr.contains("a migration failed"), "{stderr}");
        assert!(stderr.contains(&format!("Failed to run {name_prefix}_")), "names the migration: {stderr}");
        // And why: what it made the first time is there already (a table, or a column).
        assert!(stderr.contains("already exists") || stderr.contains("duplicate column"), "and why: {stderr}");
        assert!(stderr.contains(&format!("stays at migration {previous}, the last that succeeded")), "{stderr}");
        assert_eq!(versions(&app), before[..before.len() - 1].to_vec(), "nothing of the failed one is recorded");
        // The service's own tables still answer (the failed migration rolled back whole).
        assert_eq!(app.get("/api/v1/communities").await.status, 200);
    }
}
