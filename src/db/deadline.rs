//! Time limits on report statements, so that no report holds a connection (and the
//! service) for long: `SET LOCAL statement_timeout` on PostgreSQL; on SQLite a progress
//! handler, installed on every connection as it opens, that interrupts the statement
//! running on a thread whose deadline has passed.

use std::cell::Cell;
use std::os::raw::{c_char, c_int, c_void};
use std::sync::Once;
use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use libsqlite3_sys as ffi;

use super::{DbConn, Engine};

/// A report statement ran past its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedOut(pub Duration);

thread_local! {
    /// When the SQLite statements run on this thread must stop.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    /// Whether the progress handler interrupted a statement since the deadline was set.
    static INTERRUPTED: Cell<bool> = const { Cell::new(false) };
}

/// SQLite virtual machine steps between two looks at the clock.
const PROGRESS_STEPS: c_int = 10_000;

unsafe extern "C" fn progress(_: *mut c_void) -> c_int {
    let late = DEADLINE.with(|d| d.get().is_some_and(|at| Instant::now() >= at));
    if late {
        INTERRUPTED.with(|i| i.set(true));
    }
    c_int::from(late)
}

unsafe extern "C" fn on_open(
    db: *mut ffi::sqlite3,
    _message: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: SQLite calls this with the connection it is opening, which is valid here.
    unsafe { ffi::sqlite3_progress_handler(db, PROGRESS_STEPS, Some(progress), std::ptr::null_mut()) };
    ffi::SQLITE_OK
}

/// Installs the progress handler on every SQLite connection opened from now on (once per
/// process; before the pool opens its connections).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a function with the signature SQLite expects of an extension's
        // entry point; it only installs a progress handler that reads thread-locals.
        let rc = unsafe { ffi::sqlite3_auto_extension(Some(on_open)) };
        if rc != ffi::SQLITE_OK {
            tracing::warn!(rc, "cannot install the SQLite progress handler: reports run without a time limit");
        }
    });
}

/// Sets this thread's SQLite deadline until dropped.
struct Armed;

impl Armed {
    fn new(at: Instant) -> Self {
        INTERRUPTED.with(|i| i.set(false));
        DEADLINE.with(|d| d.set(Some(at)));
        Armed
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(None));
    }
}

/// [`DbConn::read_snapshot`] with every statement limited to `limit`: past it, the
/// statement is cancelled (PostgreSQL) or interrupted (SQLite), the transaction rolled
/// back, and the answer is [`TimedOut`]. The connection goes back to the pool as it was.
/// (On SQLite the limit counts from the start of the snapshot.)
pub fn read_snapshot_within<T, E, F>(conn: &mut DbConn, limit: Duration, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error> + From<TimedOut>,
{
    let started = Instant::now();
    let result = match conn.engine() {
        Engine::Postgresql => conn.read_snapshot(|conn| {
            let ms = limit.as_millis().clamp(1, i32::MAX as u128);
            // LOCAL: it ends with this transaction, so the pooled connection keeps none.
            diesel::sql_query(format!("SET LOCAL statement_timeout = {ms}")).execute(conn)?;
            f(conn)
        }),
        Engine::Sqlite => {
            let armed = Armed::new(started + limit);
            let result = conn.read_snapshot(f);
            drop(armed);
            result
        }
    };
    let timed_out = match conn.engine() {
        Engine::Postgresql => started.elapsed() >= limit,
        Engine::Sqlite => INTERRUPTED.with(|i| i.replace(false)),
    };
    match result {
        Err(_) if timed_out => Err(TimedOut(limit).into()),
        other => other,
    }
}
